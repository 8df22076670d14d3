/* Small rules shared by several API resources: password policy, paging
 * parameters, scope of a unit path, dates in query strings. */
#ifndef SF_API_COMMON_H
#define SF_API_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "api/req.h"

#define SF_PAGE_MAX 200
#define SF_PAGE_DEFAULT 50

/* At least 8 characters with a letter and a digit; SF_EINVAL naming field. */
int sf_api_check_password(struct sf_req *req, const char *pw, const char *field);
/* Read ?limit= (1..SF_PAGE_MAX, default SF_PAGE_DEFAULT). */
int sf_api_limit(struct sf_req *req, int *limit);
/* Read an optional integer query parameter within [min, max]; *present
 * tells whether it was given. */
int sf_api_query_int(struct sf_req *req, const char *key, int64_t min, int64_t max, int64_t *out,
		     bool *present);
/* Read an optional date or ISO time query parameter as UTC seconds;
 * a bare date means 00:00 Shanghai (or the end of that day when end_of_day). */
int sf_api_query_time(struct sf_req *req, const char *key, bool end_of_day, int64_t *out,
		      bool *present);
/* Whether the person's unit path covers `path` (their unit or below). */
bool sf_api_in_scope(const struct sf_req *req, const char *path);

#endif

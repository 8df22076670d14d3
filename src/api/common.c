/* Shared request rules; see common.h. */
#include "api/common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"
#include "util/utf8.h"

int sf_api_check_password(struct sf_req *req, const char *pw, const char *field)
{
	bool letter = false, digit = false;

	for (const char *p = pw; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			letter = true;
		else if (*p >= '0' && *p <= '9')
			digit = true;
	}
	if (sf_utf8_count(pw, strlen(pw)) < 8 || !letter || !digit)
		return sf_req_fail(
			req, SF_EINVAL, "weak_password", field,
			"a password needs at least 8 characters with letters and digits");
	return 0;
}

int sf_api_query_int(struct sf_req *req, const char *key, int64_t min, int64_t max, int64_t *out,
		     bool *present)
{
	const char *s = sf_req_query(req, key);
	char *end = NULL;
	long long v;

	if (present)
		*present = false;
	if (!s || !*s)
		return 0;
	if (strlen(s) > 19)
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	/* ERANGE: 9999999999999999999 would read as INT64_MAX. */
	if (*end || errno == ERANGE || v < min || v > max)
		goto bad;
	*out = v;
	if (present)
		*present = true;
	return 0;
bad:
	return sf_req_fail(req, SF_EINVAL, "invalid_field", key,
			   "%s must be an integer from %lld to %lld", key, (long long)min,
			   (long long)max);
}

int sf_api_limit(struct sf_req *req, int *limit)
{
	int64_t v = SF_PAGE_DEFAULT;
	int rc = sf_api_query_int(req, "limit", 1, SF_PAGE_MAX, &v, NULL);

	*limit = (int)v;
	return rc;
}

int sf_api_query_time(struct sf_req *req, const char *key, bool end_of_day, int64_t *out,
		      bool *present)
{
	const char *s = sf_req_query(req, key);

	*present = false;
	if (!s || !*s)
		return 0;
	if (strlen(s) > 40 || sf_time_parse_iso(s, out) != 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", key,
				   "%s must be a date (2026-11-29) or an ISO 8601 time with offset",
				   key);
	if (end_of_day && strlen(s) == 10)
		*out += 86400 - 1;
	*present = true;
	return 0;
}

bool sf_api_in_scope(const struct sf_req *req, const char *path)
{
	size_t n = strlen(req->who.unit_path);

	return n > 0 && path && strncmp(path, req->who.unit_path, n) == 0;
}

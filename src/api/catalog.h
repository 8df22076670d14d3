/* The service catalogue over HTTP: every signed-in person reads it (the
 * intake form, filters), administrators add and change categories, and the
 * public portal reads the public, active ones. The checks of a category
 * live in sf_catalog_check so every writer (API, seed, import) applies them. */
#ifndef SF_API_CATALOG_H
#define SF_API_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "api/req.h"
#include "store/catalog.h"

/* Longest values accepted, in characters (bytes are also bounded by the
 * fields of struct sf_category). */
#define SF_CATEGORY_NAME_MAX 100
#define SF_CATEGORY_GROUP_MAX 20
#define SF_CATEGORY_DESC_MAX 500
#define SF_CATEGORY_DAYS_MAX 60

/* Check cat as a whole: code ^[A-Za-z0-9_.-]{1,47}$, both names present,
 * every text within its field, each limit 1..SF_CATEGORY_DAYS_MAX working
 * days, o311_type realtime/batch/blackbox, dept_unit_id 0 or a unit of kind
 * department. Errors: SF_EINVAL naming the field (code "invalid_field",
 * "missing_field" or "too_long"), SF_EDB. */
int sf_catalog_check(struct sf_conn *c, const struct sf_category *cat, struct sf_error *err);

/* Check cat and store it, with an audit entry by who, in one transaction.
 * create: a new category (SF_ECONFLICT "duplicate_code" when the code is
 * taken); otherwise cat->id names the category to overwrite (its code may
 * not change: SF_EINVAL "immutable_field"; SF_ENOTFOUND when absent).
 * changed names the fields changed, for the audit entry (may be NULL).
 * *id receives the row id. Nothing is written on any error. Errors: those of
 * sf_catalog_check, SF_ECONFLICT, SF_ENOTFOUND, SF_EDB. */
int sf_catalog_save(struct sf_conn *c, const struct sf_principal *who, const char *ip,
		    const struct sf_category *cat, bool create, const char *changed, int64_t now,
		    int64_t *id, struct sf_error *err);

/* GET /api/v1/categories[?all=1], GET /api/v1/categories/{id},
 * POST /api/v1/categories, PATCH /api/v1/categories/{id},
 * GET /api/v1/public/categories (no login). */
int sf_api_categories_list(struct sf_req *req);
int sf_api_categories_get(struct sf_req *req);
int sf_api_categories_create(struct sf_req *req);
int sf_api_categories_update(struct sf_req *req);
int sf_api_public_categories(struct sf_req *req);

#endif

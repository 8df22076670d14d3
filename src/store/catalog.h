/* The service catalogue (categories of problems): names, group, default
 * department, working-day limits for accepting, handling and the return
 * call, whether the public may file it, and its Open311 publication. */
#ifndef SF_STORE_CATALOG_H
#define SF_STORE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct sf_category {
	int64_t id;
	char code[48];
	char name_zh[128];
	char name_en[128];
	char grp[64];
	char description[512];
	int64_t dept_unit_id; /* default handling department; 0 = none */
	int accept_days;
	int handle_days;
	int feedback_days;
	bool public;        /* residents may file it on the portal */
	bool open311;       /* published on Open311 */
	char o311_type[16]; /* realtime, batch, blackbox */
	char keywords[256];
	char *attributes; /* JSON array text of Open311 attribute definitions; malloc'd, may be NULL */
	int64_t sort;
	bool active;
};

/* Free what a category owns (attributes). */
void sf_category_release(struct sf_category *cat);

/* Insert or update by code (every field). *id receives the row id.
 * Errors: SF_EINVAL (unknown department), SF_EDB. */
int sf_store_category_upsert(struct sf_conn *c, const struct sf_category *cat, int64_t now,
			     int64_t *id);
/* SF_ENOTFOUND when absent. The caller releases *out. */
int sf_store_category_get(struct sf_conn *c, int64_t id, struct sf_category *out);
int sf_store_category_by_code(struct sf_conn *c, const char *code, struct sf_category *out);
/* cb for each category in catalogue order (sort, id); only_active /
 * only_public / only_open311 filter. The category passed to cb is borrowed. */
int sf_store_category_each(struct sf_conn *c, bool only_active, bool only_public, bool only_open311,
			   int (*cb)(const struct sf_category *cat, void *ctx), void *ctx);

#endif

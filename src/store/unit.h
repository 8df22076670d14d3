/* The organisation: the sub-district and its departments, communities,
 * villages, village groups, grids and building workstations, as a tree.
 * Each unit's path ("/1/4/9/") makes "this unit and everything under it"
 * one prefix match, which is how data scope is checked. */
#ifndef SF_STORE_UNIT_H
#define SF_STORE_UNIT_H

#include <stdint.h>

#include "store/db.h"

struct sf_unit {
	int64_t id;
	int64_t parent_id;
	char kind[24]; /* subdistrict, department, community, village, village_group, grid,
			  workstation, external */
	char code[48];
	char name_zh[128];
	char name_en[128];
	char path[128];
	int64_t head_user_id;
	int64_t sort;
};

/* Insert u (id and path ignored; path computed from the parent).
 * SF_ECONFLICT on a duplicate code, SF_EINVAL on an unknown parent. */
int sf_store_unit_insert(struct sf_conn *c, const struct sf_unit *u, int64_t now, int64_t *id);
int sf_store_unit_get(struct sf_conn *c, int64_t id, struct sf_unit *out);
int sf_store_unit_id_by_code(struct sf_conn *c, const char *code, int64_t *id);
int sf_store_unit_set_head(struct sf_conn *c, int64_t unit_id, int64_t user_id);
/* cb for each unit in tree order (path), optionally only kind (NULL = all). */
int sf_store_unit_each(struct sf_conn *c, const char *kind,
		       int (*cb)(const struct sf_unit *u, void *ctx), void *ctx);

#endif

/* What the administration screens need of users and units beyond user.h
 * and unit.h: searching accounts (with their sealed phone, which only the
 * API may unseal and mask) and changing an account's or a unit's fields.
 * Checking who may do it and what the values may be is the API's job. */
#ifndef SF_STORE_ADMIN_H
#define SF_STORE_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/role.h"
#include "store/db.h"
#include "store/user.h"

struct sf_user_filter {
	const char *unit_path; /* the subtree "/1/4/" or NULL for every unit */
	const char *role;      /* a role name or NULL */
	const char *q;         /* substring of login or name (case-insensitive for ASCII) or NULL */
	int limit, offset;
};

/* One account as listed: the user and the sealed phone ("" when none). */
struct sf_user_row {
	struct sf_user u;
	char phone_sealed[160];
};

/* cb for each user the filter selects in login order (limit, offset), and
 * the number selected without paging in *total. The row is borrowed for
 * the call; cb returning non-zero stops. Errors: SF_EDB. */
int sf_store_user_search(struct sf_conn *c, const struct sf_user_filter *f, int64_t *total,
			 int (*cb)(const struct sf_user_row *row, void *ctx), void *ctx);
/* The sealed phone of a user into out ("" when none). SF_ENOTFOUND. */
int sf_store_user_phone(struct sf_conn *c, int64_t id, char out[160]);

/* Set name, role, unit (0 = none) and title of user u->id.
 * SF_ENOTFOUND when there is no such user, SF_EINVAL when the unit does
 * not exist, SF_EDB. */
int sf_store_user_update(struct sf_conn *c, const struct sf_user *u, int64_t now);
/* Set (or with NULLs clear) the sealed phone and its index. SF_ENOTFOUND. */
int sf_store_user_set_phone(struct sf_conn *c, int64_t id, const char *phone_sealed,
			    const char *phone_index, int64_t now);

/* Set a unit's names and sort key. SF_ENOTFOUND when there is none. */
int sf_store_unit_update(struct sf_conn *c, int64_t id, const char *name_zh, const char *name_en,
			 int64_t sort);

#endif

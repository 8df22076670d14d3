/* Users, sessions and API tokens in the database. Passwords arrive here
 * already hashed and tokens already hashed; this file never sees secrets. */
#ifndef SF_STORE_USER_H
#define SF_STORE_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/role.h"
#include "store/db.h"

struct sf_user {
	int64_t id;
	char login[64];
	char name[64];
	enum sf_role role;
	int64_t unit_id;
	char unit_path[128];
	char unit_name[128];
	char unit_kind[24];
	char title[64];
	char pw_hash[160];
	bool disabled;
	int failed_logins;
	int64_t locked_until;
	int64_t created_at;
};

/* Lookups fill *out; SF_ENOTFOUND when there is no such user. */
int sf_store_user_by_login(struct sf_conn *c, const char *login, struct sf_user *out);
int sf_store_user_get(struct sf_conn *c, int64_t id, struct sf_user *out);
/* Insert u (id ignored); phone fields may be NULL. SF_ECONFLICT when the
 * login is taken, SF_EINVAL when the unit does not exist. */
int sf_store_user_insert(struct sf_conn *c, const struct sf_user *u, const char *phone_sealed,
			 const char *phone_index, int64_t now, int64_t *id);
/* These two, and the session deletions below, record the change of the
 * user themselves (see sf_store_user_changed). */
int sf_store_user_set_password(struct sf_conn *c, int64_t id, const char *pw_hash, int64_t now);
int sf_store_user_set_disabled(struct sf_conn *c, int64_t id, bool disabled, int64_t now);
/* Record that c's transaction (or, outside one, the statement just run)
 * changed what a session lookup says of the user: role, unit, name. Once
 * it commits, no process serves a cached session of the user unread. A
 * write to the users table outside this file must call it. */
void sf_store_user_changed(struct sf_conn *c, int64_t user_id);
/* Record a failed login (count and lock time) or a good one (reset). */
int sf_store_user_login_failed(struct sf_conn *c, int64_t id, int failed, int64_t locked_until);
int sf_store_user_login_ok(struct sf_conn *c, int64_t id);
/* Call cb for each user in login order, optionally only those in unit
 * subtree `unit_path` (NULL for all); cb returning non-zero stops. */
int sf_store_user_each(struct sf_conn *c, const char *unit_path,
		       int (*cb)(const struct sf_user *u, void *ctx), void *ctx);
/* The first active user with role in unit (for escalation); 0 when none. */
int64_t sf_store_user_head_of(struct sf_conn *c, int64_t unit_id);
int64_t sf_store_user_first_with_role(struct sf_conn *c, enum sf_role role);

int sf_store_session_create(struct sf_conn *c, const char *token_hash, int64_t user_id,
			    const char *csrf, int64_t now, int64_t expires_at, const char *ip);
/* Find a live session (not expired, idle less than idle_secs, user not
 * disabled), fill the user (without pw_hash) and csrf, and touch last_seen
 * when it is a minute old. On SQLite the answer may come from the session
 * cache (session_cache.h), which is never behind a committed change.
 * SF_ENOTFOUND when there is none. */
int sf_store_session_lookup(struct sf_conn *c, const char *token_hash, int64_t now, int idle_secs,
			    struct sf_user *u, char csrf[64], int64_t *session_id);
int sf_store_session_delete(struct sf_conn *c, const char *token_hash);
int sf_store_session_delete_user(struct sf_conn *c, int64_t user_id);
/* End every session of the user except keep_id (the one in use). */
int sf_store_session_delete_others(struct sf_conn *c, int64_t user_id, int64_t keep_id);

/* API tokens: SF_ECONFLICT when the name is taken. */
int sf_store_token_create(struct sf_conn *c, const char *name, int64_t user_id,
			  const char *token_hash, int64_t now);
/* Fill the user behind a live token; SF_ENOTFOUND otherwise. */
int sf_store_token_lookup(struct sf_conn *c, const char *token_hash, int64_t now,
			  struct sf_user *u);
/* SF_ENOTFOUND when no live token has that name. */
int sf_store_token_revoke(struct sf_conn *c, const char *name, int64_t now);

#endif

/* Users, sessions and API tokens; see user.h. Every write that changes a
 * user's row or ends sessions notes the user (changes.h), so that cached
 * sessions (session_cache.h) of theirs are not served once it commits. */
#include "store/user.h"

#include <stdio.h>
#include <string.h>

#include "store/changes.h"
#include "store/db_impl.h"
#include "store/session_cache.h"

#define USER_COLS                                                                                   \
	"u.id, u.login, u.name, u.role, u.unit_id, COALESCE(n.path, ''), COALESCE(n.name_zh, ''), " \
	"COALESCE(n.kind, ''), u.title, u.pw_hash, u.disabled, u.failed_logins, u.locked_until, "   \
	"u.created_at"
#define USER_FROM " FROM users u LEFT JOIN units n ON n.id = u.unit_id "

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_user(struct sf_stmt *st, int base, struct sf_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sf_stmt_int(st, base + 0);
	copy(u->login, sizeof(u->login), sf_stmt_text(st, base + 1));
	copy(u->name, sizeof(u->name), sf_stmt_text(st, base + 2));
	if (!sf_role_parse(sf_stmt_text(st, base + 3), &u->role))
		u->role = SF_ROLE_PUBLIC;
	u->unit_id = sf_stmt_int(st, base + 4);
	copy(u->unit_path, sizeof(u->unit_path), sf_stmt_text(st, base + 5));
	copy(u->unit_name, sizeof(u->unit_name), sf_stmt_text(st, base + 6));
	copy(u->unit_kind, sizeof(u->unit_kind), sf_stmt_text(st, base + 7));
	copy(u->title, sizeof(u->title), sf_stmt_text(st, base + 8));
	copy(u->pw_hash, sizeof(u->pw_hash), sf_stmt_text(st, base + 9));
	u->disabled = sf_stmt_int(st, base + 10) != 0;
	u->failed_logins = (int)sf_stmt_int(st, base + 11);
	u->locked_until = sf_stmt_int(st, base + 12);
	u->created_at = sf_stmt_int(st, base + 13);
}

static int one_user(struct sf_stmt *st, struct sf_user *out)
{
	int rc = sf_stmt_step(st);

	if (rc == SF_DB_ROW) {
		read_user(st, 0, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_user_by_login(struct sf_conn *c, const char *login, struct sf_user *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " USER_COLS USER_FROM "WHERE u.login = ?", "s",
			       login);

	return rc ? rc : one_user(st, out);
}

int sf_store_user_get(struct sf_conn *c, int64_t id, struct sf_user *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " USER_COLS USER_FROM "WHERE u.id = ?", "i", id);

	return rc ? rc : one_user(st, out);
}

int sf_store_user_insert(struct sf_conn *c, const struct sf_user *u, const char *phone_sealed,
			 const char *phone_index, int64_t now, int64_t *id)
{
	int rc;

	if (u->unit_id) {
		int64_t n;

		rc = sf_conn_int(c, &n, "SELECT id FROM units WHERE id = ?", "i", u->unit_id);
		if (rc)
			return rc == SF_ENOTFOUND ? SF_EINVAL : rc;
	}
	rc = sf_conn_int(c, id,
			 "INSERT INTO users(login, name, role, unit_id, title, phone_sealed, "
			 "phone_index, pw_hash, created_at, updated_at) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 "ssszssssii", u->login, u->name, sf_role_name(u->role), u->unit_id,
			 u->title, phone_sealed, phone_index, u->pw_hash, now, now);
	return rc;
}

int sf_store_user_set_password(struct sf_conn *c, int64_t id, const char *pw_hash, int64_t now)
{
	int rc = sf_conn_run(c,
			     "UPDATE users SET pw_hash = ?, failed_logins = 0, locked_until = 0, "
			     "updated_at = ? WHERE id = ?",
			     "sii", pw_hash, now, id);

	if (rc > 0)
		sf_changes_note(c, id);
	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

void sf_store_user_changed(struct sf_conn *c, int64_t user_id)
{
	sf_changes_note(c, user_id);
}

int sf_store_user_set_disabled(struct sf_conn *c, int64_t id, bool disabled, int64_t now)
{
	int rc = sf_conn_run(c, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", "dii",
			     disabled ? 1 : 0, now, id);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return SF_ENOTFOUND;
	sf_changes_note(c, id);
	return disabled ? sf_store_session_delete_user(c, id) : 0;
}

int sf_store_user_login_failed(struct sf_conn *c, int64_t id, int failed, int64_t locked_until)
{
	int rc = sf_conn_run(c, "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
			     "dii", failed, locked_until, id);

	return rc < 0 ? rc : 0;
}

int sf_store_user_login_ok(struct sf_conn *c, int64_t id)
{
	int rc = sf_conn_run(c,
			     "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ? "
			     "AND (failed_logins <> 0 OR locked_until <> 0)",
			     "i", id);

	return rc < 0 ? rc : 0;
}

int sf_store_user_each(struct sf_conn *c, const char *unit_path,
		       int (*cb)(const struct sf_user *u, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_user u;
	int rc;

	if (unit_path)
		rc = sf_conn_query(c, &st,
				   "SELECT " USER_COLS USER_FROM
				   "WHERE n.path LIKE ? || '%' ORDER BY u.login",
				   "s", unit_path);
	else
		rc = sf_conn_query(c, &st, "SELECT " USER_COLS USER_FROM "ORDER BY u.login", "");
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_user(st, 0, &u);
		if (cb(&u, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int64_t sf_store_user_head_of(struct sf_conn *c, int64_t unit_id)
{
	int64_t id = 0;

	if (sf_conn_int(c, &id,
			"SELECT COALESCE(n.head_user_id, 0) FROM units n JOIN users u ON "
			"u.id = n.head_user_id WHERE n.id = ? AND u.disabled = 0",
			"i", unit_id) != 0)
		return 0;
	return id;
}

int64_t sf_store_user_first_with_role(struct sf_conn *c, enum sf_role role)
{
	int64_t id = 0;

	if (sf_conn_int(c, &id,
			"SELECT id FROM users WHERE role = ? AND disabled = 0 ORDER BY id LIMIT 1",
			"s", sf_role_name(role)) != 0)
		return 0;
	return id;
}

int sf_store_session_create(struct sf_conn *c, const char *token_hash, int64_t user_id,
			    const char *csrf, int64_t now, int64_t expires_at, const char *ip)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen, "
		"expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
		"sisiiis", token_hash, user_id, csrf, now, now, expires_at, ip ? ip : "");

	return rc < 0 ? rc : 0;
}

/* The database half of sf_store_session_lookup: fills e and touches
 * last_seen when it is a minute old. */
static int session_read(struct sf_conn *c, const char *token_hash, int64_t now, int idle_secs,
			struct sf_scache_entry *e)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " USER_COLS
			       ", s.id, s.csrf, s.last_seen, s.expires_at" USER_FROM
			       "JOIN sessions s ON s.user_id = u.id "
			       "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? "
			       "AND u.disabled = 0",
			       "sii", token_hash, now, now - idle_secs);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc != SF_DB_ROW) {
		sf_stmt_done(st);
		return rc == SF_DB_DONE ? SF_ENOTFOUND : rc;
	}
	read_user(st, 0, &e->user);
	memset(e->user.pw_hash, 0, sizeof(e->user.pw_hash));
	e->session_id = sf_stmt_int(st, 14);
	copy(e->csrf, sizeof(e->csrf), sf_stmt_text(st, 15));
	e->last_seen = sf_stmt_int(st, 16);
	e->expires_at = sf_stmt_int(st, 17);
	sf_stmt_done(st);
	/* Touch at most once a minute to keep reads from becoming writes. */
	if (now - e->last_seen >= 60) {
		rc = sf_conn_run(c, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii", now,
				 e->session_id);
		if (rc < 0)
			return rc;
		e->last_seen = now;
	}
	return 0;
}

int sf_store_session_lookup(struct sf_conn *c, const char *token_hash, int64_t now, int idle_secs,
			    struct sf_user *u, char csrf[64], int64_t *session_id)
{
	struct sf_db *db = sf_conn_db(c);
	struct sf_changes_stamp stamp;
	struct sf_scache_entry e;
	bool stamped = false;
	int64_t user_id = 0;
	int rc;

	if (db->sessions) {
		if (sf_scache_get(db->sessions, db->changes, token_hash, now, idle_secs, &e,
				  &user_id))
			goto found;
		/* The stamp must be older than what the database says; a
		 * transaction already open may have read it before. */
		stamped = user_id && !db->ops->in_tx(c) &&
			  sf_changes_stamp(db->changes, user_id, &stamp);
	}
	rc = session_read(c, token_hash, now, idle_secs, &e);
	if (rc) {
		if (rc == SF_ENOTFOUND)
			sf_scache_drop(db->sessions, token_hash);
		return rc;
	}
	/* The first read of a token learns its user; the next one caches. */
	if (db->sessions)
		sf_scache_put(db->sessions, token_hash,
			      stamped && e.user.id == user_id ? &stamp : NULL, &e);
found:
	*u = e.user;
	copy(csrf, 64, e.csrf);
	*session_id = e.session_id;
	return 0;
}

int sf_store_session_delete(struct sf_conn *c, const char *token_hash)
{
	struct sf_stmt *st;
	int64_t user_id = 0;
	int rc =
		sf_conn_query(c, &st, "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id",
			      "s", token_hash);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW)
		user_id = sf_stmt_int(st, 0);
	/* Done first: outside a transaction that is what commits it. */
	sf_stmt_done(st);
	sf_scache_drop(sf_conn_db(c)->sessions, token_hash);
	if (user_id)
		sf_changes_note(c, user_id);
	return rc < 0 ? rc : 0;
}

int sf_store_session_delete_user(struct sf_conn *c, int64_t user_id)
{
	int rc = sf_conn_run(c, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);

	if (rc < 0)
		return rc;
	sf_changes_note(c, user_id);
	return 0;
}

int sf_store_session_delete_others(struct sf_conn *c, int64_t user_id, int64_t keep_id)
{
	int rc = sf_conn_run(c, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", "ii", user_id,
			     keep_id);

	if (rc < 0)
		return rc;
	sf_changes_note(c, user_id);
	return 0;
}

int sf_store_token_create(struct sf_conn *c, const char *name, int64_t user_id,
			  const char *token_hash, int64_t now)
{
	int rc = sf_conn_run(c,
			     "INSERT INTO api_tokens(name, user_id, token_hash, created_at) "
			     "VALUES (?, ?, ?, ?)",
			     "sisi", name, user_id, token_hash, now);

	return rc < 0 ? rc : 0;
}

int sf_store_token_lookup(struct sf_conn *c, const char *token_hash, int64_t now, struct sf_user *u)
{
	struct sf_stmt *st;
	int rc =
		sf_conn_query(c, &st,
			      "SELECT " USER_COLS USER_FROM "JOIN api_tokens t ON t.user_id = u.id "
			      "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
			      "s", token_hash);

	(void)now;
	return rc ? rc : one_user(st, u);
}

int sf_store_token_revoke(struct sf_conn *c, const char *name, int64_t now)
{
	int rc = sf_conn_run(
		c, "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
		"is", now, name);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

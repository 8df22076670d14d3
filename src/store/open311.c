/* Open311's tables and views in the database; see open311.h. The order
 * views select only public columns, so no requester field can reach a
 * GeoReport response by mistake. */
#include "store/open311.h"

#include <stdio.h>
#include <string.h>

#define KEY_COLS                                                                     \
	"id, name, created_at, COALESCE(revoked_at, 0), COALESCE(last_used_at, 0), " \
	"requests, created"

static void read_key(struct sf_stmt *st, struct sf_o311_key *k)
{
	const char *name = sf_stmt_text(st, 1);

	memset(k, 0, sizeof(*k));
	k->id = sf_stmt_int(st, 0);
	snprintf(k->name, sizeof(k->name), "%s", name ? name : "");
	k->created_at = sf_stmt_int(st, 2);
	k->revoked_at = sf_stmt_int(st, 3);
	k->last_used_at = sf_stmt_int(st, 4);
	k->requests = sf_stmt_int(st, 5);
	k->created = sf_stmt_int(st, 6);
}

int sf_store_o311_key_add(struct sf_conn *c, const char *name, const char *key_hash, int64_t now,
			  int64_t *id)
{
	return sf_conn_int(c, id,
			   "INSERT INTO o311_keys(name, key_hash, created_at) VALUES (?, ?, ?) "
			   "RETURNING id",
			   "ssi", name, key_hash, now);
}

int sf_store_o311_key_revoke(struct sf_conn *c, const char *name, int64_t now)
{
	int rc = sf_conn_run(
		c, "UPDATE o311_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
		"is", now, name);

	if (rc < 0)
		return rc;
	return rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_o311_key_find(struct sf_conn *c, const char *key_hash, struct sf_o311_key *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " KEY_COLS " FROM o311_keys "
			       "WHERE key_hash = ? AND revoked_at IS NULL",
			       "s", key_hash);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_key(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_o311_key_each(struct sf_conn *c, int (*cb)(const struct sf_o311_key *k, void *ctx),
			   void *ctx)
{
	struct sf_stmt *st;
	struct sf_o311_key k;
	int rc = sf_conn_query(c, &st, "SELECT " KEY_COLS " FROM o311_keys ORDER BY name", "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_key(st, &k);
		rc = cb(&k, ctx);
		if (rc)
			break;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_o311_key_hit(struct sf_conn *c, int64_t key_id, int64_t now, int window_secs,
			  int64_t *hits)
{
	char key[40];
	int64_t start = now - ((now % window_secs) + window_secs) % window_secs;
	int rc;

	snprintf(key, sizeof(key), "open311:%lld", (long long)key_id);
	rc = sf_conn_run(
		c, "UPDATE o311_keys SET requests = requests + 1, last_used_at = ? WHERE id = ?",
		"ii", now, key_id);
	if (rc < 0)
		return rc;
	rc = sf_conn_int(
		c, hits,
		"INSERT INTO rate_limits(key, window_start, hits) VALUES (?, ?, 1) "
		"ON CONFLICT(key) DO UPDATE SET hits = CASE WHEN rate_limits.window_start = "
		"excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END, "
		"window_start = excluded.window_start RETURNING hits",
		"si", key, start);
	return rc < 0 ? rc : 0;
}

int sf_store_o311_key_created(struct sf_conn *c, int64_t key_id)
{
	int rc = sf_conn_run(c, "UPDATE o311_keys SET created = created + 1 WHERE id = ?", "i",
			     key_id);

	return rc < 0 ? rc : 0;
}

int sf_store_o311_submission_add(struct sf_conn *c, const struct sf_o311_submission *s)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO o311_submissions(order_id, key_id, email_sealed, "
		"device_id_sealed, account_id_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		"izsssi", s->order_id, s->key_id, s->email_sealed, s->device_id_sealed,
		s->account_id_sealed, s->created_at);

	return rc < 0 ? rc : 0;
}

int sf_store_o311_token_order(struct sf_conn *c, const char *token, char *code, size_t cap)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st,
		"SELECT o.code FROM orders o JOIN categories c ON c.id = o.category_id "
		"WHERE o.tracking_code = ? AND c.open311 = 1",
		"s", token);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		const char *s = sf_stmt_text(st, 0);

		snprintf(code, cap, "%s", s ? s : "");
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

#define REQ_COLS                                                                            \
	"o.id, o.code, o.state, o.description, c.code, c.name_zh, c.name_en, "              \
	"COALESCE(u.name_zh, ''), COALESCE(u.name_en, ''), o.created_at, o.updated_at, "    \
	"COALESCE(o.closed_at, 0), COALESCE(o.handle_deadline, o.deadline, 0), o.address, " \
	"o.lat, o.lng, o.media_url, o.public_note "                                         \
	"FROM orders o JOIN categories c ON c.id = o.category_id "                          \
	"LEFT JOIN units u ON u.id = o.dept_unit_id "

static void read_request(struct sf_stmt *st, struct sf_o311_request *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sf_stmt_int(st, 0);
	r->code = sf_stmt_text(st, 1);
	r->state = sf_stmt_text(st, 2);
	r->description = sf_stmt_text(st, 3);
	r->service_code = sf_stmt_text(st, 4);
	r->service_zh = sf_stmt_text(st, 5);
	r->service_en = sf_stmt_text(st, 6);
	r->dept_zh = sf_stmt_text(st, 7);
	r->dept_en = sf_stmt_text(st, 8);
	r->created_at = sf_stmt_int(st, 9);
	r->updated_at = sf_stmt_int(st, 10);
	r->closed_at = sf_stmt_int(st, 11);
	r->expected_at = sf_stmt_int(st, 12);
	r->address = sf_stmt_text(st, 13);
	r->has_geo = !sf_stmt_isnull(st, 14) && !sf_stmt_isnull(st, 15);
	r->lat = r->has_geo ? sf_stmt_double(st, 14) : 0;
	r->lng = r->has_geo ? sf_stmt_double(st, 15) : 0;
	r->media_url = sf_stmt_text(st, 16);
	r->public_note = sf_stmt_text(st, 17);
}

static int walk(struct sf_stmt *st, int (*cb)(const struct sf_o311_request *r, void *ctx),
		void *ctx, bool *any)
{
	struct sf_o311_request r;
	int rc;

	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		*any = true;
		read_request(st, &r);
		rc = cb(&r, ctx);
		if (rc)
			break;
	}
	sf_stmt_done(st);
	return rc == SF_DB_DONE ? 0 : rc;
}

int sf_store_o311_request_each(struct sf_conn *c, const struct sf_o311_filter *f,
			       int (*cb)(const struct sf_o311_request *r, void *ctx), void *ctx)
{
	const char *ids = f->category_ids ? f->category_ids : "";
	struct sf_stmt *st;
	bool any = false;
	int rc = sf_conn_query(
		c, &st,
		"SELECT " REQ_COLS "WHERE c.open311 = 1 "
		"AND (? = '' OR ? LIKE ('%,' || CAST(o.category_id AS TEXT) || ',%')) "
		"AND ((? = 1 AND o.state NOT IN ('closed', 'rejected', 'merged')) "
		"OR (? = 1 AND o.state IN ('closed', 'rejected', 'merged'))) "
		"AND o.created_at >= ? AND o.created_at <= ? "
		"ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?",
		"ssddiiii", ids, ids, f->open ? 1 : 0, f->closed ? 1 : 0, f->from, f->to,
		(int64_t)f->limit, f->offset);

	if (rc)
		return rc;
	return walk(st, cb, ctx, &any);
}

int sf_store_o311_request_by_code(struct sf_conn *c, const char *code,
				  int (*cb)(const struct sf_o311_request *r, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	bool any = false;
	int rc = sf_conn_query(c, &st, "SELECT " REQ_COLS "WHERE o.code = ? AND c.open311 = 1", "s",
			       code);

	if (rc)
		return rc;
	rc = walk(st, cb, ctx, &any);
	if (!rc && !any)
		rc = SF_ENOTFOUND;
	return rc;
}

int sf_store_o311_changeset(struct sf_conn *c, int64_t *at)
{
	int rc = sf_conn_int(c, at, "SELECT COALESCE(MAX(updated_at), 0) FROM categories", "");

	return rc < 0 ? rc : 0;
}

int sf_store_o311_setting(struct sf_conn *c, const char *key, char *out, size_t cap)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT value FROM settings WHERE key = ?", "s", key);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		const char *v = sf_stmt_text(st, 0);

		snprintf(out, cap, "%s", v ? v : "");
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

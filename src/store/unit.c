/* Units; see unit.h. */
#include "store/unit.h"

#include <stdio.h>
#include <string.h>

#define UNIT_COLS                                                          \
	"id, COALESCE(parent_id, 0), kind, code, name_zh, name_en, path, " \
	"COALESCE(head_user_id, 0), sort"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_unit(struct sf_stmt *st, struct sf_unit *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sf_stmt_int(st, 0);
	u->parent_id = sf_stmt_int(st, 1);
	copy(u->kind, sizeof(u->kind), sf_stmt_text(st, 2));
	copy(u->code, sizeof(u->code), sf_stmt_text(st, 3));
	copy(u->name_zh, sizeof(u->name_zh), sf_stmt_text(st, 4));
	copy(u->name_en, sizeof(u->name_en), sf_stmt_text(st, 5));
	copy(u->path, sizeof(u->path), sf_stmt_text(st, 6));
	u->head_user_id = sf_stmt_int(st, 7);
	u->sort = sf_stmt_int(st, 8);
}

int sf_store_unit_insert(struct sf_conn *c, const struct sf_unit *u, int64_t now, int64_t *id)
{
	struct sf_unit parent;
	char path[160];
	int rc;

	parent.path[0] = '\0';
	if (u->parent_id) {
		rc = sf_store_unit_get(c, u->parent_id, &parent);
		if (rc)
			return rc == SF_ENOTFOUND ? SF_EINVAL : rc;
	}
	rc = sf_conn_int(
		c, id,
		"INSERT INTO units(parent_id, kind, code, name_zh, name_en, sort, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		"zssssii", u->parent_id, u->kind, u->code, u->name_zh, u->name_en, u->sort, now);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s%s%lld/", parent.path, parent.path[0] ? "" : "/",
		 (long long)*id);
	rc = sf_conn_run(c, "UPDATE units SET path = ? WHERE id = ?", "si", path, *id);
	return rc < 0 ? rc : 0;
}

static int one(struct sf_stmt *st, struct sf_unit *out)
{
	int rc = sf_stmt_step(st);

	if (rc == SF_DB_ROW) {
		read_unit(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_unit_get(struct sf_conn *c, int64_t id, struct sf_unit *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " UNIT_COLS " FROM units WHERE id = ?", "i", id);

	return rc ? rc : one(st, out);
}

int sf_store_unit_id_by_code(struct sf_conn *c, const char *code, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM units WHERE code = ?", "s", code);
}

int sf_store_unit_set_head(struct sf_conn *c, int64_t unit_id, int64_t user_id)
{
	int rc = sf_conn_run(c, "UPDATE units SET head_user_id = ? WHERE id = ?", "zi", user_id,
			     unit_id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_unit_each(struct sf_conn *c, const char *kind,
		       int (*cb)(const struct sf_unit *u, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_unit u;
	int rc = sf_conn_query(c, &st,
			       "SELECT " UNIT_COLS " FROM units WHERE (? IS NULL OR kind = ?) "
			       "ORDER BY path",
			       "ss", kind, kind);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_unit(st, &u);
		if (cb(&u, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

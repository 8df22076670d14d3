/* Account search and account/unit changes for the administration API; see
 * admin.h. */
#include "store/admin.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ROW_COLS                                                                                \
	"u.id, u.login, u.name, u.role, COALESCE(u.unit_id, 0), COALESCE(n.path, ''), "         \
	"COALESCE(n.name_zh, ''), COALESCE(n.kind, ''), u.title, u.disabled, u.failed_logins, " \
	"u.locked_until, u.created_at, COALESCE(u.phone_sealed, '')"
#define ROW_FROM " FROM users u LEFT JOIN units n ON n.id = u.unit_id "
/* Binds "ssssssss": path, path, role, role, q, q, q-pattern, q-pattern. */
#define ROW_WHERE                                                                      \
	"WHERE (? IS NULL OR n.path LIKE ? || '%') AND (? IS NULL OR u.role = ?) AND " \
	"(? IS NULL OR LOWER(u.login) LIKE ? ESCAPE '\\' OR LOWER(u.name) LIKE ? ESCAPE '\\') "

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* "%q%" lower-cased (ASCII), with LIKE's wildcards and the escape escaped. */
static void like_pattern(const char *q, char *out, size_t cap)
{
	size_t n = 0;

	out[n++] = '%';
	for (const char *p = q; *p && n + 4 < cap; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[n++] = '\\';
		out[n++] = (char)tolower((unsigned char)*p);
	}
	out[n++] = '%';
	out[n] = '\0';
}

static void read_row(struct sf_stmt *st, struct sf_user_row *r)
{
	struct sf_user *u = &r->u;

	memset(r, 0, sizeof(*r));
	u->id = sf_stmt_int(st, 0);
	copy(u->login, sizeof(u->login), sf_stmt_text(st, 1));
	copy(u->name, sizeof(u->name), sf_stmt_text(st, 2));
	if (!sf_role_parse(sf_stmt_text(st, 3), &u->role))
		u->role = SF_ROLE_PUBLIC;
	u->unit_id = sf_stmt_int(st, 4);
	copy(u->unit_path, sizeof(u->unit_path), sf_stmt_text(st, 5));
	copy(u->unit_name, sizeof(u->unit_name), sf_stmt_text(st, 6));
	copy(u->unit_kind, sizeof(u->unit_kind), sf_stmt_text(st, 7));
	copy(u->title, sizeof(u->title), sf_stmt_text(st, 8));
	u->disabled = sf_stmt_int(st, 9) != 0;
	u->failed_logins = (int)sf_stmt_int(st, 10);
	u->locked_until = sf_stmt_int(st, 11);
	u->created_at = sf_stmt_int(st, 12);
	copy(r->phone_sealed, sizeof(r->phone_sealed), sf_stmt_text(st, 13));
}

int sf_store_user_search(struct sf_conn *c, const struct sf_user_filter *f, int64_t *total,
			 int (*cb)(const struct sf_user_row *row, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_user_row row;
	char pat[512];
	const char *q = f->q && f->q[0] ? f->q : NULL;
	const char *path = f->unit_path && f->unit_path[0] ? f->unit_path : NULL;
	int rc;

	like_pattern(q ? q : "", pat, sizeof(pat));
	rc = sf_conn_int(c, total, "SELECT COUNT(*)" ROW_FROM ROW_WHERE, "sssssss", path, path,
			 f->role, f->role, q, pat, pat);
	if (rc)
		return rc;
	rc = sf_conn_query(
		c, &st, "SELECT " ROW_COLS ROW_FROM ROW_WHERE "ORDER BY u.login LIMIT ? OFFSET ?",
		"sssssssdd", path, path, f->role, f->role, q, pat, pat, f->limit, f->offset);
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_row(st, &row);
		if (cb(&row, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_user_phone(struct sf_conn *c, int64_t id, char out[160])
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT COALESCE(phone_sealed, '') FROM users WHERE id = ?",
			       "i", id);

	out[0] = '\0';
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		copy(out, 160, sf_stmt_text(st, 0));
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_user_update(struct sf_conn *c, const struct sf_user *u, int64_t now)
{
	int rc;

	if (u->unit_id) {
		int64_t n;

		rc = sf_conn_int(c, &n, "SELECT id FROM units WHERE id = ?", "i", u->unit_id);
		if (rc)
			return rc == SF_ENOTFOUND ? SF_EINVAL : rc;
	}
	rc = sf_conn_run(
		c,
		"UPDATE users SET name = ?, role = ?, unit_id = ?, title = ?, updated_at = ? "
		"WHERE id = ?",
		"sszsii", u->name, sf_role_name(u->role), u->unit_id, u->title, now, u->id);
	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_user_set_phone(struct sf_conn *c, int64_t id, const char *phone_sealed,
			    const char *phone_index, int64_t now)
{
	int rc = sf_conn_run(c,
			     "UPDATE users SET phone_sealed = ?, phone_index = ?, updated_at = ? "
			     "WHERE id = ?",
			     "ssii", phone_sealed, phone_index, now, id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_unit_update(struct sf_conn *c, int64_t id, const char *name_zh, const char *name_en,
			 int64_t sort)
{
	int rc = sf_conn_run(c, "UPDATE units SET name_zh = ?, name_en = ?, sort = ? WHERE id = ?",
			     "ssii", name_zh, name_en, sort, id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

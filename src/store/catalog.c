/* The service catalogue in the database; see catalog.h. Categories are
 * keyed by their code (what Open311 and the seed files name them by);
 * validating what an administrator types is the API's job, not this file's. */
#include "store/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define CAT_COLS                                                                                 \
	"id, code, name_zh, name_en, grp, description, COALESCE(dept_unit_id, 0), accept_days, " \
	"handle_days, feedback_days, public, open311, o311_type, keywords, attributes, sort, "   \
	"active"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

void sf_category_release(struct sf_category *cat)
{
	if (!cat)
		return;
	free(cat->attributes);
	cat->attributes = NULL;
}

/* Fill *cat from the row (CAT_COLS); attributes is malloc'd when with_attrs. */
static void read_category(struct sf_stmt *st, struct sf_category *cat, bool with_attrs)
{
	const char *attrs;

	memset(cat, 0, sizeof(*cat));
	cat->id = sf_stmt_int(st, 0);
	copy(cat->code, sizeof(cat->code), sf_stmt_text(st, 1));
	copy(cat->name_zh, sizeof(cat->name_zh), sf_stmt_text(st, 2));
	copy(cat->name_en, sizeof(cat->name_en), sf_stmt_text(st, 3));
	copy(cat->grp, sizeof(cat->grp), sf_stmt_text(st, 4));
	copy(cat->description, sizeof(cat->description), sf_stmt_text(st, 5));
	cat->dept_unit_id = sf_stmt_int(st, 6);
	cat->accept_days = (int)sf_stmt_int(st, 7);
	cat->handle_days = (int)sf_stmt_int(st, 8);
	cat->feedback_days = (int)sf_stmt_int(st, 9);
	cat->public = sf_stmt_int(st, 10) != 0;
	cat->open311 = sf_stmt_int(st, 11) != 0;
	copy(cat->o311_type, sizeof(cat->o311_type), sf_stmt_text(st, 12));
	copy(cat->keywords, sizeof(cat->keywords), sf_stmt_text(st, 13));
	attrs = sf_stmt_text(st, 14);
	if (with_attrs && attrs && strcmp(attrs, "[]") != 0)
		cat->attributes = sf_xstrdup(attrs);
	cat->sort = sf_stmt_int(st, 15);
	cat->active = sf_stmt_int(st, 16) != 0;
}

int sf_store_category_upsert(struct sf_conn *c, const struct sf_category *cat, int64_t now,
			     int64_t *id)
{
	int rc;

	if (cat->dept_unit_id) {
		int64_t n;

		rc = sf_conn_int(c, &n, "SELECT id FROM units WHERE id = ?", "i",
				 cat->dept_unit_id);
		if (rc)
			return rc == SF_ENOTFOUND ? SF_EINVAL : rc;
	}
	return sf_conn_int(
		c, id,
		"INSERT INTO categories(code, name_zh, name_en, grp, description, dept_unit_id, "
		"accept_days, handle_days, feedback_days, public, open311, o311_type, keywords, "
		"attributes, sort, active, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh, "
		"name_en = excluded.name_en, grp = excluded.grp, "
		"description = excluded.description, "
		"dept_unit_id = excluded.dept_unit_id, accept_days = excluded.accept_days, "
		"handle_days = excluded.handle_days, feedback_days = excluded.feedback_days, "
		"public = excluded.public, open311 = excluded.open311, "
		"o311_type = excluded.o311_type, keywords = excluded.keywords, "
		"attributes = excluded.attributes, sort = excluded.sort, active = excluded.active, "
		"updated_at = excluded.updated_at RETURNING id",
		"sssssziiiddsssidii", cat->code, cat->name_zh, cat->name_en, cat->grp,
		cat->description, cat->dept_unit_id, (int64_t)cat->accept_days,
		(int64_t)cat->handle_days, (int64_t)cat->feedback_days, cat->public ? 1 : 0,
		cat->open311 ? 1 : 0, cat->o311_type[0] ? cat->o311_type : "realtime",
		cat->keywords, cat->attributes ? cat->attributes : "[]", cat->sort,
		cat->active ? 1 : 0, now, now);
}

static int one(struct sf_stmt *st, struct sf_category *out)
{
	int rc = sf_stmt_step(st);

	if (rc == SF_DB_ROW) {
		read_category(st, out, true);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_category_get(struct sf_conn *c, int64_t id, struct sf_category *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " CAT_COLS " FROM categories WHERE id = ?", "i", id);

	memset(out, 0, sizeof(*out));
	return rc ? rc : one(st, out);
}

int sf_store_category_by_code(struct sf_conn *c, const char *code, struct sf_category *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " CAT_COLS " FROM categories WHERE code = ?", "s",
			       code);

	memset(out, 0, sizeof(*out));
	return rc ? rc : one(st, out);
}

int sf_store_category_each(struct sf_conn *c, bool only_active, bool only_public, bool only_open311,
			   int (*cb)(const struct sf_category *cat, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_category cat;
	int rc = sf_conn_query(c, &st,
			       "SELECT " CAT_COLS " FROM categories WHERE (? = 0 OR active = 1) "
			       "AND (? = 0 OR public = 1) AND (? = 0 OR open311 = 1) "
			       "ORDER BY sort, id",
			       "ddd", only_active ? 1 : 0, only_public ? 1 : 0,
			       only_open311 ? 1 : 0);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		int stop;

		read_category(st, &cat, true);
		stop = cb(&cat, ctx);
		sf_category_release(&cat);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

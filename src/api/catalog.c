/* The service catalogue over HTTP; see catalog.h. Reads are open to every
 * signed-in person (and the public subset to everyone); writes are the
 * administrator's, checked whole before the one write transaction that
 * stores the category and its audit entry. */
#include "api/catalog.h"

#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/fields.h"
#include "store/audit.h"
#include "store/unit.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/utf8.h"

/* A text within max characters that also fits a field of cap bytes. */
static int text_ok(const char *s, size_t max, size_t cap, const char *field, struct sf_error *err)
{
	size_t n = strlen(s);

	if (sf_utf8_count(s, n) > max || n >= cap)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "%s is too long (at most %zu characters, %zu bytes)", field,
				    max, cap - 1);
	return 0;
}

static int days_ok(int v, const char *field, struct sf_error *err)
{
	if (v < 1 || v > SF_CATEGORY_DAYS_MAX)
		return sf_error_set(err, SF_EINVAL, "out_of_range", field,
				    "%s must be 1 to %d working days", field, SF_CATEGORY_DAYS_MAX);
	return 0;
}

int sf_catalog_check(struct sf_conn *c, const struct sf_category *cat, struct sf_error *err)
{
	struct sf_unit u;
	int rc;

	if (!sf_fields_ident_ok(cat->code, 1, sizeof(cat->code) - 1, true))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "code",
				    "code must be 1 to %zu letters, digits, '_', '.' or '-'",
				    sizeof(cat->code) - 1);
	if (sf_fields_blank(cat->name_zh))
		return sf_error_set(err, SF_EINVAL, "missing_field", "name", "name is required");
	if (sf_fields_blank(cat->name_en))
		return sf_error_set(err, SF_EINVAL, "missing_field", "name_en",
				    "name_en is required");
	rc = text_ok(cat->name_zh, SF_CATEGORY_NAME_MAX, sizeof(cat->name_zh), "name", err);
	if (!rc)
		rc = text_ok(cat->name_en, SF_CATEGORY_NAME_MAX, sizeof(cat->name_en), "name_en",
			     err);
	if (!rc)
		rc = text_ok(cat->grp, SF_CATEGORY_GROUP_MAX, sizeof(cat->grp), "group", err);
	if (!rc)
		rc = text_ok(cat->description, SF_CATEGORY_DESC_MAX, sizeof(cat->description),
			     "description", err);
	if (!rc)
		rc = text_ok(cat->keywords, sizeof(cat->keywords) - 1, sizeof(cat->keywords),
			     "keywords", err);
	if (!rc)
		rc = days_ok(cat->accept_days, "accept_days", err);
	if (!rc)
		rc = days_ok(cat->handle_days, "handle_days", err);
	if (!rc)
		rc = days_ok(cat->feedback_days, "feedback_days", err);
	if (rc)
		return rc;
	if (strcmp(cat->o311_type, "realtime") != 0 && strcmp(cat->o311_type, "batch") != 0 &&
	    strcmp(cat->o311_type, "blackbox") != 0)
		return sf_error_set(err, SF_EINVAL, "invalid_field", "o311_type",
				    "o311_type must be realtime, batch or blackbox");
	if (cat->dept_unit_id) {
		rc = sf_store_unit_get(c, cat->dept_unit_id, &u);
		if (rc == SF_ENOTFOUND || (rc == 0 && strcmp(u.kind, "department") != 0))
			return sf_error_set(err, SF_EINVAL, "invalid_field", "dept_id",
					    "dept_id must be the id of a department unit");
		if (rc)
			return sf_error_set(err, SF_EDB, "storage_error", "",
					    "cannot read the unit");
	}
	return 0;
}

int sf_catalog_save(struct sf_conn *c, const struct sf_principal *who, const char *ip,
		    const struct sf_category *cat, bool create, const char *changed, int64_t now,
		    int64_t *id, struct sf_error *err)
{
	struct sf_category old;
	struct sf_audit_entry ae = { 0 };
	char target[80];
	int rc = sf_catalog_check(c, cat, err);

	if (rc)
		return rc;
	if (create) {
		rc = sf_store_category_by_code(c, cat->code, &old);
		sf_category_release(&old);
		if (rc == 0)
			return sf_error_set(err, SF_ECONFLICT, "duplicate_code", "code",
					    "a category with code %s exists", cat->code);
	} else {
		rc = sf_store_category_get(c, cat->id, &old);
		sf_category_release(&old);
		if (rc == 0 && strcmp(old.code, cat->code) != 0)
			return sf_error_set(err, SF_EINVAL, "immutable_field", "code",
					    "a category's code cannot change (orders and Open311 "
					    "clients refer to it)");
	}
	if (rc && rc != SF_ENOTFOUND)
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the catalogue");
	if (rc == SF_ENOTFOUND && !create)
		return sf_error_set(err, SF_ENOTFOUND, "not_found", "id", "no such category");
	snprintf(target, sizeof(target), "category:%s", cat->code);
	ae.at = now;
	ae.user_id = who->user_id;
	ae.actor_name = who->name;
	ae.action = create ? "category_add" : "category_update";
	ae.target = target;
	ae.reason = changed ? changed : "";
	ae.ip = ip;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_category_upsert(c, cat, now, id);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		if (rc == SF_ECONFLICT)
			return sf_error_set(err, SF_ECONFLICT, "duplicate_code", "code",
					    "a category with code %s exists", cat->code);
		return sf_error_set(err, rc == SF_EBUSY ? SF_EBUSY : SF_EDB, NULL, "",
				    "cannot store the category");
	}
	return 0;
}

/* ---- HTTP ---- */

#define CATEGORY_FIELDS(req)                                                       \
	{ "code", SF_JT_STRING, req, 48, 0, 0 },                                   \
		{ "name", SF_JT_STRING, req, SF_CATEGORY_NAME_MAX, 0, 0 },         \
		{ "name_en", SF_JT_STRING, req, SF_CATEGORY_NAME_MAX, 0, 0 },      \
		{ "group", SF_JT_STRING, false, SF_CATEGORY_GROUP_MAX, 0, 0 },     \
		{ "description", SF_JT_TEXT, false, SF_CATEGORY_DESC_MAX, 0, 0 },  \
		{ "dept_id", SF_JT_INT, false, 0, 0, INT64_MAX },                  \
		{ "accept_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX },   \
		{ "handle_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX },   \
		{ "feedback_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX }, \
		{ "public", SF_JT_BOOL, false, 0, 0, 0 },                          \
		{ "open311", SF_JT_BOOL, false, 0, 0, 0 },                         \
		{ "o311_type", SF_JT_STRING, false, 16, 0, 0 },                    \
		{ "keywords", SF_JT_STRING, false, 200, 0, 0 },                    \
		{ "sort", SF_JT_INT, false, 0, -1000000, 1000000 },                \
	{                                                                          \
		"active", SF_JT_BOOL, false, 0, 0, 0                               \
	}

static const struct sf_jfield create_spec[] = { CATEGORY_FIELDS(true), { 0 } };
static const struct sf_jfield patch_spec[] = { CATEGORY_FIELDS(false), { 0 } };

/* Copy a string member into dst; too_long when it does not fit cap bytes. */
static int take_str(const struct sf_json *b, const char *key, char *dst, size_t cap,
		    struct sf_buf *changed, struct sf_error *err)
{
	const char *s = sf_json_str(b, key);

	if (!s)
		return 0;
	if (strlen(s) >= cap)
		return sf_error_set(
			err, SF_EINVAL, "too_long", key,
			"%s is too long: at most %zu bytes of UTF-8 (%zu Chinese characters)", key,
			cap - 1, (cap - 1) / 3);
	if (strcmp(dst, s) != 0)
		sf_fields_changed(changed, key);
	snprintf(dst, cap, "%s", s);
	return 0;
}

static void take_int(const struct sf_json *b, const char *key, int *dst, struct sf_buf *changed)
{
	int64_t v;

	if (sf_json_int(b, key, &v)) {
		if (*dst != (int)v)
			sf_fields_changed(changed, key);
		*dst = (int)v;
	}
}

static void take_bool(const struct sf_json *b, const char *key, bool *dst, struct sf_buf *changed)
{
	bool v;

	if (sf_json_bool(b, key, &v)) {
		if (*dst != v)
			sf_fields_changed(changed, key);
		*dst = v;
	}
}

/* Apply the members of b to cat, listing the changed keys in changed. */
static int apply(const struct sf_json *b, struct sf_category *cat, struct sf_buf *changed,
		 struct sf_error *err)
{
	int64_t v, sort;
	int rc = take_str(b, "code", cat->code, sizeof(cat->code), changed, err);

	if (!rc)
		rc = take_str(b, "name", cat->name_zh, sizeof(cat->name_zh), changed, err);
	if (!rc)
		rc = take_str(b, "name_en", cat->name_en, sizeof(cat->name_en), changed, err);
	if (!rc)
		rc = take_str(b, "group", cat->grp, sizeof(cat->grp), changed, err);
	if (!rc)
		rc = take_str(b, "description", cat->description, sizeof(cat->description), changed,
			      err);
	if (!rc)
		rc = take_str(b, "o311_type", cat->o311_type, sizeof(cat->o311_type), changed, err);
	if (!rc)
		rc = take_str(b, "keywords", cat->keywords, sizeof(cat->keywords), changed, err);
	if (rc)
		return rc;
	if (sf_json_int(b, "dept_id", &v) || sf_fields_is_null(b, "dept_id")) {
		if (!sf_json_has(b, "dept_id"))
			v = 0;
		if (cat->dept_unit_id != v)
			sf_fields_changed(changed, "dept_id");
		cat->dept_unit_id = v;
	}
	take_int(b, "accept_days", &cat->accept_days, changed);
	take_int(b, "handle_days", &cat->handle_days, changed);
	take_int(b, "feedback_days", &cat->feedback_days, changed);
	take_bool(b, "public", &cat->public, changed);
	take_bool(b, "open311", &cat->open311, changed);
	take_bool(b, "active", &cat->active, changed);
	if (sf_json_int(b, "sort", &sort)) {
		if (cat->sort != sort)
			sf_fields_changed(changed, "sort");
		cat->sort = sort;
	}
	return 0;
}

/* The department's name for output, "" when it has none or it is gone. */
static void dept_name(struct sf_conn *c, int64_t id, char *out, size_t cap)
{
	struct sf_unit u;

	out[0] = '\0';
	if (id && sf_store_unit_get(c, id, &u) == 0)
		snprintf(out, cap, "%s", u.name_zh);
}

static void write_category(struct sf_jw *w, const struct sf_category *cat, const char *dname)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", cat->id);
	sf_jw_kstr(w, "code", cat->code);
	sf_jw_kstr(w, "name", cat->name_zh);
	sf_jw_kstr(w, "name_en", cat->name_en);
	sf_jw_kstr(w, "group", cat->grp);
	sf_jw_kstr(w, "description", cat->description);
	if (cat->dept_unit_id) {
		sf_jw_key(w, "dept");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", cat->dept_unit_id);
		sf_jw_kstr(w, "name", dname);
		sf_jw_obj_end(w);
	} else {
		sf_jw_knull(w, "dept");
	}
	sf_jw_kint(w, "accept_days", cat->accept_days);
	sf_jw_kint(w, "handle_days", cat->handle_days);
	sf_jw_kint(w, "feedback_days", cat->feedback_days);
	sf_jw_kbool(w, "public", cat->public);
	sf_jw_kbool(w, "open311", cat->open311);
	sf_jw_kstr(w, "o311_type", cat->o311_type);
	sf_jw_kstr(w, "keywords", cat->keywords);
	sf_jw_kint(w, "sort", cat->sort);
	sf_jw_kbool(w, "active", cat->active);
	sf_jw_obj_end(w);
}

struct cat_list {
	struct sf_arena *arena;
	struct sf_category *items;
	size_t n, cap;
};

static int collect(const struct sf_category *cat, void *ctx)
{
	struct cat_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct sf_category *items = sf_arena_alloc(l->arena, cap * sizeof(*items));

		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n] = *cat;
	l->items[l->n].attributes = NULL; /* borrowed for the call only; not shown here */
	l->n++;
	return 0;
}

int sf_api_categories_list(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct cat_list l = { .arena = &req->arena };
	const char *all = sf_req_query(req, "all");
	bool everything = all && strcmp(all, "1") == 0 && req->who.role == SF_ROLE_ADMIN;
	char dname[128] = "";
	int64_t last_dept = -1;
	struct sf_jw w;
	int rc;

	if (all && strcmp(all, "1") != 0 && strcmp(all, "0") != 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "all", "all must be 0 or 1");
	rc = sf_store_category_each(c, !everything, false, false, collect, &l);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the catalogue");
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	for (size_t i = 0; i < l.n; i++) {
		if (l.items[i].dept_unit_id != last_dept) {
			last_dept = l.items[i].dept_unit_id;
			dept_name(c, last_dept, dname, sizeof(dname));
		}
		write_category(&w, &l.items[i], dname);
	}
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

/* Reply with the category id as stored now. */
static int reply_one(struct sf_req *req, int status, int64_t id)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_category cat;
	char dname[128];
	struct sf_jw w;
	int rc = sf_store_category_get(c, id, &cat);

	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "id", "no category %lld",
				   (long long)id);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the category");
	dept_name(c, cat.dept_unit_id, dname, sizeof(dname));
	sf_req_reply_json(req, status, &w);
	write_category(&w, &cat, dname);
	sf_category_release(&cat);
	return 0;
}

int sf_api_categories_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_one(req, 200, id);
}

int sf_api_categories_create(struct sf_req *req)
{
	struct sf_json *body = NULL;
	struct sf_category cat;
	struct sf_buf changed;
	int64_t id = 0;
	int rc = sf_req_json(req, create_spec, &body);

	if (rc)
		return rc;
	sf_buf_init(&changed, 512);
	memset(&cat, 0, sizeof(cat));
	cat.accept_days = 1;
	cat.handle_days = 5;
	cat.feedback_days = 2;
	cat.public = true;
	cat.active = true;
	snprintf(cat.o311_type, sizeof(cat.o311_type), "realtime");
	rc = apply(body, &cat, &changed, &req->err);
	if (!rc)
		rc = sf_catalog_save(sf_req_conn(req), &req->who, req->ip, &cat, true, NULL,
				     req->now, &id, &req->err);
	if (!rc)
		rc = reply_one(req, 201, id);
	sf_buf_release(&changed);
	sf_json_free(body);
	return rc;
}

int sf_api_categories_update(struct sf_req *req)
{
	struct sf_json *body = NULL;
	struct sf_category cat;
	struct sf_buf changed;
	struct sf_conn *c = sf_req_conn(req);
	int64_t id, out_id = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, patch_spec, &body);
	if (rc)
		return rc;
	sf_buf_init(&changed, 512);
	rc = sf_store_category_get(c, id, &cat);
	if (rc == SF_ENOTFOUND) {
		rc = sf_req_fail(req, SF_ENOTFOUND, "not_found", "id", "no category %lld",
				 (long long)id);
		goto out;
	}
	if (rc) {
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the category");
		goto out;
	}
	rc = apply(body, &cat, &changed, &req->err);
	if (!rc && changed.len == 0)
		goto reply; /* nothing changed: nothing to write or audit */
	if (!rc)
		rc = sf_catalog_save(c, &req->who, req->ip, &cat, false, changed.data, req->now,
				     &out_id, &req->err);
reply:
	if (!rc)
		rc = reply_one(req, 200, id);
out:
	sf_category_release(&cat);
	sf_buf_release(&changed);
	sf_json_free(body);
	return rc;
}

static void write_public(struct sf_jw *w, const struct sf_category *cat)
{
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "code", cat->code);
	sf_jw_kstr(w, "name", cat->name_zh);
	sf_jw_kstr(w, "name_en", cat->name_en);
	sf_jw_kstr(w, "group", cat->grp);
	sf_jw_kstr(w, "description", cat->description);
	sf_jw_kint(w, "handle_days", cat->handle_days);
	sf_jw_obj_end(w);
}

static int public_one(const struct sf_category *cat, void *ctx)
{
	write_public(ctx, cat);
	return 0;
}

int sf_api_public_categories(struct sf_req *req)
{
	struct sf_jw w;
	int rc;

	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_category_each(sf_req_conn(req), true, true, false, public_one, &w);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the catalogue");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	req->cache_control = "public, max-age=300";
	return 0;
}

/* The service catalogue (store and API checks), the administration
 * handlers (called directly with a hand-built request) and the dashboard
 * counts, on a temporary SQLite database opened as `serve` opens it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/admin.h"
#include "api/app.h"
#include "api/catalog.h"
#include "api/stats.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/order.h"
#include "store/stats.h"
#include "store/unit.h"
#include "util/timefmt.h"

#include "tmpdb.h"

struct fixture {
	struct sf_app app;
	char db[64];
	char key[64];
	int64_t sub, dept1, dept2, comm, grid; /* units */
};

static int64_t add_unit(struct sf_conn *c, int64_t parent, const char *kind, const char *code,
			const char *name)
{
	struct sf_unit u;
	int64_t id = 0;

	memset(&u, 0, sizeof(u));
	u.parent_id = parent;
	snprintf(u.kind, sizeof(u.kind), "%s", kind);
	snprintf(u.code, sizeof(u.code), "%s", code);
	snprintf(u.name_zh, sizeof(u.name_zh), "%s", name);
	assert_int_equal(sf_store_unit_insert(c, &u, 1000, &id), 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sf_error err = { 0 };
	struct sf_conn *c;

	sf_config_defaults(&fx->app.cfg);
	tmpdb_new_path(fx->db, sizeof(fx->db), "cattest");
	tmpdb_new_path(fx->key, sizeof(fx->key), "catkey");
	snprintf(fx->app.cfg.db, sizeof(fx->app.cfg.db), "%s", fx->db);
	snprintf(fx->app.cfg.key_file, sizeof(fx->app.cfg.key_file), "%s", fx->key);
	snprintf(fx->app.cfg.data_dir, sizeof(fx->app.cfg.data_dir), "data");
	fx->app.cfg.fast_hash = true;
	fx->app.cfg.threads = 2;
	if (sf_app_open(&fx->app, &err) != 0) {
		fprintf(stderr, "sf_app_open: %s\n", err.message);
		return -1;
	}
	c = sf_db_get(fx->app.db);
	fx->sub = add_unit(c, 0, "subdistrict", "CQ", "仓前街道");
	fx->dept1 = add_unit(c, fx->sub, "department", "D1", "城管科");
	fx->dept2 = add_unit(c, fx->sub, "department", "D2", "经发科");
	fx->comm = add_unit(c, fx->sub, "community", "C1", "仓前社区");
	fx->grid = add_unit(c, fx->comm, "grid", "G1", "一网格");
	sf_db_put(fx->app.db, c);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	sf_app_close(&fx->app);
	tmpdb_remove(fx->db);
	unlink(fx->key);
	free(fx);
	return 0;
}

static void fill(struct sf_category *cat, const char *code, int64_t sort)
{
	memset(cat, 0, sizeof(*cat));
	snprintf(cat->code, sizeof(cat->code), "%s", code);
	snprintf(cat->name_zh, sizeof(cat->name_zh), "类别%s", code);
	snprintf(cat->name_en, sizeof(cat->name_en), "Category %s", code);
	snprintf(cat->o311_type, sizeof(cat->o311_type), "realtime");
	cat->accept_days = 1;
	cat->handle_days = 5;
	cat->feedback_days = 2;
	cat->public = true;
	cat->active = true;
	cat->sort = sort;
}

static int64_t count(struct sf_conn *c, const char *table)
{
	int64_t n = -1;

	if (strcmp(table, "categories") == 0)
		assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM categories", ""), 0);
	else if (strcmp(table, "audit_log") == 0)
		assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM audit_log", ""), 0);
	else if (strcmp(table, "users") == 0)
		assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM users", ""), 0);
	else if (strcmp(table, "units") == 0)
		assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM units", ""), 0);
	return n;
}

/* ---- the store ---- */

struct seen {
	char codes[16][48];
	int n;
};

static int note(const struct sf_category *cat, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 16)
		snprintf(s->codes[s->n++], 48, "%s", cat->code);
	return 0;
}

static void category_store(void **state)
{
	struct fixture *fx = *state;
	struct sf_conn *c = sf_db_get(fx->app.db);
	struct sf_category cat, got;
	struct seen s;
	int64_t id1 = 0, id2 = 0, id3 = 0, again = 0;

	fill(&cat, "road", 20);
	cat.dept_unit_id = fx->dept1;
	cat.attributes = (char *)"[{\"code\":\"where\"}]";
	assert_int_equal(sf_store_category_upsert(c, &cat, 100, &id1), 0);
	fill(&cat, "noise", 10);
	cat.public = false;
	assert_int_equal(sf_store_category_upsert(c, &cat, 100, &id2), 0);
	fill(&cat, "old", 10);
	cat.active = false;
	cat.open311 = true;
	assert_int_equal(sf_store_category_upsert(c, &cat, 100, &id3), 0);
	assert_true(id1 > 0 && id2 > id1 && id3 > id2);

	assert_int_equal(sf_store_category_get(c, id1, &got), 0);
	assert_string_equal(got.code, "road");
	assert_string_equal(got.name_zh, "类别road");
	assert_int_equal(got.dept_unit_id, fx->dept1);
	assert_non_null(got.attributes);
	assert_string_equal(got.attributes, "[{\"code\":\"where\"}]");
	sf_category_release(&got);
	assert_null(got.attributes);

	/* Upsert by code updates the same row. */
	fill(&cat, "road", 20);
	cat.handle_days = 9;
	assert_int_equal(sf_store_category_upsert(c, &cat, 200, &again), 0);
	assert_int_equal(again, id1);
	assert_int_equal(sf_store_category_by_code(c, "road", &got), 0);
	assert_int_equal(got.handle_days, 9);
	assert_int_equal(got.dept_unit_id, 0);
	assert_null(got.attributes);
	sf_category_release(&got);
	assert_int_equal(sf_store_category_by_code(c, "nope", &got), SF_ENOTFOUND);
	assert_int_equal(sf_store_category_get(c, 999999, &got), SF_ENOTFOUND);

	/* An unknown department is refused and nothing is written. */
	fill(&cat, "ghost", 1);
	cat.dept_unit_id = 424242;
	assert_int_equal(sf_store_category_upsert(c, &cat, 100, &again), SF_EINVAL);
	assert_int_equal(count(c, "categories"), 3);

	/* Catalogue order is (sort, id); the filters apply. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(sf_store_category_each(c, false, false, false, note, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.codes[0], "noise");
	assert_string_equal(s.codes[1], "old");
	assert_string_equal(s.codes[2], "road");
	memset(&s, 0, sizeof(s));
	assert_int_equal(sf_store_category_each(c, true, false, false, note, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.codes[0], "noise");
	memset(&s, 0, sizeof(s));
	assert_int_equal(sf_store_category_each(c, true, true, false, note, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.codes[0], "road");
	memset(&s, 0, sizeof(s));
	assert_int_equal(sf_store_category_each(c, false, false, true, note, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.codes[0], "old");
	sf_db_put(fx->app.db, c);
}

/* ---- the API-level checks ---- */

static void catalog_save(void **state)
{
	struct fixture *fx = *state;
	struct sf_conn *c = sf_db_get(fx->app.db);
	struct sf_principal who = { .user_id = 0, .role = SF_ROLE_ADMIN, .name = "测试" };
	struct sf_error err = { 0 };
	struct sf_category cat, got;
	int64_t id = 0, id2 = 0, cats, audits;

	fill(&cat, "lamp", 1);
	cat.dept_unit_id = fx->dept1;
	assert_int_equal(sf_catalog_save(c, &who, "127.0.0.1", &cat, true, NULL, 500, &id, &err),
			 0);
	assert_true(id > 0);
	cats = count(c, "categories");
	audits = count(c, "audit_log");

	/* Duplicate code: 409 and nothing written. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sf_catalog_save(c, &who, NULL, &cat, true, NULL, 500, &id2, &err),
			 SF_ECONFLICT);
	assert_string_equal(err.code, "duplicate_code");
	assert_string_equal(err.field, "code");

	/* Each bad field is named. */
	fill(&cat, "bad code!", 1);
	assert_int_equal(sf_catalog_save(c, &who, NULL, &cat, true, NULL, 500, &id2, &err),
			 SF_EINVAL);
	assert_string_equal(err.field, "code");
	fill(&cat, "x", 1);
	cat.handle_days = 0;
	assert_int_equal(sf_catalog_check(c, &cat, &err), SF_EINVAL);
	assert_string_equal(err.field, "handle_days");
	fill(&cat, "x", 1);
	cat.accept_days = 61;
	assert_int_equal(sf_catalog_check(c, &cat, &err), SF_EINVAL);
	assert_string_equal(err.field, "accept_days");
	fill(&cat, "x", 1);
	snprintf(cat.name_en, sizeof(cat.name_en), "  ");
	assert_int_equal(sf_catalog_check(c, &cat, &err), SF_EINVAL);
	assert_string_equal(err.field, "name_en");
	fill(&cat, "x", 1);
	cat.dept_unit_id = fx->comm; /* a community is not a department */
	assert_int_equal(sf_catalog_check(c, &cat, &err), SF_EINVAL);
	assert_string_equal(err.field, "dept_id");
	fill(&cat, "x", 1);
	snprintf(cat.o311_type, sizeof(cat.o311_type), "later");
	assert_int_equal(sf_catalog_check(c, &cat, &err), SF_EINVAL);
	assert_string_equal(err.field, "o311_type");

	/* An update may not change the code. */
	assert_int_equal(sf_store_category_get(c, id, &got), 0);
	snprintf(got.code, sizeof(got.code), "lamp2");
	assert_int_equal(sf_catalog_save(c, &who, NULL, &got, false, "code", 500, &id2, &err),
			 SF_EINVAL);
	assert_string_equal(err.code, "immutable_field");
	sf_category_release(&got);
	assert_int_equal(count(c, "categories"), cats);
	assert_int_equal(count(c, "audit_log"), audits);

	/* A good update writes one audit entry. */
	assert_int_equal(sf_store_category_get(c, id, &got), 0);
	got.handle_days = 7;
	assert_int_equal(
		sf_catalog_save(c, &who, NULL, &got, false, "handle_days", 600, &id2, &err), 0);
	assert_int_equal(id2, id);
	sf_category_release(&got);
	assert_int_equal(count(c, "audit_log"), audits + 1);
	assert_int_equal(count(c, "categories"), cats);
	sf_db_put(fx->app.db, c);
}

/* ---- handlers called with a hand-built request ---- */

struct call {
	struct sf_req req;
	int status;
};

static void call_run(struct fixture *fx, struct call *k, int (*h)(struct sf_req *),
		     const char *method, const char *body, const char *param, enum sf_role role)
{
	struct sf_req *req = &k->req;
	int rc;

	memset(k, 0, sizeof(*k));
	sf_arena_init(&req->arena);
	sf_buf_init(&req->out, 0);
	req->app = &fx->app;
	req->now = 1767225600 + 86400 * 40; /* 2026-02-10 */
	req->method = method;
	req->body = body;
	req->body_len = body ? strlen(body) : 0;
	req->content_type = body ? "application/json" : NULL;
	req->ip = "127.0.0.1";
	if (param) {
		req->params[0] = param;
		req->nparams = 1;
	}
	req->who.user_id = 999; /* not one of the users the test adds */
	req->who.role = role;
	snprintf(req->who.name, sizeof(req->who.name), "管理员");
	rc = h(req);
	sf_req_release(req);
	if (rc || req->err.rc) {
		k->status = sf_err_http_status(req->err.rc ? req->err.rc : rc);
		sf_req_render_error(req);
	} else {
		k->status = req->status;
	}
}

static void call_done(struct call *k)
{
	sf_buf_release(&k->req.out);
	sf_arena_release(&k->req.arena);
}

static void admin_handlers(void **state)
{
	struct fixture *fx = *state;
	struct sf_conn *c;
	struct call k;
	char body[512], idtext[24];
	int64_t cats, users, audits, uid;

	c = sf_db_get(fx->app.db);
	cats = count(c, "categories");
	audits = count(c, "audit_log");
	sf_db_put(fx->app.db, c);

	snprintf(body, sizeof(body),
		 "{\"code\":\"park\",\"name\":\"停车\",\"name_en\":\"Parking\",\"dept_id\":%lld,"
		 "\"handle_days\":3}",
		 (long long)fx->dept2);
	call_run(fx, &k, sf_api_categories_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 201);
	assert_non_null(strstr(k.req.out.data, "\"dept\":{\"id\":"));
	assert_non_null(strstr(k.req.out.data, "经发科"));
	assert_non_null(strstr(k.req.out.data, "\"handle_days\":3"));
	call_done(&k);

	/* The same code again, an unknown field, a wrong type: refused, nothing written. */
	call_run(fx, &k, sf_api_categories_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 409);
	assert_non_null(strstr(k.req.out.data, "duplicate_code"));
	call_done(&k);
	call_run(fx, &k, sf_api_categories_create, "POST",
		 "{\"code\":\"p2\",\"name\":\"a\",\"name_en\":\"b\",\"colour\":1}", NULL,
		 SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	assert_non_null(strstr(k.req.out.data, "\"field\":\"colour\""));
	call_done(&k);
	call_run(fx, &k, sf_api_categories_create, "POST",
		 "{\"code\":\"p2\",\"name\":\"a\",\"name_en\":\"b\",\"handle_days\":\"3\"}", NULL,
		 SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	call_done(&k);
	call_run(fx, &k, sf_api_categories_create, "POST",
		 "{\"code\":\"p2\",\"name\":\"a\",\"name_en\":\"b\",\"dept_id\":999}", NULL,
		 SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	assert_non_null(strstr(k.req.out.data, "\"field\":\"dept_id\""));
	call_done(&k);
	c = sf_db_get(fx->app.db);
	assert_int_equal(count(c, "categories"), cats + 1);
	assert_int_equal(count(c, "audit_log"), audits + 1);
	sf_db_put(fx->app.db, c);

	/* PATCH: a subset; clearing the department with null. */
	call_run(fx, &k, sf_api_categories_list, "GET", NULL, NULL, SF_ROLE_GRID);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"code\":\"park\""));
	call_done(&k);
	c = sf_db_get(fx->app.db);
	{
		struct sf_category cat;

		assert_int_equal(sf_store_category_by_code(c, "park", &cat), 0);
		snprintf(idtext, sizeof(idtext), "%lld", (long long)cat.id);
		sf_category_release(&cat);
	}
	sf_db_put(fx->app.db, c);
	call_run(fx, &k, sf_api_categories_update, "PATCH", "{\"dept_id\":null,\"active\":false}",
		 idtext, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"dept\":null"));
	assert_non_null(strstr(k.req.out.data, "\"active\":false"));
	call_done(&k);
	call_run(fx, &k, sf_api_categories_update, "PATCH", "{\"nme\":\"x\"}", idtext,
		 SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	call_done(&k);
	call_run(fx, &k, sf_api_categories_update, "PATCH", "{\"name\":\"x\"}", "987654",
		 SF_ROLE_ADMIN);
	assert_int_equal(k.status, 404);
	call_done(&k);

	/* Users: phone sealed and shown masked, no hash in the output. */
	c = sf_db_get(fx->app.db);
	users = count(c, "users");
	sf_db_put(fx->app.db, c);
	snprintf(body, sizeof(body),
		 "{\"login\":\"zhang.san\",\"name\":\"张三\",\"role\":\"dept\",\"unit_id\":%lld,"
		 "\"password\":\"Secret123\",\"phone\":\"138 0013 8000\"}",
		 (long long)fx->dept1);
	call_run(fx, &k, sf_api_users_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 201);
	assert_non_null(strstr(k.req.out.data, "\"phone\":\"138****8000\""));
	assert_null(strstr(k.req.out.data, "13800138000"));
	assert_null(strstr(k.req.out.data, "argon"));
	assert_non_null(strstr(k.req.out.data, "城管科"));
	call_done(&k);
	call_run(fx, &k, sf_api_users_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 409);
	call_done(&k);
	call_run(fx, &k, sf_api_users_create, "POST",
		 "{\"login\":\"li.si\",\"name\":\"李四\",\"role\":\"dept\","
		 "\"password\":\"Secret123\"}",
		 NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400); /* dept staff need a unit */
	assert_non_null(strstr(k.req.out.data, "\"field\":\"unit_id\""));
	call_done(&k);
	call_run(fx, &k, sf_api_users_create, "POST",
		 "{\"login\":\"li.si\",\"name\":\"李四\",\"role\":\"system\","
		 "\"password\":\"Secret123\"}",
		 NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	call_done(&k);
	call_run(fx, &k, sf_api_users_create, "POST",
		 "{\"login\":\"li.si\",\"name\":\"李四\",\"role\":\"leader\","
		 "\"password\":\"short\"}",
		 NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	call_done(&k);
	c = sf_db_get(fx->app.db);
	assert_int_equal(count(c, "users"), users + 1);
	assert_int_equal(sf_conn_int(c, &uid, "SELECT id FROM users WHERE login = 'zhang.san'", ""),
			 0);
	sf_db_put(fx->app.db, c);

	call_run(fx, &k, sf_api_users_list, "GET", NULL, NULL, SF_ROLE_LEADER);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"login\":\"zhang.san\""));
	assert_non_null(strstr(k.req.out.data, "\"total\":1"));
	assert_null(strstr(k.req.out.data, "pw_hash"));
	call_done(&k);

	snprintf(idtext, sizeof(idtext), "%lld", (long long)uid);
	call_run(fx, &k, sf_api_users_update, "PATCH", "{\"disabled\":true,\"title\":\"科长\"}",
		 idtext, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"disabled\":true"));
	assert_non_null(strstr(k.req.out.data, "\"title\":\"科长\""));
	call_done(&k);
	call_run(fx, &k, sf_api_users_update, "PATCH", "{\"unit_id\":4242}", idtext, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	assert_non_null(strstr(k.req.out.data, "\"field\":\"unit_id\""));
	call_done(&k);

	/* Units: duplicate code, unknown parent. */
	snprintf(body, sizeof(body),
		 "{\"kind\":\"grid\",\"parent_id\":%lld,\"code\":\"G2\",\"name\":\"二网格\"}",
		 (long long)fx->comm);
	call_run(fx, &k, sf_api_units_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 201);
	call_done(&k);
	call_run(fx, &k, sf_api_units_create, "POST", body, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 409);
	call_done(&k);
	call_run(fx, &k, sf_api_units_create, "POST",
		 "{\"kind\":\"grid\",\"parent_id\":9999,\"code\":\"G3\","
		 "\"name\":\"三网格\"}",
		 NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 400);
	assert_non_null(strstr(k.req.out.data, "\"field\":\"parent_id\""));
	call_done(&k);
	call_run(fx, &k, sf_api_units_list, "GET", NULL, NULL, SF_ROLE_RESIDENT);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"code\":\"G2\""));
	call_done(&k);
	c = sf_db_get(fx->app.db);
	assert_int_equal(count(c, "units"), 6);
	sf_db_put(fx->app.db, c);
}

/* ---- the dashboard counts ---- */

struct o {
	const char *state;
	int64_t dept, area;
	int64_t created, resolved;
	int rot, aot; /* -1 = NULL */
	const char *rating;
	int overdue, problem;
	int64_t deadline;
};

static void insert_order(struct sf_conn *c, int64_t cat, int n, const struct o *o)
{
	char code[32];
	int64_t id = 0;
	int rc;

	snprintf(code, sizeof(code), "T%04d", n);
	rc = sf_conn_run(
		c,
		"INSERT INTO orders(code, title, description, category_id, channel, state, "
		"requester_kind, dept_unit_id, area_unit_id, created_at, updated_at, "
		"stage_start, resolved_at, resolved_on_time, accepted_on_time, rating, "
		"overdue, problem, deadline) VALUES (?, '标题', '描述', ?, 'phone', ?, "
		"'person', ?, ?, ?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), ?, ?, ?, ?)",
		"siszziiiziisddz", code, cat, o->state, o->dept, o->area, o->created, o->created,
		o->created, o->resolved, (int64_t)o->rot, (int64_t)o->aot, o->rating, o->overdue,
		o->problem, o->deadline);
	assert_int_equal(rc, 1);
	/* Written behind the store's back: count it as sanfu gen does. */
	assert_int_equal(sf_conn_int(c, &id, "SELECT MAX(id) FROM orders", ""), 0);
	assert_int_equal(sf_store_order_counts_add_range(c, id, id), 0);
}

struct od {
	int64_t ids[8];
	int n;
};

static int note_overdue(const struct sf_stats_overdue *o, void *ctx)
{
	struct od *d = ctx;

	if (d->n < 8)
		d->ids[d->n++] = o->id;
	return 0;
}

static void dashboard_counts(void **state)
{
	struct fixture *fx = *state;
	struct sf_conn *c = sf_db_get(fx->app.db);
	struct sf_category cat;
	struct sf_stats_filter f;
	struct sf_stats_group t;
	struct sf_stats_report r;
	struct od d;
	int64_t cat_id = 0, created[3], resolved[3];
	const int64_t day = 86400, t0 = 1767225600; /* 2026-01-01 00:00 +08:00 */
	const struct o orders[] = {
		/* state, dept, area, created, resolved, rot, aot, rating, overdue, problem,
		 * deadline */
		{ "submitted", 0, fx->comm, t0, 0, -1, -1, NULL, 1, 0, t0 + 3 * day },
		{ "in_progress", fx->dept1, fx->grid, t0 + day, 0, -1, 1, NULL, 1, 1,
		  t0 + 2 * day },
		{ "in_progress", fx->dept1, fx->comm, t0 + day, 0, -1, 0, NULL, 0, 0, 0 },
		{ "resolved", fx->dept1, 0, t0 + 2 * day, t0 + 8 * day, 1, 1, NULL, 0, 0, 0 },
		{ "feedback", fx->dept2, 0, t0 + 2 * day, t0 + 9 * day, 1, 1, "satisfied", 0, 0,
		  0 },
		{ "closed", fx->dept2, fx->comm, t0 + 3 * day, t0 + 4 * day, 0, 1, "basic", 1, 0,
		  t0 },
		{ "closed", fx->dept1, 0, t0 + 8 * day, t0 + 9 * day, 1, 1, "unsatisfied", 0, 0,
		  0 },
		{ "rejected", 0, 0, t0 + 9 * day, 0, -1, 0, NULL, 0, 0, 0 },
		{ "reopened", fx->dept2, 0, t0 + 9 * day, 0, -1, 1, NULL, 0, 1, 0 },
	};

	fill(&cat, "stats", 1);
	assert_int_equal(sf_store_category_upsert(c, &cat, 100, &cat_id), 0);
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		insert_order(c, cat_id, (int)i, &orders[i]);

	sf_store_stats_filter_init(&f);
	assert_int_equal(sf_store_stats_totals(c, &f, &t), 0);
	assert_int_equal(t.count, 9);
	assert_int_equal(t.solved, 4);          /* resolved, feedback, closed x2 */
	assert_int_equal(t.open, 4);            /* submitted, in_progress x2, reopened */
	assert_int_equal(t.resolved_judged, 4); /* rot not NULL */
	assert_int_equal(t.resolved_on_time, 3);
	assert_int_equal(t.accepted_judged, 8);
	assert_int_equal(t.accepted_on_time, 6);
	assert_int_equal(t.rated, 3);
	assert_int_equal(t.satisfied, 2);
	assert_int_equal(t.overdue, 2); /* the closed one no longer counts */
	assert_int_equal(t.problem, 2);

	/* The report sums one GROUP BY into every breakdown. */
	assert_int_equal(sf_store_stats_report(c, &f, &r), 0);
	assert_int_equal(r.totals.count, 9);
	assert_int_equal(r.totals.solved, 4);
	assert_int_equal(r.totals.open, 4);
	assert_int_equal(r.totals.resolved_on_time, 3);
	assert_int_equal(r.totals.resolved_judged, 4);
	assert_int_equal(r.totals.accepted_on_time, 6);
	assert_int_equal(r.totals.accepted_judged, 8);
	assert_int_equal(r.totals.satisfied, 2);
	assert_int_equal(r.totals.rated, 3);
	assert_int_equal(r.totals.overdue, 2);
	assert_int_equal(r.totals.problem, 2);
	assert_int_equal(r.by_state[SF_ORDER_SUBMITTED].count, 1);
	assert_int_equal(r.by_state[SF_ORDER_IN_PROGRESS].count, 2);
	assert_int_equal(r.by_state[SF_ORDER_RESOLVED].count, 1);
	assert_int_equal(r.by_state[SF_ORDER_CLOSED].count, 2);
	assert_int_equal(r.by_state[SF_ORDER_REJECTED].count, 1);
	assert_int_equal(r.by_state[SF_ORDER_FEEDBACK].count, 1);
	assert_int_equal(r.by_state[SF_ORDER_REOPENED].count, 1);
	assert_int_equal(r.by_state[SF_ORDER_MERGED].count, 0);
	assert_string_equal(r.by_state[SF_ORDER_MERGED].state, "merged");
	assert_int_equal(r.n_category, 1);
	assert_string_equal(r.by_category[0].code, "stats");
	assert_int_equal(r.by_category[0].count, 9);
	/* By handling unit, largest first: dept1 4, dept2 3, none 2. */
	assert_int_equal(r.n_dept, 3);
	assert_int_equal(r.by_dept[0].key, fx->dept1);
	assert_string_equal(r.by_dept[0].name, "城管科");
	assert_int_equal(r.by_dept[0].count, 4);
	assert_int_equal(r.by_dept[0].open, 2);
	assert_int_equal(r.by_dept[0].overdue, 1);
	assert_int_equal(r.by_dept[1].key, fx->dept2);
	assert_int_equal(r.by_dept[1].count, 3);
	assert_int_equal(r.by_dept[2].key, 0);
	assert_int_equal(r.by_dept[2].count, 2);
	/* By area: none 5, comm 3, grid 1. */
	assert_int_equal(r.n_area, 3);
	assert_int_equal(r.by_area[0].key, 0);
	assert_int_equal(r.by_area[0].count, 5);
	assert_int_equal(r.by_area[1].key, fx->comm);
	assert_int_equal(r.by_area[1].count, 3);
	assert_string_equal(r.by_area[1].name, "仓前社区");
	sf_store_stats_report_release(&r);

	/* The same with a range given (the other SQL). */
	f.from = t0;
	f.to = t0 + 30 * day;
	assert_int_equal(sf_store_stats_report(c, &f, &r), 0);
	assert_int_equal(r.totals.count, 9);
	assert_int_equal(r.by_state[SF_ORDER_CLOSED].count, 2);
	assert_int_equal(r.n_area, 3);
	sf_store_stats_report_release(&r);
	f.from = t0 + 9 * day;
	assert_int_equal(sf_store_stats_report(c, &f, &r), 0);
	assert_int_equal(r.totals.count, 2);
	assert_int_equal(r.totals.open, 1);
	sf_store_stats_report_release(&r);

	/* A created_at range. */
	sf_store_stats_filter_init(&f);
	f.from = t0 + 2 * day;
	f.to = t0 + 8 * day;
	assert_int_equal(sf_store_stats_totals(c, &f, &t), 0);
	assert_int_equal(t.count, 4);

	/* Scope: a department sees what its subtree handles ... */
	sf_store_stats_filter_init(&f);
	f.scope = SF_STATS_DEPT;
	{
		struct sf_unit u;

		assert_int_equal(sf_store_unit_get(c, fx->dept1, &u), 0);
		f.unit_path = strdup(u.path);
	}
	assert_int_equal(sf_store_stats_totals(c, &f, &t), 0);
	assert_int_equal(t.count, 4);
	assert_int_equal(sf_store_stats_report(c, &f, &r), 0);
	assert_int_equal(r.totals.count, 4);
	assert_int_equal(r.n_dept, 1);
	sf_store_stats_report_release(&r);
	free((void *)f.unit_path);
	/* ... a community what happened in its area or it handles ... */
	{
		struct sf_unit u;

		assert_int_equal(sf_store_unit_get(c, fx->comm, &u), 0);
		f.scope = SF_STATS_AREA;
		f.unit_path = strdup(u.path);
	}
	assert_int_equal(sf_store_stats_totals(c, &f, &t), 0);
	assert_int_equal(t.count, 4); /* the comm and grid areas */
	free((void *)f.unit_path);
	/* ... and a scoped person without a unit sees nothing. */
	f.unit_path = "";
	assert_int_equal(sf_store_stats_totals(c, &f, &t), 0);
	assert_int_equal(t.count, 0);
	assert_int_equal(sf_store_stats_report(c, &f, &r), 0);
	assert_int_equal(r.totals.count, 0);
	assert_int_equal(r.n_dept, 0);
	sf_store_stats_report_release(&r);

	/* Weekly buckets of created and resolved. */
	sf_store_stats_filter_init(&f);
	assert_int_equal(sf_store_stats_buckets(c, &f, t0, 7 * day, 3, created, resolved), 0);
	assert_int_equal(created[0], 6);
	assert_int_equal(created[1], 3);
	assert_int_equal(created[2], 0);
	assert_int_equal(resolved[0], 1);
	assert_int_equal(resolved[1], 3);
	assert_int_equal(resolved[2], 0);

	/* Open overdue orders, earliest deadline first. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(sf_store_stats_overdue_list(c, &f, 20, note_overdue, &d), 0);
	assert_int_equal(d.n, 2);
	assert_true(d.ids[0] > 0);
	assert_true(d.ids[1] == d.ids[0] - 1); /* deadline t0+2d (second row) before t0+3d */
	memset(&d, 0, sizeof(d));
	assert_int_equal(sf_store_stats_overdue_list(c, &f, 1, note_overdue, &d), 0);
	assert_int_equal(d.n, 1);
	sf_db_put(fx->app.db, c);
}

static void dashboard_handler(void **state)
{
	struct fixture *fx = *state;
	struct call k;

	/* The orders of dashboard_counts are there (tests run in order). */
	call_run(fx, &k, sf_api_stats_overview, "GET", NULL, NULL, SF_ROLE_ADMIN);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"on_time_rate\":0.75"));
	assert_non_null(strstr(k.req.out.data, "\"satisfaction_rate\":0.6667"));
	assert_non_null(strstr(k.req.out.data, "\"accept_on_time_rate\":0.75"));
	assert_non_null(
		strstr(k.req.out.data, "\"totals\":{\"received\":9,\"solved\":4,\"open\":4}"));
	assert_non_null(strstr(k.req.out.data, "{\"state\":\"in_progress\",\"label\":\"办理中\","
					       "\"count\":2}"));
	assert_non_null(strstr(k.req.out.data, "\"weekly\":["));
	call_done(&k);

	/* A grid member without a unit path sees zero. */
	call_run(fx, &k, sf_api_stats_overview, "GET", NULL, NULL, SF_ROLE_GRID);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"totals\":{\"received\":0,"));
	assert_non_null(strstr(k.req.out.data, "\"on_time_rate\":null"));
	call_done(&k);

	call_run(fx, &k, sf_api_public_stats, "GET", NULL, NULL, SF_ROLE_PUBLIC);
	assert_int_equal(k.status, 200);
	assert_non_null(strstr(k.req.out.data, "\"by_month\":["));
	assert_non_null(strstr(k.req.out.data, "\"month\":\"2026-02\""));
	assert_null(strstr(k.req.out.data, "标题"));
	call_done(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(category_store),    cmocka_unit_test(catalog_save),
		cmocka_unit_test(admin_handlers),    cmocka_unit_test(dashboard_counts),
		cmocka_unit_test(dashboard_handler),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

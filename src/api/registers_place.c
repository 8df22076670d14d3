/* Places (buildings 楼宇, parks 园区, residential estates 小区) and village
 * groups (村民小组) over HTTP. Places are public facts every staff member
 * may read; an admin archives and restores them. Village groups are units
 * of the organisation tree with their own facts (group head, households,
 * population). */
#include "api/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"

static const char *const place_kinds[] = { "building", "park", "estate" };
static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const grid_kinds[] = { "grid", "workstation", NULL };
static const char *const village_kinds[] = { "village", NULL };

static bool place_kind_ok(const char *k)
{
	for (size_t i = 0; i < sizeof(place_kinds) / sizeof(place_kinds[0]); i++)
		if (k && !strcmp(k, place_kinds[i]))
			return true;
	return false;
}

static void write_place(struct sf_jw *w, const struct sf_place *p)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", p->id);
	sf_jw_kstr(w, "kind", p->kind);
	sf_jw_kstr(w, "name", p->name);
	sf_jw_kstr(w, "address", p->address);
	sf_regapi_kref(w, "unit", p->unit_id, p->unit_name);
	sf_regapi_kref(w, "grid", p->grid_unit_id, p->grid_name);
	sf_jw_kstr(w, "operator", p->operator_name);
	sf_jw_kint(w, "floors", p->floors);
	sf_jw_kint(w, "area_m2", p->area_m2);
	sf_jw_kstr(w, "notes", p->notes);
	sf_jw_kint(w, "enterprises", p->enterprises);
	sf_jw_kint(w, "households", p->households);
	sf_jw_ktime(w, "last_visit_at", p->last_visit_at);
	sf_regapi_karchived(w, &p->archived);
	sf_jw_obj_end(w);
}

static int list_place(const struct sf_place *p, void *ctx)
{
	write_place(ctx, p);
	return 0;
}

int sf_api_places_list(struct sf_req *req)
{
	const char *kind = sf_req_query(req, "kind");
	const char *q = sf_req_query(req, "q");
	char unit_path[128];
	struct sf_jw w;
	int limit, archived, rc;

	if (kind && *kind && !place_kind_ok(kind))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "kind",
				   "kind must be building, park or estate");
	rc = sf_regapi_text(q, "q", 50, false, false, &req->err);
	if (!rc)
		rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));
	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (!rc)
		rc = sf_regapi_query_archived(req, &archived);
	if (rc)
		return rc;
	sf_regapi_items_begin(req, &w);
	rc = sf_store_place_each(sf_req_conn(req), kind && *kind ? kind : NULL,
				 unit_path[0] ? unit_path : NULL, q, archived, limit, list_place,
				 &w);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the places");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

/* A place by id; an archived one only for admin and leaders. */
static int load_place(struct sf_req *req, int64_t id, struct sf_place *p)
{
	int rc = sf_store_place_get(sf_req_conn(req), id, p);

	if (rc == SF_ENOTFOUND || (!rc && p->archived.at && !sf_regapi_sees_archived(&req->who)))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no place %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the place");
	return 0;
}

/* 409 for a name another place (perhaps archived) has. */
static int duplicate_name(struct sf_req *req, int64_t other)
{
	struct sf_place *o = sf_xmalloc(sizeof(*o));
	bool archived = sf_store_place_get(sf_req_conn(req), other, o) == 0 && o->archived.at;

	free(o);
	return sf_regapi_duplicate_fail(req, "duplicate_name", "name", "place", other, archived,
					"this name");
}

int sf_api_places_get(struct sf_req *req)
{
	struct sf_place p;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_place(req, id, &p);
	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	write_place(&w, &p);
	return 0;
}

static const struct sf_jfield create_spec[] = {
	{ "kind", SF_JT_STRING, true, 16, 0, 0 },
	{ "name", SF_JT_STRING, true, SF_REG_NAME_MAX, 0, 0 },
	{ "address", SF_JT_STRING, false, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "grid_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "operator", SF_JT_STRING, false, SF_REG_NAME_MAX, 0, 0 },
	{ "floors", SF_JT_INT, false, 0, 0, 200 },
	{ "area_m2", SF_JT_INT, false, 0, 0, 100000000 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static const struct sf_jfield update_spec[] = {
	{ "kind", SF_JT_STRING, false, 16, 0, 0 },
	{ "name", SF_JT_STRING, false, SF_REG_NAME_MAX, 0, 0 },
	{ "address", SF_JT_STRING, false, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "grid_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "operator", SF_JT_STRING, false, SF_REG_NAME_MAX, 0, 0 },
	{ "floors", SF_JT_INT, false, 0, 0, 200 },
	{ "area_m2", SF_JT_INT, false, 0, 0, 100000000 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static void copy_str(const struct sf_json *b, const char *key, char *dst, size_t cap)
{
	const char *s = sf_json_str(b, key);

	if (s || sf_json_has(b, key))
		snprintf(dst, cap, "%s", s ? s : "");
}

static int apply_place(struct sf_req *req, const struct sf_json *b, struct sf_place *p)
{
	struct sf_unit u;
	int rc;

	copy_str(b, "kind", p->kind, sizeof(p->kind));
	copy_str(b, "name", p->name, sizeof(p->name));
	copy_str(b, "address", p->address, sizeof(p->address));
	copy_str(b, "operator", p->operator_name, sizeof(p->operator_name));
	copy_str(b, "notes", p->notes, sizeof(p->notes));
	sf_json_int(b, "unit_id", &p->unit_id);
	sf_json_int(b, "grid_unit_id", &p->grid_unit_id);
	sf_json_int(b, "floors", &p->floors);
	sf_json_int(b, "area_m2", &p->area_m2);
	if (!place_kind_ok(p->kind))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "kind",
				   "kind must be building, park or estate");
	rc = sf_regapi_text(p->name, "name", SF_REG_NAME_MAX, true, false, &req->err);
	if (!rc)
		rc = sf_regapi_text(p->address, "address", SF_REG_ADDRESS_MAX, false, false,
				    &req->err);
	if (!rc)
		rc = sf_regapi_text(p->operator_name, "operator", SF_REG_NAME_MAX, false, false,
				    &req->err);
	if (!rc)
		rc = sf_regapi_text(p->notes, "notes", SF_REG_NOTES_MAX, false, true, &req->err);
	if (!rc && p->unit_id)
		rc = sf_regapi_unit(sf_req_conn(req), p->unit_id, "unit_id", area_kinds, &u,
				    &req->err);
	if (!rc && p->grid_unit_id)
		rc = sf_regapi_unit(sf_req_conn(req), p->grid_unit_id, "grid_unit_id", grid_kinds,
				    &u, &req->err);
	return rc;
}

int sf_api_places_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_place p;
	struct sf_jw w;
	int64_t id = 0;
	int rc = sf_req_json(req, create_spec, &b);

	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	rc = apply_place(req, b, &p);
	if (rc)
		goto out;
	if (sf_store_place_id_by_name(c, p.name, &id) == 0) {
		rc = duplicate_name(req, id);
		goto out;
	}
	rc = sf_store_place_insert(c, &p, req->now, &id);
	if (!rc)
		rc = sf_store_place_get(c, id, &p);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "name", "cannot save the place");
		goto out;
	}
	sf_req_reply_json(req, 201, &w);
	write_place(&w, &p);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_places_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_place p;
	struct sf_jw w;
	int64_t id, other = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, update_spec, &b);
	if (rc)
		return rc;
	rc = load_place(req, id, &p);
	if (!rc && p.archived.at)
		rc = sf_regapi_archived_fail(req, "place", id);
	if (!rc)
		rc = apply_place(req, b, &p);
	if (rc)
		goto out;
	if (sf_store_place_id_by_name(c, p.name, &other) == 0 && other != id) {
		rc = duplicate_name(req, other);
		goto out;
	}
	rc = sf_store_place_update(c, &p, req->now);
	if (!rc)
		rc = sf_store_place_get(c, id, &p);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "name", "cannot save the place");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	write_place(&w, &p);
out:
	sf_json_free(b);
	return rc;
}

/* DELETE archives a place (admin): it leaves lists, exports and new visits;
 * the enterprises and households there keep their link. */
static int archive_http(struct sf_req *req, bool archive)
{
	struct sf_place p;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_place(req, id, &p);
	if (!rc)
		rc = sf_regapi_archive(req, "place", id, archive);
	if (!rc)
		rc = sf_store_place_get(sf_req_conn(req), id, &p);
	if (rc)
		return req->err.rc ? rc : sf_regapi_store_fail(req, rc, "", "cannot read it back");
	sf_req_reply_json(req, 200, &w);
	write_place(&w, &p);
	return 0;
}

int sf_api_places_archive(struct sf_req *req)
{
	return archive_http(req, true);
}

int sf_api_places_restore(struct sf_req *req)
{
	return archive_http(req, false);
}

/* ---- village groups ---- */

static void write_group(struct sf_jw *w, const struct sf_village_group *g)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", g->unit_id);
	sf_jw_kstr(w, "code", g->code);
	sf_jw_kstr(w, "name", g->name);
	sf_regapi_kref(w, "village", g->village_unit_id, g->village_name);
	sf_jw_kstr(w, "leader_name", g->leader_name);
	sf_jw_kint(w, "households", g->households);
	sf_jw_kint(w, "population", g->population);
	sf_jw_kstr(w, "notes", g->notes);
	sf_jw_ktime(w, "last_visit_at", g->last_visit_at);
	sf_jw_obj_end(w);
}

struct group_ctx {
	struct sf_jw *w;
	int64_t n, last;
};

static int list_group(const struct sf_village_group *g, void *vctx)
{
	struct group_ctx *ctx = vctx;

	write_group(ctx->w, g);
	ctx->n++;
	ctx->last = g->unit_id;
	return 0;
}

/* The list is every staff member's (a visit may be to any village group);
 * paged by unit id with `after` (limit 1..SF_PAGE_MAX, default the most:
 * a village's groups fit in one page), filtered by unit subtree, village
 * and name. */
int sf_api_village_groups_list(struct sf_req *req)
{
	struct sf_village_group_filter f = { 0 };
	const char *q = sf_req_query(req, "q");
	char unit_path[128];
	struct sf_jw w;
	struct group_ctx ctx = { &w, 0, 0 };
	int64_t total = 0, limit = SF_PAGE_MAX;
	int rc = sf_regapi_text(q, "q", 50, false, false, &req->err);

	if (!rc)
		rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));
	if (!rc)
		rc = sf_api_query_int(req, "village", 1, INT64_MAX, &f.village_unit_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "after", 0, INT64_MAX, &f.after_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "limit", 1, SF_PAGE_MAX, &limit, NULL);
	if (!rc && f.village_unit_id) {
		struct sf_unit village;

		rc = sf_regapi_unit(sf_req_conn(req), f.village_unit_id, "village", village_kinds,
				    &village, &req->err);
	}
	if (rc)
		return rc;
	f.unit_path = unit_path[0] ? unit_path : NULL;
	f.q = q;
	f.limit = (int)limit;
	rc = sf_store_village_group_count(sf_req_conn(req), &f, &total);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot count the village groups");
	sf_regapi_items_begin(req, &w);
	rc = sf_store_village_group_list(sf_req_conn(req), &f, list_group, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the village groups");
	sf_jw_arr_end(&w);
	sf_jw_kint(&w, "total", total);
	if (ctx.n == limit)
		sf_jw_kint(&w, "next", ctx.last);
	else
		sf_jw_knull(&w, "next");
	sf_jw_obj_end(&w);
	return 0;
}

/* One village group, as the list shows it to every staff member. */
int sf_api_village_groups_get(struct sf_req *req)
{
	struct sf_village_group g;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_store_village_group_get(sf_req_conn(req), id, &g);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no village group %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the village group");
	sf_req_reply_json(req, 200, &w);
	write_group(&w, &g);
	return 0;
}

static const struct sf_jfield group_spec[] = {
	{ "village_unit_id", SF_JT_INT, true, 0, 1, INT64_MAX },
	{ "name", SF_JT_STRING, true, 40, 0, 0 },
	{ "code", SF_JT_STRING, false, 40, 0, 0 },
	{ "leader_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "households", SF_JT_INT, false, 0, 0, 100000 },
	{ "population", SF_JT_INT, false, 0, 0, 1000000 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static const struct sf_jfield group_update_spec[] = {
	{ "leader_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "households", SF_JT_INT, false, 0, 0, 100000 },
	{ "population", SF_JT_INT, false, 0, 0, 1000000 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static int group_facts(struct sf_req *req, const struct sf_json *b, struct sf_village_group *g)
{
	int rc;

	copy_str(b, "leader_name", g->leader_name, sizeof(g->leader_name));
	copy_str(b, "notes", g->notes, sizeof(g->notes));
	sf_json_int(b, "households", &g->households);
	sf_json_int(b, "population", &g->population);
	rc = sf_regapi_text(g->leader_name, "leader_name", SF_REG_PERSON_MAX, false, false,
			    &req->err);
	if (!rc)
		rc = sf_regapi_text(g->notes, "notes", SF_REG_NOTES_MAX, false, true, &req->err);
	return rc;
}

struct child_count {
	int64_t parent;
	int64_t n;
};

static int count_child(const struct sf_unit *u, void *vctx)
{
	struct child_count *cc = vctx;

	if (u->parent_id == cc->parent)
		cc->n++;
	return 0;
}

int sf_api_village_groups_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_village_group g;
	struct sf_unit village, u;
	struct sf_jw w;
	int64_t id = 0, n = 0;
	int rc = sf_req_json(req, group_spec, &b);

	if (rc)
		return rc;
	memset(&g, 0, sizeof(g));
	memset(&u, 0, sizeof(u));
	sf_json_int(b, "village_unit_id", &g.village_unit_id);
	rc = sf_regapi_unit(c, g.village_unit_id, "village_unit_id", village_kinds, &village,
			    &req->err);
	if (!rc && !sf_regapi_sees_path(&req->who, village.path))
		rc = sf_req_fail(req, SF_EFORBIDDEN, "out_of_scope", "village_unit_id",
				 "the village is outside your scope");
	if (!rc)
		rc = sf_regapi_text(sf_json_str(b, "name"), "name", 40, true, false, &req->err);
	if (!rc)
		rc = group_facts(req, b, &g);
	if (rc)
		goto out;
	u.parent_id = village.id;
	snprintf(u.kind, sizeof(u.kind), "village_group");
	snprintf(u.name_zh, sizeof(u.name_zh), "%s", sf_json_str(b, "name"));
	if (sf_json_str(b, "code")) {
		snprintf(u.code, sizeof(u.code), "%s", sf_json_str(b, "code"));
	} else {
		struct child_count cc = { village.id, 0 };

		sf_store_unit_each(c, "village_group", count_child, &cc);
		n = cc.n;
		snprintf(u.code, sizeof(u.code), "%.36s-%02d", village.code, (int)(n % 1000) + 1);
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_unit_insert(c, &u, req->now, &id);
	if (!rc) {
		g.unit_id = id;
		rc = sf_store_village_group_put(c, &g);
	}
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "code", "a unit with this code exists");
		goto out;
	}
	rc = sf_store_village_group_get(c, id, &g);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the village group back");
		goto out;
	}
	sf_req_reply_json(req, 201, &w);
	write_group(&w, &g);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_village_groups_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_village_group g;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, group_update_spec, &b);
	if (rc)
		return rc;
	rc = sf_store_village_group_get(c, id, &g);
	if (rc == SF_ENOTFOUND || (!rc && !sf_regapi_sees_path(&req->who, g.path))) {
		rc = sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no village group %lld",
				 (long long)id);
		goto out;
	}
	if (!rc)
		rc = group_facts(req, b, &g);
	if (!rc)
		rc = sf_store_village_group_put(c, &g);
	if (!rc)
		rc = sf_store_village_group_get(c, id, &g);
	if (rc) {
		if (!req->err.rc)
			rc = sf_regapi_store_fail(req, rc, "", "cannot save the village group");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	write_group(&w, &g);
out:
	sf_json_free(b);
	return rc;
}

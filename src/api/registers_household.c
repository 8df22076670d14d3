/* Households (户) and their residents over HTTP: list (scoped to the
 * person's community or village, bigram search on address and head's name,
 * exact phone or ID number through the keyed index), get with residents,
 * create, update, archive and restore, and the audited reveals. Residents
 * themselves (add, read, change, archive) are in registers_resident.c. */
#include "api/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"

static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const group_kinds[] = { "village_group", NULL };

int sf_regapi_household_check(struct sf_conn *c, struct sf_household *h, struct sf_error *err)
{
	struct sf_unit u, g;
	struct sf_place p;
	char addr[sizeof(h->address)];
	int rc;

	rc = sf_regapi_text(h->address, "address", SF_REG_ADDRESS_MAX, true, false, err);
	if (!rc)
		rc = sf_regapi_text(h->head_name, "head_name", SF_REG_PERSON_MAX, false, false,
				    err);
	if (!rc)
		rc = sf_regapi_text(h->notes, "notes", SF_REG_NOTES_MAX, false, true, err);
	if (rc)
		return rc;
	sf_regapi_trim(h->address, addr, sizeof(addr));
	memcpy(h->address, addr, sizeof(addr));
	if (h->members < 0 || h->members > 99)
		return sf_error_set(err, SF_EINVAL, "out_of_range", "members",
				    "members must be 0 to 99");
	if (h->group_unit_id) {
		rc = sf_regapi_unit(c, h->group_unit_id, "group_unit_id", group_kinds, &g, err);
		if (rc)
			return rc;
		if (!h->unit_id)
			h->unit_id = g.parent_id;
		else if (g.parent_id != h->unit_id)
			return sf_error_set(err, SF_EINVAL, "invalid_reference", "group_unit_id",
					    "village group %s is not in unit %lld", g.name_zh,
					    (long long)h->unit_id);
	}
	if (!h->unit_id)
		return sf_error_set(err, SF_EINVAL, "missing_field", "unit_id",
				    "unit_id (the community or village) is required");
	rc = sf_regapi_unit(c, h->unit_id, "unit_id", area_kinds, &u, err);
	if (rc)
		return rc;
	if (h->place_id) {
		rc = sf_store_place_get(c, h->place_id, &p);
		if (rc == SF_ENOTFOUND)
			return sf_error_set(err, SF_EINVAL, "unknown_reference", "place_id",
					    "place_id: no place with id %lld",
					    (long long)h->place_id);
		if (rc)
			return sf_error_set(err, SF_EDB, "storage_error", "",
					    "cannot read the place");
	}
	return 0;
}

static bool clear_names(const struct sf_principal *who)
{
	return sf_regapi_privileged(who);
}

static void write_pii(struct sf_jw *w, const char *k, const struct sf_pii *p)
{
	sf_jw_kstr(w, k, p->mask);
}

static void write_household(struct sf_jw *w, const struct sf_principal *who,
			    const struct sf_household *h)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", h->id);
	sf_jw_kstr(w, "address", h->address);
	sf_regapi_kref(w, "unit", h->unit_id, h->unit_name);
	sf_regapi_kref(w, "group", h->group_unit_id, h->group_name);
	sf_regapi_kref(w, "place", h->place_id, h->place_name);
	sf_regapi_kname(w, "head_name", h->head_name, clear_names(who));
	sf_jw_kint(w, "members", h->members);
	write_pii(w, "phone", &h->phone);
	write_pii(w, "id_no", &h->id_no);
	sf_regapi_ktags(w, "tags", h->tags);
	sf_jw_kstr(w, "notes", h->notes);
	sf_jw_ktime(w, "last_visit_at", h->last_visit_at);
	sf_jw_ktime(w, "created_at", h->created_at);
	sf_jw_ktime(w, "updated_at", h->updated_at);
	sf_regapi_karchived(w, &h->archived);
}

struct list_ctx {
	struct sf_jw *w;
	const struct sf_principal *who;
	int64_t last_id;
	int n;
};

static int list_one(const struct sf_household *h, void *vctx)
{
	struct list_ctx *ctx = vctx;

	write_household(ctx->w, ctx->who, h);
	sf_jw_obj_end(ctx->w);
	ctx->last_id = h->id;
	ctx->n++;
	return 0;
}

int sf_regapi_household_filter(struct sf_req *req, struct sf_household_filter *f,
			       char unit_path[128], char phone_index[65], char id_index[65])
{
	const char *q = sf_req_query(req, "q");
	const char *phone = sf_req_query(req, "phone");
	const char *id_no = sf_req_query(req, "id_no");
	const char *tag = sf_req_query(req, "tag");
	bool present;
	int rc;

	memset(f, 0, sizeof(*f));
	f->scope_all = sf_regapi_privileged(&req->who);
	f->scope_path = req->who.unit_path;
	if (q && (rc = sf_regapi_text(q, "q", 50, false, false, &req->err)))
		return rc;
	f->q = q && !sf_regapi_blank(q) ? q : NULL;
	if (tag && (rc = sf_regapi_text(tag, "tag", SF_REG_TAG_MAX, false, false, &req->err)))
		return rc;
	f->tag = tag && *tag ? tag : NULL;
	if (phone && *phone) {
		if (!sf_regapi_phone_index(req->app, phone, phone_index))
			return sf_req_fail(req, SF_EINVAL, "invalid_phone", "phone",
					   "phone is not a phone number");
		f->phone_index = phone_index;
	}
	if (id_no && *id_no) {
		if (!sf_regapi_id_no_index(req->app, id_no, id_index))
			return sf_req_fail(req, SF_EINVAL, "invalid_id_no", "id_no",
					   "id_no is not a valid resident identity number");
		f->id_no_index = id_index;
	}
	rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, 128);
	if (!rc)
		rc = sf_api_query_int(req, "place_id", 1, INT64_MAX, &f->place_id, NULL);
	if (!rc)
		rc = sf_api_query_time(req, "visited_since", false, &f->visited_since, &present);
	if (!rc)
		rc = sf_api_query_time(req, "unvisited_since", false, &f->unvisited_since,
				       &present);
	if (!rc)
		rc = sf_api_query_int(req, "before", 1, INT64_MAX, &f->before_id, NULL);
	if (!rc)
		rc = sf_regapi_query_archived(req, &f->archived);
	f->unit_path = unit_path[0] ? unit_path : NULL;
	return rc;
}

int sf_api_households_list(struct sf_req *req)
{
	struct sf_household_filter f;
	char unit_path[128], phone_index[65], id_index[65];
	struct sf_jw w;
	struct list_ctx ctx = { &w, &req->who, 0, 0 };
	int64_t total = -1;
	bool count;
	int limit;
	int rc = sf_regapi_household_filter(req, &f, unit_path, phone_index, id_index);

	if (!rc)
		rc = sf_regapi_list_params(req, &limit, &count);
	if (rc)
		return rc;
	f.limit = limit;
	if (count) {
		rc = sf_store_household_count(sf_req_conn(req), &f, &total);
		if (rc)
			return sf_regapi_store_fail(req, rc, "", "cannot count the households");
	}
	sf_regapi_items_begin(req, &w);
	rc = sf_store_household_list(sf_req_conn(req), &f, list_one, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the households");
	sf_regapi_items_next(&w, ctx.n == limit, ctx.last_id);
	if (total >= 0)
		sf_jw_kint(&w, "total", total);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_regapi_household_load(struct sf_req *req, int64_t id, bool any_archived,
			     struct sf_household *h)
{
	int rc = sf_store_household_get(sf_req_conn(req), id, h);

	if (rc == SF_ENOTFOUND || (!rc && !sf_regapi_sees_household(&req->who, h)) ||
	    (!rc && h->archived.at && !any_archived && !sf_regapi_sees_archived(&req->who)))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no household %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the household");
	return 0;
}

static int load_scoped(struct sf_req *req, int64_t id, struct sf_household *h)
{
	return sf_regapi_household_load(req, id, false, h);
}

void sf_regapi_resident_write(struct sf_jw *w, const struct sf_resident *r, bool clear, bool detail)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", r->id);
	if (detail)
		sf_jw_kint(w, "household_id", r->household_id);
	sf_regapi_kname(w, "name", r->name, clear);
	sf_jw_kstr(w, "relation", r->relation);
	write_pii(w, "phone", &r->phone);
	write_pii(w, "id_no", &r->id_no);
	sf_jw_kstr(w, "notes", r->notes);
	sf_jw_ktime(w, "created_at", r->created_at);
	sf_regapi_karchived(w, &r->archived);
	sf_jw_obj_end(w);
}

struct res_ctx {
	struct sf_jw *w;
	bool clear;
};

static int write_resident(const struct sf_resident *r, void *vctx)
{
	struct res_ctx *ctx = vctx;

	sf_regapi_resident_write(ctx->w, r, ctx->clear, false);
	return 0;
}

int sf_regapi_household_reply(struct sf_req *req, int status, const struct sf_household *h)
{
	struct sf_jw w;
	struct res_ctx ctx = { &w, clear_names(&req->who) };
	int rc;

	sf_req_reply_json(req, status, &w);
	write_household(&w, &req->who, h);
	sf_jw_key(&w, "residents");
	sf_jw_arr_begin(&w);
	rc = sf_store_resident_each(sf_req_conn(req), h->id, SF_REG_LIVE, write_resident, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the residents");
	sf_jw_arr_end(&w);
	if (sf_regapi_sees_archived(&req->who)) {
		/* admin and leaders also see who was archived, to restore them */
		sf_jw_key(&w, "archived_residents");
		sf_jw_arr_begin(&w);
		rc = sf_store_resident_each(sf_req_conn(req), h->id, SF_REG_ARCHIVED,
					    write_resident, &ctx);
		if (rc)
			return sf_regapi_store_fail(req, rc, "", "cannot read the residents");
		sf_jw_arr_end(&w);
	}
	sf_jw_obj_end(&w);
	return 0;
}

static int reply_household(struct sf_req *req, int status, const struct sf_household *h)
{
	return sf_regapi_household_reply(req, status, h);
}

int sf_api_households_get(struct sf_req *req)
{
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, &h);
	if (rc)
		return rc;
	return reply_household(req, 200, &h);
}

static const struct sf_jfield create_spec[] = {
	{ "address", SF_JT_STRING, true, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "group_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "place_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "head_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "members", SF_JT_INT, false, 0, 0, 99 },
	{ "phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "id_no", SF_JT_STRING, false, 40, 0, 0 },
	{ "tags", SF_JT_STRING_ARRAY, false, SF_REG_TAGS_MAX, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static const struct sf_jfield update_spec[] = {
	{ "address", SF_JT_STRING, false, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "group_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "place_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "head_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "members", SF_JT_INT, false, 0, 0, 99 },
	{ "phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "id_no", SF_JT_STRING, false, 40, 0, 0 },
	{ "tags", SF_JT_STRING_ARRAY, false, SF_REG_TAGS_MAX, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static void copy_str(const struct sf_json *b, const char *key, char *dst, size_t cap)
{
	const char *s = sf_json_str(b, key);

	if (s || sf_json_has(b, key))
		snprintf(dst, cap, "%s", s ? s : "");
}

static int apply_body(struct sf_req *req, const struct sf_json *b, struct sf_household *h,
		      bool *pii_given)
{
	int64_t old_place = h->place_id;
	int rc = 0;
	bool phone = sf_json_has(b, "phone"), id_no = sf_json_has(b, "id_no");

	copy_str(b, "address", h->address, sizeof(h->address));
	if (sf_json_has(b, "unit_id") && !sf_json_has(b, "group_unit_id"))
		h->group_unit_id = 0; /* moved to another community: the group no longer holds */
	sf_json_int(b, "unit_id", &h->unit_id);
	sf_json_int(b, "group_unit_id", &h->group_unit_id);
	sf_json_int(b, "place_id", &h->place_id);
	copy_str(b, "head_name", h->head_name, sizeof(h->head_name));
	sf_json_int(b, "members", &h->members);
	copy_str(b, "notes", h->notes, sizeof(h->notes));
	if (sf_json_has(b, "tags"))
		rc = sf_regapi_tags_json(b, "tags", h->tags, sizeof(h->tags), &req->err);
	*pii_given = phone || id_no;
	if (!rc && phone)
		rc = sf_regapi_phone(req->app, sf_json_str(b, "phone"), "phone", &h->phone,
				     &req->err);
	if (!rc && id_no)
		rc = sf_regapi_id_no(req->app, sf_json_str(b, "id_no"), "id_no", &h->id_no,
				     &req->err);
	if (!rc)
		rc = sf_regapi_household_check(sf_req_conn(req), h, &req->err);
	if (!rc)
		rc = sf_regapi_place_link(sf_req_conn(req), h->place_id, old_place, "place_id",
					  &req->err);
	return rc;
}

int sf_regapi_household_may_write(struct sf_req *req, const struct sf_household *h)
{
	struct sf_unit u;
	bool ok = sf_regapi_privileged(&req->who);

	if (!ok && sf_store_unit_get(sf_req_conn(req),
				     h->group_unit_id ? h->group_unit_id : h->unit_id, &u) == 0)
		ok = sf_regapi_sees_path(&req->who, u.path);
	if (!ok)
		return sf_req_fail(req, SF_EFORBIDDEN, "out_of_scope", "unit_id",
				   "the household is outside your community or village");
	return 0;
}

static int may_write(struct sf_req *req, const struct sf_household *h)
{
	return sf_regapi_household_may_write(req, h);
}

/* 409 for an address another household (perhaps archived) has. */
static int duplicate_address(struct sf_req *req, int64_t other)
{
	struct sf_household *o = sf_xmalloc(sizeof(*o));
	bool archived = sf_store_household_get(sf_req_conn(req), other, o) == 0 && o->archived.at;

	free(o);
	return sf_regapi_duplicate_fail(req, "duplicate_address", "address", "household", other,
					archived, "this address");
}

int sf_api_households_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_household h;
	int64_t id = 0, other = 0;
	bool pii = false;
	int rc = sf_req_json(req, create_spec, &b);

	if (rc)
		return rc;
	memset(&h, 0, sizeof(h));
	rc = apply_body(req, b, &h, &pii);
	if (!rc)
		rc = may_write(req, &h);
	if (rc)
		goto out;
	if (sf_store_household_id_by_address(c, h.address, &other) == 0) {
		rc = duplicate_address(req, other);
		goto out;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_household_insert(c, &h, req->now, &id);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "address", "cannot save the household");
		goto out;
	}
	rc = sf_store_household_get(c, id, &h);
	if (rc)
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the household back");
	else
		rc = reply_household(req, 201, &h);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_households_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_household h;
	int64_t id, other = 0;
	bool pii = false;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, update_spec, &b);
	if (rc)
		return rc;
	rc = load_scoped(req, id, &h);
	if (!rc && h.archived.at)
		rc = sf_regapi_archived_fail(req, "household", id);
	if (!rc)
		rc = may_write(req, &h); /* where it is now */
	if (!rc)
		rc = apply_body(req, b, &h, &pii);
	if (!rc)
		rc = may_write(req, &h); /* and where it goes */
	if (rc)
		goto out;
	if (sf_store_household_id_by_address(c, h.address, &other) == 0 && other != id) {
		rc = duplicate_address(req, other);
		goto out;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_household_update(c, &h, !pii, req->now);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "address", "cannot save the household");
		goto out;
	}
	rc = sf_store_household_get(c, id, &h);
	if (rc)
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the household back");
	else
		rc = reply_household(req, 200, &h);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_households_reveal(struct sf_req *req)
{
	static const char *const fields[] = { "phone", "id_no", NULL };
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, &h);
	if (rc)
		return rc;
	return sf_regapi_reveal(req, "household", id, fields);
}

/* DELETE archives: admin, or the staff of the household's own community or
 * village (the route admits admin and community roles). Its residents,
 * visits and orders stay; restore brings it back as it was. */
static int archive_http(struct sf_req *req, bool archive)
{
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	/* whoever may archive it may find it again to restore it */
	if (!rc)
		rc = sf_regapi_household_load(req, id, !archive, &h);
	if (!rc)
		rc = may_write(req, &h);
	if (!rc)
		rc = sf_regapi_archive(req, "household", id, archive);
	if (!rc)
		rc = sf_store_household_get(sf_req_conn(req), id, &h);
	if (rc)
		return req->err.rc ? rc : sf_regapi_store_fail(req, rc, "", "cannot read it back");
	return reply_household(req, 200, &h);
}

int sf_api_households_archive(struct sf_req *req)
{
	return archive_http(req, true);
}

int sf_api_households_restore(struct sf_req *req)
{
	return archive_http(req, false);
}

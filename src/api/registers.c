/* Enterprises over HTTP: list (scoped, filtered, bigram search, exact
 * phone), get, create, update, archive and restore, the audited reveal of
 * the contact phone, and the checks every path that writes an enterprise
 * shares (the import too). Households, places and village groups are in
 * registers_household.c and registers_place.c; import and export in
 * registers_import*.c and registers_export.c. */
#include "api/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "domain/credit.h"
#include "domain/industry.h"
#include "store/user.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"

static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const grid_kinds[] = { "grid", "workstation", NULL };

int sf_regapi_enterprise_check(struct sf_conn *c, struct sf_enterprise *e, struct sf_error *err)
{
	char code[sizeof(e->credit_code)];
	enum sf_credit_fault f;
	struct sf_unit u;
	struct sf_place p;
	size_t pos = 0;
	int rc;

	sf_credit_normalise(e->credit_code, code, sizeof(code));
	f = sf_credit_check(code, &pos);
	if (f == SF_CREDIT_CHECK)
		return sf_error_set(err, SF_EINVAL, "invalid_credit_code", "credit_code",
				    "%s: the check character (18th) should be %c; the code is "
				    "mistyped",
				    code, sf_credit_check_char(code));
	if (f != SF_CREDIT_OK)
		return sf_error_set(err, SF_EINVAL, "invalid_credit_code", "credit_code", "%s%s%s",
				    code[0] ? code : "", code[0] ? ": " : "",
				    sf_credit_fault_text(f, false));
	snprintf(e->credit_code, sizeof(e->credit_code), "%s", code);
	rc = sf_regapi_text(e->name, "name", SF_REG_NAME_MAX, true, false, err);
	if (!rc)
		rc = sf_regapi_text(e->address, "address", SF_REG_ADDRESS_MAX, false, false, err);
	if (!rc)
		rc = sf_regapi_text(e->contact_name, "contact_name", SF_REG_PERSON_MAX, false,
				    false, err);
	if (rc)
		return rc;
	{
		char name[sizeof(e->name)];

		sf_regapi_trim(e->name, name, sizeof(name));
		memcpy(e->name, name, sizeof(name));
	}
	if (e->industry_division[0] && !e->industry_section[0]) {
		char s = sf_industry_section_of(e->industry_division);

		e->industry_section[0] = s;
		e->industry_section[1] = '\0';
	}
	if ((e->industry_section[0] || e->industry_division[0]) &&
	    !sf_industry_valid(e->industry_section, e->industry_division))
		return sf_error_set(
			err, SF_EINVAL, "invalid_industry",
			e->industry_section[0] && !sf_industry_section_name(e->industry_section)
				? "industry_section"
				: "industry_division",
			"industry %s%s%s is not a section (A-T) and division (01-97) of "
			"GB/T 4754-2017 that belong together",
			e->industry_section, e->industry_division[0] ? " " : "",
			e->industry_division);
	if (e->unit_id && (rc = sf_regapi_unit(c, e->unit_id, "unit_id", area_kinds, &u, err)))
		return rc;
	if (e->grid_unit_id &&
	    (rc = sf_regapi_unit(c, e->grid_unit_id, "grid_unit_id", grid_kinds, &u, err)))
		return rc;
	if (e->place_id) {
		rc = sf_store_place_get(c, e->place_id, &p);
		if (rc == SF_ENOTFOUND)
			return sf_error_set(err, SF_EINVAL, "unknown_reference", "place_id",
					    "place_id: no place with id %lld",
					    (long long)e->place_id);
		if (rc)
			return sf_error_set(err, SF_EDB, "storage_error", "",
					    "cannot read the place");
	}
	return 0;
}

int sf_regapi_pairing_check(struct sf_conn *c, int64_t leader, int64_t liaison,
			    struct sf_error *err)
{
	struct sf_user u;
	int rc;

	if (leader) {
		rc = sf_store_user_get(c, leader, &u);
		if (rc == SF_ENOTFOUND || (!rc && (u.role != SF_ROLE_LEADER || u.disabled)))
			return sf_error_set(err, SF_EINVAL, "invalid_reference", "leader_user_id",
					    "leader_user_id %lld is not an active leader",
					    (long long)leader);
		if (rc)
			return sf_error_set(err, SF_EDB, "storage_error", "",
					    "cannot read the user");
	}
	if (liaison) {
		rc = sf_store_user_get(c, liaison, &u);
		if (rc == SF_ENOTFOUND ||
		    (!rc && (!(SF_ROLES_STAFF & SF_ROLE_BIT(u.role)) || u.disabled)))
			return sf_error_set(err, SF_EINVAL, "invalid_reference", "liaison_user_id",
					    "liaison_user_id %lld is not an active staff member",
					    (long long)liaison);
		if (rc)
			return sf_error_set(err, SF_EDB, "storage_error", "",
					    "cannot read the user");
	}
	return 0;
}

/* ---- JSON ---- */

static void write_enterprise(struct sf_jw *w, const struct sf_principal *who,
			     const struct sf_enterprise *e)
{
	bool clear = sf_regapi_privileged(who) || e->leader_user_id == who->user_id ||
		     e->liaison_user_id == who->user_id;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", e->id);
	sf_jw_kstr(w, "credit_code", e->credit_code);
	sf_jw_kstr(w, "name", e->name);
	sf_jw_key(w, "industry");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "section", e->industry_section);
	sf_jw_kstr(w, "section_name", sf_industry_section_name(e->industry_section));
	sf_jw_kstr(w, "division", e->industry_division);
	sf_jw_obj_end(w);
	sf_jw_kbool(w, "above_scale", e->above_scale);
	sf_jw_kbool(w, "key_info", e->key_info);
	sf_jw_kstr(w, "address", e->address);
	sf_regapi_kref(w, "unit", e->unit_id, e->unit_name);
	sf_regapi_kref(w, "grid", e->grid_unit_id, e->grid_name);
	sf_regapi_kref(w, "place", e->place_id, e->place_name);
	sf_jw_key(w, "contact");
	sf_jw_obj_begin(w);
	sf_regapi_kname(w, "name", e->contact_name, clear);
	sf_jw_kstr(w, "phone", e->contact_phone.mask);
	sf_jw_obj_end(w);
	sf_regapi_kref(w, "leader", e->leader_user_id, e->leader_name);
	sf_regapi_kref(w, "liaison", e->liaison_user_id, e->liaison_name);
	sf_regapi_ktags(w, "tags", e->tags);
	sf_jw_ktime(w, "last_visit_at", e->last_visit_at);
	sf_jw_ktime(w, "created_at", e->created_at);
	sf_jw_ktime(w, "updated_at", e->updated_at);
	sf_jw_kint(w, "version", e->version);
	sf_regapi_karchived(w, &e->archived);
	sf_jw_obj_end(w);
}

/* ---- list ---- */

struct list_ctx {
	struct sf_jw *w;
	const struct sf_principal *who;
	int64_t last_id;
	int n;
};

static int list_one(const struct sf_enterprise *e, void *vctx)
{
	struct list_ctx *ctx = vctx;

	write_enterprise(ctx->w, ctx->who, e);
	ctx->last_id = e->id;
	ctx->n++;
	return 0;
}

int sf_regapi_enterprise_filter(struct sf_req *req, struct sf_enterprise_filter *f,
				char unit_path[128], char phone_index[65])
{
	const char *q = sf_req_query(req, "q");
	const char *phone = sf_req_query(req, "phone");
	const char *section = sf_req_query(req, "section");
	const char *tag = sf_req_query(req, "tag");
	bool present;
	int rc;

	memset(f, 0, sizeof(*f));
	f->scope_all = sf_regapi_privileged(&req->who);
	f->scope_path = req->who.unit_path;
	f->scope_user = req->who.user_id;
	if (q && (rc = sf_regapi_text(q, "q", 50, false, false, &req->err)))
		return rc;
	f->q = q && !sf_regapi_blank(q) ? q : NULL;
	if (section && *section && !sf_industry_section_name(section))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "section",
				   "section must be a GB/T 4754 section letter A-T");
	f->section = section && *section ? section : NULL;
	if (tag && (rc = sf_regapi_text(tag, "tag", SF_REG_TAG_MAX, false, false, &req->err)))
		return rc;
	f->tag = tag && *tag ? tag : NULL;
	if (phone && *phone) {
		if (!sf_regapi_phone_index(req->app, phone, phone_index))
			return sf_req_fail(req, SF_EINVAL, "invalid_phone", "phone",
					   "phone is not a phone number");
		f->phone_index = phone_index;
	}
	rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, 128);
	if (!rc)
		rc = sf_api_query_int(req, "leader_id", 1, INT64_MAX, &f->leader_user_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "liaison_id", 1, INT64_MAX, &f->liaison_user_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "place_id", 1, INT64_MAX, &f->place_id, NULL);
	if (!rc)
		rc = sf_regapi_query_flag(req, "above_scale", &f->above_scale);
	if (!rc)
		rc = sf_regapi_query_flag(req, "key_info", &f->key_info);
	if (!rc)
		rc = sf_regapi_query_flag(req, "paired", &f->paired);
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

int sf_api_enterprises_list(struct sf_req *req)
{
	struct sf_enterprise_filter f;
	char unit_path[128], phone_index[65];
	struct sf_jw w;
	struct list_ctx ctx = { &w, &req->who, 0, 0 };
	int64_t total = -1;
	bool count;
	int limit;
	int rc = sf_regapi_enterprise_filter(req, &f, unit_path, phone_index);

	if (!rc)
		rc = sf_regapi_list_params(req, &limit, &count);
	if (rc)
		return rc;
	f.limit = limit;
	if (count) {
		rc = sf_store_enterprise_count(sf_req_conn(req), &f, &total);
		if (rc)
			return sf_regapi_store_fail(req, rc, "", "cannot count the enterprises");
	}
	sf_regapi_items_begin(req, &w);
	rc = sf_store_enterprise_list(sf_req_conn(req), &f, list_one, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the enterprises");
	sf_regapi_items_next(&w, ctx.n == limit, ctx.last_id);
	if (total >= 0)
		sf_jw_kint(&w, "total", total);
	sf_jw_obj_end(&w);
	return 0;
}

/* Load an enterprise the person may see; 404 otherwise (not 403: do not
 * tell who is outside one's scope what exists). Archived ones only admin
 * and leaders see. */
static int load_scoped(struct sf_req *req, int64_t id, struct sf_enterprise *e)
{
	int rc = sf_store_enterprise_get(sf_req_conn(req), id, e);

	if (rc == SF_ENOTFOUND || (!rc && !sf_regapi_sees_enterprise(&req->who, e)) ||
	    (!rc && e->archived.at && !sf_regapi_sees_archived(&req->who)))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no enterprise %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the enterprise");
	return 0;
}

int sf_api_enterprises_get(struct sf_req *req)
{
	struct sf_enterprise e;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, &e);
	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	write_enterprise(&w, &req->who, &e);
	return 0;
}

/* ---- create and update ---- */

static const struct sf_jfield create_spec[] = {
	{ "credit_code", SF_JT_STRING, true, 40, 0, 0 },
	{ "name", SF_JT_STRING, true, SF_REG_NAME_MAX, 0, 0 },
	{ "industry_section", SF_JT_STRING, false, 2, 0, 0 },
	{ "industry_division", SF_JT_STRING, false, 3, 0, 0 },
	{ "above_scale", SF_JT_BOOL, false, 0, 0, 0 },
	{ "key_info", SF_JT_BOOL, false, 0, 0, 0 },
	{ "address", SF_JT_STRING, false, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "grid_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "place_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "contact_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "contact_phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "tags", SF_JT_STRING_ARRAY, false, SF_REG_TAGS_MAX, 0, 0 },
	{ "leader_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "liaison_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "reason", SF_JT_STRING, false, SF_REG_REASON_MAX, 0, 0 },
	{ 0 },
};

static const struct sf_jfield update_spec[] = {
	{ "credit_code", SF_JT_STRING, false, 40, 0, 0 },
	{ "name", SF_JT_STRING, false, SF_REG_NAME_MAX, 0, 0 },
	{ "industry_section", SF_JT_STRING, false, 2, 0, 0 },
	{ "industry_division", SF_JT_STRING, false, 3, 0, 0 },
	{ "above_scale", SF_JT_BOOL, false, 0, 0, 0 },
	{ "key_info", SF_JT_BOOL, false, 0, 0, 0 },
	{ "address", SF_JT_STRING, false, SF_REG_ADDRESS_MAX, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "grid_unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "place_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "contact_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "contact_phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "tags", SF_JT_STRING_ARRAY, false, SF_REG_TAGS_MAX, 0, 0 },
	{ "version", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ 0 },
};

/* 409 for a credit code another enterprise (perhaps archived) has. */
static int duplicate_code(struct sf_req *req, struct sf_conn *c, int64_t other, const char *code)
{
	struct sf_enterprise *o = sf_xmalloc(sizeof(*o));
	bool archived = sf_store_enterprise_get(c, other, o) == 0 && o->archived.at;
	char has[96];

	free(o);
	snprintf(has, sizeof(has), "credit code %s", code);
	return sf_regapi_duplicate_fail(req, "duplicate_credit_code", "credit_code", "enterprise",
					other, archived, has);
}

static void copy_str(const struct sf_json *b, const char *key, char *dst, size_t cap)
{
	const char *s = sf_json_str(b, key);

	if (s || sf_json_has(b, key))
		snprintf(dst, cap, "%s", s ? s : "");
}

/* Apply the body's fields onto e (what is absent stays). */
static int apply_body(struct sf_req *req, const struct sf_json *b, struct sf_enterprise *e,
		      bool *phone_given)
{
	int64_t old_place = e->place_id;
	int rc = 0;
	bool v;

	if (sf_json_has(b, "credit_code")) /* spaces and full-width forms go here */
		sf_credit_normalise(sf_json_str(b, "credit_code"), e->credit_code,
				    sizeof(e->credit_code));
	copy_str(b, "name", e->name, sizeof(e->name));
	copy_str(b, "industry_section", e->industry_section, sizeof(e->industry_section));
	copy_str(b, "industry_division", e->industry_division, sizeof(e->industry_division));
	if (sf_json_bool(b, "above_scale", &v))
		e->above_scale = v;
	if (sf_json_bool(b, "key_info", &v))
		e->key_info = v;
	copy_str(b, "address", e->address, sizeof(e->address));
	sf_json_int(b, "unit_id", &e->unit_id);
	sf_json_int(b, "grid_unit_id", &e->grid_unit_id);
	sf_json_int(b, "place_id", &e->place_id);
	copy_str(b, "contact_name", e->contact_name, sizeof(e->contact_name));
	if (sf_json_has(b, "tags"))
		rc = sf_regapi_tags_json(b, "tags", e->tags, sizeof(e->tags), &req->err);
	*phone_given = sf_json_has(b, "contact_phone");
	if (!rc && *phone_given)
		rc = sf_regapi_phone(req->app, sf_json_str(b, "contact_phone"), "contact_phone",
				     &e->contact_phone, &req->err);
	if (!rc)
		rc = sf_regapi_enterprise_check(sf_req_conn(req), e, &req->err);
	if (!rc)
		rc = sf_regapi_place_link(sf_req_conn(req), e->place_id, old_place, "place_id",
					  &req->err);
	return rc;
}

int sf_api_enterprises_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_enterprise e;
	struct sf_jw w;
	int64_t id = 0, leader = 0, liaison = 0, other = 0;
	bool phone_given = false, changed = false;
	int rc = sf_req_json(req, create_spec, &b);

	if (rc)
		return rc;
	memset(&e, 0, sizeof(e));
	rc = apply_body(req, b, &e, &phone_given);
	if (rc)
		goto out;
	sf_json_int(b, "leader_user_id", &leader);
	sf_json_int(b, "liaison_user_id", &liaison);
	if ((leader || liaison) && req->who.role != SF_ROLE_ADMIN &&
	    req->who.role != SF_ROLE_LEADER) {
		rc = sf_req_fail(req, SF_EFORBIDDEN, "role_not_allowed", "leader_user_id",
				 "only admin and leaders assign pairings");
		goto out;
	}
	rc = sf_regapi_pairing_check(c, leader, liaison, &req->err);
	if (rc)
		goto out;
	if (sf_store_enterprise_id_by_code(c, e.credit_code, &other) == 0) {
		rc = duplicate_code(req, c, other, e.credit_code);
		goto out;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_enterprise_insert(c, &e, req->now, &id);
	if (!rc && (leader || liaison))
		rc = sf_store_pairing_set(c, id, leader, liaison, req->who.user_id,
					  sf_json_str(b, "reason"), req->now, &changed);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "credit_code",
					  rc == SF_ECONFLICT ? "the credit code is taken"
							     : "cannot save the enterprise");
		goto out;
	}
	rc = sf_store_enterprise_get(c, id, &e);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the enterprise back");
		goto out;
	}
	sf_req_reply_json(req, 201, &w);
	write_enterprise(&w, &req->who, &e);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_enterprises_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_enterprise e;
	struct sf_jw w;
	int64_t id, version = 0, other = 0;
	bool phone_given = false;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, update_spec, &b);
	if (rc)
		return rc;
	rc = load_scoped(req, id, &e);
	if (rc)
		goto out;
	if (e.archived.at) {
		rc = sf_regapi_archived_fail(req, "enterprise", id);
		goto out;
	}
	if (sf_json_int(b, "version", &version) && version != e.version) {
		rc = sf_req_fail(req, SF_ECONFLICT, "stale_version", "version",
				 "the enterprise changed (version %lld, not %lld); reload it",
				 (long long)e.version, (long long)version);
		goto out;
	}
	rc = apply_body(req, b, &e, &phone_given);
	if (rc)
		goto out;
	if (sf_store_enterprise_id_by_code(c, e.credit_code, &other) == 0 && other != id) {
		rc = duplicate_code(req, c, other, e.credit_code);
		goto out;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_enterprise_update(c, &e, !phone_given, req->now);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "credit_code", "cannot save the enterprise");
		goto out;
	}
	rc = sf_store_enterprise_get(c, id, &e);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the enterprise back");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	write_enterprise(&w, &req->who, &e);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_enterprises_reveal(struct sf_req *req)
{
	static const char *const fields[] = { "contact_phone", NULL };
	struct sf_enterprise e;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, &e);
	if (rc)
		return rc;
	return sf_regapi_reveal(req, "enterprise", id, fields);
}

/* DELETE archives (admin): the enterprise leaves lists, search, exports,
 * pairing pages and new visits; its pairing, visits and orders stay. */
static int archive_http(struct sf_req *req, bool archive)
{
	struct sf_enterprise e;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, &e);
	if (!rc)
		rc = sf_regapi_archive(req, "enterprise", id, archive);
	if (!rc)
		rc = sf_store_enterprise_get(sf_req_conn(req), id, &e);
	if (rc)
		return req->err.rc ? rc : sf_regapi_store_fail(req, rc, "", "cannot read it back");
	sf_req_reply_json(req, 200, &w);
	write_enterprise(&w, &req->who, &e);
	return 0;
}

int sf_api_enterprises_archive(struct sf_req *req)
{
	return archive_http(req, true);
}

int sf_api_enterprises_restore(struct sf_req *req)
{
	return archive_http(req, false);
}

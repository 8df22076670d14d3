/* The organisation's units over HTTP (see admin.h; accounts are in
 * users.c, the calendar in calendar.c). Each write checks everything first,
 * then stores the change and its audit entry in one transaction, so a
 * refused request changes nothing. */
#include "api/admin.h"

#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/fields.h"
#include "store/admin.h"
#include "store/audit.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/json.h"
#include "util/jw.h"

#define UNIT_NAME_MAX 60

static const char *const unit_kinds[] = {
	"subdistrict", "department",  "community", "village", "village_group",
	"grid",        "workstation", "external",  NULL,
};

static bool unit_kind_ok(const char *k)
{
	for (size_t i = 0; k && unit_kinds[i]; i++)
		if (strcmp(k, unit_kinds[i]) == 0)
			return true;
	return false;
}

/* ---- units ---- */

struct unit_list {
	struct sf_arena *arena;
	struct sf_unit *items;
	size_t n, cap;
};

static int collect_unit(const struct sf_unit *u, void *ctx)
{
	struct unit_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sf_unit *items = sf_arena_alloc(l->arena, cap * sizeof(*items));

		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = *u;
	return 0;
}

/* 0 for a root ("/1/"), 1 for its children, ... */
static int path_depth(const char *path)
{
	int d = 0;

	for (const char *p = path; *p; p++)
		d += *p == '/';
	return d > 1 ? d - 2 : 0;
}

static void write_unit(struct sf_conn *c, struct sf_jw *w, const struct sf_unit *u)
{
	struct sf_user head;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", u->id);
	if (u->parent_id)
		sf_jw_kint(w, "parent_id", u->parent_id);
	else
		sf_jw_knull(w, "parent_id");
	sf_jw_kstr(w, "kind", u->kind);
	sf_jw_kstr(w, "code", u->code);
	sf_jw_kstr(w, "name", u->name_zh);
	sf_jw_kstr(w, "name_en", u->name_en);
	sf_jw_kstr(w, "path", u->path);
	sf_jw_kint(w, "depth", path_depth(u->path));
	sf_jw_kint(w, "sort", u->sort);
	if (u->head_user_id && sf_store_user_get(c, u->head_user_id, &head) == 0) {
		sf_jw_key(w, "head");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", head.id);
		sf_jw_kstr(w, "name", head.name);
		sf_jw_obj_end(w);
	} else {
		sf_jw_knull(w, "head");
	}
	sf_jw_obj_end(w);
}

int sf_api_units_list(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct unit_list l = { .arena = &req->arena };
	const char *kind = sf_req_query(req, "kind");
	struct sf_jw w;
	int rc;

	if (kind && !*kind)
		kind = NULL;
	if (kind && !unit_kind_ok(kind))
		return sf_req_fail(
			req, SF_EINVAL, "invalid_field", "kind",
			"kind must be one of subdistrict, department, community, village, "
			"village_group, grid, workstation, external");
	rc = sf_store_unit_each(c, kind, collect_unit, &l);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the units");
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	for (size_t i = 0; i < l.n; i++)
		write_unit(c, &w, &l.items[i]);
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

static int reply_unit(struct sf_req *req, int status, int64_t id)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_unit u;
	struct sf_jw w;
	int rc = sf_store_unit_get(c, id, &u);

	if (rc)
		return sf_req_fail(req, rc == SF_ENOTFOUND ? SF_ENOTFOUND : SF_EDB, NULL, "id",
				   "cannot read unit %lld", (long long)id);
	sf_req_reply_json(req, status, &w);
	write_unit(c, &w, &u);
	return 0;
}

/* A user who may head a unit: exists and is not disabled. */
static int head_ok(struct sf_req *req, int64_t user_id)
{
	struct sf_user u;
	int rc = sf_store_user_get(sf_req_conn(req), user_id, &u);

	if (rc == SF_ENOTFOUND || (rc == 0 && u.disabled))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "head_user_id",
				   "head_user_id must be the id of an active user");
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the user");
	return 0;
}

static const struct sf_jfield unit_create_spec[] = {
	{ "kind", SF_JT_STRING, true, 24, 0, 0 },
	{ "parent_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "code", SF_JT_STRING, true, 47, 0, 0 },
	{ "name", SF_JT_STRING, true, UNIT_NAME_MAX, 0, 0 },
	{ "name_en", SF_JT_STRING, false, 100, 0, 0 },
	{ "sort", SF_JT_INT, false, 0, -1000000, 1000000 },
	{ "head_user_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ 0 },
};

int sf_api_units_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_unit u, parent;
	struct sf_audit_entry ae;
	const char *name_en;
	int64_t id = 0, other, head = 0;
	char target[80];
	int rc = sf_req_json(req, unit_create_spec, &body);

	if (rc)
		return rc;
	memset(&u, 0, sizeof(u));
	snprintf(u.kind, sizeof(u.kind), "%s", sf_json_str(body, "kind"));
	snprintf(u.code, sizeof(u.code), "%s", sf_json_str(body, "code"));
	sf_json_int(body, "parent_id", &u.parent_id);
	sf_json_int(body, "sort", &u.sort);
	sf_json_int(body, "head_user_id", &head);
	name_en = sf_json_str(body, "name_en");
	if (!unit_kind_ok(u.kind)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "kind",
				 "kind must be one of subdistrict, department, community, village, "
				 "village_group, grid, workstation, external");
		goto out;
	}
	if (!sf_fields_ident_ok(sf_json_str(body, "code"), 1, sizeof(u.code) - 1, true)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "code",
				 "code must be 1 to %zu letters, digits, '_', '.' or '-'",
				 sizeof(u.code) - 1);
		goto out;
	}
	rc = sf_fields_name_ok(req, sf_json_str(body, "name"), UNIT_NAME_MAX, sizeof(u.name_zh),
			       "name");
	if (!rc && name_en && *name_en)
		rc = sf_fields_name_ok(req, name_en, 100, sizeof(u.name_en), "name_en");
	if (rc)
		goto out;
	snprintf(u.name_zh, sizeof(u.name_zh), "%s", sf_json_str(body, "name"));
	snprintf(u.name_en, sizeof(u.name_en), "%s", name_en ? name_en : "");
	if (!u.parent_id && strcmp(u.kind, "subdistrict") != 0) {
		rc = sf_req_fail(req, SF_EINVAL, "missing_field", "parent_id",
				 "parent_id is required (only a subdistrict is a root)");
		goto out;
	}
	if (u.parent_id) {
		rc = sf_store_unit_get(c, u.parent_id, &parent);
		if (rc == SF_ENOTFOUND) {
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "parent_id",
					 "no unit %lld", (long long)u.parent_id);
			goto out;
		}
		if (rc) {
			rc = sf_req_fail(req, SF_EDB, "storage_error", "",
					 "cannot read the parent");
			goto out;
		}
		/* The path must fit with room for one more id. */
		if (strlen(parent.path) + 21 >= sizeof(u.path)) {
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "parent_id",
					 "the tree is too deep under unit %lld",
					 (long long)u.parent_id);
			goto out;
		}
	}
	if (head) {
		rc = head_ok(req, head);
		if (rc)
			goto out;
	}
	rc = sf_store_unit_id_by_code(c, u.code, &other);
	if (rc == 0) {
		rc = sf_req_fail(req, SF_ECONFLICT, "duplicate_code", "code",
				 "a unit with code %s exists", u.code);
		goto out;
	}
	if (rc != SF_ENOTFOUND) {
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the units");
		goto out;
	}
	snprintf(target, sizeof(target), "unit:%s", u.code);
	sf_fields_audit(req, &ae, "unit_add", target, u.name_zh);
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_unit_insert(c, &u, req->now, &id);
	if (!rc && head)
		rc = sf_store_unit_set_head(c, id, head);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc == SF_ECONFLICT) {
		sf_conn_rollback(c);
		rc = sf_req_fail(req, SF_ECONFLICT, "duplicate_code", "code",
				 "a unit with code %s exists", u.code);
		goto out;
	}
	if (rc) {
		rc = sf_fields_store_failed(req, rc, "store the unit");
		goto out;
	}
	rc = reply_unit(req, 201, id);
out:
	sf_json_free(body);
	return rc;
}

static const struct sf_jfield unit_patch_spec[] = {
	{ "name", SF_JT_STRING, false, UNIT_NAME_MAX, 0, 0 },
	{ "name_en", SF_JT_STRING, false, 100, 0, 0 },
	{ "sort", SF_JT_INT, false, 0, -1000000, 1000000 },
	{ "head_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ 0 },
};

int sf_api_units_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_unit u;
	struct sf_audit_entry ae;
	struct sf_buf changed;
	const char *s;
	int64_t id, v;
	bool set_head = false;
	char target[80];
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, unit_patch_spec, &body);
	if (rc)
		return rc;
	sf_buf_init(&changed, 256);
	rc = sf_store_unit_get(c, id, &u);
	if (rc) {
		rc = sf_req_fail(req, rc == SF_ENOTFOUND ? SF_ENOTFOUND : SF_EDB, NULL, "id",
				 "cannot read unit %lld", (long long)id);
		goto out;
	}
	if ((s = sf_json_str(body, "name")) != NULL) {
		rc = sf_fields_name_ok(req, s, UNIT_NAME_MAX, sizeof(u.name_zh), "name");
		if (rc)
			goto out;
		if (strcmp(s, u.name_zh) != 0)
			sf_fields_changed(&changed, "name");
		snprintf(u.name_zh, sizeof(u.name_zh), "%s", s);
	}
	if ((s = sf_json_str(body, "name_en")) != NULL) {
		if (*s) {
			rc = sf_fields_name_ok(req, s, 100, sizeof(u.name_en), "name_en");
			if (rc)
				goto out;
		}
		if (strcmp(s, u.name_en) != 0)
			sf_fields_changed(&changed, "name_en");
		snprintf(u.name_en, sizeof(u.name_en), "%s", s);
	}
	if (sf_json_int(body, "sort", &v)) {
		if (v != u.sort)
			sf_fields_changed(&changed, "sort");
		u.sort = v;
	}
	if (sf_json_int(body, "head_user_id", &v) || sf_fields_is_null(body, "head_user_id")) {
		if (!sf_json_has(body, "head_user_id"))
			v = 0;
		if (v) {
			rc = head_ok(req, v);
			if (rc)
				goto out;
		}
		if (v != u.head_user_id) {
			sf_fields_changed(&changed, "head_user_id");
			set_head = true;
		}
		u.head_user_id = v;
	}
	if (changed.len == 0)
		goto reply;
	snprintf(target, sizeof(target), "unit:%s", u.code);
	sf_fields_audit(req, &ae, "unit_update", target, changed.data);
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_unit_update(c, id, u.name_zh, u.name_en, u.sort);
	if (!rc && set_head)
		rc = sf_store_unit_set_head(c, id, u.head_user_id);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		rc = sf_fields_store_failed(req, rc, "store the unit");
		goto out;
	}
reply:
	rc = reply_unit(req, 200, id);
out:
	sf_buf_release(&changed);
	sf_json_free(body);
	return rc;
}

/* Administration over HTTP: units, accounts, the working-day calendar; see
 * admin.h. Each write checks everything first, then stores the change and
 * its audit entry in one transaction, so a refused request changes nothing. */
#include "api/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/common.h"
#include "domain/mask.h"
#include "store/admin.h"
#include "store/audit.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define UNIT_NAME_MAX 60
#define USER_NAME_MAX 20
#define USER_TITLE_MAX 20

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

/* Empty or only white space (ASCII or U+3000). */
static bool blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			return false;
	}
	return true;
}

/* Codes and logins: only the characters given in `extra` besides [a-z0-9],
 * upper case too when upper. */
static bool ident_ok(const char *s, size_t min, size_t max, bool upper)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (upper && *s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* A present name: not blank, within max characters and cap bytes. */
static int name_ok(struct sf_req *req, const char *s, size_t max, size_t cap, const char *field)
{
	size_t n = strlen(s);

	if (blank(s))
		return sf_req_fail(req, SF_EINVAL, "missing_field", field, "%s must not be blank",
				   field);
	if (sf_utf8_count(s, n) > max || n >= cap)
		return sf_req_fail(req, SF_EINVAL, "too_long", field,
				   "%s is too long (at most %zu characters, %zu bytes)", field, max,
				   cap - 1);
	return 0;
}

struct null_probe {
	const char *key;
	bool found;
};

static int probe_null(const char *key, const struct sf_json *val, void *ctx)
{
	struct null_probe *p = ctx;

	if (strcmp(key, p->key) == 0 && sf_json_kind(val) == SF_JSON_NULL)
		p->found = true;
	return 0;
}

/* Whether key is given as null (which clears a reference). */
static bool explicit_null(const struct sf_json *b, const char *key)
{
	struct null_probe p = { key, false };

	sf_json_each(b, probe_null, &p);
	return p.found;
}

static void audit_init(struct sf_req *req, struct sf_audit_entry *ae, const char *action,
		       const char *target, const char *reason)
{
	memset(ae, 0, sizeof(*ae));
	ae->at = req->now;
	ae->user_id = req->who.user_id;
	ae->actor_name = req->who.name;
	ae->action = action;
	ae->target = target;
	ae->reason = reason;
	ae->ip = req->ip;
}

static int store_failed(struct sf_req *req, int rc, const char *what)
{
	sf_conn_rollback(sf_req_conn(req));
	if (rc == SF_EBUSY)
		return sf_req_fail(req, SF_EBUSY, "busy", "", "the database is busy; try again");
	return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot %s", what);
}

static void add_changed(struct sf_buf *b, const char *field)
{
	sf_buf_addf(b, "%s%s", b->len ? "," : "", field);
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
	if (!ident_ok(sf_json_str(body, "code"), 1, sizeof(u.code) - 1, true)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "code",
				 "code must be 1 to %zu letters, digits, '_', '.' or '-'",
				 sizeof(u.code) - 1);
		goto out;
	}
	rc = name_ok(req, sf_json_str(body, "name"), UNIT_NAME_MAX, sizeof(u.name_zh), "name");
	if (!rc && name_en && *name_en)
		rc = name_ok(req, name_en, 100, sizeof(u.name_en), "name_en");
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
	audit_init(req, &ae, "unit_add", target, u.name_zh);
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
		rc = store_failed(req, rc, "store the unit");
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
		rc = name_ok(req, s, UNIT_NAME_MAX, sizeof(u.name_zh), "name");
		if (rc)
			goto out;
		if (strcmp(s, u.name_zh) != 0)
			add_changed(&changed, "name");
		snprintf(u.name_zh, sizeof(u.name_zh), "%s", s);
	}
	if ((s = sf_json_str(body, "name_en")) != NULL) {
		if (*s) {
			rc = name_ok(req, s, 100, sizeof(u.name_en), "name_en");
			if (rc)
				goto out;
		}
		if (strcmp(s, u.name_en) != 0)
			add_changed(&changed, "name_en");
		snprintf(u.name_en, sizeof(u.name_en), "%s", s);
	}
	if (sf_json_int(body, "sort", &v)) {
		if (v != u.sort)
			add_changed(&changed, "sort");
		u.sort = v;
	}
	if (sf_json_int(body, "head_user_id", &v) || explicit_null(body, "head_user_id")) {
		if (!sf_json_has(body, "head_user_id"))
			v = 0;
		if (v) {
			rc = head_ok(req, v);
			if (rc)
				goto out;
		}
		if (v != u.head_user_id) {
			add_changed(&changed, "head_user_id");
			set_head = true;
		}
		u.head_user_id = v;
	}
	if (changed.len == 0)
		goto reply;
	snprintf(target, sizeof(target), "unit:%s", u.code);
	audit_init(req, &ae, "unit_update", target, changed.data);
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
		rc = store_failed(req, rc, "store the unit");
		goto out;
	}
reply:
	rc = reply_unit(req, 200, id);
out:
	sf_buf_release(&changed);
	sf_json_free(body);
	return rc;
}

/* ---- users ---- */

static bool role_needs_unit(enum sf_role r)
{
	return r == SF_ROLE_DEPT || r == SF_ROLE_COMMUNITY || r == SF_ROLE_GRID;
}

static void write_user(struct sf_req *req, struct sf_jw *w, const struct sf_user *u,
		       const char *phone_sealed)
{
	char when[32], masked[32];
	char *plain = NULL;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", u->id);
	sf_jw_kstr(w, "login", u->login);
	sf_jw_kstr(w, "name", u->name);
	sf_jw_kstr(w, "role", sf_role_name(u->role));
	sf_jw_kstr(w, "role_label", sf_role_label_zh(u->role));
	if (u->unit_id) {
		sf_jw_key(w, "unit");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", u->unit_id);
		sf_jw_kstr(w, "name", u->unit_name);
		sf_jw_kstr(w, "kind", u->unit_kind);
		sf_jw_obj_end(w);
	} else {
		sf_jw_knull(w, "unit");
	}
	sf_jw_kstr(w, "title", u->title);
	sf_jw_kbool(w, "disabled", u->disabled);
	sf_jw_kbool(w, "locked", u->locked_until > req->now);
	/* Only the mask leaves the server; the clear number is revealed nowhere here. */
	if (phone_sealed && *phone_sealed &&
	    sf_crypto_unseal(&req->app->key, phone_sealed, &plain, NULL) == 0 &&
	    sf_mask_phone(plain, masked, sizeof(masked)) < sizeof(masked))
		sf_jw_kstr(w, "phone", masked);
	else
		sf_jw_knull(w, "phone");
	if (plain) {
		memset(plain, 0, strlen(plain));
		free(plain);
	}
	sf_time_iso(u->created_at, when);
	sf_jw_kstr(w, "created_at", when);
	sf_jw_obj_end(w);
}

struct user_out {
	struct sf_req *req;
	struct sf_jw *w;
};

static int user_row(const struct sf_user_row *row, void *ctx)
{
	struct user_out *o = ctx;

	write_user(o->req, o->w, &row->u, row->phone_sealed);
	return 0;
}

int sf_api_users_list(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_user_filter f = { 0 };
	struct sf_unit unit;
	enum sf_role role;
	const char *s;
	int64_t unit_id = 0, offset = 0, total = 0;
	bool has_unit = false;
	struct sf_jw w;
	struct user_out o = { req, &w };
	int rc;

	rc = sf_api_limit(req, &f.limit);
	if (!rc)
		rc = sf_api_query_int(req, "offset", 0, 1000000, &offset, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "unit", 1, INT64_MAX, &unit_id, &has_unit);
	if (rc)
		return rc;
	f.offset = (int)offset;
	if (has_unit) {
		rc = sf_store_unit_get(c, unit_id, &unit);
		if (rc == SF_ENOTFOUND)
			return sf_req_fail(req, SF_EINVAL, "invalid_field", "unit", "no unit %lld",
					   (long long)unit_id);
		if (rc)
			return sf_req_fail(req, SF_EDB, "storage_error", "",
					   "cannot read the unit");
		f.unit_path = sf_arena_strdup(&req->arena, unit.path);
	}
	s = sf_req_query(req, "role");
	if (s && *s) {
		if (!sf_role_parse(s, &role))
			return sf_req_fail(req, SF_EINVAL, "invalid_field", "role",
					   "unknown role %.32s", s);
		f.role = s;
	}
	s = sf_req_query(req, "q");
	if (s && *s) {
		if (sf_utf8_count(s, strlen(s)) > 64 || sf_utf8_has_control(s, strlen(s), false))
			return sf_req_fail(req, SF_EINVAL, "invalid_field", "q",
					   "q must be at most 64 characters of one line");
		f.q = s;
	}
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_user_search(c, &f, &total, user_row, &o);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the users");
	sf_jw_arr_end(&w);
	sf_jw_kint(&w, "total", total);
	sf_jw_kint(&w, "limit", f.limit);
	sf_jw_kint(&w, "offset", f.offset);
	sf_jw_obj_end(&w);
	return 0;
}

static int reply_user(struct sf_req *req, int status, int64_t id)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_user u;
	char sealed[160];
	struct sf_jw w;
	int rc = sf_store_user_get(c, id, &u);

	if (!rc)
		rc = sf_store_user_phone(c, id, sealed);
	if (rc)
		return sf_req_fail(req, rc == SF_ENOTFOUND ? SF_ENOTFOUND : SF_EDB, NULL, "id",
				   "cannot read user %lld", (long long)id);
	sf_req_reply_json(req, status, &w);
	write_user(req, &w, &u, sealed);
	return 0;
}

/* Check a role given by an administrator: known, and a person's role. */
static int role_ok(struct sf_req *req, const char *s, enum sf_role *out)
{
	if (!sf_role_parse(s, out) || *out == SF_ROLE_PUBLIC || *out == SF_ROLE_SYSTEM)
		return sf_req_fail(
			req, SF_EINVAL, "invalid_field", "role",
			"role must be one of admin, leader, dispatcher, dept, community, "
			"grid, operator, enterprise, resident");
	return 0;
}

static int unit_exists(struct sf_req *req, int64_t id)
{
	struct sf_unit u;
	int rc = sf_store_unit_get(sf_req_conn(req), id, &u);

	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "unit_id", "no unit %lld",
				   (long long)id);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the unit");
	return 0;
}

/* Normalise, seal and index a phone; *sealed is malloc'd (caller frees). */
static int seal_phone(struct sf_req *req, const char *phone, char **sealed,
		      char index[SF_CRYPTO_HEX_SIZE])
{
	char norm[SF_PHONE_MAX];

	*sealed = NULL;
	if (sf_phone_normalise(phone, norm, sizeof(norm)) != 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "phone",
				   "phone must be a telephone number of 5 to 20 digits");
	if (sf_crypto_seal(&req->app->key, norm, sealed) != 0)
		return sf_req_fail(req, SF_EINTERNAL, NULL, "", "cannot seal the phone");
	sf_crypto_index(&req->app->key, norm, index);
	return 0;
}

static const struct sf_jfield user_create_spec[] = {
	{ "login", SF_JT_STRING, true, 32, 0, 0 },
	{ "name", SF_JT_STRING, true, USER_NAME_MAX, 0, 0 },
	{ "role", SF_JT_STRING, true, 16, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "title", SF_JT_STRING, false, USER_TITLE_MAX, 0, 0 },
	{ "password", SF_JT_STRING, true, 256, 0, 0 },
	{ "phone", SF_JT_STRING, false, 32, 0, 0 },
	{ 0 },
};

int sf_api_users_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_user u, other;
	struct sf_audit_entry ae;
	const char *login, *pw, *title, *phone;
	char *sealed = NULL;
	char index[SF_CRYPTO_HEX_SIZE] = "";
	char target[80];
	int64_t id = 0;
	int rc = sf_req_json(req, user_create_spec, &body);

	if (rc)
		return rc;
	memset(&u, 0, sizeof(u));
	login = sf_json_str(body, "login");
	pw = sf_json_str(body, "password");
	title = sf_json_str(body, "title");
	phone = sf_json_str(body, "phone");
	sf_json_int(body, "unit_id", &u.unit_id);
	if (!ident_ok(login, 3, 32, false)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "login",
				 "login must be 3 to 32 of a-z, 0-9, '_', '.' and '-'");
		goto out;
	}
	rc = name_ok(req, sf_json_str(body, "name"), USER_NAME_MAX, sizeof(u.name), "name");
	if (!rc && title && *title)
		rc = name_ok(req, title, USER_TITLE_MAX, sizeof(u.title), "title");
	if (!rc)
		rc = role_ok(req, sf_json_str(body, "role"), &u.role);
	if (!rc && u.unit_id)
		rc = unit_exists(req, u.unit_id);
	if (!rc && !u.unit_id && role_needs_unit(u.role))
		rc = sf_req_fail(req, SF_EINVAL, "missing_field", "unit_id",
				 "a %s user needs a unit_id (their data scope)",
				 sf_role_name(u.role));
	if (!rc)
		rc = sf_api_check_password(req, pw, "password");
	if (!rc && phone && *phone)
		rc = seal_phone(req, phone, &sealed, index);
	if (rc)
		goto out;
	snprintf(u.login, sizeof(u.login), "%s", login);
	snprintf(u.name, sizeof(u.name), "%s", sf_json_str(body, "name"));
	snprintf(u.title, sizeof(u.title), "%s", title ? title : "");
	rc = sf_store_user_by_login(c, login, &other);
	if (rc == 0) {
		rc = sf_req_fail(req, SF_ECONFLICT, "duplicate_login", "login",
				 "the login %s is taken", login);
		goto out;
	}
	if (rc != SF_ENOTFOUND) {
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the users");
		goto out;
	}
	if (sf_crypto_password_hash(pw, u.pw_hash) != 0) {
		rc = sf_req_fail(req, SF_EINTERNAL, NULL, "", "cannot hash the password");
		goto out;
	}
	snprintf(target, sizeof(target), "user:%s", u.login);
	audit_init(req, &ae, "user_add", target, sf_role_name(u.role));
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_user_insert(c, &u, sealed, sealed ? index : NULL, req->now, &id);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	/* A constraint failure is a login taken meanwhile, or (if the login is
	 * still free) a reference the store refused: not the person's fault. */
	if (rc == SF_ECONFLICT) {
		sf_conn_rollback(c);
		if (sf_store_user_by_login(c, login, &other) == 0)
			rc = sf_req_fail(req, SF_ECONFLICT, "duplicate_login", "login",
					 "the login %s is taken", login);
		else
			rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot store the user");
		goto out;
	}
	if (rc) {
		rc = store_failed(req, rc, "store the user");
		goto out;
	}
	rc = reply_user(req, 201, id);
out:
	free(sealed);
	sf_json_free(body);
	return rc;
}

static const struct sf_jfield user_patch_spec[] = {
	{ "name", SF_JT_STRING, false, USER_NAME_MAX, 0, 0 },
	{ "role", SF_JT_STRING, false, 16, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "title", SF_JT_STRING, false, USER_TITLE_MAX, 0, 0 },
	{ "disabled", SF_JT_BOOL, false, 0, 0, 0 },
	{ "password", SF_JT_STRING, false, 256, 0, 0 },
	{ "phone", SF_JT_STRING, false, 32, 0, 0 },
	{ 0 },
};

int sf_api_users_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_user u, before;
	struct sf_audit_entry ae;
	struct sf_buf changed;
	const char *s, *pw;
	char *sealed = NULL;
	char index[SF_CRYPTO_HEX_SIZE] = "";
	char target[80];
	bool fields = false, set_disabled = false, disabled = false, set_phone = false;
	int64_t id, v;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, user_patch_spec, &body);
	if (rc)
		return rc;
	sf_buf_init(&changed, 256);
	rc = sf_store_user_get(c, id, &u);
	if (rc) {
		rc = sf_req_fail(req, rc == SF_ENOTFOUND ? SF_ENOTFOUND : SF_EDB, NULL, "id",
				 "cannot read user %lld", (long long)id);
		goto out;
	}
	before = u;
	if ((s = sf_json_str(body, "name")) != NULL) {
		rc = name_ok(req, s, USER_NAME_MAX, sizeof(u.name), "name");
		if (rc)
			goto out;
		snprintf(u.name, sizeof(u.name), "%s", s);
	}
	if ((s = sf_json_str(body, "title")) != NULL) {
		if (*s && (rc = name_ok(req, s, USER_TITLE_MAX, sizeof(u.title), "title")) != 0)
			goto out;
		snprintf(u.title, sizeof(u.title), "%s", s);
	}
	if ((s = sf_json_str(body, "role")) != NULL) {
		rc = role_ok(req, s, &u.role);
		if (rc)
			goto out;
	}
	if (sf_json_int(body, "unit_id", &v) || explicit_null(body, "unit_id")) {
		if (!sf_json_has(body, "unit_id"))
			v = 0;
		if (v && (rc = unit_exists(req, v)) != 0)
			goto out;
		u.unit_id = v;
	}
	if (!u.unit_id && role_needs_unit(u.role)) {
		rc = sf_req_fail(req, SF_EINVAL, "missing_field", "unit_id",
				 "a %s user needs a unit_id (their data scope)",
				 sf_role_name(u.role));
		goto out;
	}
	if (sf_json_bool(body, "disabled", &disabled) && disabled != u.disabled)
		set_disabled = true;
	/* An administrator cannot lock themselves out by mistake. */
	if (id == req->who.user_id && (u.role != before.role || (set_disabled && disabled))) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field",
				 set_disabled ? "disabled" : "role",
				 "you cannot disable your own account or change your own role");
		goto out;
	}
	pw = sf_json_str(body, "password");
	if (pw && (rc = sf_api_check_password(req, pw, "password")) != 0)
		goto out;
	if ((s = sf_json_str(body, "phone")) != NULL || explicit_null(body, "phone")) {
		set_phone = true;
		if (s && *s && (rc = seal_phone(req, s, &sealed, index)) != 0)
			goto out;
	}
	if (strcmp(u.name, before.name) != 0)
		add_changed(&changed, "name");
	if (strcmp(u.title, before.title) != 0)
		add_changed(&changed, "title");
	if (u.role != before.role)
		sf_buf_addf(&changed, "%srole=%s", changed.len ? "," : "", sf_role_name(u.role));
	if (u.unit_id != before.unit_id)
		sf_buf_addf(&changed, "%sunit_id=%lld", changed.len ? "," : "",
			    (long long)u.unit_id);
	fields = changed.len > 0;
	if (set_disabled)
		add_changed(&changed, disabled ? "disabled" : "enabled");
	if (pw)
		add_changed(&changed, "password_reset");
	if (set_phone)
		add_changed(&changed, "phone");
	if (changed.len == 0)
		goto reply;
	if (pw && sf_crypto_password_hash(pw, u.pw_hash) != 0) {
		rc = sf_req_fail(req, SF_EINTERNAL, NULL, "", "cannot hash the password");
		goto out;
	}
	snprintf(target, sizeof(target), "user:%s", u.login);
	audit_init(req, &ae, "user_update", target, changed.data);
	rc = sf_conn_begin(c, true);
	if (!rc && fields)
		rc = sf_store_user_update(c, &u, req->now);
	if (!rc && set_disabled)
		rc = sf_store_user_set_disabled(c, id, disabled, req->now);
	/* A reset password ends the sessions opened with the old one. */
	if (!rc && pw)
		rc = sf_store_user_set_password(c, id, u.pw_hash, req->now);
	if (!rc && pw)
		rc = sf_store_session_delete_user(c, id);
	if (!rc && set_phone)
		rc = sf_store_user_set_phone(c, id, sealed, sealed ? index : NULL, req->now);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		rc = store_failed(req, rc, "store the user");
		goto out;
	}
reply:
	rc = reply_user(req, 200, id);
out:
	free(sealed);
	sf_buf_release(&changed);
	sf_json_free(body);
	return rc;
}

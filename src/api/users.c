/* People's accounts over HTTP (declared in admin.h): administrators and
 * leaders list them, administrators add and change them. Phones are sealed
 * and indexed on the way in and only ever shown masked; password hashes
 * never leave the store; disabling an account or resetting its password
 * ends its sessions. Each change is audited in its transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/app.h"
#include "api/common.h"
#include "api/fields.h"
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

#define USER_NAME_MAX 20
#define USER_TITLE_MAX 20

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
	if (!sf_fields_ident_ok(login, 3, 32, false)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "login",
				 "login must be 3 to 32 of a-z, 0-9, '_', '.' and '-'");
		goto out;
	}
	rc = sf_fields_name_ok(req, sf_json_str(body, "name"), USER_NAME_MAX, sizeof(u.name),
			       "name");
	if (!rc && title && *title)
		rc = sf_fields_name_ok(req, title, USER_TITLE_MAX, sizeof(u.title), "title");
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
	sf_fields_audit(req, &ae, "user_add", target, sf_role_name(u.role));
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
		rc = sf_fields_store_failed(req, rc, "store the user");
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
		rc = sf_fields_name_ok(req, s, USER_NAME_MAX, sizeof(u.name), "name");
		if (rc)
			goto out;
		snprintf(u.name, sizeof(u.name), "%s", s);
	}
	if ((s = sf_json_str(body, "title")) != NULL) {
		if (*s &&
		    (rc = sf_fields_name_ok(req, s, USER_TITLE_MAX, sizeof(u.title), "title")) != 0)
			goto out;
		snprintf(u.title, sizeof(u.title), "%s", s);
	}
	if ((s = sf_json_str(body, "role")) != NULL) {
		rc = role_ok(req, s, &u.role);
		if (rc)
			goto out;
	}
	if (sf_json_int(body, "unit_id", &v) || sf_fields_is_null(body, "unit_id")) {
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
	if ((s = sf_json_str(body, "phone")) != NULL || sf_fields_is_null(body, "phone")) {
		set_phone = true;
		if (s && *s && (rc = seal_phone(req, s, &sealed, index)) != 0)
			goto out;
	}
	if (strcmp(u.name, before.name) != 0)
		sf_fields_changed(&changed, "name");
	if (strcmp(u.title, before.title) != 0)
		sf_fields_changed(&changed, "title");
	if (u.role != before.role)
		sf_buf_addf(&changed, "%srole=%s", changed.len ? "," : "", sf_role_name(u.role));
	if (u.unit_id != before.unit_id)
		sf_buf_addf(&changed, "%sunit_id=%lld", changed.len ? "," : "",
			    (long long)u.unit_id);
	fields = changed.len > 0;
	if (set_disabled)
		sf_fields_changed(&changed, disabled ? "disabled" : "enabled");
	if (pw)
		sf_fields_changed(&changed, "password_reset");
	if (set_phone)
		sf_fields_changed(&changed, "phone");
	if (changed.len == 0)
		goto reply;
	if (pw && sf_crypto_password_hash(pw, u.pw_hash) != 0) {
		rc = sf_req_fail(req, SF_EINTERNAL, NULL, "", "cannot hash the password");
		goto out;
	}
	snprintf(target, sizeof(target), "user:%s", u.login);
	sf_fields_audit(req, &ae, "user_update", target, changed.data);
	rc = sf_conn_begin(c, true);
	if (!rc && fields)
		rc = sf_store_user_update(c, &u, req->now);
	if (!rc && fields) /* role, unit or name: cached sessions read again */
		sf_store_user_changed(c, id);
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
		rc = sf_fields_store_failed(req, rc, "store the user");
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

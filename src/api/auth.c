/* Sign-in and who-is-asking; see auth.h. Passwords are argon2id (libsodium);
 * session and API tokens are random and stored only as SHA-256 hashes; a
 * cookie-authenticated write must carry the session's CSRF token. */
#include "api/auth.h"

#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/common.h"
#include "store/audit.h"
#include "store/user.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/jw.h"

static void principal_from(struct sf_principal *p, const struct sf_user *u)
{
	p->user_id = u->id;
	p->role = u->role;
	p->unit_id = u->unit_id;
	snprintf(p->unit_path, sizeof(p->unit_path), "%s", u->unit_path);
	snprintf(p->login, sizeof(p->login), "%s", u->login);
	snprintf(p->name, sizeof(p->name), "%s", u->name);
}

int sf_auth_resolve(struct sf_req *req)
{
	struct sf_user u;
	char hash[SF_CRYPTO_HEX_SIZE];
	struct sf_conn *c;
	int rc;

	memset(&req->who, 0, sizeof(req->who));
	req->who.role = SF_ROLE_PUBLIC;
	if (req->authorization && strncmp(req->authorization, "Bearer ", 7) == 0) {
		const char *tok = req->authorization + 7;

		if (strlen(tok) > 128)
			return sf_req_fail(req, SF_EAUTH, "invalid_token", "Authorization",
					   "the API token is not valid");
		sf_crypto_token_hash(tok, hash);
		c = sf_req_conn(req);
		rc = sf_store_token_lookup(c, hash, req->now, &u);
		if (rc == SF_ENOTFOUND)
			return sf_req_fail(req, SF_EAUTH, "invalid_token", "Authorization",
					   "the API token is not valid or was revoked");
		if (rc)
			return sf_req_fail(req, SF_EDB, "storage_error", "",
					   "cannot check the token");
		principal_from(&req->who, &u);
		req->who.via_token = true;
		return 0;
	}
	if (!req->session_cookie || !*req->session_cookie || strlen(req->session_cookie) > 128)
		return 0;
	sf_crypto_token_hash(req->session_cookie, hash);
	c = sf_req_conn(req);
	rc = sf_store_session_lookup(c, hash, req->now, req->app->cfg.session_idle, &u,
				     req->who.csrf, &req->who.session_id);
	if (rc == SF_ENOTFOUND)
		return 0;
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot check the session");
	principal_from(&req->who, &u);
	return 0;
}

bool sf_auth_csrf_ok(const struct sf_req *req, const char *token)
{
	return req->who.csrf[0] && sf_crypto_equal(req->who.csrf, token);
}

static void write_me(struct sf_req *req, struct sf_jw *w, const struct sf_user *u, const char *csrf)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", u->id);
	sf_jw_kstr(w, "login", u->login);
	sf_jw_kstr(w, "name", u->name);
	sf_jw_kstr(w, "role", sf_role_name(u->role));
	sf_jw_kstr(w, "role_label", sf_role_label_zh(u->role));
	sf_jw_kstr(w, "title", u->title);
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
	if (csrf)
		sf_jw_kstr(w, "csrf", csrf);
	sf_jw_obj_end(w);
}

static const struct sf_jfield login_spec[] = {
	{ "login", SF_JT_STRING, true, 64, 0, 0 },
	{ "password", SF_JT_STRING, true, 256, 0, 0 },
	{ 0 },
};

int sf_api_login(struct sf_req *req)
{
	const struct sf_config *cfg = &req->app->cfg;
	struct sf_json *body = NULL;
	struct sf_user u;
	struct sf_conn *c;
	char token[SF_CRYPTO_TOKEN_SIZE], csrf[SF_CRYPTO_TOKEN_SIZE], hash[SF_CRYPTO_HEX_SIZE];
	struct sf_audit_entry ae = { 0 };
	struct sf_jw w;
	const char *login, *pw;
	int rc;

	rc = sf_req_json(req, login_spec, &body);
	if (rc)
		return rc;
	login = sf_json_str(body, "login");
	pw = sf_json_str(body, "password");
	c = sf_req_conn(req);
	rc = sf_store_user_by_login(c, login, &u);
	if (rc == SF_ENOTFOUND || (rc == 0 && u.disabled)) {
		/* Spend the same time as a real check so logins cannot be probed. */
		char dummy[SF_PW_HASH_MAX];

		sf_crypto_password_hash(pw, dummy);
		rc = sf_req_fail(req, SF_EAUTH, "invalid_credentials", "password",
				 "wrong login or password");
		goto out;
	}
	if (rc) {
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the account");
		goto out;
	}
	if (u.locked_until > req->now) {
		rc = sf_req_fail(req, SF_ELOCKED, "account_locked", "login",
				 "too many failed sign-ins; try again in %lld minutes",
				 (long long)((u.locked_until - req->now + 59) / 60));
		goto out;
	}
	ae.at = req->now;
	ae.user_id = u.id;
	ae.actor_name = u.name;
	ae.ip = req->ip;
	ae.target = login;
	if (!sf_crypto_password_verify(u.pw_hash, pw)) {
		int failed = u.failed_logins + 1;
		int64_t until = failed >= cfg->lockout_attempts ? req->now + cfg->lockout_secs : 0;

		rc = sf_conn_begin(c, true);
		if (!rc)
			rc = sf_store_user_login_failed(c, u.id, until ? 0 : failed, until);
		ae.action = until ? "login_locked" : "login_failed";
		if (!rc)
			rc = sf_store_audit_append(c, &ae);
		if (!rc)
			rc = sf_conn_commit(c);
		sf_conn_rollback(c);
		if (until)
			rc = sf_req_fail(
				req, SF_ELOCKED, "account_locked", "login",
				"too many failed sign-ins; the account is locked for %d minutes",
				cfg->lockout_secs / 60);
		else
			rc = sf_req_fail(req, SF_EAUTH, "invalid_credentials", "password",
					 "wrong login or password");
		goto out;
	}
	sf_crypto_token(token, sizeof(token));
	sf_crypto_token(csrf, sizeof(csrf));
	sf_crypto_token_hash(token, hash);
	ae.action = "login";
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_user_login_ok(c, u.id);
	if (!rc)
		rc = sf_store_session_create(c, hash, u.id, csrf, req->now,
					     req->now + cfg->session_ttl, req->ip);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot start the session");
		goto out;
	}
	req->set_cookie[req->nset_cookie++] = sf_arena_printf(
		&req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		SF_AUTH_COOKIE, token, cfg->session_ttl, cfg->secure_cookie ? "; Secure" : "");
	sf_req_reply_json(req, 200, &w);
	write_me(req, &w, &u, csrf);
out:
	sf_json_free(body);
	return rc;
}

int sf_api_logout(struct sf_req *req)
{
	char hash[SF_CRYPTO_HEX_SIZE];
	struct sf_jw w;

	if (req->session_cookie && *req->session_cookie && strlen(req->session_cookie) <= 128) {
		sf_crypto_token_hash(req->session_cookie, hash);
		if (sf_store_session_delete(sf_req_conn(req), hash))
			return sf_req_fail(req, SF_EDB, "storage_error", "",
					   "cannot end the session");
	}
	req->set_cookie[req->nset_cookie++] = sf_arena_printf(
		&req->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", SF_AUTH_COOKIE);
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kbool(&w, "ok", true);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_me(struct sf_req *req)
{
	struct sf_user u;
	struct sf_jw w;
	int rc = sf_store_user_get(sf_req_conn(req), req->who.user_id, &u);

	if (rc)
		return sf_req_fail(req, rc == SF_ENOTFOUND ? SF_EAUTH : SF_EDB, NULL, "",
				   "cannot read your account");
	sf_req_reply_json(req, 200, &w);
	write_me(req, &w, &u, req->who.via_token ? NULL : req->who.csrf);
	return 0;
}

static const struct sf_jfield password_spec[] = {
	{ "old_password", SF_JT_STRING, true, 256, 0, 0 },
	{ "new_password", SF_JT_STRING, true, 256, 0, 0 },
	{ 0 },
};

int sf_api_password(struct sf_req *req)
{
	struct sf_json *body = NULL;
	struct sf_user u;
	struct sf_conn *c = sf_req_conn(req);
	char hash[SF_PW_HASH_MAX];
	struct sf_jw w;
	const char *np;
	int rc = sf_req_json(req, password_spec, &body);

	if (rc)
		return rc;
	rc = sf_store_user_get(c, req->who.user_id, &u);
	if (rc) {
		rc = sf_req_fail(req, SF_EDB, NULL, "", "cannot read your account");
		goto out;
	}
	if (!sf_crypto_password_verify(u.pw_hash, sf_json_str(body, "old_password"))) {
		rc = sf_req_fail(req, SF_EFORBIDDEN, "invalid_credentials", "old_password",
				 "the current password is wrong");
		goto out;
	}
	np = sf_json_str(body, "new_password");
	rc = sf_api_check_password(req, np, "new_password");
	if (rc)
		goto out;
	if (sf_crypto_password_hash(np, hash)) {
		rc = sf_req_fail(req, SF_EINTERNAL, NULL, "", "cannot hash the password");
		goto out;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_user_set_password(c, u.id, hash, req->now);
	/* Other sessions (another browser, a lost phone) end with the old
	 * password; this one goes on. */
	if (!rc)
		rc = sf_store_session_delete_others(c, u.id, req->who.session_id);
	if (!rc) {
		struct sf_audit_entry ae = { .at = req->now,
					     .user_id = u.id,
					     .actor_name = u.name,
					     .action = "password_change",
					     .target = u.login,
					     .ip = req->ip };
		rc = sf_store_audit_append(c, &ae);
	}
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_req_fail(req, SF_EDB, NULL, "", "cannot save the password");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kbool(&w, "ok", true);
	sf_jw_obj_end(&w);
out:
	sf_json_free(body);
	return rc;
}

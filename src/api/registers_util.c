/* Shared rules of the register, pairing and visit handlers; see
 * registers_impl.h. */
#include "api/registers_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "domain/credit.h"
#include "domain/mask.h"
#include "store/audit.h"
#include "util/crypto.h"
#include "util/mem.h"
#include "util/timefmt.h"
#include "util/utf8.h"

bool sf_regapi_privileged(const struct sf_principal *who)
{
	return who->role == SF_ROLE_ADMIN || who->role == SF_ROLE_LEADER ||
	       who->role == SF_ROLE_DISPATCHER;
}

bool sf_regapi_sees_path(const struct sf_principal *who, const char *path)
{
	size_t n = strlen(who->unit_path);

	if (sf_regapi_privileged(who))
		return true;
	return n > 0 && path && strncmp(path, who->unit_path, n) == 0;
}

bool sf_regapi_sees_enterprise(const struct sf_principal *who, const struct sf_enterprise *e)
{
	if (sf_regapi_privileged(who))
		return true;
	if (who->user_id &&
	    (e->leader_user_id == who->user_id || e->liaison_user_id == who->user_id))
		return true;
	return (e->unit_path[0] && sf_regapi_sees_path(who, e->unit_path)) ||
	       (e->grid_path[0] && sf_regapi_sees_path(who, e->grid_path));
}

bool sf_regapi_sees_household(const struct sf_principal *who, const struct sf_household *h)
{
	return sf_regapi_sees_path(who, h->unit_path) ||
	       (h->group_path[0] && sf_regapi_sees_path(who, h->group_path)) ||
	       (h->place_grid_path[0] && sf_regapi_sees_path(who, h->place_grid_path));
}

bool sf_regapi_sees_place(const struct sf_principal *who, const struct sf_place *p)
{
	return (p->unit_path[0] && sf_regapi_sees_path(who, p->unit_path)) ||
	       (p->grid_path[0] && sf_regapi_sees_path(who, p->grid_path));
}

bool sf_regapi_sees_archived(const struct sf_principal *who)
{
	return who->role == SF_ROLE_ADMIN || who->role == SF_ROLE_LEADER;
}

bool sf_regapi_blank(const char *s)
{
	if (!s)
		return true;
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			return false;
	}
	return true;
}

void sf_regapi_trim(const char *s, char *out, size_t cap)
{
	const char *end;

	if (!cap)
		return;
	out[0] = '\0';
	if (!s)
		return;
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			break;
	}
	end = s + strlen(s);
	for (;;) {
		if (end > s &&
		    (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		else if (end - s >= 3 && strncmp(end - 3, "\xe3\x80\x80", 3) == 0)
			end -= 3;
		else
			break;
	}
	snprintf(out, cap, "%.*s", (int)(end - s), s);
}

int sf_regapi_text(const char *s, const char *field, size_t max, bool required, bool multiline,
		   struct sf_error *err)
{
	size_t len;

	if (sf_regapi_blank(s)) {
		if (required)
			return sf_error_set(err, SF_EINVAL, "missing_field", field,
					    "%s is required", field);
		return 0;
	}
	len = strlen(s);
	if (!sf_utf8_valid(s, len))
		return sf_error_set(err, SF_EINVAL, "invalid_utf8", field, "%s is not valid UTF-8",
				    field);
	if (sf_utf8_has_control(s, len, multiline))
		return sf_error_set(err, SF_EINVAL, "invalid_field", field,
				    "%s has control characters", field);
	if (sf_utf8_count(s, len) > max)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "%s is longer than %zu characters", field, max);
	return 0;
}

static int seal_into(struct sf_app *app, const char *norm, struct sf_pii *out, struct sf_error *err)
{
	char *sealed = NULL;
	int rc = sf_crypto_seal(&app->key, norm, &sealed);

	if (rc)
		return sf_error_set(err, SF_EINTERNAL, "internal", "", "cannot seal personal data");
	snprintf(out->sealed, sizeof(out->sealed), "%s", sealed);
	free(sealed);
	sf_crypto_index(&app->key, norm, out->index);
	return 0;
}

int sf_regapi_phone(struct sf_app *app, const char *clear, const char *field, struct sf_pii *out,
		    struct sf_error *err)
{
	char norm[SF_PHONE_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (sf_regapi_blank(clear))
		return 0;
	if (strlen(clear) > 40 || sf_phone_normalise(clear, norm, sizeof(norm)) != 0)
		return sf_error_set(err, SF_EINVAL, "invalid_phone", field,
				    "%s is not a phone number", field);
	rc = seal_into(app, norm, out, err);
	sf_mask_phone(norm, out->mask, sizeof(out->mask));
	explicit_bzero(norm, sizeof(norm));
	return rc;
}

int sf_regapi_id_no(struct sf_app *app, const char *clear, const char *field, struct sf_pii *out,
		    struct sf_error *err)
{
	char norm[32];
	int rc;

	memset(out, 0, sizeof(*out));
	if (sf_regapi_blank(clear))
		return 0;
	sf_resident_id_normalise(clear, norm, sizeof(norm));
	if (strlen(clear) > 40 || !sf_resident_id_valid(norm))
		return sf_error_set(err, SF_EINVAL, "invalid_id_no", field,
				    "%s is not a valid resident identity number (18 characters, "
				    "check digit)",
				    field);
	rc = seal_into(app, norm, out, err);
	sf_mask_id(norm, out->mask, sizeof(out->mask));
	explicit_bzero(norm, sizeof(norm));
	return rc;
}

bool sf_regapi_phone_index(struct sf_app *app, const char *clear, char out[65])
{
	char norm[SF_PHONE_MAX];

	out[0] = '\0';
	if (!clear || strlen(clear) > 40 || sf_phone_normalise(clear, norm, sizeof(norm)) != 0)
		return false;
	sf_crypto_index(&app->key, norm, out);
	return true;
}

bool sf_regapi_id_no_index(struct sf_app *app, const char *clear, char out[65])
{
	char norm[32];

	out[0] = '\0';
	if (!clear || strlen(clear) > 40)
		return false;
	sf_resident_id_normalise(clear, norm, sizeof(norm));
	if (!sf_resident_id_valid(norm))
		return false;
	sf_crypto_index(&app->key, norm, out);
	return true;
}

/* Add one tag to out ("a,b"), skipping duplicates. */
static int add_tag(const char *tag, size_t n, const char *field, char *out, size_t cap, int *count,
		   struct sf_error *err)
{
	char raw[SF_REG_TAG_MAX * 4 + 8], t[sizeof(raw)], padded[sizeof(t) + 2], hay[512];
	size_t used = strlen(out);

	if (n >= sizeof(raw))
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "a tag is longer than %d characters", SF_REG_TAG_MAX);
	memcpy(raw, tag, n);
	raw[n] = '\0';
	sf_regapi_trim(raw, t, sizeof(t));
	if (!t[0])
		return 0;
	if (sf_utf8_count(t, strlen(t)) > SF_REG_TAG_MAX)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "a tag is longer than %d characters", SF_REG_TAG_MAX);
	if (sf_utf8_has_control(t, strlen(t), false) || !sf_utf8_valid(t, strlen(t)))
		return sf_error_set(err, SF_EINVAL, "invalid_field", field,
				    "a tag has control characters");
	snprintf(padded, sizeof(padded), ",%s,", t);
	snprintf(hay, sizeof(hay), ",%s,", out);
	if (strstr(hay, padded))
		return 0;
	if (++*count > SF_REG_TAGS_MAX)
		return sf_error_set(err, SF_EINVAL, "too_many", field, "at most %d tags",
				    SF_REG_TAGS_MAX);
	if (used + strlen(t) + 2 > cap)
		return sf_error_set(err, SF_EINVAL, "too_long", field, "the tags are too long");
	snprintf(out + used, cap - used, "%s%s", used ? "," : "", t);
	return 0;
}

int sf_regapi_tags_text(const char *in, const char *field, char *out, size_t cap,
			struct sf_error *err)
{
	static const char *const seps[] = { ",",
					    ";",
					    "|",
					    "\xef\xbc\x8c" /* ， */,
					    "\xe3\x80\x81" /* 、 */,
					    "\xef\xbc\x9b" /* ； */ };
	const char *p = in, *start;
	int count = 0, rc;

	out[0] = '\0';
	if (!in)
		return 0;
	if (strlen(in) > 1000)
		return sf_error_set(err, SF_EINVAL, "too_long", field, "the tags are too long");
	start = p;
	while (*p) {
		size_t sep = 0;

		for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
			if (!strncmp(p, seps[i], strlen(seps[i])))
				sep = strlen(seps[i]);
		if (!sep) {
			p++;
			continue;
		}
		rc = add_tag(start, (size_t)(p - start), field, out, cap, &count, err);
		if (rc)
			return rc;
		p += sep;
		start = p;
	}
	return add_tag(start, (size_t)(p - start), field, out, cap, &count, err);
}

int sf_regapi_tags_json(const struct sf_json *o, const char *key, char *out, size_t cap,
			struct sf_error *err)
{
	size_t n = sf_json_array_len(o, key);
	int count = 0, rc;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *t = sf_json_array_str(o, key, i);

		if (!t)
			continue;
		if (strchr(t, ','))
			return sf_error_set(err, SF_EINVAL, "invalid_field", key,
					    "a tag may not hold a comma");
		rc = add_tag(t, strlen(t), key, out, cap, &count, err);
		if (rc)
			return rc;
	}
	return 0;
}

int sf_regapi_unit(struct sf_conn *c, int64_t id, const char *field, const char *const *kinds,
		   struct sf_unit *out, struct sf_error *err)
{
	int rc = id > 0 ? sf_store_unit_get(c, id, out) : SF_ENOTFOUND;
	bool ok = kinds == NULL;

	if (rc == SF_ENOTFOUND)
		return sf_error_set(err, SF_EINVAL, "unknown_reference", field,
				    "%s: no unit with id %lld", field, (long long)id);
	if (rc)
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the unit");
	for (size_t i = 0; kinds && kinds[i]; i++)
		if (!strcmp(out->kind, kinds[i]))
			ok = true;
	if (!ok)
		return sf_error_set(err, SF_EINVAL, "invalid_reference", field,
				    "%s: unit %lld is a %s, not a %s", field, (long long)id,
				    out->kind, kinds[0]);
	return 0;
}

void sf_regapi_kref(struct sf_jw *w, const char *k, int64_t id, const char *name)
{
	if (id <= 0) {
		sf_jw_knull(w, k);
		return;
	}
	sf_jw_key(w, k);
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", id);
	sf_jw_kstr(w, "name", name ? name : "");
	sf_jw_obj_end(w);
}

void sf_regapi_ktags(struct sf_jw *w, const char *k, const char *tags)
{
	const char *p = tags ? tags : "";

	sf_jw_key(w, k);
	sf_jw_arr_begin(w);
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n)
			sf_jw_strn(w, p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	sf_jw_arr_end(w);
}

void sf_regapi_kname(struct sf_jw *w, const char *k, const char *name, bool clear)
{
	char masked[128];

	if (!name || !*name) {
		sf_jw_kstr(w, k, "");
		return;
	}
	if (clear) {
		sf_jw_kstr(w, k, name);
		return;
	}
	sf_mask_name(name, masked, sizeof(masked));
	sf_jw_kstr(w, k, masked);
}

void sf_regapi_karchived(struct sf_jw *w, const struct sf_archived *a)
{
	sf_jw_ktime(w, "archived_at", a->at);
	sf_regapi_kref(w, "archived_by", a->at ? a->by : 0, a->by_name);
	sf_jw_kstr(w, "archive_reason", a->at ? a->reason : "");
}

int sf_regapi_store_fail(struct sf_req *req, int rc, const char *field, const char *msg)
{
	if (rc == SF_ECONFLICT)
		return sf_req_fail(req, SF_ECONFLICT, "conflict", field, "%s", msg);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", msg);
	if (rc == SF_EBUSY)
		return sf_req_fail(req, SF_EBUSY, "busy", "", "the database is busy; try again");
	return sf_req_fail(req, SF_EDB, "storage_error", "", "%s", msg);
}

static const struct sf_jfield reveal_spec[] = {
	{ "reason", SF_JT_STRING, true, SF_REG_REASON_MAX, 0, 0 },
	{ "field", SF_JT_STRING, false, 32, 0, 0 },
	{ 0 },
};

int sf_regapi_reveal(struct sf_req *req, const char *kind, int64_t id, const char *const *fields)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_audit_entry ae = { 0 };
	char sealed[sizeof(((struct sf_pii *)0)->sealed)], target[80];
	char *plain = NULL;
	const char *field;
	struct sf_jw w;
	bool known = false;
	int rc;

	if (!sf_regapi_privileged(&req->who))
		return sf_req_fail(req, SF_EFORBIDDEN, "role_not_allowed", "",
				   "only admin, leader and dispatcher may reveal personal data");
	rc = sf_req_json(req, reveal_spec, &body);
	if (rc)
		return rc;
	field = sf_json_str(body, "field");
	if (!field)
		field = fields[0];
	for (size_t i = 0; fields[i]; i++)
		if (!strcmp(field, fields[i]))
			known = true;
	if (!known) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "field", "field must be %s%s%s",
				 fields[0], fields[1] ? " or " : "", fields[1] ? fields[1] : "");
		goto out;
	}
	rc = sf_regapi_text(sf_json_str(body, "reason"), "reason", SF_REG_REASON_MAX, true, false,
			    &req->err);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (rc) {
		rc = sf_regapi_store_fail(req, SF_EBUSY, "", "");
		goto out;
	}
	rc = sf_store_register_sealed(c, kind, id, field, sealed, sizeof(sealed));
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "", "no such record");
		goto out;
	}
	if (sealed[0]) {
		rc = sf_crypto_unseal(&req->app->key, sealed, &plain, &req->err);
		if (rc)
			goto out;
	}
	snprintf(target, sizeof(target), "%s:%lld:%s", kind, (long long)id, field);
	ae.at = req->now;
	ae.user_id = req->who.user_id;
	ae.actor_name = req->who.name;
	ae.action = "reveal";
	ae.target = target;
	ae.reason = sf_json_str(body, "reason");
	ae.ip = req->ip;
	rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "", "cannot write the audit log");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", id);
	sf_jw_kstr(&w, "field", field);
	sf_jw_kstr(&w, "value", plain);
	sf_jw_obj_end(&w);
out:
	sf_conn_rollback(c);
	if (plain) {
		explicit_bzero(plain, strlen(plain));
		free(plain);
	}
	sf_json_free(body);
	return rc;
}

static const struct sf_jfield archive_spec[] = {
	{ "reason", SF_JT_STRING, true, SF_REG_REASON_MAX, 0, 0 },
	{ 0 },
};

int sf_regapi_archive(struct sf_req *req, const char *kind, int64_t id, bool archive)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *body = NULL;
	struct sf_audit_entry ae = { 0 };
	char target[64];
	int rc = sf_req_json(req, archive_spec, &body);

	if (rc)
		return rc;
	rc = sf_regapi_text(sf_json_str(body, "reason"), "reason", SF_REG_REASON_MAX, true, false,
			    &req->err);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (rc) {
		rc = sf_regapi_store_fail(req, SF_EBUSY, "", "");
		goto out;
	}
	rc = sf_store_register_archive(c, kind, id, archive, req->who.user_id,
				       sf_json_str(body, "reason"), req->now);
	if (rc == SF_ECONFLICT) {
		rc = archive ? sf_req_fail(req, SF_ECONFLICT, "archived", "",
					   "%s %lld is archived already", kind, (long long)id)
			     : sf_req_fail(req, SF_ECONFLICT, "not_archived", "",
					   "%s %lld is not archived; nothing to restore", kind,
					   (long long)id);
		goto out;
	}
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "",
					  archive ? "cannot archive the record"
						  : "cannot restore the record");
		goto out;
	}
	snprintf(target, sizeof(target), "%s:%lld", kind, (long long)id);
	ae.at = req->now;
	ae.user_id = req->who.user_id;
	ae.actor_name = req->who.name;
	ae.action = archive ? "archive" : "restore";
	ae.target = target;
	ae.reason = sf_json_str(body, "reason");
	ae.ip = req->ip;
	rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc)
		rc = sf_regapi_store_fail(req, rc, "", "cannot write the audit log");
out:
	if (rc)
		sf_conn_rollback(c);
	sf_json_free(body);
	return rc;
}

int sf_regapi_archived_fail(struct sf_req *req, const char *what, int64_t id)
{
	return sf_req_fail(req, SF_ECONFLICT, "archived", "",
			   "%s %lld is archived; restore it before changing it", what,
			   (long long)id);
}

int sf_regapi_query_archived(struct sf_req *req, int *out)
{
	int flag = -1;
	int rc = sf_regapi_query_flag(req, "archived", &flag);

	*out = SF_REG_LIVE;
	if (rc || flag != 1)
		return rc;
	if (!sf_regapi_sees_archived(&req->who))
		return sf_req_fail(req, SF_EFORBIDDEN, "role_not_allowed", "archived",
				   "only admin and leaders list archived records");
	*out = SF_REG_ARCHIVED;
	return 0;
}

int sf_regapi_place_link(struct sf_conn *c, int64_t place_id, int64_t old_place_id,
			 const char *field, struct sf_error *err)
{
	struct sf_place *p;
	int rc;

	if (!place_id || place_id == old_place_id)
		return 0;
	p = sf_xmalloc(sizeof(*p));
	rc = sf_store_place_get(c, place_id, p);
	if (rc == SF_ENOTFOUND)
		rc = sf_error_set(err, SF_EINVAL, "unknown_reference", field,
				  "%s: no place with id %lld", field, (long long)place_id);
	else if (rc)
		rc = sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the place");
	else if (p->archived.at)
		rc = sf_error_set(err, SF_EINVAL, "archived_reference", field,
				  "%s: place %s is archived", field, p->name);
	free(p);
	return rc;
}

int sf_regapi_query_flag(struct sf_req *req, const char *name, int *out)
{
	const char *s = sf_req_query(req, name);

	*out = -1;
	if (!s || !*s)
		return 0;
	if (!strcmp(s, "1") || !strcmp(s, "true"))
		*out = 1;
	else if (!strcmp(s, "0") || !strcmp(s, "false"))
		*out = 0;
	else
		return sf_req_fail(req, SF_EINVAL, "invalid_field", name, "%s must be 0 or 1",
				   name);
	return 0;
}

int sf_regapi_query_unit_path(struct sf_req *req, const char *name, char *out, size_t cap)
{
	struct sf_unit u;
	int64_t id = 0;
	bool present = false;
	int rc = sf_api_query_int(req, name, 1, INT64_MAX, &id, &present);

	out[0] = '\0';
	if (rc || !present)
		return rc;
	rc = sf_store_unit_get(sf_req_conn(req), id, &u);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_EINVAL, "unknown_reference", name,
				   "no unit with id %lld", (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the unit");
	snprintf(out, cap, "%s", u.path);
	return 0;
}

int sf_regapi_list_params(struct sf_req *req, int *limit, bool *count)
{
	int flag = -1;
	int rc = sf_api_limit(req, limit);

	if (!rc)
		rc = sf_regapi_query_flag(req, "count", &flag);
	*count = flag == 1;
	return rc;
}

void sf_regapi_items_begin(struct sf_req *req, struct sf_jw *w)
{
	sf_req_reply_json(req, 200, w);
	sf_jw_obj_begin(w);
	sf_jw_key(w, "items");
	sf_jw_arr_begin(w);
}

void sf_regapi_items_next(struct sf_jw *w, bool full, int64_t last)
{
	sf_jw_arr_end(w);
	if (full)
		sf_jw_kint(w, "next", last);
	else
		sf_jw_knull(w, "next");
}

int sf_regapi_duplicate_fail(struct sf_req *req, const char *code, const char *field,
			     const char *what, int64_t other, bool archived, const char *has)
{
	return sf_req_fail(req, SF_ECONFLICT, code, field, "%s %lld%s already has %s%s", what,
			   (long long)other, archived ? " (archived)" : "", has,
			   archived ? "; restore it rather than adding it again" : "");
}

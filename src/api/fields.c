/* Field rules shared by the administration handlers; see fields.h. */
#include "api/fields.h"

#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

bool sf_fields_blank(const char *s)
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

bool sf_fields_ident_ok(const char *s, size_t min, size_t max, bool upper)
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

int sf_fields_name_ok(struct sf_req *req, const char *s, size_t max, size_t cap, const char *field)
{
	size_t n = strlen(s);

	if (sf_fields_blank(s))
		return sf_req_fail(req, SF_EINVAL, "missing_field", field, "%s must not be blank",
				   field);
	if (sf_utf8_count(s, n) > max || n >= cap)
		return sf_req_fail(req, SF_EINVAL, "too_long", field,
				   "%s is too long (at most %zu characters and %zu bytes of UTF-8)",
				   field, max, cap - 1);
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

bool sf_fields_is_null(const struct sf_json *body, const char *key)
{
	struct null_probe p = { key, false };

	sf_json_each(body, probe_null, &p);
	return p.found;
}

void sf_fields_changed(struct sf_buf *b, const char *field)
{
	sf_buf_addf(b, "%s%s", b->len ? "," : "", field);
}

void sf_fields_audit(struct sf_req *req, struct sf_audit_entry *ae, const char *action,
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

int sf_fields_store_failed(struct sf_req *req, int rc, const char *what)
{
	sf_conn_rollback(sf_req_conn(req));
	if (rc == SF_EBUSY)
		return sf_req_fail(req, SF_EBUSY, "busy", "", "the database is busy; try again");
	return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot %s", what);
}

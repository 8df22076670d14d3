/* Field rules shared by the administration handlers (catalogue, units,
 * accounts, calendar): blank names, codes, names within a character and a
 * byte limit, null in a PATCH body (which clears a reference), the list of
 * changed fields and the audit entry a write records. Not the JSON spec
 * check itself (util/json.h) nor any resource's own rules. */
#ifndef SF_API_FIELDS_H
#define SF_API_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/req.h"
#include "store/audit.h"
#include "util/buf.h"

struct sf_json;

/* Empty or only white space (ASCII or the ideographic space U+3000). */
bool sf_fields_blank(const char *s);
/* min..max characters of [a-z0-9_.-], and A-Z too when upper. */
bool sf_fields_ident_ok(const char *s, size_t min, size_t max, bool upper);
/* A name that is not blank, has at most max characters and fits cap bytes
 * (NUL included). SF_EINVAL in req->err naming field ("missing_field",
 * "too_long"). */
int sf_fields_name_ok(struct sf_req *req, const char *s, size_t max, size_t cap, const char *field);
/* Whether body has key with the value null (sf_json_* read it as absent). */
bool sf_fields_is_null(const struct sf_json *body, const char *key);
/* Append field to a comma-separated list of changed fields. */
void sf_fields_changed(struct sf_buf *b, const char *field);
/* Fill ae for an action by the person asking, at the request's time and
 * address. The strings are borrowed. */
void sf_fields_audit(struct sf_req *req, struct sf_audit_entry *ae, const char *action,
		     const char *target, const char *reason);
/* Roll back the request's transaction and record a storage failure (busy:
 * 503, else 500) while doing `what`; returns the error. */
int sf_fields_store_failed(struct sf_req *req, int rc, const char *what);

#endif

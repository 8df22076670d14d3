/* Loading an Open311 catalogue (`sanfu services import`, the admin API):
 * the shape of GET services with each service's attribute definitions
 * inline, plus Sanfu's own fields. Every service and attribute is checked
 * and normalised before one write transaction with its audit entry, so a
 * bad file changes nothing. */
#include "api/open311.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/catalog.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/unit.h"
#include "util/json.h"
#include "util/utf8.h"

/* dst = a, or a.b when b is not empty, cut to cap bytes (error fields). */
static void join_field(char *dst, size_t cap, const char *a, const char *b)
{
	size_t n = 0;

	for (const char *p = a; *p && n + 1 < cap; p++)
		dst[n++] = *p;
	if (b && *b && n + 1 < cap)
		dst[n++] = '.';
	for (const char *p = b ? b : ""; *p && n + 1 < cap; p++)
		dst[n++] = *p;
	dst[n] = '\0';
}

static const char *const datatypes[] = { "string",          "number",         "datetime", "text",
					 "singlevaluelist", "multivaluelist", NULL };

static bool is_list_type(const char *t)
{
	return strcmp(t, "singlevaluelist") == 0 || strcmp(t, "multivaluelist") == 0;
}

static bool datatype_ok(const char *t)
{
	for (size_t i = 0; datatypes[i]; i++)
		if (strcmp(t, datatypes[i]) == 0)
			return true;
	return false;
}

/* ---- checking attribute definitions (import) ---- */

static bool code_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static int text_max(const char *s, size_t max, bool one_line, const char *field,
		    struct sf_error *err)
{
	size_t n = strlen(s);

	if (sf_utf8_count(s, n) > max)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "%s is too long (at most %zu characters)", field, max);
	if (sf_utf8_has_control(s, n, !one_line))
		return sf_error_set(err, SF_EINVAL, "invalid_field", field,
				    "%s holds control characters", field);
	return 0;
}

static const struct sf_jfield attr_spec[] = {
	{ "variable", SF_JT_BOOL, false, 0, 0, 0 },
	{ "code", SF_JT_STRING, true, 48, 0, 0 },
	{ "datatype", SF_JT_STRING, true, 20, 0, 0 },
	{ "required", SF_JT_BOOL, false, 0, 0, 0 },
	{ "datatype_description", SF_JT_TEXT, false, 500, 0, 0 },
	{ "order", SF_JT_INT, false, 0, 1, 1000000 },
	{ "description", SF_JT_TEXT, false, 1000, 0, 0 },
	{ "values", SF_JT_ANY, false, 0, 0, 0 },
	{ 0 },
};

struct norm_attr {
	struct sf_json *it;
	int64_t order;
	size_t index; /* in the file, for error fields */
};

/* Check one value list; write it to w. */
static int norm_values(const struct sf_json *it, const char *datatype, const char *where,
		       struct sf_jw *w, struct sf_error *err)
{
	struct sf_json *vals = NULL;
	char field[160];
	size_t nv;
	int rc = sf_json_get(it, "values", &vals);

	join_field(field, sizeof(field), where, "values");
	if (rc == SF_ENOTFOUND) {
		if (is_list_type(datatype))
			return sf_error_set(err, SF_EINVAL, "missing_field", field,
					    "%s: a %s needs values", field, datatype);
		sf_jw_key(w, "values");
		sf_jw_arr_begin(w);
		sf_jw_arr_end(w);
		return 0;
	}
	if (sf_json_kind(vals) != SF_JSON_ARRAY) {
		sf_json_free(vals);
		return sf_error_set(err, SF_EINVAL, "invalid_type", field, "%s must be an array",
				    field);
	}
	nv = sf_json_len(vals);
	if (!is_list_type(datatype) && nv) {
		sf_json_free(vals);
		return sf_error_set(err, SF_EINVAL, "invalid_field", field,
				    "%s: only singlevaluelist and multivaluelist have values",
				    field);
	}
	if (is_list_type(datatype) && !nv) {
		sf_json_free(vals);
		return sf_error_set(err, SF_EINVAL, "missing_field", field, "%s: a %s needs values",
				    field, datatype);
	}
	if (nv > SF_O311_VALUES_MAX) {
		sf_json_free(vals);
		return sf_error_set(err, SF_EINVAL, "too_long", field, "%s: at most %d values",
				    field, SF_O311_VALUES_MAX);
	}
	sf_jw_key(w, "values");
	sf_jw_arr_begin(w);
	rc = 0;
	for (size_t j = 0; j < nv && !rc; j++) {
		struct sf_json *v = NULL;
		char vf[192];
		char kbuf[24];
		const char *k, *name;
		int64_t kint;

		snprintf(vf, sizeof(vf), "%s[%zu]", field, j);
		sf_json_at(vals, j, &v);
		if (sf_json_kind(v) != SF_JSON_OBJECT) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_type", vf,
					  "%s must be an object with key and name", vf);
			sf_json_free(v);
			break;
		}
		k = sf_json_str(v, "key");
		if (!k && sf_json_int(v, "key", &kint)) {
			snprintf(kbuf, sizeof(kbuf), "%lld", (long long)kint);
			k = kbuf;
		}
		name = sf_json_str(v, "name");
		if (!k || !*k)
			rc = sf_error_set(err, SF_EINVAL, "missing_field", vf, "%s.key is required",
					  vf);
		else if (!name || !*name)
			rc = sf_error_set(err, SF_EINVAL, "missing_field", vf,
					  "%s.name is required", vf);
		if (!rc)
			rc = text_max(k, 100, true, vf, err);
		if (!rc)
			rc = text_max(name, 200, true, vf, err);
		/* Keys must be unique: a list answer names one of them. */
		for (size_t p = 0; p < j && !rc; p++) {
			struct sf_json *pv = NULL;
			const char *pk;
			char pbuf[24];

			sf_json_at(vals, p, &pv);
			pk = sf_json_str(pv, "key");
			if (!pk && sf_json_int(pv, "key", &kint)) {
				snprintf(pbuf, sizeof(pbuf), "%lld", (long long)kint);
				pk = pbuf;
			}
			if (pk && strcmp(pk, k) == 0)
				rc = sf_error_set(err, SF_EINVAL, "invalid_field", vf,
						  "%s: the key %s appears twice", vf, k);
			sf_json_free(pv);
		}
		if (!rc) {
			sf_jw_obj_begin(w);
			sf_jw_kstr(w, "key", k);
			sf_jw_kstr(w, "name", name);
			sf_jw_obj_end(w);
		}
		sf_json_free(v);
	}
	sf_jw_arr_end(w);
	sf_json_free(vals);
	return rc;
}

int sf_o311_attrs_normalise(const struct sf_json *arr, const char *field, struct sf_buf *out,
			    struct sf_error *err)
{
	struct norm_attr items[SF_O311_ATTRS_MAX];
	struct sf_jw w;
	size_t n;
	int rc = 0;

	if (sf_json_kind(arr) != SF_JSON_ARRAY)
		return sf_error_set(err, SF_EINVAL, "invalid_type", field, "%s must be an array",
				    field);
	n = sf_json_len(arr);
	if (n > SF_O311_ATTRS_MAX)
		return sf_error_set(err, SF_EINVAL, "too_long", field, "%s: at most %d attributes",
				    field, SF_O311_ATTRS_MAX);
	for (size_t i = 0; i < n; i++) {
		items[i].it = NULL;
		items[i].index = i;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char where[128];
		const char *code, *dt;

		snprintf(where, sizeof(where), "%s[%zu]", field, i);
		sf_json_at(arr, i, &items[i].it);
		rc = sf_json_check(items[i].it, attr_spec, err);
		if (rc) {
			char f[64];

			snprintf(f, sizeof(f), "%s", err->field);
			join_field(err->field, sizeof(err->field), where, f);
			break;
		}
		code = sf_json_str(items[i].it, "code");
		dt = sf_json_str(items[i].it, "datatype");
		if (!code_ok(code, 48)) {
			rc = sf_error_set(
				err, SF_EINVAL, "invalid_field", where,
				"%s.code must be 1 to 48 letters, digits, '_', '.' or '-'", where);
			break;
		}
		if (!datatype_ok(dt)) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", where,
					  "%s.datatype must be string, number, datetime, text, "
					  "singlevaluelist or multivaluelist",
					  where);
			break;
		}
		if (!sf_json_int(items[i].it, "order", &items[i].order))
			items[i].order = (int64_t)i + 1;
		for (size_t p = 0; p < i && !rc; p++) {
			if (strcmp(sf_json_str(items[p].it, "code"), code) == 0)
				rc = sf_error_set(err, SF_EINVAL, "invalid_field", where,
						  "%s: the code %s appears twice", where, code);
			else if (items[p].order == items[i].order)
				rc = sf_error_set(err, SF_EINVAL, "invalid_field", where,
						  "%s: order %lld is used twice", where,
						  (long long)items[i].order);
		}
	}
	if (rc)
		goto out;
	/* Write in order (stable: ties cannot happen, orders are unique). */
	for (size_t i = 1; i < n; i++) {
		struct norm_attr x = items[i];
		size_t j = i;

		while (j > 0 && items[j - 1].order > x.order) {
			items[j] = items[j - 1];
			j--;
		}
		items[j] = x;
	}
	sf_jw_init(&w, out);
	sf_jw_arr_begin(&w);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct sf_json *it = items[i].it;
		const char *dt = sf_json_str(it, "datatype");
		const char *dd = sf_json_str(it, "datatype_description");
		const char *desc = sf_json_str(it, "description");
		bool b;
		char where[160];

		snprintf(where, sizeof(where), "%s[%zu]", field, items[i].index);
		sf_jw_obj_begin(&w);
		sf_jw_kbool(&w, "variable", sf_json_bool(it, "variable", &b) ? b : true);
		sf_jw_kstr(&w, "code", sf_json_str(it, "code"));
		sf_jw_kstr(&w, "datatype", dt);
		sf_jw_kbool(&w, "required", sf_json_bool(it, "required", &b) ? b : false);
		sf_jw_kstr(&w, "datatype_description", dd && *dd ? dd : NULL);
		sf_jw_kint(&w, "order", items[i].order);
		sf_jw_kstr(&w, "description", desc ? desc : "");
		rc = norm_values(it, dt, where, &w, err);
		sf_jw_obj_end(&w);
	}
	sf_jw_arr_end(&w);
	if (!rc && !sf_jw_ok(&w))
		rc = sf_error_set(err, SF_EINVAL, "too_long", field, "%s is too large", field);
out:
	for (size_t i = 0; i < n; i++)
		sf_json_free(items[i].it);
	return rc;
}

/* ---- import ---- */

static const struct sf_jfield service_spec[] = {
	{ "service_code", SF_JT_STRING, true, 47, 0, 0 },
	{ "service_name", SF_JT_STRING, true, SF_CATEGORY_NAME_MAX, 0, 0 },
	{ "service_name_en", SF_JT_STRING, false, SF_CATEGORY_NAME_MAX, 0, 0 },
	{ "description", SF_JT_TEXT, false, SF_CATEGORY_DESC_MAX, 0, 0 },
	{ "metadata", SF_JT_BOOL, false, 0, 0, 0 },
	{ "type", SF_JT_STRING, false, 16, 0, 0 },
	{ "keywords", SF_JT_STRING, false, 255, 0, 0 },
	{ "group", SF_JT_STRING, false, SF_CATEGORY_GROUP_MAX, 0, 0 },
	{ "attributes", SF_JT_ANY, false, 0, 0, 0 },
	{ "dept", SF_JT_ANY, false, 0, 0, 0 },
	{ "accept_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "handle_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "feedback_days", SF_JT_INT, false, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "public", SF_JT_BOOL, false, 0, 0, 0 },
	{ "active", SF_JT_BOOL, false, 0, 0, 0 },
	{ "open311", SF_JT_BOOL, false, 0, 0, 0 },
	{ 0 },
};

struct import_item {
	struct sf_category cat;
	bool exists;
};

/* Prefix err->field with where (services[i]). */
static int at_item(struct sf_error *err, const char *where, int rc)
{
	char f[64];

	snprintf(f, sizeof(f), "%s", err->field);
	if (strncmp(f, where, strlen(where)) != 0)
		join_field(err->field, sizeof(err->field), where, f);
	return rc;
}

/* Copy s (NULL = keep dst) into a field of cap bytes; too_long naming
 * field when it does not fit (never cut: that could split a character). */
static int set_str(char *dst, size_t cap, const char *s, const char *field, struct sf_error *err)
{
	if (!s)
		return 0;
	if (strlen(s) >= cap)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "%s is too long (at most %zu bytes)", field, cap - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* Read and check services[i] into it (the existing category, when there
 * is one, with the file's members applied). */
static int import_one(struct sf_conn *c, const struct sf_json *svc, size_t i, int64_t sort,
		      struct import_item *it, struct sf_error *err)
{
	char where[32];
	struct sf_json *attrs = NULL, *dept = NULL;
	struct sf_category *cat = &it->cat;
	const char *code, *type, *name, *name_en;
	struct sf_buf ab;
	int64_t v;
	bool b;
	int rc;

	snprintf(where, sizeof(where), "services[%zu]", i);
	if (sf_json_kind(svc) != SF_JSON_OBJECT)
		return sf_error_set(err, SF_EINVAL, "invalid_type", where, "%s must be an object",
				    where);
	rc = sf_json_check(svc, service_spec, err);
	if (rc)
		return at_item(err, where, rc);
	code = sf_json_str(svc, "service_code");
	rc = sf_store_category_by_code(c, code, cat);
	if (rc && rc != SF_ENOTFOUND)
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the catalogue");
	it->exists = rc == 0;
	if (!it->exists) {
		memset(cat, 0, sizeof(*cat));
		snprintf(cat->code, sizeof(cat->code), "%s", code);
		cat->accept_days = 1;
		cat->handle_days = 5;
		cat->feedback_days = 2;
		cat->public = true;
		cat->active = true;
		snprintf(cat->o311_type, sizeof(cat->o311_type), "realtime");
	}
	name = sf_json_str(svc, "service_name");
	name_en = sf_json_str(svc, "service_name_en");
	type = sf_json_str(svc, "type");
	rc = set_str(cat->name_zh, sizeof(cat->name_zh), name, "service_name", err);
	if (!rc && (name_en || !cat->name_en[0]))
		rc = set_str(cat->name_en, sizeof(cat->name_en), name_en ? name_en : name,
			     name_en ? "service_name_en" : "service_name", err);
	if (!rc)
		rc = set_str(cat->description, sizeof(cat->description),
			     sf_json_str(svc, "description"), "description", err);
	if (!rc)
		rc = set_str(cat->keywords, sizeof(cat->keywords), sf_json_str(svc, "keywords"),
			     "keywords", err);
	if (!rc)
		rc = set_str(cat->grp, sizeof(cat->grp), sf_json_str(svc, "group"), "group", err);
	if (!rc)
		rc = set_str(cat->o311_type, sizeof(cat->o311_type), type, "type", err);
	if (rc)
		return at_item(err, where, rc);
	if (sf_json_int(svc, "accept_days", &v))
		cat->accept_days = (int)v;
	if (sf_json_int(svc, "handle_days", &v))
		cat->handle_days = (int)v;
	if (sf_json_int(svc, "feedback_days", &v))
		cat->feedback_days = (int)v;
	if (sf_json_bool(svc, "public", &b))
		cat->public = b;
	if (sf_json_bool(svc, "active", &b))
		cat->active = b;
	cat->open311 = sf_json_bool(svc, "open311", &b) ? b : true;
	cat->sort = sort;
	if (sf_json_get(svc, "dept", &dept) == 0) {
		const char *dcode = sf_json_as_str(dept);

		if (dcode) {
			rc = sf_store_unit_id_by_code(c, dcode, &v);
			if (rc == SF_ENOTFOUND)
				rc = sf_error_set(err, SF_EINVAL, "invalid_field", "dept",
						  "no unit with code %s", dcode);
			else if (rc)
				rc = sf_error_set(err, SF_EDB, "storage_error", "",
						  "cannot read the units");
			else
				cat->dept_unit_id = v;
		} else if (sf_json_as_int(dept, &v) && v > 0) {
			cat->dept_unit_id = v;
		} else {
			rc = sf_error_set(err, SF_EINVAL, "invalid_type", "dept",
					  "dept must be a unit code or id");
		}
		sf_json_free(dept);
		if (rc)
			return at_item(err, where, rc);
	}
	rc = sf_catalog_check(c, cat, err);
	if (rc) {
		/* The catalogue's names for fields are not the file's. */
		if (strcmp(err->field, "code") == 0)
			snprintf(err->field, sizeof(err->field), "service_code");
		else if (strcmp(err->field, "name") == 0)
			snprintf(err->field, sizeof(err->field), "service_name");
		else if (strcmp(err->field, "name_en") == 0)
			snprintf(err->field, sizeof(err->field), "service_name_en");
		else if (strcmp(err->field, "o311_type") == 0)
			snprintf(err->field, sizeof(err->field), "type");
		else if (strcmp(err->field, "dept_id") == 0)
			snprintf(err->field, sizeof(err->field), "dept");
		return at_item(err, where, rc);
	}
	if (sf_json_get(svc, "attributes", &attrs) == 0) {
		char field[48];

		join_field(field, sizeof(field), where, "attributes");
		sf_buf_init(&ab, 1 << 20);
		rc = sf_o311_attrs_normalise(attrs, field, &ab, err);
		sf_json_free(attrs);
		if (rc) {
			sf_buf_release(&ab);
			return rc;
		}
		free(cat->attributes);
		cat->attributes = sf_buf_detach(&ab, NULL);
	}
	return 0;
}

int sf_o311_import(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		   const char *ip, const struct sf_json *doc, int64_t now,
		   void (*cb)(const char *code, const char *name, bool added, void *ctx), void *ctx,
		   int *added, int *updated, struct sf_error *err)
{
	struct sf_json *owned = NULL;
	const struct sf_json *list = doc;
	struct import_item *items = NULL;
	struct sf_audit_entry ae = { 0 };
	char reason[64];
	size_t n = 0;
	int rc;

	(void)app;
	*added = *updated = 0;
	if (sf_json_kind(doc) == SF_JSON_OBJECT) {
		if (sf_json_get(doc, "services", &owned))
			return sf_error_set(err, SF_EINVAL, "missing_field", "services",
					    "give an array of services (or {\"services\": [...]})");
		list = owned;
	}
	if (sf_json_kind(list) != SF_JSON_ARRAY) {
		sf_json_free(owned);
		return sf_error_set(err, SF_EINVAL, "invalid_type", "services",
				    "services must be an array of service objects");
	}
	n = sf_json_len(list);
	if (n == 0 || n > 500) {
		sf_json_free(owned);
		return sf_error_set(err, SF_EINVAL, "invalid_field", "services",
				    "give 1 to 500 services");
	}
	items = calloc(n, sizeof(*items));
	if (!items)
		abort();
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct sf_json *svc = NULL;

		sf_json_at(list, i, &svc);
		rc = import_one(c, svc, i, (int64_t)(i + 1) * 10, &items[i], err);
		sf_json_free(svc);
		for (size_t p = 0; p < i && !rc; p++)
			if (strcmp(items[p].cat.code, items[i].cat.code) == 0)
				rc = sf_error_set(
					err, SF_EINVAL, "invalid_field", "service_code",
					"services[%zu]: the service_code %s appears twice", i,
					items[i].cat.code);
	}
	if (rc)
		goto out;
	snprintf(reason, sizeof(reason), "%zu services", n);
	ae.at = now;
	ae.user_id = who ? who->user_id : 0;
	ae.actor_name = who ? who->name : "command line";
	ae.action = "open311_import";
	ae.target = "categories";
	ae.reason = reason;
	ae.ip = ip ? ip : "";
	rc = sf_conn_begin(c, true);
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t id;

		rc = sf_store_category_upsert(c, &items[i].cat, now, &id);
	}
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_error_set(err, rc == SF_EBUSY ? SF_EBUSY : SF_EDB, "storage_error", "",
				  "cannot store the catalogue: %s", sf_conn_errmsg(c));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].exists)
			(*updated)++;
		else
			(*added)++;
		if (cb)
			cb(items[i].cat.code, items[i].cat.name_zh, !items[i].exists, ctx);
	}
out:
	for (size_t i = 0; i < n; i++)
		sf_category_release(&items[i].cat);
	free(items);
	sf_json_free(owned);
	return rc;
}

/* ---- POST /api/v1/open311/services/import ---- */

struct import_out {
	struct sf_jw *w;
};

static void import_line(const char *code, const char *name, bool added, void *ctx)
{
	struct import_out *io = ctx;

	sf_jw_obj_begin(io->w);
	sf_jw_kstr(io->w, "service_code", code);
	sf_jw_kstr(io->w, "service_name", name);
	sf_jw_kstr(io->w, "result", added ? "added" : "updated");
	sf_jw_obj_end(io->w);
}

int sf_api_o311_import(struct sf_req *req)
{
	struct sf_json *doc = NULL;
	struct sf_jw w;
	struct import_out io = { &w };
	int added = 0, updated = 0;
	int rc;

	if (req->content_type && strncmp(req->content_type, "application/json", 16) != 0)
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send the catalogue as application/json");
	if (req->body_len == 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_json", "",
				   "the body is empty; send an array of services");
	rc = sf_json_parse_any(req->body, req->body_len, &doc, &req->err);
	if (rc)
		return rc;
	/* The service lines are written as the import reports them. */
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "services");
	sf_jw_arr_begin(&w);
	rc = sf_o311_import(req->app, sf_req_conn(req), &req->who, req->ip, doc, req->now,
			    import_line, &io, &added, &updated, &req->err);
	sf_json_free(doc);
	if (rc) {
		sf_buf_reset(&req->out);
		return rc;
	}
	sf_jw_arr_end(&w);
	sf_jw_kint(&w, "added", added);
	sf_jw_kint(&w, "updated", updated);
	sf_jw_obj_end(&w);
	return 0;
}

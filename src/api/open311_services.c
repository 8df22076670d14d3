/* Open311 services: GET services (the published catalogue in its own
 * order) and GET services/{code} (the attribute definitions), read from the
 * catalogue's attributes JSON. Loading a catalogue is open311_import.c. */
#include "api/open311.h"

#include <stdio.h>
#include <string.h>

#include "store/catalog.h"
#include "util/json.h"

/* ---- attribute definitions ---- */

/* A string member, or an integer member written as a string (some
 * catalogues give keys as numbers). */
static const char *str_or_int(struct sf_arena *a, const struct sf_json *o, const char *key)
{
	const char *s = sf_json_str(o, key);
	int64_t v;

	if (s)
		return s;
	if (sf_json_int(o, key, &v))
		return sf_arena_printf(a, "%lld", (long long)v);
	return NULL;
}

/* Stable insertion sort by order (tens of items). */
static void sort_attrs(struct sf_o311_attr *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sf_o311_attr x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1].order > x.order) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

int sf_o311_attrs_parse(struct sf_req *req, const char *text, struct sf_json **root,
			struct sf_o311_attr **attrs, size_t *n)
{
	struct sf_o311_attr *v;
	size_t len;
	int rc;

	*root = NULL;
	*attrs = NULL;
	*n = 0;
	if (!text || !*text)
		return 0;
	rc = sf_json_parse_any(text, strlen(text), root, NULL);
	if (rc)
		return SF_EINVAL;
	if (sf_json_kind(*root) != SF_JSON_ARRAY)
		return SF_EINVAL;
	len = sf_json_len(*root);
	if (!len)
		return 0;
	v = sf_arena_zalloc(&req->arena, len * sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		struct sf_json *it = NULL, *vals = NULL;
		struct sf_o311_attr *a = &v[*n];
		bool b;

		if (sf_json_at(*root, i, &it))
			continue;
		a->code = sf_json_str(it, "code");
		a->datatype = sf_json_str(it, "datatype");
		if (!a->code || !a->datatype) {
			sf_json_free(it);
			continue;
		}
		a->variable = sf_json_bool(it, "variable", &b) ? b : true;
		a->required = sf_json_bool(it, "required", &b) ? b : false;
		a->datatype_description = sf_json_str(it, "datatype_description");
		a->description = sf_json_str(it, "description");
		if (!a->description)
			a->description = "";
		if (!sf_json_int(it, "order", &a->order) || a->order < 1)
			a->order = (int64_t)i + 1;
		if (sf_json_get(it, "values", &vals) == 0 && sf_json_kind(vals) == SF_JSON_ARRAY) {
			size_t nv = sf_json_len(vals);

			a->keys = sf_arena_zalloc(&req->arena, (nv ? nv : 1) * sizeof(char *));
			a->names = sf_arena_zalloc(&req->arena, (nv ? nv : 1) * sizeof(char *));
			for (size_t j = 0; j < nv; j++) {
				struct sf_json *val = NULL;
				const char *k, *nm;

				if (sf_json_at(vals, j, &val))
					continue;
				k = str_or_int(&req->arena, val, "key");
				nm = sf_json_str(val, "name");
				if (k) {
					/* The strings outlive val: they belong to *root. */
					a->keys[a->nvalues] = sf_arena_strdup(&req->arena, k);
					a->names[a->nvalues] =
						sf_arena_strdup(&req->arena, nm ? nm : k);
					a->nvalues++;
				}
				sf_json_free(val);
			}
		}
		sf_json_free(vals);
		sf_json_free(it);
		(*n)++;
	}
	sort_attrs(v, *n);
	*attrs = v;
	return 0;
}

/* ---- GET services ---- */

struct services_ctx {
	struct sf_req *req;
	struct sf_o311_out *o;
	bool english;
};

static bool has_attributes(const struct sf_category *cat)
{
	const char *s = cat->attributes;

	if (!s)
		return false;
	s += strspn(s, " \t\r\n");
	if (*s != '[')
		return false;
	s++;
	s += strspn(s, " \t\r\n");
	return *s && *s != ']';
}

static int write_service(const struct sf_category *cat, void *ctx)
{
	struct services_ctx *sc = ctx;
	struct sf_o311_out *o = sc->o;

	if (!cat->active || !cat->public)
		return 0;
	sf_o311_obj(o, "service");
	sf_o311_str(o, "service_code", cat->code);
	sf_o311_str(o, "service_name",
		    sc->english && cat->name_en[0] ? cat->name_en : cat->name_zh);
	sf_o311_str(o, "description", cat->description);
	sf_o311_bool(o, "metadata", has_attributes(cat));
	sf_o311_str(o, "type", cat->o311_type[0] ? cat->o311_type : "realtime");
	sf_o311_str(o, "keywords", cat->keywords);
	sf_o311_str(o, "group", cat->grp);
	sf_o311_end(o);
	return 0;
}

int sf_o311_services(struct sf_req *req, enum sf_o311_fmt fmt)
{
	struct sf_o311_out o;
	struct services_ctx sc = { req, &o, sf_o311_english(req) };
	int rc;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_list(&o, "services", "service");
	rc = sf_store_category_each(sf_req_conn(req), true, false, true, write_service, &sc);
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the catalogue cannot be read");
	sf_o311_end(&o);
	return sf_o311_done(req, &o);
}

/* ---- GET services/{code} ---- */

int sf_o311_definition(struct sf_req *req, enum sf_o311_fmt fmt, const char *code)
{
	struct sf_category cat;
	struct sf_json *root = NULL;
	struct sf_o311_attr *attrs = NULL;
	struct sf_o311_out o;
	size_t n = 0;
	int rc;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	if (strlen(code) >= sizeof(cat.code))
		return sf_o311_fail(req, fmt, 404, "service_code not found");
	rc = sf_store_category_by_code(sf_req_conn(req), code, &cat);
	if (rc == SF_ENOTFOUND || (rc == 0 && (!cat.open311 || !cat.active || !cat.public))) {
		sf_category_release(&cat);
		return sf_o311_fail(req, fmt, 404, "service_code %s not found", code);
	}
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the catalogue cannot be read");
	rc = sf_o311_attrs_parse(req, cat.attributes, &root, &attrs, &n);
	if (rc) {
		sf_category_release(&cat);
		return sf_o311_fail(req, fmt, 500, "the definition of %s is damaged", code);
	}
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_obj(&o, "service_definition");
	sf_o311_str(&o, "service_code", cat.code);
	sf_o311_list(&o, "attributes", "attribute");
	for (size_t i = 0; i < n; i++) {
		const struct sf_o311_attr *a = &attrs[i];

		sf_o311_obj(&o, "attribute");
		sf_o311_bool(&o, "variable", a->variable);
		sf_o311_str(&o, "code", a->code);
		sf_o311_str(&o, "datatype", a->datatype);
		sf_o311_bool(&o, "required", a->required);
		sf_o311_str(&o, "datatype_description", a->datatype_description);
		sf_o311_int(&o, "order", a->order);
		sf_o311_str(&o, "description", a->description);
		sf_o311_list(&o, "values", "value");
		for (size_t j = 0; j < a->nvalues; j++) {
			sf_o311_obj(&o, "value");
			sf_o311_str(&o, "key", a->keys[j]);
			sf_o311_str(&o, "name", a->names[j]);
			sf_o311_end(&o);
		}
		sf_o311_end(&o);
		sf_o311_end(&o);
	}
	sf_o311_end(&o);
	sf_o311_end(&o);
	sf_json_free(root);
	sf_category_release(&cat);
	return sf_o311_done(req, &o);
}

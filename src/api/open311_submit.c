/* Open311 POST requests: the API key and its rate, then every field and
 * attribute checked against the service definition before the order is
 * created through sf_orders_create on the open311 channel, as a public
 * submission (tracking code and secret), never routed automatically. The
 * contact details Sanfu does not keep on the order are sealed beside it. */
#include "api/open311.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "domain/mask.h"
#include "store/catalog.h"
#include "store/open311.h"
#include "util/crypto.h"
#include "util/form.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/utf8.h"

static const char *present(const char *s)
{
	return s && *s ? s : NULL;
}

/* A decimal number and nothing else: no hex, inf or nan, which strtod takes. */
static bool parse_number(const char *s, double *out)
{
	char *end = NULL;

	if (!s || !*s || strlen(s) > 40 || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

/* A one-line or multi-line text field within max characters. */
static bool text_ok(struct sf_req *req, enum sf_o311_fmt fmt, const char *name, const char *s,
		    size_t max, bool multiline)
{
	size_t n;

	if (!s)
		return true;
	n = strlen(s);
	if (sf_utf8_count(s, n) > max) {
		sf_o311_fail(req, fmt, 400, "%s is longer than %zu characters", name, max);
		return false;
	}
	if (sf_utf8_has_control(s, n, multiline)) {
		sf_o311_fail(req, fmt, 400, "%s has control characters", name);
		return false;
	}
	return true;
}

/* Count the values given for attribute code: attribute[code] and
 * attribute[code][] pairs, in body order, into vals (cap max). */
static size_t attr_values(const struct sf_form *f, const char *code, const char **vals, size_t max,
			  bool *as_list)
{
	size_t n = 0, cl = strlen(code);

	*as_list = false;
	for (size_t i = 0; i < f->n; i++) {
		const char *sub;
		size_t sl;
		bool list;

		if (!sf_form_subkey(f->fields[i].key, "attribute", &sub, &sl, &list))
			continue;
		if (sl != cl || memcmp(sub, code, cl) != 0)
			continue;
		if (list)
			*as_list = true;
		if (n < max)
			vals[n] = f->fields[i].val;
		n++;
	}
	return n;
}

static bool is_key(const struct sf_o311_attr *a, const char *v)
{
	for (size_t i = 0; i < a->nvalues; i++)
		if (strcmp(a->keys[i], v) == 0)
			return true;
	return false;
}

/* Check the attributes against the definitions and write them as a JSON
 * object into w. False when an error reply was written. */
static bool check_attrs(struct sf_req *req, enum sf_o311_fmt fmt, const struct sf_form *f,
			const struct sf_o311_attr *attrs, size_t n, struct sf_jw *w)
{
	sf_jw_obj_begin(w);
	for (size_t i = 0; i < n; i++) {
		const struct sf_o311_attr *a = &attrs[i];
		const char *vals[SF_O311_VALUES_MAX];
		bool as_list;
		size_t nv;
		size_t given = 0;

		if (!a->variable)
			continue;
		nv = attr_values(f, a->code, vals, SF_O311_VALUES_MAX, &as_list);
		if (nv > SF_O311_VALUES_MAX) {
			sf_o311_fail(req, fmt, 400, "%s has too many values", a->code);
			return false;
		}
		for (size_t j = 0; j < nv; j++)
			if (*vals[j])
				given++;
		if (!given) {
			if (a->required) {
				sf_o311_fail(req, fmt, 400, "%s required", a->code);
				return false;
			}
			continue;
		}
		if (strcmp(a->datatype, "multivaluelist") == 0) {
			sf_jw_key(w, a->code);
			sf_jw_arr_begin(w);
			for (size_t j = 0; j < nv; j++) {
				if (!*vals[j])
					continue;
				if (!is_key(a, vals[j])) {
					sf_o311_fail(req, fmt, 400,
						     "%s: %s is not one of its values", a->code,
						     vals[j]);
					return false;
				}
				sf_jw_str(w, vals[j]);
			}
			sf_jw_arr_end(w);
			continue;
		}
		if (given > 1 || as_list) {
			sf_o311_fail(req, fmt, 400, "%s takes one value", a->code);
			return false;
		}
		for (size_t j = 0; j < nv; j++) {
			const char *v = vals[j];
			double num;
			int64_t t;
			char iso[32];

			if (!*v)
				continue;
			if (strcmp(a->datatype, "singlevaluelist") == 0) {
				if (!is_key(a, v)) {
					sf_o311_fail(req, fmt, 400,
						     "%s: %s is not one of its values", a->code, v);
					return false;
				}
				sf_jw_kstr(w, a->code, v);
			} else if (strcmp(a->datatype, "number") == 0) {
				if (!parse_number(v, &num)) {
					sf_o311_fail(req, fmt, 400, "%s must be a number", a->code);
					return false;
				}
				sf_jw_knum(w, a->code, num);
			} else if (strcmp(a->datatype, "datetime") == 0) {
				if (strlen(v) > 40 || sf_time_parse_iso(v, &t)) {
					sf_o311_fail(req, fmt, 400,
						     "%s must be an ISO 8601 date and time",
						     a->code);
					return false;
				}
				sf_time_iso(t, iso);
				sf_jw_kstr(w, a->code, iso);
			} else {
				bool text = strcmp(a->datatype, "text") == 0;

				if (!text_ok(req, fmt, a->code, v, text ? 1000 : 200, text))
					return false;
				sf_jw_kstr(w, a->code, v);
			}
		}
	}
	sf_jw_obj_end(w);
	return true;
}

/* The requester's name as people write it: "first last" in Latin script,
 * family name first otherwise (王小明). */
static const char *full_name(struct sf_req *req, const char *first, const char *last)
{
	bool latin = true;

	if (!first && !last)
		return NULL;
	if (!first || !last)
		return first ? first : last;
	for (const char *p = first; *p && latin; p++)
		latin = (unsigned char)*p < 0x80;
	for (const char *p = last; *p && latin; p++)
		latin = (unsigned char)*p < 0x80;
	return latin ? sf_arena_printf(&req->arena, "%s %s", first, last)
		     : sf_arena_printf(&req->arena, "%s%s", last, first);
}

/* The title of the order: the first line of the description, shortened. */
static const char *make_title(struct sf_req *req, const char *desc, const char *service)
{
	size_t n, cut;

	if (!desc)
		return service;
	n = strcspn(desc, "\r\n");
	while (n > 0 && desc[n - 1] == ' ')
		n--;
	if (n == 0)
		return service;
	cut = sf_utf8_prefix(desc, n, 40);
	if (cut < n)
		return sf_arena_printf(&req->arena, "%.*s…", (int)cut, desc);
	return sf_arena_strndup(&req->arena, desc, n);
}

static bool url_ok(const char *s)
{
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == '"' || *s == '<' || *s == '>' || *s == '\\')
			return false;
	return true;
}

/* Seal an optional contact detail; NULL when absent. The caller frees. */
static char *seal(struct sf_req *req, const char *s)
{
	char *out = NULL;

	if (s && sf_crypto_seal(&req->app->key, s, &out) != 0)
		out = NULL;
	return out;
}

static bool form_type_ok(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";

	return !ct || strncasecmp(ct, want, sizeof(want) - 1) == 0;
}

int sf_o311_requests_post(struct sf_req *req, enum sf_o311_fmt fmt)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_form f;
	struct sf_error ferr = { 0 };
	struct sf_o311_key key;
	struct sf_category cat;
	struct sf_json *attr_root = NULL;
	struct sf_o311_attr *attrs = NULL;
	size_t nattrs = 0;
	struct sf_buf attrs_json;
	struct sf_jw aw;
	struct sf_principal who;
	struct sf_order_input in;
	struct sf_order_created out;
	struct sf_o311_submission sub = { 0 };
	struct sf_o311_out o;
	struct sf_error err = { 0 };
	char hash[SF_CRYPTO_HEX_SIZE], phone_norm[SF_PHONE_MAX];
	const char *api_key, *code, *lat_s, *lng_s, *addr, *addr_id, *desc, *media, *email, *dev,
		*acct, *first, *last, *phone, *name, *service_name;
	double lat = 0, lng = 0;
	int64_t hits = 0;
	int rc;

	memset(&cat, 0, sizeof(cat));
	if (!form_type_ok(req->content_type))
		return sf_o311_fail(req, fmt, 400,
				    "send the request as application/x-www-form-urlencoded");
	if (sf_form_parse(&req->arena, req->body, req->body_len, NULL, &f, &ferr))
		return sf_o311_fail(req, fmt, 400, "%s", ferr.message);
	if (!sf_o311_jurisdiction_ok(req, fmt,
				     sf_form_get(&f, "jurisdiction_id")
					     ? sf_form_get(&f, "jurisdiction_id")
					     : sf_req_query(req, "jurisdiction_id")))
		return 0;
	api_key = present(sf_form_get(&f, "api_key"));
	if (!api_key)
		api_key = present(sf_req_query(req, "api_key"));
	if (!api_key || strlen(api_key) > 128)
		return sf_o311_fail(
			req, fmt, 403,
			"Invalid api_key received -- can't proceed with create_request.");
	sf_crypto_token_hash(api_key, hash);
	rc = sf_store_o311_key_find(c, hash, &key);
	if (rc == SF_ENOTFOUND)
		return sf_o311_fail(
			req, fmt, 403,
			"Invalid api_key received -- can't proceed with create_request.");
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the api_key cannot be checked");
	if (sf_store_o311_key_hit(c, key.id, req->now, 60, &hits))
		return sf_o311_fail(req, fmt, 500, "the api_key cannot be counted");
	if (hits > SF_O311_RATE_PER_MIN)
		return sf_o311_fail(req, fmt, 429,
				    "too many requests with this api_key: at most %d a minute",
				    SF_O311_RATE_PER_MIN);

	code = present(sf_form_get(&f, "service_code"));
	if (!code)
		return sf_o311_fail(req, fmt, 400, "service_code required");
	if (strlen(code) >= sizeof(cat.code))
		return sf_o311_fail(req, fmt, 404, "service_code not found");
	rc = sf_store_category_by_code(c, code, &cat);
	if (rc == SF_ENOTFOUND || (rc == 0 && (!cat.open311 || !cat.active || !cat.public))) {
		sf_category_release(&cat);
		return sf_o311_fail(req, fmt, 404, "service_code %s not found", code);
	}
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the catalogue cannot be read");

	/* Location: lat and long together, or address_string, or address_id. */
	lat_s = present(sf_form_get(&f, "lat"));
	lng_s = present(sf_form_get(&f, "long"));
	addr = present(sf_form_get(&f, "address_string"));
	addr_id = present(sf_form_get(&f, "address_id"));
	if ((lat_s != NULL) != (lng_s != NULL)) {
		rc = sf_o311_fail(req, fmt, 400, "lat and long must be given together");
		goto out;
	}
	if (lat_s && (!parse_number(lat_s, &lat) || lat < -90 || lat > 90)) {
		rc = sf_o311_fail(req, fmt, 400, "lat must be a WGS84 latitude (-90 to 90)");
		goto out;
	}
	if (lng_s && (!parse_number(lng_s, &lng) || lng < -180 || lng > 180)) {
		rc = sf_o311_fail(req, fmt, 400, "long must be a WGS84 longitude (-180 to 180)");
		goto out;
	}
	if (!lat_s && !addr && !addr_id) {
		rc = sf_o311_fail(
			req, fmt, 400,
			"a location is required: lat and long, address_string or address_id");
		goto out;
	}
	desc = present(sf_form_get(&f, "description"));
	media = present(sf_form_get(&f, "media_url"));
	email = present(sf_form_get(&f, "email"));
	dev = present(sf_form_get(&f, "device_id"));
	acct = present(sf_form_get(&f, "account_id"));
	first = present(sf_form_get(&f, "first_name"));
	last = present(sf_form_get(&f, "last_name"));
	phone = present(sf_form_get(&f, "phone"));
	if (!text_ok(req, fmt, "address_string", addr, 200, false) ||
	    !text_ok(req, fmt, "address_id", addr_id, 64, false) ||
	    !text_ok(req, fmt, "description", desc, SF_O311_DESC_MAX, true) ||
	    !text_ok(req, fmt, "media_url", media, 500, false) ||
	    !text_ok(req, fmt, "email", email, 254, false) ||
	    !text_ok(req, fmt, "device_id", dev, 128, false) ||
	    !text_ok(req, fmt, "account_id", acct, 128, false) ||
	    !text_ok(req, fmt, "first_name", first, 24, false) ||
	    !text_ok(req, fmt, "last_name", last, 24, false) ||
	    !text_ok(req, fmt, "phone", phone, 40, false)) {
		rc = 0;
		goto out;
	}
	if (media && !url_ok(media)) {
		rc = sf_o311_fail(req, fmt, 400, "media_url must be an http or https URL");
		goto out;
	}
	if (email && (!strchr(email, '@') || strchr(email, ' '))) {
		rc = sf_o311_fail(req, fmt, 400, "email is not an e-mail address");
		goto out;
	}
	if (phone && sf_phone_normalise(phone, phone_norm, sizeof(phone_norm)) != 0) {
		rc = sf_o311_fail(req, fmt, 400, "phone is not a phone number");
		goto out;
	}

	/* Attributes, against the service definition. */
	if (sf_o311_attrs_parse(req, cat.attributes, &attr_root, &attrs, &nattrs)) {
		rc = sf_o311_fail(req, fmt, 500, "the definition of %s is damaged", code);
		goto out;
	}
	sf_buf_init(&attrs_json, 4000);
	sf_jw_init(&aw, &attrs_json);
	if (!check_attrs(req, fmt, &f, attrs, nattrs, &aw)) {
		sf_buf_release(&attrs_json);
		rc = 0;
		goto out;
	}
	if (!sf_jw_ok(&aw)) {
		sf_buf_release(&attrs_json);
		rc = sf_o311_fail(req, fmt, 400,
				  "the attributes are too long (at most 4000 bytes)");
		goto out;
	}

	service_name = cat.name_zh;
	name = full_name(req, first, last);
	memset(&who, 0, sizeof(who));
	who.role = SF_ROLE_PUBLIC;
	snprintf(who.login, sizeof(who.login), "open311");
	snprintf(who.name, sizeof(who.name), "Open311 %.55s", key.name);
	memset(&in, 0, sizeof(in));
	in.title = make_title(req, desc, service_name);
	in.description = desc ? desc : service_name;
	in.category_code = cat.code;
	in.channel = "open311";
	in.requester_kind = name || phone || email ? "person" : "anonymous";
	in.requester_name = name;
	in.requester_phone = phone;
	in.address = addr ? addr : addr_id;
	in.has_geo = lat_s != NULL;
	in.lat = lat;
	in.lng = lng;
	in.media_url = media;
	in.attrs_json = attrs_json.data;
	in.public_submission = true;
	rc = sf_orders_create(req->app, c, &who, &in, false, req->now, &out, &err);
	sf_buf_release(&attrs_json);
	if (rc) {
		int status = rc == SF_EINVAL ? 400 : rc == SF_EBUSY ? 503 : 500;

		rc = sf_o311_fail(req, fmt, status, "%s",
				  err.message[0] ? err.message : "the request cannot be saved");
		goto out;
	}

	/* The order is committed. What follows is kept beside it; a failure
	 * here is logged, not reported, since the request itself stands. */
	sub.order_id = out.id;
	sub.key_id = key.id;
	sub.email_sealed = seal(req, email);
	sub.device_id_sealed = seal(req, dev);
	sub.account_id_sealed = seal(req, acct);
	sub.created_at = req->now;
	if (sf_store_o311_submission_add(c, &sub) || sf_store_o311_key_created(c, key.id))
		sf_log(SF_LOG_ERROR,
		       "open311: order %s created, but its submission record was not saved: %s",
		       out.code, sf_conn_errmsg(c));
	free((char *)sub.email_sealed);
	free((char *)sub.device_id_sealed);
	free((char *)sub.account_id_sealed);

	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_list(&o, "service_requests", "request");
	sf_o311_obj(&o, "request");
	if (strcmp(cat.o311_type, "batch") == 0)
		sf_o311_str(&o, "token", out.tracking_code);
	else if (strcmp(cat.o311_type, "blackbox") != 0)
		sf_o311_str(&o, "service_request_id", out.code);
	sf_o311_str(&o, "service_notice",
		    sf_arena_printf(&req->arena,
				    "已受理登记，查询码 %s，查询密码 %s（仅显示一次）。"
				    " Received; tracking code %s, secret %s (shown once).",
				    out.tracking_code, out.tracking_secret, out.tracking_code,
				    out.tracking_secret));
	sf_o311_str(&o, "account_id", NULL);
	sf_o311_end(&o);
	sf_o311_end(&o);
	explicit_bzero(out.tracking_secret, sizeof(out.tracking_secret));
	rc = sf_o311_done(req, &o);
out:
	sf_json_free(attr_root);
	sf_category_release(&cat);
	return rc;
}

/* Open311's plumbing: the format chosen by the path suffix, one writer for
 * both JSON (Spark convention: lists are arrays, even of one) and XML, the
 * spec's error list, jurisdiction_id, the three routes' dispatch, service
 * discovery and the per-key metrics. The methods themselves are in
 * open311_services.c, open311_requests.c (GET) and open311_submit.c (POST);
 * the catalogue import in open311_import.c. */
#include "api/open311.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/open311.h"
#include "util/timefmt.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define XML_TYPE "text/xml; charset=utf-8"

bool sf_o311_split(struct sf_req *req, const char *seg, const char **base, enum sf_o311_fmt *fmt)
{
	size_t n = strlen(seg);

	if (n > 5 && strcmp(seg + n - 5, ".json") == 0) {
		*fmt = SF_O311_JSON;
		*base = sf_arena_strndup(&req->arena, seg, n - 5);
		return true;
	}
	if (n > 4 && strcmp(seg + n - 4, ".xml") == 0) {
		*fmt = SF_O311_XML;
		*base = sf_arena_strndup(&req->arena, seg, n - 4);
		return true;
	}
	return false;
}

void sf_o311_begin(struct sf_req *req, struct sf_o311_out *o, enum sf_o311_fmt fmt, int status)
{
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	req->status = status;
	req->resp_type = fmt == SF_O311_JSON ? JSON_TYPE : XML_TYPE;
	req->out_static = NULL;
	sf_buf_reset(&req->out);
	if (fmt == SF_O311_JSON)
		sf_jw_init(&o->jw, &req->out);
	else
		sf_xw_init(&o->xw, &req->out);
}

static bool in_object(const struct sf_o311_out *o)
{
	return o->depth > 0 && !o->is_list[o->depth - 1];
}

static void push(struct sf_o311_out *o, bool list, const char *item)
{
	if (o->depth < SF_O311_DEPTH) {
		o->is_list[o->depth] = list;
		o->item[o->depth] = item;
	}
	o->depth++;
}

void sf_o311_list(struct sf_o311_out *o, const char *name, const char *item)
{
	if (o->fmt == SF_O311_JSON) {
		if (in_object(o))
			sf_jw_key(&o->jw, name);
		sf_jw_arr_begin(&o->jw);
	} else {
		sf_xw_begin(&o->xw, o->depth > 0 && o->is_list[o->depth - 1] ? o->item[o->depth - 1]
									     : name);
	}
	push(o, true, item);
}

void sf_o311_obj(struct sf_o311_out *o, const char *name)
{
	if (o->fmt == SF_O311_JSON) {
		if (in_object(o))
			sf_jw_key(&o->jw, name);
		sf_jw_obj_begin(&o->jw);
	} else {
		sf_xw_begin(&o->xw, o->depth > 0 && o->is_list[o->depth - 1] ? o->item[o->depth - 1]
									     : name);
	}
	push(o, false, NULL);
}

void sf_o311_end(struct sf_o311_out *o)
{
	bool list = o->depth > 0 && o->depth <= SF_O311_DEPTH && o->is_list[o->depth - 1];

	if (o->depth > 0)
		o->depth--;
	if (o->fmt == SF_O311_XML)
		sf_xw_end(&o->xw);
	else if (list)
		sf_jw_arr_end(&o->jw);
	else
		sf_jw_obj_end(&o->jw);
}

void sf_o311_str(struct sf_o311_out *o, const char *key, const char *s)
{
	if (o->fmt == SF_O311_JSON)
		sf_jw_kstr(&o->jw, key, s);
	else
		sf_xw_elem(&o->xw, key, s);
}

void sf_o311_int(struct sf_o311_out *o, const char *key, int64_t v)
{
	if (o->fmt == SF_O311_JSON)
		sf_jw_kint(&o->jw, key, v);
	else
		sf_xw_elem_int(&o->xw, key, v);
}

void sf_o311_num(struct sf_o311_out *o, const char *key, double v)
{
	if (o->fmt == SF_O311_JSON)
		sf_jw_knum(&o->jw, key, v);
	else
		sf_xw_elem_num(&o->xw, key, v);
}

void sf_o311_bool(struct sf_o311_out *o, const char *key, bool v)
{
	if (o->fmt == SF_O311_JSON)
		sf_jw_kbool(&o->jw, key, v);
	else
		sf_xw_elem_bool(&o->xw, key, v);
}

void sf_o311_time(struct sf_o311_out *o, const char *key, int64_t utc)
{
	char iso[32];

	if (!utc) {
		sf_o311_str(o, key, NULL);
		return;
	}
	sf_time_iso(utc, iso);
	sf_o311_str(o, key, iso);
}

void sf_o311_item_str(struct sf_o311_out *o, const char *s)
{
	if (o->fmt == SF_O311_JSON)
		sf_jw_str(&o->jw, s);
	else
		sf_xw_elem(&o->xw, o->depth > 0 ? o->item[o->depth - 1] : "item", s);
}

int sf_o311_done(struct sf_req *req, struct sf_o311_out *o)
{
	bool ok = o->fmt == SF_O311_JSON ? sf_jw_ok(&o->jw) : sf_xw_ok(&o->xw);

	if (!ok)
		return sf_o311_fail(req, o->fmt, 500, "the response could not be written");
	return 0;
}

int sf_o311_fail(struct sf_req *req, enum sf_o311_fmt fmt, int status, const char *msgfmt, ...)
{
	struct sf_o311_out o;
	char msg[320];
	va_list ap;

	va_start(ap, msgfmt);
	vsnprintf(msg, sizeof(msg), msgfmt, ap);
	va_end(ap);
	sf_o311_begin(req, &o, fmt, status);
	sf_o311_list(&o, "errors", "error");
	sf_o311_obj(&o, "error");
	sf_o311_int(&o, "code", status);
	sf_o311_str(&o, "description", msg);
	sf_o311_end(&o);
	sf_o311_end(&o);
	/* Kept for the request log line, which names the error. */
	snprintf(req->err.code, sizeof(req->err.code), "open311_%d", status);
	return 0;
}

bool sf_o311_jurisdiction_ok(struct sf_req *req, enum sf_o311_fmt fmt, const char *given)
{
	const char *want = req->app->cfg.jurisdiction;

	if (!want[0])
		return true;
	if (!given || !*given) {
		sf_o311_fail(req, fmt, 400, "jurisdiction_id was not provided");
		return false;
	}
	if (strcmp(given, want) != 0) {
		sf_o311_fail(req, fmt, 404, "jurisdiction_id not found");
		return false;
	}
	return true;
}

bool sf_o311_english(const struct sf_req *req)
{
	return sf_req_english(req);
}

/* ---- discovery ---- */

static void endpoint_url(struct sf_req *req, char *out, size_t cap)
{
	const struct sf_config *cfg = &req->app->cfg;
	size_t n;

	if (cfg->public_url[0])
		snprintf(out, cap, "%s", cfg->public_url);
	else
		snprintf(out, cap, "http://%s", cfg->listen);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	snprintf(out + n, cap - n, "/open311/v2");
}

static void endpoint(struct sf_o311_out *o, const char *url, const char *changeset,
		     const char *type)
{
	sf_o311_obj(o, "endpoint");
	sf_o311_str(o, "specification", SF_O311_SPEC_URL);
	sf_o311_str(o, "url", url);
	sf_o311_str(o, "changeset", changeset);
	sf_o311_str(o, "type", type);
	sf_o311_list(o, "formats", "format");
	sf_o311_item_str(o, "text/xml");
	sf_o311_item_str(o, "application/json");
	sf_o311_end(o);
	sf_o311_end(o);
}

static int discovery(struct sf_req *req, enum sf_o311_fmt fmt)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_o311_out o;
	char url[320], test_url[320], contact[512], key_service[512], changeset[32];
	int64_t at = 0;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	if (sf_store_o311_changeset(c, &at))
		return sf_o311_fail(req, fmt, 500, "the catalogue cannot be read");
	sf_time_iso(at ? at : req->app->started_at, changeset);
	endpoint_url(req, url, sizeof(url));
	if (sf_store_o311_setting(c, "open311.contact", contact, sizeof(contact)))
		snprintf(
			contact, sizeof(contact), "%s",
			"三服务工作办公室 / Sanfu service office; see the portal for opening hours");
	if (sf_store_o311_setting(c, "open311.key_service", key_service, sizeof(key_service)))
		snprintf(key_service, sizeof(key_service), "%s",
			 "Ask the system administrator for a key: sanfu apikey add NAME");
	if (sf_store_o311_setting(c, "open311.test_url", test_url, sizeof(test_url)))
		snprintf(test_url, sizeof(test_url), "%s", url);
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_obj(&o, "discovery");
	sf_o311_str(&o, "changeset", changeset);
	sf_o311_str(&o, "contact", contact);
	sf_o311_str(&o, "key_service", key_service);
	sf_o311_list(&o, "endpoints", "endpoint");
	endpoint(&o, url, changeset, "production");
	endpoint(&o, test_url, changeset, "test");
	sf_o311_end(&o);
	sf_o311_end(&o);
	return sf_o311_done(req, &o);
}

/* ---- the routes ---- */

/* The format of a path whose suffix is neither: XML, the spec's required one. */
static int bad_suffix(struct sf_req *req)
{
	return sf_o311_fail(req, SF_O311_XML, 400,
			    "the URL must end in .xml or .json (for example services.xml)");
}

int sf_api_o311_get(struct sf_req *req)
{
	const char *base;
	enum sf_o311_fmt fmt;

	if (req->nparams < 1 || !sf_o311_split(req, req->params[0], &base, &fmt))
		return bad_suffix(req);
	if (strcmp(base, "services") == 0)
		return sf_o311_services(req, fmt);
	if (strcmp(base, "requests") == 0)
		return sf_o311_requests_get(req, fmt);
	if (strcmp(base, "discovery") == 0)
		return discovery(req, fmt);
	return sf_o311_fail(req, fmt, 404, "no such resource: %s", base);
}

int sf_api_o311_post(struct sf_req *req)
{
	const char *base;
	enum sf_o311_fmt fmt;

	if (req->nparams < 1 || !sf_o311_split(req, req->params[0], &base, &fmt))
		return bad_suffix(req);
	if (strcmp(base, "requests") == 0)
		return sf_o311_requests_post(req, fmt);
	if (strcmp(base, "services") == 0 || strcmp(base, "discovery") == 0)
		return sf_o311_fail(req, fmt, 400, "%s is read-only: use GET", base);
	return sf_o311_fail(req, fmt, 404, "no such resource: %s", base);
}

int sf_api_o311_item(struct sf_req *req)
{
	const char *kind, *item;
	enum sf_o311_fmt fmt;

	if (req->nparams < 2 || !sf_o311_split(req, req->params[1], &item, &fmt))
		return bad_suffix(req);
	kind = req->params[0];
	if (!*item)
		return sf_o311_fail(req, fmt, 400, "the %s is missing from the URL", kind);
	if (strcmp(kind, "services") == 0)
		return sf_o311_definition(req, fmt, item);
	if (strcmp(kind, "requests") == 0)
		return sf_o311_request_get(req, fmt, item);
	if (strcmp(kind, "tokens") == 0)
		return sf_o311_token_get(req, fmt, item);
	return sf_o311_fail(req, fmt, 404, "no such resource: %s", kind);
}

/* ---- metrics ---- */

static int metric_key(const struct sf_o311_key *k, void *ctx)
{
	struct sf_buf *out = ctx;

	/* Key names are [A-Za-z0-9_.-] (checked when added): no label escaping needed. */
	sf_buf_addf(out, "sanfu_open311_requests_total{key=\"%s\"} %lld\n", k->name,
		    (long long)k->requests);
	return 0;
}

static int metric_created(const struct sf_o311_key *k, void *ctx)
{
	struct sf_buf *out = ctx;

	sf_buf_addf(out, "sanfu_open311_created_total{key=\"%s\"} %lld\n", k->name,
		    (long long)k->created);
	return 0;
}

void sf_o311_metrics(struct sf_conn *c, struct sf_buf *out)
{
	sf_buf_adds(out, "# HELP sanfu_open311_requests_total Open311 POSTs per API key.\n"
			 "# TYPE sanfu_open311_requests_total counter\n");
	sf_store_o311_key_each(c, metric_key, out);
	sf_buf_adds(out, "# HELP sanfu_open311_created_total Orders created through Open311 per "
			 "API key.\n# TYPE sanfu_open311_created_total counter\n");
	sf_store_o311_key_each(c, metric_created, out);
}

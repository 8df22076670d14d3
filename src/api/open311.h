/* Open311 GeoReport v2 under /open311/v2/ (wiki.open311.org/GeoReport_v2):
 * service list and definitions, POST and GET of service requests, batch
 * tokens and service discovery, each in JSON and XML chosen by the path's
 * suffix, with the spec's own error list instead of Sanfu's JSON error.
 * Also the catalogue import (`sanfu services import`, the admin API) and
 * the per-key counters /metrics shows. A category is published (listed,
 * defined, open to POST) when it is open311, active and public; GET
 * requests lists the orders of every open311 category, whatever channel
 * they came in by. Orders are written only through api/orders.h; nothing
 * here shows a requester's personal data. */
#ifndef SF_API_OPEN311_H
#define SF_API_OPEN311_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "util/buf.h"
#include "util/jw.h"
#include "util/xw.h"

#define SF_O311_RATE_PER_MIN 60  /* POSTs per API key per minute */
#define SF_O311_DESC_MAX 4000    /* characters of a description */
#define SF_O311_MAX_RESULTS 1000 /* requests in one GET requests answer */
#define SF_O311_SPAN_DAYS 90     /* widest start_date..end_date range */
#define SF_O311_IDS_MAX 1000     /* service_request_id items in one GET */
#define SF_O311_ATTRS_MAX 50     /* attributes of one service */
#define SF_O311_VALUES_MAX 200   /* values of one list attribute */
#define SF_O311_SPEC_URL "http://wiki.open311.org/GeoReport_v2"

/* ---- HTTP handlers (routes.c) ---- */

/* GET /open311/v2/{resource}: services.{fmt}, requests.{fmt}, discovery.{fmt}. */
int sf_api_o311_get(struct sf_req *req);
/* POST /open311/v2/{resource}: requests.{fmt} (form-encoded, api_key). */
int sf_api_o311_post(struct sf_req *req);
/* GET /open311/v2/{kind}/{item}: services/{code}.{fmt}, requests/{id}.{fmt},
 * tokens/{token}.{fmt}; anything else is a 404 in the format asked for. */
int sf_api_o311_item(struct sf_req *req);
/* POST /api/v1/open311/services/import (admin): a catalogue as JSON, the
 * shape of sf_o311_import. */
int sf_api_o311_import(struct sf_req *req);

/* ---- the catalogue import ---- */

struct sf_json;

/* Load a catalogue: doc is an array of service objects (or an object with
 * such an array under "services"), each in the shape of GET services —
 * service_code, service_name, description, metadata (ignored), type,
 * keywords, group — plus optional "attributes" in the shape of a service
 * definition's, and Sanfu's extensions service_name_en, dept (a unit code or
 * id of a department), accept_days, handle_days, feedback_days, public,
 * active, open311 (default true). Existing categories (same code) are updated
 * in place, keeping what the file does not say; sort follows the file's
 * order. Everything is checked before the one write transaction, which also
 * appends an audit entry by who (NULL = the command line). cb (may be NULL)
 * hears each service; *added and *updated get the counts. Nothing is written
 * on any error. Errors: SF_EINVAL naming the field as services[i].name,
 * SF_EDB. */
int sf_o311_import(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		   const char *ip, const struct sf_json *doc, int64_t now,
		   void (*cb)(const char *code, const char *name, bool added, void *ctx), void *ctx,
		   int *added, int *updated, struct sf_error *err);

/* Check an array of attribute definitions (Open311 service definition
 * shape) and write its canonical JSON text (sorted by order, defaults
 * filled in) to out. field names the array in errors ("services[2].attributes").
 * Errors: SF_EINVAL naming field[i].member. */
int sf_o311_attrs_normalise(const struct sf_json *arr, const char *field, struct sf_buf *out,
			    struct sf_error *err);

/* ---- /metrics ---- */

/* Append sanfu_open311_requests_total{key="NAME"} (and orders created) in
 * Prometheus text format. The counts live in the database (o311_keys), so
 * every server behind a load balancer shows the same totals. */
void sf_o311_metrics(struct sf_conn *c, struct sf_buf *out);

/* ---- shared by the open311*.c files ---- */

enum sf_o311_fmt { SF_O311_JSON, SF_O311_XML };

#define SF_O311_DEPTH 8

/* One response being written in either format. Lists are JSON arrays /
 * XML wrapper elements whose children are named `item`; objects are JSON
 * objects / XML elements; fields are members / child elements. */
struct sf_o311_out {
	enum sf_o311_fmt fmt;
	struct sf_jw jw;
	struct sf_xw xw;
	int depth;
	bool is_list[SF_O311_DEPTH];
	const char *item[SF_O311_DEPTH];
};

/* One attribute definition, as read from a category (strings borrowed from
 * the parsed JSON, arrays from the request's arena). */
struct sf_o311_attr {
	const char *code;
	const char *datatype; /* string number datetime text singlevaluelist multivaluelist */
	bool variable, required;
	const char *datatype_description; /* NULL = none */
	const char *description;
	int64_t order;
	size_t nvalues;
	const char **keys;
	const char **names;
};

/* Split a path segment "services.json" into its base (arena copy in *base)
 * and format. False when the suffix is neither .json nor .xml. */
bool sf_o311_split(struct sf_req *req, const char *seg, const char **base, enum sf_o311_fmt *fmt);
/* Start the response: status, Content-Type of fmt, empty body. */
void sf_o311_begin(struct sf_req *req, struct sf_o311_out *o, enum sf_o311_fmt fmt, int status);
void sf_o311_list(struct sf_o311_out *o, const char *name, const char *item);
void sf_o311_obj(struct sf_o311_out *o, const char *name);
void sf_o311_end(struct sf_o311_out *o);
/* A field of the current object; NULL s is JSON null / an empty element. */
void sf_o311_str(struct sf_o311_out *o, const char *key, const char *s);
void sf_o311_int(struct sf_o311_out *o, const char *key, int64_t v);
void sf_o311_num(struct sf_o311_out *o, const char *key, double v);
void sf_o311_bool(struct sf_o311_out *o, const char *key, bool v);
/* A time as ISO 8601 with +08:00; 0 is null. */
void sf_o311_time(struct sf_o311_out *o, const char *key, int64_t utc);
/* A string item of the current list. */
void sf_o311_item_str(struct sf_o311_out *o, const char *s);
/* Finish: when the writer was misused or overflowed, replace the body by a
 * 500 error. Always returns 0 (the handler's result). */
int sf_o311_done(struct sf_req *req, struct sf_o311_out *o);

/* Answer with the spec's error list [{code, description}] in fmt, with
 * HTTP status. Returns 0, so a handler can `return sf_o311_fail(...)`. */
int sf_o311_fail(struct sf_req *req, enum sf_o311_fmt fmt, int status, const char *msgfmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Check jurisdiction_id (given may be NULL) against the configured one:
 * true when fine; otherwise the error (400 missing, 404 wrong) is written
 * and the result is false. Always true when none is configured. */
bool sf_o311_jurisdiction_ok(struct sf_req *req, enum sf_o311_fmt fmt, const char *given);
/* Whether the person asked for English names (lang=en or Accept-Language). */
bool sf_o311_english(const struct sf_req *req);

/* Parse a category's attribute JSON text (NULL or "" = none) into
 * (*attrs)[0..*n) sorted by order, allocated in the request's arena. *root
 * keeps the strings alive; the caller frees it with sf_json_free. Returns 0
 * or SF_EINVAL when the stored text is not an array of definitions. */
int sf_o311_attrs_parse(struct sf_req *req, const char *text, struct sf_json **root,
			struct sf_o311_attr **attrs, size_t *n);

/* Handlers of the individual methods, dispatched by the three routes. */
int sf_o311_services(struct sf_req *req, enum sf_o311_fmt fmt);
int sf_o311_definition(struct sf_req *req, enum sf_o311_fmt fmt, const char *code);
int sf_o311_requests_get(struct sf_req *req, enum sf_o311_fmt fmt);
int sf_o311_request_get(struct sf_req *req, enum sf_o311_fmt fmt, const char *id);
int sf_o311_requests_post(struct sf_req *req, enum sf_o311_fmt fmt);
int sf_o311_token_get(struct sf_req *req, enum sf_o311_fmt fmt, const char *token);

#endif

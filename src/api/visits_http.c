/* The visit handlers over HTTP: list, get (with checklists, hazards and
 * the orders raised), create, raise a further problem; and the checklist
 * templates (多线融合 work lines). The recording itself is the service in
 * visits.c; campaigns are in visits_campaign.c, hazards in visits_hazard.c. */
#include "api/visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "api/visits_impl.h"
#include "store/visit.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"

static const char *const target_kinds[] = { "household", "enterprise", "place", "village", NULL };

/* ---- HTTP: visits ---- */

static void write_visit_head(struct sf_jw *w, const struct sf_visit *v)
{
	sf_jw_kint(w, "id", v->id);
	sf_regapi_kref(w, "campaign", v->campaign_id, v->campaign_name);
	sf_jw_key(w, "target");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "kind", v->target_kind);
	sf_jw_kint(w, "id", v->target_id);
	sf_jw_kstr(w, "name", v->target_name);
	sf_jw_obj_end(w);
	sf_regapi_kref(w, "unit", v->unit_id, v->unit_name);
	sf_regapi_kref(w, "visitor", v->visitor_user_id, v->visitor_name);
	sf_jw_kstr(w, "companions", v->companions);
	sf_jw_kstr(w, "method", v->method);
	sf_jw_ktime(w, "visited_at", v->visited_at);
	sf_jw_kstr(w, "notes", v->notes);
	sf_jw_kint(w, "hazards", v->hazards);
	sf_jw_kint(w, "orders", v->orders);
	sf_jw_ktime(w, "created_at", v->created_at);
}

struct vlist_ctx {
	struct sf_jw *w;
	int64_t last;
	int n;
};

static int list_visit(const struct sf_visit *v, void *vctx)
{
	struct vlist_ctx *ctx = vctx;

	sf_jw_obj_begin(ctx->w);
	write_visit_head(ctx->w, v);
	sf_jw_obj_end(ctx->w);
	ctx->last = v->id;
	ctx->n++;
	return 0;
}

int sf_api_visits_list(struct sf_req *req)
{
	struct sf_visit_filter f = { 0 };
	char unit_path[128];
	const char *kind = sf_req_query(req, "target_kind");
	struct sf_jw w;
	struct vlist_ctx ctx = { &w, 0, 0 };
	int64_t order_id = 0;
	bool present;
	int limit;
	int rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));

	if (kind && *kind && !sf_visitapi_one_of(kind, target_kinds))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "target_kind",
				   "target_kind must be household, enterprise, place or village");
	if (!rc)
		rc = sf_api_query_int(req, "target_id", 1, INT64_MAX, &f.target_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "campaign_id", 1, INT64_MAX, &f.campaign_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "visitor_id", 1, INT64_MAX, &f.visitor_user_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "order_id", 1, INT64_MAX, &order_id, NULL);
	if (!rc)
		rc = sf_api_query_time(req, "since", false, &f.since, &present);
	if (!rc)
		rc = sf_api_query_time(req, "until", true, &f.until, &present);
	if (!rc)
		rc = sf_api_query_int(req, "before", 1, INT64_MAX, &f.before_id, NULL);
	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (rc)
		return rc;
	f.scope_all = sf_regapi_privileged(&req->who);
	f.scope_path = req->who.unit_path;
	f.scope_user = req->who.user_id;
	f.target_kind = kind && *kind ? kind : NULL;
	f.unit_path = unit_path[0] ? unit_path : NULL;
	f.limit = limit;
	if (order_id) {
		/* the other way of the link: the visit an order was raised on */
		int64_t vid = 0;

		rc = sf_store_visit_of_order(sf_req_conn(req), order_id, &vid);
		if (rc && rc != SF_ENOTFOUND)
			return sf_regapi_store_fail(req, rc, "", "cannot read the link");
		f.before_id = vid + 1;
		f.limit = 1;
		if (rc == SF_ENOTFOUND)
			f.before_id = 1; /* nothing */
	}
	sf_regapi_items_begin(req, &w);
	rc = sf_store_visit_list(sf_req_conn(req), &f, list_visit, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the visits");
	sf_regapi_items_next(&w, ctx.n == f.limit && !order_id, ctx.last);
	sf_jw_obj_end(&w);
	return 0;
}

static int write_check(const struct sf_visit_check *k, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "template", k->code);
	sf_jw_kstr(w, "name", k->name);
	sf_jw_kstr(w, "line", k->line);
	sf_jw_kraw(w, "answers", k->answers && *k->answers ? k->answers : "{}");
	sf_jw_obj_end(w);
	return 0;
}

static int write_vorder(const struct sf_visit_order *o, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", o->order_id);
	sf_jw_kstr(w, "code", o->code);
	sf_jw_kstr(w, "title", o->title);
	sf_jw_kstr(w, "state", o->state);
	sf_jw_ktime(w, "created_at", o->created_at);
	sf_jw_obj_end(w);
	return 0;
}

struct vhazard_ctx {
	struct sf_jw *w;
	struct sf_req *req;
};

static int write_vhazard(const struct sf_hazard *h, void *vctx)
{
	struct vhazard_ctx *ctx = vctx;

	sf_visitapi_write_hazard(ctx->w, h, ctx->req->app, ctx->req->now);
	return 0;
}

/* Load a visit the person may see (its area, their own, or its target in
 * their area or grid, or their enterprise); 404 otherwise. */
static int load_visit(struct sf_req *req, int64_t id, struct sf_visit *v)
{
	struct sf_visit_target t;
	struct sf_error e = { 0 };
	int rc = sf_store_visit_get(sf_req_conn(req), id, v);

	if (!rc && !sf_regapi_sees_path(&req->who, v->unit_path) &&
	    v->visitor_user_id != req->who.user_id &&
	    !(sf_visitapi_target(sf_req_conn(req), &req->who, v->target_kind, v->target_id, &t,
				 &e) == 0 &&
	      t.in_area))
		rc = SF_ENOTFOUND;
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no visit %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the visit");
	return 0;
}

static int reply_visit(struct sf_req *req, int status, int64_t id,
		       const struct sf_visit_recorded *rec)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_visit *v = sf_xmalloc(sizeof(*v));
	struct sf_hazard_filter hf = { 0 };
	struct sf_jw w;
	struct vhazard_ctx hctx = { &w, req };
	int rc = load_visit(req, id, v);

	if (rc) {
		free(v);
		return rc;
	}
	sf_req_reply_json(req, status, &w);
	sf_jw_obj_begin(&w);
	write_visit_head(&w, v);
	sf_jw_key(&w, "checks");
	sf_jw_arr_begin(&w);
	rc = sf_store_visit_checks(c, id, write_check, &w);
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "hazard_list");
	sf_jw_arr_begin(&w);
	hf.scope_all = true;
	hf.visit_id = id;
	hf.limit = SF_VISIT_MAX_HAZARDS;
	hf.now = req->now;
	if (!rc)
		rc = sf_store_hazard_list(c, &hf, write_vhazard, &hctx);
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "order_list");
	sf_jw_arr_begin(&w);
	if (!rc)
		rc = sf_store_visit_orders(c, id, write_vorder, &w);
	sf_jw_arr_end(&w);
	if (rec && rec->failed_orders) {
		sf_jw_key(&w, "problem_errors");
		sf_jw_obj_begin(&w);
		sf_jw_kint(&w, "failed", (int64_t)rec->failed_orders);
		sf_jw_kstr(&w, "code", rec->order_error.code);
		sf_jw_kstr(&w, "message", rec->order_error.message);
		sf_jw_kstr(&w, "field", rec->order_error.field);
		sf_jw_obj_end(&w);
	}
	sf_jw_obj_end(&w);
	free(v);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the visit");
	return 0;
}

int sf_api_visits_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_visit(req, 200, id, NULL);
}

static const struct sf_jfield visit_spec[] = {
	{ "campaign_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "target_kind", SF_JT_STRING, true, 16, 0, 0 },
	{ "target_id", SF_JT_INT, true, 0, 1, INT64_MAX },
	{ "method", SF_JT_STRING, true, 16, 0, 0 },
	{ "visited_at", SF_JT_STRING, false, 40, 0, 0 },
	{ "companions", SF_JT_STRING, false, 100, 0, 0 },
	{ "notes", SF_JT_TEXT, false, 2000, 0, 0 },
	{ "checks", SF_JT_ANY, false, 0, 0, 0 },
	{ "hazards", SF_JT_ANY, false, 0, 0, 0 },
	{ "problems", SF_JT_ANY, false, 0, 0, 0 },
	{ 0 },
};

static const struct sf_jfield check_spec[] = {
	{ "template", SF_JT_STRING, true, 48, 0, 0 },
	{ "answers", SF_JT_OBJECT, false, 100, 0, 0 },
	{ 0 },
};

static const struct sf_jfield hazard_spec[] = {
	{ "type", SF_JT_STRING, true, 24, 0, 0 },
	{ "severity", SF_JT_STRING, true, 16, 0, 0 },
	{ "description", SF_JT_TEXT, true, 1000, 0, 0 },
	{ "days", SF_JT_INT, false, 0, 1, 90 },
	{ 0 },
};

static const struct sf_jfield problem_spec[] = {
	{ "title", SF_JT_STRING, true, 100, 0, 0 },
	{ "description", SF_JT_TEXT, true, 4000, 0, 0 },
	{ "category", SF_JT_STRING, true, 48, 0, 0 },
	{ "requester_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "requester_phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "hazard", SF_JT_INT, false, 0, 0, SF_VISIT_MAX_HAZARDS - 1 },
	{ 0 },
};

/* Check item i of the array at key against spec; prefix the error's field
 * with "key[i].". *item is lent (free it). */
static int array_item(struct sf_req *req, const struct sf_json *body, const char *key, size_t i,
		      const struct sf_jfield *spec, struct sf_json **item)
{
	struct sf_json *arr = NULL;
	int rc = sf_json_get(body, key, &arr);

	*item = NULL;
	if (!rc)
		rc = sf_json_at(arr, i, item);
	sf_json_free(arr);
	if (rc)
		return sf_req_fail(req, SF_EINVAL, "invalid_type", key,
				   "%s must be an array of objects", key);
	rc = sf_json_check(*item, spec, &req->err);
	if (rc) {
		char f[64];

		snprintf(f, sizeof(f), "%s[%zu]%s%.40s", key, i, req->err.field[0] ? "." : "",
			 req->err.field);
		snprintf(req->err.field, sizeof(req->err.field), "%s", f);
		sf_json_free(*item);
		*item = NULL;
	}
	return rc;
}

static int array_len(struct sf_req *req, const struct sf_json *body, const char *key, size_t max,
		     size_t *n)
{
	struct sf_json *arr = NULL;

	*n = 0;
	if (!sf_json_has(body, key))
		return 0;
	if (sf_json_get(body, key, &arr) || sf_json_kind(arr) != SF_JSON_ARRAY) {
		sf_json_free(arr);
		return sf_req_fail(req, SF_EINVAL, "invalid_type", key, "%s must be an array", key);
	}
	*n = sf_json_len(arr);
	sf_json_free(arr);
	if (*n > max)
		return sf_req_fail(req, SF_EINVAL, "too_long", key, "%s has more than %zu items",
				   key, max);
	return 0;
}

int sf_api_visits_create(struct sf_req *req)
{
	struct sf_json *b = NULL;
	struct sf_json *items[SF_VISIT_MAX_CHECKS + SF_VISIT_MAX_HAZARDS + SF_VISIT_MAX_PROBLEMS];
	size_t nitems = 0;
	struct sf_visit_check_in checks[SF_VISIT_MAX_CHECKS];
	struct sf_visit_hazard_in hazards[SF_VISIT_MAX_HAZARDS];
	struct sf_visit_problem_in problems[SF_VISIT_MAX_PROBLEMS];
	char *answers[SF_VISIT_MAX_CHECKS] = { 0 };
	struct sf_visit_input in;
	struct sf_visit_recorded *rec = sf_xcalloc(1, sizeof(*rec));
	const char *at;
	int rc = sf_req_json(req, visit_spec, &b);

	memset(&in, 0, sizeof(in));
	if (rc)
		goto out;
	sf_json_int(b, "campaign_id", &in.campaign_id);
	in.target_kind = sf_json_str(b, "target_kind");
	sf_json_int(b, "target_id", &in.target_id);
	in.method = sf_json_str(b, "method");
	in.companions = sf_json_str(b, "companions");
	in.notes = sf_json_str(b, "notes");
	at = sf_json_str(b, "visited_at");
	if (at && sf_time_parse_iso(at, &in.visited_at)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "visited_at",
				 "visited_at must be an ISO 8601 time with offset");
		goto out;
	}
	rc = array_len(req, b, "checks", SF_VISIT_MAX_CHECKS, &in.nchecks);
	if (!rc)
		rc = array_len(req, b, "hazards", SF_VISIT_MAX_HAZARDS, &in.nhazards);
	if (!rc)
		rc = array_len(req, b, "problems", SF_VISIT_MAX_PROBLEMS, &in.nproblems);
	for (size_t i = 0; !rc && i < in.nchecks; i++) {
		struct sf_json *it, *ans = NULL;
		struct sf_buf buf;

		rc = array_item(req, b, "checks", i, check_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		checks[i].template_code = sf_json_str(it, "template");
		if (sf_json_object(it, "answers", &ans) == 0) {
			sf_buf_init(&buf, 64 << 10);
			sf_json_dump(ans, &buf);
			answers[i] = sf_buf_detach(&buf, NULL);
			sf_json_free(ans);
		}
		checks[i].answers_json = answers[i];
	}
	for (size_t i = 0; !rc && i < in.nhazards; i++) {
		struct sf_json *it;
		int64_t days = 0;

		rc = array_item(req, b, "hazards", i, hazard_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		hazards[i].type = sf_json_str(it, "type");
		hazards[i].severity = sf_json_str(it, "severity");
		hazards[i].description = sf_json_str(it, "description");
		sf_json_int(it, "days", &days);
		hazards[i].days = (int)days;
	}
	for (size_t i = 0; !rc && i < in.nproblems; i++) {
		struct sf_json *it;
		int64_t hz = -1;

		rc = array_item(req, b, "problems", i, problem_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		problems[i].title = sf_json_str(it, "title");
		problems[i].description = sf_json_str(it, "description");
		problems[i].category_code = sf_json_str(it, "category");
		problems[i].requester_name = sf_json_str(it, "requester_name");
		problems[i].requester_phone = sf_json_str(it, "requester_phone");
		sf_json_int(it, "hazard", &hz);
		problems[i].hazard = (int)hz;
	}
	if (rc)
		goto out;
	in.checks = checks;
	in.hazards = hazards;
	in.problems = problems;
	rc = sf_visits_record(req->app, sf_req_conn(req), &req->who, &in, req->now, rec, &req->err);
	if (!rc)
		rc = reply_visit(req, 201, rec->visit_id, rec);
out:
	for (size_t i = 0; i < nitems; i++)
		sf_json_free(items[i]);
	for (size_t i = 0; i < SF_VISIT_MAX_CHECKS; i++)
		free(answers[i]);
	free(rec);
	sf_json_free(b);
	return rc;
}

int sf_api_visits_raise(struct sf_req *req)
{
	struct sf_json *b = NULL;
	struct sf_visit_problem_in p;
	int64_t id, order_id = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, problem_spec, &b);
	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	p.title = sf_json_str(b, "title");
	p.description = sf_json_str(b, "description");
	p.category_code = sf_json_str(b, "category");
	p.requester_name = sf_json_str(b, "requester_name");
	p.requester_phone = sf_json_str(b, "requester_phone");
	p.hazard = -1;
	rc = sf_visits_raise(req->app, sf_req_conn(req), &req->who, id, &p, req->now, &order_id,
			     &req->err);
	sf_json_free(b);
	return rc ? rc : reply_visit(req, 201, id, NULL);
}

/* ---- checklist templates ---- */

static int write_template(const struct sf_checklist *t, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", t->id);
	sf_jw_kstr(w, "code", t->code);
	sf_jw_kstr(w, "name", t->name);
	sf_jw_kstr(w, "line", t->line);
	sf_regapi_ktags(w, "target_kinds", t->target_kinds);
	sf_jw_kraw(w, "items", t->items[0] ? t->items : "[]");
	sf_jw_kbool(w, "active", t->active);
	sf_jw_kint(w, "sort", t->sort);
	sf_jw_obj_end(w);
	return 0;
}

int sf_api_checklists_list(struct sf_req *req)
{
	struct sf_jw w;
	int all = -1;
	int rc = sf_regapi_query_flag(req, "all", &all);

	if (rc)
		return rc;
	sf_regapi_items_begin(req, &w);
	rc = sf_store_checklist_each(sf_req_conn(req), all != 1, write_template, &w);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the templates");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

static const struct sf_jfield template_spec[] = {
	{ "code", SF_JT_STRING, true, 40, 0, 0 },
	{ "name", SF_JT_STRING, true, 50, 0, 0 },
	{ "line", SF_JT_STRING, true, 40, 0, 0 },
	{ "target_kinds", SF_JT_STRING_ARRAY, false, 4, 0, 0 },
	{ "items", SF_JT_ANY, true, 0, 0, 0 },
	{ "active", SF_JT_BOOL, false, 0, 0, 0 },
	{ "sort", SF_JT_INT, false, 0, 0, 10000 },
	{ 0 },
};

static const struct sf_jfield item_spec[] = {
	{ "key", SF_JT_STRING, true, 32, 0, 0 },
	{ "label", SF_JT_STRING, true, 60, 0, 0 },
	{ "type", SF_JT_STRING, true, 8, 0, 0 },
	{ "options", SF_JT_STRING_ARRAY, false, 20, 0, 0 },
	{ 0 },
};

static bool key_ok(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

int sf_api_checklists_put(struct sf_req *req)
{
	static const char *const item_types[] = { "bool", "number", "text", "choice", NULL };
	struct sf_json *b = NULL, *items = NULL;
	struct sf_checklist *t = sf_xcalloc(1, sizeof(*t));
	struct sf_buf buf;
	struct sf_jw w;
	bool active = true;
	int64_t id = 0;
	size_t n;
	int rc = sf_req_json(req, template_spec, &b);

	sf_buf_init(&buf, SF_CHECKLIST_ITEMS_MAX - 1);
	if (rc)
		goto out;
	if (!key_ok(sf_json_str(b, "code"))) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "code",
				 "code uses lowercase letters, digits and _");
		goto out;
	}
	if (sf_json_get(b, "items", &items) || sf_json_kind(items) != SF_JSON_ARRAY ||
	    (n = sf_json_len(items)) == 0 || n > 50) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
				 "items must be an array of 1 to 50 objects");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct sf_json *it = NULL;
		const char *type;

		rc = sf_json_at(items, i, &it);
		if (!rc)
			rc = sf_json_check(it, item_spec, &req->err);
		type = sf_json_str(it, "type");
		if (!rc && !key_ok(sf_json_str(it, "key")))
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu].key uses lowercase letters, digits and _", i);
		if (!rc && !sf_visitapi_one_of(type, item_types))
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu].type must be bool, number, text or choice", i);
		if (!rc && !strcmp(type, "choice") && sf_json_array_len(it, "options") == 0)
			rc = sf_req_fail(req, SF_EINVAL, "missing_field", "items",
					 "items[%zu] is a choice without options", i);
		if (rc && !req->err.rc)
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu] is not valid", i);
		sf_json_free(it);
		if (rc)
			goto out;
	}
	sf_json_dump(items, &buf);
	if (!sf_buf_ok(&buf)) {
		rc = sf_req_fail(req, SF_ETOOBIG, "too_long", "items", "the items are too long");
		goto out;
	}
	snprintf(t->code, sizeof(t->code), "%s", sf_json_str(b, "code"));
	snprintf(t->name, sizeof(t->name), "%s", sf_json_str(b, "name"));
	snprintf(t->line, sizeof(t->line), "%s", sf_json_str(b, "line"));
	snprintf(t->items, sizeof(t->items), "%s", buf.data);
	for (size_t i = 0; i < sf_json_array_len(b, "target_kinds"); i++) {
		const char *k = sf_json_array_str(b, "target_kinds", i);
		size_t used = strlen(t->target_kinds);

		if (!sf_visitapi_one_of(k, target_kinds)) {
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "target_kinds",
					 "target_kinds are household, enterprise, place, village");
			goto out;
		}
		snprintf(t->target_kinds + used, sizeof(t->target_kinds) - used, "%s%s",
			 used ? "," : "", k);
	}
	sf_json_bool(b, "active", &active);
	t->active = active;
	sf_json_int(b, "sort", &t->sort);
	rc = sf_store_checklist_upsert(sf_req_conn(req), t, req->now, &id);
	if (!rc)
		rc = sf_store_checklist_by_code(sf_req_conn(req), t->code, t);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "code", "cannot save the template");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	write_template(t, &w);
out:
	sf_buf_release(&buf);
	sf_json_free(items);
	sf_json_free(b);
	free(t);
	return rc;
}

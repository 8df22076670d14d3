/* HTTP handlers of the work orders: create, detail with the actions the
 * person may take and the timeline, actions, attachments, the audited
 * reveal of a phone. The list is in orders_list.c. Input is checked here,
 * rules are in orders.c and its siblings. */
#include "api/orders.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/orders_impl.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/jw.h"

/* ---- output ---- */

static void kunit(struct sf_jw *w, const char *k, int64_t id, const char *name)
{
	if (id <= 0) {
		sf_jw_knull(w, k);
		return;
	}
	sf_jw_key(w, k);
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", id);
	sf_jw_kstr(w, "name", name);
	sf_jw_obj_end(w);
}

/* visit_id and hazard_id of an order raised on a visit (its attrs carry
 * {"visit_id": N, "hazard_id": M}); null when it has none. */
static void kvisit_links(struct sf_jw *w, const char *attrs)
{
	struct sf_json *a = NULL;
	int64_t visit = 0, hazard = 0;

	if (attrs && *attrs && sf_json_parse_any(attrs, strlen(attrs), &a, NULL) == 0) {
		sf_json_int(a, "visit_id", &visit);
		sf_json_int(a, "hazard_id", &hazard);
	}
	sf_json_free(a);
	if (visit > 0)
		sf_jw_kint(w, "visit_id", visit);
	else
		sf_jw_knull(w, "visit_id");
	if (hazard > 0)
		sf_jw_kint(w, "hazard_id", hazard);
	else
		sf_jw_knull(w, "hazard_id");
}

static void kontime(struct sf_jw *w, const char *k, int v)
{
	if (v < 0)
		sf_jw_knull(w, k);
	else
		sf_jw_kbool(w, k, v != 0);
}

static bool requester_role(enum sf_role r)
{
	return r == SF_ROLE_OPERATOR || r == SF_ROLE_ENTERPRISE || r == SF_ROLE_RESIDENT;
}

static void write_requester(struct sf_req *req, struct sf_jw *w, const struct sf_order_row *o)
{
	char masked[64];
	char *plain = NULL;

	sf_jw_key(w, "requester");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "kind", o->requester_kind);
	if (!o->requester_name) {
		sf_jw_knull(w, "name");
	} else if (sf_req_sees_all(req)) {
		sf_jw_kstr(w, "name", o->requester_name);
	} else {
		sf_mask_name(o->requester_name, masked, sizeof(masked));
		sf_jw_kstr(w, "name", masked);
	}
	if (o->requester_phone_sealed &&
	    sf_crypto_unseal(&req->app->key, o->requester_phone_sealed, &plain, NULL) == 0) {
		sf_mask_phone(plain, masked, sizeof(masked));
		explicit_bzero(plain, strlen(plain));
		free(plain);
		sf_jw_kstr(w, "phone", masked);
	} else {
		sf_jw_knull(w, "phone");
	}
	sf_jw_kstr(w, "org", o->requester_org);
	sf_jw_obj_end(w);
}

void sf_orders_write_item(struct sf_req *req, struct sf_jw *w, const struct sf_order_row *o)
{
	sf_jw_kint(w, "id", o->id);
	sf_jw_kstr(w, "code", o->code);
	sf_jw_kstr(w, "title", o->title);
	sf_jw_key(w, "category");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "code", o->category_code);
	sf_jw_kstr(w, "name", o->category_zh);
	sf_jw_kstr(w, "name_en", o->category_en);
	sf_jw_obj_end(w);
	sf_jw_kstr(w, "state", sf_order_state_name(o->state));
	sf_jw_kstr(w, "state_label", sf_order_state_label_zh(o->state));
	sf_jw_kstr(w, "channel", o->channel);
	kunit(w, "area", o->area_unit_id, o->area_name);
	kunit(w, "dept", o->dept_unit_id, o->dept_name);
	sf_jw_ktime(w, "created_at", o->created_at);
	sf_jw_ktime(w, "updated_at", o->updated_at);
	sf_jw_ktime(w, "deadline", o->deadline);
	if (o->deadline > 0) {
		int left;

		pthread_rwlock_rdlock(&req->app->cal_lock);
		left = sf_calendar_workdays_left(&req->app->cal, req->now, o->deadline);
		pthread_rwlock_unlock(&req->app->cal_lock);
		sf_jw_kint(w, "workdays_left", left);
	} else {
		sf_jw_knull(w, "workdays_left");
	}
	sf_jw_kbool(w, "overdue", o->overdue);
	sf_jw_kbool(w, "warned", o->warned);
	sf_jw_kint(w, "escalation", o->escalation);
	sf_jw_kbool(w, "problem", o->problem);
	sf_jw_kbool(w, "supervised", o->supervised);
	sf_jw_kint(w, "reopen_count", o->reopen_count);
	sf_jw_kint(w, "transfer_count", o->transfer_count);
	if (o->rating == SF_RATING_NONE) {
		sf_jw_knull(w, "rating");
	} else {
		sf_jw_kstr(w, "rating", sf_rating_name(o->rating));
		sf_jw_kstr(w, "rating_label", sf_rating_label_zh(o->rating));
	}
	write_requester(req, w, o);
	sf_jw_kint(w, "version", o->version);
}

struct detail_ctx {
	struct sf_jw *w;
};

static int write_event(const struct sf_order_event *ev, void *vctx)
{
	struct detail_ctx *ctx = vctx;
	struct sf_jw *w = ctx->w;
	enum sf_order_action a;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", ev->id);
	sf_jw_kint(w, "seq", ev->seq);
	sf_jw_kstr(w, "action", ev->action);
	sf_jw_kstr(w, "action_label",
		   sf_order_action_parse(ev->action, &a) ? sf_order_action_label_zh(a)
							 : ev->action);
	sf_jw_kstr(w, "from_state", ev->from_state);
	sf_jw_kstr(w, "to_state", ev->to_state);
	sf_jw_key(w, "actor");
	sf_jw_obj_begin(w);
	if (ev->actor_user_id > 0)
		sf_jw_kint(w, "id", ev->actor_user_id);
	else
		sf_jw_knull(w, "id");
	sf_jw_kstr(w, "name", ev->actor_name);
	sf_jw_kstr(w, "role", ev->actor_role);
	sf_jw_obj_end(w);
	sf_jw_ktime(w, "at", ev->at);
	sf_jw_kbool(w, "public", ev->public);
	/* The body is a JSON object this server wrote with sf_jw. */
	sf_jw_kraw(w, "details", ev->body && ev->body[0] == '{' ? ev->body : "{}");
	sf_jw_obj_end(w);
	return 0;
}

static int write_attachment(const struct sf_attachment *a, void *vctx)
{
	struct detail_ctx *ctx = vctx;

	sf_jw_obj_begin(ctx->w);
	sf_jw_kint(ctx->w, "id", a->id);
	sf_jw_kstr(ctx->w, "mime", a->mime);
	sf_jw_kint(ctx->w, "size", a->size);
	sf_jw_kbool(ctx->w, "public", a->public);
	sf_jw_ktime(ctx->w, "created_at", a->created_at);
	sf_jw_obj_end(ctx->w);
	return 0;
}

static int write_timeline(struct sf_req *req, struct sf_jw *w, const struct sf_order_row *o)
{
	struct detail_ctx ctx = { w };
	int rc;

	sf_jw_arr_begin(w);
	rc = sf_store_order_event_each(sf_req_conn(req), o->id, requester_role(req->who.role),
				       write_event, &ctx);
	sf_jw_arr_end(w);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the timeline");
	return 0;
}

/* secret: the tracking secret of an order just created for the requester,
 * shown this once; NULL otherwise. */
static int write_detail(struct sf_req *req, struct sf_jw *w, const struct sf_order_row *o,
			const char *secret)
{
	enum sf_order_action acts[SF_ORDER_ACTION_COUNT];
	struct detail_ctx ctx = { w };
	size_t n;
	int rc;

	sf_jw_obj_begin(w);
	sf_orders_write_item(req, w, o);
	sf_jw_kstr(w, "description", o->description);
	sf_jw_kstr(w, "address", o->address);
	if (o->has_geo) {
		sf_jw_knum(w, "lat", o->lat);
		sf_jw_knum(w, "lng", o->lng);
	} else {
		sf_jw_knull(w, "lat");
		sf_jw_knull(w, "lng");
	}
	sf_jw_kstr(w, "result", o->result);
	sf_jw_kstr(w, "public_note", o->public_note);
	if (o->merged_into > 0) {
		sf_jw_key(w, "merged_into");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", o->merged_into);
		sf_jw_kstr(w, "code", o->merged_code);
		sf_jw_obj_end(w);
	} else {
		sf_jw_knull(w, "merged_into");
	}
	kunit(w, "handler", o->handler_user_id, o->handler_name);
	sf_jw_ktime(w, "handle_deadline", o->handle_deadline);
	sf_jw_kint(w, "extension_days", o->extension_days);
	sf_jw_kbool(w, "extension_pending", o->extension_pending > 0);
	if (o->extension_pending > 0)
		sf_jw_kint(w, "extension_requested_days", o->extension_pending);
	kontime(w, "accepted_on_time", o->accepted_on_time);
	kontime(w, "resolved_on_time", o->resolved_on_time);
	kontime(w, "feedback_on_time", o->feedback_on_time);
	sf_jw_kbool(w, "ever_overdue", o->ever_overdue);
	sf_jw_ktime(w, "accepted_at", o->accepted_at);
	sf_jw_ktime(w, "assigned_at", o->assigned_at);
	sf_jw_ktime(w, "resolved_at", o->resolved_at);
	sf_jw_ktime(w, "feedback_at", o->feedback_at);
	sf_jw_ktime(w, "closed_at", o->closed_at);
	sf_jw_ktime(w, "rated_at", o->rated_at);
	if (sf_req_sees_all(req) && o->tracking_code[0])
		sf_jw_kstr(w, "tracking_code", o->tracking_code);
	kvisit_links(w, o->attrs);
	sf_jw_key(w, "attachments");
	sf_jw_arr_begin(w);
	rc = sf_store_attachment_each(sf_req_conn(req), o->id, requester_role(req->who.role),
				      write_attachment, &ctx);
	sf_jw_arr_end(w);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the attachments");
	sf_jw_key(w, "actions");
	sf_jw_arr_begin(w);
	n = sf_order_actions_available(o->state, req->who.role, acts, SF_ORDER_ACTION_COUNT);
	for (size_t i = 0; i < n; i++) {
		if (!sf_orders_can_act(&req->who, o, acts[i]))
			continue;
		if (acts[i] == SF_ORDER_ACTION_DENY_EXTENSION && o->extension_pending <= 0)
			continue;
		sf_jw_str(w, sf_order_action_name(acts[i]));
	}
	sf_jw_arr_end(w);
	sf_jw_key(w, "timeline");
	rc = write_timeline(req, w, o);
	if (rc)
		return rc;
	if (secret && *secret) {
		sf_jw_kstr(w, "tracking_code", o->tracking_code);
		sf_jw_kstr(w, "tracking_secret", secret);
	}
	sf_jw_obj_end(w);
	return 0;
}

/* Load order id for the requester (404 when missing or out of scope). */
static int load(struct sf_req *req, int64_t id, struct sf_order_row *o)
{
	int rc = sf_store_order_get(sf_req_conn(req), id, o);

	if (rc == 0 && !sf_orders_can_see(&req->who, o)) {
		sf_order_row_release(o);
		rc = SF_ENOTFOUND;
	}
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, rc, "not_found", "", "no such order");
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the order");
	return 0;
}

static int reply_detail(struct sf_req *req, int status, int64_t id, const char *secret)
{
	struct sf_order_row o;
	struct sf_jw w;
	int rc = load(req, id, &o);

	if (rc)
		return rc;
	sf_req_reply_json(req, status, &w);
	rc = write_detail(req, &w, &o, secret);
	sf_order_row_release(&o);
	return rc;
}

int sf_orders_query_flag(struct sf_req *req, const char *key, bool *out)
{
	const char *s = sf_req_query(req, key);

	*out = false;
	if (!s || !*s || strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		return 0;
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
		*out = true;
		return 0;
	}
	return sf_req_fail(req, SF_EINVAL, "invalid_field", key, "%s must be 1 or 0", key);
}

/* ---- create ---- */

static const struct sf_jfield create_spec[] = {
	{ "title", SF_JT_STRING, true, 100, 0, 0 },
	{ "description", SF_JT_TEXT, true, 4000, 0, 0 },
	{ "category", SF_JT_STRING, true, 48, 0, 0 },
	{ "channel", SF_JT_STRING, false, 16, 0, 0 },
	{ "requester", SF_JT_OBJECT, false, 8, 0, 0 },
	{ "address", SF_JT_STRING, false, 200, 0, 0 },
	{ "lat", SF_JT_NUMBER, false, 0, -90, 90 },
	{ "lng", SF_JT_NUMBER, false, 0, -180, 180 },
	{ "area_unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "dept_unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "enterprise_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "auto_route", SF_JT_BOOL, false, 0, 0, 0 },
	{ "tracking", SF_JT_BOOL, false, 0, 0, 0 },
	{ 0 },
};

static const struct sf_jfield requester_spec[] = {
	{ "kind", SF_JT_STRING, false, 16, 0, 0 },
	{ "name", SF_JT_STRING, false, 50, 0, 0 },
	{ "phone", SF_JT_STRING, false, 32, 0, 0 },
	{ "org", SF_JT_STRING, false, 100, 0, 0 },
	{ 0 },
};

/* A create or an action on its way through the group commit: what the
 * writer's function needs, copied out of the request, and what it gives. */
struct order_write {
	struct sf_app *app;
	struct sf_principal who;
	int64_t now;
	struct sf_json *body, *rq; /* the inputs point into them */
	struct sf_order_input in;
	bool auto_route;
	struct sf_order_created out;
	int64_t id;
	struct sf_order_act act;
	struct sf_error err;
};

static struct order_write *order_write_new(struct sf_req *req)
{
	struct order_write *w = sf_arena_zalloc(&req->arena, sizeof(*w));

	w->app = req->app;
	w->who = req->who;
	w->now = req->now;
	return w;
}

/* The write failed: its own error, or the shared commit's. */
static int write_failed(struct sf_req *req, int rc, const struct order_write *w)
{
	if (w->err.rc) {
		req->err = w->err;
		return w->err.rc;
	}
	return sf_req_fail(req, rc, rc == SF_EBUSY ? NULL : "storage_error", "",
			   "cannot save the change; try again");
}

static int create_write(struct sf_conn *c, void *ctx)
{
	struct order_write *w = ctx;

	return sf_orders_create(w->app, c, &w->who, &w->in, w->auto_route, w->now, &w->out,
				&w->err);
}

static int create_then(struct sf_req *req, int rc, void *ctx)
{
	struct order_write *w = ctx;

	if (rc) {
		rc = write_failed(req, rc, w);
	} else {
		req->location =
			sf_arena_printf(&req->arena, "/api/v1/orders/%lld", (long long)w->out.id);
		rc = reply_detail(req, 201, w->out.id,
				  w->in.public_submission ? w->out.tracking_secret : NULL);
	}
	sf_json_free(w->rq);
	sf_json_free(w->body);
	return rc;
}

int sf_api_orders_create(struct sf_req *req)
{
	struct sf_json *body = NULL, *rq = NULL;
	struct sf_order_input in;
	struct order_write *w;
	bool auto_route;
	int rc = sf_req_json(req, create_spec, &body);

	if (rc)
		return rc;
	memset(&in, 0, sizeof(in));
	in.title = sf_json_str(body, "title");
	in.description = sf_json_str(body, "description");
	in.category_code = sf_json_str(body, "category");
	in.channel = sf_json_str(body, "channel");
	if (!in.channel)
		in.channel = "phone";
	rc = sf_json_object(body, "requester", &rq);
	if (rc == 0) {
		rc = sf_json_check(rq, requester_spec, &req->err);
		if (rc) {
			/* Name the nested field as the client sent it. */
			char field[32];

			snprintf(field, sizeof(field), "%.20s", req->err.field);
			snprintf(req->err.field, sizeof(req->err.field), "requester.%.20s", field);
			goto out;
		}
		in.requester_kind = sf_json_str(rq, "kind");
		in.requester_name = sf_json_str(rq, "name");
		in.requester_phone = sf_json_str(rq, "phone");
		in.requester_org = sf_json_str(rq, "org");
	} else if (rc != SF_ENOTFOUND) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_type", "requester",
				 "requester must be an object");
		goto out;
	}
	rc = 0;
	in.address = sf_json_str(body, "address");
	if (sf_json_has(body, "lat") != sf_json_has(body, "lng")) {
		rc = sf_req_fail(req, SF_EINVAL, "missing_field",
				 sf_json_has(body, "lat") ? "lng" : "lat", "give both lat and lng");
		goto out;
	}
	in.has_geo = sf_json_num(body, "lat", &in.lat) && sf_json_num(body, "lng", &in.lng);
	sf_json_int(body, "area_unit_id", &in.area_unit_id);
	sf_json_int(body, "dept_unit_id", &in.dept_unit_id);
	sf_json_int(body, "enterprise_id", &in.enterprise_id);
	auto_route = req->who.role == SF_ROLE_DISPATCHER || req->who.role == SF_ROLE_ADMIN;
	sf_json_bool(body, "auto_route", &auto_route);
	/* tracking: give the requester a tracking code and secret for the
	 * portal (read back to them on the phone or printed at the window). */
	sf_json_bool(body, "tracking", &in.public_submission);
	/* Acknowledged once durable, in a commit shared with other writes. */
	w = order_write_new(req);
	w->body = body;
	w->rq = rq;
	w->in = in;
	w->auto_route = auto_route;
	return sf_req_write(req, create_write, create_then, w);
out:
	sf_json_free(rq);
	sf_json_free(body);
	return rc;
}

/* ---- detail, timeline ---- */

int sf_api_orders_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_detail(req, 200, id, NULL);
}

int sf_api_orders_events(struct sf_req *req)
{
	struct sf_order_row o;
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = load(req, id, &o);
	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	rc = write_timeline(req, &w, &o);
	sf_jw_obj_end(&w);
	sf_order_row_release(&o);
	return rc;
}

/* ---- actions ---- */

static const struct sf_jfield action_spec[] = {
	{ "reason", SF_JT_STRING, false, 200, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "user_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "result", SF_JT_TEXT, false, 4000, 0, 0 },
	{ "channel", SF_JT_STRING, false, 16, 0, 0 },
	{ "contact", SF_JT_STRING, false, 50, 0, 0 },
	{ "summary", SF_JT_TEXT, false, 1000, 0, 0 },
	{ "rating", SF_JT_STRING, false, 16, 0, 0 },
	{ "comment", SF_JT_TEXT, false, 500, 0, 0 },
	{ "days", SF_JT_INT, false, 0, 1, 30 },
	{ "target_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "text", SF_JT_TEXT, false, 4000, 0, 0 },
	{ "public", SF_JT_BOOL, false, 0, 0, 0 },
	{ "version", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ 0 },
};

static int action_write(struct sf_conn *c, void *ctx)
{
	struct order_write *w = ctx;

	return sf_orders_act(w->app, c, &w->who, w->id, &w->act, w->now, &w->err);
}

static int action_then(struct sf_req *req, int rc, void *ctx)
{
	struct order_write *w = ctx;

	rc = rc ? write_failed(req, rc, w) : reply_detail(req, 200, w->id, NULL);
	sf_json_free(w->body);
	return rc;
}

int sf_api_orders_action(struct sf_req *req)
{
	struct sf_json *body = NULL;
	struct order_write *w;
	struct sf_order_act act;
	const char *name = req->nparams > 1 ? req->params[1] : NULL;
	const char *rating;
	int64_t id, v;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	memset(&act, 0, sizeof(act));
	if (!sf_order_action_parse(name, &act.action))
		return sf_req_fail(req, SF_ENOTFOUND, "unknown_action", "action",
				   "no action named %.40s", name ? name : "");
	if (sf_order_action_is_system(act.action) || sf_order_action_is_initial(act.action))
		return sf_req_fail(req, SF_EFORBIDDEN, "action_not_allowed", "action",
				   "%s is not an action people take", name);
	if (req->body_len > 0) {
		rc = sf_req_json(req, action_spec, &body);
		if (rc)
			return rc;
	}
	act.reason = sf_json_str(body, "reason");
	if (sf_json_int(body, "unit_id", &v))
		act.unit_id = v;
	if (sf_json_int(body, "user_id", &v))
		act.user_id = v;
	if (sf_json_int(body, "target_id", &v))
		act.target_id = v;
	if (sf_json_int(body, "days", &v))
		act.days = (int)v;
	if (sf_json_int(body, "version", &v))
		act.expect_version = v;
	act.channel = sf_json_str(body, "channel");
	act.contact = sf_json_str(body, "contact");
	sf_json_bool(body, "public", &act.public_note);
	switch (act.action) {
	case SF_ORDER_ACTION_RESOLVE: act.text = sf_json_str(body, "result"); break;
	case SF_ORDER_ACTION_RETURN_CALL: act.text = sf_json_str(body, "summary"); break;
	case SF_ORDER_ACTION_RATE: act.text = sf_json_str(body, "comment"); break;
	default: act.text = sf_json_str(body, "text");
	}
	rating = sf_json_str(body, "rating");
	if (rating && !sf_rating_parse(rating, &act.rating)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "rating",
				 "rating must be satisfied, basic or unsatisfied");
		goto out;
	}
	w = order_write_new(req);
	w->body = body;
	w->id = id;
	w->act = act;
	return sf_req_write(req, action_write, action_then, w);
out:
	sf_json_free(body);
	return rc;
}

/* ---- attachments ---- */

static const char *const upload_types[] = {
	"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf",
};

/* The type the bytes say they are, from their magic numbers; NULL if none
 * of the accepted ones. */
static const char *sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

int sf_api_orders_attach(struct sf_req *req)
{
	char declared[64] = "";
	const char *kind = NULL, *actual;
	bool is_public = false;
	struct sf_jw w;
	int64_t id, aid = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	if (req->content_type) {
		size_t n = strcspn(req->content_type, "; ");

		if (n < sizeof(declared)) {
			memcpy(declared, req->content_type, n);
			declared[n] = '\0';
		}
	}
	for (size_t i = 0; i < sizeof(upload_types) / sizeof(upload_types[0]); i++)
		if (strcasecmp(declared, upload_types[i]) == 0)
			kind = upload_types[i];
	if (!kind)
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send a JPEG, PNG, WebP or GIF image or a PDF");
	if (req->body_len == 0)
		return sf_req_fail(req, SF_EINVAL, "empty_body", "", "the file is empty");
	actual = sniff((const unsigned char *)req->body, req->body_len);
	if (!actual || strcmp(actual, kind) != 0)
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "the file is not the %s its Content-Type says", kind);
	rc = sf_orders_query_flag(req, "public", &is_public);
	if (rc)
		return rc;
	rc = sf_orders_attach(req->app, sf_req_conn(req), &req->who, id, req->body, req->body_len,
			      kind, is_public, req->now, &aid, &req->err);
	if (rc)
		return rc;
	sf_req_reply_json(req, 201, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", aid);
	sf_jw_kstr(&w, "mime", kind);
	sf_jw_kint(&w, "size", (int64_t)req->body_len);
	sf_jw_kbool(&w, "public", is_public);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_orders_attachment(struct sf_req *req)
{
	struct sf_attachment meta;
	struct sf_order_row o;
	int64_t id, aid;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_req_param_id(req, 1, "aid", &aid);
	if (rc)
		return rc;
	rc = load(req, id, &o);
	if (rc)
		return rc;
	sf_order_row_release(&o);
	sf_buf_reset(&req->out);
	rc = sf_store_attachment_read(sf_req_conn(req), id, aid, &meta, &req->out);
	if (rc == 0 && requester_role(req->who.role) && !meta.public)
		rc = SF_ENOTFOUND;
	if (rc) {
		sf_buf_reset(&req->out);
		if (rc == SF_ENOTFOUND)
			return sf_req_fail(req, rc, "not_found", "", "no such attachment");
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the attachment");
	}
	req->status = 200;
	req->resp_type = sf_arena_strdup(&req->arena, meta.mime);
	req->cache_control = "private, max-age=3600";
	req->disposition =
		strcmp(meta.mime, "application/pdf") == 0
			? sf_arena_printf(&req->arena, "attachment; filename=\"%s-%lld.pdf\"",
					  "order", (long long)aid)
			: "inline";
	return 0;
}

/* ---- reveal ---- */

static const struct sf_jfield reveal_spec[] = {
	{ "reason", SF_JT_STRING, true, 200, 0, 0 },
	{ 0 },
};

int sf_api_orders_reveal(struct sf_req *req)
{
	struct sf_json *body = NULL;
	char phone[SF_PHONE_MAX];
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, reveal_spec, &body);
	if (rc)
		return rc;
	rc = sf_orders_reveal(req->app, sf_req_conn(req), &req->who, id,
			      sf_json_str(body, "reason"), req->ip, req->now, phone, &req->err);
	sf_json_free(body);
	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", id);
	sf_jw_kstr(&w, "phone", phone[0] ? phone : NULL);
	sf_jw_obj_end(&w);
	explicit_bzero(phone, sizeof(phone));
	return 0;
}

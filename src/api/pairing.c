/* Pairing handlers; see pairing.h. A change of pairing ends the current
 * history row and starts a new one in the same transaction as the
 * enterprise's own leader and liaison, so the history never disagrees
 * with the register. */
#include "api/pairing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/common.h"
#include "api/registers_impl.h"
#include "store/user.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"

#define PAGE_ENTERPRISES 1000
#define PAGE_ORDERS 500

int64_t sf_pairing_quarter_start(int64_t now)
{
	struct sf_time_parts p;
	int64_t t = 0;

	sf_time_local_parts(now, &p);
	sf_time_from_local(p.year, ((p.month - 1) / 3) * 3 + 1, 1, 0, 0, 0, &t);
	return t;
}

/* An enterprise the person may see (archived ones: admin and leaders). */
static int load_visible(struct sf_req *req, int64_t id, struct sf_enterprise *e)
{
	int rc = sf_store_enterprise_get(sf_req_conn(req), id, e);

	if (rc == SF_ENOTFOUND || (!rc && !sf_regapi_sees_enterprise(&req->who, e)) ||
	    (!rc && e->archived.at && !sf_regapi_sees_archived(&req->who)))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no enterprise %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the enterprise");
	return 0;
}

static int write_pairing(const struct sf_pairing *p, void *ctx)
{
	struct sf_jw *w = ctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", p->id);
	sf_regapi_kref(w, "leader", p->leader_user_id, p->leader_name);
	sf_regapi_kref(w, "liaison", p->liaison_user_id, p->liaison_name);
	sf_jw_ktime(w, "started_at", p->started_at);
	sf_jw_ktime(w, "ended_at", p->ended_at);
	sf_jw_kbool(w, "current", p->ended_at == 0);
	sf_regapi_kref(w, "assigned_by", p->assigned_by, p->assigned_by_name);
	sf_jw_kstr(w, "reason", p->reason);
	sf_jw_obj_end(w);
	return 0;
}

static int reply_history(struct sf_req *req, const struct sf_enterprise *e)
{
	struct sf_jw w;
	int rc;

	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "enterprise_id", e->id);
	sf_jw_kstr(&w, "enterprise_name", e->name);
	sf_regapi_kref(&w, "leader", e->leader_user_id, e->leader_name);
	sf_regapi_kref(&w, "liaison", e->liaison_user_id, e->liaison_name);
	sf_jw_key(&w, "history");
	sf_jw_arr_begin(&w);
	rc = sf_store_pairing_each(sf_req_conn(req), e->id, write_pairing, &w);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the pairing history");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_pairing_history(struct sf_req *req)
{
	struct sf_enterprise e;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_visible(req, id, &e);
	if (rc)
		return rc;
	return reply_history(req, &e);
}

static const struct sf_jfield set_spec[] = {
	{ "leader_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "liaison_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "reason", SF_JT_STRING, false, SF_REG_REASON_MAX, 0, 0 },
	{ 0 },
};

int sf_api_pairing_set(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_enterprise e;
	int64_t id, leader, liaison;
	bool changed = false;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, set_spec, &b);
	if (rc)
		return rc;
	rc = load_visible(req, id, &e);
	if (!rc && e.archived.at)
		rc = sf_regapi_archived_fail(req, "enterprise", id);
	if (rc)
		goto out;
	if (!sf_json_has(b, "leader_user_id") && !sf_json_has(b, "liaison_user_id")) {
		rc = sf_req_fail(req, SF_EINVAL, "missing_field", "leader_user_id",
				 "give leader_user_id or liaison_user_id (0 to clear)");
		goto out;
	}
	leader = e.leader_user_id;
	liaison = e.liaison_user_id;
	sf_json_int(b, "leader_user_id", &leader);
	sf_json_int(b, "liaison_user_id", &liaison);
	rc = sf_regapi_pairing_check(c, leader, liaison, &req->err);
	if (!rc)
		rc = sf_regapi_text(sf_json_str(b, "reason"), "reason", SF_REG_REASON_MAX, false,
				    false, &req->err);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_pairing_set(c, id, leader, liaison, req->who.user_id,
					  sf_json_str(b, "reason"), req->now, &changed);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the pairing");
		goto out;
	}
	rc = sf_store_enterprise_get(c, id, &e);
	if (rc)
		rc = sf_regapi_store_fail(req, rc, "", "cannot read the enterprise back");
	else
		rc = reply_history(req, &e);
out:
	sf_json_free(b);
	return rc;
}

/* ---- coverage ---- */

struct cover_ctx {
	struct sf_jw *w;
	int64_t leaders, enterprises, visited;
};

static int write_cover(const struct sf_pairing_cover *r, void *vctx)
{
	struct cover_ctx *ctx = vctx;
	struct sf_jw *w = ctx->w;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "user_id", r->user_id);
	sf_jw_kstr(w, "name", r->name);
	sf_jw_kstr(w, "login", r->login);
	sf_jw_kstr(w, "title", r->title);
	sf_jw_kint(w, "enterprises", r->enterprises);
	sf_jw_kint(w, "visited", r->visited);
	sf_jw_kint(w, "not_visited", r->enterprises - r->visited);
	sf_jw_knum(w, "coverage", r->enterprises ? (double)r->visited / (double)r->enterprises : 0);
	sf_jw_kint(w, "open_orders", r->open_orders);
	sf_jw_obj_end(w);
	ctx->leaders++;
	ctx->enterprises += r->enterprises;
	ctx->visited += r->visited;
	return 0;
}

static int since_param(struct sf_req *req, int64_t *since)
{
	bool present = false;
	int rc = sf_api_query_time(req, "since", false, since, &present);

	if (!rc && !present)
		*since = sf_pairing_quarter_start(req->now);
	return rc;
}

int sf_api_pairing_coverage(struct sf_req *req)
{
	struct sf_jw w;
	struct cover_ctx ctx = { &w, 0, 0, 0 };
	int64_t since;
	int rc = since_param(req, &since);

	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_ktime(&w, "since", since);
	sf_jw_key(&w, "leaders");
	sf_jw_arr_begin(&w);
	rc = sf_store_pairing_coverage(sf_req_conn(req), since, write_cover, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot compute the coverage");
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "total");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "leaders", ctx.leaders);
	sf_jw_kint(&w, "enterprises", ctx.enterprises);
	sf_jw_kint(&w, "visited", ctx.visited);
	sf_jw_kint(&w, "not_visited", ctx.enterprises - ctx.visited);
	sf_jw_obj_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

/* ---- a leader's (or liaison's) page ---- */

struct open_count {
	int64_t enterprise_id;
	int64_t n;
};

struct page_ctx {
	struct sf_jw *w;
	struct open_count *counts;
	size_t ncounts, cap;
	int64_t since;
	int64_t enterprises, visited;
	bool collecting;
};

static int collect_order(const struct sf_pairing_order *o, void *vctx)
{
	struct page_ctx *ctx = vctx;

	if (ctx->collecting) {
		for (size_t i = 0; i < ctx->ncounts; i++) {
			if (ctx->counts[i].enterprise_id == o->enterprise_id) {
				ctx->counts[i].n++;
				return 0;
			}
		}
		if (ctx->ncounts == ctx->cap) {
			ctx->cap = ctx->cap ? ctx->cap * 2 : 32;
			ctx->counts = sf_xrealloc(ctx->counts, ctx->cap * sizeof(*ctx->counts));
		}
		ctx->counts[ctx->ncounts].enterprise_id = o->enterprise_id;
		ctx->counts[ctx->ncounts].n = 1;
		ctx->ncounts++;
		return 0;
	}
	sf_jw_obj_begin(ctx->w);
	sf_jw_kint(ctx->w, "id", o->id);
	sf_jw_kstr(ctx->w, "code", o->code);
	sf_jw_kstr(ctx->w, "title", o->title);
	sf_jw_kstr(ctx->w, "state", o->state);
	sf_regapi_kref(ctx->w, "enterprise", o->enterprise_id, o->enterprise_name);
	sf_jw_ktime(ctx->w, "created_at", o->created_at);
	sf_jw_ktime(ctx->w, "deadline", o->deadline);
	sf_jw_kbool(ctx->w, "overdue", o->overdue);
	sf_jw_obj_end(ctx->w);
	return 0;
}

static int page_enterprise(const struct sf_enterprise *e, void *vctx)
{
	struct page_ctx *ctx = vctx;
	int64_t open = 0;

	for (size_t i = 0; i < ctx->ncounts; i++)
		if (ctx->counts[i].enterprise_id == e->id)
			open = ctx->counts[i].n;
	sf_jw_obj_begin(ctx->w);
	sf_jw_kint(ctx->w, "id", e->id);
	sf_jw_kstr(ctx->w, "name", e->name);
	sf_jw_kstr(ctx->w, "credit_code", e->credit_code);
	sf_jw_kbool(ctx->w, "above_scale", e->above_scale);
	sf_jw_kbool(ctx->w, "key_info", e->key_info);
	sf_regapi_kref(ctx->w, "unit", e->unit_id, e->unit_name);
	sf_regapi_kref(ctx->w, "leader", e->leader_user_id, e->leader_name);
	sf_regapi_kref(ctx->w, "liaison", e->liaison_user_id, e->liaison_name);
	sf_jw_ktime(ctx->w, "last_visit_at", e->last_visit_at);
	sf_jw_kbool(ctx->w, "visited_this_quarter", e->last_visit_at >= ctx->since);
	sf_jw_kint(ctx->w, "open_orders", open);
	sf_jw_obj_end(ctx->w);
	ctx->enterprises++;
	if (e->last_visit_at >= ctx->since)
		ctx->visited++;
	return 0;
}

static int leader_page(struct sf_req *req, const struct sf_user *u, bool as_liaison)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_enterprise_filter f = { 0 };
	struct sf_jw w;
	struct page_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.w = &w;
	rc = since_param(req, &ctx.since);
	if (rc)
		return rc;
	ctx.collecting = true;
	rc = sf_store_pairing_orders(c, u->id, as_liaison, PAGE_ORDERS, collect_order, &ctx);
	if (rc) {
		free(ctx.counts);
		return sf_regapi_store_fail(req, rc, "", "cannot read the orders");
	}
	ctx.collecting = false;
	f.scope_all = true;
	f.above_scale = f.key_info = f.paired = -1;
	if (as_liaison)
		f.liaison_user_id = u->id;
	else
		f.leader_user_id = u->id;
	f.limit = PAGE_ENTERPRISES;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "user");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", u->id);
	sf_jw_kstr(&w, "name", u->name);
	sf_jw_kstr(&w, "title", u->title);
	sf_jw_kstr(&w, "role", sf_role_name(u->role));
	sf_jw_obj_end(&w);
	sf_jw_kstr(&w, "as", as_liaison ? "liaison" : "leader");
	sf_jw_ktime(&w, "since", ctx.since);
	sf_jw_key(&w, "enterprises");
	sf_jw_arr_begin(&w);
	rc = sf_store_enterprise_list(c, &f, page_enterprise, &ctx);
	sf_jw_arr_end(&w);
	if (!rc) {
		sf_jw_key(&w, "open_orders");
		sf_jw_arr_begin(&w);
		rc = sf_store_pairing_orders(c, u->id, as_liaison, PAGE_ORDERS, collect_order,
					     &ctx);
		sf_jw_arr_end(&w);
	}
	free(ctx.counts);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the page");
	sf_jw_key(&w, "summary");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "enterprises", ctx.enterprises);
	sf_jw_kint(&w, "visited", ctx.visited);
	sf_jw_kint(&w, "not_visited", ctx.enterprises - ctx.visited);
	sf_jw_obj_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_pairing_leader(struct sf_req *req)
{
	struct sf_user u;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	if (!sf_regapi_privileged(&req->who) && req->who.user_id != id)
		return sf_req_fail(req, SF_EFORBIDDEN, "out_of_scope", "id",
				   "only admin, leaders, dispatchers and the person see this page");
	rc = sf_store_user_get(sf_req_conn(req), id, &u);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no user %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the user");
	return leader_page(req, &u, u.role != SF_ROLE_LEADER);
}

int sf_api_pairing_mine(struct sf_req *req)
{
	struct sf_user u;
	int rc = sf_store_user_get(sf_req_conn(req), req->who.user_id, &u);

	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read your account");
	return leader_page(req, &u, u.role != SF_ROLE_LEADER);
}

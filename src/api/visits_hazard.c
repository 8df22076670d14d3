/* Hazards (隐患) found on visits over HTTP: list and get within scope,
 * rectify (整改) by the area's staff, verify (验收) by someone else with
 * the authority to sign it off, a photo each; and the headline counts of
 * the visit work (households and enterprises visited, problems raised and
 * solved, hazards found, open, overdue and fixed). */
#include "api/visits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "api/visits_impl.h"
#include "domain/calendar.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"

void sf_visitapi_write_hazard(struct sf_jw *w, const struct sf_hazard *h, struct sf_app *app,
			      int64_t now)
{
	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", h->id);
	if (h->visit_id)
		sf_jw_kint(w, "visit_id", h->visit_id);
	else
		sf_jw_knull(w, "visit_id");
	sf_jw_key(w, "target");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "kind", h->target_kind);
	sf_jw_kint(w, "id", h->target_id);
	sf_jw_kstr(w, "name", h->target_name);
	sf_jw_obj_end(w);
	sf_regapi_kref(w, "unit", h->unit_id, h->unit_name);
	sf_jw_kstr(w, "type", h->type);
	sf_jw_kstr(w, "severity", h->severity);
	sf_jw_kstr(w, "description", h->description);
	sf_jw_kstr(w, "state", h->state);
	sf_jw_ktime(w, "found_at", h->found_at);
	sf_regapi_kref(w, "found_by", h->found_by, h->found_by_name);
	sf_jw_kint(w, "days", h->days);
	sf_jw_ktime(w, "deadline", h->deadline);
	sf_jw_kbool(w, "overdue", !strcmp(h->state, "open") && h->deadline < now);
	if (h->deadline > 0) {
		int left;

		pthread_rwlock_rdlock(&app->cal_lock);
		left = sf_calendar_workdays_left(&app->cal, now, h->deadline);
		pthread_rwlock_unlock(&app->cal_lock);
		sf_jw_kint(w, "workdays_left", left);
	} else {
		sf_jw_knull(w, "workdays_left");
	}
	sf_jw_ktime(w, "rectified_at", h->rectified_at);
	sf_regapi_kref(w, "rectified_by", h->rectified_by, h->rectified_by_name);
	sf_jw_kstr(w, "rectify_note", h->rectify_note);
	sf_jw_ktime(w, "verified_at", h->verified_at);
	sf_regapi_kref(w, "verified_by", h->verified_by, h->verified_by_name);
	sf_jw_kstr(w, "verify_note", h->verify_note);
	if (h->order_id)
		sf_jw_kint(w, "order_id", h->order_id);
	else
		sf_jw_knull(w, "order_id");
	sf_jw_kbool(w, "has_photo", h->has_photo);
	sf_jw_obj_end(w);
}

struct list_ctx {
	struct sf_jw *w;
	struct sf_app *app;
	int64_t now, last;
	int n;
};

static int list_one(const struct sf_hazard *h, void *vctx)
{
	struct list_ctx *ctx = vctx;

	sf_visitapi_write_hazard(ctx->w, h, ctx->app, ctx->now);
	ctx->last = h->id;
	ctx->n++;
	return 0;
}

int sf_api_hazards_list(struct sf_req *req)
{
	static const char *const states[] = { "open", "rectified", "verified", NULL };
	static const char *const severities[] = { "minor", "general", "major", NULL };
	struct sf_hazard_filter f = { 0 };
	const char *state = sf_req_query(req, "state");
	const char *sev = sf_req_query(req, "severity");
	char unit_path[128];
	struct sf_jw w;
	struct list_ctx ctx = { &w, req->app, req->now, 0, 0 };
	int overdue = -1, limit;
	int rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));

	if (state && *state && !sf_visitapi_one_of(state, states))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "state",
				   "state must be open, rectified or verified");
	if (sev && *sev && !sf_visitapi_one_of(sev, severities))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "severity",
				   "severity must be minor, general or major");
	if (!rc)
		rc = sf_regapi_query_flag(req, "overdue", &overdue);
	if (!rc)
		rc = sf_api_query_int(req, "visit_id", 1, INT64_MAX, &f.visit_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "before", 1, INT64_MAX, &f.before_id, NULL);
	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (rc)
		return rc;
	f.scope_all = sf_regapi_privileged(&req->who);
	f.scope_path = req->who.unit_path;
	f.scope_user = req->who.user_id;
	f.state = state && *state ? state : NULL;
	f.severity = sev && *sev ? sev : NULL;
	f.overdue_only = overdue == 1;
	f.now = req->now;
	f.unit_path = unit_path[0] ? unit_path : NULL;
	f.limit = limit;
	sf_regapi_items_begin(req, &w);
	rc = sf_store_hazard_list(sf_req_conn(req), &f, list_one, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the hazards");
	sf_regapi_items_next(&w, ctx.n == limit, ctx.last);
	sf_jw_obj_end(&w);
	return 0;
}

/* Load a hazard in the person's scope: its area, their own finding, or a
 * hazard of a target in their area or grid, or of an enterprise they pair
 * or liaise. 404 otherwise. */
static int load_scoped(struct sf_req *req, int64_t id, struct sf_hazard *h)
{
	struct sf_visit_target *t = sf_xmalloc(sizeof(*t));
	struct sf_error e = { 0 };
	int rc = sf_store_hazard_get(sf_req_conn(req), id, h);

	if (!rc && !sf_regapi_sees_path(&req->who, h->unit_path) &&
	    h->found_by != req->who.user_id &&
	    !(sf_visitapi_target(sf_req_conn(req), &req->who, h->target_kind, h->target_id, t,
				 &e) == 0 &&
	      t->in_area))
		rc = SF_ENOTFOUND;
	free(t);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no hazard %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the hazard");
	return 0;
}

static int reply_hazard(struct sf_req *req, int status, int64_t id)
{
	struct sf_hazard *h = sf_xmalloc(sizeof(*h));
	struct sf_jw w;
	int rc = load_scoped(req, id, h);

	if (!rc) {
		sf_req_reply_json(req, status, &w);
		sf_visitapi_write_hazard(&w, h, req->app, req->now);
	}
	free(h);
	return rc;
}

int sf_api_hazards_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_hazard(req, 200, id);
}

static const struct sf_jfield rectify_spec[] = {
	{ "note", SF_JT_TEXT, true, 1000, 0, 0 },
	{ 0 },
};

int sf_api_hazards_rectify(struct sf_req *req)
{
	struct sf_hazard *h = sf_xmalloc(sizeof(*h));
	struct sf_json *b = NULL;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_req_json(req, rectify_spec, &b);
	if (!rc)
		rc = load_scoped(req, id, h);
	if (!rc)
		rc = sf_regapi_text(sf_json_str(b, "note"), "note", 1000, true, true, &req->err);
	if (!rc) {
		rc = sf_store_hazard_rectify(sf_req_conn(req), id, req->who.user_id,
					     sf_json_str(b, "note"), req->now);
		if (rc == SF_ECONFLICT)
			rc = sf_req_fail(req, SF_ECONFLICT, "illegal_transition", "state",
					 "hazard %lld is %s, not open", (long long)id, h->state);
		else if (rc)
			rc = sf_regapi_store_fail(req, rc, "", "cannot save the hazard");
	}
	if (!rc)
		rc = reply_hazard(req, 200, id);
	sf_json_free(b);
	free(h);
	return rc;
}

static const struct sf_jfield verify_spec[] = {
	{ "ok", SF_JT_BOOL, true, 0, 0, 0 },
	{ "note", SF_JT_TEXT, false, 1000, 0, 0 },
	{ 0 },
};

int sf_api_hazards_verify(struct sf_req *req)
{
	struct sf_hazard *h = sf_xmalloc(sizeof(*h));
	struct sf_json *b = NULL;
	bool ok = false;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_req_json(req, verify_spec, &b);
	if (!rc)
		rc = load_scoped(req, id, h);
	if (!rc)
		rc = sf_regapi_text(sf_json_str(b, "note"), "note", 1000, false, true, &req->err);
	sf_json_bool(b, "ok", &ok);
	if (!rc && !ok && sf_regapi_blank(sf_json_str(b, "note")))
		rc = sf_req_fail(req, SF_EINVAL, "missing_field", "note",
				 "say why the rectification is not accepted");
	if (!rc && h->rectified_by == req->who.user_id)
		rc = sf_req_fail(req, SF_EFORBIDDEN, "same_person", "",
				 "the person who rectified a hazard does not verify it");
	if (!rc) {
		rc = sf_store_hazard_verify(sf_req_conn(req), id, req->who.user_id, ok,
					    sf_json_str(b, "note"), req->now);
		if (rc == SF_ECONFLICT)
			rc = sf_req_fail(req, SF_ECONFLICT, "illegal_transition", "state",
					 "hazard %lld is %s, not rectified", (long long)id,
					 h->state);
		else if (rc)
			rc = sf_regapi_store_fail(req, rc, "", "cannot save the hazard");
	}
	if (!rc)
		rc = reply_hazard(req, 200, id);
	sf_json_free(b);
	free(h);
	return rc;
}

/* The picture types a phone camera sends, told by their first bytes. */
static const char *image_type(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

int sf_api_hazards_photo_put(struct sf_req *req)
{
	struct sf_hazard *h = sf_xmalloc(sizeof(*h));
	char sha[SF_CRYPTO_HEX_SIZE];
	const char *mime;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, h);
	free(h);
	if (rc)
		return rc;
	mime = image_type((const unsigned char *)req->body, req->body_len);
	if (!mime)
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send a JPEG, PNG or WebP picture as the body");
	sf_crypto_sha256_hex(req->body, req->body_len, sha);
	rc = sf_store_hazard_photo_put(sf_req_conn(req), id, mime, req->body, req->body_len, sha,
				       req->who.user_id, req->now);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot save the photo");
	return reply_hazard(req, 200, id);
}

int sf_api_hazards_photo_get(struct sf_req *req)
{
	struct sf_hazard *h = sf_xmalloc(sizeof(*h));
	char mime[48];
	void *data = NULL;
	size_t size = 0;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, h);
	free(h);
	if (rc)
		return rc;
	rc = sf_store_hazard_photo_get(sf_req_conn(req), id, mime, &data, &size);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "hazard %lld has no photo",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the photo");
	req->status = 200;
	req->resp_type = sf_arena_strdup(&req->arena, mime);
	sf_buf_reset(&req->out);
	sf_buf_add(&req->out, data, size);
	req->cache_control = "private, max-age=3600";
	free(data);
	return 0;
}

/* ---- headline counts ---- */

int sf_api_visits_stats(struct sf_req *req)
{
	struct sf_visit_stats s;
	int64_t since = 0, until = 0;
	bool present;
	struct sf_jw w;
	const char *scope = sf_regapi_privileged(&req->who) ? NULL : req->who.unit_path;
	char unit_path[128];
	int rc = sf_api_query_time(req, "since", false, &since, &present);

	if (!rc)
		rc = sf_api_query_time(req, "until", true, &until, &present);
	if (!rc)
		rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));
	if (rc)
		return rc;
	if (unit_path[0]) {
		if (scope && strncmp(unit_path, scope, strlen(scope)) != 0)
			return sf_req_fail(req, SF_EFORBIDDEN, "out_of_scope", "unit_id",
					   "the unit is outside your scope");
		scope = unit_path;
	}
	rc = sf_store_visit_stats(sf_req_conn(req), scope, since, until, req->now, &s);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot count the visits");
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_ktime(&w, "since", since);
	sf_jw_ktime(&w, "until", until);
	sf_jw_kint(&w, "visits", s.visits);
	sf_jw_kint(&w, "households_visited", s.households_visited);
	sf_jw_kint(&w, "enterprises_visited", s.enterprises_visited);
	sf_jw_kint(&w, "places_visited", s.places_visited);
	sf_jw_kint(&w, "villages_visited", s.villages_visited);
	sf_jw_kint(&w, "problems_raised", s.problems_raised);
	sf_jw_kint(&w, "problems_solved", s.problems_solved);
	sf_jw_kint(&w, "hazards_found", s.hazards_found);
	sf_jw_kint(&w, "hazards_open", s.hazards_open);
	sf_jw_kint(&w, "hazards_overdue", s.hazards_overdue);
	sf_jw_kint(&w, "hazards_fixed", s.hazards_fixed);
	sf_jw_obj_end(&w);
	return 0;
}

/* The dashboard and the portal's published figures; see stats.h. The store
 * counts (one GROUP BY for all the breakdowns); this file picks the data
 * scope from the person's role, computes the week and month boundaries in
 * Shanghai time, and turns counts into rates.
 *
 * The dashboard's answers are cached in the process (util/cache.h: 64
 * entries, least recently used evicted, up to 256 KB each), everything but
 * generated_at, which is written for each request. The key is what the
 * answer depends on in the request: the database, the data scope (all, or
 * dept/area with the person's unit path), from, to and the language. The
 * validator, read before computing and again for every hit, is what it
 * depends on beyond the request: the heads of the events and audit chains
 * (one query by primary key, sf_store_chain_stamp), as every change of an
 * order appends an event and every change of unit or category names, which
 * the answer shows, an audit entry, each in the change's own transaction;
 * the Shanghai date of now, on which the 12 weeks and the working days
 * overdue depend (nothing finer: the weeks start on a date, days_overdue
 * counts dates); and the version of the working-day calendar in use (struct
 * sf_app's cal_version, moved by every reload). So a
 * hit is exactly what computing afresh would give. Reading the validator
 * first means a change committed while an answer is computed leaves it
 * under the older stamp, to be replaced on the next request. A new unit
 * changes no answer until an order refers to it (by an event). The cache is
 * struct sf_app's dash_cache, shared by every thread. */
#include "api/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/common.h"
#include "domain/calendar.h"
#include "domain/order.h"
#include "store/catalog.h"
#include "store/chain.h"
#include "store/stats.h"
#include "util/cache.h"
#include "util/jw.h"
#include "util/timefmt.h"

#define WEEKS 12
#define WEEK_SECS (7 * 86400)
#define OVERDUE_SHOWN 20
#define MONTHS_MAX 24

/* A rate as a fraction rounded to 4 places, or null when nothing was judged. */
static void write_rate(struct sf_jw *w, const char *key, int64_t num, int64_t den)
{
	if (den <= 0) {
		sf_jw_knull(w, key);
		return;
	}
	sf_jw_knum(w, key, round((double)num / (double)den * 10000.0) / 10000.0);
}

static int db_fail(struct sf_req *req)
{
	return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot count the orders");
}

/* ---- the dashboard ---- */

struct group_out {
	struct sf_jw *w;
	bool english;
	const char *none_name; /* name of the group of orders without a unit */
	int kind;              /* 0 category, 1 dept, 2 area */
};

static void write_group(const struct sf_stats_group *g, const struct group_out *o)
{
	const char *name = o->english && g->name_en[0] ? g->name_en : g->name;

	sf_jw_obj_begin(o->w);
	if (o->kind == 0) {
		sf_jw_kstr(o->w, "code", g->code);
		sf_jw_kstr(o->w, "name", name);
	} else {
		if (g->key)
			sf_jw_kint(o->w, "unit_id", g->key);
		else
			sf_jw_knull(o->w, "unit_id");
		sf_jw_kstr(o->w, "name", g->key ? name : o->none_name);
	}
	sf_jw_kint(o->w, "count", g->count);
	if (o->kind != 2) {
		sf_jw_kint(o->w, "open", g->open);
		sf_jw_kint(o->w, "overdue", g->overdue);
	}
	sf_jw_obj_end(o->w);
}

static void write_groups(struct sf_jw *w, const char *key, const struct sf_stats_group *g, size_t n,
			 const struct group_out *o)
{
	sf_jw_key(w, key);
	sf_jw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		write_group(&g[i], o);
	sf_jw_arr_end(w);
}

struct overdue_out {
	struct sf_req *req;
	struct sf_jw *w;
};

static int write_overdue(const struct sf_stats_overdue *od, void *ctx)
{
	struct overdue_out *o = ctx;
	struct sf_app *app = o->req->app;
	char when[32];
	int late = 0;

	sf_jw_obj_begin(o->w);
	sf_jw_kint(o->w, "id", od->id);
	sf_jw_kstr(o->w, "code", od->code);
	sf_jw_kstr(o->w, "title", od->title);
	sf_jw_kstr(o->w, "state", od->state);
	sf_jw_kstr(o->w, "dept", od->dept_unit_id ? od->dept_name : NULL);
	if (od->deadline > 0) {
		sf_time_iso(od->deadline, when);
		sf_jw_kstr(o->w, "deadline", when);
		pthread_rwlock_rdlock(&app->cal_lock);
		late = -sf_calendar_workdays_left(&app->cal, o->req->now, od->deadline);
		pthread_rwlock_unlock(&app->cal_lock);
		/* Past the deadline on its own day counts as 0 working days late. */
		sf_jw_kint(o->w, "days_overdue", late > 0 ? late : 0);
	} else {
		sf_jw_knull(o->w, "deadline");
		sf_jw_knull(o->w, "days_overdue");
	}
	sf_jw_obj_end(o->w);
	return 0;
}

/* The data scope of the person asking (stats.h of the API). */
static void scope_of(const struct sf_req *req, struct sf_stats_filter *f, const char **name)
{
	if (sf_req_sees_all(req)) {
		f->scope = SF_STATS_ALL;
		*name = "all";
	} else if (req->who.role == SF_ROLE_DEPT) {
		f->scope = SF_STATS_DEPT;
		f->unit_path = req->who.unit_path;
		*name = "dept";
	} else {
		f->scope = SF_STATS_AREA;
		f->unit_path = req->who.unit_path;
		*name = "area";
	}
}

/* UTC seconds of 00:00 Shanghai on the Monday of the week holding t. */
static int64_t week_start(int64_t t)
{
	int32_t day = sf_date_from_utc(t);
	int wd = sf_date_weekday(day);

	return sf_date_to_utc(sf_date_add_days(day, 1 - wd), 0, 0, 0);
}

static int write_weekly(struct sf_req *req, struct sf_jw *w, const struct sf_stats_filter *f,
			int64_t until)
{
	int64_t created[WEEKS], resolved[WEEKS];
	int64_t start = week_start(until) - (int64_t)(WEEKS - 1) * WEEK_SECS;
	char date[16];
	int rc = sf_store_stats_buckets(sf_req_conn(req), f, start, WEEK_SECS, WEEKS, created,
					resolved);

	if (rc)
		return rc;
	sf_jw_key(w, "weekly");
	sf_jw_arr_begin(w);
	for (int i = 0; i < WEEKS; i++) {
		sf_jw_obj_begin(w);
		sf_time_date_local(start + (int64_t)i * WEEK_SECS, date);
		sf_jw_kstr(w, "week_start", date);
		sf_jw_kint(w, "created", created[i]);
		sf_jw_kint(w, "closed", resolved[i]);
		sf_jw_obj_end(w);
	}
	sf_jw_arr_end(w);
	return 0;
}

/* Everything of the dashboard but its last member (generated_at) and the
 * closing brace, into req->out: what the answer cache holds. */
static int render(struct sf_req *req, struct sf_stats_filter *f, bool has_from, bool has_to,
		  const char *scope_name, bool en)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_stats_report r;
	const struct sf_stats_group *tot = &r.totals;
	char iso[32];
	struct sf_jw w;
	struct group_out go = { &w, en, NULL, 0 };
	struct overdue_out oo = { req, &w };
	int rc = sf_store_stats_report(c, f, &r);

	if (rc)
		return db_fail(req);
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "scope", scope_name);
	if (has_from) {
		sf_time_iso(f->from, iso);
		sf_jw_kstr(&w, "from", iso);
	} else {
		sf_jw_knull(&w, "from");
	}
	if (has_to) {
		sf_time_iso(f->to, iso);
		sf_jw_kstr(&w, "to", iso);
	} else {
		sf_jw_knull(&w, "to");
	}
	sf_jw_key(&w, "totals");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "received", tot->count);
	sf_jw_kint(&w, "solved", tot->solved);
	sf_jw_kint(&w, "open", tot->open);
	sf_jw_obj_end(&w);
	write_rate(&w, "on_time_rate", tot->resolved_on_time, tot->resolved_judged);
	write_rate(&w, "accept_on_time_rate", tot->accepted_on_time, tot->accepted_judged);
	write_rate(&w, "satisfaction_rate", tot->satisfied, tot->rated);
	sf_jw_kint(&w, "rated", tot->rated);
	sf_jw_kint(&w, "overdue_open", tot->overdue);
	sf_jw_kint(&w, "problem_open", tot->problem);

	sf_jw_key(&w, "by_state");
	sf_jw_arr_begin(&w);
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
		sf_jw_obj_begin(&w);
		sf_jw_kstr(&w, "state", sf_order_state_name((enum sf_order_state)s));
		sf_jw_kstr(&w, "label", sf_order_state_label_zh((enum sf_order_state)s));
		sf_jw_kint(&w, "count", r.by_state[s].count);
		sf_jw_obj_end(&w);
	}
	sf_jw_arr_end(&w);
	write_groups(&w, "by_category", r.by_category, r.n_category, &go);
	go.kind = 1;
	go.none_name = en ? "(not assigned)" : "未分派";
	write_groups(&w, "by_dept", r.by_dept, r.n_dept, &go);
	go.kind = 2;
	go.none_name = en ? "(no area)" : "未指定区域";
	write_groups(&w, "by_area", r.by_area, r.n_area, &go);
	sf_store_stats_report_release(&r);

	/* The weeks run up to the end of the range, or to now. */
	rc = write_weekly(req, &w, f, has_to && f->to < req->now ? f->to : req->now);
	if (rc)
		return db_fail(req);

	sf_jw_key(&w, "overdue");
	sf_jw_arr_begin(&w);
	rc = sf_store_stats_overdue_list(c, f, OVERDUE_SHOWN, write_overdue, &oo);
	sf_jw_arr_end(&w);
	if (rc)
		return db_fail(req);
	return 0;
}

/* The dashboard's last member and closing brace, after render's output or
 * the cached copy of it. Written as bytes because the JSON writer of render
 * is gone by then; they are exactly what sf_jw_kstr and sf_jw_obj_end
 * would write (an ISO time needs no escaping). */
static void write_tail(struct sf_req *req)
{
	char iso[32];

	sf_time_iso(req->now, iso);
	sf_buf_adds(&req->out, ",\"generated_at\":\"");
	sf_buf_adds(&req->out, iso);
	sf_buf_adds(&req->out, "\"}");
}

/* The key of an answer: everything of the request the answer depends on
 * besides the data (the database, scope, range and language). False when
 * it does not fit (it always does: a unit path has at most 127 bytes). */
static bool dash_key(const struct sf_req *req, const struct sf_stats_filter *f, bool has_from,
		     bool has_to, bool en, char key[SF_CACHE_KEY_MAX])
{
	int n = snprintf(key, SF_CACHE_KEY_MAX, "%p|%d|%s|%d:%lld|%d:%lld|%s", (void *)req->app->db,
			 (int)f->scope, f->scope == SF_STATS_ALL ? "" : f->unit_path,
			 has_from ? 1 : 0, (long long)(has_from ? f->from : 0), has_to ? 1 : 0,
			 (long long)(has_to ? f->to : 0), en ? "en" : "zh");

	return n > 0 && n < SF_CACHE_KEY_MAX;
}

/* The validator of an answer: what it was computed from, read before
 * computing it (see the top of this file). */
static int dash_validator(struct sf_req *req, char *out, size_t cap, size_t *len)
{
	char stamp[SF_CHAIN_STAMP_MAX];
	int rc = sf_store_chain_stamp(sf_req_conn(req), stamp);
	int n;

	if (rc)
		return rc;
	n = snprintf(out, cap, "%s|day:%ld|cal:%016llx", stamp, (long)sf_date_from_utc(req->now),
		     (unsigned long long)atomic_load(&req->app->cal_version));
	if (n < 0 || (size_t)n >= cap)
		return SF_ETOOBIG;
	*len = (size_t)n;
	return 0;
}

int sf_api_stats_overview(struct sf_req *req)
{
	struct sf_stats_filter f;
	bool has_from = false, has_to = false, en = sf_req_english(req), cacheable;
	const char *scope_name;
	char key[SF_CACHE_KEY_MAX], validator[SF_CACHE_VALIDATOR_MAX];
	size_t vlen = 0;
	struct sf_jw w;
	int rc;

	sf_store_stats_filter_init(&f);
	rc = sf_api_query_time(req, "from", false, &f.from, &has_from);
	if (!rc)
		rc = sf_api_query_time(req, "to", true, &f.to, &has_to);
	if (rc)
		return rc;
	if (has_from && has_to && f.from > f.to)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "to", "to is before from");
	scope_of(req, &f, &scope_name);

	/* Without a validator (the stamp cannot be read) the answer is
	 * computed and not kept. */
	cacheable = dash_key(req, &f, has_from, has_to, en, key) &&
		    dash_validator(req, validator, sizeof(validator), &vlen) == 0;
	if (cacheable) {
		sf_req_reply_json(req, 200, &w);
		if (sf_cache_get(&req->app->dash_cache, key, validator, vlen, &req->out)) {
			write_tail(req);
			return 0;
		}
	}
	rc = render(req, &f, has_from, has_to, scope_name, en);
	if (rc)
		return rc;
	if (cacheable && sf_buf_ok(&req->out))
		sf_cache_put(&req->app->dash_cache, key, validator, vlen, req->out.data,
			     req->out.len);
	write_tail(req);
	return 0;
}

void sf_api_stats_metrics(struct sf_app *app, struct sf_buf *out)
{
	struct sf_cache_counts k;

	sf_cache_counts(&app->dash_cache, &k);
	sf_buf_addf(out,
		    "# HELP sanfu_dashboard_cache_hits_total Dashboard answers served from the "
		    "cache.\n# TYPE sanfu_dashboard_cache_hits_total counter\n"
		    "sanfu_dashboard_cache_hits_total %llu\n"
		    "# HELP sanfu_dashboard_cache_misses_total Dashboard answers computed (stale "
		    "ones included).\n# TYPE sanfu_dashboard_cache_misses_total counter\n"
		    "sanfu_dashboard_cache_misses_total %llu\n"
		    "# HELP sanfu_dashboard_cache_stale_total Cached dashboard answers dropped "
		    "because what they count changed.\n"
		    "# TYPE sanfu_dashboard_cache_stale_total counter\n"
		    "sanfu_dashboard_cache_stale_total %llu\n"
		    "# HELP sanfu_dashboard_cache_evictions_total Cached dashboard answers dropped "
		    "to make room.\n# TYPE sanfu_dashboard_cache_evictions_total counter\n"
		    "sanfu_dashboard_cache_evictions_total %llu\n"
		    "# HELP sanfu_dashboard_cache_bytes Bytes of the cached dashboard answers.\n"
		    "# TYPE sanfu_dashboard_cache_bytes gauge\nsanfu_dashboard_cache_bytes %zu\n",
		    (unsigned long long)k.hits, (unsigned long long)k.misses,
		    (unsigned long long)k.stale, (unsigned long long)k.evictions, k.bytes);
}

/* ---- the portal's figures ---- */

#define PUBLIC_CATS_MAX 500

struct public_cats {
	int64_t ids[PUBLIC_CATS_MAX];
	size_t n;
};

static int note_public(const struct sf_category *cat, void *ctx)
{
	struct public_cats *p = ctx;

	if (p->n < PUBLIC_CATS_MAX)
		p->ids[p->n++] = cat->id;
	return 0;
}

static bool is_public(const struct public_cats *p, int64_t id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ids[i] == id)
			return true;
	return false;
}

struct public_out {
	struct sf_jw *w;
	const struct public_cats *cats;
	bool english;
};

static void write_figures(struct sf_jw *w, const struct sf_stats_group *g)
{
	sf_jw_kint(w, "received", g->count);
	sf_jw_kint(w, "solved", g->solved);
	write_rate(w, "on_time_rate", g->resolved_on_time, g->resolved_judged);
	write_rate(w, "satisfaction_rate", g->satisfied, g->rated);
}

static void write_public_category(const struct sf_stats_group *g, const struct public_out *o)
{
	/* Only what the portal offers is published by name. */
	if (!is_public(o->cats, g->key))
		return;
	sf_jw_obj_begin(o->w);
	sf_jw_kstr(o->w, "code", g->code);
	sf_jw_kstr(o->w, "name", o->english && g->name_en[0] ? g->name_en : g->name);
	write_figures(o->w, g);
	sf_jw_obj_end(o->w);
}

int sf_api_public_stats(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct public_cats *cats = sf_arena_zalloc(&req->arena, sizeof(*cats));
	struct sf_stats_filter f;
	struct sf_stats_report r;
	struct sf_stats_group g;
	struct sf_time_parts now;
	int64_t months = 12, starts[MONTHS_MAX + 1];
	char iso[32], month[8];
	struct sf_jw w;
	struct public_out po = { &w, cats, sf_req_english(req) };
	int y, m, rc;

	rc = sf_api_query_int(req, "months", 1, MONTHS_MAX, &months, NULL);
	if (rc)
		return rc;
	/* Month boundaries in Shanghai time: starts[i] opens month i, oldest first. */
	sf_time_local_parts(req->now, &now);
	y = now.year;
	m = now.month - (int)months + 1;
	while (m < 1) {
		m += 12;
		y--;
	}
	for (int i = 0; i <= months; i++) {
		if (sf_time_from_local(y, m, 1, 0, 0, 0, &starts[i]) != 0)
			return sf_req_fail(req, SF_EINTERNAL, NULL, "", "bad month boundary");
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	rc = sf_store_category_each(c, true, true, false, note_public, cats);
	if (rc)
		return db_fail(req);
	sf_store_stats_filter_init(&f);
	f.from = starts[0];
	rc = sf_store_stats_report(c, &f, &r);
	if (rc)
		return db_fail(req);

	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "months", months);
	sf_time_iso(starts[0], iso);
	sf_jw_kstr(&w, "from", iso);
	write_figures(&w, &r.totals);
	sf_jw_key(&w, "by_category");
	sf_jw_arr_begin(&w);
	for (size_t i = 0; i < r.n_category; i++)
		write_public_category(&r.by_category[i], &po);
	sf_jw_arr_end(&w);
	sf_store_stats_report_release(&r);
	sf_jw_key(&w, "by_month");
	sf_jw_arr_begin(&w);
	for (int i = 0; i < months; i++) {
		f.from = starts[i];
		f.to = starts[i + 1] - 1;
		rc = sf_store_stats_totals(c, &f, &g);
		if (rc)
			return db_fail(req);
		sf_time_date_local(starts[i], iso);
		snprintf(month, sizeof(month), "%.7s", iso);
		sf_jw_obj_begin(&w);
		sf_jw_kstr(&w, "month", month);
		write_figures(&w, &g);
		sf_jw_obj_end(&w);
	}
	sf_jw_arr_end(&w);
	sf_time_iso(req->now, iso);
	sf_jw_kstr(&w, "generated_at", iso);
	sf_jw_obj_end(&w);
	req->cache_control = "public, max-age=300";
	return 0;
}

/* Counts for /metrics, the dashboard and the portal; see stats.h. The
 * dashboard's breakdowns come from one GROUP BY over the columns they need
 * (summed here), not one query per figure: at a million orders each pass
 * over orders costs a fraction of a second even from a covering index. */
#include "store/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* States of "open" and "solved" (stats.h) and of "not closed, rejected or
 * merged" (the overdue and problem counts, as /metrics counts them). */
#define OPEN_STATES "('submitted', 'accepted', 'assigned', 'in_progress', 'returned', 'reopened')"
#define SOLVED_STATES "('resolved', 'feedback', 'closed')"
#define LIVE "o.state NOT IN ('closed', 'rejected', 'merged')"

/* The figures of struct sf_stats_group, in its order; 11 columns. */
/* clang-format off */
#define ONE_IF(cond) "COALESCE(SUM(CASE WHEN " cond " THEN 1 ELSE 0 END), 0)"
#define AGG                                                                                \
	"COUNT(*), " ONE_IF("o.state IN " OPEN_STATES) ", "                                \
	ONE_IF("o.state IN " SOLVED_STATES) ", "                                           \
	ONE_IF("o.overdue = 1 AND " LIVE) ", " ONE_IF("o.problem = 1 AND " LIVE) ", "      \
	ONE_IF("o.resolved_on_time = 1") ", COUNT(o.resolved_on_time), "                   \
	ONE_IF("o.accepted_on_time = 1") ", COUNT(o.accepted_on_time), "                   \
	ONE_IF("o.rating IN ('satisfied', 'basic')") ", "                                  \
	ONE_IF("o.rating IN ('satisfied', 'basic', 'unsatisfied')")
/* clang-format on */
/* The data scope; binds "dsds" (scope, path, scope, path). */
#define SCOPE                                                                             \
	"(? = 0 OR o.dept_unit_id IN (SELECT id FROM units WHERE path LIKE ? || '%') OR " \
	"(? = 2 AND o.area_unit_id IN (SELECT id FROM units WHERE path LIKE ? || '%')))"
/* Created-at range and scope; binds "iidsds". */
#define FILTER " o.created_at >= ? AND o.created_at <= ? AND " SCOPE

#define FILTER_ARGS(f) (f)->from, (f)->to, scope_of(f), path_of(f), scope_of(f), path_of(f)

static int scope_of(const struct sf_stats_filter *f)
{
	return f->scope == SF_STATS_DEPT ? 1 : f->scope == SF_STATS_AREA ? 2 : 0;
}

static const char *path_of(const struct sf_stats_filter *f)
{
	/* An empty path would match every unit: a scoped person without a unit sees nothing. */
	if (f->scope == SF_STATS_ALL)
		return "";
	return f->unit_path && f->unit_path[0] ? f->unit_path : "/none/";
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int sf_store_stats_ping(struct sf_conn *c)
{
	int64_t one = 0;

	return sf_conn_int(c, &one, "SELECT 1", "");
}

int sf_store_stats_by_state(struct sf_conn *c, int (*cb)(const char *state, int64_t n, void *ctx),
			    void *ctx)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT state, SUM(n) FROM order_totals WHERE dim = 'category' "
			       "GROUP BY state HAVING SUM(n) > 0 ORDER BY state",
			       "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW)
		if (cb(sf_stmt_text(st, 0), sf_stmt_int(st, 1), ctx))
			break;
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_stats_overdue(struct sf_conn *c, int64_t *n)
{
	return sf_conn_int(
		c, n,
		"SELECT COALESCE(SUM(overdue), 0) FROM order_totals WHERE dim = 'category' "
		"AND state NOT IN ('closed', 'rejected', 'merged')",
		"");
}

void sf_store_stats_filter_init(struct sf_stats_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->from = INT64_MIN;
	f->to = INT64_MAX;
	f->scope = SF_STATS_ALL;
}

/* Read the 11 AGG columns starting at column base. */
static void read_figures(struct sf_stmt *st, int base, struct sf_stats_group *g)
{
	g->count = sf_stmt_int(st, base + 0);
	g->open = sf_stmt_int(st, base + 1);
	g->solved = sf_stmt_int(st, base + 2);
	g->overdue = sf_stmt_int(st, base + 3);
	g->problem = sf_stmt_int(st, base + 4);
	g->resolved_on_time = sf_stmt_int(st, base + 5);
	g->resolved_judged = sf_stmt_int(st, base + 6);
	g->accepted_on_time = sf_stmt_int(st, base + 7);
	g->accepted_judged = sf_stmt_int(st, base + 8);
	g->satisfied = sf_stmt_int(st, base + 9);
	g->rated = sf_stmt_int(st, base + 10);
}

int sf_store_stats_totals(struct sf_conn *c, const struct sf_stats_filter *f,
			  struct sf_stats_group *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " AGG " FROM orders o WHERE" FILTER, "iidsds",
			       FILTER_ARGS(f));

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_figures(st, 0, out);
		rc = 0;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- the dashboard report ---- */

/* The cube: one row per distinct combination, counted. Its columns are an
 * index's leading columns (see stats.h), so SQLite can stream the GROUP BY
 * in index order instead of sorting every row; only a short created_at
 * range is better served by the created_at index (and a sort of the few
 * rows in it). The unary + keeps SQLite from choosing the created_at index
 * for a long range. */
#define CUBE_COLS                                                                     \
	"o.state, o.category_id, COALESCE(o.dept_unit_id, 0), o.overdue, o.problem, " \
	"COALESCE(o.resolved_on_time, -1), COALESCE(o.accepted_on_time, -1), "        \
	"COALESCE(o.rating, ''), COALESCE(o.area_unit_id, 0), COUNT(*)"
#define CUBE_GROUP                                                                 \
	" GROUP BY o.state, o.category_id, o.dept_unit_id, o.overdue, o.problem, " \
	"o.resolved_on_time, o.accepted_on_time, o.rating, o.area_unit_id"
#define WIDE_FILTER " +o.created_at >= ? AND +o.created_at <= ? AND " SCOPE
/* The data scope on a counters table k (order_counts, order_day_counts),
 * whose units are 0 for none (and -1 in the day counts' rows of all, which
 * no scope takes); binds "dsds" like SCOPE. */
#define SCOPE_K                                                                           \
	"(? = 0 OR k.dept_unit_id IN (SELECT id FROM units WHERE path LIKE ? || '%') OR " \
	"(? = 2 AND k.area_unit_id IN (SELECT id FROM units WHERE path LIKE ? || '%')))"
#define SCOPE_ARGS(f) scope_of(f), path_of(f), scope_of(f), path_of(f)
#define NARROW_SECS (62 * 86400)

/* One row of a breakdown: orders of one state (and category, units) with
 * their figures, from a GROUP BY over orders or from the counters. */
struct cell {
	enum sf_order_state state;
	bool known; /* a state name this build knows */
	int64_t category, dept, area;
	int64_t n, overdue, problem, rot, rotj, aot, aotj, sat, rated;
};

static void add_cell(struct sf_stats_group *g, const struct cell *x)
{
	bool live = !x->known || !sf_order_state_terminal(x->state);

	g->count += x->n;
	if (x->known && (x->state == SF_ORDER_RESOLVED || x->state == SF_ORDER_FEEDBACK ||
			 x->state == SF_ORDER_CLOSED))
		g->solved += x->n;
	else if (x->known && x->state != SF_ORDER_REJECTED && x->state != SF_ORDER_MERGED)
		g->open += x->n;
	if (live) {
		g->overdue += x->overdue;
		g->problem += x->problem;
	}
	g->resolved_judged += x->rotj;
	g->resolved_on_time += x->rot;
	g->accepted_judged += x->aotj;
	g->accepted_on_time += x->aot;
	g->satisfied += x->sat;
	g->rated += x->rated;
}

/* Read the 9 figures from column base on (the counters' order). */
static void read_cell_figures(struct sf_stmt *st, int base, struct cell *x)
{
	x->n = sf_stmt_int(st, base);
	x->overdue = sf_stmt_int(st, base + 1);
	x->problem = sf_stmt_int(st, base + 2);
	x->rot = sf_stmt_int(st, base + 3);
	x->rotj = sf_stmt_int(st, base + 4);
	x->aot = sf_stmt_int(st, base + 5);
	x->aotj = sf_stmt_int(st, base + 6);
	x->sat = sf_stmt_int(st, base + 7);
	x->rated = sf_stmt_int(st, base + 8);
}

struct groups {
	struct sf_stats_group *items;
	size_t n, cap, last;
};

/* The group of key, added (zeroed) when new. Few groups (categories,
 * units), so a linear search. */
static struct sf_stats_group *group_of(struct groups *gs, int64_t key)
{
	if (gs->last < gs->n && gs->items[gs->last].key == key)
		return &gs->items[gs->last];
	for (size_t i = 0; i < gs->n; i++)
		if (gs->items[i].key == key)
			return &gs->items[gs->last = i];
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 32;
		gs->items = sf_xrealloc(gs->items, gs->cap * sizeof(*gs->items));
	}
	memset(&gs->items[gs->n], 0, sizeof(gs->items[0]));
	gs->items[gs->n].key = key;
	gs->last = gs->n;
	return &gs->items[gs->n++];
}

static int by_count(const void *a, const void *b)
{
	const struct sf_stats_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

#define FIGURES                                                              \
	"k.n, k.overdue, k.problem, k.resolved_on_time, k.resolved_judged, " \
	"k.accepted_on_time, k.accepted_judged, k.satisfied, k.rated"

/* Everything, every order ever: the totals kept per category, handling
 * unit and area (a few hundred rows). */
static int run_totals(struct sf_conn *c, struct sf_stats_report *r, struct groups *cats,
		      struct groups *depts, struct groups *areas)
{
	struct sf_stmt *st;
	struct cell x;
	int rc = sf_conn_query(c, &st,
			       "SELECT k.dim, k.ref_id, k.state, " FIGURES
			       " FROM order_totals k WHERE k.n <> 0",
			       "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *dim = sf_stmt_text(st, 0);
		int64_t ref = sf_stmt_int(st, 1);

		memset(&x, 0, sizeof(x));
		x.known = sf_order_state_parse(sf_stmt_text(st, 2), &x.state);
		read_cell_figures(st, 3, &x);
		if (!strcmp(dim, "category")) {
			add_cell(&r->totals, &x);
			if (x.known)
				add_cell(&r->by_state[x.state], &x);
			add_cell(group_of(cats, ref), &x);
		} else if (!strcmp(dim, "dept")) {
			add_cell(group_of(depts, ref), &x);
		} else if (!strcmp(dim, "area")) {
			add_cell(group_of(areas, ref), &x);
		}
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int run_cube(struct sf_conn *c, const struct sf_stats_filter *f, struct sf_stats_report *r,
		    struct groups *cats, struct groups *depts, struct groups *areas)
{
	struct sf_stmt *st;
	struct cell x;
	bool narrow = f->from != INT64_MIN && f->to != INT64_MAX && f->to - f->from <= NARROW_SECS;
	bool counters = f->from == INT64_MIN && f->to == INT64_MAX;
	int rc;

	if (counters && f->scope == SF_STATS_ALL)
		return run_totals(c, r, cats, depts, areas);
	if (counters && f->scope == SF_STATS_DEPT)
		/* A department's cells: one index range per unit of its subtree. */
		rc = sf_conn_query(
			c, &st,
			"SELECT k.state, k.category_id, k.dept_unit_id, k.area_unit_id, " FIGURES
			" FROM order_counts k WHERE k.dept_unit_id IN (SELECT id "
			"FROM units WHERE path LIKE ? || '%') AND k.n <> 0",
			"s", path_of(f));
	else if (counters)
		/* A scope's share of every order ever: its cells of the counters. */
		rc = sf_conn_query(
			c, &st,
			"SELECT k.state, k.category_id, k.dept_unit_id, k.area_unit_id, " FIGURES
			" FROM order_counts k WHERE k.n <> 0 AND " SCOPE_K,
			"dsds", SCOPE_ARGS(f));
	else if (narrow)
		rc = sf_conn_query(c, &st,
				   "SELECT " CUBE_COLS " FROM orders o WHERE" FILTER CUBE_GROUP,
				   "iidsds", FILTER_ARGS(f));
	else
		rc = sf_conn_query(
			c, &st, "SELECT " CUBE_COLS " FROM orders o WHERE" WIDE_FILTER CUBE_GROUP,
			"iidsds", FILTER_ARGS(f));
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&x, 0, sizeof(x));
		x.known = sf_order_state_parse(sf_stmt_text(st, 0), &x.state);
		x.category = sf_stmt_int(st, 1);
		x.dept = sf_stmt_int(st, 2);
		if (counters) {
			x.area = sf_stmt_int(st, 3);
			read_cell_figures(st, 4, &x);
		} else {
			const char *rating = sf_stmt_text(st, 7);
			int rot = (int)sf_stmt_int(st, 5), aot = (int)sf_stmt_int(st, 6);
			bool sat;

			rating = rating ? rating : "";
			sat = !strcmp(rating, "satisfied") || !strcmp(rating, "basic");
			x.area = sf_stmt_int(st, 8);
			x.n = sf_stmt_int(st, 9);
			x.overdue = sf_stmt_int(st, 3) ? x.n : 0;
			x.problem = sf_stmt_int(st, 4) ? x.n : 0;
			x.rot = rot == 1 ? x.n : 0;
			x.rotj = rot >= 0 ? x.n : 0;
			x.aot = aot == 1 ? x.n : 0;
			x.aotj = aot >= 0 ? x.n : 0;
			x.sat = sat ? x.n : 0;
			x.rated = sat || !strcmp(rating, "unsatisfied") ? x.n : 0;
		}
		add_cell(&r->totals, &x);
		if (x.known)
			add_cell(&r->by_state[x.state], &x);
		add_cell(group_of(cats, x.category), &x);
		add_cell(group_of(depts, x.dept), &x);
		add_cell(group_of(areas, x.area), &x);
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Fill code and names of each group from categories (or units). */
static int name_groups(struct sf_conn *c, struct groups *gs, bool categories)
{
	struct sf_stmt *st;
	int rc;

	/* One pass over the (small) table rather than a query per group. */
	if (categories)
		rc = sf_conn_query(c, &st, "SELECT id, code, name_zh, name_en FROM categories", "");
	else
		rc = sf_conn_query(c, &st, "SELECT id, code, name_zh, name_en FROM units", "");
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		int64_t id = sf_stmt_int(st, 0);

		for (size_t i = 0; i < gs->n; i++) {
			struct sf_stats_group *g = &gs->items[i];

			if (g->key != id || !id)
				continue;
			copy(g->code, sizeof(g->code), sf_stmt_text(st, 1));
			copy(g->name, sizeof(g->name), sf_stmt_text(st, 2));
			copy(g->name_en, sizeof(g->name_en), sf_stmt_text(st, 3));
			break;
		}
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	if (gs->n > 1)
		qsort(gs->items, gs->n, sizeof(gs->items[0]), by_count);
	return 0;
}

int sf_store_stats_report(struct sf_conn *c, const struct sf_stats_filter *f,
			  struct sf_stats_report *out)
{
	struct groups cats = { 0 }, depts = { 0 }, areas = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
		out->by_state[s].key = s;
		copy(out->by_state[s].state, sizeof(out->by_state[s].state),
		     sf_order_state_name((enum sf_order_state)s));
	}
	rc = run_cube(c, f, out, &cats, &depts, &areas);
	if (!rc)
		rc = name_groups(c, &cats, true);
	if (!rc)
		rc = name_groups(c, &depts, false);
	if (!rc)
		rc = name_groups(c, &areas, false);
	out->by_category = cats.items;
	out->n_category = cats.n;
	out->by_dept = depts.items;
	out->n_dept = depts.n;
	out->by_area = areas.items;
	out->n_area = areas.n;
	if (rc)
		sf_store_stats_report_release(out);
	return rc;
}

void sf_store_stats_report_release(struct sf_stats_report *r)
{
	if (!r)
		return;
	free(r->by_category);
	free(r->by_dept);
	free(r->by_area);
	memset(r, 0, sizeof(*r));
}

/* Add each (bucket, count) row into counts[0..n). */
static int fill_buckets(struct sf_stmt *st, size_t n, int64_t *counts)
{
	int rc;

	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		int64_t b = sf_stmt_int(st, 0);

		if (b >= 0 && (uint64_t)b < n)
			counts[b] += sf_stmt_int(st, 1);
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_stats_buckets(struct sf_conn *c, const struct sf_stats_filter *f, int64_t start,
			   int64_t period, size_t n, int64_t *created, int64_t *resolved)
{
	struct sf_stmt *st;
	int64_t end;
	int rc;

	if (n == 0 || period <= 0 || n > 10000)
		return SF_EINVAL;
	end = start + period * (int64_t)n;
	memset(created, 0, n * sizeof(*created));
	memset(resolved, 0, n * sizeof(*resolved));
	if ((start + 28800) % 86400 == 0 && period % 86400 == 0) {
		/* Whole Shanghai days: the daily counters kept with each change;
		 * everything is the (-1, -1) rows, one index range per kind. */
		static const char *const kinds[2] = { "created", "resolved" };
		int64_t *out[2] = { created, resolved };

		for (int i = 0; i < 2; i++) {
			if (f->scope == SF_STATS_ALL)
				rc = sf_conn_query(
					c, &st,
					"SELECT (k.day - ?) / ?, SUM(k.n) FROM order_day_counts k "
					"WHERE k.kind = ? AND k.dept_unit_id = -1 AND k.day >= ? "
					"AND k.day < ? GROUP BY 1",
					"iisii", start, period, kinds[i], start, end);
			else if (f->scope == SF_STATS_DEPT)
				/* The subtree's units, each one index range of days. */
				rc = sf_conn_query(
					c, &st,
					"SELECT (k.day - ?) / ?, SUM(k.n) FROM order_day_counts k "
					"WHERE k.kind = ? AND k.dept_unit_id IN (SELECT id FROM units "
					"WHERE path LIKE ? || '%') AND k.day >= ? AND k.day < ? GROUP BY 1",
					"iissii", start, period, kinds[i], path_of(f), start, end);
			else
				rc = sf_conn_query(
					c, &st,
					"SELECT (k.day - ?) / ?, SUM(k.n) FROM order_day_counts k "
					"WHERE k.kind = ? AND k.day >= ? AND k.day < ? AND " SCOPE_K
					" GROUP BY 1",
					"iisiidsds", start, period, kinds[i], start, end,
					SCOPE_ARGS(f));
			if (!rc)
				rc = fill_buckets(st, n, out[i]);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* One pass per measure: the bucket is arithmetic on UTC seconds, which
	 * is exact for Shanghai weeks and days (no daylight saving). */
	rc = sf_conn_query(c, &st,
			   "SELECT (o.created_at - ?) / ?, COUNT(*) FROM orders o "
			   "WHERE o.created_at >= ? AND o.created_at < ? AND " SCOPE " GROUP BY 1",
			   "iiiidsds", start, period, start, end, scope_of(f), path_of(f),
			   scope_of(f), path_of(f));
	if (!rc)
		rc = fill_buckets(st, n, created);
	if (rc)
		return rc;
	rc = sf_conn_query(c, &st,
			   "SELECT (o.resolved_at - ?) / ?, COUNT(*) FROM orders o "
			   "WHERE o.resolved_at >= ? AND o.resolved_at < ? AND " SCOPE
			   " GROUP BY 1",
			   "iiiidsds", start, period, start, end, scope_of(f), path_of(f),
			   scope_of(f), path_of(f));
	if (!rc)
		rc = fill_buckets(st, n, resolved);
	return rc;
}

int sf_store_stats_overdue_list(struct sf_conn *c, const struct sf_stats_filter *f, int limit,
				int (*cb)(const struct sf_stats_overdue *o, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_stats_overdue o;
	int rc = sf_conn_query(c, &st,
			       "SELECT o.id, o.code, o.title, COALESCE(o.dept_unit_id, 0), "
			       "COALESCE(u.name_zh, ''), COALESCE(o.deadline, 0), o.state "
			       "FROM orders o LEFT JOIN units u ON u.id = o.dept_unit_id "
			       "WHERE o.overdue = 1 AND " LIVE " AND" FILTER
			       " ORDER BY o.deadline, o.id LIMIT ?",
			       "iidsdsd", FILTER_ARGS(f), limit);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sf_stmt_int(st, 0);
		copy(o.code, sizeof(o.code), sf_stmt_text(st, 1));
		copy(o.title, sizeof(o.title), sf_stmt_text(st, 2));
		o.dept_unit_id = sf_stmt_int(st, 3);
		copy(o.dept_name, sizeof(o.dept_name), sf_stmt_text(st, 4));
		o.deadline = sf_stmt_int(st, 5);
		copy(o.state, sizeof(o.state), sf_stmt_text(st, 6));
		if (cb(&o, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

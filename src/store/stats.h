/* Counts for /metrics, the dashboard and the public portal's figures: GROUP
 * BYs over orders, restricted to a created_at range and to a data scope (a
 * unit subtree). Not here: who may see which scope (src/api), or turning
 * counts into rates and labels.
 * Speed at a million orders needs covering indexes (see the report below). */
#ifndef SF_STORE_STATS_H
#define SF_STORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "domain/order.h"
#include "store/db.h"

/* 0 when the database answers a trivial query. */
int sf_store_stats_ping(struct sf_conn *c);
/* cb(state, count) for each state that has orders. */
int sf_store_stats_by_state(struct sf_conn *c, int (*cb)(const char *state, int64_t n, void *ctx),
			    void *ctx);
/* Open orders marked overdue. */
int sf_store_stats_overdue(struct sf_conn *c, int64_t *n);

/* Which orders a figure counts. */
enum sf_stats_scope {
	SF_STATS_ALL,  /* every order */
	SF_STATS_DEPT, /* orders whose handling unit (dept_unit_id) is in unit_path's subtree */
	SF_STATS_AREA, /* orders whose area or handling unit is in unit_path's subtree */
};

struct sf_stats_filter {
	int64_t from, to; /* created_at in [from, to], UTC seconds (INT64_MIN/MAX for open) */
	enum sf_stats_scope scope;
	const char *unit_path; /* "/1/4/" for DEPT and AREA; ignored for ALL */
};

/* Set f to every order ever created, no scope. */
void sf_store_stats_filter_init(struct sf_stats_filter *f);

/* The figures of one group (or of all the filtered orders). "Open" means
 * still being handled: submitted, accepted, assigned, in_progress,
 * returned, reopened. "Solved" is resolved, feedback or closed. */
struct sf_stats_group {
	int64_t key;    /* state index, category, unit id; 0 = none (NULL) */
	char state[24]; /* by state only */
	char code[48];  /* category code (by category) or unit code (by unit) */
	char name[128]; /* category or unit name (Chinese) */
	char name_en[128];
	int64_t count;   /* orders */
	int64_t open;    /* still being handled */
	int64_t solved;  /* resolved, feedback, closed */
	int64_t overdue; /* overdue flag set on a state that is not closed/rejected/merged */
	int64_t problem; /* problem flag set on such a state */
	int64_t resolved_on_time, resolved_judged; /* resolved_on_time = 1 / not NULL */
	int64_t accepted_on_time, accepted_judged; /* accepted_on_time = 1 / not NULL */
	int64_t satisfied;                         /* rating satisfied or basic */
	int64_t rated;                             /* rating satisfied, basic or unsatisfied */
};

/* The figures of every order the filter selects, into *out (key 0). A
 * single aggregate pass; for one month of the portal's figures. */
int sf_store_stats_totals(struct sf_conn *c, const struct sf_stats_filter *f,
			  struct sf_stats_group *out);

/* Every breakdown of the dashboard from one pass over orders: a GROUP BY
 * on (state, category, handling unit, overdue, problem, on-time flags,
 * rating, area), summed here into the totals, by state, by category, by
 * handling unit and by area. Groups are sorted by count, largest first;
 * key 0 is the group of orders without a unit (or area). by_state is
 * indexed by enum sf_order_state (state names set, counts may be 0). The
 * arrays are malloc'd: sf_store_stats_report_release. Errors: SF_EDB (*out
 * is then empty).
 * A range of up to 62 days reads the rows in it through the created_at
 * index; a longer or open one streams the GROUP BY in the order of an index
 * on exactly these columns, which at a million orders takes it from ~3 s to
 * ~0.25 s when present:
 *   orders(state, category_id, dept_unit_id, overdue, problem,
 *          resolved_on_time, accepted_on_time, rating, area_unit_id, created_at)
 * and short ranges from ~0.12 s to ~0.07 s with the covering
 *   orders(created_at, state, category_id, dept_unit_id, overdue, problem,
 *          resolved_on_time, accepted_on_time, rating, area_unit_id). */
struct sf_stats_report {
	struct sf_stats_group totals;
	struct sf_stats_group by_state[SF_ORDER_STATE_COUNT];
	struct sf_stats_group *by_category, *by_dept, *by_area;
	size_t n_category, n_dept, n_area;
};
int sf_store_stats_report(struct sf_conn *c, const struct sf_stats_filter *f,
			  struct sf_stats_report *out);
void sf_store_stats_report_release(struct sf_stats_report *r);

/* Orders created, and orders resolved (resolved_at), in each of n
 * consecutive periods of `period` seconds starting at start, within f's
 * scope (f's from/to are ignored). created[] and resolved[] have n items
 * and are filled (zero where there are none). Errors: SF_EINVAL for n or
 * period <= 0 or n > 10000, SF_EDB. The resolved count scans orders unless
 * there is an index orders(resolved_at, ...). */
int sf_store_stats_buckets(struct sf_conn *c, const struct sf_stats_filter *f, int64_t start,
			   int64_t period, size_t n, int64_t *created, int64_t *resolved);

/* One open order past its deadline. */
struct sf_stats_overdue {
	int64_t id;
	char code[32];
	char title[404];
	int64_t dept_unit_id;
	char dept_name[128];
	int64_t deadline; /* 0 when none is stored */
	char state[24];
};

/* cb for at most limit open orders (not closed, rejected or merged) marked
 * overdue that f selects, earliest deadline first. Errors: SF_EDB. */
int sf_store_stats_overdue_list(struct sf_conn *c, const struct sf_stats_filter *f, int limit,
				int (*cb)(const struct sf_stats_overdue *o, void *ctx), void *ctx);

#endif

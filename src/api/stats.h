/* Figures over HTTP: the console's dashboard (each person sees the figures
 * of their own data scope) and the public portal's published figures
 * (counts and rates only: no names, phones, addresses or notes). */
#ifndef SF_API_STATS_H
#define SF_API_STATS_H

#include "api/req.h"

/* GET /api/v1/stats/overview[?from=&to=]: orders (created in the range)
 * by state, category, handling unit and area, on-time and satisfaction
 * rates, and the 20 open orders longest overdue; plus the 12 weeks (Monday
 * to Sunday, Shanghai time) up to `to` or now, each with the orders created
 * and the orders resolved (办结, "closed") in it. Admin, leader and
 * dispatcher see every order; dept staff the orders their unit subtree
 * handles; community and grid staff the orders whose area or handling unit
 * is in their subtree. "open" counts orders still being handled (not
 * resolved, feedback, closed, rejected or merged); "overdue" the overdue
 * flag on orders not closed, rejected or merged. Rates are fractions with 4
 * decimals, null when nothing was judged. Errors: 400 for a bad or
 * reversed range. Answers are cached in the process and reused only while
 * nothing they count or show has changed (stats.c says how). */
int sf_api_stats_overview(struct sf_req *req);

/* The dashboard answers kept (struct sf_app's dash_cache): scopes x ranges x
 * languages, and the bytes of one (about 21 KB at a million orders). */
#define SF_DASH_CACHE_ENTRIES 64
#define SF_DASH_CACHE_VALUE_MAX (256 * 1024)

/* Append the dashboard cache's counts (hits, misses, stale, evictions,
 * bytes held) to out in Prometheus text format, for /metrics. */
void sf_api_stats_metrics(struct sf_app *app, struct sf_buf *out);

/* GET /api/v1/public/stats[?months=12] (no login): received, solved,
 * on-time and satisfaction rates over the last months (1..24, counted in
 * Shanghai calendar months, the current one included), overall, by public
 * category and by month of receipt. */
int sf_api_public_stats(struct sf_req *req);

#endif

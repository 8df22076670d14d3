/* /healthz answers whether the database answers; /metrics adds the
 * business gauges (orders by state, overdue) to the request metrics. */
#include "api/system.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/stats.h"
#include "api/open311.h"
#include "domain/order.h"
#include "store/stats.h"
#include "util/jw.h"
#include "util/metrics.h"

int sf_api_healthz(struct sf_req *req)
{
	struct sf_jw w;
	int rc = sf_store_stats_ping(sf_req_conn(req));

	sf_req_reply_json(req, rc ? 503 : 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "status", rc ? "unavailable" : "ok");
	sf_jw_kstr(&w, "version", SF_VERSION);
	sf_jw_kint(&w, "uptime_s", req->now - req->app->started_at);
	sf_jw_obj_end(&w);
	return 0;
}

static int add_state(const char *state, int64_t n, void *ctx)
{
	int64_t *counts = ctx;
	enum sf_order_state s;

	if (sf_order_state_parse(state, &s))
		counts[s] = n;
	return 0;
}

int sf_api_metrics(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	int64_t overdue = 0;

	req->status = 200;
	req->resp_type = "text/plain; version=0.0.4; charset=utf-8";
	sf_metrics_render(req->app->metrics, &req->out);
	sf_buf_adds(&req->out,
		    "# HELP sanfu_orders Work orders by state.\n# TYPE sanfu_orders gauge\n");
	int64_t counts[SF_ORDER_STATE_COUNT] = { 0 };

	if (sf_store_stats_by_state(c, add_state, counts) == 0)
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
			sf_buf_addf(&req->out, "sanfu_orders{state=\"%s\"} %lld\n",
				    sf_order_state_name((enum sf_order_state)s),
				    (long long)counts[s]);
	if (sf_store_stats_overdue(c, &overdue) == 0)
		sf_buf_addf(&req->out,
			    "# HELP sanfu_orders_overdue Open orders past their deadline.\n"
			    "# TYPE sanfu_orders_overdue gauge\nsanfu_orders_overdue %lld\n",
			    (long long)overdue);
	sf_buf_addf(&req->out, "# TYPE sanfu_uptime_seconds gauge\nsanfu_uptime_seconds %lld\n",
		    (long long)(req->now - req->app->started_at));
	sf_buf_addf(&req->out,
		    "# HELP sanfu_scan_leader 1 when this server runs the deadline scan.\n"
		    "# TYPE sanfu_scan_leader gauge\nsanfu_scan_leader %d\n"
		    "# HELP sanfu_scan_runs_total Deadline scans run by this server.\n"
		    "# TYPE sanfu_scan_runs_total counter\nsanfu_scan_runs_total %llu\n",
		    atomic_load(&req->app->scan_leader) ? 1 : 0,
		    (unsigned long long)atomic_load(&req->app->scan_runs));
	sf_o311_metrics(c, &req->out);
	sf_api_stats_metrics(req->app, &req->out);
	return 0;
}

int sf_api_openapi(struct sf_req *req)
{
	char path[700];
	char chunk[16384];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/openapi.json", req->app->cfg.data_dir);
	f = fopen(path, "rb");
	if (!f)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "",
				   "the API document is missing: %s", strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sf_buf_add(&req->out, chunk, n);
	fclose(f);
	req->status = 200;
	req->resp_type = "application/json; charset=utf-8";
	req->cache_control = "public, max-age=300";
	return 0;
}

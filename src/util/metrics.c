/* Request metrics; see metrics.h. */
#include "util/metrics.h"

#include <string.h>

static const int statuses[SF_METRICS_STATUSES] = { 200, 201, 204, 304, 400, 401,
						   403, 404, 409, 413, 429, 500 };
static const double bucket_s[SF_METRICS_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
						     0.05,   0.1,   0.25,   0.5,   1.0,  2.5 };

void sf_metrics_init(struct sf_metrics *m, const char *const *names, size_t n)
{
	memset(m, 0, sizeof(*m));
	if (n > SF_METRICS_ROUTES - 2)
		n = SF_METRICS_ROUTES - 2;
	for (size_t i = 0; i < n; i++)
		m->route_names[i] = names[i];
	m->route_names[n] = "static";
	m->route_names[n + 1] = "not_found";
	m->nroutes = n + 2;
}

static size_t status_slot(int status)
{
	for (size_t i = 0; i < SF_METRICS_STATUSES; i++)
		if (statuses[i] == status)
			return i;
	/* Fold the rest into the nearest class representative. */
	if (status >= 500)
		return SF_METRICS_STATUSES - 1;
	if (status >= 400)
		return 4;
	return 0;
}

void sf_metrics_observe(struct sf_metrics *m, size_t route, int status, uint64_t micros)
{
	size_t b;

	if (route >= m->nroutes)
		route = m->nroutes - 1;
	atomic_fetch_add_explicit(&m->hits[route][status_slot(status)], 1, memory_order_relaxed);
	for (b = 0; b < SF_METRICS_BUCKETS; b++)
		if ((double)micros <= bucket_s[b] * 1e6)
			break;
	atomic_fetch_add_explicit(&m->lat_bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_sum_us, micros, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_count, 1, memory_order_relaxed);
}

void sf_metrics_render(const struct sf_metrics *m, struct sf_buf *out)
{
	uint64_t cum = 0;

	sf_buf_adds(out, "# HELP sanfu_http_requests_total HTTP requests by route and status.\n"
			 "# TYPE sanfu_http_requests_total counter\n");
	for (size_t r = 0; r < m->nroutes; r++) {
		for (size_t s = 0; s < SF_METRICS_STATUSES; s++) {
			uint64_t v = atomic_load_explicit(&m->hits[r][s], memory_order_relaxed);

			if (v)
				sf_buf_addf(
					out,
					"sanfu_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					m->route_names[r], statuses[s], (unsigned long long)v);
		}
	}
	sf_buf_adds(out, "# HELP sanfu_http_request_duration_seconds Request latency.\n"
			 "# TYPE sanfu_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b < SF_METRICS_BUCKETS; b++) {
		cum += atomic_load_explicit(&m->lat_bucket[b], memory_order_relaxed);
		sf_buf_addf(out, "sanfu_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    bucket_s[b], (unsigned long long)cum);
	}
	cum += atomic_load_explicit(&m->lat_bucket[SF_METRICS_BUCKETS], memory_order_relaxed);
	sf_buf_addf(out, "sanfu_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
		    (unsigned long long)cum);
	sf_buf_addf(out, "sanfu_http_request_duration_seconds_sum %.6f\n",
		    (double)atomic_load_explicit(&m->lat_sum_us, memory_order_relaxed) / 1e6);
	sf_buf_addf(out, "sanfu_http_request_duration_seconds_count %llu\n",
		    (unsigned long long)atomic_load_explicit(&m->lat_count, memory_order_relaxed));
	sf_buf_addf(out,
		    "# HELP sanfu_http_in_flight Requests being handled.\n"
		    "# TYPE sanfu_http_in_flight gauge\nsanfu_http_in_flight %llu\n",
		    (unsigned long long)atomic_load_explicit(&m->in_flight, memory_order_relaxed));
}

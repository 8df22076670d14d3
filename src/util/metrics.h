/* In-process request metrics: counts by route and status, a latency
 * histogram, and named gauges/counters, all lock-free atomics, rendered in
 * Prometheus text format. Business figures (orders by state) are added by
 * the API when /metrics is read. */
#ifndef SF_METRICS_H
#define SF_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SF_METRICS_ROUTES 256
#define SF_METRICS_BUCKETS 12

/* Status classes kept per route: exact codes that matter to operators. */
#define SF_METRICS_STATUSES 12

struct sf_metrics {
	const char *route_names[SF_METRICS_ROUTES];
	size_t nroutes;
	atomic_uint_fast64_t hits[SF_METRICS_ROUTES][SF_METRICS_STATUSES];
	atomic_uint_fast64_t lat_bucket[SF_METRICS_BUCKETS + 1];
	atomic_uint_fast64_t lat_sum_us;
	atomic_uint_fast64_t lat_count;
	atomic_uint_fast64_t in_flight;
};

/* Register route names (index i of the route table = slot i); slot nroutes
 * is "static" and nroutes+1 "not_found". Names are borrowed. */
void sf_metrics_init(struct sf_metrics *m, const char *const *names, size_t n);
/* Count one request: route slot (or SIZE_MAX for unknown), status,
 * latency in microseconds. */
void sf_metrics_observe(struct sf_metrics *m, size_t route, int status, uint64_t micros);
/* Append the request metrics in Prometheus text format. */
void sf_metrics_render(const struct sf_metrics *m, struct sf_buf *out);

#endif

/* Counts for /metrics and the dashboard. */
#ifndef SF_STORE_STATS_H
#define SF_STORE_STATS_H

#include <stdint.h>

#include "store/db.h"

/* 0 when the database answers a trivial query. */
int sf_store_stats_ping(struct sf_conn *c);
/* cb(state, count) for each state that has orders. */
int sf_store_stats_by_state(struct sf_conn *c, int (*cb)(const char *state, int64_t n, void *ctx),
			    void *ctx);
/* Open orders marked overdue. */
int sf_store_stats_overdue(struct sf_conn *c, int64_t *n);

#endif

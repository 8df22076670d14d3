/* Counts for /metrics; see stats.h. */
#include "store/stats.h"

int sf_store_stats_ping(struct sf_conn *c)
{
	int64_t one = 0;

	return sf_conn_int(c, &one, "SELECT 1", "");
}

int sf_store_stats_by_state(struct sf_conn *c, int (*cb)(const char *state, int64_t n, void *ctx),
			    void *ctx)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT state, COUNT(*) FROM orders GROUP BY state ORDER BY state",
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
	return sf_conn_int(c, n,
			   "SELECT COUNT(*) FROM orders WHERE overdue = 1 AND state NOT IN "
			   "('closed', 'rejected', 'merged')",
			   "");
}

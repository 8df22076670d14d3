/* Fixed-window rate limits; see ratelimit.h. Portable SQL: an upsert with
 * ON CONFLICT, no engine date functions (times come from the caller). */
#include "store/ratelimit.h"

#include <string.h>

#define KEY_MAX 200

static int check_args(const char *key, int64_t window)
{
	if (!key || !*key || strlen(key) > KEY_MAX || window <= 0)
		return SF_EINVAL;
	return 0;
}

int sf_store_ratelimit_peek(struct sf_conn *c, const char *key, int64_t now, int64_t window,
			    int64_t *hits, int64_t *reset_at)
{
	struct sf_stmt *st = NULL;
	int rc = check_args(key, window);

	*hits = 0;
	*reset_at = now + window;
	if (rc)
		return rc;
	rc = sf_conn_query(c, &st, "SELECT window_start, hits FROM rate_limits WHERE key = ?", "s",
			   key);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		int64_t start = sf_stmt_int(st, 0);

		if (start + window > now) {
			*hits = sf_stmt_int(st, 1);
			*reset_at = start + window;
		}
		rc = 0;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_ratelimit_add(struct sf_conn *c, const char *key, int64_t now, int64_t window)
{
	int rc = check_args(key, window);

	if (rc)
		return rc;
	/* A window still open gains a hit; an ended one starts again at now. */
	rc = sf_conn_run(c,
			 "INSERT INTO rate_limits(key, window_start, hits) VALUES (?, ?, 1) "
			 "ON CONFLICT (key) DO UPDATE SET "
			 " hits = CASE WHEN rate_limits.window_start + ? > ? "
			 "  THEN rate_limits.hits + 1 ELSE 1 END, "
			 " window_start = CASE WHEN rate_limits.window_start + ? > ? "
			 "  THEN rate_limits.window_start ELSE ? END",
			 "siiiiii", key, now, window, now, window, now, now);
	if (rc < 0)
		return rc;
	rc = sf_conn_run(c, "DELETE FROM rate_limits WHERE window_start < ?", "i",
			 now - 2 * window);
	return rc < 0 ? rc : 0;
}

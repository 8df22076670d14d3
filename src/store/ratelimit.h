/* Fixed-window rate limits kept in the rate_limits table (key,
 * window_start, hits), shared by every server process on one database.
 * Used for the portal's per-IP submission limit. Deciding what the limit
 * is and what to answer when it is hit belongs to the caller (src/api). */
#ifndef SF_STORE_RATELIMIT_H
#define SF_STORE_RATELIMIT_H

#include <stdint.h>

#include "store/db.h"

/* How many hits key has in its window of `window` seconds as of now
 * (0 when it has none or its window has ended) into *hits, and when the
 * window ends into *reset_at (now + window when no window is open).
 * Errors: SF_EINVAL (empty key or window <= 0), SF_EDB. */
int sf_store_ratelimit_peek(struct sf_conn *c, const char *key, int64_t now, int64_t window,
			    int64_t *hits, int64_t *reset_at);

/* Count one hit for key at now: a new window starts at now when there is
 * none or the last one has ended. Call it inside the caller's write
 * transaction when it must go with another change. Also drops rows whose
 * windows ended long ago (older than 2 windows), so the table stays small.
 * Errors: SF_EINVAL, SF_EDB. */
int sf_store_ratelimit_add(struct sf_conn *c, const char *key, int64_t now, int64_t window);

#endif

/* Bulk loading of generated work orders (`sanfu gen`, for benchmarks): each
 * order written whole, in its final state, with its finished hash-chained
 * timeline and its bigram search terms, many orders per transaction through
 * prepared statements. Not a way to change orders while serving (that is
 * the one transition path, api/orders.c); the caller builds rows and
 * timelines that obey the state machine. */
#ifndef SF_STORE_GEN_H
#define SF_STORE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/search.h"
#include "store/db.h"
#include "store/order.h"

/* Set up c, the only connection open to its database, for a bulk load
 * (on: SQLite's rollback journal instead of WAL, so the many new pages are
 * written once rather than to the WAL and again at the checkpoint; a crash
 * still rolls the open batch back) or back to serving (off: WAL again).
 * Does nothing on PostgreSQL. Errors: SF_EBUSY when another connection is
 * open, SF_EDB. */
int sf_store_gen_bulk_mode(struct sf_conn *c, bool on);

/* The largest order id so far, 0 when there is none (to give generated
 * orders distinct tracking codes). SF_EDB. */
int sf_store_gen_last_order(struct sf_conn *c, int64_t *id);

/* One batch being loaded (one write transaction). */
struct sf_store_gen;

/* Start a batch on c: a write transaction, with the events chain's head
 * read and locked. On SQLite a larger page cache is set on c for the load.
 * *out is the batch, to end with sf_store_gen_commit or _abort.
 * Errors: SF_EBUSY, SF_EDB. */
int sf_store_gen_begin(struct sf_conn *c, struct sf_store_gen **out);

/* Insert order o (every column as it stands; id, joined names and version
 * ignored: version becomes nev, one per recorded change as the transition
 * path counts them), then its nev events in order, filling each ev[i].id
 * (the chain's next id), order_id and seq (1..nev) and hashing them into
 * the chain, and queue its terms (distinct, finished) for the batch.
 * o->id receives the new id. Errors: SF_ECONFLICT (duplicate code or
 * tracking code), SF_EDB. The dashboard counters follow at commit. */
int sf_store_gen_add(struct sf_store_gen *g, struct sf_order_row *o, struct sf_order_event *ev,
		     size_t nev, const struct sf_search_terms *terms);

/* Write the batch's terms (sorted, many rows per statement), move the
 * chain head, commit, and free g. Errors: SF_EDB (the batch is rolled
 * back; g is freed either way). */
int sf_store_gen_commit(struct sf_store_gen *g);
/* Roll the batch back and free g. NULL is accepted. */
void sf_store_gen_abort(struct sf_store_gen *g);

#endif

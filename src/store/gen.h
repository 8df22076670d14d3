/* Bulk loading of generated work orders (`sanfu gen`, for benchmarks): each
 * order written whole, in its final state, with its finished hash-chained
 * timeline and its bigram search terms. Not a way to change orders while
 * serving (that is the one transition path, api/orders.c); the caller
 * builds rows and timelines that obey the state machine, and the load
 * assumes it has the database to itself. */
#ifndef SF_STORE_GEN_H
#define SF_STORE_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "domain/search.h"
#include "store/db.h"
#include "store/order.h"
#include "util/err.h"

/* One load in progress. */
struct sf_store_gen;

/* What a finished load wrote. */
struct sf_store_gen_totals {
	int64_t orders, events, terms;
};

/* Start a load on c, which must stay the only connection open to its
 * database until sf_store_gen_finish or _abort (they return it as it was).
 * On SQLite the load is one transaction (an error or _abort leaves the
 * database as it was; a crash leaves one to delete and generate again)
 * written through connections of its own, with the journal in memory, no
 * fsync and no foreign-key checks, the new orders in a scratch file next
 * to the database (path + "-gen") until the end; batch is not used. On
 * PostgreSQL a transaction per batch of orders, the search terms at the end.
 * The order ids, event ids and daily counters continue the database's.
 * Errors: SF_EBUSY (another connection is open: a server running), SF_EDB,
 * with the message in err. */
int sf_store_gen_open(struct sf_conn *c, int64_t batch, struct sf_store_gen **out,
		      struct sf_error *err);

/* The largest order id so far, 0 when there is none. SF_EDB. */
int sf_store_gen_last_order(struct sf_conn *c, int64_t *id);

/* The next value of counter name, as sf_store_counter_next would give it
 * (1 for a new one); kept in memory and written at the end. */
int64_t sf_store_gen_counter_next(struct sf_store_gen *g, const char *name);

/* Add order o (every column as it stands; the joined names are ignored and
 * version becomes nev, one per recorded change as the transition path
 * counts them; o->id receives the new id), its nev events in order (each
 * gets its id, the chain's next, order_id and seq 1..nev, and is hashed
 * into the events chain) and its search terms: the bigrams of its indexed
 * fields as sf_search_terms_add gives them, duplicates allowed. Everything
 * is copied: o, ev and terms may be reused at once. Rows may be written
 * later; a failure of the writing is returned by a later call.
 * Returns the number of distinct terms (>= 0), or SF_EDB (writing failed)
 * or SF_ETOOBIG (an order larger than a chunk), with the message in err;
 * then end with sf_store_gen_abort. */
int sf_store_gen_add(struct sf_store_gen *g, struct sf_order_row *o, struct sf_order_event *ev,
		     size_t nev, const struct sf_search_terms *terms, struct sf_error *err);

/* Write everything added, the search terms (in key order), the dashboard
 * counters and the daily counters, commit, put the connection back as it
 * was and free g. totals (may be NULL) receives what was written. Errors:
 * SF_EDB with the message in err; then nothing stays on SQLite, the
 * batches already committed on PostgreSQL. */
int sf_store_gen_finish(struct sf_store_gen *g, struct sf_store_gen_totals *totals,
			struct sf_error *err);
/* Stop: roll back what is not committed (on SQLite, the whole load),
 * remove the scratch file, put the connection back and free g. NULL is
 * accepted. */
void sf_store_gen_abort(struct sf_store_gen *g);

/* The hash the events chain gives ev after prev (sf_store_order_event_hash,
 * computed without formatting through stdio). */
void sf_store_gen_event_hash(const struct sf_order_event *ev, const char *prev, char out[65]);

#endif

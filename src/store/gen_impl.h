/* Private to store/gen*.c (the bulk load of `sanfu gen`, gen.c): the rows
 * as queued, where they are written (gen_rows.c: on SQLite connections of
 * the load's own that bind text in place and keep no journal on disk, on
 * PostgreSQL the caller's connection), the events chain's hashes
 * (gen_hash.c) and the new search terms (gen_terms.c). Not for other files. */
#ifndef SF_STORE_GEN_IMPL_H
#define SF_STORE_GEN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/search.h"
#include "store/db.h"
#include "store/order.h"
#include "store/order_impl.h"
#include "util/err.h"

/* An event as queued: its strings in the queue's memory. */
struct sf_store_gen_event {
	int64_t id, order_id, seq, actor, at;
	int public;
	const char *action, *from, *to, *name, *role, *body;
	char prev[65], hash[65];
};

/* A search term row. */
struct sf_store_gen_term {
	const char *s;
	int64_t at, id;
};

/* Hash e into the events chain after e->prev: e->hash (gen_hash.c). */
void sf_store_gen_hash_queued(struct sf_store_gen_event *e);

/* Rows per multi-row INSERT. */
#define SF_STORE_GEN_TERMS_PER_INSERT 256

/* SQLite's settings on c for the load (on: the journal in memory, no fsync)
 * or for serving (off: WAL, FULL). c must be the only connection open.
 * SF_EBUSY when SQLite refuses, SF_EDB. */
int sf_store_gen_sqlite_mode(struct sf_conn *c, bool on);

/* Where the rows go. */
struct sf_store_gen_rows;

/* Open on c's database: on SQLite a connection of its own (after
 * sf_store_gen_sqlite_mode(c, true); c then stays idle until it is closed),
 * on PostgreSQL c itself. SF_EDB with the message in err. */
int sf_store_gen_rows_open(struct sf_conn *c, struct sf_store_gen_rows **out, struct sf_error *err);
/* Open a new scratch SQLite database at path (SQLite only) with pages of
 * page_size bytes, without a journal: what is written to it is not kept
 * by a crash. SF_EDB with the message in err. */
int sf_store_gen_rows_scratch(const char *path, int64_t page_size, struct sf_store_gen_rows **out,
			      struct sf_error *err);
/* Close (rolling back what is not committed) and free; NULL is accepted.
 * _close_ok says whether it closed cleanly (0) or SF_EDB. */
void sf_store_gen_rows_close(struct sf_store_gen_rows *w);
int sf_store_gen_rows_close_ok(struct sf_store_gen_rows *w);
/* The connection's last error message. */
const char *sf_store_gen_rows_errmsg(struct sf_store_gen_rows *w);

int sf_store_gen_rows_begin(struct sf_store_gen_rows *w);
int sf_store_gen_rows_commit(struct sf_store_gen_rows *w);
void sf_store_gen_rows_rollback(struct sf_store_gen_rows *w);
/* Run SQL text without parameters (several statements). SF_EDB. */
int sf_store_gen_rows_exec(struct sf_store_gen_rows *w, const char *sql);

/* sf_conn_run's contract (fmt letters i z d s f n), on the load's own
 * SQLite connection: text bound in place (the strings need only live
 * through the call). */
int sf_store_gen_rows_run(struct sf_store_gen_rows *w, const char *sql, const char *fmt, ...);
/* The caller's connection on PostgreSQL, NULL on SQLite. */
struct sf_conn *sf_store_gen_rows_conn(struct sf_store_gen_rows *w);
/* Run a statement where the rows go: sf_conn_run or _rows_run. */
#define GEN_RUN(w, ...)                                                                  \
	(sf_store_gen_rows_conn(w) ? sf_conn_run(sf_store_gen_rows_conn(w), __VA_ARGS__) \
				   : sf_store_gen_rows_run((w), __VA_ARGS__))

/* Insert one order (every column; its id as given), n events (with their
 * chain hashes), n term rows (n <= SF_STORE_GEN_TERMS_PER_INSERT, in key
 * order); move the events chain's head. 0, SF_ECONFLICT or SF_EDB. */
int sf_store_gen_rows_order(struct sf_store_gen_rows *w, const struct sf_order_row *o);
int sf_store_gen_rows_events(struct sf_store_gen_rows *w, const struct sf_store_gen_event *e,
			     size_t n);
int sf_store_gen_rows_terms(struct sf_store_gen_rows *w, const struct sf_store_gen_term *r,
			    size_t n);
int sf_store_gen_rows_chain(struct sf_store_gen_rows *w, int64_t last_id, const char *hash);

/* The new orders' search terms (gen_terms.c), for orders with ids from
 * first_id on: noted as they come, written at the end in key order. */
struct sf_store_gen_terms;
struct sf_store_gen_terms *sf_store_gen_terms_new(int64_t first_id);
/* NULL is accepted. */
void sf_store_gen_terms_free(struct sf_store_gen_terms *t);
/* Note the bigrams of the order with id first_id + ord, created at
 * created_at (duplicates allowed); returns how many distinct ones. */
int sf_store_gen_terms_note(struct sf_store_gen_terms *t, uint32_t ord, int64_t created_at,
			    const struct sf_search_terms *terms);
/* Read the rows already in the table through c when they are few, to
 * write them again in order with the new ones (the table is emptied
 * first then). SF_EDB. */
int sf_store_gen_terms_take_old(struct sf_store_gen_terms *t, struct sf_conn *c);
/* Sort each term's orders by (created_at, id); after the last note. */
void sf_store_gen_terms_sort(struct sf_store_gen_terms *t);
/* Write all the rows in key order through w, committing every few
 * million rows when commits (else within the caller's transaction).
 * SF_EDB. */
int sf_store_gen_terms_write(struct sf_store_gen_terms *t, struct sf_store_gen_rows *w,
			     bool commits);

#endif

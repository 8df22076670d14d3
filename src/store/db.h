/* The one SQL layer over two engines (SQLite embedded, PostgreSQL for
 * scale-out). Callers write SQL once with `?` placeholders; this layer
 * binds, translates placeholders for PostgreSQL, caches prepared
 * statements per connection, and offers the few dialect hooks. It knows
 * nothing of HTTP or business rules. */
#ifndef SF_DB_H
#define SF_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum sf_db_engine { SF_DB_SQLITE, SF_DB_POSTGRES };

struct sf_db;   /* a pool of connections to one database */
struct sf_conn; /* one connection, used by one thread at a time */
struct sf_stmt; /* a prepared statement owned by its connection */

enum { SF_DB_DONE = 0, SF_DB_ROW = 1 };

/* Open `url`: a file path, "sqlite:PATH" or "postgres://...". pool is the
 * number of connections kept (at least 1). SQLite databases are created if
 * missing, in WAL mode with foreign keys on and synchronous=FULL.
 * Errors: SF_EINVAL (bad URL), SF_EDB (cannot open). */
int sf_db_open(const char *url, int pool, struct sf_db **out, struct sf_error *err);
void sf_db_close(struct sf_db *db);
enum sf_db_engine sf_db_engine(const struct sf_db *db);
/* The SQLite file path (NULL for PostgreSQL). */
const char *sf_db_path(const struct sf_db *db);

/* Borrow a connection; blocks until one is free. Give it back with
 * sf_db_put; a connection is returned with no open transaction. */
struct sf_conn *sf_db_get(struct sf_db *db);
void sf_db_put(struct sf_db *db, struct sf_conn *c);
struct sf_db *sf_conn_db(struct sf_conn *c);

/* Transactions. begin(write=true) takes the write lock at once (SQLite
 * BEGIN IMMEDIATE) so a read-then-write transaction cannot deadlock.
 * Errors: SF_EDB, SF_EBUSY when the lock wait timed out. */
int sf_conn_begin(struct sf_conn *c, bool write);
int sf_conn_commit(struct sf_conn *c);
/* Roll back if a transaction is open; safe to call when none is. */
void sf_conn_rollback(struct sf_conn *c);

/* ---- group commit ----
 * One writer thread per database runs queued writes in shared durable
 * transactions: the writes queued while one transaction commits go
 * together into the next, so one fsync acknowledges many of them. A
 * write is a function fn(c, ctx) on the writer's connection c whose
 * sf_conn_begin/commit/rollback become a savepoint, its release and a
 * rollback to it: what one write rolls back is undone alone, the others
 * stay. fn must make its changes between sf_conn_begin and sf_conn_commit
 * (or roll them back), must not keep c, and must not wait for anything
 * another write would do (it runs while they wait). fn may run twice: when
 * a write of the batch rolled back rows it had changed, the transaction is
 * rolled back and its writes run again (so fn must set what it gives in
 * ctx afresh each time, and do nothing outside the database). */
struct sf_db_job {
	int (*fn)(struct sf_conn *c, void *ctx);
	/* Called on the writer thread once the transaction holding the write
	 * committed (rc 0) or the write failed (rc is fn's error, or SF_EDB /
	 * SF_EBUSY when the transaction could not commit: then nothing of fn
	 * stayed, whatever fn returned). The job may be freed from here on. */
	void (*done)(struct sf_db_job *job);
	void *ctx;
	int rc;
	struct sf_db_job *next; /* the queue's */
};
/* Queue job (fn, done and ctx set; the caller keeps it alive until done
 * is called). Returns 0, or SF_EDB when the writer cannot start (done is
 * then not called). */
int sf_db_write_async(struct sf_db *db, struct sf_db_job *job);
/* Queue fn and wait until it is durable: 0, or the error as for done. */
int sf_db_write(struct sf_db *db, int (*fn)(struct sf_conn *c, void *ctx), void *ctx);

/* ---- work left to the commit ----
 * A write may leave additions to the commit of its transaction: the
 * dashboard's counters (store/order.c) sum the moves of all the writes of
 * a group commit in memory and write each row they touch once. Inside the
 * writer's shared transaction, sf_conn_defer copies rec (size bytes) into
 * the connection's log, and flush(c, recs, n) runs once just before the
 * commit with the records logged for it, in order (what a write rolled
 * back to its savepoint logged is dropped with it; an error of flush fails
 * the commit like the engine's). Anywhere else, and when the log holds
 * another flush's records, flush runs at once with rec alone. Returns 0 or
 * flush's error. flush must not call sf_conn_defer. */
int sf_conn_defer(struct sf_conn *c, int (*flush)(struct sf_conn *c, const void *recs, size_t n),
		  const void *rec, size_t size);

/* Run SQL text that may hold several statements and no parameters
 * (migrations). Errors: SF_EDB with the engine's message in err. */
int sf_conn_exec_script(struct sf_conn *c, const char *sql, struct sf_error *err);

/* Prepare `sql` (cached on the connection, keyed by the pointer, so pass
 * string literals; other text is checked and re-prepared when it differs)
 * and bind arguments as told by fmt: 'i' int64_t, 'd' int (promoted), 's'
 * const char * (NULL binds NULL), 'n' NULL, 'f' double, 'b' blob (const
 * void *, size_t), 'z' an int64_t where 0 binds NULL, 'u' text whose type
 * the engine infers from where it is used (for generic copies). The statement stays valid until
 * sf_stmt_done or the next sf_conn_query on the same SQL.
 * Errors: SF_EDB (bad SQL, bind failure). */
int sf_conn_query(struct sf_conn *c, struct sf_stmt **out, const char *sql, const char *fmt, ...);
/* Step: SF_DB_ROW, SF_DB_DONE, or SF_EDB / SF_ECONFLICT (constraint) /
 * SF_EBUSY. */
int sf_stmt_step(struct sf_stmt *st);
/* Reset for reuse; always call when done reading. Accepts NULL. */
void sf_stmt_done(struct sf_stmt *st);

int64_t sf_stmt_int(struct sf_stmt *st, int col);
double sf_stmt_double(struct sf_stmt *st, int col);
/* Text of a column, NULL for SQL NULL; valid until the next step. */
const char *sf_stmt_text(struct sf_stmt *st, int col);
const void *sf_stmt_blob(struct sf_stmt *st, int col, size_t *len);
bool sf_stmt_isnull(struct sf_stmt *st, int col);
enum sf_col_type { SF_COL_NULL, SF_COL_INT, SF_COL_FLOAT, SF_COL_TEXT, SF_COL_BLOB };
/* The type of the current row's value in col. */
enum sf_col_type sf_stmt_type(struct sf_stmt *st, int col);
int sf_stmt_ncols(struct sf_stmt *st);
const char *sf_stmt_colname(struct sf_stmt *st, int col);

/* Run a statement that returns no rows (or ignore them). Returns the number
 * of rows changed (>= 0) or an error: SF_ECONFLICT on a constraint
 * violation (unique, foreign key), SF_EDB otherwise. */
int sf_conn_run(struct sf_conn *c, const char *sql, const char *fmt, ...);
/* sf_conn_run with values from arrays, for generic copies: fmt has one
 * letter per value, 'u' for vals[i] (NULL binds NULL) or 'b' for the blob
 * blobs[i] of lens[i] bytes. */
int sf_conn_run_row(struct sf_conn *c, const char *sql, const char *fmt, int n,
		    const char *const *vals, const void *const *blobs, const size_t *lens);
/* Run a query whose first row's first column is an integer. SF_ENOTFOUND
 * when there is no row. */
int sf_conn_int(struct sf_conn *c, int64_t *out, const char *sql, const char *fmt, ...);

/* The engine's last error message for this connection. */
const char *sf_conn_errmsg(struct sf_conn *c);

/* Dialect hooks. A migration's text may use {{ID}} (an auto-increment
 * integer primary key), {{BLOB}}, {{BIGINT}} and {{WITHOUT_ROWID}} (after a
 * CREATE TABLE's closing parenthesis; nothing on PostgreSQL); the engine's
 * spelling is substituted. Returns a malloc'd string. */
char *sf_db_dialect_sql(enum sf_db_engine e, const char *sql);

/* SQLite only: online backup of the whole database to path (safe while
 * serving). Errors: SF_EINVAL on PostgreSQL, SF_EDB, SF_EIO. */
int sf_db_backup(struct sf_db *db, const char *path, struct sf_error *err);

#endif

/* Internal to src/store: the engine operations behind db.h. Each engine
 * (db_sqlite.c, db_pg.c) fills one struct sf_db_ops. Not for other layers. */
#ifndef SF_DB_IMPL_H
#define SF_DB_IMPL_H

#include <pthread.h>
#include <stdarg.h>

#include "store/db.h"

struct sf_db_ops {
	int (*connect)(struct sf_db *db, struct sf_conn **out, struct sf_error *err);
	void (*disconnect)(struct sf_conn *c);
	int (*exec_script)(struct sf_conn *c, const char *sql, struct sf_error *err);
	int (*prepare)(struct sf_conn *c, const char *sql, struct sf_stmt **out);
	int (*bind)(struct sf_stmt *st, const char *fmt, va_list ap);
	/* fmt letters 'u' (vals[i], NULL = NULL) or 'b' (blobs[i], lens[i]) */
	int (*bind_values)(struct sf_stmt *st, const char *fmt, const char *const *vals,
			   const void *const *blobs, const size_t *lens);
	int (*step)(struct sf_stmt *st);
	void (*reset)(struct sf_stmt *st);
	int64_t (*col_int)(struct sf_stmt *st, int col);
	double (*col_double)(struct sf_stmt *st, int col);
	const char *(*col_text)(struct sf_stmt *st, int col);
	const void *(*col_blob)(struct sf_stmt *st, int col, size_t *len);
	bool (*col_isnull)(struct sf_stmt *st, int col);
	int (*ncols)(struct sf_stmt *st);
	const char *(*colname)(struct sf_stmt *st, int col);
	int (*changes)(struct sf_stmt *st);
	int (*col_type)(struct sf_stmt *st, int col);
	const char *(*errmsg)(struct sf_conn *c);
	int (*begin)(struct sf_conn *c, bool write);
	int (*commit)(struct sf_conn *c);
	int (*rollback)(struct sf_conn *c);
	/* Whether a transaction is open (the engine may end one itself on
	 * an I/O error or a full disk). */
	bool (*in_tx)(struct sf_conn *c);
};

#define SF_CONN_CHANGED 8

#define SF_CONN_DEFER_MARKS 8

/* Fields every engine's connection starts with. */
struct sf_conn_base {
	struct sf_db *db;
	bool in_tx;
	bool in_batch;  /* the group-commit writer's, inside its transaction */
	int savepoints; /* open in the batch: begin/commit became savepoints */
	/* SQLite's batches run without savepoints first (db.c run_batch):
	 * total_changes() as the write began; set when a write rolled back
	 * rows it had changed, so the batch must run again with savepoints */
	bool optimistic, poisoned;
	int64_t job_changes;
	/* work left to the batch's commit (sf_conn_defer): n records of size
	 * bytes for flush, and n as each of the first savepoints began */
	int (*defer_flush)(struct sf_conn *c, const void *recs, size_t n);
	unsigned char *defer_log;
	size_t defer_size, defer_n, defer_cap;
	size_t defer_marks[SF_CONN_DEFER_MARKS];
	/* users whose row or sessions the open transaction changed, counted
	 * when it commits (changes.c); more than SF_CONN_CHANGED: everybody */
	int64_t changed[SF_CONN_CHANGED];
	int nchanged;
};

struct sf_db {
	enum sf_db_engine engine;
	const struct sf_db_ops *ops;
	char *url;
	char *path; /* SQLite file */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sf_conn **free_list;
	int nfree;
	int pool;
	void *engine_state;
	/* group commit (db.c): the writer thread, its connection and queue */
	pthread_mutex_t wmu;
	pthread_cond_t wcv;
	struct sf_db_job *whead, *wtail;
	struct sf_conn *wconn;
	pthread_t wthread;
	bool wstarted, wstopping;
	/* SQLite: the writer's checkpoints, moved to a thread of their own
	 * (db.c) so the writer's commits do not wait for them */
	pthread_cond_t ckcv;
	pthread_t ckthread;
	struct sf_conn *ckconn;
	bool ckstarted, ckwanted;
	int64_t ckframes; /* in the WAL after the checkpointer's last checkpoint */
	/* SQLite only (NULL on PostgreSQL): the per-user change counters
	 * (changes.h) and the signed-in sessions read lately (session_cache.h) */
	struct sf_changes *changes;
	struct sf_scache *sessions;
};

extern const struct sf_db_ops sf_db_sqlite_ops;
extern const struct sf_db_ops sf_db_pg_ops;

#endif

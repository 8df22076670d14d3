/* The engine-neutral half of the SQL layer: URL parsing, the connection
 * pool, and calls dispatched to the engine. See db.h. */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/changes.h"
#include "store/db_impl.h"
#include "store/session_cache.h"
#include "util/buf.h"
#include "util/mem.h"

#define CONN_BASE(c) ((struct sf_conn_base *)(void *)(c))

int sf_db_open(const char *url, int pool, struct sf_db **out, struct sf_error *err)
{
	struct sf_db *db;
	int rc = 0;

	*out = NULL;
	if (!url || !*url)
		return sf_error_set(err, SF_EINVAL, "invalid_db", "db", "no database given");
	db = sf_xcalloc(1, sizeof(*db));
	db->url = sf_xstrdup(url);
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		db->engine = SF_DB_POSTGRES;
		db->ops = &sf_db_pg_ops;
	} else {
		db->engine = SF_DB_SQLITE;
		db->ops = &sf_db_sqlite_ops;
		db->path = sf_xstrdup(strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url);
		if (!*db->path) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_db", "db", "empty SQLite path");
			goto out;
		}
		/* Other hosts' servers on a PostgreSQL database could not tell
		 * this one of their changes: only SQLite caches sessions. */
		db->changes = sf_changes_new(db->path);
		db->sessions = sf_scache_new();
	}
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	pthread_mutex_init(&db->wmu, NULL);
	pthread_cond_init(&db->wcv, NULL);
	pthread_cond_init(&db->ckcv, NULL);
	db->pool = pool < 1 ? 1 : pool;
	db->free_list = sf_xcalloc((size_t)db->pool, sizeof(*db->free_list));
	for (int i = 0; i < db->pool; i++) {
		struct sf_conn *c = NULL;

		rc = db->ops->connect(db, &c, err);
		if (rc)
			goto out;
		CONN_BASE(c)->db = db;
		db->free_list[db->nfree++] = c;
	}
out:
	if (rc) {
		sf_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

static void writer_stop(struct sf_db *db);

void sf_db_close(struct sf_db *db)
{
	if (!db)
		return;
	if (db->free_list)
		writer_stop(db);
	pthread_mutex_lock(&db->mu);
	for (int i = 0; i < db->nfree; i++)
		db->ops->disconnect(db->free_list[i]);
	db->nfree = 0;
	pthread_mutex_unlock(&db->mu);
	if (db->free_list) {
		pthread_mutex_destroy(&db->mu);
		pthread_cond_destroy(&db->cv);
		pthread_mutex_destroy(&db->wmu);
		pthread_cond_destroy(&db->wcv);
		pthread_cond_destroy(&db->ckcv);
	}
	sf_scache_free(db->sessions);
	sf_changes_free(db->changes);
	free(db->free_list);
	free(db->url);
	free(db->path);
	free(db->engine_state);
	free(db);
}

enum sf_db_engine sf_db_engine(const struct sf_db *db)
{
	return db->engine;
}

const char *sf_db_path(const struct sf_db *db)
{
	return db->path;
}

struct sf_conn *sf_db_get(struct sf_db *db)
{
	struct sf_conn *c;

	pthread_mutex_lock(&db->mu);
	while (db->nfree == 0)
		pthread_cond_wait(&db->cv, &db->mu);
	c = db->free_list[--db->nfree];
	pthread_mutex_unlock(&db->mu);
	return c;
}

void sf_db_put(struct sf_db *db, struct sf_conn *c)
{
	if (!c)
		return;
	sf_conn_rollback(c);
	pthread_mutex_lock(&db->mu);
	db->free_list[db->nfree++] = c;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

struct sf_db *sf_conn_db(struct sf_conn *c)
{
	return CONN_BASE(c)->db;
}

enum { SP_BEGIN, SP_RELEASE, SP_UNDO };

/* A savepoint of the writer's batch. SQLite runs the three as cached
 * statements; PostgreSQL does not prepare them. */
static int savepoint(struct sf_conn *c, int op)
{
	static const char *const sql[] = {
		[SP_BEGIN] = "SAVEPOINT sf_write",
		[SP_RELEASE] = "RELEASE SAVEPOINT sf_write",
		[SP_UNDO] = "ROLLBACK TO SAVEPOINT sf_write",
	};
	struct sf_error err = { 0 };
	int rc;

	if (CONN_BASE(c)->optimistic)
		return 0;
	if (CONN_BASE(c)->db->engine == SF_DB_SQLITE) {
		rc = sf_conn_run(c, sql[op], "");
		return rc < 0 ? rc : 0;
	}
	return CONN_BASE(c)->db->ops->exec_script(c, sql[op], &err) ? SF_EDB : 0;
}

/* Rows c has inserted, updated or deleted since it opened (SQLite), or -1
 * when that cannot be read. */
static int64_t changes_so_far(struct sf_conn *c)
{
	int64_t n = -1;

	return sf_conn_int(c, &n, "SELECT total_changes()", "") ? -1 : n;
}

int sf_conn_begin(struct sf_conn *c, bool write)
{
	struct sf_conn_base *b = CONN_BASE(c);
	int rc;

	if (b->in_batch) {
		rc = savepoint(c, SP_BEGIN);
		if (!rc && ++b->savepoints <= SF_CONN_DEFER_MARKS)
			b->defer_marks[b->savepoints - 1] = b->defer_n;
		b->in_tx = b->savepoints > 0;
		return rc;
	}
	rc = b->db->ops->begin(c, write);
	if (!rc)
		b->in_tx = true;
	return rc;
}

int sf_conn_commit(struct sf_conn *c)
{
	struct sf_conn_base *b = CONN_BASE(c);
	int rc;

	if (b->in_batch) {
		if (b->savepoints <= 0)
			return SF_EINTERNAL;
		rc = savepoint(c, SP_RELEASE);
		if (!rc)
			b->savepoints--;
		b->in_tx = b->savepoints > 0;
		return rc;
	}
	rc = b->db->ops->commit(c);
	if (!rc) {
		b->in_tx = false;
		sf_changes_flush(c);
	}
	return rc;
}

void sf_conn_rollback(struct sf_conn *c)
{
	struct sf_conn_base *b = CONN_BASE(c);

	if (b->in_batch) {
		if (b->savepoints > 0) {
			int64_t now = b->optimistic ? changes_so_far(c) : -1;

			/* Without a savepoint, a write that changed nothing is
			 * undone by forgetting it; one that changed rows is not
			 * undone here: the batch runs again with savepoints. */
			if (b->optimistic && (now < 0 || now != b->job_changes))
				b->poisoned = true;
			savepoint(c, SP_UNDO);
			savepoint(c, SP_RELEASE);
			if (b->savepoints <= SF_CONN_DEFER_MARKS)
				b->defer_n = b->defer_marks[b->savepoints - 1];
			b->savepoints--;
		}
		b->in_tx = b->savepoints > 0;
		return;
	}
	sf_changes_discard(c);
	if (!b->in_tx)
		return;
	b->db->ops->rollback(c);
	b->in_tx = false;
}

int sf_conn_defer(struct sf_conn *c, int (*flush)(struct sf_conn *c, const void *recs, size_t n),
		  const void *rec, size_t size)
{
	struct sf_conn_base *b = CONN_BASE(c);

	/* Deeper than the marks go, a rollback could not find what to drop:
	 * write at once, inside the savepoint that undoes it. */
	if (!b->in_batch || b->savepoints > SF_CONN_DEFER_MARKS ||
	    (b->defer_n && (b->defer_flush != flush || b->defer_size != size)))
		return flush(c, rec, 1);
	if (b->defer_n == b->defer_cap) {
		b->defer_cap = b->defer_cap ? b->defer_cap * 2 : 64;
		b->defer_log = sf_xrealloc(b->defer_log, b->defer_cap * size);
	}
	b->defer_flush = flush;
	b->defer_size = size;
	memcpy(b->defer_log + b->defer_n * size, rec, size);
	b->defer_n++;
	return 0;
}

/* Run the work the batch left to its commit. */
static int defer_run(struct sf_conn *c)
{
	struct sf_conn_base *b = CONN_BASE(c);
	size_t n = b->defer_n;

	b->defer_n = 0;
	return n ? b->defer_flush(c, b->defer_log, n) : 0;
}

/* ---- group commit ---- */

/* Most writes one transaction takes. */
#define BATCH_MAX 512

/* Run the jobs from batch on in one transaction and set each one's rc.
 * Returns the jobs left unrun when the engine ended the transaction under
 * them (an I/O error): they go into the next one.
 *
 * On SQLite a batch runs without savepoints first: a savepoint makes
 * SQLite copy every page a write touches into its sub-journal, a fifth of
 * the writer's time for an order, and writes are seldom rolled back after
 * they changed rows (checks come first; a write that changed nothing is
 * undone by forgetting it). When one is, the batch is rolled back and runs
 * again from its first write, with savepoints. */
static struct sf_db_job *run_batch(struct sf_db *db, struct sf_db_job *batch)
{
	struct sf_conn *c = db->wconn;
	struct sf_conn_base *b = CONN_BASE(c);
	bool optimistic = db->engine == SF_DB_SQLITE;
	struct sf_db_job *j, *k;
	int rc;

again:
	rc = db->ops->begin(c, true);
	if (rc) {
		for (j = batch; j; j = j->next)
			j->rc = rc;
		return NULL;
	}
	b->in_batch = true;
	b->optimistic = optimistic;
	b->poisoned = false;
	b->savepoints = 0;
	b->in_tx = false;
	for (j = batch; j; j = j->next) {
		if (optimistic)
			b->job_changes = changes_so_far(c);
		j->rc = j->fn(c, j->ctx);
		if (b->savepoints > 0 && !j->rc)
			j->rc = SF_EINTERNAL; /* began without committing: undone */
		while (b->savepoints > 0)
			sf_conn_rollback(c);
		if (!db->ops->in_tx(c)) {
			for (k = batch; k != j->next; k = k->next)
				if (!k->rc)
					k->rc = SF_EDB;
			b->in_batch = false;
			b->optimistic = false;
			b->in_tx = false;
			b->defer_n = 0;
			return j->next;
		}
		if (b->poisoned) {
			b->in_batch = false;
			b->optimistic = false;
			b->in_tx = false;
			b->defer_n = 0;
			db->ops->rollback(c);
			optimistic = false;
			goto again;
		}
	}
	b->in_batch = false;
	b->optimistic = false;
	b->in_tx = false;
	rc = defer_run(c);
	if (!rc)
		rc = db->ops->commit(c);
	if (rc) {
		db->ops->rollback(c);
		for (j = batch; j; j = j->next)
			if (!j->rc)
				j->rc = rc == SF_EBUSY ? SF_EBUSY : SF_EDB;
	}
	return NULL;
}

/* Frames in the WAL from which the writer, after a commit, copies what
 * the checkpointer has not copied yet itself: SQLite starts the WAL over
 * only when all of it is in the database as a write begins, which a
 * checkpointer running beside a busy writer never sees. */
#define WAL_RESTART_FRAMES 4096

/* A passive checkpoint on c (SQLite): the frames in the WAL after it, or
 * -1 when it could not run (another checkpoint was running). */
static int64_t wal_checkpoint(struct sf_conn *c)
{
	struct sf_stmt *st;
	int64_t frames = -1;

	if (sf_conn_query(c, &st, "PRAGMA wal_checkpoint(PASSIVE)", ""))
		return -1;
	if (sf_stmt_step(st) == SF_DB_ROW && sf_stmt_int(st, 0) == 0)
		frames = sf_stmt_int(st, 1);
	sf_stmt_done(st);
	return frames;
}

static void *writer_main(void *arg)
{
	struct sf_db *db = arg;

	pthread_setname_np(pthread_self(), "sf-writer");
	pthread_mutex_lock(&db->wmu);
	for (;;) {
		struct sf_db_job *batch, *last, *left, *j, *next;
		int n = 1;

		while (!db->whead && !db->wstopping)
			pthread_cond_wait(&db->wcv, &db->wmu);
		if (!db->whead)
			break;
		batch = last = db->whead;
		while (last->next && n < BATCH_MAX) {
			last = last->next;
			n++;
		}
		db->whead = last->next;
		if (!db->whead)
			db->wtail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&db->wmu);

		left = run_batch(db, batch);
		sf_changes_flush(db->wconn); /* before anyone hears it is done */
		for (j = batch; j && j != left; j = next) {
			next = j->next;
			j->done(j);
		}
		pthread_mutex_lock(&db->wmu);
		if (db->ckstarted && db->ckframes >= WAL_RESTART_FRAMES) {
			db->ckframes = 0;
			pthread_mutex_unlock(&db->wmu);
			wal_checkpoint(db->wconn);
			pthread_mutex_lock(&db->wmu);
		}
		if (db->ckstarted) {
			db->ckwanted = true;
			pthread_cond_signal(&db->ckcv);
		}
		if (left) {
			/* Back to the head of the queue, in order. */
			for (last = left; last->next; last = last->next)
				;
			last->next = db->whead;
			if (!db->whead)
				db->wtail = last;
			db->whead = left;
		}
	}
	pthread_mutex_unlock(&db->wmu);
	return NULL;
}

/* Least time between two of the checkpointer's checkpoints: the WAL's
 * pages changed again meanwhile are copied to the database once. */
#define CHECKPOINT_GAP_NS 20000000L

/* SQLite's checkpoints for the writer: copying the WAL's pages into the
 * database (and syncing it) after the writer's commits, on a connection and
 * thread of its own, while the writer goes on with the next transaction.
 * The commits stay durable in the WAL; this only keeps the WAL short. */
static void *checkpointer_main(void *arg)
{
	struct sf_db *db = arg;

	pthread_setname_np(pthread_self(), "sf-checkpoint");
	pthread_mutex_lock(&db->wmu);
	for (;;) {
		struct timespec gap = { 0, CHECKPOINT_GAP_NS };
		int64_t frames;

		while (!db->ckwanted && !db->wstopping)
			pthread_cond_wait(&db->ckcv, &db->wmu);
		if (db->wstopping)
			break;
		db->ckwanted = false;
		pthread_mutex_unlock(&db->wmu);
		frames = wal_checkpoint(db->ckconn);
		pthread_mutex_lock(&db->wmu);
		if (frames >= 0)
			db->ckframes = frames;
		pthread_mutex_unlock(&db->wmu);
		nanosleep(&gap, NULL);
		pthread_mutex_lock(&db->wmu);
	}
	pthread_mutex_unlock(&db->wmu);
	return NULL;
}

/* SQLite: leave the writer's checkpoints to a checkpointer (under wmu).
 * When it cannot start, the writer checkpoints as SQLite does by itself. */
static void checkpointer_start(struct sf_db *db)
{
	struct sf_error err = { 0 };
	struct sf_conn *c = NULL;

	if (db->engine != SF_DB_SQLITE || db->ops->connect(db, &c, &err))
		return;
	CONN_BASE(c)->db = db;
	db->ckconn = c;
	if (db->ops->exec_script(db->wconn, "PRAGMA wal_autocheckpoint=0", &err) ||
	    pthread_create(&db->ckthread, NULL, checkpointer_main, db) != 0) {
		db->ops->exec_script(db->wconn, "PRAGMA wal_autocheckpoint=1000", &err);
		db->ops->disconnect(c);
		db->ckconn = NULL;
		return;
	}
	db->ckstarted = true;
}

/* Start the writer (under wmu). */
static int writer_start(struct sf_db *db)
{
	struct sf_error err = { 0 };
	struct sf_conn *c = NULL;

	if (db->ops->connect(db, &c, &err))
		return SF_EDB;
	CONN_BASE(c)->db = db;
	db->wconn = c;
	if (pthread_create(&db->wthread, NULL, writer_main, db) != 0) {
		db->ops->disconnect(c);
		db->wconn = NULL;
		return SF_EDB;
	}
	db->wstarted = true;
	/* The writer waits for wmu, which the caller holds, before it uses c. */
	checkpointer_start(db);
	return 0;
}

/* Finish the queued writes and stop the writer. */
static void writer_stop(struct sf_db *db)
{
	pthread_mutex_lock(&db->wmu);
	if (!db->wstarted) {
		pthread_mutex_unlock(&db->wmu);
		return;
	}
	db->wstopping = true;
	pthread_cond_signal(&db->wcv);
	pthread_cond_signal(&db->ckcv);
	pthread_mutex_unlock(&db->wmu);
	pthread_join(db->wthread, NULL);
	if (db->ckstarted) {
		pthread_join(db->ckthread, NULL);
		db->ops->disconnect(db->ckconn);
		db->ckconn = NULL;
		db->ckstarted = false;
	}
	free(CONN_BASE(db->wconn)->defer_log);
	db->ops->disconnect(db->wconn);
	db->wconn = NULL;
	db->wstarted = false;
}

int sf_db_write_async(struct sf_db *db, struct sf_db_job *job)
{
	int rc = 0;

	job->rc = 0;
	job->next = NULL;
	pthread_mutex_lock(&db->wmu);
	if (db->wstopping)
		rc = SF_EDB;
	else if (!db->wstarted)
		rc = writer_start(db);
	if (!rc) {
		if (db->wtail)
			db->wtail->next = job;
		else
			db->whead = job;
		db->wtail = job;
		pthread_cond_signal(&db->wcv);
	}
	pthread_mutex_unlock(&db->wmu);
	return rc;
}

/* sf_db_write's waiting room. */
struct write_wait {
	struct sf_db_job job;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
};

static void write_done(struct sf_db_job *job)
{
	struct write_wait *w = (struct write_wait *)(void *)job;

	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int sf_db_write(struct sf_db *db, int (*fn)(struct sf_conn *c, void *ctx), void *ctx)
{
	struct write_wait w = { .job = { .fn = fn, .done = write_done, .ctx = ctx } };
	int rc;

	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	rc = sf_db_write_async(db, &w.job);
	if (!rc) {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		rc = w.job.rc;
	}
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return rc;
}

int sf_conn_exec_script(struct sf_conn *c, const char *sql, struct sf_error *err)
{
	return CONN_BASE(c)->db->ops->exec_script(c, sql, err);
}

static int vquery(struct sf_conn *c, struct sf_stmt **out, const char *sql, const char *fmt,
		  va_list ap)
{
	const struct sf_db_ops *ops = CONN_BASE(c)->db->ops;
	struct sf_stmt *st = NULL;
	int rc = ops->prepare(c, sql, &st);

	if (rc)
		return rc;
	rc = ops->bind(st, fmt ? fmt : "", ap);
	if (rc) {
		ops->reset(st);
		return rc;
	}
	*out = st;
	return 0;
}

int sf_conn_query(struct sf_conn *c, struct sf_stmt **out, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	*out = NULL;
	va_start(ap, fmt);
	rc = vquery(c, out, sql, fmt, ap);
	va_end(ap);
	return rc;
}

/* Statements remember their connection through the engine; the step,
 * column and reset calls dispatch through the first connection's ops,
 * which is why each engine's statement starts with its sf_conn pointer. */
struct stmt_head {
	struct sf_conn *conn;
};
#define STMT_OPS(st) (CONN_BASE(((struct stmt_head *)(void *)(st))->conn)->db->ops)

int sf_stmt_step(struct sf_stmt *st)
{
	return STMT_OPS(st)->step(st);
}

void sf_stmt_done(struct sf_stmt *st)
{
	if (st)
		STMT_OPS(st)->reset(st);
}

int64_t sf_stmt_int(struct sf_stmt *st, int col)
{
	return STMT_OPS(st)->col_int(st, col);
}

double sf_stmt_double(struct sf_stmt *st, int col)
{
	return STMT_OPS(st)->col_double(st, col);
}

const char *sf_stmt_text(struct sf_stmt *st, int col)
{
	return STMT_OPS(st)->col_text(st, col);
}

const void *sf_stmt_blob(struct sf_stmt *st, int col, size_t *len)
{
	return STMT_OPS(st)->col_blob(st, col, len);
}

bool sf_stmt_isnull(struct sf_stmt *st, int col)
{
	return STMT_OPS(st)->col_isnull(st, col);
}

enum sf_col_type sf_stmt_type(struct sf_stmt *st, int col)
{
	return (enum sf_col_type)STMT_OPS(st)->col_type(st, col);
}

int sf_stmt_ncols(struct sf_stmt *st)
{
	return STMT_OPS(st)->ncols(st);
}

const char *sf_stmt_colname(struct sf_stmt *st, int col)
{
	return STMT_OPS(st)->colname(st, col);
}

int sf_conn_run(struct sf_conn *c, const char *sql, const char *fmt, ...)
{
	struct sf_stmt *st = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vquery(c, &st, sql, fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW)
		;
	if (rc == SF_DB_DONE)
		rc = STMT_OPS(st)->changes(st);
	sf_stmt_done(st);
	return rc;
}

int sf_conn_run_row(struct sf_conn *c, const char *sql, const char *fmt, int n,
		    const char *const *vals, const void *const *blobs, const size_t *lens)
{
	const struct sf_db_ops *ops = CONN_BASE(c)->db->ops;
	struct sf_stmt *st = NULL;
	int rc = ops->prepare(c, sql, &st);

	if (rc)
		return rc;
	if ((int)strlen(fmt) != n) {
		ops->reset(st);
		return SF_EINTERNAL;
	}
	rc = ops->bind_values(st, fmt, vals, blobs, lens);
	if (!rc) {
		while ((rc = sf_stmt_step(st)) == SF_DB_ROW)
			;
		if (rc == SF_DB_DONE)
			rc = ops->changes(st);
	}
	sf_stmt_done(st);
	return rc;
}

int sf_conn_int(struct sf_conn *c, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct sf_stmt *st = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vquery(c, &st, sql, fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		*out = sf_stmt_int(st, 0);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

const char *sf_conn_errmsg(struct sf_conn *c)
{
	return CONN_BASE(c)->db->ops->errmsg(c);
}

char *sf_db_dialect_sql(enum sf_db_engine e, const char *sql)
{
	static const struct {
		const char *token;
		const char *sqlite;
		const char *pg;
	} hooks[] = {
		{ "{{ID}}", "INTEGER PRIMARY KEY",
		  "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
		{ "{{BLOB}}", "BLOB", "BYTEA" },
		{ "{{BIGINT}}", "INTEGER", "BIGINT" },
		/* after a table's closing parenthesis: one b-tree for a table
		 * that is all primary key, where SQLite would keep two */
		{ "{{WITHOUT_ROWID}}", " WITHOUT ROWID", "" },
	};
	struct sf_buf b;
	const char *p = sql;

	sf_buf_init(&b, 0);
	while (*p) {
		bool hit = false;

		if (e == SF_DB_POSTGRES && strncmp(p, "REFERENCES ", 11) == 0) {
			const char *close = strchr(p, ')');

			if (close) {
				sf_buf_add(&b, p, (size_t)(close - p + 1));
				sf_buf_adds(&b, " DEFERRABLE INITIALLY IMMEDIATE");
				p = close + 1;
				continue;
			}
		}
		if (p[0] == '{' && p[1] == '{') {
			for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
				size_t n = strlen(hooks[i].token);

				if (strncmp(p, hooks[i].token, n) == 0) {
					sf_buf_adds(&b, e == SF_DB_SQLITE ? hooks[i].sqlite
									  : hooks[i].pg);
					p += n;
					hit = true;
					break;
				}
			}
		}
		if (!hit)
			sf_buf_addch(&b, *p++);
	}
	return sf_buf_detach(&b, NULL);
}

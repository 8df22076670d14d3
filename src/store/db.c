/* The engine-neutral half of the SQL layer: URL parsing, the connection
 * pool, and calls dispatched to the engine. See db.h. */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "store/db_impl.h"
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
	}
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	pthread_mutex_init(&db->wmu, NULL);
	pthread_cond_init(&db->wcv, NULL);
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
	}
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

	if (CONN_BASE(c)->db->engine == SF_DB_SQLITE) {
		rc = sf_conn_run(c, sql[op], "");
		return rc < 0 ? rc : 0;
	}
	return CONN_BASE(c)->db->ops->exec_script(c, sql[op], &err) ? SF_EDB : 0;
}

int sf_conn_begin(struct sf_conn *c, bool write)
{
	struct sf_conn_base *b = CONN_BASE(c);
	int rc;

	if (b->in_batch) {
		rc = savepoint(c, SP_BEGIN);
		if (!rc)
			b->savepoints++;
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
	if (!rc)
		b->in_tx = false;
	return rc;
}

void sf_conn_rollback(struct sf_conn *c)
{
	struct sf_conn_base *b = CONN_BASE(c);

	if (b->in_batch) {
		if (b->savepoints > 0) {
			savepoint(c, SP_UNDO);
			savepoint(c, SP_RELEASE);
			b->savepoints--;
		}
		b->in_tx = b->savepoints > 0;
		return;
	}
	if (!b->in_tx)
		return;
	b->db->ops->rollback(c);
	b->in_tx = false;
}

/* ---- group commit ---- */

/* Most writes one transaction takes. */
#define BATCH_MAX 512

/* Run the jobs from batch on in one transaction and set each one's rc.
 * Returns the jobs left unrun when the engine ended the transaction under
 * them (an I/O error): they go into the next one. */
static struct sf_db_job *run_batch(struct sf_db *db, struct sf_db_job *batch)
{
	struct sf_conn *c = db->wconn;
	struct sf_conn_base *b = CONN_BASE(c);
	struct sf_db_job *j, *k;
	int rc = db->ops->begin(c, true);

	if (rc) {
		for (j = batch; j; j = j->next)
			j->rc = rc;
		return NULL;
	}
	b->in_batch = true;
	b->savepoints = 0;
	b->in_tx = false;
	for (j = batch; j; j = j->next) {
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
			b->in_tx = false;
			return j->next;
		}
	}
	b->in_batch = false;
	b->in_tx = false;
	rc = db->ops->commit(c);
	if (rc) {
		db->ops->rollback(c);
		for (j = batch; j; j = j->next)
			if (!j->rc)
				j->rc = rc == SF_EBUSY ? SF_EBUSY : SF_EDB;
	}
	return NULL;
}

static void *writer_main(void *arg)
{
	struct sf_db *db = arg;

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
		for (j = batch; j && j != left; j = next) {
			next = j->next;
			j->done(j);
		}
		pthread_mutex_lock(&db->wmu);
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
	pthread_mutex_unlock(&db->wmu);
	pthread_join(db->wthread, NULL);
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

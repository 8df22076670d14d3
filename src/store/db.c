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

void sf_db_close(struct sf_db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&db->mu);
	for (int i = 0; i < db->nfree; i++)
		db->ops->disconnect(db->free_list[i]);
	db->nfree = 0;
	pthread_mutex_unlock(&db->mu);
	if (db->free_list) {
		pthread_mutex_destroy(&db->mu);
		pthread_cond_destroy(&db->cv);
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

int sf_conn_begin(struct sf_conn *c, bool write)
{
	int rc = CONN_BASE(c)->db->ops->begin(c, write);

	if (!rc)
		CONN_BASE(c)->in_tx = true;
	return rc;
}

int sf_conn_commit(struct sf_conn *c)
{
	int rc = CONN_BASE(c)->db->ops->commit(c);

	if (!rc)
		CONN_BASE(c)->in_tx = false;
	return rc;
}

void sf_conn_rollback(struct sf_conn *c)
{
	if (!CONN_BASE(c)->in_tx)
		return;
	CONN_BASE(c)->db->ops->rollback(c);
	CONN_BASE(c)->in_tx = false;
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
		{ "{{ID}}", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
		{ "{{BLOB}}", "BLOB", "BYTEA" },
		{ "{{BIGINT}}", "INTEGER", "BIGINT" },
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

/* SQLite engine for the SQL layer: WAL, foreign keys, synchronous=FULL,
 * a busy timeout, and a per-connection cache of prepared statements keyed
 * by the SQL string's address. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_impl.h"
#include "util/mem.h"

#define CACHE_SLOTS 1024 /* power of two */
#define CACHE_PROBES 8   /* slots a statement may take, from its hash on */

struct sq_stmt {
	struct sf_conn *conn; /* first: see db.c */
	sqlite3_stmt *s;
	const char *sql;
	bool cached;
	bool in_use; /* handed out and not yet reset */
};

enum { TX_BEGIN, TX_BEGIN_WRITE, TX_COMMIT, TX_ROLLBACK, TX_OPS };

struct sf_conn {
	struct sf_conn_base base;
	sqlite3 *h;
	struct sq_stmt *cache[CACHE_SLOTS];
	sqlite3_stmt *tx[TX_OPS]; /* prepared on first use: no parse per transaction */
};

static int map_rc(struct sf_conn *c, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE: return SF_DB_DONE;
	case SQLITE_ROW: return SF_DB_ROW;
	case SQLITE_CONSTRAINT: return SF_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return SF_EBUSY;
	default: return SF_EDB;
	}
}

/* Process-wide settings, before SQLite's first use: no memory statistics
 * (they take one global mutex on every allocation, which the worker
 * threads then queue on). */
static void sq_global_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_connect(struct sf_db *db, struct sf_conn **out, struct sf_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sf_conn *c = sf_xcalloc(1, sizeof(*c));
	/* No mmap_size: reading through a shared mapping of the file saves
	 * about a fifth of a point read's CPU, but every page touched then
	 * counts in the server's RSS (gigabytes at a million orders), which
	 * hides what the server itself holds. */
	static const char *const pragmas =
		"PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
		"PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;";
	char *msg = NULL;
	int rc;

	pthread_once(&once, sq_global_setup);
	rc = sqlite3_open_v2(db->path, &c->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		sf_error_set(err, SF_EDB, "db_open", "db", "cannot open %s: %s", db->path,
			     c->h ? sqlite3_errmsg(c->h) : "out of memory");
		sqlite3_close(c->h);
		free(c);
		return SF_EDB;
	}
	sqlite3_busy_timeout(c->h, 10000);
	/* Keep each statement's plan whatever is bound to it: otherwise a
	 * statement with `column LIKE ?` is compiled again every time ? is
	 * bound (for a LIKE-prefix plan Sanfu never needs), which made the
	 * order list parse its SQL on every request. */
	sqlite3_db_config(c->h, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
	if (sqlite3_exec(c->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		sf_error_set(err, SF_EDB, "db_open", "db", "cannot set up %s: %s", db->path,
			     msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(c->h);
		free(c);
		return SF_EDB;
	}
	*out = c;
	return 0;
}

static void sq_disconnect(struct sf_conn *c)
{
	for (int i = 0; i < TX_OPS; i++)
		sqlite3_finalize(c->tx[i]);
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (c->cache[i]) {
			sqlite3_finalize(c->cache[i]->s);
			free(c->cache[i]);
		}
	}
	sqlite3_close(c->h);
	free(c);
}

static int sq_exec_script(struct sf_conn *c, const char *sql, struct sf_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		sf_error_set(err, SF_EDB, "db_error", "", "%s", msg ? msg : sqlite3_errmsg(c->h));
		sqlite3_free(msg);
		return map_rc(c, rc) == SF_ECONFLICT ? SF_ECONFLICT : SF_EDB;
	}
	return 0;
}

static size_t slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;

	p ^= p >> 17;
	p *= 0x9e3779b97f4a7c15ull;
	return (size_t)(p >> 40) & (CACHE_SLOTS - 1);
}

static int sq_prepare(struct sf_conn *c, const char *sql, struct sf_stmt **out)
{
	size_t slot = slot_of(sql);
	struct sq_stmt *st = NULL;

	for (size_t i = 0; i < CACHE_PROBES; i++) {
		struct sq_stmt *e = c->cache[(slot + i) & (CACHE_SLOTS - 1)];

		if (e && e->sql == sql && strcmp(sqlite3_sql(e->s), sql) == 0) {
			e->in_use = true;
			*out = (struct sf_stmt *)e;
			return 0;
		}
	}
	st = sf_xcalloc(1, sizeof(*st));
	st->conn = c;
	st->sql = sql;
	if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL) !=
	    SQLITE_OK) {
		free(st);
		return SF_EDB;
	}
	for (size_t i = 0; i < CACHE_PROBES; i++) {
		struct sq_stmt **e = &c->cache[(slot + i) & (CACHE_SLOTS - 1)];

		if (!*e) {
			*e = st;
			st->cached = true;
			break;
		}
	}
	/* All its slots taken: rather than prepare this one on every use,
	 * take the place of one that is not in use (the next time it is
	 * wanted, it takes a place back). */
	for (size_t i = 0; !st->cached && i < CACHE_PROBES; i++) {
		struct sq_stmt **e = &c->cache[(slot + i) & (CACHE_SLOTS - 1)];

		if (!(*e)->in_use) {
			sqlite3_finalize((*e)->s);
			free(*e);
			*e = st;
			st->cached = true;
		}
	}
	st->in_use = true;
	*out = (struct sf_stmt *)st;
	return 0;
}

static int sq_bind(struct sf_stmt *sst, const char *fmt, va_list ap)
{
	struct sq_stmt *st = (struct sq_stmt *)sst;
	int i = 1;
	int rc = SQLITE_OK;

	for (const char *f = fmt; *f && rc == SQLITE_OK; f++, i++) {
		switch (*f) {
		case 'i': rc = sqlite3_bind_int64(st->s, i, va_arg(ap, int64_t)); break;
		case 'z': {
			int64_t v = va_arg(ap, int64_t);
			rc = v ? sqlite3_bind_int64(st->s, i, v) : sqlite3_bind_null(st->s, i);
			break;
		}
		case 'd': rc = sqlite3_bind_int64(st->s, i, va_arg(ap, int)); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st->s, i, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st->s, i);
			break;
		}
		case 'n': rc = sqlite3_bind_null(st->s, i); break;
		case 'u': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st->s, i, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st->s, i);
			break;
		}
		case 'f': rc = sqlite3_bind_double(st->s, i, va_arg(ap, double)); break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st->s, i, p, n, SQLITE_TRANSIENT);
			break;
		}
		default: rc = SQLITE_MISUSE;
		}
	}
	return rc == SQLITE_OK ? 0 : SF_EDB;
}

static int sq_bind_values(struct sf_stmt *sst, const char *fmt, const char *const *vals,
			  const void *const *blobs, const size_t *lens)
{
	struct sq_stmt *st = (struct sq_stmt *)sst;
	int rc = SQLITE_OK;

	for (int i = 0; fmt[i] && rc == SQLITE_OK; i++) {
		if (fmt[i] == 'b')
			rc = sqlite3_bind_blob64(st->s, i + 1, blobs[i] ? blobs[i] : "", lens[i],
						 SQLITE_TRANSIENT);
		else if (vals[i])
			rc = sqlite3_bind_text(st->s, i + 1, vals[i], -1, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(st->s, i + 1);
	}
	return rc == SQLITE_OK ? 0 : SF_EDB;
}

static int sq_step(struct sf_stmt *sst)
{
	struct sq_stmt *st = (struct sq_stmt *)sst;

	return map_rc(st->conn, sqlite3_step(st->s));
}

static void sq_reset(struct sf_stmt *sst)
{
	struct sq_stmt *st = (struct sq_stmt *)sst;

	if (!st->cached) {
		sqlite3_finalize(st->s);
		free(st);
		return;
	}
	st->in_use = false;
	sqlite3_reset(st->s);
	sqlite3_clear_bindings(st->s);
}

static int64_t sq_col_int(struct sf_stmt *s, int col)
{
	return sqlite3_column_int64(((struct sq_stmt *)s)->s, col);
}

static double sq_col_double(struct sf_stmt *s, int col)
{
	return sqlite3_column_double(((struct sq_stmt *)s)->s, col);
}

static const char *sq_col_text(struct sf_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)s)->s, col);
}

static const void *sq_col_blob(struct sf_stmt *s, int col, size_t *len)
{
	sqlite3_stmt *h = ((struct sq_stmt *)s)->s;
	const void *p = sqlite3_column_blob(h, col);

	*len = (size_t)sqlite3_column_bytes(h, col);
	return p;
}

static bool sq_col_isnull(struct sf_stmt *s, int col)
{
	return sqlite3_column_type(((struct sq_stmt *)s)->s, col) == SQLITE_NULL;
}

static int sq_ncols(struct sf_stmt *s)
{
	return sqlite3_column_count(((struct sq_stmt *)s)->s);
}

static const char *sq_colname(struct sf_stmt *s, int col)
{
	return sqlite3_column_name(((struct sq_stmt *)s)->s, col);
}

static int sq_col_type(struct sf_stmt *s, int col)
{
	switch (sqlite3_column_type(((struct sq_stmt *)s)->s, col)) {
	case SQLITE_INTEGER: return SF_COL_INT;
	case SQLITE_FLOAT: return SF_COL_FLOAT;
	case SQLITE_BLOB: return SF_COL_BLOB;
	case SQLITE_NULL: return SF_COL_NULL;
	default: return SF_COL_TEXT;
	}
}

static int sq_changes(struct sf_stmt *s)
{
	return sqlite3_changes(((struct sq_stmt *)s)->conn->h);
}

static const char *sq_errmsg(struct sf_conn *c)
{
	return sqlite3_errmsg(c->h);
}

static int simple(struct sf_conn *c, int op)
{
	static const char *const sql[TX_OPS] = {
		[TX_BEGIN] = "BEGIN",
		[TX_BEGIN_WRITE] = "BEGIN IMMEDIATE",
		[TX_COMMIT] = "COMMIT",
		[TX_ROLLBACK] = "ROLLBACK",
	};
	int rc;

	if (!c->tx[op] && sqlite3_prepare_v3(c->h, sql[op], -1, SQLITE_PREPARE_PERSISTENT,
					     &c->tx[op], NULL) != SQLITE_OK)
		return SF_EDB;
	rc = sqlite3_step(c->tx[op]);
	sqlite3_reset(c->tx[op]);
	return rc == SQLITE_DONE ? 0 : map_rc(c, rc) == SF_EBUSY ? SF_EBUSY : SF_EDB;
}

static int sq_begin(struct sf_conn *c, bool write)
{
	return simple(c, write ? TX_BEGIN_WRITE : TX_BEGIN);
}

static int sq_commit(struct sf_conn *c)
{
	return simple(c, TX_COMMIT);
}

static int sq_rollback(struct sf_conn *c)
{
	return simple(c, TX_ROLLBACK);
}

static bool sq_in_tx(struct sf_conn *c)
{
	return !sqlite3_get_autocommit(c->h);
}

const struct sf_db_ops sf_db_sqlite_ops = {
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec_script = sq_exec_script,
	.prepare = sq_prepare,
	.bind = sq_bind,
	.bind_values = sq_bind_values,
	.step = sq_step,
	.reset = sq_reset,
	.col_int = sq_col_int,
	.col_double = sq_col_double,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.col_isnull = sq_col_isnull,
	.ncols = sq_ncols,
	.colname = sq_colname,
	.changes = sq_changes,
	.col_type = sq_col_type,
	.errmsg = sq_errmsg,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_tx = sq_in_tx,
};

int sf_db_backup(struct sf_db *db, const char *path, struct sf_error *err)
{
	struct sf_conn *c;
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	int rc;

	if (db->engine != SF_DB_SQLITE)
		return sf_error_set(err, SF_EINVAL, "unsupported", "db",
				    "backup is for SQLite; use pg_dump for PostgreSQL");
	if (sqlite3_open(path, &dst) != SQLITE_OK) {
		rc = sf_error_set(err, SF_EIO, "backup_failed", "file", "cannot create %s: %s",
				  path, dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return rc;
	}
	c = sf_db_get(db);
	bk = sqlite3_backup_init(dst, "main", c->h, "main");
	if (!bk) {
		rc = sf_error_set(err, SF_EDB, "backup_failed", "file", "%s", sqlite3_errmsg(dst));
		goto out;
	}
	/* Copy in steps so writers are not blocked for the whole copy. */
	do {
		rc = sqlite3_backup_step(bk, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		rc = sf_error_set(err, SF_EDB, "backup_failed", "file", "%s", sqlite3_errmsg(dst));
		goto out;
	}
	rc = 0;
out:
	sf_db_put(db, c);
	sqlite3_close(dst);
	return rc;
}

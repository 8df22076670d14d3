/* PostgreSQL engine for the SQL layer (libpq). `?` placeholders become
 * $1..$n; statements are prepared on first execution with parameter types
 * taken from the binding letters (int8, float8, text, bytea), so queries
 * like `? IS NULL` work as on SQLite, and cached per connection. Results
 * come back in text format, as SQLite's text conversion gives them. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_impl.h"
#include "util/buf.h"
#include "util/mem.h"

#define CACHE_SLOTS 512
#define MAX_PARAMS 128 /* the order list with a scope drive binds about 100 */

enum { OID_BYTEA = 17, OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701 };

struct pg_stmt {
	struct sf_conn *conn; /* first: see db.c */
	const char *sql;      /* the caller's text (cache key) */
	char *sql_copy;       /* to tell a reused address from the same text */
	char *pgsql;          /* with $n placeholders */
	int nparams;
	char name[24];
	char sig[MAX_PARAMS + 1]; /* binding letters it was prepared with */
	bool prepared;
	bool cached;
	/* current binding */
	Oid types[MAX_PARAMS];
	char *vals[MAX_PARAMS];
	int lens[MAX_PARAMS];
	int fmts[MAX_PARAMS];
	char cur_sig[MAX_PARAMS + 1];
	/* current result */
	PGresult *res;
	int row;
	int nrows;
	int changes;
	unsigned char *blob; /* decoded bytea of the last col_blob */
};

struct sf_conn {
	struct sf_conn_base base;
	PGconn *pg;
	struct pg_stmt *cache[CACHE_SLOTS];
	unsigned next_name;
	char errmsg[512];
};

static int atoi_safe(const char *s)
{
	return s && *s ? (int)strtol(s, NULL, 10) : 0;
}

static void set_err(struct sf_conn *c, const char *msg)
{
	snprintf(c->errmsg, sizeof(c->errmsg), "%s", msg ? msg : "");
	/* libpq messages end with a newline */
	size_t n = strlen(c->errmsg);
	if (n && c->errmsg[n - 1] == '\n')
		c->errmsg[n - 1] = '\0';
}

static int map_result(struct sf_conn *c, PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	set_err(c, PQresultErrorMessage(res));
	if (!state)
		return SF_EDB;
	if (strncmp(state, "23", 2) == 0)
		return SF_ECONFLICT; /* integrity constraint */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return SF_EBUSY; /* serialization failure, deadlock, lock timeout */
	return SF_EDB;
}

static void free_stmt(struct pg_stmt *st);

static void clear_cache(struct sf_conn *c)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct pg_stmt *st = c->cache[i];

		if (!st)
			continue;
		if (st->res)
			PQclear(st->res);
		free_stmt(st);
		c->cache[i] = NULL;
	}
}

/* Reconnect after the connection was lost (PostgreSQL restarted). The
 * server forgot our prepared statements: mark them unprepared rather than
 * freeing them, since a caller may hold one right now. */
static bool reconnect(struct sf_conn *c)
{
	PQreset(c->pg);
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (c->cache[i])
			c->cache[i]->prepared = false;
	return PQstatus(c->pg) == CONNECTION_OK;
}

static bool ensure_live(struct sf_conn *c)
{
	return PQstatus(c->pg) == CONNECTION_OK || reconnect(c);
}

/* A statement failed and the connection is gone: outside a transaction
 * nothing was half done, so reconnect and let the caller try once more. */
static bool lost_and_back(struct sf_conn *c)
{
	return PQstatus(c->pg) != CONNECTION_OK && !c->base.in_tx && reconnect(c);
}

static int pg_connect(struct sf_db *db, struct sf_conn **out, struct sf_error *err)
{
	struct sf_conn *c = sf_xcalloc(1, sizeof(*c));
	PGresult *r;

	c->pg = PQconnectdb(db->url);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		sf_error_set(err, SF_EDB, "db_open", "db", "cannot connect to PostgreSQL: %s",
			     PQerrorMessage(c->pg));
		PQfinish(c->pg);
		free(c);
		return SF_EDB;
	}
	r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
			  "SET statement_timeout = '30s'; SET lock_timeout = '10s'");
	PQclear(r);
	*out = c;
	return 0;
}

static void pg_disconnect(struct sf_conn *c)
{
	clear_cache(c);
	PQfinish(c->pg);
	free(c);
}

static int pg_exec_script(struct sf_conn *c, const char *sql, struct sf_error *err)
{
	PGresult *r;
	int rc = 0;

	if (!ensure_live(c))
		return sf_error_set(err, SF_EDB, "db_error", "", "connection lost: %s",
				    PQerrorMessage(c->pg));
	r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = map_result(c, r);
		sf_error_set(err, rc, "db_error", "", "%s", c->errmsg);
	}
	PQclear(r);
	return rc;
}

static char *translate(const char *sql, int *nparams)
{
	struct sf_buf b;
	int n = 0;
	char quote = 0;

	sf_buf_init(&b, 0);
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			sf_buf_addch(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			sf_buf_addch(&b, *p);
		} else if (*p == '?') {
			sf_buf_addf(&b, "$%d", ++n);
		} else {
			sf_buf_addch(&b, *p);
		}
	}
	*nparams = n;
	return sf_buf_detach(&b, NULL);
}

static size_t slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;

	p ^= p >> 17;
	p *= 0x9e3779b97f4a7c15ull;
	return (size_t)(p >> 40) & (CACHE_SLOTS - 1);
}

static int pg_prepare(struct sf_conn *c, const char *sql, struct sf_stmt **out)
{
	size_t slot = slot_of(sql);
	struct pg_stmt *st;

	if (!ensure_live(c)) {
		set_err(c, PQerrorMessage(c->pg));
		return SF_EDB;
	}
	for (size_t i = 0; i < 8; i++) {
		struct pg_stmt *e = c->cache[(slot + i) & (CACHE_SLOTS - 1)];

		if (e && e->sql == sql && strcmp(e->sql_copy, sql) == 0) {
			*out = (struct sf_stmt *)e;
			return 0;
		}
	}
	st = sf_xcalloc(1, sizeof(*st));
	st->conn = c;
	st->sql = sql;
	st->sql_copy = sf_xstrdup(sql);
	st->pgsql = translate(sql, &st->nparams);
	if (st->nparams > MAX_PARAMS) {
		set_err(c, "too many parameters");
		free(st->sql_copy);
		free(st->pgsql);
		free(st);
		return SF_EDB;
	}
	for (size_t i = 0; i < 8; i++) {
		struct pg_stmt **e = &c->cache[(slot + i) & (CACHE_SLOTS - 1)];

		if (!*e) {
			*e = st;
			st->cached = true;
			break;
		}
	}
	*out = (struct sf_stmt *)st;
	return 0;
}

static void set_param(struct pg_stmt *st, int i, Oid type, const void *p, int len, int fmt)
{
	free(st->vals[i]);
	st->vals[i] = NULL;
	st->types[i] = type;
	st->fmts[i] = fmt;
	st->lens[i] = len;
	if (p) {
		st->vals[i] = sf_xmalloc((size_t)len + 1);
		memcpy(st->vals[i], p, (size_t)len);
		st->vals[i][len] = '\0';
	}
}

static int pg_bind(struct sf_stmt *sst, const char *fmt, va_list ap)
{
	struct pg_stmt *st = (struct pg_stmt *)sst;
	char num[40];
	int i = 0;

	for (const char *f = fmt; *f; f++, i++) {
		int n;

		if (i >= st->nparams)
			return SF_EDB;
		st->cur_sig[i] = *f;
		switch (*f) {
		case 'i':
		case 'z': {
			int64_t v = va_arg(ap, int64_t);

			if (*f == 'z' && v == 0) {
				set_param(st, i, OID_INT8, NULL, 0, 0);
				break;
			}
			n = snprintf(num, sizeof(num), "%lld", (long long)v);
			set_param(st, i, OID_INT8, num, n, 0);
			break;
		}
		case 'd':
			n = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			set_param(st, i, OID_INT8, num, n, 0);
			st->cur_sig[i] = 'i';
			break;
		case 'f':
			n = snprintf(num, sizeof(num), "%.17g", va_arg(ap, double));
			set_param(st, i, OID_FLOAT8, num, n, 0);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			set_param(st, i, OID_TEXT, s, s ? (int)strlen(s) : 0, 0);
			break;
		}
		case 'n':
			set_param(st, i, OID_TEXT, NULL, 0, 0);
			st->cur_sig[i] = 's';
			break;
		case 'u': {
			/* untyped: PostgreSQL infers the type from where it is used */
			const char *s = va_arg(ap, const char *);

			set_param(st, i, 0, s, s ? (int)strlen(s) : 0, 0);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);

			set_param(st, i, OID_BYTEA, p ? p : "", (int)len, 1);
			break;
		}
		default: return SF_EDB;
		}
		if (st->cur_sig[i] == 'z')
			st->cur_sig[i] = 'i';
	}
	st->cur_sig[i] = '\0';
	return i == st->nparams ? 0 : SF_EDB;
}

static int pg_bind_values(struct sf_stmt *sst, const char *fmt, const char *const *vals,
			  const void *const *blobs, const size_t *lens)
{
	struct pg_stmt *st = (struct pg_stmt *)sst;
	int i;

	for (i = 0; fmt[i]; i++) {
		if (i >= st->nparams)
			return SF_EDB;
		if (fmt[i] == 'b') {
			set_param(st, i, OID_BYTEA, blobs[i] ? blobs[i] : "", (int)lens[i], 1);
			st->cur_sig[i] = 'b';
		} else {
			set_param(st, i, 0, vals[i], vals[i] ? (int)strlen(vals[i]) : 0, 0);
			st->cur_sig[i] = 'u';
		}
	}
	st->cur_sig[i] = '\0';
	return i == st->nparams ? 0 : SF_EDB;
}

static int pg_step(struct sf_stmt *sst)
{
	struct pg_stmt *st = (struct pg_stmt *)sst;
	struct sf_conn *c = st->conn;

	if (!st->res) {
		ExecStatusType es;
		int tries = 0;

		c->errmsg[0] = '\0';
again:
		if (st->prepared && strcmp(st->sig, st->cur_sig) != 0) {
			char sql[64];
			PGresult *r;

			snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
			r = PQexec(c->pg, sql);
			PQclear(r);
			st->prepared = false;
		}
		if (!st->prepared) {
			PGresult *r;

			snprintf(st->name, sizeof(st->name), "sf%u", ++c->next_name);
			r = PQprepare(c->pg, st->name, st->pgsql, st->nparams, st->types);
			if (PQresultStatus(r) != PGRES_COMMAND_OK) {
				int rc = map_result(c, r);

				PQclear(r);
				if (tries++ == 0 && lost_and_back(c))
					goto again;
				return rc;
			}
			PQclear(r);
			memcpy(st->sig, st->cur_sig, sizeof(st->sig));
			st->prepared = true;
		}
		st->res = PQexecPrepared(c->pg, st->name, st->nparams,
					 (const char *const *)st->vals, st->lens, st->fmts, 0);
		es = PQresultStatus(st->res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			int rc = map_result(c, st->res);

			PQclear(st->res);
			st->res = NULL;
			if (tries++ == 0 && lost_and_back(c))
				goto again;
			return rc;
		}
		st->nrows = PQntuples(st->res);
		st->row = -1;
		st->changes = atoi_safe(PQcmdTuples(st->res));
	}
	if (st->row + 1 < st->nrows) {
		st->row++;
		return SF_DB_ROW;
	}
	return SF_DB_DONE;
}

static void free_stmt(struct pg_stmt *st)
{
	for (int k = 0; k < MAX_PARAMS; k++)
		free(st->vals[k]);
	free(st->blob);
	free(st->pgsql);
	free(st->sql_copy);
	free(st);
}

static void pg_reset(struct sf_stmt *sst)
{
	struct pg_stmt *st = (struct pg_stmt *)sst;

	if (st->res) {
		PQclear(st->res);
		st->res = NULL;
	}
	free(st->blob);
	st->blob = NULL;
	if (!st->cached) {
		if (st->prepared) {
			char sql[64];
			PGresult *r;

			snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
			r = PQexec(st->conn->pg, sql);
			PQclear(r);
		}
		free_stmt(st);
	}
}

static const char *cell(struct pg_stmt *st, int col)
{
	if (!st->res || st->row < 0 || col >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_int(struct sf_stmt *s, int col)
{
	const char *v = cell((struct pg_stmt *)s, col);

	if (!v)
		return 0;
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct sf_stmt *s, int col)
{
	const char *v = cell((struct pg_stmt *)s, col);

	return v ? strtod(v, NULL) : 0.0;
}

static const char *pg_col_text(struct sf_stmt *s, int col)
{
	return cell((struct pg_stmt *)s, col);
}

static const void *pg_col_blob(struct sf_stmt *s, int col, size_t *len)
{
	struct pg_stmt *st = (struct pg_stmt *)s;
	const char *v = cell(st, col);

	*len = 0;
	if (!v)
		return NULL;
	free(st->blob);
	st->blob = NULL;
	if (PQftype(st->res, col) == OID_BYTEA) {
		unsigned char *raw = PQunescapeBytea((const unsigned char *)v, len);

		if (!raw)
			return NULL;
		st->blob = sf_xmalloc(*len + 1);
		memcpy(st->blob, raw, *len);
		PQfreemem(raw);
		return st->blob;
	}
	*len = (size_t)PQgetlength(st->res, st->row, col);
	return v;
}

static bool pg_col_isnull(struct sf_stmt *s, int col)
{
	return cell((struct pg_stmt *)s, col) == NULL;
}

static int pg_ncols(struct sf_stmt *s)
{
	struct pg_stmt *st = (struct pg_stmt *)s;

	return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_colname(struct sf_stmt *s, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)s;

	return st->res ? PQfname(st->res, col) : NULL;
}

static int pg_col_type(struct sf_stmt *s, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)s;

	if (!cell(st, col))
		return SF_COL_NULL;
	switch (PQftype(st->res, col)) {
	case 20:
	case 21:
	case 23: return SF_COL_INT;
	case 700:
	case 701:
	case 1700: return SF_COL_FLOAT;
	case OID_BYTEA: return SF_COL_BLOB;
	default: return SF_COL_TEXT;
	}
}

static int pg_changes(struct sf_stmt *s)
{
	return ((struct pg_stmt *)s)->changes;
}

static const char *pg_errmsg(struct sf_conn *c)
{
	return c->errmsg[0] ? c->errmsg : PQerrorMessage(c->pg);
}

static int simple(struct sf_conn *c, const char *sql)
{
	PGresult *r;
	int rc = 0;

	if (!ensure_live(c)) {
		set_err(c, PQerrorMessage(c->pg));
		return SF_EDB;
	}
	r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = map_result(c, r);
		/* BEGIN on a connection lost while idle: reconnect, try again. */
		if (!strncmp(sql, "BEGIN", 5) && lost_and_back(c)) {
			PQclear(r);
			r = PQexec(c->pg, sql);
			rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : map_result(c, r);
		}
	}
	PQclear(r);
	return rc;
}

static int pg_begin(struct sf_conn *c, bool write)
{
	(void)write;
	return simple(c, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

static int pg_commit(struct sf_conn *c)
{
	return simple(c, "COMMIT");
}

static int pg_rollback(struct sf_conn *c)
{
	return simple(c, "ROLLBACK");
}

static bool pg_in_tx(struct sf_conn *c)
{
	return PQtransactionStatus(c->pg) != PQTRANS_IDLE;
}

const struct sf_db_ops sf_db_pg_ops = {
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.exec_script = pg_exec_script,
	.prepare = pg_prepare,
	.bind = pg_bind,
	.bind_values = pg_bind_values,
	.step = pg_step,
	.reset = pg_reset,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.col_isnull = pg_col_isnull,
	.ncols = pg_ncols,
	.colname = pg_colname,
	.changes = pg_changes,
	.col_type = pg_col_type,
	.errmsg = pg_errmsg,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_tx = pg_in_tx,
};

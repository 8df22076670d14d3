/* Copy and compare databases; see copy.h. Table names come from SQLite's
 * own catalogue in creation order, which is migration order, so parents
 * load before children; PostgreSQL's foreign keys are deferrable (the
 * dialect hook adds DEFERRABLE) and deferred for the copy, so rows that
 * point forward (a merged order) load too. */
#include "store/copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/crypto.h"
#include "util/mem.h"

#define MAX_TABLES 128
#define MAX_COLS 96

struct table_list {
	char *names[MAX_TABLES];
	int n;
};

static void tables_release(struct table_list *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->names[i]);
	t->n = 0;
}

static int list_tables(struct sf_conn *c, struct table_list *out, struct sf_error *err)
{
	struct sf_stmt *st;
	int rc;

	out->n = 0;
	if (sf_db_engine(sf_conn_db(c)) != SF_DB_SQLITE)
		return sf_error_set(err, SF_EINVAL, "unsupported", "from",
				    "copy-db reads from a SQLite database");
	rc = sf_conn_query(c, &st,
			   "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
			   "'sqlite_%' AND name <> 'schema_version' AND sql NOT LIKE '%VIRTUAL%' "
			   "ORDER BY rowid",
			   "");
	if (rc)
		return sf_error_set(err, rc, "db_error", "from", "%s", sf_conn_errmsg(c));
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW && out->n < MAX_TABLES)
		out->names[out->n++] = sf_xstrdup(sf_stmt_text(st, 0));
	sf_stmt_done(st);
	return rc < 0 ? sf_error_set(err, rc, "db_error", "from", "%s", sf_conn_errmsg(c)) : 0;
}

static bool safe_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Bind one value of the source row as parameter k of a statement being
 * built: the SQL layer's binder takes a format string, so rows are
 * inserted through a small switch over the column count instead. */
struct row {
	int n;
	const char *vals[MAX_COLS];
	const void *blobs[MAX_COLS];
	size_t lens[MAX_COLS];
	bool is_blob[MAX_COLS];
};

static int insert_row(struct sf_conn *to, const char *sql, const struct row *r)
{
	struct sf_buf fmt;
	int rc;

	/* Build the format once per row: 'u' text, 'b' blob. */
	sf_buf_init(&fmt, 256);
	for (int i = 0; i < r->n; i++)
		sf_buf_addch(&fmt, r->is_blob[i] ? 'b' : 'u');
	rc = sf_conn_run_row(to, sql, fmt.data, r->n, r->vals, r->blobs, r->lens);
	sf_buf_release(&fmt);
	return rc;
}

static int copy_table(struct sf_conn *from, struct sf_conn *to, const char *table, int64_t *rows,
		      struct sf_error *err)
{
	struct sf_buf sel, ins;
	struct sf_stmt *st = NULL;
	struct row r;
	int rc;

	*rows = 0;
	sf_buf_init(&sel, 4096);
	sf_buf_init(&ins, 8192);
	sf_buf_addf(&sel, "SELECT * FROM %s ORDER BY 1", table);
	rc = sf_conn_query(from, &st, sel.data, "");
	if (rc) {
		sf_error_set(err, rc, "db_error", table, "%s: %s", table, sf_conn_errmsg(from));
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.n = sf_stmt_ncols(st);
	if (r.n > MAX_COLS) {
		rc = sf_error_set(err, SF_EINVAL, "too_many_columns", table,
				  "%s has too many columns", table);
		goto out;
	}
	sf_buf_addf(&ins, "INSERT INTO %s(", table);
	for (int i = 0; i < r.n; i++)
		sf_buf_addf(&ins, "%s%s", i ? ", " : "", sf_stmt_colname(st, i));
	sf_buf_adds(&ins, ") VALUES (");
	for (int i = 0; i < r.n; i++)
		sf_buf_adds(&ins, i ? ", ?" : "?");
	sf_buf_adds(&ins, ")");
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		for (int i = 0; i < r.n; i++) {
			enum sf_col_type t = sf_stmt_type(st, i);

			r.is_blob[i] = t == SF_COL_BLOB;
			r.vals[i] = NULL;
			r.blobs[i] = NULL;
			r.lens[i] = 0;
			if (r.is_blob[i])
				r.blobs[i] = sf_stmt_blob(st, i, &r.lens[i]);
			else if (t != SF_COL_NULL)
				r.vals[i] = sf_stmt_text(st, i);
		}
		rc = insert_row(to, ins.data, &r);
		if (rc < 0) {
			sf_error_set(err, rc, "db_error", table, "%s row %lld: %s", table,
				     (long long)*rows + 1, sf_conn_errmsg(to));
			goto out;
		}
		(*rows)++;
	}
	if (rc < 0) {
		sf_error_set(err, rc, "db_error", table, "%s: %s", table, sf_conn_errmsg(from));
		goto out;
	}
	rc = 0;
out:
	sf_stmt_done(st);
	sf_buf_release(&sel);
	sf_buf_release(&ins);
	return rc;
}

int sf_store_copy_all(struct sf_db *from, struct sf_db *to,
		      void (*progress)(const char *table, int64_t rows, void *ctx), void *ctx,
		      struct sf_error *err)
{
	struct sf_conn *cf = sf_db_get(from), *ct = sf_db_get(to);
	struct table_list tl = { .n = 0 };
	struct sf_buf sql;
	int rc;

	sf_buf_init(&sql, 1024);
	rc = list_tables(cf, &tl, err);
	if (rc)
		goto out;
	rc = sf_conn_begin(ct, true);
	if (rc) {
		sf_error_set(err, rc, "db_error", "to", "%s", sf_conn_errmsg(ct));
		goto out;
	}
	if (sf_db_engine(to) == SF_DB_POSTGRES)
		sf_conn_run(ct, "SET CONSTRAINTS ALL DEFERRED", "");
	else
		sf_conn_run(ct, "PRAGMA defer_foreign_keys = ON", "");
	/* Empty the new database's tables (children first). */
	for (int i = tl.n - 1; i >= 0; i--) {
		if (!safe_name(tl.names[i])) {
			rc = sf_error_set(err, SF_EINVAL, "bad_table", tl.names[i],
					  "odd table name");
			goto out;
		}
		sf_buf_reset(&sql);
		sf_buf_addf(&sql, "DELETE FROM %s", tl.names[i]);
		rc = sf_conn_run(ct, sql.data, "");
		if (rc < 0) {
			sf_error_set(err, rc, "db_error", tl.names[i], "%s: %s", tl.names[i],
				     sf_conn_errmsg(ct));
			goto out;
		}
	}
	for (int i = 0; i < tl.n; i++) {
		int64_t rows = 0;

		rc = copy_table(cf, ct, tl.names[i], &rows, err);
		if (rc)
			goto out;
		if (progress)
			progress(tl.names[i], rows, ctx);
		if (sf_db_engine(to) == SF_DB_POSTGRES) {
			int64_t has_id = 0;

			/* Identity columns continue after the copied ids. */
			rc = sf_conn_int(
				ct, &has_id,
				"SELECT COUNT(*) FROM information_schema.columns WHERE "
				"table_name = ? AND column_name = 'id' AND is_identity = 'YES'",
				"s", tl.names[i]);
			if (!rc && has_id) {
				sf_buf_reset(&sql);
				sf_buf_addf(&sql,
					    "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
					    "(SELECT COALESCE(MAX(id), 0) + 1 FROM %s), false)",
					    tl.names[i], tl.names[i]);
				rc = sf_conn_run(ct, sql.data, "");
			}
			if (rc < 0) {
				sf_error_set(err, rc, "db_error", tl.names[i], "%s: %s",
					     tl.names[i], sf_conn_errmsg(ct));
				goto out;
			}
			rc = 0;
		}
	}
	rc = sf_conn_commit(ct);
	if (rc)
		sf_error_set(err, rc, "db_error", "to", "commit: %s", sf_conn_errmsg(ct));
out:
	sf_conn_rollback(ct);
	sf_db_put(from, cf);
	sf_db_put(to, ct);
	tables_release(&tl);
	sf_buf_release(&sql);
	return rc;
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash each row canonically (floats to 12 digits, blobs as hex) and
 * return the sorted hashes, so row order and engine spelling don't matter. */
static int row_hashes(struct sf_conn *c, const char *table, char ***out, int64_t *n,
		      struct sf_error *err)
{
	struct sf_buf sql, row;
	struct sf_stmt *st = NULL;
	char **list = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	sf_buf_init(&sql, 512);
	sf_buf_init(&row, 0);
	sf_buf_addf(&sql, "SELECT * FROM %s", table);
	rc = sf_conn_query(c, &st, sql.data, "");
	if (rc) {
		sf_error_set(err, rc, "db_error", table, "%s: %s", table, sf_conn_errmsg(c));
		goto out;
	}
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		char hex[SF_CRYPTO_HEX_SIZE];
		int nc = sf_stmt_ncols(st);

		sf_buf_reset(&row);
		for (int i = 0; i < nc; i++) {
			enum sf_col_type t = sf_stmt_type(st, i);

			if (t == SF_COL_NULL) {
				sf_buf_adds(&row, "N|");
			} else if (t == SF_COL_FLOAT) {
				sf_buf_addf(&row, "F%.12g|", sf_stmt_double(st, i));
			} else if (t == SF_COL_BLOB) {
				size_t len;
				const unsigned char *p = sf_stmt_blob(st, i, &len);

				sf_buf_adds(&row, "B");
				for (size_t k = 0; k < len; k++)
					sf_buf_addf(&row, "%02x", p[k]);
				sf_buf_adds(&row, "|");
			} else {
				const char *v = sf_stmt_text(st, i);

				sf_buf_addf(&row, "T%zu:%s|", strlen(v), v);
			}
		}
		sf_crypto_sha256_hex(row.data, row.len, hex);
		if ((size_t)*n == cap) {
			cap = cap ? cap * 2 : 256;
			list = sf_xrealloc(list, cap * sizeof(*list));
		}
		list[(*n)++] = sf_xstrdup(hex);
	}
	if (rc < 0) {
		sf_error_set(err, rc, "db_error", table, "%s: %s", table, sf_conn_errmsg(c));
		goto out;
	}
	rc = 0;
	if (*n)
		qsort(list, (size_t)*n, sizeof(*list), cmp_hex);
out:
	sf_stmt_done(st);
	sf_buf_release(&sql);
	sf_buf_release(&row);
	*out = list;
	return rc;
}

static void free_hashes(char **list, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int sf_store_compare_all(struct sf_db *a, struct sf_db *b,
			 void (*report)(const char *table, int64_t rows_a, int64_t rows_b, int same,
					void *ctx),
			 void *ctx, struct sf_error *err)
{
	struct sf_conn *ca = sf_db_get(a), *cb = sf_db_get(b);
	struct table_list tl = { .n = 0 };
	bool all_same = true;
	int rc = list_tables(ca, &tl, err);

	for (int i = 0; !rc && i < tl.n; i++) {
		char **ha = NULL, **hb = NULL;
		int64_t na = 0, nb = 0;
		int same;

		rc = row_hashes(ca, tl.names[i], &ha, &na, err);
		if (!rc)
			rc = row_hashes(cb, tl.names[i], &hb, &nb, err);
		if (!rc) {
			same = na == nb;
			for (int64_t k = 0; same && k < na; k++)
				same = strcmp(ha[k], hb[k]) == 0;
			if (!same)
				all_same = false;
			if (report)
				report(tl.names[i], na, nb, same, ctx);
		}
		free_hashes(ha, na);
		free_hashes(hb, nb);
	}
	sf_db_put(a, ca);
	sf_db_put(b, cb);
	tables_release(&tl);
	if (rc)
		return rc;
	return all_same ? 0 : SF_ECONFLICT;
}

/* The SQL layer on both engines: the same cases run on a temporary SQLite
 * file and on a throwaway PostgreSQL cluster (scripts/pg-test.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/schema.h"

#include "tmpdb.h"

static char pg_dir[256];
static char pg_url[512];

static struct sf_db *open_engine(int engine)
{
	static char path[64];
	struct sf_db *db = NULL;
	struct sf_error err = { 0 };
	int applied = 0;

	if (engine == 0) {
		tmpdb_new_path(path, sizeof(path), "dbtest");
		assert_int_equal(sf_db_open(path, 2, &db, &err), 0);
	} else {
		assert_int_equal(sf_db_open(pg_url, 2, &db, &err), 0);
	}
	assert_int_equal(sf_schema_migrate(db, 1000, &applied, &err), 0);
	return db;
}

static void close_engine(struct sf_db *db, int engine)
{
	const char *p = sf_db_path(db);
	char buf[300];

	if (engine == 0 && p) {
		snprintf(buf, sizeof(buf), "%s", p);
		sf_db_close(db);
		tmpdb_remove(buf);
		return;
	}
	sf_db_close(db);
}

static void roundtrip(void **state)
{
	int engine = *(int *)*state;
	struct sf_db *db = open_engine(engine);
	struct sf_conn *c = sf_db_get(db);
	struct sf_stmt *st;
	int64_t id = 0, n = 0;
	static const unsigned char blob[] = { 0, 1, 2, 255, 'x' };
	const void *p;
	size_t len;

	/* RETURNING ids, NULL binding with 'z', text with Chinese */
	assert_int_equal(
		sf_conn_int(c, &id,
			    "INSERT INTO units(parent_id, kind, code, name_zh, created_at) "
			    "VALUES (?, ?, ?, ?, ?) RETURNING id",
			    "zsssi", (int64_t)0, "subdistrict", "CQ", "仓前街道", (int64_t)5),
		0);
	assert_true(id > 0);
	assert_int_equal(
		sf_conn_query(c, &st,
			      "SELECT name_zh, parent_id, created_at FROM units WHERE id = ?", "i",
			      id),
		0);
	assert_int_equal(sf_stmt_step(st), SF_DB_ROW);
	assert_string_equal(sf_stmt_text(st, 0), "仓前街道");
	assert_true(sf_stmt_isnull(st, 1));
	assert_int_equal(sf_stmt_int(st, 2), 5);
	assert_int_equal(sf_stmt_step(st), SF_DB_DONE);
	sf_stmt_done(st);
	/* unique violation is a conflict, and nothing changes */
	assert_int_equal(
		sf_conn_run(
			c, "INSERT INTO units(kind, code, name_zh, created_at) VALUES (?, ?, ?, ?)",
			"sssi", "department", "CQ", "重复", (int64_t)1),
		SF_ECONFLICT);
	assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(n, 1);
	/* `? IS NULL` works on both engines */
	assert_int_equal(sf_conn_int(c, &n,
				     "SELECT COUNT(*) FROM units WHERE (? IS NULL OR kind = ?)",
				     "ss", (const char *)NULL, (const char *)NULL),
			 0);
	assert_int_equal(n, 1);
	/* upsert */
	assert_int_equal(
		sf_conn_run(c,
			    "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO "
			    "UPDATE SET value = excluded.value",
			    "ss", "k", "v1"),
		1);
	assert_true(
		sf_conn_run(c,
			    "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO "
			    "UPDATE SET value = excluded.value",
			    "ss", "k", "v2") >= 1);
	assert_int_equal(
		sf_conn_query(c, &st, "SELECT value FROM settings WHERE key = ?", "s", "k"), 0);
	assert_int_equal(sf_stmt_step(st), SF_DB_ROW);
	assert_string_equal(sf_stmt_text(st, 0), "v2");
	sf_stmt_done(st);
	/* rollback undoes */
	assert_int_equal(sf_conn_begin(c, true), 0);
	assert_int_equal(sf_conn_run(c, "DELETE FROM settings WHERE key = ?", "s", "k"), 1);
	sf_conn_rollback(c);
	assert_int_equal(sf_conn_int(c, &n, "SELECT COUNT(*) FROM settings", ""), 0);
	assert_int_equal(n, 1);
	/* blobs survive byte for byte */
	assert_int_equal(
		sf_conn_int(c, &n,
			    "INSERT INTO orders(code, title, description, category_id, channel, "
			    "state, requester_kind, created_at, updated_at, stage_start) "
			    "VALUES ('x', 't', 'd', ?, 'web', 'submitted', 'anonymous', 1, 1, 1) "
			    "RETURNING id",
			    "i", (int64_t)0),
		SF_ECONFLICT); /* no category 0: foreign key */
	assert_int_equal(
		sf_conn_run(c, "INSERT INTO rate_limits(key, window_start, hits) VALUES (?, ?, ?)",
			    "sii", "b", (int64_t)1, (int64_t)1),
		1);
	assert_int_equal(sf_conn_query(c, &st, "SELECT ? ", "b", blob, sizeof(blob)), 0);
	assert_int_equal(sf_stmt_step(st), SF_DB_ROW);
	p = sf_stmt_blob(st, 0, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	sf_stmt_done(st);
	/* migrations are idempotent */
	{
		struct sf_error err = { 0 };
		int applied = 7;

		sf_db_put(db, c);
		assert_int_equal(sf_schema_migrate(db, 2000, &applied, &err), 0);
		assert_int_equal(applied, 0);
		c = sf_db_get(db);
	}
	sf_db_put(db, c);
	close_engine(db, engine);
}

static int start_pg(void **state)
{
	FILE *f;
	char cmd[400];

	(void)state;
	snprintf(pg_dir, sizeof(pg_dir), "/tmp/sanfu-pg-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "scripts/pg-test.sh start %s", pg_dir);
	f = popen(cmd, "r");
	if (!f || !fgets(pg_url, sizeof(pg_url), f)) {
		if (f)
			pclose(f);
		return -1;
	}
	pclose(f);
	pg_url[strcspn(pg_url, "\n")] = '\0';
	return 0;
}

static int stop_pg(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "scripts/pg-test.sh stop %s", pg_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	static int sqlite = 0, pg = 1;
	const struct CMUnitTest tests[] = {
		{ "sql_layer_on_sqlite", roundtrip, NULL, NULL, &sqlite },
		{ "sql_layer_on_postgresql", roundtrip, NULL, NULL, &pg },
	};

	return cmocka_run_group_tests(tests, start_pg, stop_pg);
}

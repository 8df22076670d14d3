/* A throwaway SQLite database for the unit tests that drive the SQL layer
 * directly: made from a schema script in a fresh temporary file, read one
 * integer at a time, and removed with its WAL files. Include after
 * <cmocka.h>; one database per test binary at a time. */
#ifndef SF_TESTS_TMPDB_H
#define SF_TESTS_TMPDB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"

static char tmpdb_path[64];

/* A new database at /tmp/sanfu-<name>-XXXXXX with schema applied, a pool
 * of two connections. */
static struct sf_db *tmpdb_open(const char *name, const char *schema)
{
	struct sf_db *db = NULL;
	struct sf_error err = { 0 };
	struct sf_conn *c;
	int fd;

	snprintf(tmpdb_path, sizeof(tmpdb_path), "/tmp/sanfu-%s-XXXXXX", name);
	fd = mkstemp(tmpdb_path);
	assert_true(fd >= 0);
	close(fd);
	unlink(tmpdb_path);
	assert_int_equal(sf_db_open(tmpdb_path, 2, &db, &err), 0);
	c = sf_db_get(db);
	assert_int_equal(sf_conn_exec_script(c, schema, &err), 0);
	sf_db_put(db, c);
	return db;
}

/* Close db and remove its files. */
static void tmpdb_close(struct sf_db *db)
{
	char buf[100];

	sf_db_close(db);
	unlink(tmpdb_path);
	snprintf(buf, sizeof(buf), "%s-wal", tmpdb_path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", tmpdb_path);
	unlink(buf);
}

/* The one integer sql (no parameters) answers. */
static int64_t tmpdb_int(struct sf_db *db, const char *sql)
{
	struct sf_conn *c = sf_db_get(db);
	int64_t n = -1;

	assert_int_equal(sf_conn_int(c, &n, sql, ""), 0);
	sf_db_put(db, c);
	return n;
}

#endif

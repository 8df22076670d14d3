/* A throwaway SQLite database for the unit tests that drive the SQL layer
 * directly: made from a schema script in a fresh temporary file, read one
 * integer at a time, and removed with its WAL files. Include after
 * <cmocka.h>; one database per test binary at a time (tmpdb_open), or as
 * many as the test keeps paths for (tmpdb_new_path, tmpdb_remove). */
#ifndef SF_TESTS_TMPDB_H
#define SF_TESTS_TMPDB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"

static char tmpdb_path[64];

/* A fresh unused path /tmp/sanfu-<name>-XXXXXX into path (n bytes). */
static inline void tmpdb_new_path(char *path, size_t n, const char *name)
{
	int fd;

	snprintf(path, n, "/tmp/sanfu-%s-XXXXXX", name);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
}

/* Remove the database at path with its WAL files. */
static inline void tmpdb_remove(const char *path)
{
	char buf[300];

	unlink(path);
	snprintf(buf, sizeof(buf), "%.280s-wal", path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%.280s-shm", path);
	unlink(buf);
}

/* A new database at /tmp/sanfu-<name>-XXXXXX with schema applied, a pool
 * of two connections. */
static inline struct sf_db *tmpdb_open(const char *name, const char *schema)
{
	struct sf_db *db = NULL;
	struct sf_error err = { 0 };
	struct sf_conn *c;

	tmpdb_new_path(tmpdb_path, sizeof(tmpdb_path), name);
	assert_int_equal(sf_db_open(tmpdb_path, 2, &db, &err), 0);
	c = sf_db_get(db);
	assert_int_equal(sf_conn_exec_script(c, schema, &err), 0);
	sf_db_put(db, c);
	return db;
}

/* Close db and remove its files. */
static inline void tmpdb_close(struct sf_db *db)
{
	sf_db_close(db);
	tmpdb_remove(tmpdb_path);
}

/* The one integer sql (no parameters) answers. */
static inline int64_t tmpdb_int(struct sf_db *db, const char *sql)
{
	struct sf_conn *c = sf_db_get(db);
	int64_t n = -1;

	assert_int_equal(sf_conn_int(c, &n, sql, ""), 0);
	sf_db_put(db, c);
	return n;
}

#endif

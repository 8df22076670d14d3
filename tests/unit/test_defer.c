/* Work left to the commit (store/db.h sf_conn_defer): in the group commit's
 * shared transaction the records of the writes that stay are flushed once
 * before the commit and those of writes rolled back are dropped with them;
 * outside it, and deeper than the savepoint marks go, they are written at
 * once. On a temporary SQLite file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "tmpdb.h"

#define THREADS 6
#define WRITES 120

static atomic_int flushes;
static atomic_int most; /* the most records one flush had */

static struct sf_db *open_db(void)
{
	return tmpdb_open("defertest", "CREATE TABLE t(k INTEGER PRIMARY KEY, v INTEGER NOT "
				       "NULL); CREATE TABLE sums(name TEXT PRIMARY KEY, "
				       "n INTEGER NOT NULL);");
}

/* A record: add v to the sum. */
struct add {
	int64_t v;
};

static int flush_sums(struct sf_conn *c, const void *recs, size_t n)
{
	const struct add *a = recs;
	int64_t total = 0;
	int rc;

	atomic_fetch_add(&flushes, 1);
	if ((int)n > atomic_load(&most))
		atomic_store(&most, (int)n);
	for (size_t i = 0; i < n; i++)
		total += a[i].v;
	rc = sf_conn_run(c,
			 "INSERT INTO sums(name, n) VALUES ('v', ?) ON CONFLICT(name) "
			 "DO UPDATE SET n = sums.n + excluded.n",
			 "i", total);
	return rc < 0 ? rc : 0;
}

enum kind {
	OK,       /* insert k with v, defer v, commit */
	ROLLBACK, /* the same, then roll back */
	INNER,    /* commit k; an inner transaction adds k + 1000000 and is rolled back */
	DEEP,     /* ten nested transactions, each adding 1, all committed */
	DEEP_OFF, /* ten nested, the innermost three rolled back */
	REFUSED,  /* reads, defers nothing, rolls back: fails having changed nothing */
};

struct w {
	enum kind kind;
	int64_t k, v;
};

static int add(struct sf_conn *c, int64_t k, int64_t v)
{
	struct add a = { v };
	int rc = sf_conn_run(c, "INSERT INTO t(k, v) VALUES (?, ?)", "ii", k, v);

	return rc < 0 ? rc : sf_conn_defer(c, flush_sums, &a, sizeof(a));
}

/* Nested transactions: level i adds 1 (row k + i * 10000000); from level
 * undo_from on, they are rolled back. */
static int nest(struct sf_conn *c, int64_t k, int level, int depth, int undo_from)
{
	int rc = sf_conn_begin(c, true);

	if (!rc)
		rc = add(c, k + (int64_t)level * 10000000, 1);
	if (!rc && level + 1 < depth)
		rc = nest(c, k, level + 1, depth, undo_from);
	if (rc || level >= undo_from) {
		sf_conn_rollback(c);
		return 0;
	}
	return sf_conn_commit(c);
}

static int do_write(struct sf_conn *c, void *ctx)
{
	struct w *w = ctx;
	int rc;

	if (w->kind == DEEP || w->kind == DEEP_OFF)
		return nest(c, w->k, 0, 10, w->kind == DEEP ? 10 : 7);
	if (w->kind == REFUSED) {
		int64_t n = 0;

		rc = sf_conn_begin(c, true);
		if (!rc)
			rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM t WHERE k = ?", "i", w->k);
		sf_conn_rollback(c);
		return rc ? rc : SF_EINVAL;
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = add(c, w->k, w->v);
	if (rc) {
		sf_conn_rollback(c);
		return rc;
	}
	if (w->kind == ROLLBACK) {
		sf_conn_rollback(c);
		return SF_EINVAL;
	}
	if (w->kind == INNER) {
		rc = sf_conn_begin(c, true);
		if (!rc)
			rc = add(c, w->k + 1000000, w->v);
		sf_conn_rollback(c);
		if (rc)
			return rc;
	}
	return sf_conn_commit(c);
}

struct thread_arg {
	struct sf_db *db;
	int t;
	atomic_int *bad;
};

static void *writer(void *p)
{
	struct thread_arg *a = p;

	for (int i = 0; i < WRITES; i++) {
		struct w w = { (enum kind)(i % 6), (int64_t)a->t * 100000 + i + 1, i % 7 + 1 };
		int rc = sf_db_write(a->db, do_write, &w);

		if (rc != (w.kind == ROLLBACK || w.kind == REFUSED ? SF_EINVAL : 0))
			atomic_fetch_add(a->bad, 1);
	}
	return NULL;
}

/* Many threads' writes, some of them rolled back after they changed rows
 * (the batch runs again with savepoints) or before (forgotten): the sum
 * flushed is the sum of the rows that stayed, and writes of one
 * transaction were flushed together. */
static void batched(void **state)
{
	struct sf_db *db = open_db();
	pthread_t th[THREADS];
	struct thread_arg args[THREADS];
	atomic_int bad = 0;

	(void)state;
	atomic_store(&flushes, 0);
	atomic_store(&most, 0);
	for (int t = 0; t < THREADS; t++) {
		args[t] = (struct thread_arg){ db, t, &bad };
		assert_int_equal(pthread_create(&th[t], NULL, writer, &args[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	assert_int_equal(atomic_load(&bad), 0);
	assert_int_equal(tmpdb_int(db, "SELECT n FROM sums WHERE name = 'v'"),
			 tmpdb_int(db, "SELECT SUM(v) FROM t"));
	/* DEEP adds 10 rows, DEEP_OFF 7, and nothing else a row with v = 1
	 * beyond level 0: the rolled-back levels left nothing. */
	assert_int_equal(tmpdb_int(db, "SELECT COUNT(*) FROM t WHERE k >= 10000000"),
			 (int64_t)THREADS * (WRITES / 6) * (9 + 6));
	assert_true(atomic_load(&most) > 1);
	tmpdb_close(db);
}

/* Outside the group commit the record is written at once, and goes with
 * the transaction's rollback like any other write. */
static void immediate(void **state)
{
	struct sf_db *db = open_db();
	struct sf_conn *c = sf_db_get(db);

	(void)state;
	atomic_store(&flushes, 0);
	assert_int_equal(sf_conn_begin(c, true), 0);
	assert_int_equal(add(c, 1, 5), 0);
	assert_int_equal(atomic_load(&flushes), 1);
	assert_int_equal(sf_conn_commit(c), 0);
	assert_int_equal(sf_conn_begin(c, true), 0);
	assert_int_equal(add(c, 2, 7), 0);
	sf_conn_rollback(c);
	sf_db_put(db, c);
	assert_int_equal(tmpdb_int(db, "SELECT n FROM sums WHERE name = 'v'"), 5);
	tmpdb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batched),
		cmocka_unit_test(immediate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

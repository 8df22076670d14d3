/* Group commit (store/db.h sf_db_write): many threads' writes share
 * transactions, each write's own begin/commit/rollback stays its own, a
 * failed or unfinished write is undone alone, and everything acknowledged
 * is in the database. On a temporary SQLite file. */
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

#define THREADS 8
#define WRITES 150

static struct sf_db *open_db(void)
{
	return tmpdb_open("gctest", "CREATE TABLE t(k INTEGER PRIMARY KEY, v INTEGER NOT "
				    "NULL);CREATE TABLE u(k INTEGER PRIMARY KEY);");
}

/* What one write does, by kind. */
enum kind {
	OK,        /* insert k, commit */
	ROLLBACK,  /* insert k, roll back, fail */
	FAIL_OPEN, /* insert k, fail without rolling back: the writer undoes it */
	NO_COMMIT, /* insert k, return 0 without committing: an error, undone */
	TWICE,     /* two transactions in a row: k and k + 1000000 */
	CONFLICT,  /* insert k twice: the second fails, the first is rolled back */
};

struct w {
	enum kind kind;
	int64_t k;
};

static int do_write(struct sf_conn *c, void *ctx)
{
	struct w *w = ctx;
	int rc = sf_conn_begin(c, true);

	if (rc)
		return rc;
	rc = sf_conn_run(c, "INSERT INTO t(k, v) VALUES (?, 1)", "i", w->k);
	if (rc < 0)
		goto fail;
	switch (w->kind) {
	case OK: return sf_conn_commit(c);
	case ROLLBACK: sf_conn_rollback(c); return SF_EINVAL;
	case FAIL_OPEN: return SF_EINVAL;
	case NO_COMMIT: return 0;
	case TWICE:
		rc = sf_conn_commit(c);
		if (!rc)
			rc = sf_conn_begin(c, true);
		if (!rc)
			rc = sf_conn_run(c, "INSERT INTO t(k, v) VALUES (?, 2)", "i",
					 w->k + 1000000);
		if (rc < 0)
			goto fail;
		return sf_conn_commit(c);
	case CONFLICT:
		rc = sf_conn_run(c, "INSERT INTO t(k, v) VALUES (?, 1)", "i", w->k);
		goto fail;
	}
	return SF_EINTERNAL;
fail:
	sf_conn_rollback(c);
	return rc < 0 ? rc : SF_EINTERNAL;
}

struct thread_arg {
	struct sf_db *db;
	int t;
	atomic_int *bad; /* answers other than expected (cmocka asserts only on its thread) */
};

static int expected(enum kind k)
{
	switch (k) {
	case OK:
	case TWICE: return 0;
	case ROLLBACK:
	case FAIL_OPEN: return SF_EINVAL;
	case NO_COMMIT: return SF_EINTERNAL;
	case CONFLICT: return SF_ECONFLICT;
	}
	return 1;
}

static void *writer(void *p)
{
	struct thread_arg *a = p;

	for (int i = 0; i < WRITES; i++) {
		struct w w = { (enum kind)(i % 6), (int64_t)a->t * 100000 + i + 1 };
		int rc = sf_db_write(a->db, do_write, &w);

		if (rc != expected(w.kind)) {
			fprintf(stderr, "write %d of thread %d (kind %d): %d\n", i, a->t, w.kind,
				rc);
			atomic_fetch_add(a->bad, 1);
		}
	}
	return NULL;
}

static void concurrent_writes(void **state)
{
	struct sf_db *db = open_db();
	pthread_t th[THREADS];
	struct thread_arg args[THREADS];
	atomic_int bad = 0;
	int64_t ok = 0, twice = 0;

	(void)state;
	for (int i = 0; i < WRITES; i++) {
		ok += i % 6 == OK;
		twice += i % 6 == TWICE;
	}
	for (int t = 0; t < THREADS; t++) {
		args[t] = (struct thread_arg){ db, t, &bad };
		assert_int_equal(pthread_create(&th[t], NULL, writer, &args[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	assert_int_equal(atomic_load(&bad), 0);
	/* Exactly the acknowledged writes are there, and nothing else. */
	assert_int_equal(tmpdb_int(db, "SELECT COUNT(*) FROM t"), (ok + 2 * twice) * THREADS);
	assert_int_equal(tmpdb_int(db,
				   "SELECT COUNT(*) FROM t WHERE v = 1 AND (k % 100000 - 1) % 6 "
				   "IN (0, 4)"),
			 (ok + twice) * THREADS);
	assert_int_equal(tmpdb_int(db, "SELECT COUNT(*) FROM t WHERE v = 2 AND k > 1000000"),
			 twice * THREADS);
	tmpdb_close(db);
}

/* A write sees the batch's earlier writes; its answer waits for the commit. */
static int read_back(struct sf_conn *c, void *ctx)
{
	int64_t *seen = ctx;
	int rc = sf_conn_begin(c, true);

	if (!rc)
		rc = sf_conn_int(c, seen, "SELECT COUNT(*) FROM u", "");
	if (!rc)
		rc = sf_conn_run(c, "INSERT INTO u(k) VALUES (?)", "i", *seen + 1) < 0 ? SF_EDB : 0;
	if (rc) {
		sf_conn_rollback(c);
		return rc;
	}
	return sf_conn_commit(c);
}

struct async_box {
	struct sf_db_job job;
	int64_t seen;
	int rc;
	atomic_int *done;
};

static void async_done(struct sf_db_job *job)
{
	struct async_box *b = (struct async_box *)(void *)job;

	b->rc = job->rc;
	atomic_fetch_add(b->done, 1);
}

static void async_writes_and_close(void **state)
{
	struct sf_db *db = open_db();
	struct async_box boxes[64];
	atomic_int done = 0;

	(void)state;
	for (int i = 0; i < 64; i++) {
		boxes[i] = (struct async_box){ .job = { .fn = read_back, .done = async_done },
					       .done = &done };
		boxes[i].job.ctx = &boxes[i].seen;
		assert_int_equal(sf_db_write_async(db, &boxes[i].job), 0);
	}
	/* Queued writes are all answered... */
	while (atomic_load(&done) < 64)
		usleep(1000);
	/* ...and ran in order, each seeing the ones before it. */
	for (int i = 0; i < 64; i++) {
		assert_int_equal(boxes[i].rc, 0);
		assert_int_equal(boxes[i].seen, i);
	}
	assert_int_equal(tmpdb_int(db, "SELECT COUNT(*) FROM u"), 64);
	tmpdb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_writes),
		cmocka_unit_test(async_writes_and_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The per-user change counters (store/changes.h) and the session cache
 * behind sf_store_session_lookup: two handles on one SQLite file stand for
 * two processes (each has its own descriptor and lock on the counter
 * file). A change counts once committed, not before and not after a
 * rollback, through the group commit too; a cached session is served until
 * a recorded change, and never after one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/changes.h"
#include "store/db_impl.h"
#include "store/schema.h"
#include "store/user.h"

#include "tmpdb.h"

static char path[64];
static char shm[80];

static struct sf_db *open_path(void)
{
	struct sf_db *db = NULL;
	struct sf_error err = { 0 };

	assert_int_equal(sf_db_open(path, 2, &db, &err), 0);
	return db;
}

static int setup(void **state)
{
	struct sf_error err = { 0 };
	struct sf_db *db;
	int applied = 0;

	tmpdb_new_path(path, sizeof(path), "chtest");
	snprintf(shm, sizeof(shm), "%s-sanfu.shm", path);
	db = open_path();
	assert_int_equal(sf_schema_migrate(db, 1700000000, &applied, &err), 0);
	sf_db_close(db);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmpdb_remove(path);
	unlink(shm);
	return 0;
}

static bool same(struct sf_db *db, int64_t user, const struct sf_changes_stamp *st)
{
	return sf_changes_same(db->changes, user, st);
}

static void commit_counts_rollback_does_not(void **state)
{
	struct sf_db *a = open_path(), *b = open_path();
	struct sf_changes_stamp st;
	struct sf_conn *c = sf_db_get(b);

	(void)state;
	assert_false(access(shm, F_OK) == 0); /* nobody cached anything yet */
	assert_true(sf_changes_stamp(a->changes, 42, &st));
	assert_true(access(shm, F_OK) == 0);
	assert_true(same(a, 42, &st));

	/* In a transaction: counted when it commits. */
	assert_int_equal(sf_conn_begin(c, true), 0);
	sf_changes_note(c, 42);
	assert_true(same(a, 42, &st));
	assert_int_equal(sf_conn_commit(c), 0);
	assert_false(same(a, 42, &st));

	/* Rolled back: nothing happened. */
	assert_true(sf_changes_stamp(a->changes, 42, &st));
	assert_int_equal(sf_conn_begin(c, true), 0);
	sf_changes_note(c, 42);
	sf_conn_rollback(c);
	assert_int_equal(sf_conn_begin(c, true), 0);
	assert_int_equal(sf_conn_commit(c), 0);
	assert_true(same(a, 42, &st));

	/* Outside a transaction the statement already committed. */
	sf_changes_note(c, 42);
	assert_false(same(a, 42, &st));

	/* Another user's counter is (nearly always) another slot. */
	assert_true(sf_changes_stamp(a->changes, 43, &st));
	sf_changes_note(c, 44);
	assert_true(same(a, 43, &st));
	sf_db_put(b, c);

	/* The last handle to close removes the file, not the first. */
	sf_db_close(b);
	assert_true(access(shm, F_OK) == 0);
	sf_db_close(a);
	assert_false(access(shm, F_OK) == 0);
}

static int note_in_write(struct sf_conn *c, void *ctx)
{
	int rc = sf_conn_begin(c, true);

	if (!rc) {
		sf_changes_note(c, *(int64_t *)ctx);
		rc = sf_conn_commit(c);
	}
	return rc;
}

static void group_commit_counts_before_done(void **state)
{
	struct sf_db *a = open_path(), *b = open_path();
	struct sf_changes_stamp st;
	int64_t user = 7;

	(void)state;
	assert_true(sf_changes_stamp(a->changes, user, &st));
	assert_int_equal(sf_db_write(b, note_in_write, &user), 0);
	assert_false(same(a, user, &st));
	sf_db_close(b);
	sf_db_close(a);
}

static void many_users_count_for_everybody(void **state)
{
	struct sf_db *a = open_path();
	struct sf_changes_stamp st;
	struct sf_conn *c = sf_db_get(a);

	(void)state;
	assert_true(sf_changes_stamp(a->changes, 1000, &st));
	assert_int_equal(sf_conn_begin(c, true), 0);
	for (int64_t u = 1; u <= 20; u++)
		sf_changes_note(c, u);
	assert_int_equal(sf_conn_commit(c), 0);
	assert_false(same(a, 1000, &st));
	sf_db_put(a, c);
	sf_db_close(a);
}

/* A user with a session; returns the user id. */
static int64_t user_with_session(struct sf_db *db, const char *login, const char *hash,
				 int64_t expires)
{
	struct sf_conn *c = sf_db_get(db);
	struct sf_user u = { 0 };
	int64_t id = 0;

	snprintf(u.login, sizeof(u.login), "%s", login);
	snprintf(u.name, sizeof(u.name), "Name %s", login);
	snprintf(u.pw_hash, sizeof(u.pw_hash), "x");
	u.role = SF_ROLE_DISPATCHER;
	assert_int_equal(sf_store_user_insert(c, &u, NULL, NULL, 1700000000, &id), 0);
	assert_int_equal(sf_store_session_create(c, hash, id, "csrf-token", 1700000000, expires,
						 "127.0.0.1"),
			 0);
	sf_db_put(db, c);
	return id;
}

static int lookup_idle(struct sf_db *db, const char *hash, int64_t now, int idle, struct sf_user *u)
{
	struct sf_conn *c = sf_db_get(db);
	char csrf[64];
	int64_t sid = 0;
	int rc = sf_store_session_lookup(c, hash, now, idle, u, csrf, &sid);

	if (!rc)
		assert_string_equal(csrf, "csrf-token");
	sf_db_put(db, c);
	return rc;
}

static int lookup(struct sf_db *db, const char *hash, int64_t now, struct sf_user *u)
{
	return lookup_idle(db, hash, now, 600, u);
}

static void cached_session_until_a_change(void **state)
{
	const char *hash = "4b1d0f5e4b1d0f5e4b1d0f5e4b1d0f5e4b1d0f5e4b1d0f5e4b1d0f5e4b1d0f5e";
	struct sf_db *a = open_path(), *b = open_path();
	int64_t id = user_with_session(a, "gao", hash, 1700003600), t = 1700000010;
	struct sf_user u;
	struct sf_conn *c;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lookup(a, hash, t, &u), 0);
		assert_int_equal(u.id, id);
		assert_string_equal(u.name, "Name gao");
		assert_string_equal(u.pw_hash, "");
	}
	/* A change nobody records is not seen: the answer is the cache's. */
	c = sf_db_get(b);
	assert_int_equal(sf_conn_run(c, "UPDATE users SET name = 'Renamed' WHERE id = ?", "i", id),
			 1);
	assert_int_equal(lookup(a, hash, t, &u), 0);
	assert_string_equal(u.name, "Name gao");
	/* Recorded (in the other "process"), it is. */
	sf_store_user_changed(c, id);
	assert_int_equal(lookup(a, hash, t, &u), 0);
	assert_string_equal(u.name, "Renamed");
	assert_int_equal(lookup(a, hash, t, &u), 0);
	assert_int_equal(lookup(a, hash, t, &u), 0);
	/* Ended elsewhere: not found at once. */
	assert_int_equal(sf_store_session_delete(c, hash), 0);
	assert_int_equal(lookup(a, hash, t, &u), SF_ENOTFOUND);
	sf_db_put(b, c);
	sf_db_close(b);
	sf_db_close(a);
}

/* Expiry and idle time are checked on every answer from the cache, not
 * only when the database is asked (once a minute). */
static void cached_session_expires_and_goes_idle(void **state)
{
	const char *idle = "9e3779b99e3779b99e3779b99e3779b99e3779b99e3779b99e3779b99e3779b9";
	const char *ttl = "c2b2ae35c2b2ae35c2b2ae35c2b2ae35c2b2ae35c2b2ae35c2b2ae35c2b2ae35";
	const char *long_lived = "27d4eb2f27d4eb2f27d4eb2f27d4eb2f27d4eb2f27d4eb2f27d4eb2f27d4eb2f";
	struct sf_db *a = open_path();
	struct sf_user u;
	int64_t t;

	(void)state;
	user_with_session(a, "ma", idle, 1700003600);
	for (int i = 0; i < 3; i++)
		assert_int_equal(lookup_idle(a, idle, 1700000010, 30, &u), 0);
	assert_int_equal(lookup_idle(a, idle, 1700000031, 30, &u), SF_ENOTFOUND);

	user_with_session(a, "niu", ttl, 1700000030);
	for (int i = 0; i < 3; i++)
		assert_int_equal(lookup(a, ttl, 1700000010, &u), 0);
	assert_int_equal(lookup(a, ttl, 1700000030, &u), SF_ENOTFOUND);

	/* In use all along, a session lives until it expires. */
	user_with_session(a, "yang", long_lived, 1700003600);
	for (t = 1700000000 + 20; t < 1700003600; t += 20)
		assert_int_equal(lookup(a, long_lived, t, &u), 0);
	assert_int_equal(lookup(a, long_lived, 1700003600, &u), SF_ENOTFOUND);
	sf_db_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(commit_counts_rollback_does_not, setup, teardown),
		cmocka_unit_test_setup_teardown(group_commit_counts_before_done, setup, teardown),
		cmocka_unit_test_setup_teardown(many_users_count_for_everybody, setup, teardown),
		cmocka_unit_test_setup_teardown(cached_session_until_a_change, setup, teardown),
		cmocka_unit_test_setup_teardown(cached_session_expires_and_goes_idle, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

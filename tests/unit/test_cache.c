/* sf_cache (util/cache.h): a hit only with the same key and validator, a
 * changed validator drops the entry, the least recently used is evicted,
 * keys never share answers, caps refuse what is too big, and threads see
 * whole values. And the validator the dashboard reads (sf_store_chain_stamp)
 * moves with every audit entry and event. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/chain.h"
#include "store/db.h"
#include "store/schema.h"
#include "util/buf.h"
#include "util/cache.h"
#include "util/err.h"

#include "tmpdb.h"

/* get into a fresh buffer; the value (or "") in *text, to be freed. */
static bool get(struct sf_cache *c, const char *key, const char *validator, char **text)
{
	struct sf_buf b;
	bool hit;

	sf_buf_init(&b, 0);
	hit = sf_cache_get(c, key, validator, strlen(validator), &b);
	*text = sf_buf_detach(&b, NULL);
	return hit;
}

static void put(struct sf_cache *c, const char *key, const char *validator, const char *val)
{
	assert_int_equal(sf_cache_put(c, key, validator, strlen(validator), val, strlen(val)), 0);
}

static void hit_with_the_same_validator(void **state)
{
	struct sf_cache c;
	struct sf_cache_counts k;
	char *t;

	(void)state;
	sf_cache_init(&c, 4, 1024);
	assert_false(get(&c, "all|zh", "events:7", &t));
	assert_string_equal(t, "");
	free(t);
	put(&c, "all|zh", "events:7", "{\"received\":9");
	assert_true(get(&c, "all|zh", "events:7", &t));
	assert_string_equal(t, "{\"received\":9");
	free(t);
	/* A hit appends to what the buffer holds. */
	{
		struct sf_buf b;

		sf_buf_init(&b, 0);
		sf_buf_adds(&b, "<");
		assert_true(sf_cache_get(&c, "all|zh", "events:7", 8, &b));
		assert_string_equal(b.data, "<{\"received\":9");
		sf_buf_release(&b);
	}
	sf_cache_counts(&c, &k);
	assert_int_equal(k.hits, 2);
	assert_int_equal(k.misses, 1);
	assert_int_equal(k.entries, 1);
	assert_int_equal(k.bytes, strlen("{\"received\":9"));
	sf_cache_release(&c);
}

static void changed_validator_misses_and_drops(void **state)
{
	struct sf_cache c;
	struct sf_cache_counts k;
	char *t;

	(void)state;
	sf_cache_init(&c, 4, 1024);
	put(&c, "all|zh", "events:7|day:20261129", "old answer");
	/* The chain moved: the old answer must not come back. */
	assert_false(get(&c, "all|zh", "events:8|day:20261129", &t));
	assert_string_equal(t, "");
	free(t);
	/* The day moved. */
	put(&c, "all|zh", "events:8|day:20261129", "answer of the 29th");
	assert_false(get(&c, "all|zh", "events:8|day:20261130", &t));
	free(t);
	/* A validator that is a prefix of the stored one is another one. */
	put(&c, "all|zh", "events:8", "short");
	assert_false(get(&c, "all|zh", "events:", &t));
	free(t);
	/* Dropped, even for the validator it had. */
	assert_false(get(&c, "all|zh", "events:8", &t));
	free(t);
	sf_cache_counts(&c, &k);
	assert_int_equal(k.hits, 0);
	assert_int_equal(k.stale, 3);
	assert_int_equal(k.misses, 4);
	assert_int_equal(k.entries, 0);
	assert_int_equal(k.bytes, 0);
	sf_cache_release(&c);
}

static void least_recently_used_is_evicted(void **state)
{
	struct sf_cache c;
	struct sf_cache_counts k;
	char *t;

	(void)state;
	sf_cache_init(&c, 3, 1024);
	put(&c, "a", "v", "A");
	put(&c, "b", "v", "B");
	put(&c, "c", "v", "C");
	assert_true(get(&c, "a", "v", &t)); /* a is now used after b and c */
	free(t);
	put(&c, "d", "v", "D"); /* evicts b */
	assert_false(get(&c, "b", "v", &t));
	free(t);
	assert_true(get(&c, "a", "v", &t));
	assert_string_equal(t, "A");
	free(t);
	assert_true(get(&c, "c", "v", &t));
	assert_string_equal(t, "C");
	free(t);
	assert_true(get(&c, "d", "v", &t));
	assert_string_equal(t, "D");
	free(t);
	/* Replacing a key takes no other slot. */
	put(&c, "a", "w", "A2");
	assert_true(get(&c, "c", "v", &t));
	free(t);
	assert_true(get(&c, "d", "v", &t));
	free(t);
	assert_true(get(&c, "a", "w", &t));
	assert_string_equal(t, "A2");
	free(t);
	sf_cache_counts(&c, &k);
	assert_int_equal(k.evictions, 1);
	assert_int_equal(k.entries, 3);
	assert_int_equal(k.bytes, 4);
	sf_cache_release(&c);
}

static void keys_are_separate(void **state)
{
	struct sf_cache c;
	char *t;

	(void)state;
	sf_cache_init(&c, 8, 1024);
	/* Two scopes, same data: each sees its own answer. */
	put(&c, "1|/1/4/|zh", "events:7", "dept 4");
	put(&c, "1|/1/5/|zh", "events:7", "dept 5");
	put(&c, "1|/1/4/|en", "events:7", "dept 4 in English");
	assert_true(get(&c, "1|/1/4/|zh", "events:7", &t));
	assert_string_equal(t, "dept 4");
	free(t);
	assert_true(get(&c, "1|/1/5/|zh", "events:7", &t));
	assert_string_equal(t, "dept 5");
	free(t);
	assert_true(get(&c, "1|/1/4/|en", "events:7", &t));
	assert_string_equal(t, "dept 4 in English");
	free(t);
	/* A key that is a prefix of another is another key. */
	assert_false(get(&c, "1|/1/4/", "events:7", &t));
	free(t);
	assert_false(get(&c, "1|/1/", "events:7", &t));
	free(t);
	sf_cache_release(&c);
}

static void caps_refuse_what_is_too_big(void **state)
{
	struct sf_cache c;
	struct sf_cache_counts k;
	char big[SF_CACHE_KEY_MAX + 1];
	char *t;

	(void)state;
	sf_cache_init(&c, 2, 8);
	assert_int_equal(sf_cache_put(&c, "k", "v", 1, "123456789", 9), SF_ETOOBIG);
	assert_int_equal(sf_cache_put(&c, "k", "v", 1, "12345678", 8), 0);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sf_cache_put(&c, big, "v", 1, "x", 1), SF_ETOOBIG);
	assert_int_equal(sf_cache_put(&c, "k2", big, SF_CACHE_VALIDATOR_MAX + 1, "x", 1),
			 SF_ETOOBIG);
	/* An empty value is a value. */
	assert_int_equal(sf_cache_put(&c, "empty", "v", 1, "", 0), 0);
	assert_true(get(&c, "empty", "v", &t));
	assert_string_equal(t, "");
	free(t);
	assert_true(get(&c, "k", "v", &t));
	assert_string_equal(t, "12345678");
	free(t);
	sf_cache_counts(&c, &k);
	assert_int_equal(k.entries, 2);
	assert_int_equal(k.bytes, 8);
	sf_cache_release(&c);
	sf_cache_release(NULL);
}

/* Threads put and get values that spell their key and validator: a hit
 * must return the whole value stored with exactly that pair. */
struct hammer {
	struct sf_cache *c;
	int id;
	int bad;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	char key[16], validator[16], want[128];
	struct sf_buf b;

	sf_buf_init(&b, 0);
	for (int i = 0; i < 20000; i++) {
		int k = (i * 7 + h->id) % 12, v = (i / 50 + h->id) % 3;

		snprintf(key, sizeof(key), "key%d", k);
		snprintf(validator, sizeof(validator), "v%d", v);
		snprintf(want, sizeof(want), "value of %s at %s, padded to be copied %d", key,
			 validator, k * 1000 + v);
		sf_buf_reset(&b);
		if (sf_cache_get(h->c, key, validator, strlen(validator), &b)) {
			if (strcmp(b.data, want) != 0)
				h->bad++;
		} else {
			sf_cache_put(h->c, key, validator, strlen(validator), want, strlen(want));
		}
	}
	sf_buf_release(&b);
	return NULL;
}

static void threads_see_whole_values(void **state)
{
	struct sf_cache c;
	struct sf_cache_counts k;
	struct hammer h[4];
	pthread_t t[4];

	(void)state;
	sf_cache_init(&c, 8, 1024); /* fewer slots than keys: evictions too */
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ &c, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].bad, 0);
	}
	sf_cache_counts(&c, &k);
	assert_int_equal(k.hits + k.misses, 4 * 20000);
	assert_true(k.hits > 0);
	assert_true(k.entries <= 8);
	sf_cache_release(&c);
}

static void chain_stamp_moves_with_the_chains(void **state)
{
	struct sf_db *db = NULL;
	struct sf_conn *c;
	struct sf_error err = { 0 };
	char path[64], s0[SF_CHAIN_STAMP_MAX], s1[SF_CHAIN_STAMP_MAX], s2[SF_CHAIN_STAMP_MAX];
	struct sf_audit_entry ae = { .at = 1780000000,
				     .actor_name = "admin",
				     .action = "unit_update",
				     .target = "unit:4",
				     .reason = "name_zh",
				     .ip = "127.0.0.1" };
	int applied = 0;

	(void)state;
	tmpdb_new_path(path, sizeof(path), "cachetest");
	assert_int_equal(sf_db_open(path, 2, &db, &err), 0);
	assert_int_equal(sf_schema_migrate(db, 1780000000, &applied, &err), 0);
	c = sf_db_get(db);
	assert_int_equal(sf_store_chain_stamp(c, s0), 0);
	assert_string_equal(s0, "audit:0:" SF_CHAIN_ZERO ";events:0:" SF_CHAIN_ZERO ";");
	/* The same stamp while nothing is appended. */
	assert_int_equal(sf_store_chain_stamp(c, s1), 0);
	assert_string_equal(s0, s1);
	/* An administrator's change is audited: the stamp moves. */
	assert_int_equal(sf_store_audit_append(c, &ae), 0);
	assert_int_equal(sf_store_chain_stamp(c, s1), 0);
	assert_string_not_equal(s0, s1);
	assert_non_null(strstr(s1, "audit:1:"));
	/* An event moves the events head. */
	assert_int_equal(sf_store_chain_advance(c, "events", 1, "ab12"), 0);
	assert_int_equal(sf_store_chain_stamp(c, s2), 0);
	assert_string_not_equal(s1, s2);
	assert_non_null(strstr(s2, ";events:1:ab12;"));
	sf_db_put(db, c);
	sf_db_close(db);
	tmpdb_remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hit_with_the_same_validator),
		cmocka_unit_test(changed_validator_misses_and_drops),
		cmocka_unit_test(least_recently_used_is_evicted),
		cmocka_unit_test(keys_are_separate),
		cmocka_unit_test(caps_refuse_what_is_too_big),
		cmocka_unit_test(threads_see_whole_values),
		cmocka_unit_test(chain_stamp_moves_with_the_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* sf_buf and sf_arena: the invariants every response and request relies on
 * (always NUL-terminated, a hard cap with a sticky error, detach hands the
 * bytes over), and the arena's alignment and sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

static void empty_buffer_is_an_empty_string(void **state)
{
	struct sf_buf b;

	(void)state;
	sf_buf_init(&b, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_true(sf_buf_ok(&b));
	sf_buf_release(&b);
	assert_string_equal(b.data, "");
}

static void appends_keep_the_nul(void **state)
{
	struct sf_buf b;

	(void)state;
	sf_buf_init(&b, 0);
	sf_buf_adds(&b, "工单");
	sf_buf_addch(&b, '#');
	sf_buf_addf(&b, "%d-%s", 42, "ok");
	sf_buf_add(&b, "xyz", 2);
	assert_string_equal(b.data, "工单#42-okxy");
	assert_int_equal(b.len, strlen("工单#42-okxy"));
	assert_int_equal(b.data[b.len], '\0');
	sf_buf_release(&b);
}

static void growth_past_many_blocks(void **state)
{
	struct sf_buf b;

	(void)state;
	sf_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		sf_buf_addf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 39996, "9999", 4);
	sf_buf_release(&b);
}

static void the_cap_is_sticky(void **state)
{
	struct sf_buf b;

	(void)state;
	sf_buf_init(&b, 8);
	sf_buf_adds(&b, "12345678");
	assert_true(sf_buf_ok(&b));
	assert_string_equal(b.data, "12345678");
	sf_buf_addch(&b, '9');
	assert_false(sf_buf_ok(&b));
	/* later small appends are ignored, not half-written */
	sf_buf_adds(&b, "");
	sf_buf_addf(&b, "%s", "x");
	assert_false(sf_buf_ok(&b));
	assert_string_equal(b.data, "12345678");
	sf_buf_reset(&b);
	assert_true(sf_buf_ok(&b));
	assert_string_equal(b.data, "");
	sf_buf_release(&b);
}

static void a_formatted_append_over_the_cap_writes_nothing(void **state)
{
	struct sf_buf b;

	(void)state;
	sf_buf_init(&b, 10);
	sf_buf_adds(&b, "abc");
	sf_buf_addf(&b, "%s", "0123456789");
	assert_false(sf_buf_ok(&b));
	assert_string_equal(b.data, "abc");
	sf_buf_release(&b);
}

static void detach_hands_over_the_bytes(void **state)
{
	struct sf_buf b;
	size_t n = 0;
	char *s;

	(void)state;
	sf_buf_init(&b, 0);
	sf_buf_adds(&b, "回访");
	s = sf_buf_detach(&b, &n);
	assert_string_equal(s, "回访");
	assert_int_equal(n, strlen("回访"));
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	free(s);
	/* detaching an empty buffer still gives a string to free */
	s = sf_buf_detach(&b, &n);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	sf_buf_release(&b);
}

static void arena_allocations_are_aligned_and_distinct(void **state)
{
	struct sf_arena a;
	char *big;
	void *prev = NULL;

	(void)state;
	sf_arena_init(&a);
	for (int i = 1; i < 500; i++) {
		void *p = sf_arena_alloc(&a, (size_t)i);

		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		assert_ptr_not_equal(p, prev);
		memset(p, 0xAB, (size_t)i);
		prev = p;
	}
	big = sf_arena_alloc(&a, 100000);
	memset(big, 1, 100000);
	assert_string_equal(sf_arena_strdup(&a, "仓前街道"), "仓前街道");
	assert_string_equal(sf_arena_strndup(&a, "abcdef", 3), "abc");
	assert_string_equal(sf_arena_printf(&a, "%s-%03d", "SF", 7), "SF-007");
	assert_null(sf_arena_strdup(&a, NULL));
	{
		unsigned char *z = sf_arena_zalloc(&a, 64);

		for (int i = 0; i < 64; i++)
			assert_int_equal(z[i], 0);
	}
	sf_arena_release(&a);
	assert_null(a.head);
	/* reusable after release */
	assert_string_equal(sf_arena_strdup(&a, "again"), "again");
	sf_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_buffer_is_an_empty_string),
		cmocka_unit_test(appends_keep_the_nul),
		cmocka_unit_test(growth_past_many_blocks),
		cmocka_unit_test(the_cap_is_sticky),
		cmocka_unit_test(a_formatted_append_over_the_cap_writes_nothing),
		cmocka_unit_test(detach_hands_over_the_bytes),
		cmocka_unit_test(arena_allocations_are_aligned_and_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

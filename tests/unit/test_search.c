/* Unit tests for domain/search: the bigram terms of mixed Chinese and ASCII
 * text that the order search index stores, deduplicated and lowercased, and
 * split at whitespace and punctuation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/search.h"

static void terms_of(struct sf_search_terms *t, const char *text, size_t max_chars)
{
	sf_search_terms_init(t);
	sf_search_terms_add(t, text, strlen(text), max_chars);
	sf_search_terms_finish(t);
}

static bool has(const struct sf_search_terms *t, const char *term)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->term[i], term) == 0)
			return true;
	return false;
}

static void test_chinese(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "路灯不亮", 0);
	assert_int_equal(t.n, 3);
	assert_true(has(&t, "路灯"));
	assert_true(has(&t, "灯不"));
	assert_true(has(&t, "不亮"));
	sf_search_terms_release(&t);
}

static void test_mixed_and_lowercase(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "5号楼LED灯", 0);
	/* 5号 号楼 楼l le ed d灯 */
	assert_int_equal(t.n, 6);
	assert_true(has(&t, "5号"));
	assert_true(has(&t, "楼l"));
	assert_true(has(&t, "le"));
	assert_true(has(&t, "ed"));
	assert_true(has(&t, "d灯"));
	assert_false(has(&t, "LE"));
	sf_search_terms_release(&t);
}

static void test_dedup(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "噪音噪音噪音", 0);
	/* 噪音 音噪 */
	assert_int_equal(t.n, 2);
	assert_true(has(&t, "噪音"));
	assert_true(has(&t, "音噪"));
	sf_search_terms_release(&t);
	terms_of(&t, "AbAB ab", 0);
	/* ab ba */
	assert_int_equal(t.n, 2);
	sf_search_terms_release(&t);
}

static void test_separators(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "路灯，坏了 停车。SF-01\u3000水管", 0);
	assert_true(has(&t, "路灯"));
	assert_true(has(&t, "坏了"));
	assert_true(has(&t, "停车"));
	assert_true(has(&t, "sf"));
	assert_true(has(&t, "01"));
	assert_true(has(&t, "水管"));
	assert_false(has(&t, "灯，"));
	assert_false(has(&t, "灯坏"));
	assert_false(has(&t, "了停"));
	assert_false(has(&t, "f-"));
	assert_false(has(&t, "车s"));
	assert_int_equal(t.n, 6);
	sf_search_terms_release(&t);
}

static void test_single_and_empty(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "灯", 0);
	assert_int_equal(t.n, 0);
	sf_search_terms_release(&t);
	terms_of(&t, "", 0);
	assert_int_equal(t.n, 0);
	sf_search_terms_release(&t);
	sf_search_terms_init(&t);
	sf_search_terms_add(&t, NULL, 0, 0);
	assert_int_equal(t.n, 0);
	sf_search_terms_release(&t);
}

static void test_max_chars_and_invalid(void **state)
{
	struct sf_search_terms t;

	(void)state;
	terms_of(&t, "一二三四五", 3);
	assert_int_equal(t.n, 2); /* 一二 二三 */
	assert_false(has(&t, "三四"));
	sf_search_terms_release(&t);
	/* An ill-formed byte separates like punctuation and is never copied. */
	terms_of(&t,
		 "ab\xff"
		 "cd",
		 0);
	assert_int_equal(t.n, 2);
	assert_true(has(&t, "ab"));
	assert_true(has(&t, "cd"));
	sf_search_terms_release(&t);
}

static void test_query_bigrams_subset(void **state)
{
	struct sf_search_terms text, q;

	(void)state;
	/* Every bigram of a substring is a bigram of the text. */
	terms_of(&text, "幸福路12号楼道灯坏了，晚上很黑", 0);
	terms_of(&q, "楼道灯", 0);
	assert_int_equal(q.n, 2);
	for (size_t i = 0; i < q.n; i++)
		assert_true(has(&text, q.term[i]));
	sf_search_terms_release(&text);
	sf_search_terms_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_mixed_and_lowercase),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_single_and_empty),
		cmocka_unit_test(test_max_chars_and_invalid),
		cmocka_unit_test(test_query_bigrams_subset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

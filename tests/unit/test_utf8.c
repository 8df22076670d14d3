/* Unit tests for util/utf8: the strict validator every request body passes
 * through, character counts behind field limits, and control detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static void test_valid_accepts_real_text(void **state)
{
	assert_true(sf_utf8_valid(S("")));
	assert_true(sf_utf8_valid(S("plain ascii ~")));
	assert_true(sf_utf8_valid(S("路灯不亮，请尽快维修")));
	assert_true(sf_utf8_valid(S("café ½ € 😀")));
	assert_true(sf_utf8_valid(S("\xEF\xBF\xBF")));     /* U+FFFF */
	assert_true(sf_utf8_valid(S("\xF4\x8F\xBF\xBF"))); /* U+10FFFF */
	assert_true(sf_utf8_valid(S("\xED\x9F\xBF")));     /* U+D7FF, below surrogates */
	assert_true(sf_utf8_valid(S("\xEE\x80\x80")));     /* U+E000, above surrogates */
}

static void test_valid_rejects_ill_formed(void **state)
{
	assert_false(sf_utf8_valid(S("\xC0\xAF")));         /* overlong '/' */
	assert_false(sf_utf8_valid(S("\xC1\xBF")));         /* overlong */
	assert_false(sf_utf8_valid(S("\xE0\x80\xAF")));     /* overlong, 3 bytes */
	assert_false(sf_utf8_valid(S("\xE0\x9F\xBF")));     /* overlong U+07FF */
	assert_false(sf_utf8_valid(S("\xF0\x80\x80\xAF"))); /* overlong, 4 bytes */
	assert_false(sf_utf8_valid(S("\xF0\x8F\xBF\xBF"))); /* overlong U+FFFF */
	assert_false(sf_utf8_valid(S("\xED\xA0\x80")));     /* surrogate U+D800 */
	assert_false(sf_utf8_valid(S("\xED\xBF\xBF")));     /* surrogate U+DFFF */
	assert_false(sf_utf8_valid(S("\xF4\x90\x80\x80"))); /* U+110000 */
	assert_false(sf_utf8_valid(S("\xF5\x80\x80\x80")));
	assert_false(sf_utf8_valid(S("\xFF")));
	assert_false(sf_utf8_valid(S("\x80")));        /* lone continuation */
	assert_false(sf_utf8_valid(S("abc\xE4\xB8"))); /* truncated 中 */
	assert_false(sf_utf8_valid(S("\xE4\xB8"
				     "a")));    /* interrupted */
	assert_false(sf_utf8_valid(S("a\0b"))); /* NUL byte */
	/* The length is honoured: the first two bytes of 中 alone are truncated. */
	assert_false(sf_utf8_valid("中", 2));
	assert_true(sf_utf8_valid("中", 3));
}

/* Every two-byte string against the rule written out by hand. */
static void test_valid_all_two_byte_strings(void **state)
{
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			char s[2] = { (char)a, (char)b };
			bool ascii = a > 0 && a < 0x80 && b > 0 && b < 0x80;
			bool pair = a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF;

			if (sf_utf8_valid(s, 2) != (ascii || pair))
				fail_msg("bytes %02x %02x", a, b);
		}
	}
}

/* Every scalar value encodes, validates and decodes back to itself. */
static void test_encode_decode_every_code_point(void **state)
{
	char out[4];
	int32_t cp;

	for (uint32_t c = 1; c <= 0x10FFFF; c++) {
		size_t n = sf_utf8_encode(c, out);

		if (c >= 0xD800 && c <= 0xDFFF) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
		if (!sf_utf8_valid(out, n))
			fail_msg("U+%04X not valid", (unsigned)c);
		assert_int_equal(sf_utf8_decode(out, n, &cp), n);
		assert_int_equal(cp, (int32_t)c);
	}
	assert_int_equal(sf_utf8_encode(0x110000, out), 0);
}

static void test_decode_splits_ill_formed_into_maximal_parts(void **state)
{
	int32_t cp;

	/* Truncated 中: both bytes are one bad part. */
	assert_int_equal(sf_utf8_decode(S("\xE4\xB8"), &cp), 2);
	assert_int_equal(cp, -1);
	/* Surrogate: ED cannot be followed by A0, so each byte is its own part. */
	assert_int_equal(sf_utf8_decode(S("\xED\xA0\x80"), &cp), 1);
	assert_int_equal(cp, -1);
	assert_int_equal(sf_utf8_decode(S("\xF0\x9F\x98"
					  "x"),
					&cp),
			 3);
	assert_int_equal(cp, -1);
	assert_int_equal(sf_utf8_decode(S("\xF0\x9F\x98\x80"), &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(sf_utf8_decode("", 0, &cp), 0);
	assert_int_equal(cp, -1);
}

static void test_count_characters_not_bytes(void **state)
{
	assert_int_equal(sf_utf8_count(S("")), 0);
	assert_int_equal(sf_utf8_count(S("abc")), 3);
	assert_int_equal(sf_utf8_count(S("中文abc")), 5);
	assert_int_equal(sf_utf8_count(S("😀é")), 2);
	/* a, truncated 中 (one), b */
	assert_int_equal(sf_utf8_count(S("a\xE4\xB8"
					 "b")),
			 3);
}

static void test_prefix_cuts_on_boundaries(void **state)
{
	const char *s = "中文abc😀";
	size_t len = strlen(s);

	assert_int_equal(sf_utf8_prefix(s, len, 0), 0);
	assert_int_equal(sf_utf8_prefix(s, len, 1), 3);
	assert_int_equal(sf_utf8_prefix(s, len, 2), 6);
	assert_int_equal(sf_utf8_prefix(s, len, 3), 7);
	assert_int_equal(sf_utf8_prefix(s, len, 5), 9);
	assert_int_equal(sf_utf8_prefix(s, len, 6), len);
	assert_int_equal(sf_utf8_prefix(s, len, 100), len);
	/* A truncated tail is never over-read. */
	assert_int_equal(sf_utf8_prefix("a\xE4\xB8", 3, 5), 3);
}

static void test_has_control(void **state)
{
	assert_false(sf_utf8_has_control(S("普通的一行 text"), false));
	assert_true(sf_utf8_has_control(S("two\nlines"), false));
	assert_false(sf_utf8_has_control(S("two\nlines\r\n\tindented"), true));
	assert_true(sf_utf8_has_control(S("bell\a"), true));
	assert_true(sf_utf8_has_control(S("esc\x1b[31m"), true));
	assert_true(sf_utf8_has_control(S("del\x7f"), true));
	assert_true(sf_utf8_has_control("nul\0x", 5, true));
	assert_true(sf_utf8_has_control(S("next line \xC2\x85"), true)); /* U+0085 */
	assert_false(sf_utf8_has_control(S("nbsp\xC2\xA0"), false));     /* U+00A0 is text */
	assert_false(sf_utf8_has_control(S("\xC2"), false));             /* truncated, no C1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_accepts_real_text),
		cmocka_unit_test(test_valid_rejects_ill_formed),
		cmocka_unit_test(test_valid_all_two_byte_strings),
		cmocka_unit_test(test_encode_decode_every_code_point),
		cmocka_unit_test(test_decode_splits_ill_formed_into_maximal_parts),
		cmocka_unit_test(test_count_characters_not_bytes),
		cmocka_unit_test(test_prefix_cuts_on_boundaries),
		cmocka_unit_test(test_has_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

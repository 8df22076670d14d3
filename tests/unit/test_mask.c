/* Unit tests for domain/mask: what a screen shows of phones, ID numbers and
 * names, and phone normalisation for sealing and the keyed index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/mask.h"
#include "util/err.h"

typedef size_t (*mask_fn)(const char *, char *, size_t);

static void check(mask_fn fn, const char *in, const char *want)
{
	char out[128];
	size_t n;

	memset(out, 'Z', sizeof(out));
	n = fn(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("\"%s\" -> \"%s\", want \"%s\"", in ? in : "(null)", out, want);
	assert_int_equal(n, strlen(want));
}

static void test_phone_mobile(void **state)
{
	check(sf_mask_phone, "13812348000", "138****8000");
	check(sf_mask_phone, "+86 138-1234-8000", "138****8000");
	check(sf_mask_phone, "+8613812348000", "138****8000");
	check(sf_mask_phone, "8613812348000", "138****8000");
	check(sf_mask_phone, "0086 138 1234 8000", "138****8000");
	check(sf_mask_phone, "  138 1234 8000 ", "138****8000");
	check(sf_mask_phone, "(+86) 199-0000-1111", "199****1111");
	/* full-width digits as a Chinese input method types them */
	check(sf_mask_phone, "１３８１２３４８０００", "138****8000");
	check(sf_mask_phone, "＋８６　１３８－１２３４－８０００", "138****8000");
}

static void test_phone_landline(void **state)
{
	check(sf_mask_phone, "0571-88881234", "0571****1234");
	check(sf_mask_phone, "(0571) 8888 1234", "0571****1234");
	check(sf_mask_phone, "010-12345678", "010****5678");
	check(sf_mask_phone, "021 6123 4567", "021****4567");
	check(sf_mask_phone, "0571-8888123", "0571***8123");
	check(sf_mask_phone, "+86 571 8888 1234", "0571****1234");
	check(sf_mask_phone, "+86 10 1234 5678", "010****5678");
	check(sf_mask_phone, "88881234", "****1234");
}

static void test_phone_odd(void **state)
{
	check(sf_mask_phone, "12345", "***45");
	check(sf_mask_phone, "", "");
	check(sf_mask_phone, "   ", "");
	check(sf_mask_phone, NULL, "");
	/* never more than half, at most two */
	check(sf_mask_phone, "1234", "**34");
	check(sf_mask_phone, "123", "**3");
	check(sf_mask_phone, "12", "*2");
	check(sf_mask_phone, "1", "*");
	check(sf_mask_phone, "138123480001", "**********01");
	check(sf_mask_phone, "400-123-4567", "********67");
	check(sf_mask_phone, "+1 415 555 0100", "***********00");
	/* text, not a phone: characters, not bytes, are masked */
	check(sf_mask_phone, "无电话", "**话");
	check(sf_mask_phone, "138abcd8000", "*********00");
	check(sf_mask_phone, "ext 8", "*** 8");
}

static void test_id(void **state)
{
	check(sf_mask_id, "330110199001011234", "3301**********1234");
	check(sf_mask_id, "33011019900101123X", "3301**********123X");
	check(sf_mask_id, "33011019900101123x", "3301**********123X");
	check(sf_mask_id, " 330110199001011234 ", "3301**********1234");
	check(sf_mask_id, "330110900101123", "3301*******1123");
	/* not an ID number: the odd rule, nothing of the start shown */
	check(sf_mask_id, "E12345678", "*******78");
	check(sf_mask_id, "3301101990010112345", "*****************45");
	check(sf_mask_id, "33011019900101123Y", "****************3Y");
	check(sf_mask_id, "", "");
	check(sf_mask_id, NULL, "");
}

static void test_name(void **state)
{
	check(sf_mask_name, "张三", "张*");
	check(sf_mask_name, "欧阳娜娜", "欧***");
	check(sf_mask_name, "王小明", "王**");
	check(sf_mask_name, "阿依古丽·买买提", "阿*******");
	check(sf_mask_name, "Alice", "A****");
	check(sf_mask_name, "Zhang San", "Z********");
	check(sf_mask_name, " 李四 ", "李*");
	check(sf_mask_name, "张", "*");
	check(sf_mask_name, "A", "*");
	check(sf_mask_name, "", "");
	check(sf_mask_name, NULL, "");
	/* invalid UTF-8 counts as characters and is never copied out */
	check(sf_mask_name, "\xe5\xbc", "**");
	check(sf_mask_name, "\xff张三", "***");
	check(sf_mask_name, "张\xff", "张*");
	/* an overlong encoding of '/' is invalid, not a character */
	check(sf_mask_name, "\xc0\xafx", "***");
}

static void test_small_buffers(void **state)
{
	char out[12];

	/* exactly fits: 11 bytes and the NUL */
	assert_int_equal(sf_mask_phone("13812348000", out, 12), 11);
	assert_string_equal(out, "138****8000");
	/* one short: nothing partial is shown, the length needed is returned */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(sf_mask_phone("13812348000", out, 11), 11);
	assert_string_equal(out, "");
	/* a name is never cut inside a character */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(sf_mask_name("欧阳娜娜", out, 6), 6);
	assert_string_equal(out, "");
	assert_int_equal(sf_mask_name("欧阳娜娜", out, 7), 6);
	assert_string_equal(out, "欧***");
	/* cap 0: nothing written, length still reported */
	out[0] = 'Z';
	assert_int_equal(sf_mask_id("330110199001011234", out, 0), 18);
	assert_int_equal(out[0], 'Z');
}

static void norm_ok(const char *in, const char *want)
{
	char out[SF_PHONE_MAX];

	if (sf_phone_normalise(in, out, sizeof(out)) != 0)
		fail_msg("rejected: \"%s\"", in);
	if (strcmp(out, want) != 0)
		fail_msg("\"%s\" -> \"%s\", want \"%s\"", in, out, want);
}

static void norm_bad(const char *in, int rc)
{
	char out[SF_PHONE_MAX];

	memset(out, 'Z', sizeof(out));
	if (sf_phone_normalise(in, out, sizeof(out)) != rc)
		fail_msg("\"%s\" not refused with %d", in ? in : "(null)", rc);
	assert_string_equal(out, "");
}

static void test_normalise(void **state)
{
	/* one person, written every way, indexes the same */
	norm_ok("13812348000", "13812348000");
	norm_ok("+86 138-1234-8000", "13812348000");
	norm_ok("+86 (138) 1234 8000", "13812348000");
	norm_ok("8613812348000", "13812348000");
	norm_ok("0086-13812348000", "13812348000");
	norm_ok("138.1234.8000", "13812348000");
	norm_ok("１３８ １２３４ ８０００", "13812348000");
	/* landlines keep their area code */
	norm_ok("0571-88881234", "057188881234");
	norm_ok("+86 571 8888 1234", "057188881234");
	norm_ok("+86 0571 8888 1234", "057188881234");
	norm_ok("+86 10 12345678", "01012345678");
	norm_ok("+86 400 123 4567", "4001234567");
	norm_ok("88881234", "88881234");
	norm_ok("12345", "12345");
	norm_ok("12345678901234567890", "12345678901234567890");
	/* bare 86 is a country code only on a 13-digit mobile */
	norm_ok("8657188881234", "8657188881234");
	/* another country keeps its code behind 00, so it cannot pose as a mobile */
	norm_ok("+1 415 555 0100", "0014155550100");
	norm_ok("+44 20 7946 0958", "00442079460958");
}

static void test_normalise_rejects(void **state)
{
	char out[SF_PHONE_MAX];

	norm_bad("1234", SF_EINVAL);
	norm_bad("", SF_EINVAL);
	norm_bad("   ", SF_EINVAL);
	norm_bad(NULL, SF_EINVAL);
	norm_bad("123456789012345678901", SF_EINVAL);
	norm_bad("138abcd8000", SF_EINVAL);
	norm_bad("1381234800O", SF_EINVAL); /* letter O, not zero */
	norm_bad("0571-88881234转8", SF_EINVAL);
	norm_bad("0571-88881234 ext 8", SF_EINVAL);
	norm_bad("138+12348000", SF_EINVAL);
	norm_bad("++8613812348000", SF_EINVAL);
	norm_bad("13812348000/13912348000", SF_EINVAL);
	norm_bad("1381234\xff"
		 "8000",
		 SF_EINVAL);
	norm_bad("+86", SF_EINVAL);
	/* a doubled country prefix is refused, not half stripped */
	norm_bad("0086 0086 138 0013 8000", SF_EINVAL);
	norm_bad("+86 0086 1", SF_EINVAL);
	norm_bad("+86 8613800138000", SF_EINVAL);
	/* too small an output buffer is a different error from bad input */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(sf_phone_normalise("13812348000", out, 11), SF_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(sf_phone_normalise("13812348000", out, 12), 0);
	assert_string_equal(out, "13812348000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_mobile), cmocka_unit_test(test_phone_landline),
		cmocka_unit_test(test_phone_odd),    cmocka_unit_test(test_id),
		cmocka_unit_test(test_name),         cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_normalise),    cmocka_unit_test(test_normalise_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

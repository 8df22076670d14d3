/* Unit tests for domain/credit (unified social credit codes, GB 32100-2015,
 * and resident identity numbers, GB 11643-1999) and domain/industry (GB/T 4754-2017 sections and divisions): real codes
 * of well-known companies pass, every single-character corruption fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "domain/credit.h"
#include "domain/industry.h"

/* Published codes (business licences): Alibaba (China) Co., Ltd.,
 * Tencent (Shenzhen), Huawei Technologies, Xiaomi Communications, and
 * China National Petroleum. */
static const char *const real_codes[] = {
	"91330100716105852F", "9144030071526726XG", "914403001922038216",
	"91110108551385082Q", "91110000802100433B",
};

static void test_real_codes(void **state)
{
	for (size_t i = 0; i < sizeof(real_codes) / sizeof(real_codes[0]); i++) {
		size_t pos = 99;

		if (sf_credit_check(real_codes[i], &pos) != SF_CREDIT_OK)
			fail_msg("%s should be valid", real_codes[i]);
		assert_int_equal(pos, 0);
		assert_int_equal(sf_credit_check_char(real_codes[i]), real_codes[i][17]);
	}
}

static void test_every_corruption_fails(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

	/* Changing any one character to any other of the alphabet must be
	 * caught: the weights are powers of 3 modulo the prime 31. */
	for (size_t i = 0; i < sizeof(real_codes) / sizeof(real_codes[0]); i++) {
		for (size_t p = 0; p < 18; p++) {
			for (const char *a = alphabet; *a; a++) {
				char code[SF_CREDIT_SIZE];
				enum sf_credit_fault f;

				memcpy(code, real_codes[i], sizeof(code));
				if (code[p] == *a)
					continue;
				code[p] = *a;
				f = sf_credit_check(code, NULL);
				if (f == SF_CREDIT_OK)
					fail_msg("%s (position %zu changed) passed", code, p + 1);
			}
		}
	}
}

static void test_transposition_fails(void **state)
{
	for (size_t i = 0; i < sizeof(real_codes) / sizeof(real_codes[0]); i++) {
		for (size_t p = 8; p < 16; p++) {
			char code[SF_CREDIT_SIZE];

			memcpy(code, real_codes[i], sizeof(code));
			if (code[p] == code[p + 1])
				continue;
			code[p] = real_codes[i][p + 1];
			code[p + 1] = real_codes[i][p];
			assert_int_not_equal(sf_credit_check(code, NULL), SF_CREDIT_OK);
		}
	}
}

static void test_faults(void **state)
{
	size_t pos;

	assert_int_equal(sf_credit_check("", &pos), SF_CREDIT_EMPTY);
	assert_int_equal(sf_credit_check(NULL, &pos), SF_CREDIT_EMPTY);
	assert_int_equal(sf_credit_check("91330100716105852", &pos), SF_CREDIT_LENGTH);
	assert_int_equal(sf_credit_check("91330100716105852FF", &pos), SF_CREDIT_LENGTH);
	/* I, O, S, V, Z are not used (they look like 1, 0, 5, U, 2) */
	assert_int_equal(sf_credit_check("91330100716I05852F", &pos), SF_CREDIT_CHARACTER);
	assert_int_equal(pos, 12);
	assert_int_equal(sf_credit_check("9133010071610585OF", &pos), SF_CREDIT_CHARACTER);
	assert_int_equal(pos, 17);
	assert_int_equal(sf_credit_check("91A30100716105852F", &pos), SF_CREDIT_DIVISION);
	assert_int_equal(pos, 3);
	assert_int_equal(sf_credit_check("91330100716105852E", &pos), SF_CREDIT_CHECK);
	assert_int_equal(pos, 18);
	/* lowercase is a fault for the check; the normaliser fixes it first */
	assert_int_equal(sf_credit_check("9144030071526726xg", &pos), SF_CREDIT_CHARACTER);
	assert_non_null(strstr(sf_credit_fault_text(SF_CREDIT_CHECK, true), "校验位"));
	assert_non_null(strstr(sf_credit_fault_text(SF_CREDIT_CHECK, false), "check"));
}

static void test_normalise(void **state)
{
	char out[SF_CREDIT_SIZE + 8];

	sf_credit_normalise("  9144030071526726xg ", out, sizeof(out));
	assert_string_equal(out, "9144030071526726XG");
	sf_credit_normalise("9133 0100 7161 0585 2F", out, sizeof(out));
	assert_string_equal(out, "91330100716105852F");
	/* full-width, as a Chinese input method types them, and U+3000 */
	sf_credit_normalise("９１３３０１００７１６１０５８５２Ｆ　", out, sizeof(out));
	assert_string_equal(out, "91330100716105852F");
	assert_int_equal(sf_credit_check(out, NULL), SF_CREDIT_OK);
	/* a Chinese character stays visible as '?' and fails the check */
	sf_credit_normalise("91330100716105852码", out, sizeof(out));
	assert_string_equal(out, "91330100716105852?");
	sf_credit_normalise(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	/* too long for the buffer: cut, and then a wrong length */
	sf_credit_normalise("91330100716105852F91330100716105852F", out, SF_CREDIT_SIZE);
	assert_int_equal(strlen(out), 18);
}

static void test_make_valid(void **state)
{
	/* The demo seed computes check characters for generated codes. */
	char code[SF_CREDIT_SIZE] = "91330110MA2AXK7B0";

	code[17] = sf_credit_check_char(code);
	code[18] = '\0';
	assert_int_equal(sf_credit_check(code, NULL), SF_CREDIT_OK);
	assert_int_equal(sf_credit_check_char("91330110MA2AXK7BI"), '\0');
}

static void test_industry(void **state)
{
	assert_string_equal(sf_industry_section_name("C"), "制造业");
	assert_string_equal(sf_industry_section_name("I"), "信息传输、软件和信息技术服务业");
	assert_null(sf_industry_section_name("U"));
	assert_null(sf_industry_section_name("CC"));
	assert_null(sf_industry_section_name(""));
	assert_int_equal(sf_industry_section_of("39"), 'C');
	assert_int_equal(sf_industry_section_of("65"), 'I');
	assert_int_equal(sf_industry_section_of("01"), 'A');
	assert_int_equal(sf_industry_section_of("97"), 'T');
	assert_int_equal(sf_industry_section_of("98"), '\0');
	assert_int_equal(sf_industry_section_of("00"), '\0');
	assert_int_equal(sf_industry_section_of("6"), '\0');
	assert_true(sf_industry_valid("C", "38"));
	assert_true(sf_industry_valid("C", ""));
	assert_true(sf_industry_valid("K", "70"));
	assert_false(sf_industry_valid("C", "65"));
	assert_false(sf_industry_valid("Z", ""));
	assert_false(sf_industry_valid(NULL, NULL));
}

static void test_resident_id(void **state)
{
	char out[32];

	/* the example of GB 11643-1999 itself */
	assert_true(sf_resident_id_valid("11010519491231002X"));
	assert_true(sf_resident_id_valid("330110199003071230"));
	assert_false(sf_resident_id_valid("330110199003071231")); /* check digit */
	assert_false(sf_resident_id_valid("11010519491231002"));  /* length */
	assert_false(sf_resident_id_valid("110105194902300021")); /* 30 February */
	assert_false(sf_resident_id_valid("1101051949123100X2")); /* X not last */
	assert_true(sf_resident_id_valid("110105491231002"));     /* old 15 digits */
	assert_false(sf_resident_id_valid(NULL));
	assert_int_equal(sf_resident_id_check_char("11010519491231002"), 'X');
	assert_int_equal(sf_resident_id_check_char("1101051949123100"), '\0');
	sf_resident_id_normalise(" 110105 19491231 002x ", out, sizeof(out));
	assert_string_equal(out, "11010519491231002X");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_codes),
		cmocka_unit_test(test_every_corruption_fails),
		cmocka_unit_test(test_transposition_fails),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_make_valid),
		cmocka_unit_test(test_industry),
		cmocka_unit_test(test_resident_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for util/form: the form-encoded body parser behind the Open311
 * POST (decoding, repeated keys, caps, UTF-8, attribute[CODE][] keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/form.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static int parse(struct sf_arena *a, const char *body, size_t len, struct sf_form *f,
		 struct sf_error *err)
{
	memset(err, 0, sizeof(*err));
	return sf_form_parse(a, body, len, NULL, f, err);
}

static void test_decodes_plus_and_percent(void **state)
{
	struct sf_arena a;
	struct sf_form f;
	struct sf_error err;

	sf_arena_init(&a);
	assert_int_equal(parse(&a,
			       S("service_code=001&description=A+large%20hole+%26+%3Cb%3E"
				 "&address_string=%E8%B7%AF%E7%81%AF"),
			       &f, &err),
			 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(sf_form_get(&f, "service_code"), "001");
	assert_string_equal(sf_form_get(&f, "description"), "A large hole & <b>");
	assert_string_equal(sf_form_get(&f, "address_string"), "路灯");
	assert_int_equal(f.fields[2].val_len, strlen("路灯"));
	assert_null(sf_form_get(&f, "missing"));
	/* Keys are decoded too, and a literal '+' needs %2B. */
	assert_int_equal(parse(&a, S("attribute%5BWHO%5D=a%2Bb&x+y=1"), &f, &err), 0);
	assert_string_equal(f.fields[0].key, "attribute[WHO]");
	assert_string_equal(f.fields[0].val, "a+b");
	assert_string_equal(sf_form_get(&f, "x y"), "1");
	sf_arena_release(&a);
}

static void test_repeated_empty_and_bare_keys(void **state)
{
	struct sf_arena a;
	struct sf_form f;
	struct sf_error err;

	sf_arena_init(&a);
	assert_int_equal(parse(&a, S("&a=1&&a=2&flag&b=&a=3&"), &f, &err), 0);
	assert_int_equal(f.n, 5);
	assert_int_equal(sf_form_count(&f, "a"), 3);
	assert_string_equal(sf_form_get(&f, "a"), "1");
	assert_string_equal(f.fields[1].val, "2");
	assert_string_equal(sf_form_get(&f, "flag"), "");
	assert_string_equal(sf_form_get(&f, "b"), "");
	assert_int_equal(sf_form_count(&f, "c"), 0);
	/* '=' inside a value is data. */
	assert_int_equal(parse(&a, S("k=a=b"), &f, &err), 0);
	assert_string_equal(sf_form_get(&f, "k"), "a=b");
	/* Empty and NULL bodies are empty forms. */
	assert_int_equal(parse(&a, "", 0, &f, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(parse(&a, NULL, 5, &f, &err), 0);
	assert_int_equal(f.n, 0);
	/* The length is honoured: nothing past len is read. */
	assert_int_equal(parse(&a, "a=12&b=3", 4, &f, &err), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(sf_form_get(&f, "a"), "12");
	sf_arena_release(&a);
}

static void test_rejects_bad_escapes(void **state)
{
	static const char *bad[] = { "a=%",  "a=%4",       "a=%G1",    "a=%4G",
				     "a%=1", "a=1&b=%%41", "a=ok&b=x%" };
	struct sf_arena a;
	struct sf_form f;
	struct sf_error err;

	sf_arena_init(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&a, bad[i], strlen(bad[i]), &f, &err), SF_EINVAL);
		assert_string_equal(err.code, "invalid_encoding");
		assert_int_equal(f.n, 0);
	}
	sf_arena_release(&a);
}

static void test_rejects_invalid_utf8_and_nul(void **state)
{
	struct sf_arena a;
	struct sf_form f;
	struct sf_error err;

	sf_arena_init(&a);
	assert_int_equal(parse(&a, S("description=%C0%AF"), &f, &err), SF_EINVAL); /* overlong */
	assert_string_equal(err.code, "invalid_utf8");
	assert_string_equal(err.field, "description");
	assert_int_equal(parse(&a, S("description=%ED%A0%80"), &f, &err),
			 SF_EINVAL);                                               /* surrogate */
	assert_int_equal(parse(&a, S("description=%E8%B7"), &f, &err), SF_EINVAL); /* truncated */
	assert_int_equal(parse(&a, S("description=a%00b"), &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "invalid_utf8");
	assert_int_equal(parse(&a, S("description=\xff"), &f, &err), SF_EINVAL);
	assert_int_equal(parse(&a, S("%FF=1"), &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "invalid_utf8");
	assert_int_equal(f.n, 0);
	sf_arena_release(&a);
}

static void test_caps(void **state)
{
	struct sf_arena a;
	struct sf_form f;
	struct sf_error err;
	struct sf_form_limits lim = { .max_fields = 3, .max_key = 8, .max_value = 5 };
	char big[40000];
	size_t n;

	sf_arena_init(&a);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sf_form_parse(&a, S("a=1&b=2&c=3"), &lim, &f, &err), 0);
	assert_int_equal(sf_form_parse(&a, S("a=1&b=2&c=3&d=4"), &lim, &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "too_many_fields");
	assert_int_equal(sf_form_parse(&a, S("a=12345"), &lim, &f, &err), 0);
	assert_int_equal(sf_form_parse(&a, S("a=123456"), &lim, &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "too_long");
	assert_string_equal(err.field, "a");
	/* The cap counts decoded bytes: %41 is one byte. */
	assert_int_equal(sf_form_parse(&a, S("a=%41%42%43%44%45"), &lim, &f, &err), 0);
	assert_int_equal(sf_form_parse(&a, S("abcdefgh=1"), &lim, &f, &err), 0);
	assert_int_equal(sf_form_parse(&a, S("abcdefghi=1"), &lim, &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "too_long");
	assert_int_equal(sf_form_parse(&a, S("=1"), &lim, &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "invalid_field");
	/* The default value cap. */
	n = (size_t)snprintf(big, sizeof(big), "d=");
	memset(big + n, 'x', SF_FORM_MAX_VALUE + 1);
	n += SF_FORM_MAX_VALUE + 1;
	assert_int_equal(parse(&a, big, n, &f, &err), SF_EINVAL);
	assert_string_equal(err.code, "too_long");
	assert_int_equal(parse(&a, big, n - 1, &f, &err), 0);
	assert_int_equal(f.fields[0].val_len, SF_FORM_MAX_VALUE);
	sf_arena_release(&a);
}

static void test_subkey(void **state)
{
	const char *sub = NULL;
	size_t n = 0;
	bool list = true;

	assert_true(sf_form_subkey("attribute[WHISPAWN]", "attribute", &sub, &n, &list));
	assert_int_equal(n, 8);
	assert_memory_equal(sub, "WHISPAWN", 8);
	assert_false(list);
	assert_true(sf_form_subkey("attribute[多选][]", "attribute", &sub, &n, &list));
	assert_memory_equal(sub, "多选", n);
	assert_true(list);
	assert_false(sf_form_subkey("attribute", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[]", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[a][b]", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[a", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[a]x", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[a][]x", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attributes[a]", "attribute", &sub, &n, &list));
	assert_false(sf_form_subkey("attribute[a[b]", "attribute", &sub, &n, &list));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes_plus_and_percent),
		cmocka_unit_test(test_repeated_empty_and_bare_keys),
		cmocka_unit_test(test_rejects_bad_escapes),
		cmocka_unit_test(test_rejects_invalid_utf8_and_nul),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_subkey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The JSON writer's fast paths against plain models. Strings: a byte by
 * byte model of the rules (escape controls, quote, backslash, < > & and
 * DEL; keep well-formed UTF-8; U+FFFD for each ill-formed sequence;
 * \u2028 and \u2029 escaped) on random strings rich in multibyte edge
 * cases, as values and as keys. Numbers: the shortest of %.15g..%.17g
 * that reads back. Also sf_buf's appends near its cap and its limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/jw.h"
#include "util/utf8.h"

/* The model: one character at a time, sf_utf8_decode for every byte
 * above 0x7F. */
static void model(struct sf_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	sf_buf_addch(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int32_t cp;
		size_t k;

		if (c < 0x80) {
			switch (c) {
			case '"': sf_buf_adds(b, "\\\""); break;
			case '\\': sf_buf_adds(b, "\\\\"); break;
			case '\n': sf_buf_adds(b, "\\n"); break;
			case '\r': sf_buf_adds(b, "\\r"); break;
			case '\t': sf_buf_adds(b, "\\t"); break;
			case '\b': sf_buf_adds(b, "\\b"); break;
			case '\f': sf_buf_adds(b, "\\f"); break;
			default:
				if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7F)
					sf_buf_addf(b, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
				else
					sf_buf_addch(b, (char)c);
			}
			i++;
			continue;
		}
		k = sf_utf8_decode(s + i, n - i, &cp);
		if (cp < 0)
			sf_buf_adds(b, "\xEF\xBF\xBD");
		else if (cp == 0x2028 || cp == 0x2029)
			sf_buf_adds(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
		else
			sf_buf_add(b, s + i, k);
		i += k;
	}
	sf_buf_addch(b, '"');
}

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffffff;
}

/* Pieces that sit at the edges of the rules. */
static const char *const pieces[] = {
	"a",
	"Z",
	" ",
	"\"",
	"\\",
	"<",
	">",
	"&",
	"\x7f",
	"\n",
	"\x01",
	"\x1f",
	"路",
	"灯",
	"噪音",
	"\xC2\x80",
	"\xDF\xBF",
	"\xC2",
	"\xC0\xAF",
	"\xC1\xBF",
	"\xE0\xA0\x80",
	"\xE0\x80\x80",
	"\xE0\x9F\xBF",
	"\xED\x9F\xBF",
	"\xED\xA0\x80",
	"\xEF\xBF\xBF",
	"\xEE\x80\x80",
	"\xE2\x80\xA8",
	"\xE2\x80\xA9",
	"\xE2\x80\xAA",
	"\xE2\x80",
	"\xE4\xB8",
	"\xE4",
	"\xF0\x9F\x98\x80",
	"\xF0\x8F\xBF\xBF",
	"\xF4\x8F\xBF\xBF",
	"\xF4\x90\x80\x80",
	"\xF5\x80\x80\x80",
	"\xFF",
	"\x80",
	"\xBF",
	"\xE4\xB8\x80\x80",
};

static void check_one(const char *s, size_t n)
{
	struct sf_buf got, want;
	struct sf_jw w;

	sf_buf_init(&got, 0);
	sf_buf_init(&want, 0);
	sf_jw_init(&w, &got);
	sf_jw_strn(&w, s, n);
	model(&want, s, n);
	assert_true(sf_jw_ok(&w));
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	sf_buf_release(&got);
	sf_buf_release(&want);
}

static void strings_match_the_model(void **state)
{
	char s[256];

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t n = 0, parts = rnd() % 12;

		for (size_t i = 0; i < parts; i++) {
			const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t k = strlen(p);

			if (n + k >= sizeof(s))
				break;
			memcpy(s + n, p, k);
			n += k;
		}
		/* and now and then a cut in the middle of a character */
		if (n && rnd() % 4 == 0)
			n -= rnd() % (n < 3 ? n : 3);
		check_one(s, n);
	}
	/* every single byte, and a NUL inside */
	for (int c = 0; c < 256; c++) {
		char one = (char)c;

		check_one(&one, 1);
	}
	check_one("a\0b", 3);
}

/* longer than the writer's fast path for keys */
static const char long_key[] = "0123456789012345678901234567890123456789012345678901234567"
			       "89abcdefghijklmnopqrstuvwxyz";

static void keys_are_written_like_values(void **state)
{
	static const char *const keys[] = {
		"id", "state_label", "路灯", "a\"b", "<x>", "", long_key
	};
	struct sf_buf got, want;
	struct sf_jw w;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		sf_buf_init(&got, 0);
		sf_buf_init(&want, 0);
		sf_jw_init(&w, &got);
		sf_jw_obj_begin(&w);
		sf_jw_kint(&w, keys[i], 1);
		sf_jw_kint(&w, keys[i], 2);
		sf_jw_obj_end(&w);
		assert_true(sf_jw_ok(&w));
		sf_buf_addch(&want, '{');
		model(&want, keys[i], strlen(keys[i]));
		sf_buf_adds(&want, ":1,");
		model(&want, keys[i], strlen(keys[i]));
		sf_buf_adds(&want, ":2}");
		assert_string_equal(got.data, want.data);
		sf_buf_release(&got);
		sf_buf_release(&want);
	}
}

static void buf_appends_keep_the_cap(void **state)
{
	struct sf_buf b;

	(void)state;
	/* Byte by byte up to the limit, then over it: sticky. */
	sf_buf_init(&b, 100);
	for (int i = 0; i < 100; i++)
		sf_buf_addch(&b, (char)('a' + i % 26));
	assert_true(sf_buf_ok(&b));
	assert_int_equal(b.len, 100);
	assert_int_equal(b.data[100], '\0');
	sf_buf_addch(&b, 'x');
	assert_false(sf_buf_ok(&b));
	assert_int_equal(b.len, 100);
	sf_buf_add(&b, "", 0);
	sf_buf_addch(&b, 'y');
	assert_int_equal(b.len, 100);
	sf_buf_release(&b);

	/* Runs that exactly fill the room the buffer has. */
	sf_buf_init(&b, 0);
	sf_buf_add(&b, "0123456789", 10);
	for (size_t room = b.cap - b.len - 1; room > 0; room = b.cap - b.len - 1) {
		char run[64];

		memset(run, 'r', room < sizeof(run) ? room : sizeof(run));
		sf_buf_add(&b, run, room < sizeof(run) ? room : sizeof(run));
		assert_int_equal(b.data[b.len], '\0');
		assert_true(b.len < b.cap);
	}
	sf_buf_add(&b, "z", 1);
	assert_int_equal(b.data[b.len - 1], 'z');
	assert_int_equal(b.data[b.len], '\0');
	assert_true(sf_buf_ok(&b));
	sf_buf_release(&b);
}

/* The number model: what sf_jw_num wrote before its fast paths. */
static void num_model(char *out, size_t cap, double v)
{
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
		snprintf(out, cap, "%lld", (long long)v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

static void check_num(double v)
{
	struct sf_buf got;
	struct sf_jw w;
	char want[64];

	sf_buf_init(&got, 0);
	sf_jw_init(&w, &got);
	sf_jw_num(&w, v);
	num_model(want, sizeof(want), v);
	if (strcmp(got.data, want) != 0)
		fail_msg("%.17g: wrote %s, want %s", v, got.data, want);
	sf_buf_release(&got);
}

static void numbers_match_the_model(void **state)
{
	static const double edges[] = { 0.1,         0.2,        0.3,
					0.1 + 0.2,   1e-4,       9.99e-5,
					0.0001234,   1.5,        -1.5,
					2.675,       120.123456, -30.1234567,
					999999999.5, 1e9 + 0.5,  123456789.123456,
					0.000001,    1.0 / 3,    2.0 / 3,
					4.35,        4.345,      100.01,
					1e-7,        5e-324,     1.7976931348623157e308 };

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		check_num(edges[i]);
		check_num(-edges[i]);
	}
	for (int round = 0; round < 200000; round++) {
		/* decimals of 0..8 places over several magnitudes */
		double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 };
		double v = (double)(rnd() % 100000000) / scale[rnd() % 9];

		if (rnd() % 5 == 0)
			v *= (double)(rnd() % 1000) + 1;
		if (rnd() % 7 == 0)
			v = (double)rnd() / (double)(rnd() + 1);
		check_num(rnd() % 2 ? v : -v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_match_the_model),
		cmocka_unit_test(keys_are_written_like_values),
		cmocka_unit_test(numbers_match_the_model),
		cmocka_unit_test(buf_appends_keep_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for util/xw: the XML writer behind the Open311 XML format
 * (declaration, nesting, escaping, replacement of ill-formed UTF-8,
 * dropped control characters, sticky misuse). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/xw.h"

#define DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

static void escaped(const char *in, size_t n, const char *want)
{
	struct sf_buf b;

	sf_buf_init(&b, 0);
	sf_xw_escape(&b, in, n);
	assert_string_equal(b.data, want);
	sf_buf_release(&b);
}

#define ESC(lit, want) escaped((lit), sizeof(lit) - 1, (want))

static void test_document(void **state)
{
	struct sf_buf b;
	struct sf_xw w;

	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	sf_xw_begin(&w, "service_requests");
	sf_xw_begin(&w, "request");
	sf_xw_elem(&w, "service_request_id", "20261129-0001");
	sf_xw_elem(&w, "status_notes", NULL);
	sf_xw_elem_int(&w, "order", -12);
	sf_xw_elem_num(&w, "lat", 30.123456);
	sf_xw_elem_num(&w, "long", 120);
	sf_xw_elem_num(&w, "nan", NAN);
	sf_xw_elem_bool(&w, "metadata", true);
	sf_xw_elem_bool(&w, "required", false);
	sf_xw_end(&w);
	sf_xw_end(&w);
	assert_true(sf_xw_ok(&w));
	assert_string_equal(b.data, DECL "<service_requests><request>"
					 "<service_request_id>20261129-0001</service_request_id>"
					 "<status_notes></status_notes><order>-12</order>"
					 "<lat>30.123456</lat><long>120</long><nan></nan>"
					 "<metadata>true</metadata><required>false</required>"
					 "</request></service_requests>");
	sf_buf_release(&b);
}

static void test_escapes_markup(void **state)
{
	ESC("a < b & c > d \"q\" 'a'", "a &lt; b &amp; c &gt; d &quot;q&quot; &apos;a&apos;");
	ESC("路灯不亮 <script>&amp;", "路灯不亮 &lt;script&gt;&amp;amp;");
	ESC("]]>", "]]&gt;");
	ESC("line1\nline2\tx\r\n", "line1\nline2\tx&#13;\n");
	ESC("", "");
}

static void test_drops_controls_and_replaces_bad_utf8(void **state)
{
	ESC("a\x01\x08\x0b\x0c\x1f\x7f"
	    "b",
	    "ab");
	ESC("a\0b", "ab");
	ESC("c1:\xC2\x85\xC2\x9F.", "c1:.");                         /* U+0085, U+009F dropped */
	ESC("nc:\xEF\xBF\xBE\xEF\xBF\xBF.", "nc:.");                 /* U+FFFE, U+FFFF dropped */
	ESC("ok:\xC2\xA0\xEF\xBF\xBD.", "ok:\xC2\xA0\xEF\xBF\xBD."); /* NBSP, U+FFFD kept */
	ESC("\xff", "\xEF\xBF\xBD");
	ESC("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong: two ill-formed bytes */
	ESC("x\xE8\xB7", "x\xEF\xBF\xBD");           /* truncated 路: one replacement */
	ESC("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
	ESC("😀", "😀");
}

static void test_misuse_is_sticky(void **state)
{
	static const char *bad_names[] = { "", "1abc", "a b", "a<b", "xml:ns", "名字", "a&b" };
	struct sf_buf b;
	struct sf_xw w;

	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		sf_buf_init(&b, 0);
		sf_xw_init(&w, &b);
		sf_xw_begin(&w, bad_names[i]);
		sf_xw_end(&w);
		assert_false(sf_xw_ok(&w));
		sf_buf_release(&b);
	}
	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	sf_xw_end(&w);
	assert_false(sf_xw_ok(&w));
	sf_buf_release(&b);

	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	sf_xw_text(&w, "top-level text");
	assert_false(sf_xw_ok(&w));
	sf_buf_release(&b);

	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	sf_xw_begin(&w, "open");
	assert_false(sf_xw_ok(&w)); /* not closed */
	sf_xw_end(&w);
	assert_true(sf_xw_ok(&w));
	sf_buf_release(&b);

	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	for (int i = 0; i <= SF_XW_MAX_DEPTH; i++)
		sf_xw_begin(&w, "d");
	for (int i = 0; i <= SF_XW_MAX_DEPTH; i++)
		sf_xw_end(&w);
	assert_false(sf_xw_ok(&w));
	sf_buf_release(&b);

	/* A buffer overflow is reported too. */
	sf_buf_init(&b, 64);
	sf_xw_init(&w, &b);
	sf_xw_elem(&w, "a", "0123456789012345678901234567890123456789");
	assert_false(sf_xw_ok(&w));
	sf_buf_release(&b);
}

static void test_names(void **state)
{
	struct sf_buf b;
	struct sf_xw w;

	sf_buf_init(&b, 0);
	sf_xw_init(&w, &b);
	sf_xw_begin(&w, "_a-b.c9");
	sf_xw_elem(&w, "Z", "z");
	sf_xw_end(&w);
	assert_true(sf_xw_ok(&w));
	assert_string_equal(b.data, DECL "<_a-b.c9><Z>z</Z></_a-b.c9>");
	sf_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_escapes_markup),
		cmocka_unit_test(test_drops_controls_and_replaces_bad_utf8),
		cmocka_unit_test(test_misuse_is_sticky),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

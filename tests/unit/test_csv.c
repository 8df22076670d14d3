/* Unit tests for domain/csv (the strict RFC 4180 reader and the field
 * writer), util/textenc (UTF-8, BOM, UTF-16 and GBK detection) and
 * util/xlsx (a workbook comes back as a zip file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/csv.h"
#include "util/buf.h"
#include "util/textenc.h"
#include "util/xlsx.h"

struct got {
	char text[4096]; /* records as "a|b|c;" */
	size_t rows[64];
	size_t lines[64];
	size_t n;
	int stop_at; /* return an error at this record (0 = never) */
};

static int collect(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct got *g = ctx;
	size_t w = strlen(g->text);

	if (g->stop_at && (int)rec->row == g->stop_at)
		return sf_error_set(err, SF_EINVAL, "stop", "", "stopped");
	for (size_t i = 0; i < rec->n; i++) {
		assert_int_equal(strlen(rec->field[i]), rec->len[i]);
		w += (size_t)snprintf(g->text + w, sizeof(g->text) - w, "%s%s", i ? "|" : "",
				      rec->field[i]);
	}
	snprintf(g->text + w, sizeof(g->text) - w, ";");
	g->rows[g->n] = rec->row;
	g->lines[g->n] = rec->line;
	g->n++;
	return 0;
}

static int parse(const char *text, struct got *g, struct sf_csv_pos *pos, struct sf_error *err)
{
	memset(g, 0, sizeof(*g));
	return sf_csv_parse(text, strlen(text), NULL, collect, g, pos, err);
}

static void test_simple(void **state)
{
	struct got g;
	struct sf_error err = { 0 };

	assert_int_equal(parse("a,b,c\n1,2,3\n", &g, NULL, &err), 0);
	assert_string_equal(g.text, "a|b|c;1|2|3;");
	/* CRLF, no final line end, empty fields */
	assert_int_equal(parse("a,b,c\r\n,,\r\nx,,z", &g, NULL, &err), 0);
	assert_string_equal(g.text, "a|b|c;||;x||z;");
	assert_int_equal(g.n, 3);
	/* Chinese text passes through */
	assert_int_equal(parse("企业名称,地址\n纤纳光电,仓前街道\n", &g, NULL, &err), 0);
	assert_string_equal(g.text, "企业名称|地址;纤纳光电|仓前街道;");
	/* empty input: no record */
	assert_int_equal(parse("", &g, NULL, &err), 0);
	assert_int_equal(g.n, 0);
}

static void test_quotes(void **state)
{
	struct got g;
	struct sf_error err = { 0 };

	assert_int_equal(parse("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", &g, NULL, &err), 0);
	assert_string_equal(g.text, "a,b|say \"hi\"|;");
	/* a quoted field spanning lines is one record; the next starts on line 3 */
	assert_int_equal(parse("\"line1\nline2\",x\nnext,y\n", &g, NULL, &err), 0);
	assert_string_equal(g.text, "line1\nline2|x;next|y;");
	assert_int_equal(g.rows[1], 2);
	assert_int_equal(g.lines[1], 3);
}

static void test_blank_lines_keep_row_numbers(void **state)
{
	struct got g;
	struct sf_error err = { 0 };

	assert_int_equal(parse("h1,h2\n\na,b\r\n\r\nc,d\n\n", &g, NULL, &err), 0);
	assert_string_equal(g.text, "h1|h2;a|b;c|d;");
	/* Excel numbers every line, blank ones too */
	assert_int_equal(g.rows[1], 3);
	assert_int_equal(g.rows[2], 5);
}

static void test_broken_quotes(void **state)
{
	struct got g;
	struct sf_error err = { 0 };
	struct sf_csv_pos pos;

	assert_int_equal(parse("a,b\nx,ab\"c\n", &g, &pos, &err), SF_EINVAL);
	assert_string_equal(err.code, "csv_quote");
	assert_int_equal(pos.row, 2);
	assert_int_equal(pos.col, 2);
	assert_non_null(strstr(err.message, "row 2, column 2"));

	assert_int_equal(parse("a,b\n\"x\"y,z\n", &g, &pos, &err), SF_EINVAL);
	assert_string_equal(err.code, "csv_quote");
	assert_int_equal(pos.row, 2);
	assert_int_equal(pos.col, 1);

	assert_int_equal(parse("a,b\nc,d\ne,\"never closed\nf,g\n", &g, &pos, &err), SF_EINVAL);
	assert_string_equal(err.code, "csv_quote");
	assert_int_equal(pos.row, 3);
	assert_int_equal(pos.col, 2);
	assert_non_null(strstr(err.message, "line 3"));
}

static void test_nul(void **state)
{
	struct got g = { 0 };
	struct sf_error err = { 0 };
	struct sf_csv_pos pos;
	static const char text[] = "a,b\nc,d\0e\n";

	assert_int_equal(sf_csv_parse(text, sizeof(text) - 1, NULL, collect, &g, &pos, &err),
			 SF_EINVAL);
	assert_string_equal(err.code, "csv_nul");
	assert_int_equal(pos.row, 2);
}

static void test_limits(void **state)
{
	struct got g = { 0 };
	struct sf_error err = { 0 };
	struct sf_csv_pos pos;
	struct sf_csv_limits lim = { .max_rows = 3, .max_fields = 3, .max_field = 5 };
	const char *t;

	t = "a\nb\nc\nd\n";
	assert_int_equal(sf_csv_parse(t, strlen(t), &lim, collect, &g, &pos, &err), SF_ETOOBIG);
	assert_string_equal(err.code, "too_many_rows");
	assert_int_equal(g.n, 3);
	memset(&g, 0, sizeof(g));
	t = "a,b,c,d\n";
	assert_int_equal(sf_csv_parse(t, strlen(t), &lim, collect, &g, &pos, &err), SF_ETOOBIG);
	assert_string_equal(err.code, "too_many_fields");
	memset(&g, 0, sizeof(g));
	t = "a,123456\n";
	assert_int_equal(sf_csv_parse(t, strlen(t), &lim, collect, &g, &pos, &err), SF_ETOOBIG);
	assert_string_equal(err.code, "field_too_long");
	assert_int_equal(pos.col, 2);
	memset(&g, 0, sizeof(g));
	t = "a,\"12345\"\n"; /* exactly at the cap */
	assert_int_equal(sf_csv_parse(t, strlen(t), &lim, collect, &g, &pos, &err), 0);
}

static void test_callback_stops(void **state)
{
	struct got g = { 0 };
	struct sf_error err = { 0 };
	const char *t = "a\nb\nc\n";

	g.stop_at = 2;
	assert_int_equal(sf_csv_parse(t, strlen(t), NULL, collect, &g, NULL, &err), SF_EINVAL);
	assert_string_equal(err.code, "stop");
	assert_int_equal(g.n, 1);
}

static void put(void *ctx, const char *p, size_t n)
{
	sf_buf_add(ctx, p, n);
}

static void test_write_field(void **state)
{
	struct sf_buf b;
	struct got g;
	struct sf_error err = { 0 };

	sf_buf_init(&b, 0);
	sf_csv_write_field("plain", put, &b);
	sf_buf_addch(&b, ',');
	sf_csv_write_field("a,\"b\"\nc", put, &b);
	sf_buf_addch(&b, ',');
	sf_csv_write_field("=HYPERLINK(\"x\")", put, &b);
	sf_buf_addch(&b, ',');
	sf_csv_write_field(NULL, put, &b);
	sf_buf_addch(&b, '\n');
	assert_string_equal(b.data, "plain,\"a,\"\"b\"\"\nc\",\"'=HYPERLINK(\"\"x\"\")\",\n");
	/* what we write, we read back */
	assert_int_equal(parse(b.data, &g, NULL, &err), 0);
	assert_string_equal(g.text, "plain|a,\"b\"\nc|'=HYPERLINK(\"x\")|;");
	sf_buf_release(&b);
}

static void test_textenc(void **state)
{
	char *out = NULL;
	size_t n = 0;
	enum sf_textenc e;
	struct sf_error err = { 0 };
	/* "企业,仓前\n" in GBK */
	static const char gbk[] = "\xc6\xf3\xd2\xb5,\xb2\xd6\xc7\xb0\n";
	static const char bom[] = "\xef\xbb\xbf\xe4\xbc\x81\xe4\xb8\x9a,x\n";
	static const char u16[] = "\xff\xfe\x00\x4e\x2c\x00\x61\x00";
	static const char bad[] = "ok\nline2\n\x80\xff\xfe\n";
	static const char bad_bom[] = "\xef\xbb\xbf"
				      "a\n\xff\n";

	assert_int_equal(sf_textenc_to_utf8("a,b\n", 4, 100, &out, &n, &e, &err), 0);
	assert_int_equal(e, SF_TEXTENC_UTF8);
	assert_string_equal(out, "a,b\n");
	free(out);
	assert_int_equal(sf_textenc_to_utf8(bom, sizeof(bom) - 1, 100, &out, &n, &e, &err), 0);
	assert_int_equal(e, SF_TEXTENC_UTF8_BOM);
	assert_string_equal(out, "企业,x\n");
	free(out);
	assert_int_equal(sf_textenc_to_utf8(gbk, sizeof(gbk) - 1, 100, &out, &n, &e, &err), 0);
	assert_int_equal(e, SF_TEXTENC_GB18030);
	assert_string_equal(out, "企业,仓前\n");
	assert_int_equal(n, strlen("企业,仓前\n"));
	assert_string_equal(sf_textenc_name(e), "gb18030");
	free(out);
	assert_int_equal(sf_textenc_to_utf8(u16, sizeof(u16) - 1, 100, &out, &n, &e, &err), 0);
	assert_int_equal(e, SF_TEXTENC_UTF16LE);
	assert_string_equal(out, "一,a");
	free(out);
	assert_int_equal(sf_textenc_to_utf8(bad, sizeof(bad) - 1, 100, &out, &n, &e, &err),
			 SF_EINVAL);
	assert_null(out);
	assert_string_equal(err.code, "undecodable_text");
	assert_non_null(strstr(err.message, "line 3"));
	assert_int_equal(sf_textenc_to_utf8(bad_bom, sizeof(bad_bom) - 1, 100, &out, &n, &e, &err),
			 SF_EINVAL);
	assert_non_null(strstr(err.message, "line 2"));
	assert_int_equal(sf_textenc_to_utf8("a\0b", 3, 100, &out, &n, &e, &err), SF_EINVAL);
	assert_string_equal(err.code, "nul_byte");
	assert_int_equal(sf_textenc_to_utf8("abcdef", 6, 5, &out, &n, &e, &err), SF_ETOOBIG);
}

static void test_xlsx(void **state)
{
	static const char *const head[] = { "名称", "电话", "人数" };
	struct sf_xlsx *x = NULL;
	struct sf_buf b;
	struct sf_error err = { 0 };

	sf_buf_init(&b, 0);
	assert_int_equal(sf_xlsx_new("企业", head, 3, &x, &err), 0);
	for (int i = 0; i < 100; i++) {
		sf_xlsx_row(x);
		sf_xlsx_str(x, 0, "纤纳光电\x01");
		sf_xlsx_str(x, 1, "138****8000");
		sf_xlsx_num(x, 2, i);
		sf_xlsx_str(x, 7, "ignored");
	}
	assert_int_equal(sf_xlsx_finish(x, &b, &err), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "PK\x03\x04", 4);
	sf_buf_release(&b);
	assert_int_equal(sf_xlsx_new("bad/name", head, 3, &x, &err), SF_EINVAL);
	assert_int_equal(sf_xlsx_new("ok", head, 0, &x, &err), SF_EINVAL);
	assert_int_equal(sf_xlsx_new("ok", head, 3, &x, &err), 0);
	sf_xlsx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_blank_lines_keep_row_numbers),
		cmocka_unit_test(test_broken_quotes),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_write_field),
		cmocka_unit_test(test_textenc),
		cmocka_unit_test(test_xlsx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

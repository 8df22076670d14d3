/* Unit tests for util/json (parsing and checking request bodies) and
 * util/jw (writing responses): what a client sees as a 400 and its
 * error.field, and the exact bytes of the JSON the server sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/utf8.h"

static struct sf_json *parse_ok(const char *body)
{
	struct sf_error err = { 0 };
	struct sf_json *j = NULL;

	if (sf_json_parse(body, strlen(body), &j, &err) != 0)
		fail_msg("parse of %s failed: %s: %s", body, err.code, err.message);
	return j;
}

static void expect_parse_error(const char *body, size_t len, const char *code, const char *msg)
{
	struct sf_error err = { 0 };
	struct sf_json *j = (struct sf_json *)&err; /* must be reset to NULL */

	assert_int_equal(sf_json_parse(body, len, &j, &err), SF_EINVAL);
	assert_null(j);
	assert_int_equal(err.rc, SF_EINVAL);
	assert_string_equal(err.code, code);
	assert_string_equal(err.field, "");
	if (msg && !strstr(err.message, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, msg);
}

#define PARSE_ERR(lit, code, msg) expect_parse_error((lit), sizeof(lit) - 1, (code), (msg))

/* ---- parsing ---- */

static void test_parse_chinese_round_trip(void **state)
{
	const char *body = "{\"title\":\"路灯不亮 😀\",\"desc\":\"第一行\\n第二行\","
			   "\"esc\":\"\\u4e2d\\u6587\\ud83d\\ude00\"}";
	struct sf_json *j = parse_ok(body);
	struct sf_buf b;

	assert_string_equal(sf_json_str(j, "title"), "路灯不亮 😀");
	assert_string_equal(sf_json_str(j, "desc"), "第一行\n第二行");
	/* \u escapes, surrogate pair included, arrive as UTF-8. */
	assert_string_equal(sf_json_str(j, "esc"), "中文😀");

	sf_buf_init(&b, 0);
	assert_int_equal(sf_json_dump(j, &b), 0);
	assert_string_equal(b.data, "{\"title\":\"路灯不亮 😀\",\"desc\":\"第一行\\n第二行\","
				    "\"esc\":\"中文😀\"}");
	sf_buf_release(&b);
	sf_json_free(j);
}

static void test_parse_skips_bom(void **state)
{
	struct sf_json *j = parse_ok("\xEF\xBB\xBF{\"名称\":\"街道\"}");

	assert_string_equal(sf_json_str(j, "名称"), "街道");
	sf_json_free(j);
	/* Only at the start: elsewhere it is not whitespace. */
	PARSE_ERR("{\"a\":1}\xEF\xBB\xBF", "invalid_json", NULL);
}

static void test_parse_rejects_invalid_utf8(void **state)
{
	PARSE_ERR("{\"a\":\"\xC0\xAF\"}", "invalid_utf8", "UTF-8"); /* overlong */
	PARSE_ERR("{\"a\":\"\xE0\x80\xAF\"}", "invalid_utf8", NULL);
	PARSE_ERR("{\"a\":\"\xED\xA0\x80\"}", "invalid_utf8", NULL);     /* surrogate */
	PARSE_ERR("{\"a\":\"\xE4\xB8\"}", "invalid_utf8", NULL);         /* truncated */
	PARSE_ERR("{\"a\":\"x\"}\xE4\xB8", "invalid_utf8", NULL);        /* truncated at end */
	PARSE_ERR("{\"a\":\"\xF4\x90\x80\x80\"}", "invalid_utf8", NULL); /* > U+10FFFF */
	PARSE_ERR("{\"a\":\"x\0y\"}", "invalid_utf8", NULL);             /* raw NUL */
}

static void test_parse_rejects_invalid_json(void **state)
{
	PARSE_ERR("{\"a\":}", "invalid_json", "line 1, column");
	PARSE_ERR("{\"a\":1,\n\"b\":tru}", "invalid_json", "line 2");
	PARSE_ERR("", "invalid_json", NULL);
	PARSE_ERR("{\"a\":1} x", "invalid_json", NULL);
	PARSE_ERR("{'a':1}", "invalid_json", NULL);
	PARSE_ERR("{\"a\":\"\\ud800\"}", "invalid_json", NULL); /* lone surrogate escape */
	PARSE_ERR("{\"a\":99999999999999999999}", "invalid_json", NULL);
	PARSE_ERR("{\"a\":NaN}", "invalid_json", NULL);
	/* A NUL smuggled in as an escape is refused, in plain words. */
	PARSE_ERR("{\"a\":\"x\\u0000y\"}", "invalid_json", "must not contain \\u0000");
}

static void test_parse_requires_object(void **state)
{
	PARSE_ERR("[1,2]", "invalid_json", "body must be a JSON object");
	PARSE_ERR("\"text\"", "invalid_json", "body must be a JSON object");
	PARSE_ERR("42", "invalid_json", "body must be a JSON object");
	PARSE_ERR("null", "invalid_json", "body must be a JSON object");
}

static void test_parse_rejects_duplicate_keys(void **state)
{
	PARSE_ERR("{\"status\":\"closed\",\"status\":\"open\"}", "invalid_json", "duplicate");
	PARSE_ERR("{\"o\":{\"k\":1,\"k\":1}}", "invalid_json", "duplicate");
}

static char *nested(int depth, char open, char close, const char *inner)
{
	struct sf_buf b;

	sf_buf_init(&b, 0);
	for (int i = 0; i < depth; i++) {
		if (i == 0 && open == '[')
			sf_buf_adds(&b, "{\"a\":");
		else if (open == '{')
			sf_buf_adds(&b, i ? "\"a\":{" : "{");
		else
			sf_buf_addch(&b, open);
	}
	sf_buf_adds(&b, inner);
	for (int i = 0; i < depth; i++)
		sf_buf_addch(&b, i == depth - 1 && open == '[' ? '}' : close);
	return sf_buf_detach(&b, NULL);
}

static void test_parse_depth_limit(void **state)
{
	struct sf_error err = { 0 };
	struct sf_json *j = NULL;
	char *s;

	s = nested(SF_JSON_MAX_DEPTH, '{', '}', "\"x\":1");
	assert_int_equal(sf_json_parse(s, strlen(s), &j, &err), 0);
	sf_json_free(j);
	free(s);

	s = nested(SF_JSON_MAX_DEPTH + 1, '{', '}', "\"x\":1");
	expect_parse_error(s, strlen(s), "too_deep", "deeper than 16");
	free(s);

	s = nested(SF_JSON_MAX_DEPTH, '[', ']', "1");
	assert_int_equal(sf_json_parse(s, strlen(s), &j, &err), 0);
	sf_json_free(j);
	free(s);

	s = nested(SF_JSON_MAX_DEPTH + 1, '[', ']', "1");
	expect_parse_error(s, strlen(s), "too_deep", NULL);
	free(s);

	/* Far past jansson's own limit: still our error, not a crash. */
	s = nested(100000, '[', ']', "1");
	expect_parse_error(s, strlen(s), "too_deep", NULL);
	free(s);

	/* Brackets inside strings, escaped quotes included, are text. */
	j = parse_ok("{\"a\":\"[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{\\\"[[[[[[[[[[[[[[[[[[\"}");
	assert_int_equal(strlen(sf_json_str(j, "a")), 59);
	sf_json_free(j);
}

/* ---- checking ---- */

static const struct sf_jfield spec[] = {
	{ "title", SF_JT_STRING, true, 10, 0, 0 },
	{ "body", SF_JT_TEXT, false, 0, 0, 0 },
	{ "name", SF_JT_STRING, false, 0, 0, 0 },
	{ "count", SF_JT_INT, false, 0, 1, 5 },
	{ "anyint", SF_JT_INT, false, 0, 0, 0 },
	{ "ratio", SF_JT_NUMBER, false, 0, 0, 1 },
	{ "ok", SF_JT_BOOL, false, 0, 0, 0 },
	{ "tags", SF_JT_STRING_ARRAY, false, 3, 0, 0 },
	{ "ids", SF_JT_INT_ARRAY, false, 0, 1, 100 },
	{ "meta", SF_JT_OBJECT, false, 0, 0, 0 },
	{ "extra", SF_JT_ANY, false, 0, 0, 0 },
	{ 0 },
};

static const struct sf_jfield spec_req_array[] = {
	{ "ids", SF_JT_INT_ARRAY, true, 0, 0, 0 },
	{ 0 },
};

struct check_case {
	const char *body;
	const char *code; /* NULL: passes */
	const char *field;
	const char *msg;
};

static void run_check_cases(const struct sf_jfield *sp, const struct check_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct check_case *c = &cases[i];
		struct sf_error err = { 0 };
		struct sf_json *j = parse_ok(c->body);
		int rc = sf_json_check(j, sp, &err);

		if (!c->code) {
			if (rc != 0)
				fail_msg("%s: unexpected %s/%s: %s", c->body, err.code, err.field,
					 err.message);
		} else {
			if (rc != SF_EINVAL || strcmp(err.code, c->code) != 0 ||
			    strcmp(err.field, c->field) != 0)
				fail_msg("%s: got rc %d %s/%s, want %s/%s", c->body, rc, err.code,
					 err.field, c->code, c->field);
			if (!strstr(err.message, c->msg))
				fail_msg("%s: message \"%s\" lacks \"%s\"", c->body, err.message,
					 c->msg);
			/* The message names the field, so a person knows what to fix. */
			if (!strstr(err.message, c->field))
				fail_msg("%s: message \"%s\" does not name %s", c->body,
					 err.message, c->field);
		}
		sf_json_free(j);
	}
}

static void test_check_error_codes(void **state)
{
	static const struct check_case cases[] = {
		{ "{\"title\":\"x\"}", NULL, NULL, NULL },
		{ "{\"title\":\"一二三四五六七八九十\"}", NULL, NULL,
		  NULL }, /* 10 chars, 30 bytes */
		{ "{\"title\":\"x\",\"bogus\":1}", "unknown_field", "bogus", "unknown field" },
		{ "{\"titel\":\"x\"}", "unknown_field", "titel", "unknown field \"titel\"" },
		{ "{}", "missing_field", "title", "title is required" },
		{ "{\"title\":null}", "missing_field", "title", "required" },
		{ "{\"title\":\"\"}", "missing_field", "title", "required" },
		{ "{\"title\":\" \\t \"}", "missing_field", "title", "required" },
		{ "{\"title\":\"\u3000\u3000\"}", "missing_field", "title", "required" },
		{ "{\"title\":5}", "invalid_type", "title", "title must be a string" },
		{ "{\"title\":[\"x\"]}", "invalid_type", "title", "must be a string" },
		{ "{\"title\":\"12345678901\"}", "too_long", "title", "at most 10 characters" },
		{ "{\"title\":\"一二三四五六七八九十一\"}", "too_long", "title", "at most 10" },
		{ "{\"title\":\"a\\tb\"}", "invalid_field", "title", "control characters" },
		{ "{\"title\":\"a\\nb\"}", "invalid_field", "title", "one line" },
		{ "{\"title\":\"a\\u007fb\"}", "invalid_field", "title", "control" },
		{ "{\"title\":\"x\",\"body\":\"第一行\\r\\n\\t第二行\"}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"body\":\"a\\u0001\"}", "invalid_field", "body", "control" },
		{ "{\"title\":\"x\",\"body\":\"\"}", NULL, NULL, NULL }, /* optional may be empty */
		{ "{\"title\":\"x\",\"count\":1}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"count\":5}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"count\":0}", "out_of_range", "count", "between 1 and 5" },
		{ "{\"title\":\"x\",\"count\":6}", "out_of_range", "count", "between 1 and 5" },
		{ "{\"title\":\"x\",\"count\":-9223372036854775808}", "out_of_range", "count", "" },
		{ "{\"title\":\"x\",\"count\":2.0}", "invalid_type", "count", "an integer" },
		{ "{\"title\":\"x\",\"count\":\"3\"}", "invalid_type", "count", "an integer" },
		{ "{\"title\":\"x\",\"anyint\":-9223372036854775808}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"ratio\":0.5}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"ratio\":1}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"ratio\":1.5}", "out_of_range", "ratio", "between 0 and 1" },
		{ "{\"title\":\"x\",\"ratio\":\"0.5\"}", "invalid_type", "ratio", "a number" },
		{ "{\"title\":\"x\",\"ok\":true}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"ok\":1}", "invalid_type", "ok", "true or false" },
		{ "{\"title\":\"x\",\"ok\":\"true\"}", "invalid_type", "ok", "true or false" },
		{ "{\"title\":\"x\",\"tags\":[\"路灯\",\"噪音\",\"停车\"]}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"tags\":[]}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "too_long", "tags",
		  "at most 3 items" },
		{ "{\"title\":\"x\",\"tags\":\"a\"}", "invalid_type", "tags", "array of strings" },
		{ "{\"title\":\"x\",\"tags\":[\"a\",1]}", "invalid_type", "tags", "item 2" },
		{ "{\"title\":\"x\",\"tags\":[\"a\",null]}", "invalid_type", "tags", "item 2" },
		{ "{\"title\":\"x\",\"tags\":[\"\"]}", "invalid_field", "tags", "item 1 is empty" },
		{ "{\"title\":\"x\",\"tags\":[\"a\\nb\"]}", "invalid_field", "tags", "item 1" },
		{ "{\"title\":\"x\",\"ids\":[1,100]}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"ids\":[1,0]}", "out_of_range", "ids", "item 2" },
		{ "{\"title\":\"x\",\"ids\":[1,\"2\"]}", "invalid_type", "ids",
		  "array of integers" },
		{ "{\"title\":\"x\",\"ids\":[1.5]}", "invalid_type", "ids", "array of integers" },
		{ "{\"title\":\"x\",\"ids\":{}}", "invalid_type", "ids", "array of integers" },
		{ "{\"title\":\"x\",\"meta\":{\"k\":[1]}}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"meta\":[]}", "invalid_type", "meta", "an object" },
		{ "{\"title\":\"x\",\"extra\":[1,{\"a\":\"b\"}]}", NULL, NULL, NULL },
		{ "{\"title\":\"x\",\"extra\":\"s\"}", NULL, NULL, NULL },
		/* null on an optional field reads as absent, whatever its type. */
		{ "{\"title\":\"x\",\"body\":null,\"count\":null,\"ratio\":null,\"ok\":null,"
		  "\"tags\":null,\"ids\":null,\"meta\":null,\"extra\":null}",
		  NULL, NULL, NULL },
	};

	run_check_cases(spec, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_check_required_array(void **state)
{
	static const struct check_case cases[] = {
		{ "{\"ids\":[3]}", NULL, NULL, NULL },
		{ "{\"ids\":[]}", "missing_field", "ids", "at least one" },
		{ "{\"ids\":null}", "missing_field", "ids", "required" },
		{ "{}", "missing_field", "ids", "required" },
	};

	run_check_cases(spec_req_array, cases, sizeof(cases) / sizeof(cases[0]));
}

static char *repeat_field(const char *key, const char *unit, size_t n)
{
	struct sf_buf b;

	sf_buf_init(&b, 0);
	sf_buf_addf(&b, "{\"title\":\"x\",\"%s\":\"", key);
	for (size_t i = 0; i < n; i++)
		sf_buf_adds(&b, unit);
	sf_buf_adds(&b, "\"}");
	return sf_buf_detach(&b, NULL);
}

static void want_check(const char *body, const char *code, const char *field)
{
	struct sf_error err = { 0 };
	struct sf_json *j = parse_ok(body);
	int rc = sf_json_check(j, spec, &err);

	if (!code) {
		assert_int_equal(rc, 0);
	} else {
		assert_int_equal(rc, SF_EINVAL);
		assert_string_equal(err.code, code);
		assert_string_equal(err.field, field);
	}
	sf_json_free(j);
}

static void test_check_default_lengths(void **state)
{
	char *s;

	s = repeat_field("name", "字", SF_JSON_STRING_MAX);
	want_check(s, NULL, NULL);
	free(s);
	s = repeat_field("name", "字", SF_JSON_STRING_MAX + 1);
	want_check(s, "too_long", "name");
	free(s);
	s = repeat_field("body", "文", SF_JSON_TEXT_MAX);
	want_check(s, NULL, NULL);
	free(s);
	s = repeat_field("body", "文", SF_JSON_TEXT_MAX + 1);
	want_check(s, "too_long", "body");
	free(s);
}

static void test_check_default_array_items(void **state)
{
	static const struct sf_jfield sp[] = {
		{ "ids", SF_JT_INT_ARRAY, false, 0, 0, 0 },
		{ 0 },
	};
	struct sf_error err = { 0 };
	struct sf_buf b;
	struct sf_json *j;

	for (int n = SF_JSON_ITEMS_MAX; n <= SF_JSON_ITEMS_MAX + 1; n++) {
		sf_buf_init(&b, 0);
		sf_buf_adds(&b, "{\"ids\":[");
		for (int i = 0; i < n; i++)
			sf_buf_addf(&b, "%s%d", i ? "," : "", i);
		sf_buf_adds(&b, "]}");
		j = parse_ok(b.data);
		if (n == SF_JSON_ITEMS_MAX) {
			assert_int_equal(sf_json_check(j, sp, &err), 0);
			assert_int_equal(sf_json_array_len(j, "ids"), SF_JSON_ITEMS_MAX);
		} else {
			assert_int_equal(sf_json_check(j, sp, &err), SF_EINVAL);
			assert_string_equal(err.code, "too_long");
			assert_string_equal(err.field, "ids");
		}
		sf_json_free(j);
		sf_buf_release(&b);
	}
}

static void test_check_long_unknown_key_is_cut_cleanly(void **state)
{
	struct sf_error err = { 0 };
	struct sf_buf b;
	struct sf_json *j;

	sf_buf_init(&b, 0);
	sf_buf_adds(&b, "{\"");
	for (int i = 0; i < 100; i++)
		sf_buf_adds(&b, "键");
	sf_buf_adds(&b, "\":1}");
	j = parse_ok(b.data);
	assert_int_equal(sf_json_check(j, spec, &err), SF_EINVAL);
	assert_string_equal(err.code, "unknown_field");
	/* Cut to fit err.field, on a character boundary. */
	assert_true(strlen(err.field) > 0 && strlen(err.field) < sizeof(err.field));
	assert_true(sf_utf8_valid(err.field, strlen(err.field)));
	assert_true(sf_utf8_valid(err.message, strlen(err.message)));
	sf_json_free(j);
	sf_buf_release(&b);
}

/* ---- reading ---- */

static void test_accessors(void **state)
{
	struct sf_error err = { 0 };
	struct sf_json *j, *meta = NULL, *any = NULL;
	int64_t i = 0;
	double d = 0;
	bool ok = false;

	j = parse_ok("{\"title\":\"标题\",\"count\":3,\"ratio\":0.25,\"ok\":false,"
		     "\"tags\":[\"路灯\",\"噪音\"],\"ids\":[7,8,9],\"meta\":{\"who\":\"张三\"},"
		     "\"extra\":[1,2],\"body\":null}");
	assert_int_equal(sf_json_check(j, spec, &err), 0);

	assert_string_equal(sf_json_str(j, "title"), "标题");
	assert_null(sf_json_str(j, "body"));  /* null */
	assert_null(sf_json_str(j, "name"));  /* absent */
	assert_null(sf_json_str(j, "count")); /* not a string */
	assert_false(sf_json_has(j, "body"));
	assert_false(sf_json_has(j, "name"));
	assert_true(sf_json_has(j, "ok"));

	assert_true(sf_json_int(j, "count", &i));
	assert_int_equal(i, 3);
	assert_false(sf_json_int(j, "ratio", &i));
	assert_false(sf_json_int(j, "name", &i));
	assert_true(sf_json_num(j, "ratio", &d));
	assert_true(d == 0.25);
	assert_true(sf_json_num(j, "count", &d)); /* an integer reads as a number */
	assert_true(d == 3.0);
	ok = true;
	assert_true(sf_json_bool(j, "ok", &ok));
	assert_false(ok);
	assert_false(sf_json_bool(j, "count", &ok));

	assert_int_equal(sf_json_array_len(j, "tags"), 2);
	assert_string_equal(sf_json_array_str(j, "tags", 1), "噪音");
	assert_null(sf_json_array_str(j, "tags", 2));
	assert_int_equal(sf_json_array_len(j, "title"), 0);
	assert_true(sf_json_array_int(j, "ids", 2, &i));
	assert_int_equal(i, 9);
	assert_false(sf_json_array_int(j, "ids", 3, &i));

	assert_int_equal(sf_json_object(j, "name", &meta), SF_ENOTFOUND);
	assert_null(meta);
	assert_int_equal(sf_json_object(j, "tags", &meta), SF_EINVAL);
	assert_null(meta);
	assert_int_equal(sf_json_object(j, "meta", &meta), 0);
	assert_int_equal(sf_json_get(j, "extra", &any), 0);
	assert_int_equal(sf_json_kind(any), SF_JSON_ARRAY);
	assert_int_equal(sf_json_len(any), 2);

	/* Children keep the tree alive after the root is freed. */
	sf_json_free(j);
	assert_string_equal(sf_json_str(meta, "who"), "张三");
	assert_int_equal(sf_json_kind(meta), SF_JSON_OBJECT);
	sf_json_free(meta);
	sf_json_free(any);
	sf_json_free(NULL);
}

struct collect {
	struct sf_buf keys;
	int stop_at;
	int seen;
};

static int collect_cb(const char *key, const struct sf_json *val, void *ctx)
{
	struct collect *c = ctx;
	int64_t i;

	c->seen++;
	sf_buf_addf(&c->keys, "%s=", key);
	switch (sf_json_kind(val)) {
	case SF_JSON_STRING: sf_buf_adds(&c->keys, sf_json_as_str(val)); break;
	case SF_JSON_INT:
		assert_true(sf_json_as_int(val, &i));
		sf_buf_addf(&c->keys, "%lld", (long long)i);
		break;
	default: sf_buf_addf(&c->keys, "kind%d", (int)sf_json_kind(val)); break;
	}
	sf_buf_addch(&c->keys, ';');
	/* A callback value is lent: freeing it must be harmless. */
	sf_json_free((struct sf_json *)val);
	return c->seen == c->stop_at ? 42 : 0;
}

static void test_each_in_document_order(void **state)
{
	struct sf_json *j = parse_ok("{\"z\":\"末\",\"a\":1,\"m\":null,\"b\":[],\"c\":{},"
				     "\"d\":true,\"e\":1.5}");
	struct collect c = { .stop_at = 0 };

	sf_buf_init(&c.keys, 0);
	assert_int_equal(sf_json_each(j, collect_cb, &c), 0);
	assert_string_equal(c.keys.data, "z=末;a=1;m=kind0;b=kind5;c=kind6;d=kind4;e=kind3;");
	sf_buf_reset(&c.keys);
	c.seen = 0;
	c.stop_at = 2;
	assert_int_equal(sf_json_each(j, collect_cb, &c), 42);
	assert_string_equal(c.keys.data, "z=末;a=1;");
	sf_buf_release(&c.keys);
	sf_json_free(j);
}

static void test_parse_any_array(void **state)
{
	const char *text = "[{\"name\":\"路灯维修\",\"days\":3},{\"name\":\"噪音\",\"days\":5}]";
	struct sf_error err = { 0 };
	struct sf_json *arr = NULL, *it = NULL, *other = NULL;
	int64_t days = 0;
	double d;
	bool b;

	assert_int_equal(sf_json_parse_any(text, strlen(text), &arr, &err), 0);
	assert_int_equal(sf_json_kind(arr), SF_JSON_ARRAY);
	assert_int_equal(sf_json_len(arr), 2);
	assert_int_equal(sf_json_at(arr, 1, &it), 0);
	assert_string_equal(sf_json_str(it, "name"), "噪音");
	assert_true(sf_json_int(it, "days", &days));
	assert_int_equal(days, 5);
	assert_int_equal(sf_json_at(it, 0, &other), SF_EINVAL); /* not an array */
	assert_null(other);
	sf_json_free(it);
	assert_int_equal(sf_json_at(arr, 2, &other), SF_ENOTFOUND);
	assert_null(other);
	sf_json_free(arr);

	assert_int_equal(sf_json_parse_any("2.5", 3, &arr, &err), 0);
	assert_true(sf_json_as_num(arr, &d) && d == 2.5);
	assert_false(sf_json_as_bool(arr, &b));
	assert_null(sf_json_as_str(arr));
	sf_json_free(arr);

	/* The same limits hold. */
	assert_int_equal(sf_json_parse_any("[1,2", 4, &arr, &err), SF_EINVAL);
	assert_string_equal(err.code, "invalid_json");
	assert_null(arr);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/sanfu-test-json-XXXXXX";
	const char *text = "[\"一\",\"二\"]";
	struct sf_error err = { 0 };
	struct sf_json *j = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);

	assert_int_equal(sf_json_load_file(path, 1024, &j, &err), 0);
	assert_int_equal(sf_json_len(j), 2);
	sf_json_free(j);

	assert_int_equal(sf_json_load_file(path, 5, &j, &err), SF_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	assert_null(j);

	unlink(path);
	assert_int_equal(sf_json_load_file(path, 1024, &j, &err), SF_EIO);
	assert_string_equal(err.code, "io_error");
	assert_non_null(strstr(err.message, path));
	assert_null(j);
}

/* ---- writing ---- */

static void test_jw_escaping_exact_bytes(void **state)
{
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);
	sf_jw_init(&w, &b);
	sf_jw_str(&w, "say \"hi\" \\ a\nb <script>&amp; 中文");
	assert_true(sf_jw_ok(&w));
	assert_string_equal(b.data, "\"say \\\"hi\\\" \\\\ a\\nb \\u003cscript\\u003e\\u0026amp; "
				    "中文\"");

	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_strn(&w, "\x01\x1f\x7f\r\t\b\f\0/\xE2\x80\xA8\xE2\x80\xA9", 15);
	assert_string_equal(b.data, "\"\\u0001\\u001f\\u007f\\r\\t\\b\\f\\u0000/\\u2028\\u2029\"");

	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_str(&w, NULL);
	assert_string_equal(b.data, "null");
	sf_buf_release(&b);
}

static void test_jw_invalid_utf8_becomes_replacement(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "a\xFF"
		  "b",
		  "\"a\xEF\xBF\xBD"
		  "b\"" },
		{ "\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"" },                 /* overlong */
		{ "\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" }, /* surrogate */
		{ "中\xE6\x96", "\"中\xEF\xBF\xBD\"" },                         /* truncated 文 */
		{ "\xE6\x96<", "\"\xEF\xBF\xBD\\u003c\"" },
		{ "ok 😀", "\"ok 😀\"" },
	};
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sf_buf_reset(&b);
		sf_jw_init(&w, &b);
		sf_jw_str(&w, cases[i].in);
		assert_true(sf_jw_ok(&w));
		assert_string_equal(b.data, cases[i].out);
		assert_true(sf_utf8_valid(b.data, b.len));
	}
	sf_buf_release(&b);
}

static void test_jw_document_and_commas(void **state)
{
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", 1);
	sf_jw_kstr(&w, "状态", "已受理");
	sf_jw_key(&w, "flags");
	sf_jw_arr_begin(&w);
	sf_jw_bool(&w, true);
	sf_jw_bool(&w, false);
	sf_jw_null(&w);
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "empty");
	sf_jw_obj_begin(&w);
	sf_jw_obj_end(&w);
	sf_jw_key(&w, "none");
	sf_jw_arr_begin(&w);
	sf_jw_arr_end(&w);
	sf_jw_knull(&w, "n");
	sf_jw_kbool(&w, "b", false);
	sf_jw_knum(&w, "x", 0.1);
	sf_jw_kraw(&w, "raw", "{\"a\":[1,2]}");
	sf_jw_kstrn(&w, "cut", "abcdef", 3);
	sf_jw_key(&w, "list");
	sf_jw_arr_begin(&w);
	sf_jw_obj_begin(&w);
	sf_jw_obj_end(&w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "k", -2);
	sf_jw_obj_end(&w);
	sf_jw_raw(&w, NULL);
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	assert_true(sf_jw_ok(&w));
	assert_string_equal(b.data, "{\"id\":1,\"状态\":\"已受理\",\"flags\":[true,false,null],"
				    "\"empty\":{},\"none\":[],\"n\":null,\"b\":false,\"x\":0.1,"
				    "\"raw\":{\"a\":[1,2]},\"cut\":\"abc\","
				    "\"list\":[{},{\"k\":-2},null]}");
	sf_buf_release(&b);
}

static void test_jw_numbers(void **state)
{
	static const struct {
		double v;
		const char *out;
	} nums[] = {
		{ 0.1, "0.1" },
		{ 1.0 / 3.0, "0.3333333333333333" },
		{ 3.0, "3" },
		{ -2.5, "-2.5" },
		{ 1e300, "1e+300" },
		{ -1e-7, "-1e-07" },
		{ 0.3, "0.3" },
		{ 123456789.125, "123456789.125" },
		{ -0.0, "0" },
		{ 1e15, "1e+15" },
		{ 999999999999999.0, "999999999999999" },
		{ -42.0, "-42" },
	};
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		sf_buf_reset(&b);
		sf_jw_init(&w, &b);
		sf_jw_num(&w, nums[i].v);
		assert_string_equal(b.data, nums[i].out);
		assert_true(strtod(b.data, NULL) == nums[i].v); /* -0 == 0 too */
	}
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_arr_begin(&w);
	sf_jw_num(&w, 0.0 / 0.0);
	sf_jw_num(&w, 1.0 / 0.0);
	sf_jw_num(&w, -1.0 / 0.0);
	sf_jw_int(&w, INT64_MIN);
	sf_jw_int(&w, INT64_MAX);
	sf_jw_int(&w, 0);
	sf_jw_arr_end(&w);
	assert_true(sf_jw_ok(&w));
	assert_string_equal(b.data, "[null,null,null,-9223372036854775808,9223372036854775807,0]");
	sf_buf_release(&b);
}

/* What the writer produces, jansson reads back to the same values. */
static void test_jw_output_parses_back(void **state)
{
	const char *tricky = "引号\"反斜杠\\换行\n制表\t<b>&</b> \x01 😀 \xE2\x80\xA8 end";
	json_error_t jerr;
	struct sf_buf b;
	struct sf_jw w;
	json_t *root;

	sf_buf_init(&b, 0);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, tricky, tricky);
	sf_jw_kint(&w, "min", INT64_MIN);
	sf_jw_knum(&w, "third", 1.0 / 3.0);
	sf_jw_key(&w, "arr");
	sf_jw_arr_begin(&w);
	for (int i = 0; i < 5; i++)
		sf_jw_str(&w, "项");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	assert_true(sf_jw_ok(&w));

	root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		fail_msg("jansson: %s in %s", jerr.text, b.data);
	assert_string_equal(json_string_value(json_object_get(root, tricky)), tricky);
	assert_true(json_integer_value(json_object_get(root, "min")) == INT64_MIN);
	assert_true(json_real_value(json_object_get(root, "third")) == 1.0 / 3.0);
	assert_int_equal(json_array_size(json_object_get(root, "arr")), 5);
	/* Safe to embed in HTML: no raw < > & anywhere. */
	assert_null(strpbrk(b.data, "<>&"));
	json_decref(root);
	sf_buf_release(&b);
}

/* Random bytes in, valid JSON of valid UTF-8 out, every time. */
static void test_jw_random_bytes_always_valid(void **state)
{
	uint32_t seed = 12345;
	char in[64];
	json_error_t jerr;
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(round % 64);

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* Bias towards high bytes, where the UTF-8 cases are. */
			in[i] = (char)((seed >> 16) & 0xFF) | (round & 1 ? (char)0x80 : 0);
		}
		sf_buf_reset(&b);
		sf_jw_init(&w, &b);
		sf_jw_arr_begin(&w);
		sf_jw_strn(&w, in, n);
		sf_jw_arr_end(&w);
		assert_true(sf_jw_ok(&w));
		assert_true(sf_utf8_valid(b.data, b.len));
		/* ALLOW_NUL: a NUL byte in the input is written as \u0000. */
		json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
		if (!j)
			fail_msg("round %d: %s", round, jerr.text);
		/* Input that was valid UTF-8 (and NUL-free) comes back unchanged. */
		if (sf_utf8_valid(in, n))
			assert_memory_equal(json_string_value(json_array_get(j, 0)), in, n);
		json_decref(j);
	}
	sf_buf_release(&b);
}

static void test_jw_buffer_cap(void **state)
{
	struct sf_buf b;
	struct sf_jw w;

	/* Exactly fits: {"k":"v"} is 9 bytes. */
	sf_buf_init(&b, 9);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "k", "v");
	sf_jw_obj_end(&w);
	assert_true(sf_jw_ok(&w));
	assert_string_equal(b.data, "{\"k\":\"v\"}");
	sf_buf_release(&b);

	/* One byte short. */
	sf_buf_init(&b, 8);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "k", "v");
	sf_jw_obj_end(&w);
	assert_false(sf_jw_ok(&w));
	sf_buf_release(&b);

	sf_buf_init(&b, 64);
	sf_jw_init(&w, &b);
	sf_jw_arr_begin(&w);
	for (int i = 0; i < 100; i++)
		sf_jw_str(&w, "一段很长的文字");
	sf_jw_arr_end(&w);
	assert_false(sf_jw_ok(&w));
	assert_true(b.len <= 64);
	sf_buf_release(&b);
}

static void test_jw_misuse_is_caught(void **state)
{
	struct sf_buf b;
	struct sf_jw w;

	sf_buf_init(&b, 0);

	/* Value in an object without a key. */
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_int(&w, 1);
	sf_jw_obj_end(&w);
	assert_false(sf_jw_ok(&w));

	/* Key in an array. */
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_arr_begin(&w);
	sf_jw_key(&w, "k");
	sf_jw_arr_end(&w);
	assert_false(sf_jw_ok(&w));

	/* Unclosed. */
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	assert_false(sf_jw_ok(&w));

	/* Key left without a value. */
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "k");
	sf_jw_obj_end(&w);
	assert_false(sf_jw_ok(&w));

	/* Mismatched close, and a close too many. */
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_arr_begin(&w);
	sf_jw_obj_end(&w);
	assert_false(sf_jw_ok(&w));
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_arr_begin(&w);
	sf_jw_arr_end(&w);
	sf_jw_arr_end(&w);
	assert_false(sf_jw_ok(&w));

	/* Two top-level values. */
	sf_buf_reset(&b);
	sf_jw_init(&w, &b);
	sf_jw_int(&w, 1);
	sf_jw_int(&w, 2);
	assert_false(sf_jw_ok(&w));

	/* 32 levels are fine, 33 are not. */
	for (int depth = SF_JW_MAX_DEPTH; depth <= SF_JW_MAX_DEPTH + 1; depth++) {
		sf_buf_reset(&b);
		sf_jw_init(&w, &b);
		for (int i = 0; i < depth; i++)
			sf_jw_arr_begin(&w);
		for (int i = 0; i < depth; i++)
			sf_jw_arr_end(&w);
		assert_int_equal(sf_jw_ok(&w), depth == SF_JW_MAX_DEPTH);
	}
	sf_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_chinese_round_trip),
		cmocka_unit_test(test_parse_skips_bom),
		cmocka_unit_test(test_parse_rejects_invalid_utf8),
		cmocka_unit_test(test_parse_rejects_invalid_json),
		cmocka_unit_test(test_parse_requires_object),
		cmocka_unit_test(test_parse_rejects_duplicate_keys),
		cmocka_unit_test(test_parse_depth_limit),
		cmocka_unit_test(test_check_error_codes),
		cmocka_unit_test(test_check_required_array),
		cmocka_unit_test(test_check_default_lengths),
		cmocka_unit_test(test_check_default_array_items),
		cmocka_unit_test(test_check_long_unknown_key_is_cut_cleanly),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_each_in_document_order),
		cmocka_unit_test(test_parse_any_array),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_jw_escaping_exact_bytes),
		cmocka_unit_test(test_jw_invalid_utf8_becomes_replacement),
		cmocka_unit_test(test_jw_document_and_commas),
		cmocka_unit_test(test_jw_numbers),
		cmocka_unit_test(test_jw_output_parses_back),
		cmocka_unit_test(test_jw_random_bytes_always_valid),
		cmocka_unit_test(test_jw_buffer_cap),
		cmocka_unit_test(test_jw_misuse_is_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Fuzz target for util/json: request bodies through sf_json_parse and
 * sf_json_check against a spec using every field type, then every accessor
 * and a dump that must parse back to the same text. Invariants: a success
 * leaves err untouched; a failure sets err->rc to the result with a
 * documented code; checked fields read back within their limits; every
 * string read is valid UTF-8; nesting never passes SF_JSON_MAX_DEPTH. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "util/json.h"
#include "util/utf8.h"

static const struct sf_jfield spec[] = {
	{ .name = "title", .type = SF_JT_STRING, .required = true },
	{ .name = "body", .type = SF_JT_TEXT, .max_len = 50 },
	{ .name = "n", .type = SF_JT_INT, .min = -5, .max = 1000 },
	{ .name = "big", .type = SF_JT_INT },
	{ .name = "x", .type = SF_JT_NUMBER, .min = -180, .max = 180 },
	{ .name = "ok", .type = SF_JT_BOOL },
	{ .name = "tags", .type = SF_JT_STRING_ARRAY, .max_len = 5 },
	{ .name = "ids", .type = SF_JT_INT_ARRAY, .min = 1, .max = 99 },
	{ .name = "sub", .type = SF_JT_OBJECT, .max_len = 3 },
	{ .name = "any", .type = SF_JT_ANY },
	{ 0 },
};

static const struct sf_jfield sub_spec[] = {
	{ .name = "a", .type = SF_JT_INT },
	{ .name = "b", .type = SF_JT_STRING, .max_len = 3 },
	{ 0 },
};

static bool str_ok(const char *s)
{
	return s && sf_utf8_valid(s, strlen(s));
}

static bool one_of(const char *code, const char *const *codes)
{
	for (; *codes; codes++)
		if (strcmp(code, *codes) == 0)
			return true;
	return false;
}

struct walk {
	int depth, max_depth;
	size_t values;
};

static void walk_value(const struct sf_json *v, struct walk *w);

static int walk_member(const char *key, const struct sf_json *val, void *ctx)
{
	FUZZ_CHECK(str_ok(key));
	walk_value(val, ctx);
	return 0;
}

/* Every value of the tree: kinds agree with the typed readers. */
static void walk_value(const struct sf_json *v, struct walk *w)
{
	int64_t i;
	double d;
	bool b;

	w->values++;
	switch (sf_json_kind(v)) {
	case SF_JSON_STRING: FUZZ_CHECK(str_ok(sf_json_as_str(v))); break;
	case SF_JSON_INT:
		FUZZ_CHECK(sf_json_as_int(v, &i));
		FUZZ_CHECK(sf_json_as_num(v, &d));
		break;
	case SF_JSON_REAL:
		FUZZ_CHECK(!sf_json_as_int(v, &i));
		FUZZ_CHECK(sf_json_as_num(v, &d));
		break;
	case SF_JSON_BOOL: FUZZ_CHECK(sf_json_as_bool(v, &b)); break;
	case SF_JSON_NULL: FUZZ_CHECK(sf_json_as_str(v) == NULL); break;
	case SF_JSON_ARRAY:
	case SF_JSON_OBJECT:
		w->depth++;
		if (w->depth > w->max_depth)
			w->max_depth = w->depth;
		FUZZ_CHECK(w->depth <= SF_JSON_MAX_DEPTH);
		if (sf_json_kind(v) == SF_JSON_OBJECT) {
			FUZZ_CHECK(sf_json_each(v, walk_member, w) == 0);
		} else {
			size_t n = sf_json_len(v);
			struct sf_json *c;

			for (size_t k = 0; k < n; k++) {
				FUZZ_CHECK(sf_json_at(v, k, &c) == 0);
				walk_value(c, w);
				sf_json_free(c);
			}
			FUZZ_CHECK(sf_json_at(v, n, &c) == SF_ENOTFOUND && c == NULL);
		}
		w->depth--;
		break;
	}
}

/* The accessors on a body that passed the check read what the spec allows. */
static void read_checked(const struct sf_json *o)
{
	const char *s = sf_json_str(o, "title");
	struct sf_json *sub = NULL;
	int64_t i;
	double d;
	size_t n;

	FUZZ_CHECK(str_ok(s));
	FUZZ_CHECK(sf_utf8_count(s, strlen(s)) <= SF_JSON_STRING_MAX);
	FUZZ_CHECK(!sf_utf8_has_control(s, strlen(s), false));
	s = sf_json_str(o, "body");
	if (s) {
		FUZZ_CHECK(str_ok(s));
		FUZZ_CHECK(sf_utf8_count(s, strlen(s)) <= 50);
		FUZZ_CHECK(!sf_utf8_has_control(s, strlen(s), true));
	}
	if (sf_json_int(o, "n", &i))
		FUZZ_CHECK(i >= -5 && i <= 1000);
	if (sf_json_has(o, "n"))
		FUZZ_CHECK(sf_json_int(o, "n", &i));
	if (sf_json_has(o, "x")) {
		FUZZ_CHECK(sf_json_num(o, "x", &d));
		FUZZ_CHECK(isfinite(d) && d >= -180 && d <= 180);
	}
	n = sf_json_array_len(o, "tags");
	FUZZ_CHECK(n <= 5);
	for (size_t k = 0; k < n; k++) {
		s = sf_json_array_str(o, "tags", k);
		FUZZ_CHECK(str_ok(s) && *s);
		FUZZ_CHECK(!sf_utf8_has_control(s, strlen(s), false));
	}
	FUZZ_CHECK(sf_json_array_str(o, "tags", n) == NULL);
	n = sf_json_array_len(o, "ids");
	FUZZ_CHECK(n <= SF_JSON_ITEMS_MAX);
	for (size_t k = 0; k < n; k++) {
		FUZZ_CHECK(sf_json_array_int(o, "ids", k, &i));
		FUZZ_CHECK(i >= 1 && i <= 99);
	}
	if (sf_json_object(o, "sub", &sub) == 0) {
		struct sf_error err = { 0 };

		FUZZ_CHECK(sf_json_len(sub) <= 3);
		if (sf_json_check(sub, sub_spec, &err) == 0) {
			FUZZ_CHECK(err.rc == 0 && err.code[0] == '\0');
			s = sf_json_str(sub, "b");
			FUZZ_CHECK(!s || sf_utf8_count(s, strlen(s)) <= 3);
		} else {
			FUZZ_CHECK(err.rc == SF_EINVAL && err.code[0]);
		}
		sf_json_free(sub);
	} else {
		FUZZ_CHECK(sub == NULL);
	}
}

/* Dumped JSON parses back and dumps to the same text. */
static void round_trip(const struct sf_json *j)
{
	struct sf_buf a, b;
	struct sf_json *again = NULL;
	struct sf_error err = { 0 };

	sf_buf_init(&a, 0);
	sf_buf_init(&b, 0);
	FUZZ_CHECK(sf_json_dump(j, &a) == 0);
	FUZZ_CHECK(sf_json_parse_any(a.data, a.len, &again, &err) == 0);
	FUZZ_CHECK(sf_json_dump(again, &b) == 0);
	FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	sf_json_free(again);
	sf_buf_release(&a);
	sf_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const parse_codes[] = { "invalid_utf8", "too_deep", "invalid_json",
						   NULL };
	static const char *const check_codes[] = { "unknown_field",
						   "missing_field",
						   "invalid_type",
						   "too_long",
						   "invalid_field",
						   "out_of_range",
						   NULL };
	const char *body = (const char *)data;
	struct sf_error err = { 0 };
	struct sf_json *j = NULL;
	struct walk w = { 0 };
	int rc;

	rc = sf_json_parse(body, size, &j, &err);
	if (rc) {
		FUZZ_CHECK(rc == SF_EINVAL && j == NULL && err.rc == rc);
		FUZZ_CHECK(one_of(err.code, parse_codes));
		FUZZ_CHECK(err.field[0] == '\0');
		/* The same text as any top-level value. */
		memset(&err, 0, sizeof(err));
		if (sf_json_parse_any(body, size, &j, &err) == 0) {
			FUZZ_CHECK(err.rc == 0 && err.code[0] == '\0');
			FUZZ_CHECK(sf_json_kind(j) != SF_JSON_OBJECT);
			walk_value(j, &w);
			round_trip(j);
			sf_json_free(j);
		}
		return 0;
	}
	FUZZ_CHECK(j && sf_json_kind(j) == SF_JSON_OBJECT);
	FUZZ_CHECK(err.rc == 0 && err.code[0] == '\0' && err.message[0] == '\0');
	walk_value(j, &w);
	FUZZ_CHECK(w.max_depth >= 1 && w.max_depth <= SF_JSON_MAX_DEPTH);
	round_trip(j);
	rc = sf_json_check(j, spec, &err);
	if (rc == 0) {
		FUZZ_CHECK(err.rc == 0 && err.code[0] == '\0' && err.message[0] == '\0');
		read_checked(j);
	} else {
		FUZZ_CHECK(rc == SF_EINVAL && err.rc == rc);
		FUZZ_CHECK(one_of(err.code, check_codes));
		FUZZ_CHECK(sf_utf8_valid(err.field, strlen(err.field)));
		FUZZ_CHECK(sf_utf8_valid(err.message, strlen(err.message)) ||
			   strlen(err.message) == sizeof(err.message) - 1);
	}
	sf_json_free(j);
	return 0;
}

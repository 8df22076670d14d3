/* JSON adapter over jansson; see json.h. The one file that includes
 * jansson.h. Values handed out hold their own jansson reference, so a child
 * stays valid whatever order the caller frees things in. Iteration uses
 * json_object_iter, not json_*_foreach: cppcheck in `make lint` cannot see
 * jansson's macros. */
#include "util/json.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

struct sf_json {
	json_t *j;
	bool lent; /* a stack value shown to an sf_json_each callback */
};

static struct sf_json *wrap(json_t *j)
{
	struct sf_json *o = sf_xmalloc(sizeof(*o));

	o->j = json_incref(j);
	o->lent = false;
	return o;
}

void sf_json_free(struct sf_json *j)
{
	if (!j || j->lent)
		return;
	json_decref(j->j);
	free(j);
}

/* Depth of the deepest container, counted on the raw text so that jansson
 * never recurses into a hostile body. Stops counting once past max; a body
 * whose brackets do not balance is left for jansson to report. */
static bool too_deep(const char *s, size_t len, int max)
{
	bool in_str = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return true;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return false;
}

static int parse(const char *text, size_t len, bool need_object, struct sf_json **out,
		 struct sf_error *err)
{
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (!text)
		len = 0;
	/* Files saved by Windows tools start with a byte order mark; RFC 8259
	 * lets a parser ignore it. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (len && !sf_utf8_valid(text, len))
		return sf_error_set(err, SF_EINVAL, "invalid_utf8", "",
				    "body is not valid UTF-8 text");
	if (too_deep(text, len, SF_JSON_MAX_DEPTH))
		return sf_error_set(err, SF_EINVAL, "too_deep", "",
				    "JSON is nested deeper than %d levels", SF_JSON_MAX_DEPTH);
	/* DECODE_ANY so that a scalar body gets our message below, not jansson's. */
	j = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!j) {
		const char *why = jerr.text;

		/* jansson's own wording names its flag; say what is wrong instead. */
		if (json_error_code(&jerr) == json_error_null_character)
			why = "strings must not contain \\u0000";
		return sf_error_set(err, SF_EINVAL, "invalid_json", "",
				    "invalid JSON at line %d, column %d: %s", jerr.line,
				    jerr.column, why);
	}
	if (need_object && !json_is_object(j)) {
		json_decref(j);
		return sf_error_set(err, SF_EINVAL, "invalid_json", "",
				    "body must be a JSON object");
	}
	*out = wrap(j);
	json_decref(j); /* wrap took its own reference */
	return 0;
}

int sf_json_parse(const char *body, size_t len, struct sf_json **out, struct sf_error *err)
{
	return parse(body, len, true, out, err);
}

int sf_json_parse_any(const char *text, size_t len, struct sf_json **out, struct sf_error *err)
{
	return parse(text, len, false, out, err);
}

int sf_json_load_file(const char *path, size_t max_bytes, struct sf_json **out,
		      struct sf_error *err)
{
	struct sf_buf b;
	char chunk[65536];
	FILE *f = NULL;
	size_t n;
	int rc;

	*out = NULL;
	sf_buf_init(&b, max_bytes);
	f = fopen(path, "rb");
	if (!f) {
		rc = sf_error_set(err, SF_EIO, "io_error", "", "cannot open %s: %s", path,
				  strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sf_buf_add(&b, chunk, n);
		if (!sf_buf_ok(&b)) {
			rc = sf_error_set(err, SF_ETOOBIG, "too_large", "",
					  "%s is larger than %zu bytes", path, b.max);
			goto out;
		}
	}
	if (ferror(f)) {
		rc = sf_error_set(err, SF_EIO, "io_error", "", "cannot read %s", path);
		goto out;
	}
	rc = sf_json_parse_any(b.data, b.len, out, err);
out:
	if (f)
		fclose(f);
	sf_buf_release(&b);
	return rc;
}

/* ---- checking against a spec ---- */

/* A client's key as it may appear in err->field (64 bytes) and messages:
 * cut to 60 bytes on a character boundary (keys are valid UTF-8). */
static int shown_len(const char *k)
{
	size_t n = strlen(k);

	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)k[n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

/* Only whitespace: ASCII, NBSP (U+00A0) or the ideographic space (U+3000)
 * that Chinese input methods type. */
static bool blank(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		if (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))
			i += 1;
		else if (i + 1 < n && p[i] == 0xC2 && p[i + 1] == 0xA0)
			i += 2;
		else if (i + 2 < n && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80)
			i += 3;
		else
			return false;
	}
	return true;
}

static const char *type_words(enum sf_jtype t)
{
	switch (t) {
	case SF_JT_STRING:
	case SF_JT_TEXT: return "a string";
	case SF_JT_INT: return "an integer";
	case SF_JT_NUMBER: return "a number";
	case SF_JT_BOOL: return "true or false";
	case SF_JT_STRING_ARRAY: return "an array of strings";
	case SF_JT_INT_ARRAY: return "an array of integers";
	case SF_JT_OBJECT: return "an object";
	case SF_JT_ANY: break;
	}
	return "a JSON value";
}

static bool type_ok(enum sf_jtype t, const json_t *v)
{
	switch (t) {
	case SF_JT_STRING:
	case SF_JT_TEXT: return json_is_string(v);
	case SF_JT_INT: return json_is_integer(v);
	case SF_JT_NUMBER: return json_is_number(v);
	case SF_JT_BOOL: return json_is_boolean(v);
	case SF_JT_STRING_ARRAY:
	case SF_JT_INT_ARRAY: return json_is_array(v);
	case SF_JT_OBJECT: return json_is_object(v);
	case SF_JT_ANY: return true;
	}
	return false;
}

static int check_string(const struct sf_jfield *f, const json_t *v, struct sf_error *err)
{
	bool text = f->type == SF_JT_TEXT;
	size_t max = f->max_len ? f->max_len : text ? SF_JSON_TEXT_MAX : SF_JSON_STRING_MAX;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (f->required && blank(s, n))
		return sf_error_set(err, SF_EINVAL, "missing_field", f->name, "%s is required",
				    f->name);
	if (sf_utf8_count(s, n) > max)
		return sf_error_set(err, SF_EINVAL, "too_long", f->name,
				    "%s must be at most %zu characters", f->name, max);
	if (sf_utf8_has_control(s, n, text))
		return sf_error_set(err, SF_EINVAL, "invalid_field", f->name,
				    text ? "%s must not contain control characters"
					 : "%s must be one line without control characters",
				    f->name);
	return 0;
}

static bool in_range(const struct sf_jfield *f, double d)
{
	return f->min >= f->max || (d >= (double)f->min && d <= (double)f->max);
}

static int range_error(const struct sf_jfield *f, struct sf_error *err)
{
	return sf_error_set(err, SF_EINVAL, "out_of_range", f->name,
			    "%s must be between %" PRId64 " and %" PRId64, f->name, f->min, f->max);
}

static int check_array(const struct sf_jfield *f, const json_t *v, struct sf_error *err)
{
	size_t max = f->max_len ? f->max_len : SF_JSON_ITEMS_MAX;
	size_t n = json_array_size(v);

	if (f->required && n == 0)
		return sf_error_set(err, SF_EINVAL, "missing_field", f->name,
				    "%s must have at least one item", f->name);
	if (n > max)
		return sf_error_set(err, SF_EINVAL, "too_long", f->name,
				    "%s must have at most %zu items", f->name, max);
	for (size_t i = 0; i < n; i++) {
		const json_t *it = json_array_get(v, i);

		if (f->type == SF_JT_INT_ARRAY) {
			if (!json_is_integer(it))
				return sf_error_set(err, SF_EINVAL, "invalid_type", f->name,
						    "%s must be an array of integers "
						    "(item %zu is not)",
						    f->name, i + 1);
			if (f->min < f->max &&
			    (json_integer_value(it) < f->min || json_integer_value(it) > f->max))
				return sf_error_set(err, SF_EINVAL, "out_of_range", f->name,
						    "%s items must be between %" PRId64
						    " and %" PRId64 " (item %zu is not)",
						    f->name, f->min, f->max, i + 1);
			continue;
		}
		if (!json_is_string(it))
			return sf_error_set(err, SF_EINVAL, "invalid_type", f->name,
					    "%s must be an array of strings (item %zu is not)",
					    f->name, i + 1);
		const char *s = json_string_value(it);
		size_t len = json_string_length(it);
		if (blank(s, len))
			return sf_error_set(err, SF_EINVAL, "invalid_field", f->name,
					    "%s item %zu is empty", f->name, i + 1);
		if (sf_utf8_count(s, len) > SF_JSON_ITEM_STRING_MAX)
			return sf_error_set(err, SF_EINVAL, "too_long", f->name,
					    "%s item %zu must be at most %d characters", f->name,
					    i + 1, SF_JSON_ITEM_STRING_MAX);
		if (sf_utf8_has_control(s, len, false))
			return sf_error_set(err, SF_EINVAL, "invalid_field", f->name,
					    "%s item %zu must be one line without control "
					    "characters",
					    f->name, i + 1);
	}
	return 0;
}

static int check_field(const struct sf_jfield *f, const json_t *v, struct sf_error *err)
{
	if (!type_ok(f->type, v))
		return sf_error_set(err, SF_EINVAL, "invalid_type", f->name, "%s must be %s",
				    f->name, type_words(f->type));
	switch (f->type) {
	case SF_JT_STRING:
	case SF_JT_TEXT: return check_string(f, v, err);
	case SF_JT_INT:
		if (f->min < f->max &&
		    (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
			return range_error(f, err);
		return 0;
	case SF_JT_NUMBER:
		if (!isfinite(json_number_value(v)) || !in_range(f, json_number_value(v)))
			return range_error(f, err);
		return 0;
	case SF_JT_STRING_ARRAY:
	case SF_JT_INT_ARRAY: return check_array(f, v, err);
	case SF_JT_OBJECT: {
		size_t max = f->max_len ? f->max_len : SF_JSON_ITEMS_MAX;

		if (json_object_size(v) > max)
			return sf_error_set(err, SF_EINVAL, "too_long", f->name,
					    "%s must have at most %zu members", f->name, max);
		return 0;
	}
	case SF_JT_BOOL:
	case SF_JT_ANY: return 0;
	}
	return 0;
}

int sf_json_check(const struct sf_json *o, const struct sf_jfield *spec, struct sf_error *err)
{
	if (!o || !json_is_object(o->j))
		return sf_error_set(err, SF_EINVAL, "invalid_json", "",
				    "body must be a JSON object");
	/* Unknown keys first: a misspelt key explains a "missing" field. */
	for (void *it = json_object_iter(o->j); it; it = json_object_iter_next(o->j, it)) {
		const char *key = json_object_iter_key(it);
		const struct sf_jfield *f = spec;

		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name) {
			char shown[64];
			int n = shown_len(key);

			snprintf(shown, sizeof(shown), "%.*s", n, key);
			return sf_error_set(err, SF_EINVAL, "unknown_field", shown,
					    "unknown field \"%s\"", shown);
		}
	}
	for (const struct sf_jfield *f = spec; f->name; f++) {
		json_t *v = json_object_get(o->j, f->name);
		int rc;

		if (!v || json_is_null(v)) {
			if (f->required)
				return sf_error_set(err, SF_EINVAL, "missing_field", f->name,
						    "%s is required", f->name);
			continue;
		}
		rc = check_field(f, v, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- reading ---- */

static json_t *member(const struct sf_json *o, const char *key)
{
	json_t *v;

	if (!o || !json_is_object(o->j))
		return NULL;
	v = json_object_get(o->j, key);
	return json_is_null(v) ? NULL : v;
}

static bool get_int(const json_t *v, int64_t *out)
{
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool get_num(const json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

static bool get_bool(const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

const char *sf_json_str(const struct sf_json *o, const char *key)
{
	return json_string_value(member(o, key));
}

bool sf_json_int(const struct sf_json *o, const char *key, int64_t *out)
{
	return get_int(member(o, key), out);
}

bool sf_json_num(const struct sf_json *o, const char *key, double *out)
{
	return get_num(member(o, key), out);
}

bool sf_json_bool(const struct sf_json *o, const char *key, bool *out)
{
	return get_bool(member(o, key), out);
}

bool sf_json_has(const struct sf_json *o, const char *key)
{
	return member(o, key) != NULL;
}

size_t sf_json_array_len(const struct sf_json *o, const char *key)
{
	return json_array_size(member(o, key));
}

const char *sf_json_array_str(const struct sf_json *o, const char *key, size_t i)
{
	return json_string_value(json_array_get(member(o, key), i));
}

bool sf_json_array_int(const struct sf_json *o, const char *key, size_t i, int64_t *out)
{
	return get_int(json_array_get(member(o, key), i), out);
}

int sf_json_get(const struct sf_json *o, const char *key, struct sf_json **child)
{
	json_t *v = member(o, key);

	*child = NULL;
	if (!v)
		return SF_ENOTFOUND;
	*child = wrap(v);
	return 0;
}

int sf_json_object(const struct sf_json *o, const char *key, struct sf_json **child)
{
	json_t *v = member(o, key);

	*child = NULL;
	if (!v)
		return SF_ENOTFOUND;
	if (!json_is_object(v))
		return SF_EINVAL;
	*child = wrap(v);
	return 0;
}

enum sf_json_kind sf_json_kind(const struct sf_json *v)
{
	if (!v)
		return SF_JSON_NULL;
	switch (json_typeof(v->j)) {
	case JSON_OBJECT: return SF_JSON_OBJECT;
	case JSON_ARRAY: return SF_JSON_ARRAY;
	case JSON_STRING: return SF_JSON_STRING;
	case JSON_INTEGER: return SF_JSON_INT;
	case JSON_REAL: return SF_JSON_REAL;
	case JSON_TRUE:
	case JSON_FALSE: return SF_JSON_BOOL;
	case JSON_NULL: break;
	}
	return SF_JSON_NULL;
}

const char *sf_json_as_str(const struct sf_json *v)
{
	return v ? json_string_value(v->j) : NULL;
}

bool sf_json_as_int(const struct sf_json *v, int64_t *out)
{
	return v && get_int(v->j, out);
}

bool sf_json_as_num(const struct sf_json *v, double *out)
{
	return v && get_num(v->j, out);
}

bool sf_json_as_bool(const struct sf_json *v, bool *out)
{
	return v && get_bool(v->j, out);
}

size_t sf_json_len(const struct sf_json *v)
{
	if (!v)
		return 0;
	if (json_is_array(v->j))
		return json_array_size(v->j);
	return json_object_size(v->j);
}

int sf_json_at(const struct sf_json *v, size_t i, struct sf_json **child)
{
	*child = NULL;
	if (!v || !json_is_array(v->j))
		return SF_EINVAL;
	if (i >= json_array_size(v->j))
		return SF_ENOTFOUND;
	*child = wrap(json_array_get(v->j, i));
	return 0;
}

int sf_json_each(const struct sf_json *o,
		 int (*cb)(const char *key, const struct sf_json *val, void *ctx), void *ctx)
{
	if (!o || !json_is_object(o->j))
		return SF_EINVAL;
	for (void *it = json_object_iter(o->j); it; it = json_object_iter_next(o->j, it)) {
		struct sf_json tmp = { .j = json_object_iter_value(it), .lent = true };
		int rc = cb(json_object_iter_key(it), &tmp, ctx);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- writing back out ---- */

/* Recursion is bounded: every tree came through parse(), depth <= 16. */
static void write_value(json_t *j, struct sf_jw *w)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		sf_jw_obj_begin(w);
		for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
			sf_jw_key(w, json_object_iter_key(it));
			write_value(json_object_iter_value(it), w);
		}
		sf_jw_obj_end(w);
		break;
	case JSON_ARRAY:
		sf_jw_arr_begin(w);
		for (size_t i = 0; i < json_array_size(j); i++)
			write_value(json_array_get(j, i), w);
		sf_jw_arr_end(w);
		break;
	case JSON_STRING: sf_jw_strn(w, json_string_value(j), json_string_length(j)); break;
	case JSON_INTEGER: sf_jw_int(w, json_integer_value(j)); break;
	case JSON_REAL: sf_jw_num(w, json_real_value(j)); break;
	case JSON_TRUE: sf_jw_bool(w, true); break;
	case JSON_FALSE: sf_jw_bool(w, false); break;
	case JSON_NULL: sf_jw_null(w); break;
	}
}

void sf_json_write(const struct sf_json *v, struct sf_jw *w)
{
	if (!v)
		sf_jw_null(w);
	else
		write_value(v->j, w);
}

int sf_json_dump(const struct sf_json *v, struct sf_buf *out)
{
	struct sf_jw w;

	sf_jw_init(&w, out);
	sf_json_write(v, &w);
	return sf_jw_ok(&w) ? 0 : SF_ETOOBIG;
}

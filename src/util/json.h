/* JSON input: parse a request body, check it against a declarative field
 * spec, read the checked fields. The only code outside tests that sees
 * jansson; callers get an opaque struct sf_json. Output is not here: write
 * responses with util/jw.h. Every input is capped (depth 16, string length,
 * array items) so no request can make the server do unbounded work. */
#ifndef SF_JSON_H
#define SF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/jw.h"

/* Deepest nesting accepted: the top-level container is depth 1, so
 * {"a":{"b":1}} has depth 2. */
#define SF_JSON_MAX_DEPTH 16
/* Defaults for sf_jfield.max_len == 0. */
#define SF_JSON_STRING_MAX 200 /* characters */
#define SF_JSON_TEXT_MAX 4000  /* characters */
#define SF_JSON_ITEMS_MAX 100  /* array items, object members */
/* Longest string item of a SF_JT_STRING_ARRAY, in characters. */
#define SF_JSON_ITEM_STRING_MAX 200

/* A parsed JSON value: a root from sf_json_parse*, or a child lent by
 * sf_json_object/sf_json_get/sf_json_at (which keeps the tree alive on its
 * own, so it may outlive its parent), or a value shown to an sf_json_each
 * callback (valid only during the call). */
struct sf_json;

enum sf_jtype {
	SF_JT_STRING,       /* one line of text: no control characters */
	SF_JT_TEXT,         /* multi-line text: \n \r \t allowed */
	SF_JT_INT,          /* JSON integer (no fraction, no exponent) */
	SF_JT_NUMBER,       /* any JSON number, read as double */
	SF_JT_BOOL,         /* true or false */
	SF_JT_STRING_ARRAY, /* array of non-empty one-line strings */
	SF_JT_INT_ARRAY,    /* array of integers */
	SF_JT_OBJECT,       /* nested object; check it with its own spec */
	SF_JT_ANY,          /* anything; the handler checks it */
};

/* One field of a spec; a spec is an array of these ending with { 0 } (clang's
 * -Wmissing-field-initializers rejects { NULL }). Write entries with
 * designated initializers, { .name = "title", .type = SF_JT_STRING,
 * .required = true }, or with all six members.
 * required: the field must be present and not null; for strings also not
 * empty or only whitespace (ASCII or the ideographic space U+3000), for
 * arrays not empty.
 * max_len: characters for STRING and TEXT, items for arrays, members for
 * OBJECT; 0 picks the default above.
 * min, max: inclusive range of INT, NUMBER and each INT_ARRAY item, applied
 * only when min < max. */
struct sf_jfield {
	const char *name;
	enum sf_jtype type;
	bool required;
	size_t max_len;
	int64_t min, max;
};

/* What a value is, for SF_JT_ANY fields and iteration. */
enum sf_json_kind {
	SF_JSON_NULL,
	SF_JSON_STRING,
	SF_JSON_INT,
	SF_JSON_REAL,
	SF_JSON_BOOL,
	SF_JSON_ARRAY,
	SF_JSON_OBJECT,
};

/* Parse a request body of len bytes (NUL not needed) whose top level must
 * be an object; a leading UTF-8 byte order mark is skipped. On success *out
 * is the caller's (sf_json_free); on failure *out is NULL and the result is
 * SF_EINVAL with err->field "" and code
 * "invalid_utf8" (ill-formed UTF-8 or a NUL byte), "too_deep" (nesting past
 * SF_JSON_MAX_DEPTH) or "invalid_json" (syntax, with line and column;
 * duplicate keys; \u0000 in a string; integers beyond 64 bits; a top level
 * that is not an object). */
int sf_json_parse(const char *body, size_t len, struct sf_json **out, struct sf_error *err);
/* As sf_json_parse, but any JSON value may be the top level (a file of
 * records is an array). */
int sf_json_parse_any(const char *text, size_t len, struct sf_json **out, struct sf_error *err);
/* Read and parse the file at path with sf_json_parse_any. Errors as there,
 * plus SF_EIO (code "io_error") when the file cannot be read and SF_ETOOBIG
 * (code "too_large") when it is longer than max_bytes. */
int sf_json_load_file(const char *path, size_t max_bytes, struct sf_json **out,
		      struct sf_error *err);
/* Release a value. NULL and callback values are ignored; a lent child
 * drops only its own reference. */
void sf_json_free(struct sf_json *j);

/* Check object o against spec: no key outside the spec, each field of the
 * right type and within its limits. Returns 0 or SF_EINVAL with err->field
 * the key at fault and err->code one of "unknown_field", "missing_field"
 * (absent, null, or empty when required), "invalid_type", "too_long"
 * (string characters or array items), "invalid_field" (control characters,
 * empty array item) or "out_of_range"; the message names the key. When o is
 * not an object: SF_EINVAL "invalid_json" with field "". Nested objects are
 * checked by the caller with sf_json_object and their own spec. */
int sf_json_check(const struct sf_json *o, const struct sf_jfield *spec, struct sf_error *err);

/* Accessors of object members. A member that is absent, null or of another
 * type reads as absent: NULL, false or 0. Strings are valid UTF-8 without NUL
 * bytes, borrowed from o and valid while o (or the root it came from)
 * lives. */
const char *sf_json_str(const struct sf_json *o, const char *key);
bool sf_json_int(const struct sf_json *o, const char *key, int64_t *out);
/* Integers are converted to double. */
bool sf_json_num(const struct sf_json *o, const char *key, double *out);
bool sf_json_bool(const struct sf_json *o, const char *key, bool *out);
/* True when key is present and not null. */
bool sf_json_has(const struct sf_json *o, const char *key);
/* Items of the array at key (0 when not an array). */
size_t sf_json_array_len(const struct sf_json *o, const char *key);
/* Item i of the array at key: NULL / false when out of range or not a
 * string / integer. */
const char *sf_json_array_str(const struct sf_json *o, const char *key, size_t i);
bool sf_json_array_int(const struct sf_json *o, const char *key, size_t i, int64_t *out);

/* Lend the object at key as *child (free it with sf_json_free). Returns 0,
 * SF_ENOTFOUND when absent or null, SF_EINVAL when not an object; *child is
 * NULL on failure. */
int sf_json_object(const struct sf_json *o, const char *key, struct sf_json **child);
/* As sf_json_object for a value of any kind (not null). */
int sf_json_get(const struct sf_json *o, const char *key, struct sf_json **child);

/* Kind of a value (NULL reads as SF_JSON_NULL). */
enum sf_json_kind sf_json_kind(const struct sf_json *v);
/* The value itself, when it is of that kind (as the member accessors). */
const char *sf_json_as_str(const struct sf_json *v);
bool sf_json_as_int(const struct sf_json *v, int64_t *out);
bool sf_json_as_num(const struct sf_json *v, double *out);
bool sf_json_as_bool(const struct sf_json *v, bool *out);

/* Items of an array or members of an object; 0 for other kinds. */
size_t sf_json_len(const struct sf_json *v);
/* Lend item i of array v as *child (free with sf_json_free). Returns 0,
 * SF_EINVAL when v is not an array, SF_ENOTFOUND when i is out of range. */
int sf_json_at(const struct sf_json *v, size_t i, struct sf_json **child);

/* Call cb for each member of object o in document order. The value is lent
 * for the call only (sf_json_free on it does nothing). A non-zero return from
 * cb stops the walk and is returned; SF_EINVAL when o is not an object. */
int sf_json_each(const struct sf_json *o,
		 int (*cb)(const char *key, const struct sf_json *val, void *ctx), void *ctx);

/* Write v as one value into w (escaped as jw does, so safe to embed). */
void sf_json_write(const struct sf_json *v, struct sf_jw *w);
/* Append v as compact JSON to out. 0, or SF_ETOOBIG when out overflowed. */
int sf_json_dump(const struct sf_json *v, struct sf_buf *out);

#endif

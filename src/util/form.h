/* application/x-www-form-urlencoded bodies (the Open311 POST): split on '&'
 * and '=', '+' as space, %XX decoded, every key and value checked to be
 * well-formed UTF-8 without NUL and within a hard cap, and the PHP-style
 * keys Open311 uses (attribute[CODE], attribute[CODE][]) taken apart.
 * Not for: query strings (libmicrohttpd decodes those) or multipart bodies. */
#ifndef SF_FORM_H
#define SF_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

/* Defaults for a zero member of struct sf_form_limits. */
#define SF_FORM_MAX_FIELDS 256  /* key=value pairs */
#define SF_FORM_MAX_KEY 128     /* bytes of a decoded key */
#define SF_FORM_MAX_VALUE 16384 /* bytes of a decoded value */

struct sf_form_limits {
	size_t max_fields;
	size_t max_key;
	size_t max_value;
};

/* One pair, decoded, NUL-terminated, in the arena. val_len excludes the NUL. */
struct sf_form_field {
	const char *key;
	const char *val;
	size_t val_len;
};

/* The pairs in body order; repeated keys stay repeated. */
struct sf_form {
	struct sf_form_field *fields;
	size_t n;
};

/* Parse len bytes of body (NUL not needed) into *out, copying the decoded
 * keys and values into arena a (out->fields lives there too). lim may be
 * NULL for the defaults. Empty pairs ("a=1&&b=2") are skipped; a pair
 * without '=' has the value "". Returns 0, or SF_EINVAL with err->code
 * "invalid_encoding" (a '%' not followed by two hex digits), "invalid_utf8"
 * (ill-formed UTF-8 or a NUL byte, %00 included, in a key or value; field
 * names the key when it could be decoded), "invalid_field" (an empty key),
 * "too_many_fields" or "too_long" (field names the key). *out is empty on
 * failure. */
int sf_form_parse(struct sf_arena *a, const char *body, size_t len,
		  const struct sf_form_limits *lim, struct sf_form *out, struct sf_error *err);

/* The first value of key, or NULL when absent. */
const char *sf_form_get(const struct sf_form *f, const char *key);
/* How many pairs have this key. */
size_t sf_form_count(const struct sf_form *f, const char *key);

/* Take apart a key of the form BASE[SUB] or BASE[SUB][]: true when key has
 * that shape with this base and a non-empty SUB without brackets; then *sub
 * points into key at SUB, *sub_len is its length and *list says whether the
 * trailing "[]" is there. False (outputs untouched) for anything else,
 * "attribute[]", "attribute[a][b]" and "attribute[a" included. */
bool sf_form_subkey(const char *key, const char *base, const char **sub, size_t *sub_len,
		    bool *list);

#endif

/* Streaming JSON writer straight into a struct sf_buf: every API response is
 * written with it. Commas and nesting are tracked for the caller; strings are
 * escaped so the output is safe to embed in HTML (<, >, & as \u003c...).
 * Not a parser or a DOM: input JSON goes through util/json.h.
 * Misuse (value without key, unbalanced end, nesting past 32) is sticky like
 * sf_buf's overflow: later calls are ignored and sf_jw_ok() says false. */
#ifndef SF_JW_H
#define SF_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SF_JW_MAX_DEPTH 32

struct sf_jw {
	struct sf_buf *b;
	int depth;           /* open containers, 0..SF_JW_MAX_DEPTH */
	bool bad;            /* sticky misuse flag */
	bool after_key;      /* a key was written; its value comes next */
	bool top_done;       /* the one top-level value has been started */
	uint32_t is_obj;     /* bit d-1: the container at depth d is an object */
	uint32_t need_comma; /* bit d-1: the container at depth d has an item */
};

/* Start writing one JSON value at the end of b (borrowed; it must outlive
 * w). Nothing is written yet. */
void sf_jw_init(struct sf_jw *w, struct sf_buf *b);

/* True when the buffer did not overflow, no call was misused and every
 * container opened was closed (and no key waits for its value). */
bool sf_jw_ok(const struct sf_jw *w);

void sf_jw_obj_begin(struct sf_jw *w);
void sf_jw_obj_end(struct sf_jw *w);
void sf_jw_arr_begin(struct sf_jw *w);
void sf_jw_arr_end(struct sf_jw *w);

/* Write an object key; the next call writes its value. k must not be NULL
 * and is escaped like a string. */
void sf_jw_key(struct sf_jw *w, const char *k);

/* Write a string value: NUL-terminated s, or n bytes of s (which may hold
 * NUL bytes, written as \u0000). s == NULL writes null. Escapes ", \, control
 * characters (\n \r \t \b \f short, others \u00XX), DEL, <, >, &, U+2028 and
 * U+2029; other valid UTF-8 passes through unchanged; each ill-formed
 * sequence becomes one U+FFFD. */
void sf_jw_str(struct sf_jw *w, const char *s);
void sf_jw_strn(struct sf_jw *w, const char *s, size_t n);

void sf_jw_int(struct sf_jw *w, int64_t v);
/* Shortest decimal that reads back as exactly v; NaN and infinities, which
 * JSON cannot carry, are written as null. */
void sf_jw_num(struct sf_jw *w, double v);
void sf_jw_bool(struct sf_jw *w, bool v);
void sf_jw_null(struct sf_jw *w);
/* Insert json, one complete pre-serialised JSON value, as is (NULL writes
 * null). The caller vouches that it is valid JSON; it is not checked. */
void sf_jw_raw(struct sf_jw *w, const char *json);

/* Key and value in one call. */
void sf_jw_kstr(struct sf_jw *w, const char *k, const char *s);
void sf_jw_kstrn(struct sf_jw *w, const char *k, const char *s, size_t n);
void sf_jw_kint(struct sf_jw *w, const char *k, int64_t v);
void sf_jw_knum(struct sf_jw *w, const char *k, double v);
void sf_jw_kbool(struct sf_jw *w, const char *k, bool v);
void sf_jw_knull(struct sf_jw *w, const char *k);
void sf_jw_kraw(struct sf_jw *w, const char *k, const char *json);

/* Key k with the time t (UTC seconds) as ISO 8601 in Shanghai time
 * ("2026-11-29T12:00:00+08:00"), or null when t <= 0 (not yet, never). */
void sf_jw_ktime(struct sf_jw *w, const char *k, int64_t t);

#endif

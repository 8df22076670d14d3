/* JSON writer; see jw.h. Strings are copied in runs between the bytes that
 * need escaping, so plain text costs one memcpy per run. */
#include "util/timefmt.h"
#include "util/jw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static const char hexdig[] = "0123456789abcdef";

void sf_jw_init(struct sf_jw *w, struct sf_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

bool sf_jw_ok(const struct sf_jw *w)
{
	return !w->bad && sf_buf_ok(w->b) && w->depth == 0 && !w->after_key;
}

static uint32_t bit(int depth)
{
	return (uint32_t)1 << (depth - 1);
}

/* Place a value: the comma inside arrays, the key check inside objects.
 * False when nothing may be written. */
static bool before_value(struct sf_jw *w)
{
	if (w->bad)
		return false;
	if (w->depth == 0) {
		if (w->top_done) {
			w->bad = true;
			return false;
		}
		w->top_done = true;
		return true;
	}
	if (w->is_obj & bit(w->depth)) {
		if (!w->after_key) {
			w->bad = true;
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (w->need_comma & bit(w->depth))
		sf_buf_addch(w->b, ',');
	w->need_comma |= bit(w->depth);
	return true;
}

static void begin(struct sf_jw *w, bool obj)
{
	if (!before_value(w))
		return;
	if (w->depth == SF_JW_MAX_DEPTH) {
		w->bad = true;
		return;
	}
	w->depth++;
	if (obj)
		w->is_obj |= bit(w->depth);
	else
		w->is_obj &= ~bit(w->depth);
	w->need_comma &= ~bit(w->depth);
	sf_buf_addch(w->b, obj ? '{' : '[');
}

static void end(struct sf_jw *w, bool obj)
{
	if (w->bad)
		return;
	if (w->depth == 0 || w->after_key || ((w->is_obj & bit(w->depth)) != 0) != obj) {
		w->bad = true;
		return;
	}
	w->depth--;
	sf_buf_addch(w->b, obj ? '}' : ']');
}

void sf_jw_obj_begin(struct sf_jw *w)
{
	begin(w, true);
}
void sf_jw_obj_end(struct sf_jw *w)
{
	end(w, true);
}
void sf_jw_arr_begin(struct sf_jw *w)
{
	begin(w, false);
}
void sf_jw_arr_end(struct sf_jw *w)
{
	end(w, false);
}

static void put_escape(struct sf_buf *b, unsigned char c)
{
	char e[6] = { '\\', 'u', '0', '0', 0, 0 };

	switch (c) {
	case '"': sf_buf_add(b, "\\\"", 2); return;
	case '\\': sf_buf_add(b, "\\\\", 2); return;
	case '\n': sf_buf_add(b, "\\n", 2); return;
	case '\r': sf_buf_add(b, "\\r", 2); return;
	case '\t': sf_buf_add(b, "\\t", 2); return;
	case '\b': sf_buf_add(b, "\\b", 2); return;
	case '\f': sf_buf_add(b, "\\f", 2); return;
	default:
		e[4] = hexdig[c >> 4];
		e[5] = hexdig[c & 15];
		sf_buf_add(b, e, 6);
	}
}

/* What each byte asks of a JSON string: 0 nothing (copied in the run),
 * E an escape (controls, quote, backslash, and < > & so that JSON inside
 * HTML is inert), U the first byte of a multibyte character to check. */
enum { E = 1, U = 2 };
static const unsigned char byte_class[256] = {
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, /* 0x00 */
	E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, /* 0x10 */
	0, 0, E, 0, 0, 0, E, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 " & */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, E, 0, E, 0, /* 0x30 < > */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, E, 0, 0, 0, /* 0x50 backslash */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, E, /* 0x70 DEL */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x80 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x90 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xA0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xB0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xC0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xD0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xE0 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0xF0 */
};

static bool is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* The length of the well-formed character at p[0..left) that needs no
 * escape, for the common two- and three-byte forms (Chinese text); 0 to
 * let sf_utf8_decode judge it. */
static size_t plain_multibyte(const unsigned char *p, size_t left)
{
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		return left >= 2 && is_cont(p[1]) ? 2 : 0;
	/* E1..EC and EE..EF take any two continuation bytes; E0 (overlong)
	 * and ED (surrogates) go the slow way, and so do U+2028/U+2029. */
	if (p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED && left >= 3 && is_cont(p[1]) &&
	    is_cont(p[2]) && !(p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)))
		return 3;
	return 0;
}

static void put_string(struct sf_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	int32_t cp;

	sf_buf_addch(b, '"');
	while (i < n) {
		unsigned char cls = byte_class[p[i]];

		if (cls == 0) {
			i++;
			continue;
		}
		if (cls == E) {
			sf_buf_add(b, s + run, i - run);
			put_escape(b, p[i]);
			run = ++i;
			continue;
		}
		k = plain_multibyte(p + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		k = sf_utf8_decode(s + i, n - i, &cp);
		if (cp >= 0 && cp != 0x2028 && cp != 0x2029) {
			i += k;
			continue;
		}
		sf_buf_add(b, s + run, i - run);
		if (cp < 0)
			sf_buf_add(b, "\xEF\xBF\xBD", 3);
		else /* JavaScript line terminators: break inline <script> in old engines */
			sf_buf_add(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
		i += k;
		run = i;
	}
	sf_buf_add(b, s + run, i - run);
	sf_buf_addch(b, '"');
}

/* Where n more bytes (and the NUL) go in b when they fit without growing,
 * or NULL. The writer then fills them and calls used(). */
static char *room(struct sf_buf *b, size_t n)
{
	return !b->over && n < b->cap - b->len && n <= b->max - b->len ? b->data + b->len : NULL;
}

static void used(struct sf_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

/* Keys are short plain words: ,"key": goes straight into the buffer. */
#define KEY_FAST 64

void sf_jw_key(struct sf_jw *w, const char *k)
{
	bool comma;
	char *d;

	if (w->bad)
		return;
	if (!k || w->depth == 0 || !(w->is_obj & bit(w->depth)) || w->after_key) {
		w->bad = true;
		return;
	}
	comma = (w->need_comma & bit(w->depth)) != 0;
	w->need_comma |= bit(w->depth);
	w->after_key = true;
	d = room(w->b, KEY_FAST + 4);
	if (d) {
		size_t j = 0, i;

		if (comma)
			d[j++] = ',';
		d[j++] = '"';
		for (i = 0; i < KEY_FAST && k[i] && byte_class[(unsigned char)k[i]] == 0; i++)
			d[j++] = k[i];
		if (!k[i]) {
			d[j++] = '"';
			d[j++] = ':';
			used(w->b, j);
			return;
		}
		w->b->data[w->b->len] = '\0'; /* what was written is not kept */
	}
	if (comma)
		sf_buf_addch(w->b, ',');
	put_string(w->b, k, strlen(k));
	sf_buf_addch(w->b, ':');
}

void sf_jw_strn(struct sf_jw *w, const char *s, size_t n)
{
	if (!before_value(w))
		return;
	if (s)
		put_string(w->b, s, n);
	else
		sf_buf_add(w->b, "null", 4);
}

void sf_jw_str(struct sf_jw *w, const char *s)
{
	sf_jw_strn(w, s, s ? strlen(s) : 0);
}

void sf_jw_int(struct sf_jw *w, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (!before_value(w))
		return;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	sf_buf_add(w->b, tmp + i, sizeof(tmp) - i);
}

/* A number with at most 6 decimals (coordinates, scores, rates) written
 * as the shortest decimal that reads back as v, which is what the %.15g
 * below prints for it, without snprintf and strtod. Returns the length,
 * or 0 for other numbers. */
static size_t put_decimal(double v, char out[40])
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	double a = v < 0 ? -v : v;
	size_t n = 0;

	/* %g's fixed notation, and few enough digits that the integer
	 * n * 10^k below is exact and at most 15 digits long */
	if (!(a >= 1e-4 && a < 1e9))
		return 0;
	for (int k = 1; k <= 6; k++) {
		int64_t m = (int64_t)(a * pow10[k] + 0.5);
		char digits[24];
		int nd = 0;

		if ((double)m / pow10[k] != a)
			continue;
		/* m's digits, at least k + 1 of them for the leading 0. */
		do {
			digits[nd++] = (char)('0' + m % 10);
			m /= 10;
		} while (m || nd <= k);
		if (v < 0)
			out[n++] = '-';
		while (nd > k)
			out[n++] = digits[--nd];
		out[n++] = '.';
		while (nd > 0)
			out[n++] = digits[--nd];
		return n;
	}
	return 0;
}

void sf_jw_num(struct sf_jw *w, double v)
{
	char tmp[40];
	int n = 0;

	if (!isfinite(v)) {
		sf_jw_null(w);
		return;
	}
	/* Whole numbers (counts, days) skip the costly snprintf/strtod pair and
	 * print as %g would; -0 prints as 0. */
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
		sf_jw_int(w, (int64_t)v);
		return;
	}
	if (!before_value(w))
		return;
	n = (int)put_decimal(v, tmp);
	if (n) {
		sf_buf_add(w->b, tmp, (size_t)n);
		return;
	}
	/* %.17g always round-trips; try shorter first for 0.1 rather than
	 * 0.10000000000000001. */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	for (int i = 0; i < n; i++)
		if (tmp[i] == ',') /* a decimal-comma locale must not leak into JSON */
			tmp[i] = '.';
	sf_buf_add(w->b, tmp, (size_t)n);
}

void sf_jw_bool(struct sf_jw *w, bool v)
{
	if (before_value(w))
		sf_buf_add(w->b, v ? "true" : "false", v ? 4 : 5);
}

void sf_jw_null(struct sf_jw *w)
{
	if (before_value(w))
		sf_buf_add(w->b, "null", 4);
}

void sf_jw_raw(struct sf_jw *w, const char *json)
{
	if (before_value(w))
		sf_buf_adds(w->b, json ? json : "null");
}

void sf_jw_kstr(struct sf_jw *w, const char *k, const char *s)
{
	sf_jw_key(w, k);
	sf_jw_str(w, s);
}

void sf_jw_kstrn(struct sf_jw *w, const char *k, const char *s, size_t n)
{
	sf_jw_key(w, k);
	sf_jw_strn(w, s, n);
}

void sf_jw_kint(struct sf_jw *w, const char *k, int64_t v)
{
	sf_jw_key(w, k);
	sf_jw_int(w, v);
}

void sf_jw_knum(struct sf_jw *w, const char *k, double v)
{
	sf_jw_key(w, k);
	sf_jw_num(w, v);
}

void sf_jw_kbool(struct sf_jw *w, const char *k, bool v)
{
	sf_jw_key(w, k);
	sf_jw_bool(w, v);
}

void sf_jw_knull(struct sf_jw *w, const char *k)
{
	sf_jw_key(w, k);
	sf_jw_null(w);
}

void sf_jw_kraw(struct sf_jw *w, const char *k, const char *json)
{
	sf_jw_key(w, k);
	sf_jw_raw(w, json);
}

void sf_jw_ktime(struct sf_jw *w, const char *k, int64_t t)
{
	char iso[32];

	if (t <= 0) {
		sf_jw_knull(w, k);
		return;
	}
	sf_time_iso(t, iso);
	sf_jw_kstr(w, k, iso);
}

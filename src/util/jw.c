/* JSON writer; see jw.h. Strings are copied in runs between the bytes that
 * need escaping, so plain text costs one memcpy per run. */
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

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == 0x7F;
}

static void put_string(struct sf_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int32_t cp;

	sf_buf_addch(b, '"');
	while (i < n) {
		if (p[i] < 0x80) {
			if (!needs_escape(p[i])) {
				i++;
				continue;
			}
			sf_buf_add(b, s + run, i - run);
			put_escape(b, p[i]);
			run = ++i;
			continue;
		}
		size_t k = sf_utf8_decode(s + i, n - i, &cp);
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

void sf_jw_key(struct sf_jw *w, const char *k)
{
	if (w->bad)
		return;
	if (!k || w->depth == 0 || !(w->is_obj & bit(w->depth)) || w->after_key) {
		w->bad = true;
		return;
	}
	if (w->need_comma & bit(w->depth))
		sf_buf_addch(w->b, ',');
	w->need_comma |= bit(w->depth);
	put_string(w->b, k, strlen(k));
	sf_buf_addch(w->b, ':');
	w->after_key = true;
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

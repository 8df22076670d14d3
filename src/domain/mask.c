/* Masking rules for phones, identity numbers and names, and phone
 * normalisation; see mask.h. Pure: no allocation, no I/O. */
#include "domain/mask.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"

/* Output that counts what it would have produced, so a result that does not
 * fit is replaced whole by "" instead of being cut. */
struct out {
	char *p;
	size_t cap, len;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (o->len + n < o->cap)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void stars(struct out *o, size_t n)
{
	while (n--)
		emit(o, "*", 1);
}

static size_t finish(struct out *o)
{
	if (o->cap)
		o->p[o->len < o->cap ? o->len : 0] = '\0';
	return o->len;
}

/* Decode one UTF-8 character of [p, end): its length in bytes, and *cp the
 * code point or -1 for an invalid byte (length 1). */
static size_t utf8_next(const unsigned char *p, const unsigned char *end, int32_t *cp)
{
	size_t n;
	int32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2, v = p[0] & 0x1F, min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3, v = p[0] & 0x0F, min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4, v = p[0] & 0x07, min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if (p + i >= end || (p[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return n;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim ASCII whitespace; *end gets the end of the trimmed text. */
static const unsigned char *trim(const char *s, const unsigned char **end)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + strlen(s);

	while (p < e && is_space(*p))
		p++;
	while (e > p && is_space(e[-1]))
		e--;
	*end = e;
	return p;
}

static size_t count_chars(const unsigned char *p, const unsigned char *end)
{
	size_t n = 0;
	int32_t cp;

	while (p < end) {
		p += utf8_next(p, end, &cp);
		n++;
	}
	return n;
}

/* The rule for anything unrecognised: stars, then the last
 * min(2, chars / 2) characters (invalid bytes among them stay stars). */
static void mask_odd(struct out *o, const unsigned char *p, const unsigned char *end)
{
	size_t total = count_chars(p, end), visible = total / 2 < 2 ? total / 2 : 2;
	size_t i = 0, n;
	int32_t cp;

	for (; p < end; p += n, i++) {
		n = utf8_next(p, end, &cp);
		if (i < total - visible || cp < 0x20 || cp == 0x7F)
			stars(o, 1);
		else
			emit(o, (const char *)p, n);
	}
}

/* ---- phones ---- */

static bool is_separator(int32_t cp)
{
	switch (cp) {
	case ' ':
	case '\t':
	case '-':
	case '.':
	case '(':
	case ')':
	case 0x00A0: /* no-break space */
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212: /* minus sign */
	case 0x3000: /* ideographic space */
	case 0xFF08:
	case 0xFF09: /* full-width parentheses */
	case 0xFF0D:
	case 0xFF0E: /* full-width hyphen, full stop */ return true;
	default: return false;
	}
}

#define RAW_DIGITS_MAX 24 /* 20 digits plus a "0086" prefix */

int sf_phone_normalise(const char *in, char *out, size_t cap)
{
	const unsigned char *p, *end;
	char d[RAW_DIGITS_MAX + 2];
	const char *rest;
	size_t n = 0, skip = 0, len;
	bool plus = false, domestic = false, zero = false, intl = false;
	int32_t cp;

	if (cap)
		out[0] = '\0';
	if (!in)
		return SF_EINVAL;
	p = (const unsigned char *)in;
	end = p + strlen(in);
	while (p < end) {
		p += utf8_next(p, end, &cp);
		if (cp >= 0xFF10 && cp <= 0xFF19)
			cp = '0' + (cp - 0xFF10);
		if (cp >= '0' && cp <= '9') {
			if (n == RAW_DIGITS_MAX)
				return SF_EINVAL;
			d[n++] = (char)cp;
		} else if (cp == '+' || cp == 0xFF0B) {
			if (n || plus)
				return SF_EINVAL;
			plus = true;
		} else if (!is_separator(cp)) {
			return SF_EINVAL;
		}
	}
	d[n] = '\0';
	if (plus && n >= 2 && strncmp(d, "86", 2) == 0) {
		skip = 2, domestic = true;
	} else if (plus) {
		intl = true;
	} else if (n >= 4 && strncmp(d, "0086", 4) == 0) {
		skip = 4, domestic = true;
	} else if (n == 13 && strncmp(d, "861", 3) == 0) {
		skip = 2;
	}
	rest = d + skip;
	len = n - skip;
	/* A second country prefix ("0086 0086 138…", "+86 0086…") is not a
	 * number anyone has: refuse it rather than store a second spelling. */
	if (skip && ((len >= 4 && strncmp(rest, "0086", 4) == 0) ||
		     (len == 13 && strncmp(rest, "861", 3) == 0)))
		return SF_EINVAL;
	/* After a country code an area code loses its trunk 0: put it back,
	 * except for mobiles and the 400/800 service numbers. */
	if (domestic && len > 0 && rest[0] != '0' && !(len == 11 && rest[0] == '1') &&
	    !(len == 10 && (strncmp(rest, "400", 3) == 0 || strncmp(rest, "800", 3) == 0)))
		zero = true;
	len += zero + 2 * intl;
	if (len < 5 || len > 20)
		return SF_EINVAL;
	if (len + 1 > cap)
		return SF_ETOOBIG;
	if (intl)
		memcpy(out, "00", 2);
	if (zero)
		out[0] = '0';
	memcpy(out + zero + 2 * intl, rest, n - skip);
	out[len] = '\0';
	return 0;
}

size_t sf_mask_phone(const char *phone, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };
	const unsigned char *p, *end;
	char d[SF_PHONE_MAX];
	size_t n, area;

	if (!phone)
		return finish(&o);
	p = trim(phone, &end);
	if (p == end)
		return finish(&o);
	if (sf_phone_normalise(phone, d, sizeof(d)) != 0) {
		mask_odd(&o, p, end);
		return finish(&o);
	}
	n = strlen(d);
	area = d[1] == '1' || d[1] == '2' ? 3 : 4; /* 010, 02x; else 0xxx */
	if (n == 11 && d[0] == '1') {
		emit(&o, d, 3);
		stars(&o, 4);
		emit(&o, d + 7, 4);
	} else if (d[0] == '0' && d[1] != '0' && n - area >= 7 && n - area <= 8) {
		emit(&o, d, area);
		stars(&o, n - area - 4);
		emit(&o, d + n - 4, 4);
	} else if ((n == 7 || n == 8) && d[0] >= '2') {
		stars(&o, n - 4);
		emit(&o, d + n - 4, 4);
	} else {
		mask_odd(&o, (const unsigned char *)d, (const unsigned char *)d + n);
	}
	return finish(&o);
}

/* ---- identity numbers ---- */

static bool all_digits(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

size_t sf_mask_id(const char *id, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };
	const unsigned char *p, *end;
	size_t n;

	if (!id)
		return finish(&o);
	p = trim(id, &end);
	n = (size_t)(end - p);
	if ((n == 18 && all_digits(p, 17) &&
	     (all_digits(p + 17, 1) || p[17] == 'X' || p[17] == 'x')) ||
	    (n == 15 && all_digits(p, 15))) {
		emit(&o, (const char *)p, 4);
		stars(&o, n - 8);
		emit(&o, (const char *)p + n - 4, 3);
		emit(&o, p[n - 1] == 'x' ? "X" : (const char *)p + n - 1, 1);
	} else {
		mask_odd(&o, p, end);
	}
	return finish(&o);
}

/* ---- names ---- */

size_t sf_mask_name(const char *utf8name, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };
	const unsigned char *p, *end;
	size_t first, total;
	int32_t cp;

	if (!utf8name)
		return finish(&o);
	p = trim(utf8name, &end);
	if (p == end)
		return finish(&o);
	total = count_chars(p, end);
	first = utf8_next(p, end, &cp);
	if (total == 1 || cp < 0x20 || cp == 0x7F) {
		stars(&o, total);
	} else {
		emit(&o, (const char *)p, first);
		stars(&o, total - 1);
	}
	return finish(&o);
}

/* Strict UTF-8 decoding (Unicode Table 3-7) and the checks built on it.
 * See utf8.h; ASCII runs take a fast path because most input is ASCII or
 * three-byte CJK. */
#include "util/utf8.h"

size_t sf_utf8_decode(const char *s, size_t len, int32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned lo = 0x80, hi = 0xBF;
	uint32_t v;
	size_t need;

	*cp = -1;
	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		need = 1;
		v = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		need = 2;
		v = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (p[0] == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		need = 3;
		v = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (p[0] == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 1; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= len || p[i] < lo || p[i] > hi)
			return i;
		v = (v << 6) | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = (int32_t)v;
	return need + 1;
}

size_t sf_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp <= 0x10FFFF) {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

bool sf_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int32_t cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] == 0)
				return false;
			i++;
			continue;
		}
		i += sf_utf8_decode(s + i, len - i, &cp);
		if (cp < 0)
			return false;
	}
	return true;
}

size_t sf_utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	int32_t cp;

	while (i < len) {
		if (p[i] < 0x80)
			i++;
		else
			i += sf_utf8_decode(s + i, len - i, &cp);
		n++;
	}
	return n;
}

size_t sf_utf8_prefix(const char *s, size_t len, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	int32_t cp;

	while (i < len && n < max_chars) {
		if (p[i] < 0x80)
			i++;
		else
			i += sf_utf8_decode(s + i, len - i, &cp);
		n++;
	}
	return i;
}

bool sf_utf8_has_control(const char *s, size_t len, bool allow_newlines)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c < 0x20) {
			if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
				continue;
			return true;
		}
		if (c == 0x7F)
			return true;
		/* U+0080..U+009F is C2 80..C2 9F; 0xC2 is only ever a lead byte. */
		if (c == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return true;
	}
	return false;
}

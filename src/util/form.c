/* Form-encoded body parsing; see form.h. Two passes: count the pairs to
 * size the array, then decode each key and value into the arena, checking
 * caps before copying so a hostile body costs at most its own size. */
#include "util/form.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoded length of s[0..n), or -1 for a bad escape. */
static long decoded_len(const char *s, size_t n)
{
	long len = 0;

	for (size_t i = 0; i < n; i++, len++) {
		if (s[i] != '%')
			continue;
		if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
			return -1;
		i += 2;
	}
	return len;
}

/* Decode s[0..n) into out (room for the decoded length + 1). */
static void decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* The key for an error message: printable and short, whatever it held. */
static void safe_key(const char *k, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (!sf_utf8_valid(k, n)) {
		snprintf(out, cap, "%s", "");
		return;
	}
	n = sf_utf8_prefix(k, n, 48);
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = (unsigned char)k[i] < 0x20 ? '?' : k[i];
	out[o] = '\0';
}

int sf_form_parse(struct sf_arena *a, const char *body, size_t len,
		  const struct sf_form_limits *lim, struct sf_form *out, struct sf_error *err)
{
	size_t max_fields = lim && lim->max_fields ? lim->max_fields : SF_FORM_MAX_FIELDS;
	size_t max_key = lim && lim->max_key ? lim->max_key : SF_FORM_MAX_KEY;
	size_t max_value = lim && lim->max_value ? lim->max_value : SF_FORM_MAX_VALUE;
	size_t pairs = 0, i = 0;
	char keybuf[64];

	out->fields = NULL;
	out->n = 0;
	if (!body)
		len = 0;
	/* Count non-empty pairs first. */
	for (size_t p = 0; p < len;) {
		const char *amp = memchr(body + p, '&', len - p);
		size_t end = amp ? (size_t)(amp - body) : len;

		if (end > p)
			pairs++;
		p = end + 1;
	}
	if (pairs > max_fields)
		return sf_error_set(err, SF_EINVAL, "too_many_fields", "",
				    "the form has more than %zu fields", max_fields);
	if (!pairs)
		return 0;
	out->fields = sf_arena_alloc(a, pairs * sizeof(*out->fields));
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		const char *eq;
		size_t klen, vstart, vlen;
		long kdec, vdec;
		char *k, *v;

		if (end == i) {
			i = end + 1;
			continue;
		}
		eq = memchr(body + i, '=', end - i);
		klen = eq ? (size_t)(eq - (body + i)) : end - i;
		vstart = eq ? (size_t)(eq - body) + 1 : end;
		vlen = end - vstart;
		kdec = decoded_len(body + i, klen);
		vdec = decoded_len(body + vstart, vlen);
		if (kdec < 0 || vdec < 0) {
			safe_key(body + i, klen, keybuf, sizeof(keybuf));
			goto bad_encoding;
		}
		if (kdec == 0) {
			out->n = 0;
			return sf_error_set(err, SF_EINVAL, "invalid_field", "",
					    "a form field has an empty name");
		}
		if ((size_t)kdec > max_key) {
			safe_key(body + i, klen, keybuf, sizeof(keybuf));
			out->n = 0;
			return sf_error_set(err, SF_EINVAL, "too_long", keybuf,
					    "a form field name is longer than %zu bytes", max_key);
		}
		k = sf_arena_alloc(a, (size_t)kdec + 1);
		decode(body + i, klen, k);
		if (!sf_utf8_valid(k, (size_t)kdec)) {
			out->n = 0;
			return sf_error_set(err, SF_EINVAL, "invalid_utf8", "",
					    "a form field name is not valid UTF-8");
		}
		safe_key(k, (size_t)kdec, keybuf, sizeof(keybuf));
		if ((size_t)vdec > max_value) {
			out->n = 0;
			return sf_error_set(err, SF_EINVAL, "too_long", keybuf,
					    "%s is longer than %zu bytes", keybuf, max_value);
		}
		v = sf_arena_alloc(a, (size_t)vdec + 1);
		decode(body + vstart, vlen, v);
		if (!sf_utf8_valid(v, (size_t)vdec)) {
			out->n = 0;
			return sf_error_set(err, SF_EINVAL, "invalid_utf8", keybuf,
					    "%s is not valid UTF-8 text", keybuf);
		}
		out->fields[out->n].key = k;
		out->fields[out->n].val = v;
		out->fields[out->n].val_len = (size_t)vdec;
		out->n++;
		i = end + 1;
	}
	return 0;
bad_encoding:
	out->n = 0;
	return sf_error_set(err, SF_EINVAL, "invalid_encoding", keybuf,
			    "the form has a '%%' that is not followed by two hex digits");
}

const char *sf_form_get(const struct sf_form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].key, key) == 0)
			return f->fields[i].val;
	return NULL;
}

size_t sf_form_count(const struct sf_form *f, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].key, key) == 0)
			n++;
	return n;
}

bool sf_form_subkey(const char *key, const char *base, const char **sub, size_t *sub_len,
		    bool *list)
{
	size_t bl = strlen(base);
	const char *s, *close;
	size_t n;

	if (strncmp(key, base, bl) != 0 || key[bl] != '[')
		return false;
	s = key + bl + 1;
	close = strchr(s, ']');
	if (!close)
		return false;
	n = (size_t)(close - s);
	if (n == 0 || memchr(s, '[', n))
		return false;
	if (close[1] == '\0') {
		*list = false;
	} else if (strcmp(close + 1, "[]") == 0) {
		*list = true;
	} else {
		return false;
	}
	*sub = s;
	*sub_len = n;
	return true;
}

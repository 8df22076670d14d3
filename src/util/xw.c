/* The XML writer; see xw.h. Element names are checked, text is escaped
 * character by character with the strict UTF-8 decoder, so nothing a
 * client typed can break the document. */
#include "util/xw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static bool name_ok(const char *name)
{
	size_t n;

	if (!name || !*name)
		return false;
	n = strlen(name);
	if (n > SF_XW_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
	      name[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

void sf_xw_init(struct sf_xw *w, struct sf_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	sf_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
}

bool sf_xw_ok(const struct sf_xw *w)
{
	return !w->bad && w->depth == 0 && sf_buf_ok(w->b);
}

void sf_xw_begin(struct sf_xw *w, const char *name)
{
	if (w->bad)
		return;
	if (!name_ok(name) || w->depth >= SF_XW_MAX_DEPTH) {
		w->bad = true;
		return;
	}
	w->open[w->depth++] = name;
	sf_buf_addch(w->b, '<');
	sf_buf_adds(w->b, name);
	sf_buf_addch(w->b, '>');
}

void sf_xw_end(struct sf_xw *w)
{
	if (w->bad)
		return;
	if (w->depth == 0) {
		w->bad = true;
		return;
	}
	w->depth--;
	sf_buf_adds(w->b, "</");
	sf_buf_adds(w->b, w->open[w->depth]);
	sf_buf_addch(w->b, '>');
}

void sf_xw_escape(struct sf_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		int32_t cp;
		size_t k = sf_utf8_decode(s + i, n - i, &cp);

		if (cp < 0) {
			sf_buf_adds(b, "\xEF\xBF\xBD");
		} else if (cp == '&') {
			sf_buf_adds(b, "&amp;");
		} else if (cp == '<') {
			sf_buf_adds(b, "&lt;");
		} else if (cp == '>') {
			sf_buf_adds(b, "&gt;");
		} else if (cp == '"') {
			sf_buf_adds(b, "&quot;");
		} else if (cp == '\'') {
			sf_buf_adds(b, "&apos;");
		} else if (cp == '\r') {
			sf_buf_adds(b, "&#13;");
		} else if (cp == '\t' || cp == '\n') {
			sf_buf_addch(b, (char)cp);
		} else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE ||
			   cp == 0xFFFF) {
			/* dropped: XML 1.0 cannot carry C0 controls; the rest are invisible */
		} else {
			sf_buf_add(b, s + i, k);
		}
		i += k;
	}
}

void sf_xw_textn(struct sf_xw *w, const char *s, size_t n)
{
	if (w->bad || !s)
		return;
	if (w->depth == 0) {
		w->bad = true;
		return;
	}
	sf_xw_escape(w->b, s, n);
}

void sf_xw_text(struct sf_xw *w, const char *s)
{
	if (s)
		sf_xw_textn(w, s, strlen(s));
}

void sf_xw_elem(struct sf_xw *w, const char *name, const char *text)
{
	sf_xw_begin(w, name);
	sf_xw_text(w, text);
	sf_xw_end(w);
}

void sf_xw_elem_int(struct sf_xw *w, const char *name, int64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	sf_xw_elem(w, name, tmp);
}

void sf_xw_elem_num(struct sf_xw *w, const char *name, double v)
{
	char tmp[40];
	int n = 0;

	if (!isfinite(v)) {
		sf_xw_elem(w, name, NULL);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	for (int i = 0; i < n; i++)
		if (tmp[i] == ',') /* a decimal-comma locale must not leak out */
			tmp[i] = '.';
	sf_xw_elem(w, name, tmp);
}

void sf_xw_elem_bool(struct sf_xw *w, const char *name, bool v)
{
	sf_xw_elem(w, name, v ? "true" : "false");
}

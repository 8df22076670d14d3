/* A small streaming XML writer into a struct sf_buf, for the Open311 XML
 * format: the UTF-8 declaration, nested elements without attributes or
 * namespaces, and text escaped so any input yields well-formed XML (the
 * five markup characters as entities, ill-formed UTF-8 replaced by U+FFFD,
 * characters XML 1.0 cannot carry or that are invisible controls dropped).
 * Not a parser, and not for HTML. Misuse is sticky, as in util/jw.h. */
#ifndef SF_XW_H
#define SF_XW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SF_XW_MAX_DEPTH 16
#define SF_XW_NAME_MAX 64 /* bytes of an element name */

struct sf_xw {
	struct sf_buf *b;
	int depth;
	bool bad;                          /* sticky misuse flag */
	const char *open[SF_XW_MAX_DEPTH]; /* names of the open elements, borrowed */
};

/* Start a document at the end of b (borrowed; it must outlive w): writes
 * <?xml version="1.0" encoding="utf-8"?> and a newline. */
void sf_xw_init(struct sf_xw *w, struct sf_buf *b);

/* True when the buffer did not overflow, no call was misused (a bad element
 * name, nesting past SF_XW_MAX_DEPTH, an end without a begin, text at the
 * top level) and every element opened was closed. */
bool sf_xw_ok(const struct sf_xw *w);

/* Open element name: ASCII letters, digits, '_', '-', '.', starting with a
 * letter or '_', at most SF_XW_NAME_MAX bytes. name is borrowed until its
 * sf_xw_end (pass string literals). */
void sf_xw_begin(struct sf_xw *w, const char *name);
/* Close the innermost open element. */
void sf_xw_end(struct sf_xw *w);

/* Text inside the innermost element (see sf_xw_escape). NULL writes nothing. */
void sf_xw_text(struct sf_xw *w, const char *s);
void sf_xw_textn(struct sf_xw *w, const char *s, size_t n);

/* <name>text</name> in one call; NULL text writes the empty <name></name>. */
void sf_xw_elem(struct sf_xw *w, const char *name, const char *text);
void sf_xw_elem_int(struct sf_xw *w, const char *name, int64_t v);
/* Shortest decimal that reads back as v; NaN and infinities write an empty element. */
void sf_xw_elem_num(struct sf_xw *w, const char *name, double v);
/* "true" or "false". */
void sf_xw_elem_bool(struct sf_xw *w, const char *name, bool v);

/* Append s[0..n) to b as XML character data: & < > " ' become &amp; &lt;
 * &gt; &quot; &apos;; \r becomes &#13; (so it survives a parser's newline
 * normalisation); \t and \n stay; other C0 controls, DEL, the C1 controls,
 * U+FFFE and U+FFFF are dropped; each ill-formed UTF-8 sequence becomes one
 * U+FFFD; everything else is copied. */
void sf_xw_escape(struct sf_buf *b, const char *s, size_t n);

#endif

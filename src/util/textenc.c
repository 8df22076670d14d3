/* Encoding detection and conversion to UTF-8; see textenc.h. */
#include "util/textenc.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

const char *sf_textenc_name(enum sf_textenc e)
{
	switch (e) {
	case SF_TEXTENC_UTF8: return "utf-8";
	case SF_TEXTENC_UTF8_BOM: return "utf-8-bom";
	case SF_TEXTENC_UTF16LE: return "utf-16le";
	case SF_TEXTENC_UTF16BE: return "utf-16be";
	case SF_TEXTENC_GB18030: return "gb18030";
	}
	return "";
}

/* The line (1-based) of byte offset off, counting LF in the source. For
 * UTF-16 a line feed is two bytes; counting the 0x0A bytes is close enough
 * for a message (it can only over-count in CJK text). */
static size_t line_of(const char *p, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		if (p[i] == '\n')
			line++;
	return line;
}

/* The first offset at which s is not UTF-8, or len. */
static size_t utf8_bad_at(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int32_t cp;
		size_t n = sf_utf8_decode(s + i, len - i, &cp);

		if (cp < 0)
			return i;
		i += n;
	}
	return len;
}

static int convert(const char *from, const char *in, size_t len, char **out, size_t *out_len,
		   size_t bom, struct sf_error *err)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = len * 2 + 16, left_in = len, left_out;
	char *buf, *src = (char *)in, *dst;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return sf_error_set(err, SF_EINTERNAL, "iconv", "", "no iconv converter from %s",
				    from);
	buf = sf_xmalloc(cap);
	dst = buf;
	left_out = cap - 1;
	while (left_in > 0) {
		size_t r = iconv(cd, &src, &left_in, &dst, &left_out);

		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(dst - buf);

			cap *= 2;
			buf = sf_xrealloc(buf, cap);
			dst = buf + used;
			left_out = cap - 1 - used;
			continue;
		}
		{
			size_t off = (size_t)(src - in);

			rc = sf_error_set(err, SF_EINVAL, "undecodable_text", "",
					  "line %zu (byte %zu): the text is neither UTF-8 nor GBK; "
					  "save the file as \"CSV UTF-8\"",
					  line_of(in, off), off + bom + 1);
		}
		break;
	}
	iconv_close(cd);
	if (rc) {
		free(buf);
		return rc;
	}
	*dst = '\0';
	*out = buf;
	*out_len = (size_t)(dst - buf);
	return 0;
}

int sf_textenc_to_utf8(const char *in, size_t len, size_t max_len, char **out, size_t *out_len,
		       enum sf_textenc *enc, struct sf_error *err)
{
	const unsigned char *u = (const unsigned char *)in;
	enum sf_textenc e = SF_TEXTENC_UTF8;
	size_t skip = 0, bad;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (len > max_len)
		return sf_error_set(err, SF_ETOOBIG, "too_large", "",
				    "the file is larger than %zu bytes", max_len);
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		e = SF_TEXTENC_UTF8_BOM;
		skip = 3;
	} else if (len >= 2 && u[0] == 0xff && u[1] == 0xfe) {
		e = SF_TEXTENC_UTF16LE;
		skip = 2;
	} else if (len >= 2 && u[0] == 0xfe && u[1] == 0xff) {
		e = SF_TEXTENC_UTF16BE;
		skip = 2;
	}
	in += skip;
	len -= skip;
	if (e == SF_TEXTENC_UTF16LE || e == SF_TEXTENC_UTF16BE) {
		rc = convert(e == SF_TEXTENC_UTF16LE ? "UTF-16LE" : "UTF-16BE", in, len, out,
			     out_len, skip, err);
	} else {
		bad = utf8_bad_at(in, len);
		if (bad < len && e == SF_TEXTENC_UTF8_BOM)
			return sf_error_set(err, SF_EINVAL, "undecodable_text", "",
					    "line %zu (byte %zu): the file says it is UTF-8 but "
					    "this byte is not",
					    line_of(in, bad), bad + skip + 1);
		if (bad == len) {
			*out = sf_xstrndup(in, len);
			*out_len = len;
			rc = 0;
		} else {
			e = SF_TEXTENC_GB18030;
			rc = convert("GB18030", in, len, out, out_len, 0, err);
		}
	}
	if (rc)
		return rc;
	if (memchr(*out, '\0', *out_len) || !sf_utf8_valid(*out, *out_len)) {
		size_t at = strlen(*out);

		free(*out);
		*out = NULL;
		*out_len = 0;
		return sf_error_set(err, SF_EINVAL, "nul_byte", "",
				    "the text holds a NUL byte (after %zu bytes): not a text file",
				    at);
	}
	if (enc)
		*enc = e;
	return 0;
}

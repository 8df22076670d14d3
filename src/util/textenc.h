/* Text as spreadsheets save it, turned into UTF-8: Excel's "CSV UTF-8"
 * (with a byte order mark), plain UTF-8, UTF-16 with a byte order mark
 * ("Unicode text"), and the GBK/GB18030 that Chinese Excel writes for plain
 * "CSV". Detection by byte order mark, then by UTF-8 validity; conversion
 * with the C library's iconv. Not for: parsing the text (domain/csv.h). */
#ifndef SF_TEXTENC_H
#define SF_TEXTENC_H

#include <stddef.h>

#include "util/err.h"

enum sf_textenc {
	SF_TEXTENC_UTF8,     /* valid UTF-8 without a byte order mark */
	SF_TEXTENC_UTF8_BOM, /* UTF-8 after EF BB BF */
	SF_TEXTENC_UTF16LE,  /* after FF FE */
	SF_TEXTENC_UTF16BE,  /* after FE FF */
	SF_TEXTENC_GB18030,  /* not UTF-8: read as GB18030, a superset of GBK and GB2312 */
};

/* "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030". */
const char *sf_textenc_name(enum sf_textenc e);

/* Convert in[0..len) to UTF-8 without a byte order mark. *out receives a
 * malloc'd NUL-terminated string (the caller frees it) and *out_len its
 * length; *enc (may be NULL) the encoding found. The result is valid
 * UTF-8 without NUL bytes. Errors (*out NULL):
 * SF_EINVAL "undecodable_text" when the bytes are neither UTF-8 nor
 * GB18030 (or broken UTF-16), err->message naming the line and byte offset
 * of the first bad byte; SF_EINVAL "nul_byte" for a NUL byte;
 * SF_ETOOBIG when len exceeds max_len. */
int sf_textenc_to_utf8(const char *in, size_t len, size_t max_len, char **out, size_t *out_len,
		       enum sf_textenc *enc, struct sf_error *err);

#endif

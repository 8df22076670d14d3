/* Strict UTF-8 checks and counting for input validation and output escaping.
 * "Strict" means RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF. Not a conversion library: GBK and normalisation live elsewhere.
 * Every function takes an explicit length and never reads past it. */
#ifndef SF_UTF8_H
#define SF_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 and contains no NUL byte.
 * An empty string is valid. */
bool sf_utf8_valid(const char *s, size_t len);

/* Decode one character at s (len > 0). Returns the number of bytes it
 * occupies (1..4) and stores the code point in *cp. For an ill-formed or
 * truncated sequence *cp is -1 and the return is the length of its maximal
 * well-formed prefix (at least 1), so a caller replacing each return with one
 * U+FFFD follows Unicode's recommended practice. NUL decodes as 0.
 * Returns 0 (and *cp = -1) only when len is 0. */
size_t sf_utf8_decode(const char *s, size_t len, int32_t *cp);

/* Encode cp into out (room for 4 bytes). Returns the byte count, or 0 for a
 * surrogate or a value above U+10FFFF (nothing written). */
size_t sf_utf8_encode(uint32_t cp, char out[4]);

/* Number of characters (code points) in s[0..len). Each ill-formed
 * sequence counts as one character, as sf_utf8_decode splits it. */
size_t sf_utf8_count(const char *s, size_t len);

/* Byte length of the first max_chars characters of s[0..len), never cutting
 * a character in half; len itself when s has no more than max_chars. */
size_t sf_utf8_prefix(const char *s, size_t len, size_t max_chars);

/* True when s holds a control character: C0 (U+0000..U+001F) except \n, \r
 * and \t when allow_newlines is true, DEL (U+007F), and the C1 controls
 * (U+0080..U+009F), which are invisible and never wanted in a text field. */
bool sf_utf8_has_control(const char *s, size_t len, bool allow_newlines);

#endif

/* Fuzz target for util/utf8, the checks every text input passes: the input
 * walked with sf_utf8_decode must agree with sf_utf8_valid, sf_utf8_count,
 * sf_utf8_prefix and sf_utf8_has_control, and each decoded character must
 * encode back to the same bytes; the first 4 bytes as a code point go
 * through sf_utf8_encode and back. Every call gets the exact length, so a
 * read past it shows under ASan. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "util/utf8.h"

static bool control(int32_t cp, bool allow_newlines)
{
	if (allow_newlines && (cp == '\n' || cp == '\r' || cp == '\t'))
		return false;
	return (cp >= 0 && cp < 0x20) || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	bool valid = true, ctl = false, ctl_nl = false;
	size_t chars = 0, *ends = sf_xmalloc((size + 1) * sizeof(size_t));

	ends[0] = 0;
	for (size_t i = 0; i < size;) {
		int32_t cp = 7;
		size_t n = sf_utf8_decode(s + i, size - i, &cp);

		FUZZ_CHECK(n >= 1 && n <= 4 && n <= size - i);
		if (cp < 0) {
			FUZZ_CHECK(cp == -1);
			valid = false;
		} else {
			char enc[4];

			FUZZ_CHECK(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
			FUZZ_CHECK(sf_utf8_encode((uint32_t)cp, enc) == n);
			FUZZ_CHECK(memcmp(enc, s + i, n) == 0);
			if (cp == 0)
				valid = false;
		}
		ctl = ctl || control(cp, false);
		ctl_nl = ctl_nl || control(cp, true);
		i += n;
		ends[++chars] = i;
	}
	FUZZ_CHECK(sf_utf8_valid(s, size) == valid);
	FUZZ_CHECK(sf_utf8_count(s, size) == chars);
	FUZZ_CHECK(sf_utf8_has_control(s, size, false) == ctl);
	FUZZ_CHECK(sf_utf8_has_control(s, size, true) == ctl_nl);
	for (size_t k = 0; k <= chars + 1; k++)
		FUZZ_CHECK(sf_utf8_prefix(s, size, k) == (k <= chars ? ends[k] : size));
	/* A prefix on a character boundary of valid text is valid. */
	if (valid)
		for (size_t k = 0; k <= chars; k += 1 + chars / 8)
			FUZZ_CHECK(sf_utf8_valid(s, ends[k]));
	free(ends);
	if (size >= 4) {
		uint32_t cp;
		char enc[4];
		size_t n;

		memcpy(&cp, data, 4);
		cp %= 0x110100; /* mostly in range, a few past U+10FFFF */
		n = sf_utf8_encode(cp, enc);
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
			FUZZ_CHECK(n == 0);
		} else {
			int32_t back;

			FUZZ_CHECK(n >= 1 && n <= 4);
			FUZZ_CHECK(sf_utf8_decode(enc, n, &back) == n && back == (int32_t)cp);
			FUZZ_CHECK(sf_utf8_valid(enc, n) == (cp != 0));
		}
	}
	return 0;
}

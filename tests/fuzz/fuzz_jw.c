/* Fuzz target for util/jw, the escaping every response relies on: any bytes
 * written as a key and as a string value, and the first 8 bytes as a double,
 * must give JSON that util/json parses back to the same text (each
 * ill-formed UTF-8 sequence read as one U+FFFD) and number, with no raw
 * < > &, C0 control or DEL in the output (safe inside HTML). */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/utf8.h"

/* s[0..n) with each ill-formed sequence replaced as jw promises. */
static char *expected(const char *s, size_t n, size_t *out_len)
{
	char *e = sf_xmalloc(n * 3 + 1);
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = sf_utf8_decode(s + i, n - i, &cp);

		if (cp < 0) {
			memcpy(e + o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			memcpy(e + o, s + i, k);
			o += k;
		}
		i += k;
	}
	e[o] = '\0';
	*out_len = o;
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *key = fuzz_cstr(data, size), *want, *want_key;
	size_t want_len, want_key_len;
	struct sf_error err = { 0 };
	struct sf_json *j = NULL;
	struct sf_buf b;
	struct sf_jw w;
	double d = 0;
	bool has_nul = memchr(s, '\0', size) != NULL;

	if (size >= 8)
		memcpy(&d, data, 8);
	sf_buf_init(&b, 0);
	sf_jw_init(&w, &b);
	sf_jw_obj_begin(&w);
	sf_jw_kstrn(&w, "v", s, size);
	sf_jw_knum(&w, "d", d);
	sf_jw_kstr(&w, key, "k");
	sf_jw_obj_end(&w);
	FUZZ_CHECK(sf_jw_ok(&w));
	FUZZ_CHECK(sf_utf8_valid(b.data, b.len));
	FUZZ_CHECK(!memchr(b.data, '<', b.len) && !memchr(b.data, '>', b.len) &&
		   !memchr(b.data, '&', b.len));
	/* No raw C0 control or DEL (C1 controls, U+0080..U+009F, are valid JSON
	 * text and pass through as jw documents). */
	for (size_t i = 0; i < b.len; i++)
		FUZZ_CHECK((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7f);
	want = expected(s, size, &want_len);
	want_key = expected(key, strlen(key), &want_key_len);
	if (has_nul || strcmp(want_key, "v") == 0 || strcmp(want_key, "d") == 0) {
		/* \u0000 is written, and util/json refuses it on input, as it
		 * refuses a duplicate key. */
		FUZZ_CHECK(sf_json_parse(b.data, b.len, &j, &err) == SF_EINVAL);
	} else {
		FUZZ_CHECK(sf_json_parse(b.data, b.len, &j, &err) == 0);
		FUZZ_CHECK(strlen(sf_json_str(j, "v")) == want_len);
		FUZZ_CHECK(memcmp(sf_json_str(j, "v"), want, want_len) == 0);
		FUZZ_CHECK(sf_json_str(j, want_key) && strcmp(sf_json_str(j, want_key), "k") == 0);
		if (isfinite(d)) {
			double back = NAN;

			FUZZ_CHECK(sf_json_num(j, "d", &back) && back == d);
		} else {
			FUZZ_CHECK(!sf_json_has(j, "d"));
		}
		sf_json_free(j);
	}
	free(want);
	free(want_key);
	free(key);
	sf_buf_release(&b);
	return 0;
}

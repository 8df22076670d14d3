/* Fuzz target for domain/mask: what people type as a phone through
 * sf_phone_normalise (the form that is sealed and indexed), and any text
 * through the three masks. Invariants: a normalised phone is 5..20 ASCII
 * digits and normalising it again changes nothing; a failure leaves "";
 * a mask either fits whole or writes "", never writes with cap 0, keeps
 * valid UTF-8 valid, and shows at most 8 characters of a phone or an
 * identity number and 1 of a name. */
#include <stdbool.h>
#include <string.h>

#include "domain/mask.h"
#include "fuzz.h"
#include "util/err.h"
#include "util/utf8.h"

/* Characters of s that are not '*'. */
static size_t shown(const char *s)
{
	size_t n = 0, len = strlen(s);

	for (size_t i = 0; i < len;) {
		int32_t cp;
		size_t k = sf_utf8_decode(s + i, len - i, &cp);

		n += cp != '*';
		i += k;
	}
	return n;
}

static void check_phone(const char *in)
{
	char out[SF_PHONE_MAX], again[SF_PHONE_MAX], tight[8];
	int rc = sf_phone_normalise(in, out, sizeof(out));
	size_t n;

	if (rc) {
		FUZZ_CHECK(rc == SF_EINVAL && out[0] == '\0');
		FUZZ_CHECK(sf_phone_normalise(in, tight, sizeof(tight)) == SF_EINVAL);
		return;
	}
	n = strlen(out);
	FUZZ_CHECK(n >= 5 && n <= 20);
	FUZZ_CHECK(strspn(out, "0123456789") == n);
	/* The normal form is a fixed point: one phone, one index entry (a
	 * doubled country prefix is refused, so none is left behind). */
	FUZZ_CHECK(sf_phone_normalise(out, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	/* Too small a buffer is SF_ETOOBIG, and "". */
	rc = sf_phone_normalise(in, tight, sizeof(tight));
	if (n + 1 > sizeof(tight))
		FUZZ_CHECK(rc == SF_ETOOBIG && tight[0] == '\0');
	else
		FUZZ_CHECK(rc == 0 && strcmp(tight, out) == 0);
}

typedef size_t mask_fn(const char *in, char *out, size_t cap);

static void check_mask(mask_fn *fn, const char *in, size_t max_shown)
{
	char out[512], small[512], canary[4] = { 'x', 'y', 'z', 'w' };
	size_t len = fn(in, out, sizeof(out)), in_len = strlen(in);

	if (len >= sizeof(out)) {
		FUZZ_CHECK(out[0] == '\0');
		return;
	}
	FUZZ_CHECK(strlen(out) == len);
	FUZZ_CHECK(shown(out) <= max_shown);
	if (sf_utf8_valid(in, in_len))
		FUZZ_CHECK(sf_utf8_valid(out, len));
	/* Exactly len + 1 fits; len does not and gives "". */
	FUZZ_CHECK(fn(in, small, len + 1) == len && strcmp(small, out) == 0);
	if (len > 0)
		FUZZ_CHECK(fn(in, small, len) == len && small[0] == '\0');
	FUZZ_CHECK(fn(in, canary, 0) == len && canary[0] == 'x');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	check_phone(s);
	check_mask(sf_mask_phone, s, 8);
	check_mask(sf_mask_id, s, 8);
	check_mask(sf_mask_name, s, 1);
	free(s);
	return 0;
}

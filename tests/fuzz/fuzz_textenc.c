/* Fuzz target for util/textenc and the CSV import path behind it: bytes as a
 * spreadsheet might save them (UTF-8 with or without a BOM, UTF-16 with a
 * BOM, GBK/GB18030) through sf_textenc_to_utf8, then the result through
 * sf_csv_parse as the register import does. Invariants: a success gives
 * valid UTF-8 without NUL of the stated length; plain UTF-8 input comes out
 * unchanged (minus its BOM); a failure leaves *out NULL with a documented
 * code; the length cap is honoured. */
#include <stdbool.h>
#include <string.h>

#include "domain/csv.h"
#include "fuzz.h"
#include "util/textenc.h"
#include "util/utf8.h"

static int count_record(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	for (size_t i = 0; i < rec->n; i++)
		FUZZ_CHECK(sf_utf8_valid(rec->field[i], rec->len[i]));
	++*(size_t *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct sf_error err = { 0 };
	enum sf_textenc enc = (enum sf_textenc) - 1;
	size_t out_len = 42, records = 0;
	char *out = (char *)"sentinel";
	bool bom = size >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0;
	bool utf16 =
		size >= 2 && (memcmp(in, "\xFF\xFE", 2) == 0 || memcmp(in, "\xFE\xFF", 2) == 0);
	int rc;

	if (size > 0) {
		rc = sf_textenc_to_utf8(in, size, size - 1, &out, &out_len, &enc, &err);
		FUZZ_CHECK(rc == SF_ETOOBIG && out == NULL && out_len == 0);
		memset(&err, 0, sizeof(err));
	}
	rc = sf_textenc_to_utf8(in, size, size, &out, &out_len, &enc, &err);
	if (rc) {
		FUZZ_CHECK(rc == SF_EINVAL && err.rc == rc && out == NULL && out_len == 0);
		FUZZ_CHECK(strcmp(err.code, "undecodable_text") == 0 ||
			   strcmp(err.code, "nul_byte") == 0);
		/* Valid UTF-8 without NUL is never refused. */
		FUZZ_CHECK(utf16 || !sf_utf8_valid(in + (bom ? 3 : 0), size - (bom ? 3 : 0)));
		return 0;
	}
	FUZZ_CHECK(err.rc == 0 && out != NULL);
	FUZZ_CHECK(strlen(out) == out_len && sf_utf8_valid(out, out_len));
	FUZZ_CHECK(enc >= SF_TEXTENC_UTF8 && enc <= SF_TEXTENC_GB18030);
	FUZZ_CHECK(sf_textenc_name(enc)[0] != '\0');
	if (bom) {
		FUZZ_CHECK(enc == SF_TEXTENC_UTF8_BOM);
		FUZZ_CHECK(out_len == size - 3 && memcmp(out, in + 3, out_len) == 0);
	} else if (!utf16 && sf_utf8_valid(in, size)) {
		FUZZ_CHECK(enc == SF_TEXTENC_UTF8);
		FUZZ_CHECK(out_len == size && memcmp(out, in, size) == 0);
	} else if (!utf16) {
		FUZZ_CHECK(enc == SF_TEXTENC_GB18030);
	}
	/* The import parses what the conversion gave. */
	(void)sf_csv_parse(out, out_len, NULL, count_record, &records, NULL, &err);
	free(out);
	return 0;
}

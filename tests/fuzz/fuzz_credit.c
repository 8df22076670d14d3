/* Fuzz target for domain/credit: unified social credit codes and resident
 * identity numbers as people type them (register imports and forms), through
 * the normalisers and checks; and a code built from the input to test the
 * check character. Invariants: normalised text is printable ASCII without
 * lowercase, a short buffer gets a prefix of it; a code that passes has 18
 * characters and its own check character; every change of one character, and
 * every swap of two different neighbours, of a valid code is caught; a valid
 * identity number is 15 digits or 17 digits and a check character. */
#include <stdbool.h>
#include <string.h>

#include "domain/credit.h"
#include "fuzz.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void check_normalised(const char *in, void (*norm)(const char *, char *, size_t))
{
	char big[256], small[SF_CREDIT_SIZE], tiny[1] = { 'x' };
	size_t n;

	norm(in, big, sizeof(big));
	n = strlen(big);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(big[i] >= 0x21 && big[i] <= 0x7e && !(big[i] >= 'a' && big[i] <= 'z'));
	norm(in, small, sizeof(small));
	FUZZ_CHECK(strlen(small) <= SF_CREDIT_LEN && strncmp(small, big, strlen(small)) == 0);
	FUZZ_CHECK(strlen(small) == (n < SF_CREDIT_LEN ? n : SF_CREDIT_LEN) ||
		   n >= sizeof(big) - 1);
	norm(in, tiny, sizeof(tiny));
	FUZZ_CHECK(tiny[0] == '\0');
}

static void check_code(const char *code)
{
	size_t pos = 99, n = strlen(code);
	enum sf_credit_fault f = sf_credit_check(code, &pos);

	FUZZ_CHECK(sf_credit_fault_text(f, true)[0] && sf_credit_fault_text(f, false)[0]);
	switch (f) {
	case SF_CREDIT_OK:
		FUZZ_CHECK(n == SF_CREDIT_LEN && pos == 0);
		FUZZ_CHECK(sf_credit_check_char(code) == code[17]);
		break;
	case SF_CREDIT_EMPTY: FUZZ_CHECK(n == 0 && pos == 0); break;
	case SF_CREDIT_LENGTH: FUZZ_CHECK(n != SF_CREDIT_LEN && pos == 0); break;
	case SF_CREDIT_CHARACTER:
		FUZZ_CHECK(pos >= 1 && pos <= 18 && !strchr(alphabet, code[pos - 1]));
		break;
	case SF_CREDIT_DIVISION:
		FUZZ_CHECK(pos >= 3 && pos <= 8 && !(code[pos - 1] >= '0' && code[pos - 1] <= '9'));
		break;
	case SF_CREDIT_CHECK:
		FUZZ_CHECK(pos == 18 && sf_credit_check_char(code) != code[17]);
		break;
	}
}

/* A valid code from the input bytes; then every single change. */
static void check_detection(const uint8_t *data, size_t size)
{
	char code[SF_CREDIT_SIZE], bad[SF_CREDIT_SIZE];

	if (size < 17)
		return;
	for (int i = 0; i < 17; i++)
		code[i] = i >= 2 && i < 8 ? (char)('0' + data[i] % 10) : alphabet[data[i] % 31];
	code[17] = sf_credit_check_char(code);
	code[18] = '\0';
	FUZZ_CHECK(code[17] && strchr(alphabet, code[17]));
	FUZZ_CHECK(sf_credit_check(code, NULL) == SF_CREDIT_OK);
	for (int i = 0; i < 18; i++) {
		memcpy(bad, code, sizeof(code));
		bad[i] = alphabet[(strchr(alphabet, code[i]) - alphabet + 1 + data[i % size] % 30) %
				  31];
		FUZZ_CHECK(bad[i] != code[i]);
		FUZZ_CHECK(sf_credit_check(bad, NULL) != SF_CREDIT_OK);
	}
	for (int i = 0; i + 1 < 17; i++) {
		if (code[i] == code[i + 1])
			continue;
		memcpy(bad, code, sizeof(code));
		bad[i] = code[i + 1];
		bad[i + 1] = code[i];
		FUZZ_CHECK(sf_credit_check(bad, NULL) != SF_CREDIT_OK);
	}
}

static void check_resident(const char *in)
{
	char id[64];
	size_t n;

	sf_resident_id_normalise(in, id, sizeof(id));
	if (!sf_resident_id_valid(id))
		return;
	n = strlen(id);
	FUZZ_CHECK(n == 15 || n == 18);
	FUZZ_CHECK(strspn(id, "0123456789") >= n - (n == 18));
	if (n == 18)
		FUZZ_CHECK(sf_resident_id_check_char(id) == id[17]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), norm[SF_CREDIT_SIZE];

	check_normalised(s, sf_credit_normalise);
	check_normalised(s, sf_resident_id_normalise);
	sf_credit_normalise(s, norm, sizeof(norm));
	check_code(norm);
	check_code(s);
	check_detection(data, size);
	check_resident(s);
	free(s);
	return 0;
}

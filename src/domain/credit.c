/* Unified social credit codes; see credit.h. GB 32100-2015: 18 characters
 * from a 31-letter alphabet (digits and capitals without I, O, S, V, Z);
 * the 18th is 31 - (sum of value x 3^(i-1) mod 31) mod 31 over the first 17. */
#include "domain/credit.h"

#include <string.h>

#include "util/utf8.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

static int value_of(char ch)
{
	const char *p;

	if (!ch)
		return -1;
	p = strchr(alphabet, ch);
	return p ? (int)(p - alphabet) : -1;
}

void sf_credit_normalise(const char *in, char *out, size_t cap)
{
	size_t len, i = 0, w = 0;

	if (!cap)
		return;
	out[0] = '\0';
	if (!in)
		return;
	len = strlen(in);
	while (i < len) {
		int32_t cp;
		size_t n = sf_utf8_decode(in + i, len - i, &cp);
		char ch;

		i += n;
		if (cp == ' ' || cp == '\t' || cp == 0x3000)
			continue; /* spaces anywhere: people type "9133 0100 ..." */
		if (cp >= 0xff01 && cp <= 0xff5e)
			cp -= 0xfee0; /* full-width ASCII */
		if (cp < 0x21 || cp > 0x7e)
			ch = '?'; /* kept so the check names a bad character */
		else
			ch = (char)cp;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (w + 1 >= cap)
			break;
		out[w++] = ch;
	}
	out[w] = '\0';
}

char sf_credit_check_char(const char *code17)
{
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int v = value_of(code17[i]);

		if (v < 0)
			return '\0';
		sum += v * weights[i];
	}
	return alphabet[(31 - sum % 31) % 31];
}

enum sf_credit_fault sf_credit_check(const char *code, size_t *pos)
{
	size_t n = code ? strlen(code) : 0;

	if (pos)
		*pos = 0;
	if (n == 0)
		return SF_CREDIT_EMPTY;
	if (n != SF_CREDIT_LEN)
		return SF_CREDIT_LENGTH;
	for (size_t i = 0; i < n; i++) {
		if (value_of(code[i]) < 0) {
			if (pos)
				*pos = i + 1;
			return SF_CREDIT_CHARACTER;
		}
	}
	for (size_t i = 2; i < 8; i++) {
		if (code[i] < '0' || code[i] > '9') {
			if (pos)
				*pos = i + 1;
			return SF_CREDIT_DIVISION;
		}
	}
	if (sf_credit_check_char(code) != code[17]) {
		if (pos)
			*pos = 18;
		return SF_CREDIT_CHECK;
	}
	return SF_CREDIT_OK;
}

const char *sf_credit_fault_text(enum sf_credit_fault f, bool chinese)
{
	switch (f) {
	case SF_CREDIT_OK: return chinese ? "有效" : "valid";
	case SF_CREDIT_EMPTY:
		return chinese ? "未填写统一社会信用代码"
			       : "the unified social credit code is missing";
	case SF_CREDIT_LENGTH:
		return chinese ? "统一社会信用代码应为18位"
			       : "a unified social credit code has 18 characters";
	case SF_CREDIT_CHARACTER:
		return chinese ? "统一社会信用代码含有无效字符（不用I、O、S、V、Z）"
			       : "a unified social credit code uses only digits and the capitals "
				 "A-Y without I, O, S, V, Z";
	case SF_CREDIT_DIVISION:
		return chinese ? "统一社会信用代码第3至8位应为行政区划码（数字）"
			       : "characters 3 to 8 of a unified social credit code are the "
				 "administrative division code (digits)";
	case SF_CREDIT_CHECK:
		return chinese ? "统一社会信用代码校验位错误"
			       : "the check character (18th) does not match: the code is mistyped";
	}
	return "";
}

void sf_resident_id_normalise(const char *in, char *out, size_t cap)
{
	sf_credit_normalise(in, out, cap);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

char sf_resident_id_check_char(const char *id17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		if (!id17 || id17[i] < '0' || id17[i] > '9')
			return '\0';
		sum += (id17[i] - '0') * w[i];
	}
	return map[sum % 11];
}

bool sf_resident_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n != 18 && n != 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((id[i] < '0' || id[i] > '9') && !(n == 18 && i == 17 && id[i] == 'X'))
			return false;
	if (n == 15)
		return real_date(1900 + digits(id + 6, 2), digits(id + 8, 2), digits(id + 10, 2));
	if (!real_date(digits(id + 6, 4), digits(id + 10, 2), digits(id + 12, 2)) ||
	    digits(id + 6, 4) < 1900)
		return false;
	return sf_resident_id_check_char(id) == id[17];
}

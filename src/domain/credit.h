/* The unified social credit code (统一社会信用代码, GB 32100-2015) that every
 * Chinese enterprise and organisation carries: normalising what people type
 * and checking its structure and check character; and the same for the
 * resident identity number (公民身份号码, GB 11643-1999). Pure functions.
 * Not for: looking codes up in a register (src/store) or deciding whether a
 * duplicate is an error (src/api). */
#ifndef SF_CREDIT_H
#define SF_CREDIT_H

#include <stdbool.h>
#include <stddef.h>

#define SF_CREDIT_LEN 18
#define SF_CREDIT_SIZE 19 /* SF_CREDIT_LEN + NUL */

/* Why a code is not valid. */
enum sf_credit_fault {
	SF_CREDIT_OK = 0,
	SF_CREDIT_EMPTY,     /* nothing given */
	SF_CREDIT_LENGTH,    /* not 18 characters */
	SF_CREDIT_CHARACTER, /* a character outside 0-9 and A-Y without I, O, S, V, Z */
	SF_CREDIT_DIVISION,  /* characters 3 to 8 (the administrative division) are not digits */
	SF_CREDIT_CHECK,     /* the 18th character does not match the other 17 */
};

/* Normalise what a person typed: drop ASCII and ideographic (U+3000)
 * spaces and tabs wherever they are ("9133 0100 ..."), turn full-width letters and digits into
 * ASCII, lowercase letters into uppercase and any other character into '?'
 * (so the check names its position). Writes at most cap - 1 bytes
 * and a NUL into out (cap >= SF_CREDIT_SIZE suffices for any valid code);
 * anything that does not fit is cut, which the check then reports as a
 * wrong length. in may be NULL (gives ""). */
void sf_credit_normalise(const char *in, char *out, size_t cap);

/* The check character of the first 17 characters of code (which must be
 * of the code's character set), or '\0' when one of them is not. */
char sf_credit_check_char(const char *code17);

/* Check a normalised code. Returns SF_CREDIT_OK or the first fault found;
 * *pos (may be NULL) receives the 1-based position of a bad character, or
 * 18 for a wrong check character, and 0 otherwise. */
enum sf_credit_fault sf_credit_check(const char *code, size_t *pos);

/* A sentence for people, in English or Chinese, about a fault. */
const char *sf_credit_fault_text(enum sf_credit_fault f, bool chinese);

/* Resident identity numbers. Normalise as sf_credit_normalise (spaces
 * dropped, full-width made ASCII, 'x' made 'X'). True when id is an
 * 18-character number (17 digits, then a digit or X) whose birth date is a
 * real date and whose check character (ISO 7064 MOD 11-2) matches, or an
 * old 15-digit number. */
void sf_resident_id_normalise(const char *in, char *out, size_t cap);
bool sf_resident_id_valid(const char *id);
/* The check character ('0'-'9' or 'X') of the first 17 digits of an
 * 18-character number, or '\0' when they are not 17 digits. */
char sf_resident_id_check_char(const char *id17);

#endif

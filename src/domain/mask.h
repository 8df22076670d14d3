/* Showing personal data masked (138****8000, 3301**********1234, 张*) and
 * normalising phone numbers so one phone written several ways seals and
 * indexes the same. Pure functions. Not for: deciding who may see the clear
 * value (src/api) or sealing it (util/crypto). */
#ifndef SF_MASK_H
#define SF_MASK_H

#include <stddef.h>

#define SF_PHONE_MAX 21 /* normalised phone: at most 20 digits + NUL */

/* The mask functions share one contract. They write the masked text and a
 * NUL into out and return its length in bytes. If that length is >= cap the
 * text did not fit and out holds "" (never a partial mask); cap 0 writes
 * nothing. NULL or empty input gives "". Leading and trailing spaces are
 * ignored. Output never contains more of the input than the rule says. */

/* Phones: a mainland mobile (optionally +86/86/0086, spaces, dashes, full-width
 * digits) shows 3 + 4 digits, "138****8000"; a landline with area code
 * shows the area code and the last 4, "0571****1234"; a 7-8 digit local
 * number shows the last 4, "****1234"; anything else shows at most the last
 * 2 characters and never more than half: "12345" -> "***45". */
size_t sf_mask_phone(const char *phone, char *out, size_t cap);

/* Resident identity numbers: 18 characters (17 digits and a digit or X)
 * show the first 4 and last 4, "3301**********1234"; the old 15-digit form
 * likewise; anything else (passports, typos) as the odd-phone rule. */
size_t sf_mask_id(const char *id, char *out, size_t cap);

/* Names, counted in UTF-8 characters: the first character stays and every
 * other one becomes '*': "张三" -> "张*", "欧阳娜娜" -> "欧***", "Alice" -> "A****".
 * A one-character name becomes "*". Invalid UTF-8 bytes count as one
 * character each and are never copied out. */
size_t sf_mask_name(const char *utf8name, char *out, size_t cap);

/* Normalise a phone number to digits only: separators (spaces, - . ( ) and
 * their full-width forms) dropped, full-width digits made ASCII; a +86, 0086
 * or (for 13 digits starting 861) bare 86 country prefix removed, with a 0
 * put back before a landline area code ("+86 571 8888 1234" ->
 * "057188881234"); another country's "+CC" becomes "00CC". Writes out
 * (cap >= SF_PHONE_MAX always suffices) and returns 0; SF_EINVAL if in is NULL,
 * has letters or other characters, or yields fewer than 5 or more than 20
 * digits; SF_ETOOBIG if cap is too small. out is "" on failure (cap > 0). */
int sf_phone_normalise(const char *in, char *out, size_t cap);

#endif

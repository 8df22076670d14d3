/* Bigram terms for substring search; see search.h. */
#include "domain/search.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/utf8.h"

void sf_search_terms_init(struct sf_search_terms *t)
{
	memset(t, 0, sizeof(*t));
}

void sf_search_terms_release(struct sf_search_terms *t)
{
	if (!t)
		return;
	free(t->term);
	memset(t, 0, sizeof(*t));
}

bool sf_search_is_word_char(long cp)
{
	if (cp < 0x21 || cp == 0x7f)
		return false;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp <= 0xbf) /* C1 controls, Latin-1 punctuation and symbols */
		return false;
	if (cp >= 0x2000 && cp <= 0x206f) /* general punctuation, odd spaces */
		return false;
	if (cp >= 0x3000 && cp <= 0x303f) /* CJK symbols and punctuation, U+3000 */
		return false;
	if (cp >= 0xfe30 && cp <= 0xfe4f) /* CJK compatibility forms */
		return false;
	/* Full-width punctuation; full-width letters and digits stay words. */
	if ((cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
	    (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65))
		return false;
	if (cp == 0xfeff || cp == 0xfffd)
		return false;
	return true;
}

static void push(struct sf_search_terms *t, const char *a, size_t na, const char *b, size_t nb)
{
	char *dst;

	if (t->n >= SF_SEARCH_TERMS_MAX)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->term = sf_xrealloc(t->term, t->cap * sizeof(*t->term));
	}
	dst = t->term[t->n++];
	memcpy(dst, a, na);
	memcpy(dst + na, b, nb);
	dst[na + nb] = '\0';
	sf_search_lower_ascii(dst);
}

void sf_search_terms_add(struct sf_search_terms *t, const char *text, size_t len, size_t max_chars)
{
	const char *prev = NULL;
	size_t prev_len = 0, chars = 0, i = 0;

	if (!text)
		return;
	while (i < len && (max_chars == 0 || chars < max_chars)) {
		int32_t cp;
		size_t n = sf_utf8_decode(text + i, len - i, &cp);

		chars++;
		if (!sf_search_is_word_char(cp)) {
			prev = NULL;
		} else {
			if (prev)
				push(t, prev, prev_len, text + i, n);
			prev = text + i;
			prev_len = n;
		}
		i += n;
	}
}

static int cmp_term(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

void sf_search_terms_finish(struct sf_search_terms *t)
{
	size_t w = 0;

	if (t->n < 2)
		return;
	qsort(t->term, t->n, sizeof(*t->term), cmp_term);
	for (size_t r = 1; r < t->n; r++)
		if (strcmp(t->term[r], t->term[w]) != 0)
			memcpy(t->term[++w], t->term[r], SF_SEARCH_TERM_SIZE);
	t->n = w + 1;
}

void sf_search_lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Fuzz target for domain/search: the bigram terms of order text and of a
 * search query (the q= parameter). Invariants: each term is two word
 * characters of valid UTF-8 with ASCII lowercased; after finishing, terms are
 * strictly sorted; and the terms of any piece of a text (cut on character
 * boundaries) are among the text's own terms, which is what lets the store
 * narrow a query by its bigrams without missing a match. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/search.h"
#include "fuzz.h"
#include "util/utf8.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void check_terms(const struct sf_search_terms *t, bool finished)
{
	FUZZ_CHECK(t->n <= SF_SEARCH_TERMS_MAX);
	for (size_t i = 0; i < t->n; i++) {
		const char *term = t->term[i];
		size_t len = strlen(term), at = 0, chars = 0;

		FUZZ_CHECK(len >= 2 && len <= 8 && sf_utf8_valid(term, len));
		while (at < len) {
			int32_t cp;

			at += sf_utf8_decode(term + at, len - at, &cp);
			FUZZ_CHECK(sf_search_is_word_char(cp));
			FUZZ_CHECK(!(cp >= 'A' && cp <= 'Z'));
			chars++;
		}
		FUZZ_CHECK(chars == 2);
		if (finished && i)
			FUZZ_CHECK(strcmp(t->term[i - 1], term) < 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sf_search_terms all, piece, capped;
	size_t *bounds = sf_xmalloc((size + 1) * sizeof(size_t)), nb = 0;
	bool full;

	for (size_t i = 0; i <= size;) {
		int32_t cp;

		bounds[nb++] = i;
		if (i == size)
			break;
		i += sf_utf8_decode(text + i, size - i, &cp);
	}
	sf_search_terms_init(&all);
	sf_search_terms_add(&all, text, size, 0);
	check_terms(&all, false);
	full = all.n >= SF_SEARCH_TERMS_MAX; /* later bigrams were dropped */
	sf_search_terms_finish(&all);
	check_terms(&all, true);

	/* A piece from character a to character b: its terms are the text's. */
	if (size >= 2 && !full) {
		size_t a = data[0] % nb, b = data[size - 1] % nb;

		if (a > b) {
			size_t t = a;

			a = b;
			b = t;
		}
		sf_search_terms_init(&piece);
		sf_search_terms_add(&piece, text + bounds[a], bounds[b] - bounds[a], 0);
		sf_search_terms_finish(&piece);
		check_terms(&piece, true);
		for (size_t i = 0; i < piece.n; i++)
			FUZZ_CHECK(bsearch(piece.term[i], all.term, all.n, sizeof(*all.term), cmp));
		sf_search_terms_release(&piece);
	}
	/* max_chars stops after that many characters: a subset again. */
	sf_search_terms_init(&capped);
	sf_search_terms_add(&capped, text, size, 3);
	FUZZ_CHECK(capped.n <= 2);
	sf_search_terms_finish(&capped);
	check_terms(&capped, true);
	for (size_t i = 0; i < capped.n && !full; i++)
		FUZZ_CHECK(bsearch(capped.term[i], all.term, all.n, sizeof(*all.term), cmp));
	sf_search_terms_release(&capped);
	sf_search_terms_release(&all);
	free(bounds);
	return 0;
}

/* Substring search over Chinese text without a trigram index: the distinct
 * bigrams (two consecutive characters) of a text, which the store keeps per
 * order so a query of two or more characters narrows to the orders holding
 * all its bigrams before a LIKE confirms the match. Pure: no I/O.
 * Not here: storing the terms or running the query (src/store). */
#ifndef SF_SEARCH_H
#define SF_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* One term: two UTF-8 characters (at most 8 bytes) and a NUL. */
#define SF_SEARCH_TERM_SIZE 9
/* Most terms one set holds; further bigrams are dropped (a cap on work, far
 * above what an order's indexed fields produce). */
#define SF_SEARCH_TERMS_MAX 8192

/* A growable set of terms, caller-owned: init, add texts, finish, read
 * term[0..n), release. */
struct sf_search_terms {
	char (*term)[SF_SEARCH_TERM_SIZE];
	size_t n;
	size_t cap;
};

void sf_search_terms_init(struct sf_search_terms *t);
/* Free the storage; t is left empty and may be reused. NULL is accepted. */
void sf_search_terms_release(struct sf_search_terms *t);

/* Whether code point cp joins its neighbours into terms: letters, digits and
 * CJK characters do; whitespace, ASCII and CJK punctuation, controls and
 * ill-formed bytes (cp < 0) separate them. */
bool sf_search_is_word_char(long cp);

/* Append the bigrams of the first max_chars characters of text[0..len)
 * (max_chars 0 = all): each pair of consecutive word characters, with ASCII
 * letters lowercased; separators split the text, so "路灯 坏了" gives 路灯
 * and 坏了 but not 灯坏. Duplicates stay until sf_search_terms_finish.
 * text may be NULL (nothing added). */
void sf_search_terms_add(struct sf_search_terms *t, const char *text, size_t len, size_t max_chars);

/* Sort the terms bytewise and drop duplicates. */
void sf_search_terms_finish(struct sf_search_terms *t);

/* Lowercase the ASCII letters of s in place (what terms and queries share). */
void sf_search_lower_ascii(char *s);

#endif

/* Shared helpers of the register stores; see register_impl.h. */
#include "store/register_impl.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

void sf_reg_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

const char *sf_reg_or_null(const char *s)
{
	return s && *s ? s : NULL;
}

void sf_reg_like(const char *text, char *out, size_t cap)
{
	const char *p = text ? text : "";
	size_t len = strlen(p), i = 0, w = 0;

	if (cap < 3) {
		if (cap)
			out[0] = '\0';
		return;
	}
	out[w++] = '%';
	while (i < len) {
		int32_t cp;
		size_t n = sf_utf8_decode(p + i, len - i, &cp);

		if (w + 2 * n + 2 > cap)
			break; /* whole characters only */
		for (size_t k = 0; k < n; k++) {
			char ch = p[i + k];

			if (ch == '%' || ch == '_' || ch == '\\')
				out[w++] = '\\';
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			out[w++] = ch;
		}
		i += n;
	}
	out[w++] = '%';
	out[w] = '\0';
}

const char *sf_reg_prefix(const char *path, char *out, size_t cap)
{
	if (!path || !*path)
		return NULL;
	snprintf(out, cap, "%s%%", path);
	return out;
}

size_t sf_reg_query_terms(const char *q, char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE])
{
	struct sf_search_terms t;
	size_t n;

	sf_search_terms_init(&t);
	if (q)
		sf_search_terms_add(&t, q, strlen(q), 0);
	sf_search_terms_finish(&t);
	n = t.n;
	for (size_t i = 0; i < SF_REG_QUERY_TERMS; i++) {
		if (n == 0) {
			terms[i][0] = '\0';
			continue;
		}
		/* Spread the picks over the sorted set; repeats are harmless. */
		memcpy(terms[i], t.term[(i * n) / SF_REG_QUERY_TERMS], SF_SEARCH_TERM_SIZE);
	}
	sf_search_terms_release(&t);
	return n;
}

void sf_reg_terms_of(struct sf_search_terms *t, const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (texts[i])
			sf_search_terms_add(t, texts[i], strlen(texts[i]), 200);
	sf_search_terms_finish(t);
}

void sf_reg_read_pii(struct sf_stmt *st, int col, struct sf_pii *p)
{
	sf_reg_copy(p->sealed, sizeof(p->sealed), sf_stmt_text(st, col));
	sf_reg_copy(p->index, sizeof(p->index), sf_stmt_text(st, col + 1));
	sf_reg_copy(p->mask, sizeof(p->mask), sf_stmt_text(st, col + 2));
}

void sf_reg_read_archived(struct sf_stmt *st, int col, struct sf_archived *a)
{
	a->at = sf_stmt_int(st, col);
	a->by = sf_stmt_int(st, col + 1);
	sf_reg_copy(a->by_name, sizeof(a->by_name), sf_stmt_text(st, col + 2));
	sf_reg_copy(a->reason, sizeof(a->reason), sf_stmt_text(st, col + 3));
}

void sf_reg_rarest_first(char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE],
			 const int64_t counts[SF_REG_QUERY_TERMS])
{
	size_t best = 0;
	char tmp[SF_SEARCH_TERM_SIZE];

	for (size_t i = 1; i < SF_REG_QUERY_TERMS; i++)
		if (counts[i] < counts[best])
			best = i;
	if (best == 0)
		return;
	memcpy(tmp, terms[0], sizeof(tmp));
	memcpy(terms[0], terms[best], sizeof(tmp));
	memcpy(terms[best], tmp, sizeof(tmp));
}

/* One term's rows in the index, counted up to SF_REG_TERM_COUNT_CAP. */
static int count_term(struct sf_conn *c, enum sf_reg_index ix, const char *term, int64_t *n)
{
	if (ix == SF_REG_HOUSEHOLD_TERMS)
		return sf_conn_int(
			c, n,
			"SELECT COUNT(*) FROM (SELECT 1 FROM household_terms WHERE term = ? "
			"LIMIT ?) t",
			"sd", term, SF_REG_TERM_COUNT_CAP);
	return sf_conn_int(c, n,
			   "SELECT COUNT(*) FROM (SELECT 1 FROM enterprise_terms WHERE term = ? "
			   "LIMIT ?) t",
			   "sd", term, SF_REG_TERM_COUNT_CAP);
}

int sf_reg_rank_terms(struct sf_conn *c, enum sf_reg_index ix,
		      char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE], bool *none)
{
	int64_t counts[SF_REG_QUERY_TERMS];

	*none = false;
	for (size_t i = 0; i < SF_REG_QUERY_TERMS; i++) {
		int rc = count_term(c, ix, terms[i], &counts[i]);

		if (rc)
			return rc;
		if (counts[i] == 0)
			*none = true;
	}
	sf_reg_rarest_first(terms, counts);
	return 0;
}

/* Drop the index rows of id, or add one (term, id). */
static int drop_terms(struct sf_conn *c, enum sf_reg_index ix, int64_t id)
{
	if (ix == SF_REG_HOUSEHOLD_TERMS)
		return sf_conn_run(c, "DELETE FROM household_terms WHERE household_id = ?", "i",
				   id);
	return sf_conn_run(c, "DELETE FROM enterprise_terms WHERE enterprise_id = ?", "i", id);
}

static int add_term(struct sf_conn *c, enum sf_reg_index ix, const char *term, int64_t id)
{
	if (ix == SF_REG_HOUSEHOLD_TERMS)
		return sf_conn_run(c,
				   "INSERT INTO household_terms(term, household_id) VALUES (?, ?)",
				   "si", term, id);
	return sf_conn_run(c, "INSERT INTO enterprise_terms(term, enterprise_id) VALUES (?, ?)",
			   "si", term, id);
}

int sf_reg_put_terms(struct sf_conn *c, enum sf_reg_index ix, int64_t id, const char *const *texts,
		     size_t n)
{
	struct sf_search_terms t;
	int rc = drop_terms(c, ix, id);

	if (rc < 0)
		return rc;
	sf_search_terms_init(&t);
	sf_reg_terms_of(&t, texts, n);
	rc = 0;
	for (size_t i = 0; i < t.n && rc >= 0; i++)
		rc = add_term(c, ix, t.term[i], id);
	sf_search_terms_release(&t);
	return rc < 0 ? rc : 0;
}

/* The new orders' search terms in `sanfu gen`'s bulk load (see
 * gen_impl.h): each order's distinct bigrams noted as it comes, then all
 * the rows written in the table's key order (term, created_at, order_id),
 * so the B-tree only grows at its end, merged with the rows that were
 * there (a demo's, read and written again when they are few). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/gen_impl.h"
#include "util/hash.h"
#include "util/mem.h"

/* Term rows already in the table that are read and written again in order
 * with the new ones; above it the new rows go in among them. */
#define RELAY_MAX 4000000
/* Term rows per transaction, where the load commits as it goes. */
#define TERMS_PER_TX 8000000

/* A distinct term and the new orders holding it (by ordinal: id - first). */
struct term {
	uint64_t key; /* its bytes, for the hash table */
	char s[SF_SEARCH_TERM_SIZE];
	uint32_t *ords;
	uint32_t n, cap;
	uint32_t last; /* ordinal + 1 of the last order that added it */
};

/* A new term row as noted: term index and order ordinal. Noted one after
 * the other and sorted into the terms' lists a few million at a time,
 * which keeps the caller's thread out of six thousand lists' memory. */
struct posting {
	uint32_t term, ord;
};
#define LOG_MAX (4u << 20)

/* A term row that was there before the load. */
struct old_row {
	char s[SF_SEARCH_TERM_SIZE];
	int64_t at, id;
};

struct sf_store_gen_terms {
	int64_t first_id; /* the first new order's; ordinals count from it */
	struct term *terms;
	size_t nterms, terms_cap;
	uint32_t *slots; /* open addressing: index + 1 into terms, 0 = free */
	size_t nslots;
	struct posting *log;
	size_t nlog;
	uint32_t *log_count;
	size_t log_count_cap;
	int64_t *created; /* created_at by ordinal */
	size_t created_cap;
	struct old_row *old; /* rows there before, sorted, to write again */
	size_t nold;
	bool relay;
};

static uint64_t term_key(const char *s)
{
	uint64_t k = 0;

	memcpy(&k, s, strnlen(s, SF_SEARCH_TERM_SIZE - 1));
	return k;
}

static size_t slot_of(uint64_t k, size_t nslots)
{
	return (size_t)sf_hash_mix64(k) & (nslots - 1);
}

static void terms_rehash(struct sf_store_gen_terms *g)
{
	size_t n = g->nslots ? g->nslots * 2 : 8192;

	free(g->slots);
	g->slots = sf_xcalloc(n, sizeof(*g->slots));
	g->nslots = n;
	for (size_t i = 0; i < g->nterms; i++) {
		size_t at = slot_of(g->terms[i].key, n);

		while (g->slots[at])
			at = (at + 1) & (n - 1);
		g->slots[at] = (uint32_t)i + 1;
	}
}

/* Move the noted term rows into their terms' lists. */
static void flush_log(struct sf_store_gen_terms *g)
{
	if (g->log_count_cap < g->nterms) {
		g->log_count_cap = g->nterms * 2;
		g->log_count = sf_xrealloc(g->log_count, g->log_count_cap * sizeof(*g->log_count));
	}
	memset(g->log_count, 0, g->nterms * sizeof(*g->log_count));
	for (size_t i = 0; i < g->nlog; i++)
		g->log_count[g->log[i].term]++;
	for (size_t i = 0; i < g->nterms; i++) {
		struct term *t = &g->terms[i];

		if (t->n + g->log_count[i] > t->cap) {
			t->cap = (t->n + g->log_count[i]) * 2;
			t->ords = sf_xrealloc(t->ords, (size_t)t->cap * sizeof(*t->ords));
		}
	}
	for (size_t i = 0; i < g->nlog; i++) {
		struct term *t = &g->terms[g->log[i].term];

		t->ords[t->n++] = g->log[i].ord;
	}
	g->nlog = 0;
}

/* Note term s for the order with ordinal ord; false when already noted. */
static bool note_term(struct sf_store_gen_terms *g, const char *s, uint32_t ord)
{
	uint64_t k = term_key(s);
	size_t at;
	struct term *t;

	if ((g->nterms + 1) * 2 > g->nslots)
		terms_rehash(g);
	at = slot_of(k, g->nslots);
	while (g->slots[at] && g->terms[g->slots[at] - 1].key != k)
		at = (at + 1) & (g->nslots - 1);
	if (!g->slots[at]) {
		if (g->nterms == g->terms_cap) {
			g->terms_cap = g->terms_cap ? g->terms_cap * 2 : 4096;
			g->terms = sf_xrealloc(g->terms, g->terms_cap * sizeof(*g->terms));
		}
		t = &g->terms[g->nterms];
		memset(t, 0, sizeof(*t));
		t->key = k;
		memcpy(t->s, &k, sizeof(k));
		g->slots[at] = (uint32_t)++g->nterms;
	}
	t = &g->terms[g->slots[at] - 1];
	if (t->last == ord + 1)
		return false;
	t->last = ord + 1;
	if (g->nlog == LOG_MAX)
		flush_log(g);
	g->log[g->nlog++] = (struct posting){ g->slots[at] - 1, ord };
	return true;
}

static int cmp_ord(const void *pa, const void *pb, void *ctx)
{
	const int64_t *created = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (created[a] != created[b])
		return created[a] < created[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Sort a term's orders by (created_at, id): they come by id, and
 * created_at nearly follows it, so insertion sort, unless it does not. */
static void sort_term(struct term *t, const int64_t *created)
{
	size_t moves = 0, budget = (size_t)t->n * 16 + 1024;

	for (uint32_t i = 1; i < t->n; i++) {
		uint32_t x = t->ords[i], j = i;

		while (j > 0 && created[t->ords[j - 1]] > created[x]) {
			t->ords[j] = t->ords[j - 1];
			j--;
			moves++;
		}
		t->ords[j] = x;
		if (moves > budget) {
			qsort_r(t->ords, t->n, sizeof(*t->ords), cmp_ord, (void *)created);
			return;
		}
	}
}

struct sf_store_gen_terms *sf_store_gen_terms_new(int64_t first_id)
{
	struct sf_store_gen_terms *g = sf_xcalloc(1, sizeof(*g));

	g->first_id = first_id;
	g->log = sf_xmalloc(LOG_MAX * sizeof(*g->log));
	return g;
}

void sf_store_gen_terms_free(struct sf_store_gen_terms *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nterms; i++)
		free(g->terms[i].ords);
	free(g->terms);
	free(g->slots);
	free(g->log);
	free(g->log_count);
	free(g->created);
	free(g->old);
	free(g);
}

int sf_store_gen_terms_note(struct sf_store_gen_terms *g, uint32_t ord, int64_t created_at,
			    const struct sf_search_terms *terms)
{
	int distinct = 0;

	if (ord >= g->created_cap) {
		g->created_cap = g->created_cap ? g->created_cap * 2 : 65536;
		g->created = sf_xrealloc(g->created, g->created_cap * sizeof(*g->created));
	}
	g->created[ord] = created_at;
	for (size_t i = 0; i < terms->n; i++)
		distinct += note_term(g, terms->term[i], ord);
	return distinct;
}

void sf_store_gen_terms_sort(struct sf_store_gen_terms *g)
{
	flush_log(g);
	for (size_t i = 0; i < g->nterms; i++)
		sort_term(&g->terms[i], g->created);
}

static int cmp_old(const void *pa, const void *pb)
{
	const struct old_row *a = pa, *b = pb;
	int k = strcmp(a->s, b->s);

	if (k)
		return k;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_term_idx(const void *pa, const void *pb, void *ctx)
{
	const struct term *terms = ctx;

	return strcmp(terms[*(const uint32_t *)pa].s, terms[*(const uint32_t *)pb].s);
}

struct emit {
	struct sf_store_gen_terms *g;
	struct sf_store_gen_rows *w;
	bool commits; /* every TERMS_PER_TX rows */
	struct sf_store_gen_term rows[SF_STORE_GEN_TERMS_PER_INSERT];
	size_t n;
	bool open;     /* a transaction */
	int64_t in_tx; /* rows written in it */
};

static int flush_rows(struct emit *em)
{
	struct sf_store_gen_rows *w = em->w;
	int rc;

	if (!em->n)
		return 0;
	if (!em->open) {
		rc = em->commits ? sf_store_gen_rows_begin(w) : 0;
		if (rc)
			return rc;
		em->open = true;
	}
	rc = sf_store_gen_rows_terms(w, em->rows, em->n);
	if (rc)
		return rc;
	em->in_tx += (int64_t)em->n;
	em->n = 0;
	if (em->in_tx < TERMS_PER_TX)
		return 0;
	em->open = false;
	em->in_tx = 0;
	return em->commits ? sf_store_gen_rows_commit(w) : 0;
}

static int put_row(struct emit *em, const char *s, int64_t at, int64_t id)
{
	em->rows[em->n++] = (struct sf_store_gen_term){ s, at, id };
	return em->n == SF_STORE_GEN_TERMS_PER_INSERT ? flush_rows(em) : 0;
}

/* The rows of one term: the new orders' (sorted) merged with those that
 * were there (old[0..nold), sorted, all of the same term). */
static int put_term(struct emit *em, const struct term *t, const struct old_row *old, size_t nold)
{
	const struct sf_store_gen_terms *g = em->g;
	const char *s = t ? t->s : old[0].s;
	size_t i = 0, j = 0, n = t ? t->n : 0;
	int rc = 0;

	while (!rc && (i < n || j < nold)) {
		int64_t at = i < n ? g->created[t->ords[i]] : 0;
		int64_t id = i < n ? g->first_id + t->ords[i] : 0;

		if (i < n && (j == nold || at < old[j].at || (at == old[j].at && id < old[j].id))) {
			rc = put_row(em, s, at, id);
			i++;
		} else {
			rc = put_row(em, s, old[j].at, old[j].id);
			j++;
		}
	}
	return rc;
}

int sf_store_gen_terms_take_old(struct sf_store_gen_terms *g, struct sf_conn *c)
{
	struct sf_stmt *st;
	int64_t n = 0;
	int rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM order_terms", "");

	if (rc || n == 0 || n > RELAY_MAX)
		return rc;
	g->old = sf_xcalloc((size_t)n, sizeof(*g->old));
	rc = sf_conn_query(c, &st, "SELECT term, created_at, order_id FROM order_terms", "");
	if (rc)
		return rc;
	while (g->nold < (size_t)n && (rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *s = sf_stmt_text(st, 0);
		struct old_row *r = &g->old[g->nold++];

		snprintf(r->s, sizeof(r->s), "%s", s ? s : "");
		r->at = sf_stmt_int(st, 1);
		r->id = sf_stmt_int(st, 2);
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	qsort(g->old, g->nold, sizeof(*g->old), cmp_old);
	g->relay = true;
	return 0;
}

int sf_store_gen_terms_write(struct sf_store_gen_terms *g, struct sf_store_gen_rows *w,
			     bool commits)
{
	struct emit em = { .g = g, .w = w, .commits = commits };
	const struct old_row *old = g->old;
	uint32_t *order = sf_xcalloc(g->nterms + 1, sizeof(*order));
	size_t nold = g->nold, i = 0, j = 0;
	int rc = commits ? sf_store_gen_rows_begin(w) : 0;

	em.open = rc == 0;
	if (!rc && g->relay)
		rc = GEN_RUN(w, "DELETE FROM order_terms", "");
	rc = rc < 0 ? rc : 0;
	for (size_t k = 0; k < g->nterms; k++)
		order[k] = (uint32_t)k;
	qsort_r(order, g->nterms, sizeof(*order), cmp_term_idx, g->terms);
	while (!rc && (i < g->nterms || j < nold)) {
		const struct term *t = i < g->nterms ? &g->terms[order[i]] : NULL;
		int k = !t ? 1 : j == nold ? -1 : strcmp(t->s, old[j].s);
		size_t j2 = j;

		if (k >= 0)
			while (j2 < nold && !strcmp(old[j2].s, old[j].s))
				j2++;
		rc = put_term(&em, k <= 0 ? t : NULL, old + j, k >= 0 ? j2 - j : 0);
		if (k <= 0)
			i++;
		if (k >= 0)
			j = j2;
	}
	if (!rc)
		rc = flush_rows(&em);
	if (!rc && em.open && commits)
		rc = sf_store_gen_rows_commit(w);
	free(order);
	return rc;
}

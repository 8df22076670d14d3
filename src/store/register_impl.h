/* Helpers shared by the register and visit stores (not for other layers):
 * copying columns, the LIKE pattern of a search text, and picking the
 * bigram terms of a query for the fixed-width term joins. */
#ifndef SF_STORE_REGISTER_IMPL_H
#define SF_STORE_REGISTER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/search.h"
#include "store/db.h"
#include "store/register.h"

/* Grid scope (网格, 楼宇工作站): a record is also in the scope of whoever's
 * unit covers its grid. Each takes one parameter, the "path%" pattern of
 * the scope (NULL matches nothing). The ids of the grid and workstation
 * units under the scope, and of the places whose grid is one of them. */
#define SF_REG_GRID_UNITS "(SELECT gsu.id FROM units gsu WHERE gsu.path LIKE ?)"
#define SF_REG_GRID_PLACES                                                             \
	"(SELECT gsp.id FROM places gsp JOIN units gspu ON gspu.id = gsp.grid_unit_id" \
	" WHERE gspu.path LIKE ?)"
/* A visit's or hazard's target (alias T, with target_kind and target_id)
 * in the grid scope: an enterprise of the grid, a place of the grid or a
 * household at such a place. Three parameters, the same pattern each; the
 * visits' (alias v) and the hazards' (alias h). */
#define SF_REG_TARGET_GRID(T)                                                             \
	"((" T ".target_kind = 'enterprise' AND " T ".target_id IN (SELECT gse.id FROM"   \
	" enterprises gse WHERE gse.grid_unit_id IN " SF_REG_GRID_UNITS "))"              \
	" OR (" T ".target_kind = 'place' AND " T ".target_id IN " SF_REG_GRID_PLACES ")" \
	" OR (" T ".target_kind = 'household' AND " T ".target_id IN (SELECT gsh.id FROM" \
	" households gsh WHERE gsh.place_id IN " SF_REG_GRID_PLACES ")))"
#define SF_REG_VISIT_GRID SF_REG_TARGET_GRID("v")
#define SF_REG_HAZARD_GRID SF_REG_TARGET_GRID("h")

/* Bigram terms a query joins on; a longer query is narrowed by these and
 * confirmed by LIKE on the whole text. */
#define SF_REG_QUERY_TERMS 4

/* Copy a column's text (NULL gives ""). */
void sf_reg_copy(char *dst, size_t cap, const char *src);
/* s, or NULL when s is NULL or empty (to bind NULL for ""). */
const char *sf_reg_or_null(const char *s);
/* "%text%" with ASCII lowercased and % _ \ escaped for LIKE ... ESCAPE '\'. */
void sf_reg_like(const char *text, char *out, size_t cap);
/* "path%" for a unit-subtree match, or NULL when path is NULL or empty. */
const char *sf_reg_prefix(const char *path, char *out, size_t cap);
/* Fill up to SF_REG_QUERY_TERMS terms of q (spread over the query, the
 * unused slots repeating the first) and return how many distinct bigrams
 * q has; 0 means q has none (one character) and LIKE alone must do. */
size_t sf_reg_query_terms(const char *q, char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE]);
/* Put the term with the fewest rows first (counts[i] rows of terms[i],
 * capped), so the join is driven by the rarest; the other slots keep their
 * order. */
void sf_reg_rarest_first(char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE],
			 const int64_t counts[SF_REG_QUERY_TERMS]);
/* Rows counted per term before the count stops: enough to tell rare from
 * common without reading a common term's whole posting list. */
#define SF_REG_TERM_COUNT_CAP 5000

/* The bigrams of texts[0..n) (NULLs skipped), finished (sorted, unique). */
void sf_reg_terms_of(struct sf_search_terms *t, const char *const *texts, size_t n);
/* The bigram term index of enterprises (enterprise_terms) or of
 * households (household_terms). */
enum sf_reg_index { SF_REG_ENTERPRISE_TERMS, SF_REG_HOUSEHOLD_TERMS };
/* Replace the index terms of row id by the bigrams of texts[0..n) (NULLs
 * skipped). 0 or a negative store error. */
int sf_reg_put_terms(struct sf_conn *c, enum sf_reg_index ix, int64_t id, const char *const *texts,
		     size_t n);
/* Count each query term's rows in the index (capped) and put the rarest
 * first, so it drives the join; *none when a term has no row at all
 * (nothing can match). */
int sf_reg_rank_terms(struct sf_conn *c, enum sf_reg_index ix,
		      char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE], bool *none);
/* Read sealed/index/mask columns at col, col+1, col+2. */
void sf_reg_read_pii(struct sf_stmt *st, int col, struct sf_pii *p);
/* Read archived at, by, by's name and reason at col .. col+3. */
void sf_reg_read_archived(struct sf_stmt *st, int col, struct sf_archived *a);

#endif

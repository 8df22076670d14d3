/* Moving a sub-district between engines: copy every table of one
 * database into another (a new, migrated one), history and hash chains
 * included, then compare the two table by table. */
#ifndef SF_STORE_COPY_H
#define SF_STORE_COPY_H

#include <stdint.h>

#include "store/db.h"

/* Copy all rows of every table of `from` (a SQLite database) into `to`,
 * replacing what `to` holds, in one transaction on `to`. progress (may be
 * NULL) is told each table and its row count. Errors: SF_EDB with the
 * failing table in err. */
int sf_store_copy_all(struct sf_db *from, struct sf_db *to,
		      void (*progress)(const char *table, int64_t rows, void *ctx), void *ctx,
		      struct sf_error *err);

/* Compare every table of a (SQLite) with b: same rows, same values (floats
 * to 12 significant digits). report is told each table, its row counts on
 * both sides and whether the contents match. Returns 0 when all match,
 * SF_ECONFLICT when some differ, or an error. */
int sf_store_compare_all(struct sf_db *a, struct sf_db *b,
			 void (*report)(const char *table, int64_t rows_a, int64_t rows_b, int same,
					void *ctx),
			 void *ctx, struct sf_error *err);

#endif

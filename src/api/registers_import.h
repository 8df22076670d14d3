/* The register import's state and the helpers its row readers share (not
 * for other layers): registers_import.c runs the passes over the file and
 * answers HTTP; registers_import_rows.c reads enterprise and household
 * rows; registers_import_places.c place and village-group rows. Each row
 * reader fills, checks and (on the second, writing pass) writes one row,
 * reporting every bad field through sf_regimp_error. */
#ifndef SF_API_REGISTERS_IMPORT_H
#define SF_API_REGISTERS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/registers.h"
#include "api/registers_csv.h"
#include "domain/csv.h"

struct sf_regimp {
	struct sf_app *app;
	struct sf_conn *c;
	const struct sf_principal *who;
	enum sf_register_kind kind;
	const struct sf_regio_col *cols;
	size_t ncols;
	bool writing; /* second pass */
	int64_t now;
	/* header */
	bool have_header;
	size_t width;
	int map[64];                     /* file column -> col index, -1 skipped */
	bool present[SF_REGIO_MAX_COLS]; /* col given in the file */
	/* state */
	struct sf_regio_refs refs;
	struct sf_regio_keyset keys;  /* natural keys seen, for duplicates in the file */
	struct sf_regio_keyset codes; /* village-group codes the file gives or makes */
	struct sf_buf errs;           /* JSON array items, comma separated */
	struct sf_import_report *rep;
	int64_t rows, inserted, updated, nerrors;
	size_t first_row;
	char first_field[64], first_col[64], first_msg[256], first_code[48];
	int write_rc;
	struct sf_error *err;
};

/* Report one error of row (0 = the file) at column key (NULL = none). */
void sf_regimp_error(struct sf_regimp *im, size_t row, const char *key, const char *code,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Report a check's error (the JSON field names mapped to columns). */
void sf_regimp_check_error(struct sf_regimp *im, size_t row, const struct sf_error *e,
			   const char *fallback_key);
/* The export header of column key. */
const char *sf_regimp_col_name(const struct sf_regimp *im, const char *key);
/* The trimmed cell of column key in rec, or NULL when the file has no such
 * column. */
const char *sf_regimp_cell(const struct sf_regimp *im, const struct sf_csv_record *rec,
			   const char *key, char *buf, size_t cap);
/* A text cell into dst (when the column is there), checked like the API's
 * text (UTF-8, no control characters, at most max characters). */
void sf_regimp_text(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		    size_t max, bool multiline, char *dst, size_t cap, bool *bad);
/* A whole-number cell in [min, max]: false when the column is absent or
 * the cell blank (*out unchanged). */
bool sf_regimp_int(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		   int64_t min, int64_t max, int64_t *out, bool *bad);
/* A unit named by code or name among kinds (NULL-ended) under parent (0 =
 * any); 0 when blank or bad. *given tells whether the column is there. */
int64_t sf_regimp_unit(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		       const char *const *kinds, int64_t parent, bool *given, bool *bad);
/* A place named by name; an archived one only when it is keep (the row's
 * place already). */
int64_t sf_regimp_place(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
			int64_t keep, bool *given, bool *bad);
/* A storage failure while writing row: reported, and the run fails. */
int sf_regimp_db_fail(struct sf_regimp *im, size_t row, int rc);

/* The row readers: fill, check, count, and write on the second pass.
 * Non-zero only for a storage failure (the run stops). */
int sf_regimp_enterprise_row(struct sf_regimp *im, const struct sf_csv_record *rec);
int sf_regimp_household_row(struct sf_regimp *im, const struct sf_csv_record *rec);
int sf_regimp_place_row(struct sf_regimp *im, const struct sf_csv_record *rec);
int sf_regimp_village_group_row(struct sf_regimp *im, const struct sf_csv_record *rec);

#endif

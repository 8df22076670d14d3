/* CSV as RFC 4180 and Excel write it: fields separated by commas, records
 * by CRLF or LF, a field in double quotes may hold commas, line breaks and
 * doubled quotes. A strict reader with hard caps, for importing registers.
 * Pure: the caller gives the whole text (already UTF-8, see util/textenc.h).
 * Not for: mapping columns to fields, or checking that every record has as
 * many fields as the header (the caller does, so it can report each row). */
#ifndef SF_CSV_H
#define SF_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define SF_CSV_ROWS_DEFAULT 200000 /* records, the header included */
#define SF_CSV_FIELDS_DEFAULT 64   /* fields of one record */
#define SF_CSV_FIELD_DEFAULT 4096  /* bytes of one field */

/* Caps; 0 picks the default. */
struct sf_csv_limits {
	size_t max_rows;
	size_t max_fields;
	size_t max_field;
};

/* One record, lent to the callback for the call only. */
struct sf_csv_record {
	size_t row;               /* 1-based record number, as Excel numbers its rows */
	size_t line;              /* 1-based line of the text where the record starts */
	size_t n;                 /* fields, at least 1 */
	const char *const *field; /* unquoted, NUL-terminated */
	const size_t *len;        /* byte length of each field */
};

/* Called for each record in order, blank lines (no character at all)
 * skipped. Returns 0 to go on; anything else stops the parse and is
 * returned by it. */
typedef int sf_csv_record_fn(void *ctx, const struct sf_csv_record *rec, struct sf_error *err);

/* Where a parse failed: row and line as in sf_csv_record, col the 1-based
 * field (0 when the fault is not in a field). */
struct sf_csv_pos {
	size_t row, line, col;
};

/* Parse text[0..len) (no NUL needed; NUL bytes are an error) and call fn
 * for each record. Records before a structural fault have already been
 * passed to fn: a caller that must be all-or-nothing collects first and
 * acts after a successful return. Errors, with *where (may be NULL) set
 * and err->message naming row and column:
 * SF_EINVAL "csv_quote" (a quote inside an unquoted field, text after a
 *   closing quote, a quote never closed), "csv_nul" (a NUL byte);
 * SF_ETOOBIG "too_many_rows", "too_many_fields", "field_too_long";
 * or what fn returned. */
int sf_csv_parse(const char *text, size_t len, const struct sf_csv_limits *lim,
		 sf_csv_record_fn *fn, void *ctx, struct sf_csv_pos *where, struct sf_error *err);

/* Append one field to out (a growable byte string through the writer
 * callback) quoted as RFC 4180 asks: in quotes when it holds a comma, a
 * quote, CR or LF, or starts with a space; quotes doubled. A field that
 * starts with = + - @ (a formula to a spreadsheet) is prefixed with a single
 * quote so exported data cannot run as a formula (CSV injection). */
typedef void sf_csv_put_fn(void *ctx, const char *p, size_t n);
void sf_csv_write_field(const char *s, sf_csv_put_fn *put, void *ctx);

#endif

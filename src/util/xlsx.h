/* Excel workbooks (.xlsx) for exports: one sheet, a bold header row, then
 * rows of text and numbers written in order, built with libxlsxwriter in
 * its constant-memory mode and handed back as bytes. The only file that
 * includes xlsxwriter.h. Not for: reading spreadsheets (imports are CSV). */
#ifndef SF_XLSX_H
#define SF_XLSX_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define SF_XLSX_MAX_ROWS 1048575 /* Excel's limit, the header row excluded */
#define SF_XLSX_MAX_COLS 64

struct sf_xlsx;

/* Start a workbook whose one sheet is named sheet (at most 31 characters,
 * no []:*?/\) with the ncols header cells (ncols <= SF_XLSX_MAX_COLS).
 * Temporary files go to $TMPDIR or /tmp. *out is the caller's: end it with
 * sf_xlsx_finish or sf_xlsx_free. Errors: SF_EINVAL (bad sheet name or
 * column count), SF_EIO (no temporary file). */
int sf_xlsx_new(const char *sheet, const char *const *header, size_t ncols, struct sf_xlsx **out,
		struct sf_error *err);
/* Begin the next data row; cells are written into the current row. A row
 * past SF_XLSX_MAX_ROWS is dropped and makes sf_xlsx_finish fail. */
void sf_xlsx_row(struct sf_xlsx *x);
/* Write text (UTF-8; NULL or "" leaves the cell empty; control characters
 * other than tab and line feed become spaces) or a number into column col
 * of the current row. Columns >= ncols are ignored. */
void sf_xlsx_str(struct sf_xlsx *x, size_t col, const char *s);
void sf_xlsx_num(struct sf_xlsx *x, size_t col, double v);
/* Close the workbook, append its bytes to out and free x (always).
 * Errors: SF_ETOOBIG (too many rows, or out's cap), SF_EIO. */
int sf_xlsx_finish(struct sf_xlsx *x, struct sf_buf *out, struct sf_error *err);
/* Discard an unfinished workbook. Accepts NULL. */
void sf_xlsx_free(struct sf_xlsx *x);

#endif

/* Excel export over libxlsxwriter; see xlsx.h. libxlsxwriter 1.1 can only
 * write to a file, so the workbook goes to a private temporary file that is
 * read back and removed. */
#include "util/xlsx.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "util/mem.h"

struct sf_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	char path[512];
	size_t ncols;
	lxw_row_t row;
	bool too_many;
	bool failed;
};

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t && strlen(t) < 400 ? t : "/tmp";
}

int sf_xlsx_new(const char *sheet, const char *const *header, size_t ncols, struct sf_xlsx **out,
		struct sf_error *err)
{
	struct sf_xlsx *x;
	lxw_workbook_options opt = { 0 };
	int fd;

	*out = NULL;
	if (ncols == 0 || ncols > SF_XLSX_MAX_COLS)
		return sf_error_set(err, SF_EINVAL, "invalid_columns", "", "1 to %d columns",
				    SF_XLSX_MAX_COLS);
	if (!sheet || !*sheet || strlen(sheet) > 31 * 3 || strpbrk(sheet, "[]:*?/\\"))
		return sf_error_set(err, SF_EINVAL, "invalid_sheet", "", "bad sheet name");
	x = sf_xcalloc(1, sizeof(*x));
	x->ncols = ncols;
	snprintf(x->path, sizeof(x->path), "%s/sanfu-xlsx-XXXXXX", tmp_dir());
	fd = mkstemp(x->path);
	if (fd < 0) {
		free(x);
		return sf_error_set(err, SF_EIO, "io_error", "", "cannot create a temporary file");
	}
	close(fd);
	opt.constant_memory = LXW_TRUE;
	opt.tmpdir = (char *)tmp_dir();
	x->wb = workbook_new_opt(x->path, &opt);
	if (x->wb)
		x->ws = workbook_add_worksheet(x->wb, sheet);
	if (!x->wb || !x->ws) {
		sf_xlsx_free(x);
		return sf_error_set(err, SF_EIO, "io_error", "", "cannot start the workbook");
	}
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	worksheet_freeze_panes(x->ws, 1, 0);
	for (size_t i = 0; i < ncols; i++) {
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, 16, NULL);
		if (worksheet_write_string(x->ws, 0, (lxw_col_t)i, header[i] ? header[i] : "",
					   x->bold) != LXW_NO_ERROR)
			x->failed = true;
	}
	*out = x;
	return 0;
}

void sf_xlsx_row(struct sf_xlsx *x)
{
	if (x->row >= SF_XLSX_MAX_ROWS) {
		x->too_many = true;
		return;
	}
	x->row++;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return true;
	return false;
}

void sf_xlsx_str(struct sf_xlsx *x, size_t col, const char *s)
{
	lxw_error e;

	if (!s || !*s || col >= x->ncols || x->too_many || x->row == 0)
		return;
	if (has_control(s)) {
		char *copy = sf_xstrdup(s);

		for (unsigned char *p = (unsigned char *)copy; *p; p++)
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
				*p = ' ';
		e = worksheet_write_string(x->ws, x->row, (lxw_col_t)col, copy, NULL);
		free(copy);
	} else {
		e = worksheet_write_string(x->ws, x->row, (lxw_col_t)col, s, NULL);
	}
	if (e != LXW_NO_ERROR)
		x->failed = true;
}

void sf_xlsx_num(struct sf_xlsx *x, size_t col, double v)
{
	if (col >= x->ncols || x->too_many || x->row == 0)
		return;
	if (worksheet_write_number(x->ws, x->row, (lxw_col_t)col, v, NULL) != LXW_NO_ERROR)
		x->failed = true;
}

int sf_xlsx_finish(struct sf_xlsx *x, struct sf_buf *out, struct sf_error *err)
{
	FILE *f = NULL;
	char chunk[65536];
	size_t n;
	int rc = 0;
	lxw_error e = workbook_close(x->wb);

	x->wb = NULL;
	if (x->too_many) {
		rc = sf_error_set(err, SF_ETOOBIG, "too_many_rows", "",
				  "an Excel sheet holds at most %d rows; narrow the export or use "
				  "CSV",
				  SF_XLSX_MAX_ROWS);
		goto out;
	}
	if (e != LXW_NO_ERROR || x->failed) {
		rc = sf_error_set(err, SF_EIO, "io_error", "", "cannot write the workbook: %s",
				  lxw_strerror(e));
		goto out;
	}
	f = fopen(x->path, "rb");
	if (!f) {
		rc = sf_error_set(err, SF_EIO, "io_error", "", "cannot read the workbook back");
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sf_buf_add(out, chunk, n);
	if (ferror(f))
		rc = sf_error_set(err, SF_EIO, "io_error", "", "cannot read the workbook back");
	else if (!sf_buf_ok(out))
		rc = sf_error_set(err, SF_ETOOBIG, "too_large", "", "the workbook is too large");
out:
	if (f)
		fclose(f);
	sf_xlsx_free(x);
	return rc;
}

void sf_xlsx_free(struct sf_xlsx *x)
{
	if (!x)
		return;
	if (x->wb)
		workbook_close(x->wb);
	unlink(x->path);
	free(x);
}

/* The strict CSV reader and the field writer; see csv.h. One pass over the
 * text with a small state machine; each record's fields are unquoted into a
 * scratch buffer that is reused, so memory stays bounded by the caps. */
#include "domain/csv.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct rec_buf {
	char *data;
	size_t len, cap;
	size_t *start, *flen;
	const char **ptr;
	size_t n, ncap;
};

static void buf_put(struct rec_buf *b, char ch)
{
	if (b->len + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->data = sf_xrealloc(b->data, b->cap);
	}
	b->data[b->len++] = ch;
}

static void field_begin(struct rec_buf *b)
{
	if (b->n == b->ncap) {
		b->ncap = b->ncap ? b->ncap * 2 : 16;
		b->start = sf_xrealloc(b->start, b->ncap * sizeof(*b->start));
		b->flen = sf_xrealloc(b->flen, b->ncap * sizeof(*b->flen));
		b->ptr = sf_xrealloc(b->ptr, b->ncap * sizeof(*b->ptr));
	}
	b->start[b->n] = b->len;
	b->flen[b->n] = 0;
	b->n++;
}

static void field_end(struct rec_buf *b)
{
	b->flen[b->n - 1] = b->len - b->start[b->n - 1];
	buf_put(b, '\0');
}

enum state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

int sf_csv_parse(const char *text, size_t len, const struct sf_csv_limits *lim,
		 sf_csv_record_fn *fn, void *ctx, struct sf_csv_pos *where, struct sf_error *err)
{
	size_t max_rows = lim && lim->max_rows ? lim->max_rows : SF_CSV_ROWS_DEFAULT;
	size_t max_fields = lim && lim->max_fields ? lim->max_fields : SF_CSV_FIELDS_DEFAULT;
	size_t max_field = lim && lim->max_field ? lim->max_field : SF_CSV_FIELD_DEFAULT;
	struct rec_buf b = { 0 };
	struct sf_csv_pos pos = { 1, 1, 0 };
	size_t line = 1, quote_line = 0;
	enum state s = FIELD_START;
	bool in_record = false;
	int rc = 0;
	size_t i = 0;

	while (rc == 0) {
		bool end = i >= len;
		char ch = end ? '\n' : text[i];
		bool eol = end || ch == '\n' || ch == '\r';

		if (!end && ch == '\0') {
			/* Between records b still holds the last one's fields. */
			pos.col = in_record ? b.n : 1;
			if (!in_record)
				pos.line = line;
			rc = sf_error_set(err, SF_EINVAL, "csv_nul", "",
					  "row %zu, column %zu: a NUL byte is not text", pos.row,
					  pos.col);
			break;
		}
		if (!in_record) {
			if (end)
				break;
			in_record = true;
			pos.line = line;
			b.len = 0;
			b.n = 0;
			field_begin(&b);
			s = FIELD_START;
		}
		switch (s) {
		case FIELD_START:
		case UNQUOTED:
			if (s == FIELD_START && ch == '"') {
				s = QUOTED;
				quote_line = line;
				break;
			}
			if (ch == '"') {
				pos.col = b.n;
				rc = sf_error_set(
					err, SF_EINVAL, "csv_quote", "",
					"row %zu, column %zu: a quote inside an unquoted "
					"field (put the field in quotes and double the quote)",
					pos.row, pos.col);
				break;
			}
			if (ch == ',' || eol)
				goto field_done;
			s = UNQUOTED;
			goto add;
		case QUOTED:
			if (end) {
				pos.col = b.n;
				rc = sf_error_set(
					err, SF_EINVAL, "csv_quote", "",
					"row %zu, column %zu: the quote opened on line %zu "
					"is never closed",
					pos.row, pos.col, quote_line);
				break;
			}
			if (ch == '"') {
				s = QUOTE_IN_QUOTED;
				break;
			}
			if (ch == '\n')
				line++;
			goto add;
		case QUOTE_IN_QUOTED:
			if (ch == '"') {
				s = QUOTED;
				goto add;
			}
			if (ch == ',' || eol)
				goto field_done;
			pos.col = b.n;
			rc = sf_error_set(err, SF_EINVAL, "csv_quote", "",
					  "row %zu, column %zu: text after the closing quote of a "
					  "field",
					  pos.row, pos.col);
			break;
		}
		goto next;
add:
		if (b.len - b.start[b.n - 1] >= max_field) {
			pos.col = b.n;
			rc = sf_error_set(err, SF_ETOOBIG, "field_too_long", "",
					  "row %zu, column %zu: a field is longer than %zu bytes",
					  pos.row, pos.col, max_field);
			break;
		}
		buf_put(&b, ch);
		goto next;
field_done:
		field_end(&b);
		if (ch == ',') {
			if (b.n >= max_fields) {
				pos.col = b.n + 1;
				rc = sf_error_set(err, SF_ETOOBIG, "too_many_fields", "",
						  "row %zu: more than %zu fields", pos.row,
						  max_fields);
				break;
			}
			field_begin(&b);
			s = FIELD_START;
			goto next;
		}
		/* End of the record. */
		if (!(b.n == 1 && b.flen[0] == 0)) {
			struct sf_csv_record rec;

			if (pos.row > max_rows) {
				pos.col = 0;
				rc = sf_error_set(err, SF_ETOOBIG, "too_many_rows", "",
						  "more than %zu rows", max_rows);
				break;
			}
			for (size_t k = 0; k < b.n; k++)
				b.ptr[k] = b.data + b.start[k];
			rec.row = pos.row;
			rec.line = pos.line;
			rec.n = b.n;
			rec.field = b.ptr;
			rec.len = b.flen;
			rc = fn(ctx, &rec, err);
			if (rc) {
				pos.col = 0;
				break;
			}
		}
		pos.row++;
		in_record = false;
		if (end)
			break;
		if (ch == '\r' && i + 1 < len && text[i + 1] == '\n')
			i++;
		line++;
next:
		if (end)
			break;
		i++;
	}
	if (rc && where)
		*where = pos;
	free(b.data);
	free(b.start);
	free(b.flen);
	free(b.ptr);
	return rc;
}

void sf_csv_write_field(const char *s, sf_csv_put_fn *put, void *ctx)
{
	bool quote = false, formula;

	if (!s)
		s = "";
	formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
	if (s[0] == ' ' || s[0] == '\t')
		quote = true;
	for (const char *p = s; *p && !quote; p++)
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
			quote = true;
	if (quote)
		put(ctx, "\"", 1);
	if (formula)
		put(ctx, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			put(ctx, "\"\"", 2);
		else
			put(ctx, p, 1);
	}
	if (quote)
		put(ctx, "\"", 1);
}

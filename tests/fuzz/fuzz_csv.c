/* Fuzz target for domain/csv: register imports through sf_csv_parse, with
 * the default caps and with tiny ones. Invariants: every record has 1..max
 * fields, each NUL-terminated at its stated length and within the field cap;
 * rows and lines only grow; a failure reports a documented code and a row;
 * and writing the records back with sf_csv_write_field gives text that
 * parses to the same fields (a formula-looking field gains its quote). */
#include <stdbool.h>
#include <string.h>

#include "domain/csv.h"
#include "fuzz.h"
#include "util/buf.h"

struct collect {
	const struct sf_csv_limits *lim;
	size_t last_row, last_line, records;
	struct sf_buf out; /* the records written back */
	bool stop_early;   /* return an error from the third record */
};

static void put(void *ctx, const char *p, size_t n)
{
	sf_buf_add(ctx, p, n);
}

static int on_record(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct collect *c = ctx;
	size_t max_fields =
		c->lim && c->lim->max_fields ? c->lim->max_fields : SF_CSV_FIELDS_DEFAULT;
	size_t max_field = c->lim && c->lim->max_field ? c->lim->max_field : SF_CSV_FIELD_DEFAULT;

	FUZZ_CHECK(rec->n >= 1 && rec->n <= max_fields);
	FUZZ_CHECK(rec->row > c->last_row && rec->line > c->last_line);
	FUZZ_CHECK(rec->line >= rec->row);
	FUZZ_CHECK(!(rec->n == 1 && rec->len[0] == 0)); /* blank lines are skipped */
	for (size_t i = 0; i < rec->n; i++) {
		FUZZ_CHECK(strlen(rec->field[i]) == rec->len[i]);
		FUZZ_CHECK(rec->len[i] <= max_field);
		if (i)
			sf_buf_addch(&c->out, ',');
		sf_csv_write_field(rec->field[i], put, &c->out);
	}
	sf_buf_add(&c->out, "\r\n", 2);
	c->last_row = rec->row;
	c->last_line = rec->line;
	c->records++;
	if (c->stop_early && c->records == 3)
		return sf_error_set(err, SF_ECONFLICT, "stop", "", "stopped by the callback");
	return 0;
}

/* The fields of every record in order, each a string starting with 'R' (first
 * of a record) or 'F', so that record boundaries are compared too. */
struct field_list {
	char **f;
	size_t n, cap;
};

static int gather(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct field_list *l = ctx;

	for (size_t i = 0; i < rec->n; i++) {
		bool formula = rec->field[i][0] == '=' || rec->field[i][0] == '+' ||
			       rec->field[i][0] == '-' || rec->field[i][0] == '@';

		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->f = sf_xrealloc(l->f, l->cap * sizeof(*l->f));
		}
		/* As the writer changes it: a formula gains a leading quote. */
		l->f[l->n] = sf_xmalloc(rec->len[i] + 3);
		l->f[l->n][0] = i == 0 ? 'R' : 'F';
		l->f[l->n][1] = formula ? '\'' : '\0';
		memcpy(l->f[l->n] + 1 + formula, rec->field[i], rec->len[i] + 1);
		l->n++;
	}
	return 0;
}

static int gather_plain(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct field_list *l = ctx;

	for (size_t i = 0; i < rec->n; i++) {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->f = sf_xrealloc(l->f, l->cap * sizeof(*l->f));
		}
		l->f[l->n] = sf_xmalloc(rec->len[i] + 2);
		l->f[l->n][0] = i == 0 ? 'R' : 'F';
		memcpy(l->f[l->n] + 1, rec->field[i], rec->len[i] + 1);
		l->n++;
	}
	return 0;
}

static void free_list(struct field_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->f[i]);
	free(l->f);
}

static void parse_with(const char *text, size_t len, const struct sf_csv_limits *lim,
		       bool stop_early)
{
	static const char *const codes[] = {
		"csv_quote", "csv_nul", "too_many_rows", "too_many_fields", "field_too_long",
		"stop",      NULL
	};
	struct collect c = { .lim = lim, .stop_early = stop_early };
	struct sf_csv_pos where = { 0, 0, 0 };
	struct sf_error err = { 0 };
	bool known = false;
	int rc;

	sf_buf_init(&c.out, 0);
	rc = sf_csv_parse(text, len, lim, on_record, &c, &where, &err);
	if (rc) {
		FUZZ_CHECK(err.rc == rc &&
			   (rc == SF_EINVAL || rc == SF_ETOOBIG || rc == SF_ECONFLICT));
		for (const char *const *k = codes; *k; k++)
			known = known || strcmp(err.code, *k) == 0;
		FUZZ_CHECK(known);
		FUZZ_CHECK(where.row >= 1 && where.line >= 1);
		/* The fault is in the record after the last one handed over
		 * (or, stopped by the callback, in that one). */
		FUZZ_CHECK(rc == SF_ECONFLICT ? where.row == c.last_row && where.line == c.last_line
					      : where.row > c.last_row && where.line > c.last_line);
		if (rc == SF_EINVAL || strcmp(err.code, "too_many_fields") == 0 ||
		    strcmp(err.code, "field_too_long") == 0)
			FUZZ_CHECK(where.col >= 1);
		sf_buf_release(&c.out);
		return;
	}
	FUZZ_CHECK(err.rc == 0);
	if (stop_early)
		FUZZ_CHECK(c.records < 3);
	if (!stop_early && sf_buf_ok(&c.out)) {
		/* Written back and parsed again: the same fields, record by record. */
		struct sf_csv_limits loose = { 0, lim && lim->max_fields ? lim->max_fields : 0,
					       SF_CSV_FIELD_DEFAULT + 1 };
		struct field_list want = { 0 }, got = { 0 };

		FUZZ_CHECK(sf_csv_parse(text, len, lim, gather, &want, NULL, &err) == 0);
		rc = sf_csv_parse(c.out.data, c.out.len, &loose, gather_plain, &got, NULL, &err);
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(got.n == want.n);
		for (size_t i = 0; i < got.n; i++)
			FUZZ_CHECK(strcmp(got.f[i], want.f[i]) == 0);
		free_list(&want);
		free_list(&got);
	}
	sf_buf_release(&c.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sf_csv_limits tiny = { 4, 3, 8 };
	const char *text = (const char *)data;

	parse_with(text, size, NULL, false);
	parse_with(text, size, &tiny, false);
	parse_with(text, size, NULL, true);
	return 0;
}

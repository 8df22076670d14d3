/* CSV import of the enterprise and household registers; see registers.h.
 * An import reads the file twice: the first pass checks every row
 * (collecting every bad row and field, duplicates in the file, references
 * to units, places and people) and counts what would be inserted or
 * updated; only a real run without any error makes the second pass, which
 * writes every row in one transaction. Columns are matched by their
 * Chinese (or English) header, so a file saved from an export imports. */
#include "api/registers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registers_csv.h"
#include "api/registers_impl.h"
#include "domain/credit.h"
#include "domain/csv.h"
#include "domain/industry.h"
#include "domain/mask.h"
#include "store/audit.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/textenc.h"

/* ---- the import ---- */

struct import {
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
	bool present[SF_REGIO_ENT_COLS]; /* col given in the file (the larger table) */
	/* state */
	struct sf_regio_refs refs;
	struct sf_regio_keyset keys;
	struct sf_buf errs; /* JSON array items, comma separated */
	struct sf_import_report *rep;
	int64_t rows, inserted, updated, nerrors;
	size_t first_row;
	char first_field[64], first_col[64], first_msg[256], first_code[48];
	int write_rc;
	struct sf_error *err;
};

static const char *col_name(const struct import *im, const char *key)
{
	for (size_t i = 0; i < im->ncols; i++)
		if (!strcmp(im->cols[i].key, key))
			return im->cols[i].names[0];
	return key;
}

static void add_error(struct import *im, size_t row, const char *key, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_error(struct import *im, size_t row, const char *key, const char *code,
		      const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	struct sf_jw w;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->nerrors == 0) {
		im->first_row = row;
		snprintf(im->first_field, sizeof(im->first_field), "%s", key ? key : "");
		snprintf(im->first_col, sizeof(im->first_col), "%s", key ? col_name(im, key) : "");
		snprintf(im->first_msg, sizeof(im->first_msg), "%s", msg);
		snprintf(im->first_code, sizeof(im->first_code), "%s", code);
	}
	im->nerrors++;
	if (im->nerrors > SF_IMPORT_MAX_ERRORS)
		return;
	if (im->errs.len)
		sf_buf_addch(&im->errs, ',');
	sf_jw_init(&w, &im->errs);
	sf_jw_obj_begin(&w);
	if (row)
		sf_jw_kint(&w, "row", (int64_t)row);
	else
		sf_jw_knull(&w, "row");
	sf_jw_kstr(&w, "column", key ? col_name(im, key) : "");
	sf_jw_kstr(&w, "field", key ? key : "");
	sf_jw_kstr(&w, "code", code);
	sf_jw_kstr(&w, "message", msg);
	sf_jw_obj_end(&w);
}

/* Report a check's error (from sf_error) against a row. */
static void add_check_error(struct import *im, size_t row, const struct sf_error *e,
			    const char *fallback_key)
{
	const char *key = e->field[0] ? e->field : fallback_key;

	/* field names of the checks are the JSON ones; map to columns */
	if (!strcmp(key, "unit_id"))
		key = "unit";
	else if (!strcmp(key, "grid_unit_id"))
		key = "grid";
	else if (!strcmp(key, "place_id"))
		key = "place";
	else if (!strcmp(key, "group_unit_id"))
		key = "group";
	else if (!strcmp(key, "leader_user_id"))
		key = "leader";
	else if (!strcmp(key, "liaison_user_id"))
		key = "liaison";
	add_error(im, row, key, e->code[0] ? e->code : "invalid_field", "%s", e->message);
}

static bool header_is(const char *cell, const char *name)
{
	char a[128];
	size_t n;

	sf_regapi_trim(cell, a, sizeof(a));
	n = strlen(a);
	if (n && a[n - 1] == '*') /* templates mark required columns */
		a[--n] = '\0';
	if (n > 3 && !strcmp(a + n - 3, "\xef\xbc\x8a")) /* full-width ＊ */
		a[n - 3] = '\0';
	return strcasecmp(a, name) == 0;
}

static int read_header(struct import *im, const struct sf_csv_record *rec)
{
	im->width = rec->n;
	if (rec->n > 64) {
		add_error(im, rec->row, NULL, "too_many_columns",
			  "the header has %zu columns; at most 64", rec->n);
		return SF_EINVAL;
	}
	for (size_t f = 0; f < rec->n; f++) {
		bool found = false;

		im->map[f] = -1;
		for (size_t k = 0; k < im->ncols && !found; k++) {
			for (size_t j = 0; j < 6 && im->cols[k].names[j] && !found; j++) {
				if (header_is(rec->field[f], im->cols[k].names[j])) {
					if (im->present[k]) {
						add_error(im, rec->row, im->cols[k].key,
							  "duplicate_column",
							  "column %zu repeats the column \"%s\"",
							  f + 1, im->cols[k].names[0]);
						return SF_EINVAL;
					}
					im->map[f] = (int)k;
					im->present[k] = true;
					found = true;
				}
			}
		}
		for (size_t j = 0; sf_regio_readonly_cols[j] && !found; j++)
			if (header_is(rec->field[f], sf_regio_readonly_cols[j]))
				found = true;
		if (!found && !sf_regapi_blank(rec->field[f])) {
			add_error(im, rec->row, NULL, "unknown_column",
				  "column %zu \"%.60s\" is not a column of this register", f + 1,
				  rec->field[f]);
			return SF_EINVAL;
		}
	}
	for (size_t k = 0; k < im->ncols; k++) {
		if (im->cols[k].required && !im->present[k]) {
			add_error(im, rec->row, im->cols[k].key, "missing_column",
				  "the file has no column \"%s\"", im->cols[k].names[0]);
			return SF_EINVAL;
		}
	}
	im->have_header = true;
	return 0;
}

/* The trimmed cell of column key in rec, or NULL when the file has no
 * such column. */
static const char *cell(const struct import *im, const struct sf_csv_record *rec, const char *key,
			char *buf, size_t cap)
{
	for (size_t f = 0; f < rec->n && f < im->width; f++) {
		if (im->map[f] >= 0 && !strcmp(im->cols[im->map[f]].key, key)) {
			sf_regapi_trim(rec->field[f], buf, cap);
			return buf;
		}
	}
	return NULL;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "是", "1", "y", "yes", "true", "√", "✓", "规上" };
	static const char *const no[] = { "否", "0", "n", "no", "false", "", "×" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return true;
		}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return true;
		}
	return false;
}

/* A cell of a personal datum or name exported masked ("138****8000",
 * "张*") means "unchanged". */
static bool is_masked(const char *s)
{
	return strchr(s, '*') != NULL;
}

static void text_cell(struct import *im, const struct sf_csv_record *rec, const char *key,
		      size_t max, bool multiline, char *dst, size_t cap, bool *bad)
{
	char buf[4200];
	const char *v = cell(im, rec, key, buf, sizeof(buf));
	struct sf_error e = { 0 };

	if (!v)
		return;
	if (sf_regapi_text(v, key, max, false, multiline, &e)) {
		add_error(im, rec->row, key, e.code, "%s", e.message);
		*bad = true;
		return;
	}
	if (strlen(v) >= cap) {
		add_error(im, rec->row, key, "too_long", "%s is too long", col_name(im, key));
		*bad = true;
		return;
	}
	snprintf(dst, cap, "%s", v);
}

static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const grid_kinds[] = { "grid", "workstation", NULL };
static const char *const group_kinds[] = { "village_group", NULL };

static int64_t unit_cell(struct import *im, const struct sf_csv_record *rec, const char *key,
			 const char *const *kinds, int64_t parent, bool *given, bool *bad)
{
	char buf[256];
	const char *v = cell(im, rec, key, buf, sizeof(buf));
	const struct sf_regio_unit *u;
	bool amb;

	*given = v != NULL;
	if (!v || !*v)
		return 0;
	u = sf_regio_find_unit(&im->refs, v, kinds, parent, &amb);
	if (!u) {
		add_error(im, rec->row, key, "unknown_reference", "%s \"%.60s\" is not a known %s",
			  col_name(im, key), v, kinds[0]);
		*bad = true;
		return 0;
	}
	if (amb) {
		add_error(im, rec->row, key, "ambiguous_reference",
			  "several units are named \"%.60s\"; give the unit code", v);
		*bad = true;
		return 0;
	}
	return u->id;
}

static int64_t user_cell(struct import *im, const struct sf_csv_record *rec, const char *key,
			 bool leader, bool *bad)
{
	char buf[256];
	const char *v = cell(im, rec, key, buf, sizeof(buf));
	const struct sf_regio_user *u;
	bool amb;

	if (!v || !*v)
		return 0;
	u = sf_regio_find_user(&im->refs, v, &amb);
	if (!u || u->disabled) {
		add_error(im, rec->row, key, "unknown_reference",
			  "%s \"%.60s\" is not an active user (give the login or the name)",
			  col_name(im, key), v);
		*bad = true;
		return 0;
	}
	if (amb) {
		add_error(im, rec->row, key, "ambiguous_reference",
			  "several users are named \"%.60s\"; give the login", v);
		*bad = true;
		return 0;
	}
	if (leader && u->role != SF_ROLE_LEADER) {
		add_error(im, rec->row, key, "invalid_reference", "%s (%s) is not a leader",
			  u->name, u->login);
		*bad = true;
		return 0;
	}
	if (!leader && !(SF_ROLES_STAFF & SF_ROLE_BIT(u->role))) {
		add_error(im, rec->row, key, "invalid_reference", "%s (%s) is not a staff member",
			  u->name, u->login);
		*bad = true;
		return 0;
	}
	return u->id;
}

static int64_t place_cell(struct import *im, const struct sf_csv_record *rec, const char *key,
			  bool *given, bool *bad)
{
	char buf[400];
	const char *v = cell(im, rec, key, buf, sizeof(buf));
	int64_t id;

	*given = v != NULL;
	if (!v || !*v)
		return 0;
	id = sf_regio_find_place(&im->refs, v);
	if (!id) {
		add_error(im, rec->row, key, "unknown_reference",
			  "%s \"%.60s\" is not a known building, park or estate", col_name(im, key),
			  v);
		*bad = true;
	}
	return id;
}

static int db_fail(struct import *im, size_t row, int rc)
{
	im->write_rc = rc == SF_ECONFLICT ? SF_ECONFLICT : SF_EDB;
	add_error(im, row, NULL, rc == SF_ECONFLICT ? "conflict" : "storage_error",
		  "row %zu could not be written (%s): %s", row,
		  rc == SF_ECONFLICT ? "it conflicts with a record saved meanwhile"
				     : "storage error",
		  sf_conn_errmsg(im->c));
	return im->write_rc;
}

/* One enterprise row: fill, check, and (second pass) write. */
static int enterprise_row(struct import *im, const struct sf_csv_record *rec)
{
	struct sf_enterprise *e = sf_xcalloc(1, sizeof(*e));
	struct sf_error ce = { 0 };
	char buf[256], code[sizeof(e->credit_code)];
	const char *v;
	int64_t id = 0, leader, liaison;
	bool bad = false, given, b, phone_kept = true, changed;
	size_t prev, pos;
	enum sf_credit_fault f;
	int rc = 0;

	v = cell(im, rec, "credit_code", buf, sizeof(buf));
	sf_credit_normalise(v, code, sizeof(code));
	f = sf_credit_check(code, &pos);
	if (f != SF_CREDIT_OK) {
		if (f == SF_CREDIT_CHECK)
			add_error(
				im, rec->row, "credit_code", "invalid_credit_code",
				"%s: the check character (18th) should be %c; the code is mistyped",
				code, sf_credit_check_char(code));
		else
			add_error(im, rec->row, "credit_code", "invalid_credit_code", "%s%s%s",
				  code, code[0] ? ": " : "", sf_credit_fault_text(f, false));
		bad = true;
	} else if ((prev = sf_regio_keyset_add(&im->keys, code, rec->row)) != 0 && !im->writing) {
		add_error(im, rec->row, "credit_code", "duplicate_credit_code",
			  "credit code %s is also on row %zu", code, prev);
		bad = true;
	}
	if (!bad && sf_store_enterprise_id_by_code(im->c, code, &id) == 0) {
		rc = sf_store_enterprise_get(im->c, id, e);
		if (rc) {
			rc = db_fail(im, rec->row, rc);
			goto out;
		}
	}
	snprintf(e->credit_code, sizeof(e->credit_code), "%s", code);
	text_cell(im, rec, "name", SF_REG_NAME_MAX, false, e->name, sizeof(e->name), &bad);
	if (cell(im, rec, "name", buf, sizeof(buf)) && !*buf) {
		add_error(im, rec->row, "name", "missing_field", "企业名称 (name) is empty");
		bad = true;
	}
	text_cell(im, rec, "industry_section", 2, false, e->industry_section,
		  sizeof(e->industry_section), &bad);
	text_cell(im, rec, "industry_division", 3, false, e->industry_division,
		  sizeof(e->industry_division), &bad);
	if ((v = cell(im, rec, "industry_section", buf, sizeof(buf))) && *v &&
	    !sf_industry_section_name(v)) {
		add_error(im, rec->row, "industry_section", "invalid_industry",
			  "\"%.20s\" is not a GB/T 4754 section letter A-T", v);
		bad = true;
	}
	if ((v = cell(im, rec, "industry_division", buf, sizeof(buf))) && *v &&
	    !sf_industry_section_of(v)) {
		add_error(im, rec->row, "industry_division", "invalid_industry",
			  "\"%.20s\" is not a GB/T 4754 division 01-97", v);
		bad = true;
	}
	if ((v = cell(im, rec, "above_scale", buf, sizeof(buf)))) {
		if (parse_bool(v, &b))
			e->above_scale = b;
		else {
			add_error(im, rec->row, "above_scale", "invalid_field",
				  "规上企业 must be 是 or 否, not \"%.20s\"", v);
			bad = true;
		}
	}
	if ((v = cell(im, rec, "key_info", buf, sizeof(buf)))) {
		if (parse_bool(v, &b))
			e->key_info = b;
		else {
			add_error(im, rec->row, "key_info", "invalid_field",
				  "重点信息经济企业 must be 是 or 否, not \"%.20s\"", v);
			bad = true;
		}
	}
	text_cell(im, rec, "address", SF_REG_ADDRESS_MAX, false, e->address, sizeof(e->address),
		  &bad);
	{
		int64_t u = unit_cell(im, rec, "unit", area_kinds, 0, &given, &bad);

		if (given)
			e->unit_id = u;
		u = unit_cell(im, rec, "grid", grid_kinds, 0, &given, &bad);
		if (given)
			e->grid_unit_id = u;
		u = place_cell(im, rec, "place", &given, &bad);
		if (given)
			e->place_id = u;
	}
	if (!((v = cell(im, rec, "contact_name", buf, sizeof(buf))) && is_masked(v)))
		text_cell(im, rec, "contact_name", SF_REG_PERSON_MAX, false, e->contact_name,
			  sizeof(e->contact_name), &bad);
	if ((v = cell(im, rec, "contact_phone", buf, sizeof(buf))) && *v && !is_masked(v)) {
		char norm[SF_PHONE_MAX];

		if (strlen(v) > 40 || sf_phone_normalise(v, norm, sizeof(norm)) != 0) {
			add_error(im, rec->row, "contact_phone", "invalid_phone",
				  "联系电话 \"%.30s\" is not a phone number", v);
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_phone(im->app, v, "contact_phone", &e->contact_phone, &ce);
			if (rc)
				goto out;
			phone_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = cell(im, rec, "tags", buf, sizeof(buf)))) {
		if (sf_regapi_tags_text(v, "tags", e->tags, sizeof(e->tags), &ce)) {
			add_check_error(im, rec->row, &ce, "tags");
			bad = true;
		}
	}
	leader = user_cell(im, rec, "leader", true, &bad);
	liaison = user_cell(im, rec, "liaison", false, &bad);
	if (!bad && sf_regapi_enterprise_check(im->c, e, &ce)) {
		add_check_error(im, rec->row, &ce, "name");
		bad = true;
	}
	if (bad)
		goto out;
	if (!im->writing) {
		if (id)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (id) {
		rc = sf_store_enterprise_update(im->c, e, phone_kept, im->now);
		im->updated++;
	} else {
		rc = sf_store_enterprise_insert(im->c, e, im->now, &id);
		im->inserted++;
	}
	if (!rc && (leader || liaison))
		rc = sf_store_pairing_set(im->c, id, leader ? leader : e->leader_user_id,
					  liaison ? liaison : e->liaison_user_id, im->who->user_id,
					  "import", im->now, &changed);
	if (rc)
		rc = db_fail(im, rec->row, rc);
out:
	free(e);
	return rc;
}

/* One household row. */
static int household_row(struct import *im, const struct sf_csv_record *rec)
{
	struct sf_household *h = sf_xcalloc(1, sizeof(*h));
	struct sf_error ce = { 0 };
	char buf[700], addr[700];
	const char *v;
	int64_t id = 0, unit_id, group_id, place_id;
	bool bad = false, given_unit, given_group, given_place, pii_kept = true;
	size_t prev;
	int rc = 0;

	v = cell(im, rec, "address", addr, sizeof(addr));
	if (!v || !*v) {
		add_error(im, rec->row, "address", "missing_field", "地址 (address) is empty");
		bad = true;
	} else if (sf_regapi_text(v, "address", SF_REG_ADDRESS_MAX, true, false, &ce)) {
		add_check_error(im, rec->row, &ce, "address");
		bad = true;
	} else if ((prev = sf_regio_keyset_add(&im->keys, v, rec->row)) != 0 && !im->writing) {
		add_error(im, rec->row, "address", "duplicate_address",
			  "address \"%.60s\" is also on row %zu", v, prev);
		bad = true;
	}
	if (!bad && sf_store_household_id_by_address(im->c, addr, &id) == 0) {
		rc = sf_store_household_get(im->c, id, h);
		if (rc) {
			rc = db_fail(im, rec->row, rc);
			goto out;
		}
	}
	if (!bad)
		snprintf(h->address, sizeof(h->address), "%.*s", (int)sizeof(h->address) - 1, addr);
	unit_id = unit_cell(im, rec, "unit", area_kinds, 0, &given_unit, &bad);
	if (given_unit && unit_id) {
		h->unit_id = unit_id;
		if (h->group_unit_id) {
			const struct sf_regio_unit *g =
				sf_regio_unit_by_id(&im->refs, h->group_unit_id);

			if (!g || g->parent_id != unit_id)
				h->group_unit_id = 0;
		}
	}
	group_id = unit_cell(im, rec, "group", group_kinds, unit_id, &given_group, &bad);
	if (given_group)
		h->group_unit_id = group_id;
	place_id = place_cell(im, rec, "place", &given_place, &bad);
	if (given_place)
		h->place_id = place_id;
	if (!((v = cell(im, rec, "head_name", buf, sizeof(buf))) && is_masked(v)))
		text_cell(im, rec, "head_name", SF_REG_PERSON_MAX, false, h->head_name,
			  sizeof(h->head_name), &bad);
	if ((v = cell(im, rec, "members", buf, sizeof(buf))) && *v) {
		char *end = NULL;
		long n = strtol(v, &end, 10);

		if (!end || *end || n < 0 || n > 99) {
			add_error(im, rec->row, "members", "invalid_field",
				  "人数 must be a whole number 0-99, not \"%.20s\"", v);
			bad = true;
		} else {
			h->members = n;
		}
	}
	if ((v = cell(im, rec, "phone", buf, sizeof(buf))) && *v && !is_masked(v)) {
		char norm[SF_PHONE_MAX];

		if (strlen(v) > 40 || sf_phone_normalise(v, norm, sizeof(norm)) != 0) {
			add_error(im, rec->row, "phone", "invalid_phone",
				  "联系电话 \"%.30s\" is not a phone number", v);
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_phone(im->app, v, "phone", &h->phone, &ce);
			if (rc)
				goto out;
			pii_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = cell(im, rec, "id_no", buf, sizeof(buf))) && *v && !is_masked(v)) {
		char norm[32];

		sf_resident_id_normalise(v, norm, sizeof(norm));
		if (!sf_resident_id_valid(norm)) {
			/* never echo an ID number into a report */
			add_error(
				im, rec->row, "id_no", "invalid_id_no",
				"身份证号 is not a valid resident identity number (18 characters, "
				"check digit)");
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_id_no(im->app, v, "id_no", &h->id_no, &ce);
			if (rc)
				goto out;
			pii_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = cell(im, rec, "tags", buf, sizeof(buf)))) {
		if (sf_regapi_tags_text(v, "tags", h->tags, sizeof(h->tags), &ce)) {
			add_check_error(im, rec->row, &ce, "tags");
			bad = true;
		}
	}
	text_cell(im, rec, "notes", SF_REG_NOTES_MAX, true, h->notes, sizeof(h->notes), &bad);
	if (!bad && sf_regapi_household_check(im->c, h, &ce)) {
		add_check_error(im, rec->row, &ce, "address");
		bad = true;
	}
	if (!bad && !sf_regapi_privileged(im->who)) {
		const struct sf_regio_unit *u = sf_regio_unit_by_id(
			&im->refs, h->group_unit_id ? h->group_unit_id : h->unit_id);

		if (!u || !sf_regapi_sees_path(im->who, u->path)) {
			add_error(im, rec->row, "unit", "out_of_scope",
				  "the household is outside your community or village");
			bad = true;
		}
	}
	if (bad)
		goto out;
	if (!im->writing) {
		if (id)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (id) {
		rc = sf_store_household_update(im->c, h, pii_kept, im->now);
		im->updated++;
	} else {
		rc = sf_store_household_insert(im->c, h, im->now, &id);
		im->inserted++;
	}
	if (rc)
		rc = db_fail(im, rec->row, rc);
out:
	free(h);
	return rc;
}

static int on_record(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct import *im = ctx;

	(void)err;
	if (!im->have_header)
		return read_header(im, rec);
	im->rows++;
	if (im->rows > SF_IMPORT_MAX_ROWS) {
		add_error(im, rec->row, NULL, "too_many_rows", "more than %d data rows",
			  SF_IMPORT_MAX_ROWS);
		return SF_ETOOBIG;
	}
	if (rec->n != im->width) {
		add_error(im, rec->row, NULL, "wrong_column_count",
			  "row %zu has %zu fields; the header has %zu", rec->row, rec->n,
			  im->width);
		return 0;
	}
	if (im->kind == SF_REGISTER_ENTERPRISES)
		return enterprise_row(im, rec);
	return household_row(im, rec);
}

static void write_report(struct import *im, bool dry_run, enum sf_textenc enc)
{
	struct sf_import_report *rep = im->rep;
	struct sf_jw w;

	rep->rows = im->rows;
	rep->inserted = im->nerrors ? 0 : im->inserted;
	rep->updated = im->nerrors ? 0 : im->updated;
	rep->errors = im->nerrors;
	rep->ok = im->nerrors == 0;
	sf_buf_reset(&rep->json);
	sf_jw_init(&w, &rep->json);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "kind", im->kind == SF_REGISTER_ENTERPRISES ? "enterprises" : "households");
	sf_jw_kbool(&w, "dry_run", dry_run);
	sf_jw_kstr(&w, "encoding", sf_textenc_name(enc));
	sf_jw_kint(&w, "rows", im->rows);
	sf_jw_kint(&w, "inserted", im->nerrors ? 0 : im->inserted);
	sf_jw_kint(&w, "updated", im->nerrors ? 0 : im->updated);
	sf_jw_kbool(&w, "ok", im->nerrors == 0);
	sf_jw_kint(&w, "errors_total", im->nerrors);
	{
		struct sf_buf arr;

		sf_buf_init(&arr, 0);
		sf_buf_addch(&arr, '[');
		sf_buf_add(&arr, im->errs.data, im->errs.len);
		sf_buf_addch(&arr, ']');
		sf_jw_kraw(&w, "errors", arr.data);
		sf_buf_release(&arr);
	}
	sf_jw_obj_end(&w);
}

static int parse_pass(struct import *im, const char *text, size_t len)
{
	struct sf_csv_limits lim = { SF_IMPORT_MAX_ROWS + 2, 64, 4096 };
	struct sf_csv_pos pos = { 0, 0, 0 };
	struct sf_error perr = { 0 };
	int rc;

	im->have_header = false;
	memset(im->present, 0, sizeof(im->present));
	rc = sf_csv_parse(text, len, &lim, on_record, im, &pos, &perr);
	/* The callback reports its own errors; perr holds the file's faults
	 * (quotes, NUL bytes, caps), found by the parser. */
	if (rc && perr.code[0])
		add_error(im, pos.row, NULL, perr.code, "%s", perr.message);
	if (!rc && !im->have_header)
		add_error(im, 0, NULL, "empty_file", "the file has no header row");
	return rc;
}

int sf_registers_import(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
			enum sf_register_kind kind, const char *text, size_t len, size_t max_bytes,
			bool dry_run, const char *ip, int64_t now, struct sf_import_report *rep,
			struct sf_error *err)
{
	struct import *im = sf_xcalloc(1, sizeof(*im));
	enum sf_textenc enc = SF_TEXTENC_UTF8;
	struct sf_error terr = { 0 };
	char *utf8 = NULL;
	size_t ulen = 0;
	int rc;

	im->app = app;
	im->c = c;
	im->who = who;
	im->kind = kind;
	im->cols = kind == SF_REGISTER_ENTERPRISES ? sf_regio_ent_cols : sf_regio_hh_cols;
	im->ncols = kind == SF_REGISTER_ENTERPRISES ? SF_REGIO_ENT_COLS : SF_REGIO_HH_COLS;
	im->now = now;
	im->rep = rep;
	im->err = err;
	sf_buf_init(&im->errs, 4u << 20);
	if (kind == SF_REGISTER_ENTERPRISES && !sf_regapi_privileged(who)) {
		rc = sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				  "only admin, leader and dispatcher import enterprises");
		goto out;
	}
	rc = sf_textenc_to_utf8(text, len, max_bytes, &utf8, &ulen, &enc, &terr);
	if (rc) {
		add_error(im, 0, NULL, terr.code, "%s", terr.message);
		write_report(im, dry_run, enc);
		rc = sf_error_set(err, rc, terr.code, "file", "%s", terr.message);
		goto out;
	}
	rc = sf_regio_refs_load(c, &im->refs);
	if (rc) {
		rc = sf_error_set(err, SF_EDB, "storage_error", "",
				  "cannot read the units and users");
		goto out;
	}
	parse_pass(im, utf8, ulen);
	if (im->nerrors || dry_run) {
		write_report(im, dry_run, enc);
		if (im->nerrors) {
			char where[160];
			bool big = !strcmp(im->first_code, "too_many_rows") ||
				   !strcmp(im->first_code, "field_too_long") ||
				   !strcmp(im->first_code, "too_many_fields");

			if (im->first_row)
				snprintf(where, sizeof(where), "row %zu%s%s: ", im->first_row,
					 im->first_col[0] ? ", " : "", im->first_col);
			else
				snprintf(where, sizeof(where), "%s%s", im->first_col,
					 im->first_col[0] ? ": " : "");
			rc = sf_error_set(err, big ? SF_ETOOBIG : SF_EINVAL,
					  im->nerrors == 1 ? im->first_code : "invalid_rows",
					  im->first_field[0] ? im->first_field : "file",
					  "%lld error%s; nothing was imported. First: %s%s",
					  (long long)im->nerrors, im->nerrors == 1 ? "" : "s",
					  where, im->first_msg);
		}
		goto out;
	}
	/* The real run: every row again, in one transaction. */
	sf_regio_keyset_release(&im->keys);
	im->writing = true;
	im->inserted = im->updated = im->rows = 0;
	rc = sf_conn_begin(c, true);
	if (rc) {
		rc = sf_error_set(err, rc, "busy", "", "the database is busy; try again");
		goto out;
	}
	parse_pass(im, utf8, ulen);
	if (!im->nerrors) {
		struct sf_audit_entry ae = { 0 };
		char reason[128];

		snprintf(reason, sizeof(reason), "%lld rows: %lld inserted, %lld updated",
			 (long long)im->rows, (long long)im->inserted, (long long)im->updated);
		ae.at = now;
		ae.user_id = who->user_id;
		ae.actor_name = who->name[0] ? who->name : "sanfu import";
		ae.action = "import";
		ae.target = kind == SF_REGISTER_ENTERPRISES ? "enterprises" : "households";
		ae.reason = reason;
		ae.ip = ip ? ip : "";
		rc = sf_store_audit_append(c, &ae);
		if (!rc)
			rc = sf_conn_commit(c);
		if (rc)
			db_fail(im, 0, rc);
	}
	if (im->nerrors) {
		sf_conn_rollback(c);
		im->inserted = im->updated = 0;
		rc = sf_error_set(err, im->write_rc ? im->write_rc : SF_EINVAL,
				  im->write_rc == SF_ECONFLICT ? "conflict" : "storage_error",
				  "file", "nothing was imported: %s", im->first_msg);
	}
	write_report(im, false, enc);
out:
	if (utf8)
		free(utf8);
	sf_regio_refs_release(&im->refs);
	sf_regio_keyset_release(&im->keys);
	sf_buf_release(&im->errs);
	free(im);
	return rc;
}

/* ---- HTTP ---- */

static int import_http(struct sf_req *req, enum sf_register_kind kind)
{
	struct sf_import_report rep;
	int dry = -1;
	int rc = sf_regapi_query_flag(req, "dry_run", &dry);

	if (rc)
		return rc;
	if (req->content_type && !strncmp(req->content_type, "multipart/", 10))
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send the CSV file itself as the body (Content-Type: text/csv)");
	if (req->body_len == 0)
		return sf_req_fail(req, SF_EINVAL, "empty_file", "file",
				   "the body is empty; send "
				   "the CSV file");
	memset(&rep, 0, sizeof(rep));
	sf_buf_init(&rep.json, 8u << 20);
	rc = sf_registers_import(req->app, sf_req_conn(req), &req->who, kind, req->body,
				 req->body_len, req->app->cfg.upload_max, dry == 1, req->ip,
				 req->now, &rep, &req->err);
	if (rc == SF_EFORBIDDEN || rc == SF_EDB || rc == SF_EBUSY || !rep.json.len) {
		sf_buf_release(&rep.json);
		return rc;
	}
	if (dry == 1 || rc == 0) {
		/* a dry run reports its findings as a successful answer */
		sf_error_clear(&req->err);
		req->status = 200;
		req->resp_type = "application/json; charset=utf-8";
		sf_buf_reset(&req->out);
		sf_buf_add(&req->out, rep.json.data, rep.json.len);
		sf_buf_release(&rep.json);
		return 0;
	}
	/* A real run with errors: the one error shape, and the report beside it. */
	{
		struct sf_jw w;
		int status = sf_err_http_status(rc);

		sf_req_reply_json(req, status, &w);
		sf_jw_obj_begin(&w);
		sf_jw_key(&w, "error");
		sf_jw_obj_begin(&w);
		sf_jw_kstr(&w, "code", req->err.code);
		sf_jw_kstr(&w, "message", req->err.message);
		sf_jw_kstr(&w, "field", req->err.field);
		sf_jw_obj_end(&w);
		sf_jw_kraw(&w, "report", rep.json.data);
		sf_jw_obj_end(&w);
		sf_error_clear(&req->err);
	}
	sf_buf_release(&rep.json);
	return 0;
}

int sf_api_enterprises_import(struct sf_req *req)
{
	return import_http(req, SF_REGISTER_ENTERPRISES);
}

int sf_api_households_import(struct sf_req *req)
{
	return import_http(req, SF_REGISTER_HOUSEHOLDS);
}

/* CSV import of the registers (enterprises, households, places, village
 * groups); see registers.h. An import reads the file twice: the first pass
 * checks every row (collecting every bad row and field, duplicates in the
 * file, references to units, places and people) and counts what would be
 * inserted or updated; only a real run without any error makes the second
 * pass, which writes every row in one transaction. Columns are matched by
 * their Chinese (or English) header, so a file saved from an export
 * imports. The row readers are in registers_import_rows.c and
 * registers_import_places.c; this file holds the passes, the report, the
 * cells they share and the HTTP handlers. */
#include "api/registers_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registers_impl.h"
#include "store/audit.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/textenc.h"

const char *sf_regimp_col_name(const struct sf_regimp *im, const char *key)
{
	for (size_t i = 0; i < im->ncols; i++)
		if (!strcmp(im->cols[i].key, key))
			return im->cols[i].names[0];
	return key;
}

void sf_regimp_error(struct sf_regimp *im, size_t row, const char *key, const char *code,
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
		snprintf(im->first_col, sizeof(im->first_col), "%s",
			 key ? sf_regimp_col_name(im, key) : "");
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
	sf_jw_kstr(&w, "column", key ? sf_regimp_col_name(im, key) : "");
	sf_jw_kstr(&w, "field", key ? key : "");
	sf_jw_kstr(&w, "code", code);
	sf_jw_kstr(&w, "message", msg);
	sf_jw_obj_end(&w);
}

void sf_regimp_check_error(struct sf_regimp *im, size_t row, const struct sf_error *e,
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
	else if (!strcmp(key, "village_unit_id"))
		key = "village";
	sf_regimp_error(im, row, key, e->code[0] ? e->code : "invalid_field", "%s", e->message);
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

static int read_header(struct sf_regimp *im, const struct sf_csv_record *rec)
{
	im->width = rec->n;
	if (rec->n > 64) {
		sf_regimp_error(im, rec->row, NULL, "too_many_columns",
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
						sf_regimp_error(
							im, rec->row, im->cols[k].key,
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
			sf_regimp_error(im, rec->row, NULL, "unknown_column",
					"column %zu \"%.60s\" is not a column of this register",
					f + 1, rec->field[f]);
			return SF_EINVAL;
		}
	}
	for (size_t k = 0; k < im->ncols; k++) {
		if (im->cols[k].required && !im->present[k]) {
			sf_regimp_error(im, rec->row, im->cols[k].key, "missing_column",
					"the file has no column \"%s\"", im->cols[k].names[0]);
			return SF_EINVAL;
		}
	}
	im->have_header = true;
	return 0;
}

const char *sf_regimp_cell(const struct sf_regimp *im, const struct sf_csv_record *rec,
			   const char *key, char *buf, size_t cap)
{
	for (size_t f = 0; f < rec->n && f < im->width; f++) {
		if (im->map[f] >= 0 && !strcmp(im->cols[im->map[f]].key, key)) {
			sf_regapi_trim(rec->field[f], buf, cap);
			return buf;
		}
	}
	return NULL;
}

static void columns(enum sf_register_kind kind, const struct sf_regio_col **cols, size_t *n)
{
	switch (kind) {
	case SF_REGISTER_ENTERPRISES:
		*cols = sf_regio_ent_cols;
		*n = SF_REGIO_ENT_COLS;
		return;
	case SF_REGISTER_HOUSEHOLDS:
		*cols = sf_regio_hh_cols;
		*n = SF_REGIO_HH_COLS;
		return;
	case SF_REGISTER_PLACES:
		*cols = sf_regio_place_cols;
		*n = SF_REGIO_PLACE_COLS;
		return;
	case SF_REGISTER_VILLAGE_GROUPS:
		*cols = sf_regio_vg_cols;
		*n = SF_REGIO_VG_COLS;
		return;
	}
	*cols = NULL;
	*n = 0;
}

/* ---- cells the row readers share ---- */

void sf_regimp_text(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		    size_t max, bool multiline, char *dst, size_t cap, bool *bad)
{
	char buf[4200];
	const char *v = sf_regimp_cell(im, rec, key, buf, sizeof(buf));
	struct sf_error e = { 0 };

	if (!v)
		return;
	if (sf_regapi_text(v, key, max, false, multiline, &e)) {
		sf_regimp_error(im, rec->row, key, e.code, "%s", e.message);
		*bad = true;
		return;
	}
	if (strlen(v) >= cap) {
		sf_regimp_error(im, rec->row, key, "too_long", "%s is too long",
				sf_regimp_col_name(im, key));
		*bad = true;
		return;
	}
	snprintf(dst, cap, "%s", v);
}

bool sf_regimp_int(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		   int64_t min, int64_t max, int64_t *out, bool *bad)
{
	char buf[64];
	const char *v = sf_regimp_cell(im, rec, key, buf, sizeof(buf));
	char *end = NULL;
	long long n;

	if (!v || !*v)
		return false;
	n = strtoll(v, &end, 10);
	if (!end || *end || n < min || n > max) {
		sf_regimp_error(im, rec->row, key, "invalid_field",
				"%s must be a whole number %lld-%lld, not \"%.20s\"",
				sf_regimp_col_name(im, key), (long long)min, (long long)max, v);
		*bad = true;
		return false;
	}
	*out = n;
	return true;
}

int64_t sf_regimp_unit(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
		       const char *const *kinds, int64_t parent, bool *given, bool *bad)
{
	char buf[256];
	const char *v = sf_regimp_cell(im, rec, key, buf, sizeof(buf));
	const struct sf_regio_unit *u;
	bool amb;

	*given = v != NULL;
	if (!v || !*v)
		return 0;
	u = sf_regio_find_unit(&im->refs, v, kinds, parent, &amb);
	if (!u) {
		sf_regimp_error(im, rec->row, key, "unknown_reference",
				"%s \"%.60s\" is not a known %s", sf_regimp_col_name(im, key), v,
				kinds[0]);
		*bad = true;
		return 0;
	}
	if (amb) {
		sf_regimp_error(im, rec->row, key, "ambiguous_reference",
				"several units are named \"%.60s\"; give the unit code", v);
		*bad = true;
		return 0;
	}
	return u->id;
}

int64_t sf_regimp_place(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
			int64_t keep, bool *given, bool *bad)
{
	char buf[400];
	const char *v = sf_regimp_cell(im, rec, key, buf, sizeof(buf));
	const struct sf_regio_place *p;

	*given = v != NULL;
	if (!v || !*v)
		return 0;
	p = sf_regio_find_place(&im->refs, v);
	if (!p) {
		sf_regimp_error(im, rec->row, key, "unknown_reference",
				"%s \"%.60s\" is not a known building, park or estate",
				sf_regimp_col_name(im, key), v);
		*bad = true;
		return 0;
	}
	if (p->archived && p->id != keep) {
		sf_regimp_error(im, rec->row, key, "archived_reference", "%s \"%.60s\" is archived",
				sf_regimp_col_name(im, key), v);
		*bad = true;
		return 0;
	}
	return p->id;
}

int sf_regimp_db_fail(struct sf_regimp *im, size_t row, int rc)
{
	im->write_rc = rc == SF_ECONFLICT ? SF_ECONFLICT : SF_EDB;
	sf_regimp_error(im, row, NULL, rc == SF_ECONFLICT ? "conflict" : "storage_error",
			"row %zu could not be written (%s): %s", row,
			rc == SF_ECONFLICT ? "it conflicts with a record saved meanwhile"
					   : "storage error",
			sf_conn_errmsg(im->c));
	return im->write_rc;
}

static int on_record(void *ctx, const struct sf_csv_record *rec, struct sf_error *err)
{
	struct sf_regimp *im = ctx;

	(void)err;
	if (!im->have_header)
		return read_header(im, rec);
	im->rows++;
	if (im->rows > SF_IMPORT_MAX_ROWS) {
		sf_regimp_error(im, rec->row, NULL, "too_many_rows", "more than %d data rows",
				SF_IMPORT_MAX_ROWS);
		return SF_ETOOBIG;
	}
	if (rec->n != im->width) {
		sf_regimp_error(im, rec->row, NULL, "wrong_column_count",
				"row %zu has %zu fields; the header has %zu", rec->row, rec->n,
				im->width);
		return 0;
	}
	switch (im->kind) {
	case SF_REGISTER_ENTERPRISES: return sf_regimp_enterprise_row(im, rec);
	case SF_REGISTER_HOUSEHOLDS: return sf_regimp_household_row(im, rec);
	case SF_REGISTER_PLACES: return sf_regimp_place_row(im, rec);
	case SF_REGISTER_VILLAGE_GROUPS: return sf_regimp_village_group_row(im, rec);
	}
	return 0;
}

static void write_report(struct sf_regimp *im, bool dry_run, enum sf_textenc enc)
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
	sf_jw_kstr(&w, "kind", sf_register_kind_name(im->kind));
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

static int parse_pass(struct sf_regimp *im, const char *text, size_t len)
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
		sf_regimp_error(im, pos.row, NULL, perr.code, "%s", perr.message);
	if (!rc && !im->have_header)
		sf_regimp_error(im, 0, NULL, "empty_file", "the file has no header row");
	return rc;
}

int sf_registers_import(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
			enum sf_register_kind kind, const char *text, size_t len, size_t max_bytes,
			bool dry_run, const char *ip, int64_t now, struct sf_import_report *rep,
			struct sf_error *err)
{
	struct sf_regimp *im = sf_xcalloc(1, sizeof(*im));
	enum sf_textenc enc = SF_TEXTENC_UTF8;
	struct sf_error terr = { 0 };
	char *utf8 = NULL;
	size_t ulen = 0;
	int rc;

	im->app = app;
	im->c = c;
	im->who = who;
	im->kind = kind;
	columns(kind, &im->cols, &im->ncols);
	im->now = now;
	im->rep = rep;
	im->err = err;
	sf_buf_init(&im->errs, 4u << 20);
	/* enterprises and places are the sub-district's; households and
	 * village groups are checked row by row against the importer's area */
	if ((kind == SF_REGISTER_ENTERPRISES || kind == SF_REGISTER_PLACES) &&
	    !sf_regapi_privileged(who)) {
		rc = sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				  "only admin, leader and dispatcher import %s",
				  sf_register_kind_name(kind));
		goto out;
	}
	rc = sf_textenc_to_utf8(text, len, max_bytes, &utf8, &ulen, &enc, &terr);
	if (rc) {
		sf_regimp_error(im, 0, NULL, terr.code, "%s", terr.message);
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
		ae.target = sf_register_kind_name(kind);
		ae.reason = reason;
		ae.ip = ip ? ip : "";
		rc = sf_store_audit_append(c, &ae);
		if (!rc)
			rc = sf_conn_commit(c);
		if (rc)
			sf_regimp_db_fail(im, 0, rc);
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
	sf_regio_keyset_release(&im->codes);
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

int sf_api_places_import(struct sf_req *req)
{
	return import_http(req, SF_REGISTER_PLACES);
}

int sf_api_village_groups_import(struct sf_req *req)
{
	return import_http(req, SF_REGISTER_VILLAGE_GROUPS);
}

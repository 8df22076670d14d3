/* Export of the registers (enterprises, households, places, village
 * groups) to CSV (UTF-8 with a byte order mark, as Excel opens it) and
 * .xlsx, phones and ID numbers masked, names in clear only for those who
 * may see them, archived records left out; see registers.h. */
#include "api/registers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registers_csv.h"
#include "api/registers_impl.h"
#include "domain/csv.h"
#include "domain/mask.h"
#include "util/jw.h"
#include "util/timefmt.h"
#include "util/xlsx.h"

/* ---- export ---- */

struct out_sink {
	bool xlsx;
	bool need_eol;    /* CSV: the last line written has no line end yet */
	bool clear_names; /* the exporter may see names in clear */
	struct sf_xlsx *x;
	struct sf_buf *b;
	size_t col;
	int64_t rows;
};

static void put_csv(void *ctx, const char *p, size_t n)
{
	sf_buf_add(ctx, p, n);
}

static void sink_str(struct out_sink *s, const char *v)
{
	if (s->xlsx) {
		sf_xlsx_str(s->x, s->col, v);
	} else {
		if (s->col)
			sf_buf_addch(s->b, ',');
		sf_csv_write_field(v, put_csv, s->b);
	}
	s->col++;
}

static void sink_int(struct out_sink *s, int64_t v)
{
	char num[24];

	if (s->xlsx) {
		sf_xlsx_num(s->x, s->col, (double)v);
		s->col++;
		return;
	}
	snprintf(num, sizeof(num), "%lld", (long long)v);
	sink_str(s, num);
}

static void sink_row(struct out_sink *s)
{
	if (s->need_eol)
		sf_buf_add(s->b, "\r\n", 2);
	s->need_eol = !s->xlsx;
	if (s->xlsx)
		sf_xlsx_row(s->x);
	s->col = 0;
	s->rows++;
}

static int sink_open(struct out_sink *s, bool xlsx, const char *sheet, const char *const *head,
		     size_t n, struct sf_buf *out, struct sf_error *err)
{
	memset(s, 0, sizeof(*s));
	s->xlsx = xlsx;
	s->b = out;
	if (xlsx)
		return sf_xlsx_new(sheet, head, n, &s->x, err);
	sf_buf_add(out, "\xef\xbb\xbf", 3); /* Excel reads UTF-8 only with a BOM */
	for (size_t i = 0; i < n; i++) {
		if (i)
			sf_buf_addch(out, ',');
		sf_csv_write_field(head[i], put_csv, out);
	}
	s->need_eol = true;
	return 0;
}

static int sink_close(struct out_sink *s, struct sf_error *err)
{
	int rc = 0;

	if (s->xlsx) {
		rc = sf_xlsx_finish(s->x, s->b, err);
		s->x = NULL;
	} else {
		if (s->need_eol)
			sf_buf_add(s->b, "\r\n", 2);
		if (!sf_buf_ok(s->b))
			rc = sf_error_set(err, SF_ETOOBIG, "too_large", "",
					  "the export is too large");
	}
	return rc;
}

/* Open a sink whose header is "编号", the first names of cols[0..ncols) and
 * extra[0..nextra) (the columns that are not imported). */
static int sink_open_cols(struct out_sink *s, bool xlsx, const char *sheet,
			  const struct sf_regio_col *cols, size_t ncols, const char *const *extra,
			  size_t nextra, struct sf_buf *out, struct sf_error *err)
{
	const char *head[SF_REGIO_MAX_COLS + 4];
	size_t n = 0;

	head[n++] = "编号";
	for (size_t i = 0; i < ncols; i++)
		head[n++] = cols[i].names[0];
	for (size_t i = 0; i < nextra; i++)
		head[n++] = extra[i];
	return sink_open(s, xlsx, sheet, head, n, out, err);
}

/* After the store has read the rows (rc its result): count them into
 * *rows and close the sink, or drop it and fail naming what was read. */
static int sink_done(struct out_sink *s, int rc, const char *what, int64_t *rows,
		     struct sf_error *err)
{
	*rows = s->rows;
	if (rc) {
		sf_xlsx_free(s->x);
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the %s", what);
	}
	return sink_close(s, err);
}

static const char *const last_visit_col[] = { "最近走访时间" };

static void time_cell(struct out_sink *s, int64_t t)
{
	char human[20];

	if (t <= 0) {
		sink_str(s, "");
		return;
	}
	sf_time_local_human(t, human);
	sink_str(s, human);
}

static int export_ent(const struct sf_enterprise *e, void *ctx)
{
	struct out_sink *s = ctx;

	sink_row(s);
	sink_int(s, e->id);
	sink_str(s, e->credit_code);
	sink_str(s, e->name);
	sink_str(s, e->industry_section);
	sink_str(s, e->industry_division);
	sink_str(s, e->above_scale ? "是" : "否");
	sink_str(s, e->key_info ? "是" : "否");
	sink_str(s, e->address);
	sink_str(s, e->unit_name);
	sink_str(s, e->grid_name);
	sink_str(s, e->place_name);
	if (s->clear_names) {
		sink_str(s, e->contact_name);
	} else {
		char masked[128];

		sf_mask_name(e->contact_name, masked, sizeof(masked));
		sink_str(s, masked);
	}
	sink_str(s, e->contact_phone.mask);
	sink_str(s, e->leader_name);
	sink_str(s, e->liaison_name);
	sink_str(s, e->tags);
	time_cell(s, e->last_visit_at);
	return 0;
}

int sf_regapi_export_enterprises(struct sf_conn *c, const struct sf_enterprise_filter *f, bool xlsx,
				 struct sf_buf *out, int64_t *rows, struct sf_error *err)
{
	struct sf_enterprise_filter g = *f;
	struct out_sink s;
	int rc = sink_open_cols(&s, xlsx, "企业名录", sf_regio_ent_cols, SF_REGIO_ENT_COLS,
				last_visit_col, 1, out, err);

	if (rc)
		return rc;
	s.clear_names = f->scope_all;
	g.limit = SF_REG_EXPORT_MAX + 1;
	g.before_id = 0;
	rc = sf_store_enterprise_list(c, &g, export_ent, &s);
	return sink_done(&s, rc, "enterprises", rows, err);
}

static int export_hh(const struct sf_household *h, void *ctx)
{
	struct out_sink *s = ctx;
	char masked[128];

	sink_row(s);
	sink_int(s, h->id);
	sink_str(s, h->address);
	sink_str(s, h->unit_name);
	sink_str(s, h->group_name);
	sink_str(s, h->place_name);
	sf_mask_name(h->head_name, masked, sizeof(masked));
	sink_str(s, s->clear_names ? h->head_name : masked);
	sink_int(s, h->members);
	sink_str(s, h->phone.mask);
	sink_str(s, h->id_no.mask);
	sink_str(s, h->tags);
	sink_str(s, h->notes);
	time_cell(s, h->last_visit_at);
	return 0;
}

int sf_regapi_export_households(struct sf_conn *c, const struct sf_household_filter *f, bool xlsx,
				struct sf_buf *out, int64_t *rows, struct sf_error *err)
{
	struct sf_household_filter g = *f;
	struct out_sink s;
	int rc = sink_open_cols(&s, xlsx, "住户名录", sf_regio_hh_cols, SF_REGIO_HH_COLS,
				last_visit_col, 1, out, err);

	if (rc)
		return rc;
	s.clear_names = f->scope_all;
	g.limit = SF_REG_EXPORT_MAX + 1;
	g.before_id = 0;
	rc = sf_store_household_list(c, &g, export_hh, &s);
	return sink_done(&s, rc, "households", rows, err);
}

static int export_place(const struct sf_place *p, void *ctx)
{
	struct out_sink *s = ctx;

	sink_row(s);
	sink_int(s, p->id);
	sink_str(s, sf_regio_place_kind_label(p->kind));
	sink_str(s, p->name);
	sink_str(s, p->address);
	sink_str(s, p->unit_name);
	sink_str(s, p->grid_name);
	sink_str(s, p->operator_name);
	sink_int(s, p->floors);
	sink_int(s, p->area_m2);
	sink_str(s, p->notes);
	sink_int(s, p->enterprises);
	sink_int(s, p->households);
	time_cell(s, p->last_visit_at);
	return 0;
}

int sf_regapi_export_places(struct sf_conn *c, const char *kind, const char *unit_path,
			    const char *q, bool xlsx, struct sf_buf *out, int64_t *rows,
			    struct sf_error *err)
{
	static const char *const extra[] = { "企业数", "住户数", "最近走访时间" };
	struct out_sink s;
	int rc = sink_open_cols(&s, xlsx, "楼宇园区小区", sf_regio_place_cols, SF_REGIO_PLACE_COLS,
				extra, 3, out, err);

	if (rc)
		return rc;
	rc = sf_store_place_each(c, kind, unit_path, q, SF_REG_LIVE, SF_REG_EXPORT_MAX + 1,
				 export_place, &s);
	return sink_done(&s, rc, "places", rows, err);
}

static int export_group(const struct sf_village_group *g, void *ctx)
{
	struct out_sink *s = ctx;

	sink_row(s);
	sink_int(s, g->unit_id);
	sink_str(s, g->village_name);
	sink_str(s, g->name);
	sink_str(s, g->code);
	sink_str(s, g->leader_name);
	sink_int(s, g->households);
	sink_int(s, g->population);
	sink_str(s, g->notes);
	time_cell(s, g->last_visit_at);
	return 0;
}

int sf_regapi_export_village_groups(struct sf_conn *c, const char *unit_path, const char *q,
				    bool xlsx, struct sf_buf *out, int64_t *rows,
				    struct sf_error *err)
{
	struct out_sink s;
	int rc = sink_open_cols(&s, xlsx, "村民小组", sf_regio_vg_cols, SF_REGIO_VG_COLS,
				last_visit_col, 1, out, err);

	if (rc)
		return rc;
	rc = sf_store_village_group_each(c, unit_path, q, export_group, &s);
	return sink_done(&s, rc, "village groups", rows, err);
}

int sf_registers_export(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
			enum sf_register_kind kind, bool xlsx, int64_t now, struct sf_buf *out,
			int64_t *rows, struct sf_error *err)
{
	(void)app;
	(void)now;
	switch (kind) {
	case SF_REGISTER_ENTERPRISES: {
		struct sf_enterprise_filter f = { 0 };

		f.scope_all = sf_regapi_privileged(who);
		f.scope_path = who->unit_path;
		f.scope_user = who->user_id;
		f.above_scale = f.key_info = f.paired = -1;
		return sf_regapi_export_enterprises(c, &f, xlsx, out, rows, err);
	}
	case SF_REGISTER_HOUSEHOLDS: {
		struct sf_household_filter f = { 0 };

		f.scope_all = sf_regapi_privileged(who);
		f.scope_path = who->unit_path;
		return sf_regapi_export_households(c, &f, xlsx, out, rows, err);
	}
	case SF_REGISTER_PLACES:
		/* places are public facts every staff member reads */
		return sf_regapi_export_places(c, NULL, NULL, NULL, xlsx, out, rows, err);
	case SF_REGISTER_VILLAGE_GROUPS:
		return sf_regapi_export_village_groups(c, NULL, NULL, xlsx, out, rows, err);
	}
	return sf_error_set(err, SF_EINVAL, "invalid_field", "kind", "no such register");
}

static int export_format(struct sf_req *req, bool *xlsx)
{
	const char *f = sf_req_query(req, "format");

	*xlsx = false;
	if (!f || !*f || !strcmp(f, "csv"))
		return 0;
	if (!strcmp(f, "xlsx")) {
		*xlsx = true;
		return 0;
	}
	return sf_req_fail(req, SF_EINVAL, "invalid_field", "format", "format must be csv or xlsx");
}

static void export_reply(struct sf_req *req, bool xlsx, const char *base, const char *zh)
{
	char day[11];

	sf_time_date_local(req->now, day);
	req->status = 200;
	req->resp_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			      : "text/csv; charset=utf-8";
	req->disposition =
		sf_arena_printf(&req->arena,
				"attachment; filename=\"%s-%s.%s\"; "
				"filename*=UTF-8''%s-%s.%s",
				base, day, xlsx ? "xlsx" : "csv", zh, day, xlsx ? "xlsx" : "csv");
}

int sf_api_enterprises_export(struct sf_req *req)
{
	struct sf_enterprise_filter f;
	char unit_path[128], phone_index[65];
	int64_t rows = 0;
	bool xlsx;
	int rc = export_format(req, &xlsx);

	if (!rc)
		rc = sf_regapi_enterprise_filter(req, &f, unit_path, phone_index);
	if (rc)
		return rc;
	sf_buf_reset(&req->out);
	rc = sf_regapi_export_enterprises(sf_req_conn(req), &f, xlsx, &req->out, &rows, &req->err);
	if (rc)
		return rc;
	/* "企业名录" percent-encoded for filename* */
	export_reply(req, xlsx, "enterprises", "%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95");
	return 0;
}

int sf_api_households_export(struct sf_req *req)
{
	struct sf_household_filter f;
	char unit_path[128], phone_index[65], id_index[65];
	int64_t rows = 0;
	bool xlsx;
	int rc = export_format(req, &xlsx);

	if (!rc)
		rc = sf_regapi_household_filter(req, &f, unit_path, phone_index, id_index);
	if (rc)
		return rc;
	sf_buf_reset(&req->out);
	rc = sf_regapi_export_households(sf_req_conn(req), &f, xlsx, &req->out, &rows, &req->err);
	if (rc)
		return rc;
	/* "住户名录" */
	export_reply(req, xlsx, "households", "%E4%BD%8F%E6%88%B7%E5%90%8D%E5%BD%95");
	return 0;
}

int sf_api_places_export(struct sf_req *req)
{
	const char *kind = sf_req_query(req, "kind");
	const char *q = sf_req_query(req, "q");
	char unit_path[128];
	int64_t rows = 0;
	bool xlsx;
	int rc = export_format(req, &xlsx);

	if (!rc && kind && *kind && !sf_regio_place_kind(kind))
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "kind",
				 "kind must be building, park or estate");
	if (!rc)
		rc = sf_regapi_text(q, "q", 50, false, false, &req->err);
	if (!rc)
		rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));
	if (rc)
		return rc;
	sf_buf_reset(&req->out);
	rc = sf_regapi_export_places(sf_req_conn(req),
				     kind && *kind ? sf_regio_place_kind(kind) : NULL,
				     unit_path[0] ? unit_path : NULL, q && *q ? q : NULL, xlsx,
				     &req->out, &rows, &req->err);
	if (rc)
		return rc;
	/* "楼宇园区小区" */
	export_reply(req, xlsx, "places", "%E6%A5%BC%E5%AE%87%E5%9B%AD%E5%8C%BA%E5%B0%8F%E5%8C%BA");
	return 0;
}

int sf_api_village_groups_export(struct sf_req *req)
{
	const char *q = sf_req_query(req, "q");
	char unit_path[128];
	int64_t rows = 0;
	bool xlsx;
	int rc = export_format(req, &xlsx);

	if (!rc)
		rc = sf_regapi_text(q, "q", 50, false, false, &req->err);
	if (!rc)
		rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));
	if (rc)
		return rc;
	sf_buf_reset(&req->out);
	rc = sf_regapi_export_village_groups(sf_req_conn(req), unit_path[0] ? unit_path : NULL,
					     q && *q ? q : NULL, xlsx, &req->out, &rows, &req->err);
	if (rc)
		return rc;
	/* "村民小组" */
	export_reply(req, xlsx, "village-groups", "%E6%9D%91%E6%B0%91%E5%B0%8F%E7%BB%84");
	return 0;
}

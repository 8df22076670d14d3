/* Work-order rows, their hash-chained events, search terms, the daily code
 * counter and the category limits an order needs; see order.h. The list,
 * the scan's batches, notifications and attachments are in order_list.c. */
#include "store/order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/chain.h"
#include "store/order_impl.h"
#include "util/mem.h"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static char *dup_or_null(struct sf_stmt *st, int col)
{
	const char *s = sf_stmt_isnull(st, col) ? NULL : sf_stmt_text(st, col);

	return s ? sf_xstrdup(s) : NULL;
}

static int on_time(struct sf_stmt *st, int col)
{
	return sf_stmt_isnull(st, col) ? -1 : sf_stmt_int(st, col) != 0;
}

void sf_order_row_release(struct sf_order_row *o)
{
	if (!o)
		return;
	free(o->title);
	free(o->description);
	free(o->requester_name);
	free(o->requester_phone_sealed);
	free(o->requester_org);
	free(o->address);
	free(o->result);
	free(o->public_note);
	free(o->media_url);
	free(o->attrs);
	memset(o, 0, sizeof(*o));
}

void sf_store_order_read_row(struct sf_stmt *st, bool full, struct sf_order_row *o)
{
	enum sf_rating r = SF_RATING_NONE;
	const char *rating;

	memset(o, 0, sizeof(*o));
	o->id = sf_stmt_int(st, 0);
	copy(o->code, sizeof(o->code), sf_stmt_text(st, 1));
	o->title = dup_or_null(st, 2);
	o->category_id = sf_stmt_int(st, 3);
	copy(o->category_code, sizeof(o->category_code), sf_stmt_text(st, 4));
	copy(o->category_zh, sizeof(o->category_zh), sf_stmt_text(st, 5));
	copy(o->category_en, sizeof(o->category_en), sf_stmt_text(st, 6));
	copy(o->channel, sizeof(o->channel), sf_stmt_text(st, 7));
	if (!sf_order_state_parse(sf_stmt_text(st, 8), &o->state))
		o->state = SF_ORDER_SUBMITTED;
	copy(o->requester_kind, sizeof(o->requester_kind), sf_stmt_text(st, 9));
	o->requester_name = dup_or_null(st, 10);
	o->requester_phone_sealed = dup_or_null(st, 11);
	o->requester_org = dup_or_null(st, 12);
	o->area_unit_id = sf_stmt_int(st, 13);
	copy(o->area_name, sizeof(o->area_name), sf_stmt_text(st, 14));
	o->dept_unit_id = sf_stmt_int(st, 15);
	copy(o->dept_name, sizeof(o->dept_name), sf_stmt_text(st, 16));
	o->created_at = sf_stmt_int(st, 17);
	o->updated_at = sf_stmt_int(st, 18);
	o->deadline = sf_stmt_int(st, 19);
	o->overdue = sf_stmt_int(st, 20) != 0;
	o->warned = sf_stmt_int(st, 21) != 0;
	o->escalation = (int)sf_stmt_int(st, 22);
	o->problem = sf_stmt_int(st, 23) != 0;
	o->supervised = sf_stmt_int(st, 24) != 0;
	o->reopen_count = (int)sf_stmt_int(st, 25);
	rating = sf_stmt_isnull(st, 26) ? NULL : sf_stmt_text(st, 26);
	if (rating && sf_rating_parse(rating, &r))
		o->rating = r;
	o->version = sf_stmt_int(st, 27);
	o->stage_start = sf_stmt_int(st, 28);
	o->transfer_count = (int)sf_stmt_int(st, 29);
	o->created_by = sf_stmt_int(st, 30);
	copy(o->area_path, sizeof(o->area_path), sf_stmt_text(st, 31));
	copy(o->dept_path, sizeof(o->dept_path), sf_stmt_text(st, 32));
	o->accepted_on_time = o->resolved_on_time = o->feedback_on_time = -1;
	if (!full)
		return;
	o->description = dup_or_null(st, 33);
	copy(o->requester_phone_index, sizeof(o->requester_phone_index), sf_stmt_text(st, 34));
	o->enterprise_id = sf_stmt_int(st, 35);
	o->address = dup_or_null(st, 36);
	o->has_geo = !sf_stmt_isnull(st, 37) && !sf_stmt_isnull(st, 38);
	o->lat = sf_stmt_double(st, 37);
	o->lng = sf_stmt_double(st, 38);
	o->handler_user_id = sf_stmt_int(st, 39);
	o->accepted_at = sf_stmt_int(st, 40);
	o->assigned_at = sf_stmt_int(st, 41);
	o->resolved_at = sf_stmt_int(st, 42);
	o->feedback_at = sf_stmt_int(st, 43);
	o->closed_at = sf_stmt_int(st, 44);
	o->handle_deadline = sf_stmt_int(st, 45);
	o->ever_overdue = sf_stmt_int(st, 46) != 0;
	o->extension_pending = (int)sf_stmt_int(st, 47);
	o->extension_days = (int)sf_stmt_int(st, 48);
	o->rated_at = sf_stmt_int(st, 49);
	o->result = dup_or_null(st, 50);
	o->merged_into = sf_stmt_int(st, 51);
	copy(o->merged_code, sizeof(o->merged_code), sf_stmt_text(st, 52));
	o->accepted_on_time = on_time(st, 53);
	o->resolved_on_time = on_time(st, 54);
	o->feedback_on_time = on_time(st, 55);
	copy(o->tracking_code, sizeof(o->tracking_code), sf_stmt_text(st, 56));
	copy(o->tracking_secret_hash, sizeof(o->tracking_secret_hash), sf_stmt_text(st, 57));
	o->public_note = dup_or_null(st, 58);
	o->media_url = dup_or_null(st, 59);
	o->attrs = dup_or_null(st, 60);
	o->accept_days = (int)sf_stmt_int(st, 61);
	o->handle_days = (int)sf_stmt_int(st, 62);
	o->feedback_days = (int)sf_stmt_int(st, 63);
	o->dept_head_user_id = sf_stmt_int(st, 64);
	copy(o->handler_name, sizeof(o->handler_name), sf_stmt_text(st, 65));
}

int sf_store_order_get_for_update(struct sf_conn *c, int64_t id, struct sf_order_row *out)
{
	/* Dialect hook: on PostgreSQL lock the row so concurrent changes of
	 * one order queue up behind each other (READ COMMITTED would let both
	 * read the same version); SQLite's write transaction already holds
	 * the database's one write lock. */
	if (sf_db_engine(sf_conn_db(c)) == SF_DB_POSTGRES) {
		int64_t got = 0;
		int rc = sf_conn_int(c, &got, "SELECT id FROM orders WHERE id = ? FOR UPDATE", "i",
				     id);

		if (rc == SF_ENOTFOUND) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		if (rc)
			return rc;
	}
	return sf_store_order_get(c, id, out);
}

int sf_store_order_get(struct sf_conn *c, int64_t id, struct sf_order_row *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " SF_ORDER_LIST_COLS
			       ", " SF_ORDER_FULL_COLS SF_ORDER_FROM SF_ORDER_FULL_JOINS
			       "WHERE o.id = ?",
			       "i", id);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		sf_store_order_read_row(st, true, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_order_id_by_tracking(struct sf_conn *c, const char *tracking_code, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM orders WHERE tracking_code = ?", "s",
			   tracking_code);
}

/* ---- the dashboard's counters (schema.c, migration 7) ---- */

/* UTC seconds of 00:00 Shanghai (UTC+8, no daylight saving) on t's day. */
static int64_t day_of(int64_t t)
{
	return (t + 28800) / 86400 * 86400 - 28800;
}

/* rot, aot: on-time marks, -1 not yet; rating "" for none. */
static void figures_of(struct sf_order_figures *f, bool overdue, bool problem, int rot, int aot,
		       const char *rating)
{
	f->overdue = overdue ? 1 : 0;
	f->problem = problem ? 1 : 0;
	f->rot = rot == 1;
	f->rotj = rot >= 0;
	f->aot = aot == 1;
	f->aotj = aot >= 0;
	f->sat = !strcmp(rating, "satisfied") || !strcmp(rating, "basic");
	f->rated = f->sat || !strcmp(rating, "unsatisfied");
}

void sf_store_order_cell_of(const struct sf_order_row *o, struct sf_order_cell *k)
{
	memset(k, 0, sizeof(*k));
	k->dept = o->dept_unit_id;
	k->area = o->area_unit_id;
	k->category = o->category_id;
	copy(k->state, sizeof(k->state), sf_order_state_name(o->state));
	figures_of(&k->f, o->overdue, o->problem,
		   o->resolved_on_time < 0 ? -1 : o->resolved_on_time != 0,
		   o->accepted_on_time < 0 ? -1 : o->accepted_on_time != 0,
		   o->rating == SF_RATING_NONE ? "" : sf_rating_name(o->rating));
	k->created_day = day_of(o->created_at);
	k->resolved_day = o->resolved_at > 0 ? day_of(o->resolved_at) : 0;
}

/* The rows one order's move adds to or takes from, each a delta: a cell of
 * order_counts, a total of order_totals (per category, handling unit or
 * area) or a day of order_day_counts (per units, or -1 -1 for all). */
enum {
	ROW_CELL,
	ROW_TOTAL_CATEGORY,
	ROW_TOTAL_DEPT,
	ROW_TOTAL_AREA,
	ROW_DAY_CREATED,
	ROW_DAY_RESOLVED
};
struct row_delta {
	int table;
	int64_t k1, k2, k3;
	const char *state; /* borrowed from the move */
	int64_t v[9];      /* n and the figures; n alone for a day */
};

/* One order's move: from was (unless !has_was, a new order) to now. */
struct counts_move_rec {
	bool has_was;
	struct sf_order_cell was, now;
};

static struct row_delta *row_push(struct row_delta *r, int table, int64_t k1, int64_t k2,
				  int64_t k3, const char *state, const struct sf_order_figures *f,
				  int d)
{
	memset(r, 0, sizeof(*r));
	r->table = table;
	r->k1 = k1;
	r->k2 = k2;
	r->k3 = k3;
	r->state = state;
	r->v[0] = d;
	if (f) {
		r->v[1] = d * f->overdue;
		r->v[2] = d * f->problem;
		r->v[3] = d * f->rot;
		r->v[4] = d * f->rotj;
		r->v[5] = d * f->aot;
		r->v[6] = d * f->aotj;
		r->v[7] = d * f->sat;
		r->v[8] = d * f->rated;
	}
	return r + 1;
}

/* The rows k's order counts in, times d; returns the end of what it wrote
 * (at most ROWS_PER_CELL). */
#define ROWS_PER_CELL 8
static struct row_delta *rows_of(struct row_delta *r, const struct sf_order_cell *k, int d)
{
	r = row_push(r, ROW_CELL, k->dept, k->area, k->category, k->state, &k->f, d);
	r = row_push(r, ROW_TOTAL_CATEGORY, k->category, 0, 0, k->state, &k->f, d);
	r = row_push(r, ROW_TOTAL_DEPT, k->dept, 0, 0, k->state, &k->f, d);
	r = row_push(r, ROW_TOTAL_AREA, k->area, 0, 0, k->state, &k->f, d);
	r = row_push(r, ROW_DAY_CREATED, k->created_day, k->dept, k->area, "", NULL, d);
	r = row_push(r, ROW_DAY_CREATED, k->created_day, -1, -1, "", NULL, d);
	if (k->resolved_day) {
		r = row_push(r, ROW_DAY_RESOLVED, k->resolved_day, k->dept, k->area, "", NULL, d);
		r = row_push(r, ROW_DAY_RESOLVED, k->resolved_day, -1, -1, "", NULL, d);
	}
	return r;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct row_delta *a = pa, *b = pb;
	int r = cmp_i64(a->table, b->table);

	if (!r)
		r = cmp_i64(a->k1, b->k1);
	if (!r)
		r = cmp_i64(a->k2, b->k2);
	if (!r)
		r = cmp_i64(a->k3, b->k3);
	return r ? r : strcmp(a->state, b->state);
}

/* Add r's delta to its row. */
static int row_write(struct sf_conn *c, const struct row_delta *r)
{
	static const char *const dims[] = { [ROW_TOTAL_CATEGORY] = "category",
					    [ROW_TOTAL_DEPT] = "dept",
					    [ROW_TOTAL_AREA] = "area" };
	const int64_t *v = r->v;
	int rc;

	switch (r->table) {
	case ROW_CELL:
		rc = sf_conn_run(c, SF_ORDER_SQL_CELL_ADD, "iiisiiiiiiiii", r->k1, r->k2, r->k3,
				 r->state, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
		break;
	case ROW_TOTAL_CATEGORY:
	case ROW_TOTAL_DEPT:
	case ROW_TOTAL_AREA:
		rc = sf_conn_run(c, SF_ORDER_SQL_TOTAL_ADD, "sisiiiiiiiii", dims[r->table], r->k1,
				 r->state, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
		break;
	default:
		rc = sf_conn_run(c, SF_ORDER_SQL_DAY_ADD, "siiii",
				 r->table == ROW_DAY_CREATED ? "created" : "resolved", r->k1, r->k2,
				 r->k3, v[0]);
		break;
	}
	return rc < 0 ? rc : 0;
}

/* Write n moves (struct counts_move_rec) to the counters: every row they
 * touch once, with the sum of its deltas, in one order (so two PostgreSQL
 * transactions never lock counter rows in opposite orders); a row whose
 * deltas cancel out is left alone. */
static int counts_flush(struct sf_conn *c, const void *recs, size_t n)
{
	const struct counts_move_rec *m = recs;
	struct row_delta *rows = sf_xcalloc(n * 2 * ROWS_PER_CELL, sizeof(*rows));
	struct row_delta *end = rows;
	size_t nrows;
	int rc = 0;

	/* PostgreSQL locks each counter row it changes until the commit: take
	 * the events chain's head (which every change of an order takes
	 * anyway) first, so two changes never wait for each other's counters
	 * in opposite orders. */
	if (sf_db_engine(sf_conn_db(c)) == SF_DB_POSTGRES) {
		rc = sf_conn_run(c, "UPDATE chains SET last_id = last_id WHERE name = 'events'",
				 "");
		if (rc < 0)
			goto out;
		rc = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].has_was)
			end = rows_of(end, &m[i].was, -1);
		end = rows_of(end, &m[i].now, 1);
	}
	nrows = (size_t)(end - rows);
	qsort(rows, nrows, sizeof(*rows), row_cmp);
	for (size_t i = 0; !rc && i < nrows;) {
		struct row_delta sum = rows[i];
		bool zero = true;
		size_t j = i + 1;

		for (; j < nrows && row_cmp(&rows[j], &sum) == 0; j++)
			for (int k = 0; k < 9; k++)
				sum.v[k] += rows[j].v[k];
		for (int k = 0; k < 9; k++)
			zero = zero && sum.v[k] == 0;
		if (!zero)
			rc = row_write(c, &sum);
		i = j;
	}
out:
	free(rows);
	return rc;
}

/* Move an order's counts from where it counted (was; NULL for a new
 * order) to where it counts now: at once, or in the group commit's
 * transaction summed with the other writes' moves before its commit. */
static int counts_move(struct sf_conn *c, const struct sf_order_cell *was,
		       const struct sf_order_cell *now)
{
	struct counts_move_rec m;

	memset(&m, 0, sizeof(m));
	m.has_was = was != NULL;
	if (was)
		m.was = *was;
	m.now = *now;
	return sf_conn_defer(c, counts_flush, &m, sizeof(m));
}

#define RANGE_FIGURES                                                                      \
	"COUNT(*), SUM(overdue), SUM(problem), "                                           \
	"SUM(CASE WHEN resolved_on_time = 1 THEN 1 ELSE 0 END), COUNT(resolved_on_time), " \
	"SUM(CASE WHEN accepted_on_time = 1 THEN 1 ELSE 0 END), COUNT(accepted_on_time), " \
	"SUM(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), "              \
	"SUM(CASE WHEN rating IN ('satisfied', 'basic', 'unsatisfied') THEN 1 ELSE 0 END) "
#define RANGE_TOTALS(dim, col)                                                                    \
	"INSERT INTO order_totals(dim, ref_id, state, " SF_ORDER_FIGURES ") SELECT '" dim         \
	"', " col ", state, " RANGE_FIGURES "FROM orders WHERE id >= ? AND id <= ? GROUP BY " col \
	", state ON CONFLICT(dim, ref_id, state) " SF_ORDER_ADD_FIGURES("order_totals")
#define RANGE_DAYS(kind, col, units, group)                                                    \
	"INSERT INTO order_day_counts(kind, day, dept_unit_id, area_unit_id, n) SELECT '" kind \
	"', (" col " + 28800) / 86400 * 86400 - 28800, " units ", COUNT(*) FROM orders "       \
	"WHERE id >= ? AND id <= ? AND " col " IS NOT NULL GROUP BY (" col                     \
	" + 28800) / 86400 * 86400 - 28800" group " ON CONFLICT(kind, day, dept_unit_id, "     \
	"area_unit_id) DO UPDATE SET n = order_day_counts.n + excluded.n"
#define UNITS "COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0)"

int sf_store_order_counts_add_range(struct sf_conn *c, int64_t first_id, int64_t last_id)
{
	static const char *const sql[] = {
		"INSERT INTO order_counts(dept_unit_id, area_unit_id, category_id, state, " SF_ORDER_FIGURES
		") SELECT " UNITS ", category_id, state, " RANGE_FIGURES
		"FROM orders WHERE id >= ? AND id <= ? GROUP BY " UNITS ", category_id, state "
		"ON CONFLICT(dept_unit_id, area_unit_id, category_id, state) " SF_ORDER_ADD_FIGURES(
			"order_counts"),
		RANGE_TOTALS("category", "category_id"),
		RANGE_TOTALS("dept", "COALESCE(dept_unit_id, 0)"),
		RANGE_TOTALS("area", "COALESCE(area_unit_id, 0)"),
		RANGE_DAYS("created", "created_at", UNITS, ", " UNITS),
		RANGE_DAYS("resolved", "resolved_at", UNITS, ", " UNITS),
		RANGE_DAYS("created", "created_at", "-1, -1", ""),
		RANGE_DAYS("resolved", "resolved_at", "-1, -1", ""),
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int rc = sf_conn_run(c, sql[i], "ii", first_id, last_id);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int sf_store_order_insert(struct sf_conn *c, const struct sf_order_row *o, int64_t *id)
{
	int rc = sf_conn_int(
		c, id,
		"INSERT INTO orders(code, title, description, category_id, channel, state, "
		"requester_kind, requester_name, requester_phone_sealed, requester_phone_index, "
		"requester_org, enterprise_id, address, area_unit_id, dept_unit_id, created_by, "
		"created_at, updated_at, stage_start, deadline, tracking_code, "
		"tracking_secret_hash, media_url, attrs, handler_user_id, accepted_at, assigned_at, "
		"resolved_at, feedback_at, closed_at, handle_deadline, warned, overdue, "
		"ever_overdue, escalation, reopen_count, transfer_count, problem, supervised, "
		"extension_pending, extension_days, rating, rated_at, result, merged_into, "
		"accepted_on_time, resolved_on_time, feedback_on_time, public_note, version) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1), "
		"NULLIF(?, -1), NULLIF(?, -1), ?, ?) RETURNING id",
		"sssissssssszszzziiizsssszzzzzzzddddddddddszszdddsi", o->code, o->title,
		o->description, o->category_id, o->channel, sf_order_state_name(o->state),
		o->requester_kind, o->requester_name, o->requester_phone_sealed,
		o->requester_phone_index[0] ? o->requester_phone_index : NULL, o->requester_org,
		o->enterprise_id, o->address ? o->address : "", o->area_unit_id, o->dept_unit_id,
		o->created_by, o->created_at, o->updated_at, o->stage_start, o->deadline,
		o->tracking_code[0] ? o->tracking_code : NULL,
		o->tracking_secret_hash[0] ? o->tracking_secret_hash : NULL, o->media_url,
		o->attrs ? o->attrs : "{}", o->handler_user_id, o->accepted_at, o->assigned_at,
		o->resolved_at, o->feedback_at, o->closed_at, o->handle_deadline, (int)o->warned,
		(int)o->overdue, (int)o->ever_overdue, o->escalation, o->reopen_count,
		o->transfer_count, (int)o->problem, (int)o->supervised, o->extension_pending,
		o->extension_days, o->rating == SF_RATING_NONE ? NULL : sf_rating_name(o->rating),
		o->rated_at, o->result, o->merged_into, o->accepted_on_time, o->resolved_on_time,
		o->feedback_on_time, o->public_note, o->version > 0 ? o->version : (int64_t)1);
	struct sf_order_cell k;

	if (rc)
		return rc;
	sf_store_order_cell_of(o, &k);
	rc = counts_move(c, NULL, &k);
	if (rc || !o->has_geo)
		return rc;
	rc = sf_conn_run(c, "UPDATE orders SET lat = ?, lng = ? WHERE id = ?", "ffi", o->lat,
			 o->lng, *id);
	return rc < 0 ? rc : 0;
}

/* Where order id at version counts now (SF_ECONFLICT when it is gone or
 * has another version). */
static int key_stored(struct sf_conn *c, int64_t id, int64_t version, struct sf_order_cell *k)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st,
		"SELECT COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), category_id, state, "
		"overdue, problem, COALESCE(resolved_on_time, -1), COALESCE(accepted_on_time, -1), "
		"COALESCE(rating, ''), created_at, COALESCE(resolved_at, 0) FROM orders "
		"WHERE id = ? AND version = ?",
		"ii", id, version);

	memset(k, 0, sizeof(*k));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		k->dept = sf_stmt_int(st, 0);
		k->area = sf_stmt_int(st, 1);
		k->category = sf_stmt_int(st, 2);
		copy(k->state, sizeof(k->state), sf_stmt_text(st, 3));
		figures_of(&k->f, sf_stmt_int(st, 4) != 0, sf_stmt_int(st, 5) != 0,
			   (int)sf_stmt_int(st, 6), (int)sf_stmt_int(st, 7), sf_stmt_text(st, 8));
		k->created_day = day_of(sf_stmt_int(st, 9));
		k->resolved_day = sf_stmt_int(st, 10) > 0 ? day_of(sf_stmt_int(st, 10)) : 0;
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ECONFLICT;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_order_update(struct sf_conn *c, const struct sf_order_row *o)
{
	struct sf_order_cell was;
	int rc = key_stored(c, o->id, o->version, &was);

	return rc ? rc : sf_store_order_update_from(c, &was, o);
}

int sf_store_order_update_from(struct sf_conn *c, const struct sf_order_cell *was,
			       const struct sf_order_row *o)
{
	struct sf_order_cell now;
	int rc = sf_conn_run(
		c,
		"UPDATE orders SET state = ?, updated_at = ?, area_unit_id = ?, dept_unit_id = ?, "
		"handler_user_id = ?, accepted_at = ?, assigned_at = ?, resolved_at = ?, "
		"feedback_at = ?, closed_at = ?, stage_start = ?, deadline = ?, "
		"handle_deadline = ?, warned = ?, overdue = ?, ever_overdue = ?, escalation = ?, "
		"reopen_count = ?, transfer_count = ?, problem = ?, supervised = ?, "
		"extension_pending = ?, extension_days = ?, rating = ?, rated_at = ?, result = ?, "
		"merged_into = ?, accepted_on_time = NULLIF(?, -1), "
		"resolved_on_time = NULLIF(?, -1), feedback_on_time = NULLIF(?, -1), "
		"public_note = ?, version = version + 1 WHERE id = ? AND version = ?",
		"sizzzzzzzzizzddddddddddszszdddsii", sf_order_state_name(o->state), o->updated_at,
		o->area_unit_id, o->dept_unit_id, o->handler_user_id, o->accepted_at,
		o->assigned_at, o->resolved_at, o->feedback_at, o->closed_at, o->stage_start,
		o->deadline, o->handle_deadline, (int)o->warned, (int)o->overdue,
		(int)o->ever_overdue, o->escalation, o->reopen_count, o->transfer_count,
		(int)o->problem, (int)o->supervised, o->extension_pending, o->extension_days,
		o->rating == SF_RATING_NONE ? NULL : sf_rating_name(o->rating), o->rated_at,
		o->result, o->merged_into, o->accepted_on_time, o->resolved_on_time,
		o->feedback_on_time, o->public_note, o->id, o->version);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return SF_ECONFLICT;
	sf_store_order_cell_of(o, &now);
	/* What the update does not change, as stored. */
	now.category = was->category;
	now.created_day = was->created_day;
	return counts_move(c, was, &now);
}

void sf_store_order_event_hash(const struct sf_order_event *ev, const char *prev, char out[65])
{
	char idt[24], oidt[24], seqt[24], actt[24], att[24];
	const char *fields[12];

	snprintf(idt, sizeof(idt), "%lld", (long long)ev->id);
	snprintf(oidt, sizeof(oidt), "%lld", (long long)ev->order_id);
	snprintf(seqt, sizeof(seqt), "%lld", (long long)ev->seq);
	snprintf(actt, sizeof(actt), "%lld", (long long)ev->actor_user_id);
	snprintf(att, sizeof(att), "%lld", (long long)ev->at);
	fields[0] = idt;
	fields[1] = oidt;
	fields[2] = seqt;
	fields[3] = ev->action;
	fields[4] = ev->from_state;
	fields[5] = ev->to_state;
	fields[6] = ev->actor_user_id ? actt : NULL;
	fields[7] = ev->actor_name ? ev->actor_name : "";
	fields[8] = ev->actor_role ? ev->actor_role : "";
	fields[9] = att;
	fields[10] = ev->public ? "1" : "0";
	fields[11] = ev->body ? ev->body : "{}";
	sf_store_chain_hash(prev, fields, 12, out);
}

int sf_store_order_event_append(struct sf_conn *c, struct sf_order_event *ev)
{
	return sf_store_order_events_append(c, ev, 1);
}

int sf_store_order_events_append(struct sf_conn *c, struct sf_order_event *evs, size_t n)
{
	char prev[65], hash[65];
	int64_t last = 0, seq = 0;
	int rc;

	if (n == 0)
		return 0;
	rc = sf_store_chain_head(c, "events", &last, prev);
	if (rc)
		return rc;
	rc = sf_conn_int(c, &seq,
			 "SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE order_id = ?",
			 "i", evs[0].order_id);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct sf_order_event *ev = &evs[i];

		ev->id = last + 1 + (int64_t)i;
		ev->seq = seq + (int64_t)i;
		sf_store_order_event_hash(ev, prev, hash);
		rc = sf_conn_run(
			c,
			"INSERT INTO order_events(id, order_id, seq, action, from_state, to_state, "
			"actor_user_id, actor_name, actor_role, at, public, body, prev_hash, hash) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"iiissszssidsss", ev->id, ev->order_id, ev->seq, ev->action, ev->from_state,
			ev->to_state, ev->actor_user_id, ev->actor_name ? ev->actor_name : "",
			ev->actor_role ? ev->actor_role : "", ev->at, ev->public ? 1 : 0,
			ev->body ? ev->body : "{}", prev, hash);
		if (rc < 0)
			return rc;
		memcpy(prev, hash, sizeof(prev));
	}
	return sf_store_chain_advance(c, "events", evs[n - 1].id, hash);
}

int sf_store_order_event_each(struct sf_conn *c, int64_t order_id, bool public_only,
			      int (*cb)(const struct sf_order_event *ev, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_order_event ev;
	int rc = sf_conn_query(
		c, &st,
		"SELECT id, seq, action, from_state, to_state, "
		"COALESCE(actor_user_id, 0), actor_name, actor_role, at, public, body "
		"FROM order_events WHERE order_id = ? AND (? = 0 OR public = 1) "
		"ORDER BY seq",
		"id", order_id, public_only ? 1 : 0);
	int stop = 0;

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		ev.id = sf_stmt_int(st, 0);
		ev.order_id = order_id;
		ev.seq = sf_stmt_int(st, 1);
		ev.action = sf_stmt_text(st, 2);
		ev.from_state = sf_stmt_isnull(st, 3) ? NULL : sf_stmt_text(st, 3);
		ev.to_state = sf_stmt_text(st, 4);
		ev.actor_user_id = sf_stmt_int(st, 5);
		ev.actor_name = sf_stmt_text(st, 6);
		ev.actor_role = sf_stmt_text(st, 7);
		ev.at = sf_stmt_int(st, 8);
		ev.public = sf_stmt_int(st, 9) != 0;
		ev.body = sf_stmt_text(st, 10);
		stop = cb(&ev, ctx);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

/* clang-format off */
#define TERMS_SQL "INSERT INTO order_terms(term, created_at, order_id) VALUES (?, ?, ?)"
#define TERMS_SQL4 TERMS_SQL ", (?, ?, ?), (?, ?, ?), (?, ?, ?)"
#define TERMS_SQL16 TERMS_SQL4 ", (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)" \
	", (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)"
#define TERMS_FMT4 "siisiisiisii"
#define TERMS_FMT16 TERMS_FMT4 TERMS_FMT4 TERMS_FMT4 TERMS_FMT4
#define TERMS_ROW(k) terms->term[i + (k)], created_at, order_id
#define TERMS_ROWS4(k) TERMS_ROW(k), TERMS_ROW((k) + 1), TERMS_ROW((k) + 2), TERMS_ROW((k) + 3)
/* clang-format on */

int sf_store_order_terms_put(struct sf_conn *c, int64_t order_id, int64_t created_at,
			     const struct sf_search_terms *terms)
{
	size_t i = 0;
	int rc;

	for (; i + 16 <= terms->n; i += 16) {
		rc = sf_conn_run(c, TERMS_SQL16, TERMS_FMT16, TERMS_ROWS4(0), TERMS_ROWS4(4),
				 TERMS_ROWS4(8), TERMS_ROWS4(12));
		if (rc < 0)
			return rc;
	}
	for (; i + 4 <= terms->n; i += 4) {
		rc = sf_conn_run(c, TERMS_SQL4, TERMS_FMT4, TERMS_ROWS4(0));
		if (rc < 0)
			return rc;
	}
	for (; i < terms->n; i++) {
		rc = sf_conn_run(c, TERMS_SQL, "sii", TERMS_ROW(0));
		if (rc < 0)
			return rc;
	}
	return 0;
}

#undef TERMS_SQL
#undef TERMS_SQL4
#undef TERMS_SQL16
#undef TERMS_FMT4
#undef TERMS_FMT16
#undef TERMS_ROW
#undef TERMS_ROWS4

int sf_store_counter_next(struct sf_conn *c, const char *name, int64_t *value)
{
	return sf_conn_int(c, value,
			   "INSERT INTO counters(name, value) VALUES (?, 1) ON CONFLICT(name) "
			   "DO UPDATE SET value = counters.value + 1 RETURNING value",
			   "s", name);
}

int sf_store_order_category(struct sf_conn *c, int64_t id, const char *code,
			    struct sf_order_category *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT id, code, name_zh, name_en, COALESCE(dept_unit_id, 0), "
			       "accept_days, handle_days, feedback_days, public, active "
			       "FROM categories WHERE (? > 0 AND id = ?) OR (? <= 0 AND code = ?)",
			       "iiis", id, id, id, code ? code : "");

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		out->id = sf_stmt_int(st, 0);
		copy(out->code, sizeof(out->code), sf_stmt_text(st, 1));
		copy(out->name_zh, sizeof(out->name_zh), sf_stmt_text(st, 2));
		copy(out->name_en, sizeof(out->name_en), sf_stmt_text(st, 3));
		out->dept_unit_id = sf_stmt_int(st, 4);
		out->accept_days = (int)sf_stmt_int(st, 5);
		out->handle_days = (int)sf_stmt_int(st, 6);
		out->feedback_days = (int)sf_stmt_int(st, 7);
		out->public = sf_stmt_int(st, 8) != 0;
		out->active = sf_stmt_int(st, 9) != 0;
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

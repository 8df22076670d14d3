/* Reading many orders: the filtered, scoped, keyset-paged list, the deadline
 * scan's batches; and the two small tables around orders, notifications and
 * attachments. See order.h. The list is one SQL text per sort order and
 * drive (what narrows the rows first) whose optional filters are switched by
 * bound flags, so every statement is a cached literal and the scope is
 * always part of the query. */
#include "store/order.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/order_impl.h"
#include "util/mem.h"

#define NO_DEADLINE "9000000000000000000"

/* One search term checked for the row at hand by its exact key (cheap when
 * the term is common: the scan in sort order soon fills the page). */
#define TERM_PROBE                                                            \
	"AND (? = 0 OR EXISTS (SELECT 1 FROM order_terms t WHERE t.term = ? " \
	"AND t.created_at = o.created_at AND t.order_id = o.id)) "
/* The same for the posting at hand of the term walk (below), before its
 * order is read. */
#define WALK_PROBE                                                            \
	"AND (? = 0 OR EXISTS (SELECT 1 FROM order_terms t WHERE t.term = ? " \
	"AND t.created_at = w.created_at AND t.order_id = w.order_id)) "
/* The rarest term's orders driving the query (when it is rare, far fewer
 * rows than a scan in sort order); the scan variant binds a no-op instead. */
#define DRIVE_BY_TERM "AND o.id IN (SELECT order_id FROM order_terms WHERE term = ?) "
#define NO_DRIVE "AND (CAST(? AS TEXT) IS NULL OR 1 = 1) "
/* Whether a drive (below) or the scan in sort order is the better plan
 * depends on how many orders the drive narrows to (k): the drive sorts k
 * rows, the scan tries about limit * orders / k before its page is full,
 * if matches are spread evenly. They cost the same at k = sqrt(limit *
 * orders): a drive is taken up to there, within these bounds. */
#define DRIVE_MIN 100
#define DRIVE_MAX 20000
/* Several common terms, sorted other than by creation: the least common
 * one's orders drive up to this many (see sf_store_order_list). */
#define DRIVE_MAX_TERMS 250000

/* The creation-time range (from, to). */
#define CREATED_RANGE "AND o.created_at >= ? AND o.created_at <= ? "
/* The same creation-time range, which the planner may not read by: a scan
 * in the order of the deadline or the last change, with no range asked
 * for, walks its sort's index (orders_due, orders_updated) and stops at
 * the page's end instead of reading every order by creation time and
 * sorting them all. */
#define CREATED_RANGE_LATE "AND +o.created_at >= ? AND +o.created_at <= ? "
#define LIST_WHERE_FILTERS_R(range)                                    \
	"WHERE (? = 0 OR (? = 1 AND d.path LIKE ?) "                   \
	"OR (? = 2 AND (d.path LIKE ? OR a.path LIKE ?)) "             \
	"OR (? IN (1, 2, 3) AND o.created_by = ?)) "                   \
	"AND (? = 0 OR o.state IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) " \
	"AND (? = 0 OR o.category_id = ?) "                            \
	"AND (? = 0 OR d.path LIKE ?) "                                \
	"AND (? = 0 OR a.path LIKE ?) "                                \
	"AND (? = 0 OR o.overdue = 1) AND (? = 0 OR o.warned = 1) "    \
	"AND (? = 0 OR o.problem = 1) AND (? = 0 OR o.supervised = 1) " range
#define LIST_WHERE_TEXT                                                        \
	"AND (? = 0 OR (? = 1 AND o.title LIKE ? ESCAPE '\\') OR (? = 2 AND (" \
	"o.title LIKE ? ESCAPE '\\' OR o.description LIKE ? ESCAPE '\\' "      \
	"OR o.address LIKE ? ESCAPE '\\' OR o.code LIKE ? ESCAPE '\\' "        \
	"OR o.requester_org LIKE ? ESCAPE '\\'))) "                            \
	"AND (? = 0 OR o.requester_phone_index = ?) "                          \
	"AND (? = 0 OR o.enterprise_id = ?) "
/* The filters with a probe of each of the SF_ORDER_QUERY_TERMS (8) terms. */
#define LIST_WHERE_RP(range, p) LIST_WHERE_FILTERS_R(range) p p p p p p p p LIST_WHERE_TEXT
#define LIST_WHERE_P(p) LIST_WHERE_RP(CREATED_RANGE, p)
#define LIST_WHERE LIST_WHERE_P(TERM_PROBE)
_Static_assert(SF_ORDER_QUERY_TERMS == 8, "LIST_WHERE_P probes 8 terms");

#define LIST_SQL(drive, tail) "SELECT " SF_ORDER_LIST_COLS SF_ORDER_FROM LIST_WHERE drive tail
#define LIST_SQL_LATE(tail)                                                                      \
	"SELECT " SF_ORDER_LIST_COLS SF_ORDER_FROM LIST_WHERE_RP(CREATED_RANGE_LATE, TERM_PROBE) \
	NO_DRIVE tail

#define TAIL_CREATED_DESC                                           \
	"AND o.created_at <= ? AND (o.created_at < ? OR o.id < ?) " \
	"ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
#define TAIL_CREATED                                                \
	"AND o.created_at >= ? AND (o.created_at > ? OR o.id > ?) " \
	"ORDER BY o.created_at, o.id LIMIT ?"
#define TAIL_DEADLINE                                                                           \
	"AND COALESCE(o.deadline, " NO_DEADLINE ") >= ? AND (COALESCE(o.deadline, " NO_DEADLINE \
	") > ? OR o.id > ?) ORDER BY COALESCE(o.deadline, " NO_DEADLINE "), o.id LIMIT ?"
#define TAIL_UPDATED_DESC                                           \
	"AND o.updated_at <= ? AND (o.updated_at < ? OR o.id < ?) " \
	"ORDER BY o.updated_at DESC, o.id DESC LIMIT ?"

/* What drives a list query. The scan walks orders in sort order and stops
 * at the page's end: quick when matches are many. A selective filter
 * instead drives it: the ids in a few index ranges (a department's or an
 * area's orders in the wanted states, a person's own, a state's, a rare
 * term's, a phone's), sorted: quick when they are few. The full filters
 * apply either way; a drive only narrows the rows they are tried on. */
enum drive {
	D_SCAN,
	D_TERM,       /* the rarest term's orders */
	D_PHONE,      /* the requester's phone */
	D_ENTERPRISE, /* about one enterprise */
	D_DEPT,       /* handling unit in the dept filter's subtree, in the states */
	D_AREA,       /* area unit in the area filter's subtree, in the states */
	D_OWN,        /* created by the person, in the states */
	D_SCOPE_DEPT, /* the scope of a department's staff, in the states */
	D_SCOPE_AREA, /* the scope of a community's or grid's staff, in the states */
	D_STATE,      /* in the states */
	D_COUNT
};

#define STATES11 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define IN_SUBTREE "IN (SELECT id FROM units WHERE path LIKE ?)"
#define IDS_DEPT "SELECT id FROM orders WHERE dept_unit_id " IN_SUBTREE " AND state IN " STATES11
#define IDS_AREA "SELECT id FROM orders WHERE area_unit_id " IN_SUBTREE " AND state IN " STATES11
#define IDS_OWN "SELECT id FROM orders WHERE created_by = ? AND state IN " STATES11
#define IDS_STATE "SELECT id FROM orders WHERE state IN " STATES11
#define IDS_PHONE "SELECT id FROM orders WHERE requester_phone_index = ?"
#define IDS_ENTERPRISE "SELECT id FROM orders WHERE enterprise_id = ?"
#define IDS_SCOPE_DEPT IDS_DEPT " UNION ALL " IDS_OWN
#define IDS_SCOPE_AREA IDS_DEPT " UNION ALL " IDS_AREA " UNION ALL " IDS_OWN
#define DRIVE_IN(ids) "AND o.id IN (" ids ") "

#define LIST_SORTS(drive)                                                          \
	{                                                                          \
		[SF_ORDER_SORT_CREATED_DESC] = LIST_SQL(drive, TAIL_CREATED_DESC), \
		[SF_ORDER_SORT_CREATED] = LIST_SQL(drive, TAIL_CREATED),           \
		[SF_ORDER_SORT_DEADLINE] = LIST_SQL(drive, TAIL_DEADLINE),         \
		[SF_ORDER_SORT_UPDATED_DESC] = LIST_SQL(drive, TAIL_UPDATED_DESC), \
	}

/* [drive][sort] */
static const char *const list_sql[D_COUNT][4] = {
	[D_SCAN] = LIST_SORTS(NO_DRIVE),
	[D_TERM] = LIST_SORTS(DRIVE_BY_TERM),
	[D_PHONE] = LIST_SORTS(DRIVE_IN(IDS_PHONE)),
	[D_ENTERPRISE] = LIST_SORTS(DRIVE_IN(IDS_ENTERPRISE)),
	[D_DEPT] = LIST_SORTS(DRIVE_IN(IDS_DEPT)),
	[D_AREA] = LIST_SORTS(DRIVE_IN(IDS_AREA)),
	[D_OWN] = LIST_SORTS(DRIVE_IN(IDS_OWN)),
	[D_SCOPE_DEPT] = LIST_SORTS(DRIVE_IN(IDS_SCOPE_DEPT)),
	[D_SCOPE_AREA] = LIST_SORTS(DRIVE_IN(IDS_SCOPE_AREA)),
	[D_STATE] = LIST_SORTS(DRIVE_IN(IDS_STATE)),
};

/* The scan in the deadline's or last change's order when no date range is
 * asked for (see CREATED_RANGE_LATE); same arguments as list_sql's. */
static const char *const scan_late_sql[4] = {
	[SF_ORDER_SORT_DEADLINE] = LIST_SQL_LATE(TAIL_DEADLINE),
	[SF_ORDER_SORT_UPDATED_DESC] = LIST_SQL_LATE(TAIL_UPDATED_DESC),
};

/* A drive that is the whole filter (no other filter, and the scope within
 * it) and the newest-first sort need not carry whole rows into the sort:
 * its page is picked from the drive's (created_at, id) alone, and only
 * from those at or after the floor (top_floor below), so that it reads
 * about a page of index entries however many orders the drive holds.
 * [drive] */
#define TOP                                                                        \
	" AND created_at >= ? AND created_at <= ? AND (created_at < ? OR id < ?) " \
	"ORDER BY created_at DESC, id DESC LIMIT ?"
#define CIDS(col, cond)                                                                   \
	"SELECT id, created_at FROM orders WHERE " col " " cond " AND state IN " STATES11 \
	" AND created_at >= ? AND created_at <= ? AND (created_at < ? OR id < ?)"
/* A CIDS's floor and cursor. */
#define CIDS_FMT "iiii"
#define CIDS_ARGS floor, key, key, id
#define TOP_OF(ids)                                                                        \
	"SELECT id FROM (" ids ") t WHERE created_at <= ? AND (created_at < ? OR id < ?) " \
	"ORDER BY created_at DESC, id DESC LIMIT ?"
static const char *const list_top_sql[D_COUNT] = {
	[D_DEPT] = LIST_SQL(DRIVE_IN(IDS_DEPT TOP), TAIL_CREATED_DESC),
	[D_AREA] = LIST_SQL(DRIVE_IN(IDS_AREA TOP), TAIL_CREATED_DESC),
	[D_OWN] = LIST_SQL(DRIVE_IN(IDS_OWN TOP), TAIL_CREATED_DESC),
	[D_STATE] = LIST_SQL(DRIVE_IN(IDS_STATE TOP), TAIL_CREATED_DESC),
	[D_SCOPE_DEPT] = LIST_SQL(DRIVE_IN(TOP_OF(CIDS("dept_unit_id", IN_SUBTREE) " UNION " CIDS(
					  "created_by", "= ?"))),
				  TAIL_CREATED_DESC),
	[D_SCOPE_AREA] =
		LIST_SQL(DRIVE_IN(TOP_OF(CIDS("dept_unit_id", IN_SUBTREE) " UNION " CIDS(
				 "area_unit_id", IN_SUBTREE) " UNION " CIDS("created_by", "= ?"))),
			 TAIL_CREATED_DESC),
};

/* The term walk: with search terms and the sort by creation time, one
 * term's postings (the rarest's, else the first's) are walked in sort order
 * straight from the term index's (term, created_at, order_id), the cursor
 * and the creation-time filter applied there; the other terms are probed by
 * their exact key, and only the postings that pass have their order read
 * for the other filters, until the page is full. Its arguments: WHERE_ARGS,
 * then WALK_ARGS. */
#define WALK_FROM                                     \
	" FROM order_terms w CROSS JOIN orders o "    \
	"JOIN categories c ON c.id = o.category_id "  \
	"LEFT JOIN units a ON a.id = o.area_unit_id " \
	"LEFT JOIN units d ON d.id = o.dept_unit_id "
#define WALK_SELECT "SELECT " SF_ORDER_LIST_COLS WALK_FROM LIST_WHERE_P(WALK_PROBE)
#define WALK_TERM                               \
	"AND o.id = w.order_id AND w.term = ? " \
	"AND w.created_at >= ? AND w.created_at <= ? "
static const char walk_desc_sql[] =
	WALK_SELECT WALK_TERM "AND (w.created_at < ? OR w.order_id < ?) "
			      "ORDER BY w.created_at DESC, w.order_id DESC LIMIT ?";
static const char walk_asc_sql[] =
	WALK_SELECT WALK_TERM "AND (w.created_at > ? OR w.order_id > ?) "
			      "ORDER BY w.created_at, w.order_id LIMIT ?";
#define WALK_FMT "siiiid"
#define WALK_ARGS terms[rare], lo, hi, key, id, limit

/* Whether drive d is all that f asks (see list_top_sql). */
static bool drive_is_whole(const struct sf_order_filter *f, enum drive d, int scope, size_t nterms)
{
	bool units = f->dept_path || f->area_path;

	if (f->category_id > 0 || f->only_overdue || f->only_warned || f->only_problem ||
	    f->only_supervised || f->has_from || f->has_to || nterms || f->like || f->phone_index ||
	    f->enterprise_id > 0)
		return false;
	switch (d) {
	case D_DEPT: return scope == 0 && !f->area_path;
	case D_AREA: return scope == 0 && !f->dept_path;
	case D_STATE: return scope == 0 && !units;
	case D_OWN: return scope == 3 && !units;
	case D_SCOPE_DEPT: return scope == 1 && !units;
	case D_SCOPE_AREA: return scope == 2 && !units;
	default: return false;
	}
}

#define COUNTED(ids) "SELECT COUNT(*) FROM (" ids " LIMIT ?) t"
#define S11 "sssssssssss"
#define S11_ARGS(a) a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]

/* How many orders drive d would narrow to, counting at most cap + 1. */
static int drive_count(struct sf_conn *c, enum drive d, const char *path1, const char *path2,
		       int64_t user, const char *const *st, int64_t cap, int64_t *n)
{
	switch (d) {
	case D_DEPT:
		return sf_conn_int(c, n, COUNTED(IDS_DEPT), "s" S11 "i", path1, S11_ARGS(st),
				   cap + 1);
	case D_AREA:
		return sf_conn_int(c, n, COUNTED(IDS_AREA), "s" S11 "i", path1, S11_ARGS(st),
				   cap + 1);
	case D_OWN:
		return sf_conn_int(c, n, COUNTED(IDS_OWN), "i" S11 "i", user, S11_ARGS(st),
				   cap + 1);
	case D_SCOPE_DEPT:
		return sf_conn_int(c, n, COUNTED(IDS_SCOPE_DEPT), "s" S11 "i" S11 "i", path1,
				   S11_ARGS(st), user, S11_ARGS(st), cap + 1);
	case D_SCOPE_AREA:
		return sf_conn_int(c, n, COUNTED(IDS_SCOPE_AREA), "s" S11 "s" S11 "i" S11 "i",
				   path1, S11_ARGS(st), path2, S11_ARGS(st), user, S11_ARGS(st),
				   cap + 1);
	case D_STATE: return sf_conn_int(c, n, COUNTED(IDS_STATE), S11 "i", S11_ARGS(st), cap + 1);
	default: *n = 0; return 0;
	}
}

/* The term of f matched by the fewest orders, when that is at most cap
 * (few enough to drive the query); -1 otherwise. Counting stops at cap + 1. */
static int rarest_term(struct sf_conn *c, const char *const *terms, size_t n, int64_t cap,
		       int *rare)
{
	int64_t best = cap + 1;

	*rare = -1;
	for (size_t i = 0; i < n; i++) {
		int64_t k = 0;
		int rc = sf_conn_int(
			c, &k,
			"SELECT COUNT(*) FROM (SELECT 1 FROM order_terms WHERE term = ? "
			"LIMIT ?) t",
			"si", terms[i], cap + 1);

		if (rc)
			return rc;
		if (k < best) {
			best = k;
			*rare = (int)i;
		}
	}
	return 0;
}

/* The term for the walk to follow: the one whose postings within [lo, hi]
 * are the sparsest where the walk starts (its WALK_SAMPLE-th posting from
 * that end lies furthest away, or it has fewer), since the walk visits
 * about as many of them as the page needs over the share that holds the
 * other terms too. A few index steps per term, where counting (as
 * rarest_term does) takes thousands. */
#define WALK_SAMPLE 64
static int walk_term(struct sf_conn *c, const char *const *terms, size_t n, bool desc, int64_t lo,
		     int64_t hi, int *out)
{
	int64_t best = 0;

	*out = 0;
	for (size_t i = 0; n > 1 && i < n; i++) {
		int64_t at = 0;
		int rc = desc ? sf_conn_int(
					c, &at,
					"SELECT created_at FROM order_terms WHERE term = ? "
					"AND created_at >= ? AND created_at <= ? "
					"ORDER BY created_at DESC, order_id DESC LIMIT 1 OFFSET ?",
					"siid", terms[i], lo, hi, WALK_SAMPLE - 1)
			      : sf_conn_int(c, &at,
					    "SELECT created_at FROM order_terms WHERE term = ? "
					    "AND created_at >= ? AND created_at <= ? "
					    "ORDER BY created_at, order_id LIMIT 1 OFFSET ?",
					    "siid", terms[i], lo, hi, WALK_SAMPLE - 1);

		if (rc == SF_ENOTFOUND) { /* fewer: none is sparser */
			*out = (int)i;
			return 0;
		}
		if (rc)
			return rc;
		if (i == 0 || (desc ? at < best : at > best)) {
			best = at;
			*out = (int)i;
		}
	}
	return 0;
}

/* Whether the searched text is seldom found among the orders of its terms
 * (each of them common: more than the drive bound), so that the scan in
 * sort order would try many orders per match. A sample tells: of the first
 * term's newest TERMS_SAMPLE orders, how many hold the text (like, as the
 * list matches it). When at least one in TERMS_RATIO does, the scan finds
 * its page soon: *rare is -1. Otherwise *rare is the least common term, if
 * it has at most DRIVE_MAX_TERMS orders, to drive by. */
#define TERMS_SAMPLE 64
#define TERMS_RATIO 8
static int text_is_rare(struct sf_conn *c, const char *const *terms, size_t n, const char *like,
			int *rare)
{
	int64_t hits = 0;
	int rc = sf_conn_int(
		c, &hits,
		"SELECT COUNT(*) FROM (SELECT order_id FROM order_terms WHERE term = ? "
		"ORDER BY created_at DESC, order_id DESC LIMIT ?) s "
		"JOIN orders o ON o.id = s.order_id WHERE o.title LIKE ? ESCAPE '\\' "
		"OR o.description LIKE ? ESCAPE '\\' OR o.address LIKE ? ESCAPE '\\' "
		"OR o.code LIKE ? ESCAPE '\\' OR o.requester_org LIKE ? ESCAPE '\\'",
		"sisssss", terms[0], (int64_t)TERMS_SAMPLE, like, like, like, like, like);

	*rare = -1;
	if (rc || hits * TERMS_RATIO >= TERMS_SAMPLE)
		return rc;
	return rarest_term(c, terms, n, DRIVE_MAX_TERMS, rare);
}

static bool descending(enum sf_order_sort s)
{
	return s == SF_ORDER_SORT_CREATED_DESC || s == SF_ORDER_SORT_UPDATED_DESC;
}

int64_t sf_store_order_sort_key(const struct sf_order_row *o, enum sf_order_sort sort)
{
	switch (sort) {
	case SF_ORDER_SORT_CREATED:
	case SF_ORDER_SORT_CREATED_DESC: return o->created_at;
	case SF_ORDER_SORT_DEADLINE:
		return o->deadline > 0 ? o->deadline : INT64_C(9000000000000000000);
	case SF_ORDER_SORT_UPDATED_DESC: return o->updated_at;
	}
	return 0;
}

/* The drive that is all that f asks, if there is one (D_SCAN if not). */
static enum drive whole_drive(const struct sf_order_filter *f, int scope, int nstates)
{
	enum drive d = D_SCAN;

	if (f->dept_path)
		d = D_DEPT;
	else if (f->area_path)
		d = D_AREA;
	else if (scope == 1)
		d = D_SCOPE_DEPT;
	else if (scope == 2)
		d = D_SCOPE_AREA;
	else if (scope == 3)
		d = D_OWN;
	else if (nstates > 0 && nstates < SF_ORDER_STATE_COUNT)
		d = D_STATE;
	return d != D_SCAN && drive_is_whole(f, d, scope, 0) ? d : D_SCAN;
}

/* The floor of a whole drive's newest-first page (see TOP): the creation
 * time of the limit-th newest of its orders before the cursor, or
 * INT64_MIN when it holds fewer. Each of the drive's index ranges (a unit
 * of the subtree or the person, and a state) gives its own newest limit
 * (a few index steps each, in the index's order); the limit-th newest of
 * them all is the page's last. SF_ETOOBIG when the ranges are too many to
 * be worth it (a large subtree): the caller counts instead. */
#define FLOOR_RANGES 48
#define FLOOR_SQL(col)                                                                           \
	"SELECT created_at, id FROM orders WHERE " col " = ? AND state = ? AND created_at <= ? " \
	"AND (created_at < ? OR id < ?) ORDER BY created_at DESC, id DESC LIMIT ?"

struct floor_key {
	int64_t at, id;
};

static int cmp_floor_desc(const void *pa, const void *pb)
{
	const struct floor_key *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

/* The units of the subtree under path_like into ids (at most cap). */
static int subtree_units(struct sf_conn *c, const char *path_like, int64_t *ids, size_t cap,
			 size_t *n)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT id FROM units WHERE path LIKE ?", "s", path_like);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		if (*n >= cap) {
			rc = SF_ETOOBIG;
			break;
		}
		ids[(*n)++] = sf_stmt_int(st, 0);
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Add the subtree's units under path_like to the ranges as column k. */
static int add_units(struct sf_conn *c, const char *path_like, int k, int *col, int64_t *val,
		     size_t *nr)
{
	size_t n = *nr;
	int rc = subtree_units(c, path_like, val, FLOOR_RANGES, &n);

	for (; !rc && *nr < n; (*nr)++)
		col[*nr] = k;
	return rc;
}

static int top_floor(struct sf_conn *c, enum drive d, const char *path_like, int64_t user,
		     const char *const *st, int nst, int64_t key, int64_t id, int limit,
		     int64_t *floor)
{
	static const char *const sql[4] = {
		FLOOR_SQL("dept_unit_id"), FLOOR_SQL("area_unit_id"), FLOOR_SQL("created_by"),
		FLOOR_SQL("1"), /* the state's range alone */
	};
	/* The ranges: a column (0 unit, 1 area, 2 creator, 3 none: the state's
	 * alone) and its value. */
	int col[FLOOR_RANGES];
	int64_t val[FLOOR_RANGES];
	size_t nr = 0, nk = 0, cap;
	struct floor_key *keys;
	int rc = 0;

	*floor = INT64_MIN;
	if (d == D_DEPT || d == D_SCOPE_DEPT || d == D_SCOPE_AREA)
		rc = add_units(c, path_like, 0, col, val, &nr);
	if (!rc && (d == D_AREA || d == D_SCOPE_AREA))
		rc = add_units(c, path_like, 1, col, val, &nr);
	if (!rc && (d == D_OWN || d == D_SCOPE_DEPT || d == D_SCOPE_AREA || d == D_STATE)) {
		if (nr >= FLOOR_RANGES)
			return SF_ETOOBIG;
		col[nr] = d == D_STATE ? 3 : 2;
		val[nr++] = d == D_STATE ? 1 : user;
	}
	if (rc)
		return rc;
	if (nr * (size_t)nst > FLOOR_RANGES)
		return SF_ETOOBIG;
	cap = nr * (size_t)nst * (size_t)limit;
	keys = sf_xmalloc((cap ? cap : 1) * sizeof(*keys));
	for (size_t r = 0; r < nr && !rc; r++)
		for (int i = 0; i < nst && !rc; i++) {
			struct sf_stmt *q;

			rc = sf_conn_query(c, &q, sql[col[r]], "isiiid", val[r], st[i], key, key,
					   id, limit);
			if (rc)
				break;
			while ((rc = sf_stmt_step(q)) == SF_DB_ROW)
				if (nk < cap) {
					keys[nk].at = sf_stmt_int(q, 0);
					keys[nk++].id = sf_stmt_int(q, 1);
				}
			sf_stmt_done(q);
			rc = rc < 0 ? rc : 0;
		}
	if (!rc && nk >= (size_t)limit) {
		/* An order can be in two ranges (its unit's and its area's, or
		 * also the person's own): each counts once. */
		size_t distinct = 0;

		qsort(keys, nk, sizeof(*keys), cmp_floor_desc);
		for (size_t i = 0; i < nk; i++) {
			if (i > 0 && keys[i].id == keys[i - 1].id && keys[i].at == keys[i - 1].at)
				continue;
			if (++distinct == (size_t)limit) {
				*floor = keys[i].at;
				break;
			}
		}
	}
	free(keys);
	return rc;
}

/* A probe's flag and term; the driving term needs no probe. */
#define TERM(i) (terms[i] && (int)(i) != rare ? 1 : 0), terms[i]

/* The drive for f: the phone's, the enterprise's or a rare term's orders, else the first
 * of the unit, scope and state drives that narrows to few enough. */
static int choose_drive(struct sf_conn *c, const struct sf_order_filter *f, int scope, int rare,
			int nstates, const char *dept_like, const char *area_like,
			const char *scope_like, const char *const *st, int64_t cap, enum drive *out)
{
	enum drive cand[4];
	int n = 0;

	*out = D_SCAN;
	if (f->phone_index) {
		*out = D_PHONE;
		return 0;
	}
	if (f->enterprise_id > 0) {
		*out = D_ENTERPRISE; /* an enterprise's orders are few */
		return 0;
	}
	if (rare >= 0) {
		*out = D_TERM;
		return 0;
	}
	if (f->dept_path)
		cand[n++] = D_DEPT;
	if (f->area_path)
		cand[n++] = D_AREA;
	if (scope == 1)
		cand[n++] = D_SCOPE_DEPT;
	else if (scope == 2)
		cand[n++] = D_SCOPE_AREA;
	else if (scope == 3)
		cand[n++] = D_OWN;
	if (nstates > 0 && nstates < SF_ORDER_STATE_COUNT)
		cand[n++] = D_STATE;
	for (int i = 0; i < n; i++) {
		int64_t k = 0;
		const char *path = cand[i] == D_DEPT   ? dept_like
				   : cand[i] == D_AREA ? area_like
						       : scope_like;
		int rc = drive_count(c, cand[i], path, path, f->scope_user, st, cap, &k);

		if (rc)
			return rc;
		if (k <= cap) {
			*out = cand[i];
			return 0;
		}
	}
	return 0;
}

/* The filters' arguments, in LIST_WHERE's order (the drive's follow). */
#define WHERE_FMT          \
	"ddsdssdi"         \
	"dsssssssssss"     \
	"di"               \
	"ds"               \
	"ds"               \
	"dddd"             \
	"ii"               \
	"dsdsdsdsdsdsdsds" \
	"ddsdsssss"        \
	"ds"               \
	"di"
#define WHERE_ARGS                                                                                \
	scope, scope, scope_like, scope, scope_like, scope_like, scope, f->scope_user, nstates,   \
		states[0], states[1], states[2], states[3], states[4], states[5], states[6],      \
		states[7], states[8], states[9], states[10], f->category_id > 0 ? 1 : 0,          \
		f->category_id, f->dept_path ? 1 : 0, dept_like, f->area_path ? 1 : 0, area_like, \
		(int)f->only_overdue, (int)f->only_warned, (int)f->only_problem,                  \
		(int)f->only_supervised, f->has_from ? f->from : INT64_MIN,                       \
		f->has_to ? f->to : INT64_MAX, TERM(0), TERM(1), TERM(2), TERM(3), TERM(4),       \
		TERM(5), TERM(6), TERM(7), like_mode, like_mode, f->like, like_mode, f->like,     \
		f->like, f->like, f->like, f->like, f->phone_index ? 1 : 0, f->phone_index,       \
		f->enterprise_id > 0 ? 1 : 0, f->enterprise_id
#define TAIL_FMT "iiid"
#define TAIL_ARGS key, key, id, limit

int sf_store_order_list(struct sf_conn *c, const struct sf_order_filter *f,
			int (*cb)(const struct sf_order_row *o, void *ctx), void *ctx)
{
	const char *states[SF_ORDER_STATE_COUNT] = { 0 };
	const char *dst[SF_ORDER_STATE_COUNT] = { 0 }; /* the drive's: all when none given */
	const char *terms[SF_ORDER_QUERY_TERMS] = { 0 };
	char scope_like[160], dept_like[160], area_like[160];
	int scope, like_mode, nstates = 0, stop = 0, rare = -1;
	int limit = f->limit < 1 ? 1 : f->limit > 1000 ? 1000 : f->limit;
	int64_t key, id, orders = 0, cap, lo, hi, floor = INT64_MIN;
	struct sf_order_row row;
	struct sf_stmt *st;
	const char *sql;
	enum drive drive = D_SCAN;
	bool top, walk, units;
	size_t nterms = f->nterms < SF_ORDER_QUERY_TERMS ? f->nterms : SF_ORDER_QUERY_TERMS;
	enum sf_order_sort sort = (unsigned)f->sort <= SF_ORDER_SORT_UPDATED_DESC
					  ? f->sort
					  : SF_ORDER_SORT_CREATED_DESC;
	int rc;

	switch (f->scope) {
	case SF_ORDER_SCOPE_ALL: scope = 0; break;
	case SF_ORDER_SCOPE_DEPT: scope = 1; break;
	case SF_ORDER_SCOPE_AREA: scope = 2; break;
	case SF_ORDER_SCOPE_OWN: scope = 3; break;
	default: scope = 4; /* matches nothing */
	}
	snprintf(scope_like, sizeof(scope_like), "%s%%", f->scope_path ? f->scope_path : "");
	snprintf(dept_like, sizeof(dept_like), "%s%%", f->dept_path ? f->dept_path : "");
	snprintf(area_like, sizeof(area_like), "%s%%", f->area_path ? f->area_path : "");
	if ((scope == 1 || scope == 2) && !(f->scope_path && *f->scope_path))
		scope = 4;
	if (scope == 4)
		return 0;
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
		if (f->state_mask & SF_ORDER_BIT(s))
			states[nstates++] = sf_order_state_name((enum sf_order_state)s);
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
		dst[s] = nstates ? states[s] : sf_order_state_name((enum sf_order_state)s);
	for (size_t i = 0; i < nterms; i++)
		terms[i] = f->terms[i];
	rc = sf_conn_int(c, &orders, "SELECT COALESCE(MAX(id), 0) FROM orders", "");
	cap = (int64_t)sqrt((double)(limit + 1) * (double)orders);
	cap = cap < DRIVE_MIN ? DRIVE_MIN : cap > DRIVE_MAX ? DRIVE_MAX : cap;
	like_mode = !f->like ? 0 : f->like_title_only ? 1 : 2;
	if (f->has_cursor) {
		key = f->cursor_key;
		id = f->cursor_id;
	} else if (descending(sort)) {
		key = INT64_MAX;
		id = INT64_MAX;
	} else {
		key = INT64_MIN;
		id = 0;
	}
	lo = f->has_from ? f->from : INT64_MIN;
	hi = f->has_to ? f->to : INT64_MAX;
	if (sort == SF_ORDER_SORT_CREATED_DESC)
		hi = key < hi ? key : hi;
	else
		lo = key > lo ? key : lo;
	/* The term walk (walk_desc_sql) for the sorts by creation time. With
	 * no unit, scope or state drive to weigh it against, it needs no
	 * count of the terms. */
	walk = nterms > 0 &&
	       (sort == SF_ORDER_SORT_CREATED_DESC || sort == SF_ORDER_SORT_CREATED) &&
	       !f->phone_index && f->enterprise_id <= 0;
	units = f->dept_path || f->area_path || scope != 0 ||
		(nstates > 0 && nstates < SF_ORDER_STATE_COUNT);
	/* A whole drive newest first reads about a page from its index ranges
	 * (top_floor), however many orders it holds: no count needed. */
	if (!rc && sort == SF_ORDER_SORT_CREATED_DESC && nterms == 0) {
		enum drive wd = whole_drive(f, scope, nstates);
		const char *path = wd == D_DEPT ? dept_like : wd == D_AREA ? area_like : scope_like;

		if (wd != D_SCAN) {
			rc = top_floor(c, wd, path, f->scope_user, dst,
				       nstates ? nstates : SF_ORDER_STATE_COUNT, key, id, limit,
				       &floor);
			if (!rc)
				drive = wd;
			else if (rc == SF_ETOOBIG)
				rc = 0;
		}
	}
	if (!rc && drive == D_SCAN && !(walk && (nterms == 1 || !units)))
		rc = rarest_term(c, terms, nterms, cap, &rare);
	if (!rc && drive == D_SCAN)
		rc = choose_drive(c, f, scope, rare, nstates, dept_like, area_like, scope_like, dst,
				  cap, &drive);
	/* Sorted by deadline or last change, several terms each too common to
	 * drive: the scan in sort order tries orders until enough hold the
	 * text — few when its terms go together, most of the orders when they
	 * seldom do. Then the least common term's orders drive instead. */
	if (!rc && drive == D_SCAN && nterms > 1 && f->like && !walk)
		rc = text_is_rare(c, terms, nterms, f->like, &rare);
	if (!rc && drive == D_SCAN && rare >= 0)
		drive = D_TERM;
	/* A unit, scope or state drive that narrows to few orders stays. */
	walk = walk && (drive == D_TERM || drive == D_SCAN);
	if (!rc && walk && rare < 0)
		rc = walk_term(c, terms, nterms, sort == SF_ORDER_SORT_CREATED_DESC, lo, hi, &rare);
	if (rc)
		return rc;
	top = sort == SF_ORDER_SORT_CREATED_DESC && drive_is_whole(f, drive, scope, nterms);
	sql = top ? list_top_sql[drive] : list_sql[drive][sort];
	if (!top && !walk && drive == D_SCAN && !f->has_from && !f->has_to && scan_late_sql[sort])
		sql = scan_late_sql[sort];
	if (walk)
		rc = sf_conn_query(
			c, &st, sort == SF_ORDER_SORT_CREATED_DESC ? walk_desc_sql : walk_asc_sql,
			WHERE_FMT WALK_FMT, WHERE_ARGS, WALK_ARGS);
	else if (top)
		switch (drive) {
		case D_DEPT:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 "i" TAIL_FMT TAIL_FMT,
					   WHERE_ARGS, dept_like, S11_ARGS(dst), floor, TAIL_ARGS,
					   TAIL_ARGS);
			break;
		case D_AREA:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 "i" TAIL_FMT TAIL_FMT,
					   WHERE_ARGS, area_like, S11_ARGS(dst), floor, TAIL_ARGS,
					   TAIL_ARGS);
			break;
		case D_OWN:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "i" S11 "i" TAIL_FMT TAIL_FMT,
					   WHERE_ARGS, f->scope_user, S11_ARGS(dst), floor,
					   TAIL_ARGS, TAIL_ARGS);
			break;
		case D_SCOPE_DEPT:
			rc = sf_conn_query(
				c, &st, sql,
				WHERE_FMT "s" S11 CIDS_FMT "i" S11 CIDS_FMT TAIL_FMT TAIL_FMT,
				WHERE_ARGS, scope_like, S11_ARGS(dst), CIDS_ARGS, f->scope_user,
				S11_ARGS(dst), CIDS_ARGS, TAIL_ARGS, TAIL_ARGS);
			break;
		case D_SCOPE_AREA:
			rc = sf_conn_query(c, &st, sql,
					   WHERE_FMT "s" S11 CIDS_FMT "s" S11 CIDS_FMT
						     "i" S11 CIDS_FMT TAIL_FMT TAIL_FMT,
					   WHERE_ARGS, scope_like, S11_ARGS(dst), CIDS_ARGS,
					   scope_like, S11_ARGS(dst), CIDS_ARGS, f->scope_user,
					   S11_ARGS(dst), CIDS_ARGS, TAIL_ARGS, TAIL_ARGS);
			break;
		default: /* D_STATE */
			rc = sf_conn_query(c, &st, sql, WHERE_FMT S11 "i" TAIL_FMT TAIL_FMT,
					   WHERE_ARGS, S11_ARGS(dst), floor, TAIL_ARGS, TAIL_ARGS);
		}
	else
		switch (drive) {
		case D_TERM:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" TAIL_FMT, WHERE_ARGS,
					   terms[rare], TAIL_ARGS);
			break;
		case D_PHONE:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" TAIL_FMT, WHERE_ARGS,
					   f->phone_index, TAIL_ARGS);
			break;
		case D_ENTERPRISE:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "i" TAIL_FMT, WHERE_ARGS,
					   f->enterprise_id, TAIL_ARGS);
			break;
		case D_DEPT:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 TAIL_FMT, WHERE_ARGS,
					   dept_like, S11_ARGS(dst), TAIL_ARGS);
			break;
		case D_AREA:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 TAIL_FMT, WHERE_ARGS,
					   area_like, S11_ARGS(dst), TAIL_ARGS);
			break;
		case D_OWN:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "i" S11 TAIL_FMT, WHERE_ARGS,
					   f->scope_user, S11_ARGS(dst), TAIL_ARGS);
			break;
		case D_SCOPE_DEPT:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 "i" S11 TAIL_FMT,
					   WHERE_ARGS, scope_like, S11_ARGS(dst), f->scope_user,
					   S11_ARGS(dst), TAIL_ARGS);
			break;
		case D_SCOPE_AREA:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" S11 "s" S11 "i" S11 TAIL_FMT,
					   WHERE_ARGS, scope_like, S11_ARGS(dst), scope_like,
					   S11_ARGS(dst), f->scope_user, S11_ARGS(dst), TAIL_ARGS);
			break;
		case D_STATE:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT S11 TAIL_FMT, WHERE_ARGS,
					   S11_ARGS(dst), TAIL_ARGS);
			break;
		default:
			rc = sf_conn_query(c, &st, sql, WHERE_FMT "s" TAIL_FMT, WHERE_ARGS,
					   (const char *)NULL, TAIL_ARGS);
		}
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		sf_store_order_read_row(st, false, &row);
		stop = cb(&row, ctx);
		sf_order_row_release(&row);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

int sf_store_order_scan_batch(struct sf_conn *c, int64_t after_id, struct sf_order_scan_row *out,
			      size_t cap, size_t *n)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st,
		"SELECT id, state, stage_start, COALESCE(deadline, 0), warned, overdue, escalation, "
		"reopen_count, transfer_count, problem FROM orders WHERE id > ? "
		"AND state NOT IN ('closed', 'rejected', 'merged') AND (deadline IS NOT NULL OR "
		"(problem = 0 AND reopen_count + transfer_count >= 3)) ORDER BY id LIMIT ?",
		"ii", after_id, (int64_t)cap);

	*n = 0;
	if (rc)
		return rc;
	while (*n < cap && (rc = sf_stmt_step(st)) == SF_DB_ROW) {
		struct sf_order_scan_row *r = &out[(*n)++];

		memset(r, 0, sizeof(*r));
		r->id = sf_stmt_int(st, 0);
		if (!sf_order_state_parse(sf_stmt_text(st, 1), &r->state))
			r->state = SF_ORDER_SUBMITTED;
		r->clock.stage_start = sf_stmt_int(st, 2);
		r->clock.deadline = sf_stmt_int(st, 3);
		r->clock.warned = sf_stmt_int(st, 4) != 0;
		r->clock.overdue = sf_stmt_int(st, 5) != 0;
		r->clock.escalation = (int)sf_stmt_int(st, 6);
		r->clock.reopen_count = (int)sf_stmt_int(st, 7);
		r->clock.transfer_count = (int)sf_stmt_int(st, 8);
		r->clock.problem = sf_stmt_int(st, 9) != 0;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_notify(struct sf_conn *c, int64_t user_id, int64_t order_id, const char *kind,
		    const char *message, int64_t now)
{
	int rc;

	if (user_id <= 0)
		return 0;
	rc = sf_conn_run(c,
			 "INSERT INTO notifications(user_id, order_id, kind, message, created_at) "
			 "VALUES (?, ?, ?, ?, ?)",
			 "izssi", user_id, order_id, kind, message, now);
	return rc < 0 ? rc : 0;
}

int sf_store_notify_each(struct sf_conn *c, int64_t user_id, bool unread_only, int limit,
			 int (*cb)(const struct sf_notification *n, void *ctx), void *ctx)
{
	struct sf_notification n;
	struct sf_stmt *st;
	int stop = 0;
	int rc = sf_conn_query(
		c, &st,
		"SELECT n.id, n.user_id, COALESCE(n.order_id, 0), COALESCE(o.code, ''), "
		"n.kind, n.message, n.created_at, COALESCE(n.read_at, 0) "
		"FROM notifications n LEFT JOIN orders o ON o.id = n.order_id "
		"WHERE n.user_id = ? AND (? = 0 OR n.read_at IS NULL) "
		"ORDER BY n.id DESC LIMIT ?",
		"idd", user_id, unread_only ? 1 : 0, limit);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		n.id = sf_stmt_int(st, 0);
		n.user_id = sf_stmt_int(st, 1);
		n.order_id = sf_stmt_int(st, 2);
		snprintf(n.order_code, sizeof(n.order_code), "%s", sf_stmt_text(st, 3));
		snprintf(n.kind, sizeof(n.kind), "%s", sf_stmt_text(st, 4));
		snprintf(n.message, sizeof(n.message), "%s", sf_stmt_text(st, 5));
		n.created_at = sf_stmt_int(st, 6);
		n.read_at = sf_stmt_int(st, 7);
		stop = cb(&n, ctx);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

int sf_store_notify_read(struct sf_conn *c, int64_t user_id, int64_t id, int64_t now)
{
	int rc = sf_conn_run(c,
			     "UPDATE notifications SET read_at = COALESCE(read_at, ?) "
			     "WHERE id = ? AND user_id = ?",
			     "iii", now, id, user_id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_notify_unread(struct sf_conn *c, int64_t user_id, int64_t *count)
{
	return sf_conn_int(
		c, count,
		"SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", "i",
		user_id);
}

#define ATT_COLS                                                                      \
	"id, order_id, COALESCE(event_id, 0), filename, mime, size, sha256, public, " \
	"COALESCE(created_by, 0), created_at"

static void read_att(struct sf_stmt *st, struct sf_attachment *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sf_stmt_int(st, 0);
	a->order_id = sf_stmt_int(st, 1);
	a->event_id = sf_stmt_int(st, 2);
	snprintf(a->filename, sizeof(a->filename), "%s", sf_stmt_text(st, 3));
	snprintf(a->mime, sizeof(a->mime), "%s", sf_stmt_text(st, 4));
	a->size = sf_stmt_int(st, 5);
	snprintf(a->sha256, sizeof(a->sha256), "%s", sf_stmt_text(st, 6));
	a->public = sf_stmt_int(st, 7) != 0;
	a->created_by = sf_stmt_int(st, 8);
	a->created_at = sf_stmt_int(st, 9);
}

int sf_store_attachment_insert(struct sf_conn *c, const struct sf_attachment *a, const void *data,
			       int64_t *id)
{
	return sf_conn_int(
		c, id,
		"INSERT INTO attachments(order_id, filename, mime, size, sha256, public, "
		"data, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"RETURNING id",
		"issisdbzi", a->order_id, a->filename, a->mime, a->size, a->sha256,
		a->public ? 1 : 0, data, (size_t)a->size, a->created_by, a->created_at);
}

int sf_store_attachment_set_event(struct sf_conn *c, int64_t id, int64_t event_id)
{
	int rc = sf_conn_run(c, "UPDATE attachments SET event_id = ? WHERE id = ?", "ii", event_id,
			     id);

	return rc < 0 ? rc : 0;
}

int sf_store_attachment_each(struct sf_conn *c, int64_t order_id, bool public_only,
			     int (*cb)(const struct sf_attachment *a, void *ctx), void *ctx)
{
	struct sf_attachment a;
	struct sf_stmt *st;
	int stop = 0;
	int rc = sf_conn_query(c, &st,
			       "SELECT " ATT_COLS " FROM attachments WHERE order_id = ? "
			       "AND (? = 0 OR public = 1) ORDER BY id",
			       "id", order_id, public_only ? 1 : 0);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_att(st, &a);
		stop = cb(&a, ctx);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

int sf_store_attachment_read(struct sf_conn *c, int64_t order_id, int64_t id,
			     struct sf_attachment *meta, struct sf_buf *out)
{
	struct sf_stmt *st;
	const void *p;
	size_t n;
	int rc = sf_conn_query(
		c, &st, "SELECT " ATT_COLS ", data FROM attachments WHERE order_id = ? AND id = ?",
		"ii", order_id, id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_att(st, meta);
		p = sf_stmt_blob(st, 10, &n);
		sf_buf_add(out, p, n);
		rc = sf_buf_ok(out) ? 0 : SF_ETOOBIG;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

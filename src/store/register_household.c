/* Households (户) and residents; see register.h. Lists work as the
 * enterprise lists do: an exact statement for a phone or ID number (of the
 * household or of any resident), a terms statement for searches of two or
 * more characters, and a plain one; all share one filter tail. */
#include "store/register.h"

#include <stdio.h>
#include <string.h>

#include "store/register_impl.h"

#define HH_COLS                                                                                 \
	"h.id, h.address, h.unit_id, COALESCE(h.group_unit_id, 0), COALESCE(h.place_id, 0), "   \
	"h.head_name, h.members, h.phone_sealed, h.phone_index, h.phone_mask, h.id_no_sealed, " \
	"h.id_no_index, h.id_no_mask, h.tags, h.notes, COALESCE(h.last_visit_at, 0), "          \
	"h.created_at, h.updated_at, u.name_zh, u.path, g.name_zh, g.path, p.name, "            \
	"COALESCE(h.archived_at, 0), COALESCE(h.archived_by, 0), xu.name, h.archive_reason, "   \
	"pg.path"

#define HH_JOINS                                                                               \
	" JOIN units u ON u.id = h.unit_id LEFT JOIN units g ON g.id = h.group_unit_id"        \
	" LEFT JOIN places p ON p.id = h.place_id LEFT JOIN users xu ON xu.id = h.archived_by" \
	" LEFT JOIN units pg ON pg.id = p.grid_unit_id"

/* A household's own unit, its village group or the grid of its place may
 * be the one in scope. */
#define HH_FILTER                                                        \
	" AND (? = 1 OR u.path LIKE ? OR g.path LIKE ?"                  \
	"  OR h.place_id IN " SF_REG_GRID_PLACES ")"                     \
	" AND (? IS NULL OR u.path LIKE ? OR g.path LIKE ?)"             \
	" AND (? = 0 OR h.place_id = ?)"                                 \
	" AND (? IS NULL OR (',' || h.tags || ',') LIKE ?)"              \
	" AND (? = 0 OR h.last_visit_at >= ?)"                           \
	" AND (? = 0 OR h.last_visit_at IS NULL OR h.last_visit_at < ?)" \
	" AND (? < 0 OR (? = 1) = (h.archived_at IS NOT NULL))"
#define HH_FILTER_FMT \
	"dsss"        \
	"sss"         \
	"ii"          \
	"ss"          \
	"ii"          \
	"ii"          \
	"dd"
#define HH_FILTER_ARGS(f, a)                                                                      \
	(int)(f)->scope_all, (a)->scope, (a)->scope, (a)->scope, (a)->unit, (a)->unit, (a)->unit, \
		(f)->place_id, (f)->place_id, (a)->tag, (a)->tag, (f)->visited_since,             \
		(f)->visited_since, (f)->unvisited_since, (f)->unvisited_since, (f)->archived,    \
		(f)->archived

#define HH_LIKE                                                                                \
	" AND (? IS NULL OR LOWER(h.address) LIKE ? ESCAPE '\\' OR LOWER(h.head_name) LIKE ? " \
	"ESCAPE '\\')"

struct hh_args {
	char scope_buf[160], unit_buf[160], tag_buf[340], like_buf[1024];
	const char *scope, *unit, *tag, *like;
	char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE];
	size_t nterms;
};

static void prepare(const struct sf_household_filter *f, struct hh_args *a)
{
	memset(a, 0, sizeof(*a));
	a->scope = f->scope_path && *f->scope_path
			   ? sf_reg_prefix(f->scope_path, a->scope_buf, sizeof(a->scope_buf))
			   : NULL;
	a->unit = sf_reg_prefix(f->unit_path, a->unit_buf, sizeof(a->unit_buf));
	if (f->tag && *f->tag) {
		snprintf(a->tag_buf, sizeof(a->tag_buf), "%%,%s,%%", f->tag);
		a->tag = a->tag_buf;
	}
	if (f->q && *f->q) {
		sf_reg_like(f->q, a->like_buf, sizeof(a->like_buf));
		a->like = a->like_buf;
		a->nterms = sf_reg_query_terms(f->q, a->terms);
	}
}

static void read_hh(struct sf_stmt *st, struct sf_household *h)
{
	memset(h, 0, sizeof(*h));
	h->id = sf_stmt_int(st, 0);
	sf_reg_copy(h->address, sizeof(h->address), sf_stmt_text(st, 1));
	h->unit_id = sf_stmt_int(st, 2);
	h->group_unit_id = sf_stmt_int(st, 3);
	h->place_id = sf_stmt_int(st, 4);
	sf_reg_copy(h->head_name, sizeof(h->head_name), sf_stmt_text(st, 5));
	h->members = sf_stmt_int(st, 6);
	sf_reg_read_pii(st, 7, &h->phone);
	sf_reg_read_pii(st, 10, &h->id_no);
	sf_reg_copy(h->tags, sizeof(h->tags), sf_stmt_text(st, 13));
	sf_reg_copy(h->notes, sizeof(h->notes), sf_stmt_text(st, 14));
	h->last_visit_at = sf_stmt_int(st, 15);
	h->created_at = sf_stmt_int(st, 16);
	h->updated_at = sf_stmt_int(st, 17);
	sf_reg_copy(h->unit_name, sizeof(h->unit_name), sf_stmt_text(st, 18));
	sf_reg_copy(h->unit_path, sizeof(h->unit_path), sf_stmt_text(st, 19));
	sf_reg_copy(h->group_name, sizeof(h->group_name), sf_stmt_text(st, 20));
	sf_reg_copy(h->group_path, sizeof(h->group_path), sf_stmt_text(st, 21));
	sf_reg_copy(h->place_name, sizeof(h->place_name), sf_stmt_text(st, 22));
	sf_reg_read_archived(st, 23, &h->archived);
	sf_reg_copy(h->place_grid_path, sizeof(h->place_grid_path), sf_stmt_text(st, 27));
}

static int put_terms(struct sf_conn *c, const struct sf_household *h, int64_t id)
{
	const char *texts[2] = { h->address, h->head_name };

	return sf_reg_put_terms(c, SF_REG_HOUSEHOLD_TERMS, id, texts, 2);
}

int sf_store_household_insert(struct sf_conn *c, const struct sf_household *h, int64_t now,
			      int64_t *id)
{
	int rc = sf_conn_int(
		c, id,
		"INSERT INTO households(address, unit_id, group_unit_id, place_id, head_name, "
		"members, phone_sealed, phone_index, phone_mask, id_no_sealed, id_no_index, "
		"id_no_mask, tags, notes, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		"sizzsissssssssii", h->address, h->unit_id, h->group_unit_id, h->place_id,
		h->head_name, h->members, sf_reg_or_null(h->phone.sealed),
		sf_reg_or_null(h->phone.index), h->phone.mask, sf_reg_or_null(h->id_no.sealed),
		sf_reg_or_null(h->id_no.index), h->id_no.mask, h->tags, h->notes, now, now);

	if (rc)
		return rc;
	return put_terms(c, h, *id);
}

int sf_store_household_update(struct sf_conn *c, const struct sf_household *h, bool keep_pii,
			      int64_t now)
{
	int rc;

	if (keep_pii)
		rc = sf_conn_run(
			c,
			"UPDATE households SET address = ?, unit_id = ?, group_unit_id = ?, "
			"place_id = ?, head_name = ?, members = ?, tags = ?, notes = ?, "
			"updated_at = ? WHERE id = ?",
			"sizzsissii", h->address, h->unit_id, h->group_unit_id, h->place_id,
			h->head_name, h->members, h->tags, h->notes, now, h->id);
	else
		rc = sf_conn_run(
			c,
			"UPDATE households SET address = ?, unit_id = ?, group_unit_id = ?, "
			"place_id = ?, head_name = ?, members = ?, tags = ?, notes = ?, "
			"phone_sealed = ?, phone_index = ?, phone_mask = ?, id_no_sealed = ?, "
			"id_no_index = ?, id_no_mask = ?, updated_at = ? WHERE id = ?",
			"sizzsissssssssii", h->address, h->unit_id, h->group_unit_id, h->place_id,
			h->head_name, h->members, h->tags, h->notes,
			sf_reg_or_null(h->phone.sealed), sf_reg_or_null(h->phone.index),
			h->phone.mask, sf_reg_or_null(h->id_no.sealed),
			sf_reg_or_null(h->id_no.index), h->id_no.mask, now, h->id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return SF_ENOTFOUND;
	return put_terms(c, h, h->id);
}

int sf_store_household_get(struct sf_conn *c, int64_t id, struct sf_household *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st, "SELECT " HH_COLS " FROM households h" HH_JOINS " WHERE h.id = ?", "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_hh(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_household_id_by_address(struct sf_conn *c, const char *address, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM households WHERE address = ?", "s", address);
}

int sf_store_household_list(struct sf_conn *c, const struct sf_household_filter *f,
			    int (*cb)(const struct sf_household *h, void *ctx), void *ctx)
{
	struct hh_args a;
	struct sf_stmt *st;
	struct sf_household h;
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;
	int limit = f->limit > 0 ? f->limit : 50;
	int rc;

	prepare(f, &a);
	if (a.nterms > 0) {
		bool none;

		rc = sf_reg_rank_terms(c, SF_REG_HOUSEHOLD_TERMS, a.terms, &none);
		if (rc || none)
			return rc;
	}
	if ((f->phone_index && *f->phone_index) || (f->id_no_index && *f->id_no_index)) {
		const char *ph = sf_reg_or_null(f->phone_index),
			   *idn = sf_reg_or_null(f->id_no_index);

		rc = sf_conn_query(c, &st,
				   "SELECT " HH_COLS " FROM households h" HH_JOINS
				   " WHERE h.id IN (SELECT id FROM households WHERE phone_index = ?"
				   " UNION SELECT id FROM households WHERE id_no_index = ?"
				   " UNION SELECT household_id FROM residents WHERE phone_index = ?"
				   "  AND archived_at IS NULL"
				   " UNION SELECT household_id FROM residents WHERE id_no_index = ?"
				   "  AND archived_at IS NULL)"
				   " AND h.id < ?" HH_FILTER " ORDER BY h.id DESC LIMIT ?",
				   "ssssi" HH_FILTER_FMT "d", ph, idn, ph, idn, before,
				   HH_FILTER_ARGS(f, &a), limit);
	} else if (a.nterms > 0) {
		rc = sf_conn_query(
			c, &st,
			"SELECT " HH_COLS " FROM household_terms t1"
			" JOIN household_terms t2 ON t2.household_id = t1.household_id AND t2.term = ?"
			" JOIN household_terms t3 ON t3.household_id = t1.household_id AND t3.term = ?"
			" JOIN household_terms t4 ON t4.household_id = t1.household_id AND t4.term = ?"
			" JOIN households h ON h.id = t1.household_id" HH_JOINS
			" WHERE t1.term = ? AND t1.household_id < ?" HH_LIKE HH_FILTER
			" ORDER BY t1.household_id DESC LIMIT ?",
			"ssssi"
			"sss" HH_FILTER_FMT "d",
			a.terms[1], a.terms[2], a.terms[3], a.terms[0], before, a.like, a.like,
			a.like, HH_FILTER_ARGS(f, &a), limit);
	} else {
		rc = sf_conn_query(c, &st,
				   "SELECT " HH_COLS " FROM households h" HH_JOINS
				   " WHERE h.id < ?" HH_LIKE HH_FILTER
				   " ORDER BY h.id DESC LIMIT ?",
				   "i"
				   "sss" HH_FILTER_FMT "d",
				   before, a.like, a.like, a.like, HH_FILTER_ARGS(f, &a), limit);
	}
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_hh(st, &h);
		if (cb(&h, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int count_one(const struct sf_household *h, void *ctx)
{
	(void)h;
	(*(int64_t *)ctx)++;
	return 0;
}

int sf_store_household_count(struct sf_conn *c, const struct sf_household_filter *f, int64_t *n)
{
	struct hh_args a;

	*n = 0;
	prepare(f, &a);
	if (a.nterms > 0) {
		bool none;
		int rc = sf_reg_rank_terms(c, SF_REG_HOUSEHOLD_TERMS, a.terms, &none);

		if (rc || none)
			return rc;
	}
	if ((f->phone_index && *f->phone_index) || (f->id_no_index && *f->id_no_index)) {
		struct sf_household_filter g = *f;

		g.before_id = 0;
		g.limit = 1000;
		return sf_store_household_list(c, &g, count_one, n);
	}
	if (a.nterms > 0)
		return sf_conn_int(
			c, n,
			"SELECT COUNT(*) FROM household_terms t1"
			" JOIN household_terms t2 ON t2.household_id = t1.household_id AND t2.term = ?"
			" JOIN household_terms t3 ON t3.household_id = t1.household_id AND t3.term = ?"
			" JOIN household_terms t4 ON t4.household_id = t1.household_id AND t4.term = ?"
			" JOIN households h ON h.id = t1.household_id" HH_JOINS
			" WHERE t1.term = ?" HH_LIKE HH_FILTER,
			"ssss"
			"sss" HH_FILTER_FMT,
			a.terms[1], a.terms[2], a.terms[3], a.terms[0], a.like, a.like, a.like,
			HH_FILTER_ARGS(f, &a));
	return sf_conn_int(
		c, n, "SELECT COUNT(*) FROM households h" HH_JOINS " WHERE 1 = 1" HH_LIKE HH_FILTER,
		"sss" HH_FILTER_FMT, a.like, a.like, a.like, HH_FILTER_ARGS(f, &a));
}

int sf_store_household_visited(struct sf_conn *c, int64_t id, int64_t at)
{
	int rc = sf_conn_run(c,
			     "UPDATE households SET last_visit_at = ? WHERE id = ? AND "
			     "(last_visit_at IS NULL OR last_visit_at < ?)",
			     "iii", at, id, at);

	return rc < 0 ? rc : 0;
}

/* ---- residents ---- */

#define RES_COLS                                                                             \
	"r.id, r.household_id, r.name, r.relation, r.phone_sealed, r.phone_index, "          \
	"r.phone_mask, r.id_no_sealed, r.id_no_index, r.id_no_mask, r.notes, r.created_at, " \
	"COALESCE(r.archived_at, 0), COALESCE(r.archived_by, 0), xu.name, r.archive_reason"
#define RES_FROM " FROM residents r LEFT JOIN users xu ON xu.id = r.archived_by"

static void read_res(struct sf_stmt *st, struct sf_resident *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sf_stmt_int(st, 0);
	r->household_id = sf_stmt_int(st, 1);
	sf_reg_copy(r->name, sizeof(r->name), sf_stmt_text(st, 2));
	sf_reg_copy(r->relation, sizeof(r->relation), sf_stmt_text(st, 3));
	sf_reg_read_pii(st, 4, &r->phone);
	sf_reg_read_pii(st, 7, &r->id_no);
	sf_reg_copy(r->notes, sizeof(r->notes), sf_stmt_text(st, 10));
	r->created_at = sf_stmt_int(st, 11);
	sf_reg_read_archived(st, 12, &r->archived);
}

int sf_store_resident_insert(struct sf_conn *c, const struct sf_resident *r, int64_t now,
			     int64_t *id)
{
	return sf_conn_int(c, id,
			   "INSERT INTO residents(household_id, name, relation, phone_sealed, "
			   "phone_index, phone_mask, id_no_sealed, id_no_index, id_no_mask, notes, "
			   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   "isssssssssi", r->household_id, r->name, r->relation,
			   sf_reg_or_null(r->phone.sealed), sf_reg_or_null(r->phone.index),
			   r->phone.mask, sf_reg_or_null(r->id_no.sealed),
			   sf_reg_or_null(r->id_no.index), r->id_no.mask, r->notes, now);
}

int sf_store_resident_update(struct sf_conn *c, const struct sf_resident *r)
{
	int rc = sf_conn_run(c,
			     "UPDATE residents SET name = ?, relation = ?, phone_sealed = ?, "
			     "phone_index = ?, phone_mask = ?, id_no_sealed = ?, id_no_index = ?, "
			     "id_no_mask = ?, notes = ? WHERE id = ?",
			     "sssssssssi", r->name, r->relation, sf_reg_or_null(r->phone.sealed),
			     sf_reg_or_null(r->phone.index), r->phone.mask,
			     sf_reg_or_null(r->id_no.sealed), sf_reg_or_null(r->id_no.index),
			     r->id_no.mask, r->notes, r->id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_resident_get(struct sf_conn *c, int64_t id, struct sf_resident *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " RES_COLS RES_FROM " WHERE r.id = ?", "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_res(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_resident_each(struct sf_conn *c, int64_t household_id, int archived,
			   int (*cb)(const struct sf_resident *r, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_resident r;
	int rc =
		sf_conn_query(c, &st,
			      "SELECT " RES_COLS RES_FROM " WHERE r.household_id = ?"
			      " AND (? < 0 OR (? = 1) = (r.archived_at IS NOT NULL)) ORDER BY r.id",
			      "idd", household_id, archived, archived);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_res(st, &r);
		if (cb(&r, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

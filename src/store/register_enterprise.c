/* Enterprises, their search terms and their pairing history; see
 * register.h. A list runs one of three statements: exact (a phone's index
 * or a credit code, through their indexes), terms (a query of two or more
 * characters, driven by the bigram table and confirmed by LIKE) or plain
 * (filters only, or a one-character LIKE). All share one filter tail. */
#include "store/register.h"

#include <stdio.h>
#include <string.h>

#include "domain/credit.h"
#include "store/register_impl.h"

#define ENT_COLS                                                                                \
	"e.id, e.credit_code, e.name, e.industry_section, e.industry_division, e.above_scale, " \
	"e.key_info, e.address, COALESCE(e.unit_id, 0), COALESCE(e.grid_unit_id, 0), "          \
	"COALESCE(e.place_id, 0), e.contact_name, e.contact_phone_sealed, "                     \
	"e.contact_phone_index, e.contact_phone_mask, COALESCE(e.leader_user_id, 0), "          \
	"COALESCE(e.liaison_user_id, 0), e.tags, COALESCE(e.last_visit_at, 0), e.created_at, "  \
	"e.updated_at, e.version, u.name_zh, u.path, g.name_zh, p.name, lu.name, su.name, "     \
	"COALESCE(e.archived_at, 0), COALESCE(e.archived_by, 0), xu.name, e.archive_reason, "   \
	"g.path"

#define ENT_JOINS                                                                                 \
	" LEFT JOIN units u ON u.id = e.unit_id LEFT JOIN units g ON g.id = e.grid_unit_id"       \
	" LEFT JOIN places p ON p.id = e.place_id LEFT JOIN users lu ON lu.id = e.leader_user_id" \
	" LEFT JOIN users su ON su.id = e.liaison_user_id LEFT JOIN users xu ON xu.id = e.archived_by"

/* The filter tail every list and count shares; see struct sf_enterprise_filter.
 * The scope covers the enterprise's community and its grid. */
#define ENT_FILTER                                                                      \
	" AND (? = 1 OR u.path LIKE ? OR e.liaison_user_id = ? OR e.leader_user_id = ?" \
	"  OR e.grid_unit_id IN " SF_REG_GRID_UNITS ")"                                 \
	" AND (? IS NULL OR u.path LIKE ?)"                                             \
	" AND (? = 0 OR e.leader_user_id = ?)"                                          \
	" AND (? = 0 OR e.liaison_user_id = ?)"                                         \
	" AND (? = 0 OR e.place_id = ?)"                                                \
	" AND (? < 0 OR e.above_scale = ?)"                                             \
	" AND (? < 0 OR e.key_info = ?)"                                                \
	" AND (? < 0 OR (? = 1 AND e.leader_user_id IS NOT NULL)"                       \
	"  OR (? = 0 AND e.leader_user_id IS NULL))"                                    \
	" AND (? IS NULL OR e.industry_section = ?)"                                    \
	" AND (? IS NULL OR (',' || e.tags || ',') LIKE ?)"                             \
	" AND (? = 0 OR e.last_visit_at >= ?)"                                          \
	" AND (? = 0 OR e.last_visit_at IS NULL OR e.last_visit_at < ?)"                \
	" AND (? < 0 OR (? = 1) = (e.archived_at IS NOT NULL))"
#define ENT_FILTER_FMT \
	"dsiis"        \
	"ss"           \
	"ii"           \
	"ii"           \
	"ii"           \
	"dd"           \
	"dd"           \
	"ddd"          \
	"ss"           \
	"ss"           \
	"ii"           \
	"ii"           \
	"dd"
#define ENT_FILTER_ARGS(f, a)                                                                     \
	(int)(f)->scope_all, (a)->scope, (f)->scope_user, (f)->scope_user, (a)->scope, (a)->unit, \
		(a)->unit, (f)->leader_user_id, (f)->leader_user_id, (f)->liaison_user_id,        \
		(f)->liaison_user_id, (f)->place_id, (f)->place_id, (f)->above_scale,             \
		(f)->above_scale, (f)->key_info, (f)->key_info, (f)->paired, (f)->paired,         \
		(f)->paired, (a)->section, (a)->section, (a)->tag, (a)->tag, (f)->visited_since,  \
		(f)->visited_since, (f)->unvisited_since, (f)->unvisited_since, (f)->archived,    \
		(f)->archived

/* The confirm of a search text: name or address holds it. */
#define ENT_LIKE                                                                          \
	" AND (? IS NULL OR LOWER(e.name) LIKE ? ESCAPE '\\' OR LOWER(e.address) LIKE ? " \
	"ESCAPE '\\')"

/* Filter arguments prepared once (patterns). */
struct ent_args {
	char scope_buf[160], unit_buf[160], tag_buf[340], like_buf[1024];
	const char *scope, *unit, *section, *tag, *like;
	char code[SF_CREDIT_SIZE + 8];
	bool is_code;
	char terms[SF_REG_QUERY_TERMS][SF_SEARCH_TERM_SIZE];
	size_t nterms;
};

static void prepare(const struct sf_enterprise_filter *f, struct ent_args *a)
{
	memset(a, 0, sizeof(*a));
	a->scope = f->scope_path && *f->scope_path
			   ? sf_reg_prefix(f->scope_path, a->scope_buf, sizeof(a->scope_buf))
			   : NULL;
	a->unit = sf_reg_prefix(f->unit_path, a->unit_buf, sizeof(a->unit_buf));
	a->section = f->section && *f->section ? f->section : NULL;
	if (f->tag && *f->tag) {
		snprintf(a->tag_buf, sizeof(a->tag_buf), "%%,%s,%%", f->tag);
		a->tag = a->tag_buf;
	}
	if (f->q && *f->q) {
		sf_credit_normalise(f->q, a->code, sizeof(a->code));
		a->is_code = sf_credit_check(a->code, NULL) == SF_CREDIT_OK;
		if (!a->is_code) {
			sf_reg_like(f->q, a->like_buf, sizeof(a->like_buf));
			a->like = a->like_buf;
			a->nterms = sf_reg_query_terms(f->q, a->terms);
		}
	}
}

static void read_ent(struct sf_stmt *st, struct sf_enterprise *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sf_stmt_int(st, 0);
	sf_reg_copy(e->credit_code, sizeof(e->credit_code), sf_stmt_text(st, 1));
	sf_reg_copy(e->name, sizeof(e->name), sf_stmt_text(st, 2));
	sf_reg_copy(e->industry_section, sizeof(e->industry_section), sf_stmt_text(st, 3));
	sf_reg_copy(e->industry_division, sizeof(e->industry_division), sf_stmt_text(st, 4));
	e->above_scale = sf_stmt_int(st, 5) != 0;
	e->key_info = sf_stmt_int(st, 6) != 0;
	sf_reg_copy(e->address, sizeof(e->address), sf_stmt_text(st, 7));
	e->unit_id = sf_stmt_int(st, 8);
	e->grid_unit_id = sf_stmt_int(st, 9);
	e->place_id = sf_stmt_int(st, 10);
	sf_reg_copy(e->contact_name, sizeof(e->contact_name), sf_stmt_text(st, 11));
	sf_reg_read_pii(st, 12, &e->contact_phone);
	e->leader_user_id = sf_stmt_int(st, 15);
	e->liaison_user_id = sf_stmt_int(st, 16);
	sf_reg_copy(e->tags, sizeof(e->tags), sf_stmt_text(st, 17));
	e->last_visit_at = sf_stmt_int(st, 18);
	e->created_at = sf_stmt_int(st, 19);
	e->updated_at = sf_stmt_int(st, 20);
	e->version = sf_stmt_int(st, 21);
	sf_reg_copy(e->unit_name, sizeof(e->unit_name), sf_stmt_text(st, 22));
	sf_reg_copy(e->unit_path, sizeof(e->unit_path), sf_stmt_text(st, 23));
	sf_reg_copy(e->grid_name, sizeof(e->grid_name), sf_stmt_text(st, 24));
	sf_reg_copy(e->place_name, sizeof(e->place_name), sf_stmt_text(st, 25));
	sf_reg_copy(e->leader_name, sizeof(e->leader_name), sf_stmt_text(st, 26));
	sf_reg_copy(e->liaison_name, sizeof(e->liaison_name), sf_stmt_text(st, 27));
	sf_reg_read_archived(st, 28, &e->archived);
	sf_reg_copy(e->grid_path, sizeof(e->grid_path), sf_stmt_text(st, 32));
}

static int put_terms(struct sf_conn *c, const struct sf_enterprise *e, int64_t id)
{
	const char *texts[2] = { e->name, e->address };

	return sf_reg_put_terms(c, SF_REG_ENTERPRISE_TERMS, id, texts, 2);
}

int sf_store_enterprise_insert(struct sf_conn *c, const struct sf_enterprise *e, int64_t now,
			       int64_t *id)
{
	int rc = sf_conn_int(
		c, id,
		"INSERT INTO enterprises(credit_code, name, industry_section, industry_division, "
		"above_scale, key_info, address, unit_id, grid_unit_id, place_id, contact_name, "
		"contact_phone_sealed, contact_phone_index, contact_phone_mask, tags, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		"ssssddszzzsssssii", e->credit_code, e->name, e->industry_section,
		e->industry_division, (int)e->above_scale, (int)e->key_info, e->address, e->unit_id,
		e->grid_unit_id, e->place_id, e->contact_name,
		sf_reg_or_null(e->contact_phone.sealed), sf_reg_or_null(e->contact_phone.index),
		e->contact_phone.mask, e->tags, now, now);

	if (rc)
		return rc;
	return put_terms(c, e, *id);
}

int sf_store_enterprise_update(struct sf_conn *c, const struct sf_enterprise *e, bool keep_phone,
			       int64_t now)
{
	int rc;

	if (keep_phone)
		rc = sf_conn_run(
			c,
			"UPDATE enterprises SET credit_code = ?, name = ?, industry_section = ?, "
			"industry_division = ?, above_scale = ?, key_info = ?, address = ?, "
			"unit_id = ?, grid_unit_id = ?, place_id = ?, contact_name = ?, tags = ?, "
			"updated_at = ?, version = version + 1 WHERE id = ?",
			"ssssddszzzssii", e->credit_code, e->name, e->industry_section,
			e->industry_division, (int)e->above_scale, (int)e->key_info, e->address,
			e->unit_id, e->grid_unit_id, e->place_id, e->contact_name, e->tags, now,
			e->id);
	else
		rc = sf_conn_run(
			c,
			"UPDATE enterprises SET credit_code = ?, name = ?, industry_section = ?, "
			"industry_division = ?, above_scale = ?, key_info = ?, address = ?, "
			"unit_id = ?, grid_unit_id = ?, place_id = ?, contact_name = ?, tags = ?, "
			"contact_phone_sealed = ?, contact_phone_index = ?, contact_phone_mask = ?, "
			"updated_at = ?, version = version + 1 WHERE id = ?",
			"ssssddszzzsssssii", e->credit_code, e->name, e->industry_section,
			e->industry_division, (int)e->above_scale, (int)e->key_info, e->address,
			e->unit_id, e->grid_unit_id, e->place_id, e->contact_name, e->tags,
			sf_reg_or_null(e->contact_phone.sealed),
			sf_reg_or_null(e->contact_phone.index), e->contact_phone.mask, now, e->id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return SF_ENOTFOUND;
	return put_terms(c, e, e->id);
}

int sf_store_enterprise_get(struct sf_conn *c, int64_t id, struct sf_enterprise *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " ENT_COLS " FROM enterprises e" ENT_JOINS " WHERE e.id = ?",
			       "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_ent(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_enterprise_id_by_code(struct sf_conn *c, const char *credit_code, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM enterprises WHERE credit_code = ?", "s",
			   credit_code);
}

static int drain(struct sf_stmt *st, int (*cb)(const struct sf_enterprise *e, void *ctx), void *ctx)
{
	struct sf_enterprise e;
	int rc;

	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_ent(st, &e);
		if (cb(&e, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_enterprise_list(struct sf_conn *c, const struct sf_enterprise_filter *f,
			     int (*cb)(const struct sf_enterprise *e, void *ctx), void *ctx)
{
	struct ent_args a;
	struct sf_stmt *st;
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;
	int limit = f->limit > 0 ? f->limit : 50;
	int rc;

	prepare(f, &a);
	if (a.nterms > 0) {
		bool none;

		rc = sf_reg_rank_terms(c, SF_REG_ENTERPRISE_TERMS, a.terms, &none);
		if (rc || none)
			return rc;
	}
	if (a.is_code || (f->phone_index && *f->phone_index)) {
		rc = sf_conn_query(c, &st,
				   "SELECT " ENT_COLS " FROM enterprises e" ENT_JOINS
				   " WHERE (e.credit_code = ? OR e.contact_phone_index = ?)"
				   " AND e.id < ?" ENT_FILTER " ORDER BY e.id DESC LIMIT ?",
				   "ssi" ENT_FILTER_FMT "d", a.is_code ? a.code : NULL,
				   sf_reg_or_null(f->phone_index), before, ENT_FILTER_ARGS(f, &a),
				   limit);
	} else if (a.nterms > 0) {
		rc = sf_conn_query(
			c, &st,
			"SELECT " ENT_COLS " FROM enterprise_terms t1"
			" JOIN enterprise_terms t2 ON t2.enterprise_id = t1.enterprise_id AND t2.term = ?"
			" JOIN enterprise_terms t3 ON t3.enterprise_id = t1.enterprise_id AND t3.term = ?"
			" JOIN enterprise_terms t4 ON t4.enterprise_id = t1.enterprise_id AND t4.term = ?"
			" JOIN enterprises e ON e.id = t1.enterprise_id" ENT_JOINS
			" WHERE t1.term = ? AND t1.enterprise_id < ?" ENT_LIKE ENT_FILTER
			" ORDER BY t1.enterprise_id DESC LIMIT ?",
			"ssssi"
			"sss" ENT_FILTER_FMT "d",
			a.terms[1], a.terms[2], a.terms[3], a.terms[0], before, a.like, a.like,
			a.like, ENT_FILTER_ARGS(f, &a), limit);
	} else {
		rc = sf_conn_query(c, &st,
				   "SELECT " ENT_COLS " FROM enterprises e" ENT_JOINS
				   " WHERE e.id < ?" ENT_LIKE ENT_FILTER
				   " ORDER BY e.id DESC LIMIT ?",
				   "i"
				   "sss" ENT_FILTER_FMT "d",
				   before, a.like, a.like, a.like, ENT_FILTER_ARGS(f, &a), limit);
	}
	if (rc)
		return rc;
	return drain(st, cb, ctx);
}

static int count_one(const struct sf_enterprise *e, void *ctx)
{
	(void)e;
	(*(int64_t *)ctx)++;
	return 0;
}

int sf_store_enterprise_count(struct sf_conn *c, const struct sf_enterprise_filter *f, int64_t *n)
{
	struct ent_args a;

	*n = 0;
	prepare(f, &a);
	if (a.nterms > 0) {
		bool none;
		int rc = sf_reg_rank_terms(c, SF_REG_ENTERPRISE_TERMS, a.terms, &none);

		if (rc || none)
			return rc;
	}
	if (a.is_code || (f->phone_index && *f->phone_index)) {
		struct sf_enterprise_filter g = *f;

		g.before_id = 0;
		g.limit = 1000;
		return sf_store_enterprise_list(c, &g, count_one, n);
	}
	if (a.nterms > 0)
		return sf_conn_int(
			c, n,
			"SELECT COUNT(*) FROM enterprise_terms t1"
			" JOIN enterprise_terms t2 ON t2.enterprise_id = t1.enterprise_id AND t2.term = ?"
			" JOIN enterprise_terms t3 ON t3.enterprise_id = t1.enterprise_id AND t3.term = ?"
			" JOIN enterprise_terms t4 ON t4.enterprise_id = t1.enterprise_id AND t4.term = ?"
			" JOIN enterprises e ON e.id = t1.enterprise_id"
			" LEFT JOIN units u ON u.id = e.unit_id"
			" WHERE t1.term = ?" ENT_LIKE ENT_FILTER,
			"ssss"
			"sss" ENT_FILTER_FMT,
			a.terms[1], a.terms[2], a.terms[3], a.terms[0], a.like, a.like, a.like,
			ENT_FILTER_ARGS(f, &a));
	return sf_conn_int(
		c, n,
		"SELECT COUNT(*) FROM enterprises e LEFT JOIN units u ON u.id = e.unit_id"
		" WHERE 1 = 1" ENT_LIKE ENT_FILTER,
		"sss" ENT_FILTER_FMT, a.like, a.like, a.like, ENT_FILTER_ARGS(f, &a));
}

int sf_store_enterprise_visited(struct sf_conn *c, int64_t id, int64_t at)
{
	int rc = sf_conn_run(c,
			     "UPDATE enterprises SET last_visit_at = ? WHERE id = ? AND "
			     "(last_visit_at IS NULL OR last_visit_at < ?)",
			     "iii", at, id, at);

	return rc < 0 ? rc : 0;
}

/* ---- pairing ---- */

int sf_store_pairing_set(struct sf_conn *c, int64_t enterprise_id, int64_t leader_user_id,
			 int64_t liaison_user_id, int64_t by_user_id, const char *reason,
			 int64_t now, bool *changed)
{
	struct sf_stmt *st;
	int64_t cur_leader = 0, cur_liaison = 0;
	int rc;

	*changed = false;
	rc = sf_conn_query(c, &st,
			   "SELECT COALESCE(leader_user_id, 0), COALESCE(liaison_user_id, 0) "
			   "FROM enterprises WHERE id = ?",
			   "i", enterprise_id);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		cur_leader = sf_stmt_int(st, 0);
		cur_liaison = sf_stmt_int(st, 1);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	if (rc)
		return rc;
	if (cur_leader == leader_user_id && cur_liaison == liaison_user_id)
		return 0;
	rc = sf_conn_run(
		c, "UPDATE pairings SET ended_at = ? WHERE enterprise_id = ? AND ended_at IS NULL",
		"ii", now, enterprise_id);
	if (rc < 0)
		return rc;
	if (leader_user_id || liaison_user_id) {
		rc = sf_conn_run(
			c,
			"INSERT INTO pairings(enterprise_id, leader_user_id, liaison_user_id, "
			"started_at, assigned_by, reason) VALUES (?, ?, ?, ?, ?, ?)",
			"izzizs", enterprise_id, leader_user_id, liaison_user_id, now, by_user_id,
			reason ? reason : "");
		if (rc < 0)
			return rc == SF_ECONFLICT ? SF_EINVAL : rc;
	}
	rc = sf_conn_run(c,
			 "UPDATE enterprises SET leader_user_id = ?, liaison_user_id = ?, "
			 "updated_at = ?, version = version + 1 WHERE id = ?",
			 "zzii", leader_user_id, liaison_user_id, now, enterprise_id);
	if (rc < 0)
		return rc == SF_ECONFLICT ? SF_EINVAL : rc;
	*changed = true;
	return 0;
}

int sf_store_pairing_each(struct sf_conn *c, int64_t enterprise_id,
			  int (*cb)(const struct sf_pairing *p, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_pairing p;
	int rc = sf_conn_query(
		c, &st,
		"SELECT pa.id, pa.enterprise_id, COALESCE(pa.leader_user_id, 0), "
		"COALESCE(pa.liaison_user_id, 0), lu.name, su.name, pa.started_at, "
		"COALESCE(pa.ended_at, 0), COALESCE(pa.assigned_by, 0), bu.name, pa.reason "
		"FROM pairings pa LEFT JOIN users lu ON lu.id = pa.leader_user_id "
		"LEFT JOIN users su ON su.id = pa.liaison_user_id "
		"LEFT JOIN users bu ON bu.id = pa.assigned_by "
		"WHERE pa.enterprise_id = ? ORDER BY pa.id DESC",
		"i", enterprise_id);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&p, 0, sizeof(p));
		p.id = sf_stmt_int(st, 0);
		p.enterprise_id = sf_stmt_int(st, 1);
		p.leader_user_id = sf_stmt_int(st, 2);
		p.liaison_user_id = sf_stmt_int(st, 3);
		sf_reg_copy(p.leader_name, sizeof(p.leader_name), sf_stmt_text(st, 4));
		sf_reg_copy(p.liaison_name, sizeof(p.liaison_name), sf_stmt_text(st, 5));
		p.started_at = sf_stmt_int(st, 6);
		p.ended_at = sf_stmt_int(st, 7);
		p.assigned_by = sf_stmt_int(st, 8);
		sf_reg_copy(p.assigned_by_name, sizeof(p.assigned_by_name), sf_stmt_text(st, 9));
		sf_reg_copy(p.reason, sizeof(p.reason), sf_stmt_text(st, 10));
		if (cb(&p, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Orders still being worked on (not finished, refused or merged). */
#define OPEN_STATES "('submitted', 'accepted', 'assigned', 'in_progress', 'returned', 'reopened')"

int sf_store_pairing_coverage(struct sf_conn *c, int64_t since,
			      int (*cb)(const struct sf_pairing_cover *r, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_pairing_cover r;
	int rc = sf_conn_query(
		c, &st,
		"SELECT us.id, us.name, us.login, us.title,"
		" (SELECT COUNT(*) FROM enterprises e WHERE e.leader_user_id = us.id"
		"   AND e.archived_at IS NULL),"
		" (SELECT COUNT(*) FROM enterprises e WHERE e.leader_user_id = us.id"
		"   AND e.archived_at IS NULL AND e.last_visit_at >= ?),"
		" (SELECT COUNT(*) FROM orders o JOIN enterprises e ON e.id = o.enterprise_id"
		"   WHERE e.leader_user_id = us.id AND o.state IN " OPEN_STATES ")"
		" FROM users us WHERE us.role = 'leader' AND us.disabled = 0 ORDER BY us.id",
		"i", since);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.user_id = sf_stmt_int(st, 0);
		sf_reg_copy(r.name, sizeof(r.name), sf_stmt_text(st, 1));
		sf_reg_copy(r.login, sizeof(r.login), sf_stmt_text(st, 2));
		sf_reg_copy(r.title, sizeof(r.title), sf_stmt_text(st, 3));
		r.enterprises = sf_stmt_int(st, 4);
		r.visited = sf_stmt_int(st, 5);
		r.open_orders = sf_stmt_int(st, 6);
		if (cb(&r, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_pairing_orders(struct sf_conn *c, int64_t user_id, bool as_liaison, int limit,
			    int (*cb)(const struct sf_pairing_order *o, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_pairing_order o;
	int rc = sf_conn_query(
		c, &st,
		"SELECT o.id, o.code, o.title, o.state, e.id, e.name, o.created_at,"
		" COALESCE(o.deadline, 0), o.overdue"
		" FROM orders o JOIN enterprises e ON e.id = o.enterprise_id"
		" WHERE ((? = 0 AND e.leader_user_id = ?) OR (? = 1 AND e.liaison_user_id = ?))"
		" AND o.state IN " OPEN_STATES " ORDER BY o.id DESC LIMIT ?",
		"didid", (int)as_liaison, user_id, (int)as_liaison, user_id, limit);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sf_stmt_int(st, 0);
		sf_reg_copy(o.code, sizeof(o.code), sf_stmt_text(st, 1));
		sf_reg_copy(o.title, sizeof(o.title), sf_stmt_text(st, 2));
		sf_reg_copy(o.state, sizeof(o.state), sf_stmt_text(st, 3));
		o.enterprise_id = sf_stmt_int(st, 4);
		sf_reg_copy(o.enterprise_name, sizeof(o.enterprise_name), sf_stmt_text(st, 5));
		o.created_at = sf_stmt_int(st, 6);
		o.deadline = sf_stmt_int(st, 7);
		o.overdue = sf_stmt_int(st, 8) != 0;
		if (cb(&o, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

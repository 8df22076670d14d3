/* Visit records, their checklist answers and the orders raised on them;
 * see visit.h. */
#include "store/visit.h"

#include <stdio.h>
#include <string.h>

#include "store/register_impl.h"

#define V_COLS                                                                                   \
	"v.id, COALESCE(v.campaign_id, 0), cp.name, v.target_kind, v.target_id, v.target_name, " \
	"COALESCE(v.unit_id, 0), u.name_zh, u.path, v.visitor_user_id, us.name, v.companions, "  \
	"v.method, v.visited_at, v.notes, v.created_at, "                                        \
	"(SELECT COUNT(*) FROM hazards hz WHERE hz.visit_id = v.id), "                           \
	"(SELECT COUNT(*) FROM visit_orders vo WHERE vo.visit_id = v.id)"

#define V_JOINS                                                                                  \
	" LEFT JOIN campaigns cp ON cp.id = v.campaign_id LEFT JOIN units u ON u.id = v.unit_id" \
	" JOIN users us ON us.id = v.visitor_user_id"

static void read_visit(struct sf_stmt *st, struct sf_visit *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sf_stmt_int(st, 0);
	v->campaign_id = sf_stmt_int(st, 1);
	sf_reg_copy(v->campaign_name, sizeof(v->campaign_name), sf_stmt_text(st, 2));
	sf_reg_copy(v->target_kind, sizeof(v->target_kind), sf_stmt_text(st, 3));
	v->target_id = sf_stmt_int(st, 4);
	sf_reg_copy(v->target_name, sizeof(v->target_name), sf_stmt_text(st, 5));
	v->unit_id = sf_stmt_int(st, 6);
	sf_reg_copy(v->unit_name, sizeof(v->unit_name), sf_stmt_text(st, 7));
	sf_reg_copy(v->unit_path, sizeof(v->unit_path), sf_stmt_text(st, 8));
	v->visitor_user_id = sf_stmt_int(st, 9);
	sf_reg_copy(v->visitor_name, sizeof(v->visitor_name), sf_stmt_text(st, 10));
	sf_reg_copy(v->companions, sizeof(v->companions), sf_stmt_text(st, 11));
	sf_reg_copy(v->method, sizeof(v->method), sf_stmt_text(st, 12));
	v->visited_at = sf_stmt_int(st, 13);
	sf_reg_copy(v->notes, sizeof(v->notes), sf_stmt_text(st, 14));
	v->created_at = sf_stmt_int(st, 15);
	v->hazards = sf_stmt_int(st, 16);
	v->orders = sf_stmt_int(st, 17);
}

int sf_store_visit_insert(struct sf_conn *c, const struct sf_visit *v, int64_t now, int64_t *id)
{
	return sf_conn_int(c, id,
			   "INSERT INTO visits(campaign_id, target_kind, target_id, target_name, "
			   "unit_id, visitor_user_id, companions, method, visited_at, notes, "
			   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   "zsiszissisi", v->campaign_id, v->target_kind, v->target_id,
			   v->target_name, v->unit_id, v->visitor_user_id, v->companions, v->method,
			   v->visited_at, v->notes, now);
}

int sf_store_visit_get(struct sf_conn *c, int64_t id, struct sf_visit *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " V_COLS " FROM visits v" V_JOINS " WHERE v.id = ?",
			       "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_visit(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_visit_list(struct sf_conn *c, const struct sf_visit_filter *f,
			int (*cb)(const struct sf_visit *v, void *ctx), void *ctx)
{
	char sbuf[160], ubuf[160];
	const char *scope = f->scope_path && *f->scope_path
				    ? sf_reg_prefix(f->scope_path, sbuf, sizeof(sbuf))
				    : NULL;
	const char *unit = sf_reg_prefix(f->unit_path, ubuf, sizeof(ubuf));
	const char *kind = f->target_kind && *f->target_kind ? f->target_kind : NULL;
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;
	struct sf_stmt *st;
	struct sf_visit v;
	int rc = sf_conn_query(
		c, &st,
		"SELECT " V_COLS " FROM visits v" V_JOINS " WHERE v.id < ?"
		" AND (? = 1 OR u.path LIKE ? OR v.visitor_user_id = ? OR"
		"  (v.target_kind = 'enterprise' AND v.target_id IN (SELECT e.id FROM enterprises e"
		"   WHERE e.leader_user_id = ? OR e.liaison_user_id = ?)) OR"
		" " SF_REG_VISIT_GRID ")"
		" AND (? IS NULL OR v.target_kind = ?) AND (? = 0 OR v.target_id = ?)"
		" AND (? = 0 OR v.campaign_id = ?) AND (? = 0 OR v.visitor_user_id = ?)"
		" AND (? IS NULL OR u.path LIKE ?) AND (? = 0 OR v.visited_at >= ?)"
		" AND (? = 0 OR v.visited_at <= ?) ORDER BY v.id DESC LIMIT ?",
		"i"
		"dsiii"
		"sss"
		"ss"
		"ii"
		"ii"
		"ii"
		"ss"
		"ii"
		"ii"
		"d",
		before, (int)f->scope_all, scope, f->scope_user, f->scope_user, f->scope_user,
		scope, scope, scope, kind, kind, f->target_id, f->target_id, f->campaign_id,
		f->campaign_id, f->visitor_user_id, f->visitor_user_id, unit, unit, f->since,
		f->since, f->until, f->until, f->limit > 0 ? f->limit : 50);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_visit(st, &v);
		if (cb(&v, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_visit_check_put(struct sf_conn *c, int64_t visit_id, int64_t template_id,
			     const char *answers_json)
{
	int rc = sf_conn_run(
		c, "INSERT INTO visit_checks(visit_id, template_id, answers) VALUES (?, ?, ?)",
		"iis", visit_id, template_id, answers_json);

	return rc < 0 ? rc : 0;
}

int sf_store_visit_checks(struct sf_conn *c, int64_t visit_id,
			  int (*cb)(const struct sf_visit_check *k, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_visit_check k;
	int rc = sf_conn_query(c, &st,
			       "SELECT t.id, t.code, t.name, t.line, k.answers FROM visit_checks k "
			       "JOIN checklist_templates t ON t.id = k.template_id "
			       "WHERE k.visit_id = ? ORDER BY t.sort, t.code",
			       "i", visit_id);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&k, 0, sizeof(k));
		k.template_id = sf_stmt_int(st, 0);
		sf_reg_copy(k.code, sizeof(k.code), sf_stmt_text(st, 1));
		sf_reg_copy(k.name, sizeof(k.name), sf_stmt_text(st, 2));
		sf_reg_copy(k.line, sizeof(k.line), sf_stmt_text(st, 3));
		k.answers = sf_stmt_text(st, 4);
		if (cb(&k, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_visit_link_order(struct sf_conn *c, int64_t visit_id, int64_t order_id)
{
	int rc = sf_conn_run(c, "INSERT INTO visit_orders(visit_id, order_id) VALUES (?, ?)", "ii",
			     visit_id, order_id);

	return rc < 0 ? rc : 0;
}

int sf_store_visit_of_order(struct sf_conn *c, int64_t order_id, int64_t *visit_id)
{
	return sf_conn_int(c, visit_id, "SELECT visit_id FROM visit_orders WHERE order_id = ?", "i",
			   order_id);
}

int sf_store_visit_orders(struct sf_conn *c, int64_t visit_id,
			  int (*cb)(const struct sf_visit_order *o, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_visit_order o;
	int rc = sf_conn_query(
		c, &st,
		"SELECT o.id, o.code, o.title, o.state, o.created_at FROM visit_orders vo "
		"JOIN orders o ON o.id = vo.order_id WHERE vo.visit_id = ? "
		"ORDER BY o.id",
		"i", visit_id);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&o, 0, sizeof(o));
		o.order_id = sf_stmt_int(st, 0);
		sf_reg_copy(o.code, sizeof(o.code), sf_stmt_text(st, 1));
		sf_reg_copy(o.title, sizeof(o.title), sf_stmt_text(st, 2));
		sf_reg_copy(o.state, sizeof(o.state), sf_stmt_text(st, 3));
		o.created_at = sf_stmt_int(st, 4);
		if (cb(&o, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

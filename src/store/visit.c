/* Checklist templates and campaigns with their targets, members and
 * coverage; see visit.h. A target counts as visited when a visit of the
 * campaign's kind reached it within the campaign's period, whether or not
 * the visitor named the campaign: a cadre who went is a cadre who went. */
#include "store/visit.h"

#include <stdio.h>
#include <string.h>

#include "store/register_impl.h"

/* ---- checklist templates ---- */

#define CK_COLS "id, code, name, line, target_kinds, items, active, sort"

static void read_ck(struct sf_stmt *st, struct sf_checklist *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sf_stmt_int(st, 0);
	sf_reg_copy(t->code, sizeof(t->code), sf_stmt_text(st, 1));
	sf_reg_copy(t->name, sizeof(t->name), sf_stmt_text(st, 2));
	sf_reg_copy(t->line, sizeof(t->line), sf_stmt_text(st, 3));
	sf_reg_copy(t->target_kinds, sizeof(t->target_kinds), sf_stmt_text(st, 4));
	sf_reg_copy(t->items, sizeof(t->items), sf_stmt_text(st, 5));
	t->active = sf_stmt_int(st, 6) != 0;
	t->sort = sf_stmt_int(st, 7);
}

int sf_store_checklist_upsert(struct sf_conn *c, const struct sf_checklist *t, int64_t now,
			      int64_t *id)
{
	return sf_conn_int(
		c, id,
		"INSERT INTO checklist_templates(code, name, line, target_kinds, items, "
		"active, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
		"line = excluded.line, target_kinds = excluded.target_kinds, "
		"items = excluded.items, active = excluded.active, sort = excluded.sort, "
		"updated_at = excluded.updated_at RETURNING id",
		"sssssdiii", t->code, t->name, t->line, t->target_kinds, t->items, (int)t->active,
		t->sort, now, now);
}

int sf_store_checklist_by_code(struct sf_conn *c, const char *code, struct sf_checklist *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " CK_COLS " FROM checklist_templates WHERE code = ?",
			       "s", code);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_ck(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_checklist_each(struct sf_conn *c, bool only_active,
			    int (*cb)(const struct sf_checklist *t, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_checklist t;
	int rc = sf_conn_query(c, &st,
			       "SELECT " CK_COLS
			       " FROM checklist_templates WHERE (? = 0 OR active = 1) "
			       "ORDER BY sort, code",
			       "d", (int)only_active);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_ck(st, &t);
		if (cb(&t, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- campaigns ---- */

/* A target of campaign cp that is not an archived register row. */
#define CP_TARGET_LIVE                                                                    \
	" AND NOT (cp.target_kind = 'household' AND EXISTS (SELECT 1 FROM households h"   \
	"  WHERE h.id = t.target_id AND h.archived_at IS NOT NULL))"                      \
	" AND NOT (cp.target_kind = 'enterprise' AND EXISTS (SELECT 1 FROM enterprises e" \
	"  WHERE e.id = t.target_id AND e.archived_at IS NOT NULL))"                      \
	" AND NOT (cp.target_kind = 'place' AND EXISTS (SELECT 1 FROM places p"           \
	"  WHERE p.id = t.target_id AND p.archived_at IS NOT NULL))"

#define CP_COLS                                                                                  \
	"cp.id, cp.name, cp.theme, cp.target_kind, cp.starts_at, cp.ends_at, "                   \
	"COALESCE(cp.unit_id, 0), u.name_zh, cp.templates, cp.notes, "                           \
	"COALESCE(cp.created_by, 0), us.name, cp.created_at, "                                   \
	"(SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = cp.id" CP_TARGET_LIVE    \
	"), (SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = cp.id" CP_TARGET_LIVE \
	" AND EXISTS"                                                                            \
	" (SELECT 1 FROM visits v WHERE v.target_kind = cp.target_kind"                          \
	"  AND v.target_id = t.target_id AND v.visited_at >= cp.starts_at"                       \
	"  AND v.visited_at <= cp.ends_at)), "                                                   \
	"(SELECT COUNT(*) FROM campaign_members m WHERE m.campaign_id = cp.id), "                \
	"COALESCE(cp.closed_at, 0), COALESCE(cp.closed_by, 0), cu.name"

#define CP_FROM                                                     \
	" FROM campaigns cp LEFT JOIN units u ON u.id = cp.unit_id" \
	" LEFT JOIN users us ON us.id = cp.created_by"              \
	" LEFT JOIN users cu ON cu.id = cp.closed_by"

static void read_cp(struct sf_stmt *st, struct sf_campaign *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->id = sf_stmt_int(st, 0);
	sf_reg_copy(cp->name, sizeof(cp->name), sf_stmt_text(st, 1));
	sf_reg_copy(cp->theme, sizeof(cp->theme), sf_stmt_text(st, 2));
	sf_reg_copy(cp->target_kind, sizeof(cp->target_kind), sf_stmt_text(st, 3));
	cp->starts_at = sf_stmt_int(st, 4);
	cp->ends_at = sf_stmt_int(st, 5);
	cp->unit_id = sf_stmt_int(st, 6);
	sf_reg_copy(cp->unit_name, sizeof(cp->unit_name), sf_stmt_text(st, 7));
	sf_reg_copy(cp->templates, sizeof(cp->templates), sf_stmt_text(st, 8));
	sf_reg_copy(cp->notes, sizeof(cp->notes), sf_stmt_text(st, 9));
	cp->created_by = sf_stmt_int(st, 10);
	sf_reg_copy(cp->created_by_name, sizeof(cp->created_by_name), sf_stmt_text(st, 11));
	cp->created_at = sf_stmt_int(st, 12);
	cp->targets = sf_stmt_int(st, 13);
	cp->visited = sf_stmt_int(st, 14);
	cp->members = sf_stmt_int(st, 15);
	cp->closed_at = sf_stmt_int(st, 16);
	cp->closed_by = sf_stmt_int(st, 17);
	sf_reg_copy(cp->closed_by_name, sizeof(cp->closed_by_name), sf_stmt_text(st, 18));
}

int sf_store_campaign_insert(struct sf_conn *c, const struct sf_campaign *cp, int64_t now,
			     int64_t *id)
{
	return sf_conn_int(c, id,
			   "INSERT INTO campaigns(name, theme, target_kind, starts_at, ends_at, "
			   "unit_id, templates, notes, created_by, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   "sssiizsszi", cp->name, cp->theme, cp->target_kind, cp->starts_at,
			   cp->ends_at, cp->unit_id, cp->templates, cp->notes, cp->created_by, now);
}

int sf_store_campaign_get(struct sf_conn *c, int64_t id, struct sf_campaign *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT " CP_COLS CP_FROM " WHERE cp.id = ?", "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_cp(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_campaign_update(struct sf_conn *c, const struct sf_campaign *cp)
{
	int rc =
		sf_conn_run(c,
			    "UPDATE campaigns SET name = ?, theme = ?, starts_at = ?, ends_at = ?, "
			    "templates = ?, notes = ? WHERE id = ?",
			    "ssiissi", cp->name, cp->theme, cp->starts_at, cp->ends_at,
			    cp->templates, cp->notes, cp->id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_campaign_close(struct sf_conn *c, int64_t id, int64_t by, int64_t now)
{
	int64_t n = 0;
	int rc = sf_conn_run(c,
			     "UPDATE campaigns SET closed_at = ?, closed_by = ? WHERE id = ? "
			     "AND closed_at IS NULL",
			     "izi", now, by, id);

	if (rc < 0)
		return rc;
	if (rc > 0)
		return 0;
	rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM campaigns WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return n ? SF_ECONFLICT : SF_ENOTFOUND;
}

int sf_store_campaign_visits_outside(struct sf_conn *c, int64_t id, int64_t from, int64_t to,
				     int64_t *before, int64_t *after)
{
	int rc = sf_conn_int(c, before,
			     "SELECT COUNT(*) FROM visits WHERE campaign_id = ? AND visited_at < ?",
			     "ii", id, from);

	if (!rc)
		rc = sf_conn_int(
			c, after,
			"SELECT COUNT(*) FROM visits WHERE campaign_id = ? AND visited_at > ?",
			"ii", id, to);
	return rc;
}

int sf_store_campaign_remove_target(struct sf_conn *c, int64_t campaign_id, int64_t target_id)
{
	int rc = sf_conn_run(c,
			     "DELETE FROM campaign_targets WHERE campaign_id = ? AND target_id = ?",
			     "ii", campaign_id, target_id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_campaign_remove_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id)
{
	int rc =
		sf_conn_run(c, "DELETE FROM campaign_members WHERE campaign_id = ? AND user_id = ?",
			    "ii", campaign_id, user_id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_campaign_each(struct sf_conn *c, int64_t active_at, int limit,
			   int (*cb)(const struct sf_campaign *cp, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_campaign cp;
	int rc = sf_conn_query(c, &st,
			       "SELECT " CP_COLS CP_FROM
			       " WHERE (? = 0 OR (cp.starts_at <= ? AND cp.ends_at >= ?"
			       " AND cp.closed_at IS NULL))"
			       " ORDER BY cp.id DESC LIMIT ?",
			       "iiid", active_at, active_at, active_at, limit > 0 ? limit : 200);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_cp(st, &cp);
		if (cb(&cp, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_campaign_add_target(struct sf_conn *c, int64_t campaign_id, int64_t target_id,
				 int64_t assignee_user_id, const char *team)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO campaign_targets(campaign_id, target_id, assignee_user_id, "
		"team) VALUES (?, ?, ?, ?) ON CONFLICT(campaign_id, target_id) DO UPDATE "
		"SET assignee_user_id = COALESCE(excluded.assignee_user_id, "
		"campaign_targets.assignee_user_id), team = CASE WHEN excluded.team = '' "
		"THEN campaign_targets.team ELSE excluded.team END",
		"iizs", campaign_id, target_id, assignee_user_id, team ? team : "");

	return rc < 0 ? rc : 0;
}

int sf_store_campaign_add_unit(struct sf_conn *c, int64_t campaign_id, const char *kind,
			       const char *unit_path, int64_t *added)
{
	char buf[160];
	const char *like = sf_reg_prefix(unit_path, buf, sizeof(buf));
	int rc;

	*added = 0;
	if (!like)
		return SF_EINVAL;
	if (!strcmp(kind, "household"))
		rc = sf_conn_run(
			c,
			"INSERT INTO campaign_targets(campaign_id, target_id) SELECT ?, h.id "
			"FROM households h JOIN units u ON u.id = h.unit_id "
			"LEFT JOIN units g ON g.id = h.group_unit_id "
			"WHERE (u.path LIKE ? OR g.path LIKE ?) AND h.archived_at IS NULL "
			"ON CONFLICT(campaign_id, target_id) DO NOTHING",
			"iss", campaign_id, like, like);
	else if (!strcmp(kind, "enterprise"))
		rc = sf_conn_run(
			c,
			"INSERT INTO campaign_targets(campaign_id, target_id) SELECT ?, e.id "
			"FROM enterprises e JOIN units u ON u.id = e.unit_id "
			"WHERE u.path LIKE ? AND e.archived_at IS NULL "
			"ON CONFLICT(campaign_id, target_id) DO NOTHING",
			"is", campaign_id, like);
	else if (!strcmp(kind, "place"))
		rc = sf_conn_run(
			c,
			"INSERT INTO campaign_targets(campaign_id, target_id) SELECT ?, p.id "
			"FROM places p JOIN units u ON u.id = p.unit_id "
			"WHERE u.path LIKE ? AND p.archived_at IS NULL "
			"ON CONFLICT(campaign_id, target_id) DO NOTHING",
			"is", campaign_id, like);
	else if (!strcmp(kind, "village"))
		rc = sf_conn_run(
			c,
			"INSERT INTO campaign_targets(campaign_id, target_id) SELECT ?, u.id "
			"FROM units u WHERE u.kind = 'village_group' AND u.path LIKE ? "
			"ON CONFLICT(campaign_id, target_id) DO NOTHING",
			"is", campaign_id, like);
	else
		return SF_EINVAL;
	if (rc < 0)
		return rc;
	*added = rc;
	return 0;
}

int sf_store_campaign_add_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id,
				 const char *team)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO campaign_members(campaign_id, user_id, team) VALUES (?, ?, ?) "
		"ON CONFLICT(campaign_id, user_id) DO UPDATE SET team = excluded.team",
		"iis", campaign_id, user_id, team ? team : "");

	return rc < 0 ? rc : 0;
}

int sf_store_campaign_is_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id,
				bool *member)
{
	int64_t n = 0;
	int rc = sf_conn_int(c, &n,
			     "SELECT (SELECT COUNT(*) FROM campaign_members WHERE campaign_id = ? "
			     "AND user_id = ?) + (SELECT COUNT(*) FROM campaign_targets WHERE "
			     "campaign_id = ? AND assignee_user_id = ?)",
			     "iiii", campaign_id, user_id, campaign_id, user_id);

	*member = n > 0;
	return rc;
}

int sf_store_campaign_members(struct sf_conn *c, int64_t campaign_id,
			      int (*cb)(const struct sf_campaign_member *m, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_campaign_member m;
	int rc = sf_conn_query(c, &st,
			       "SELECT m.user_id, us.name, us.login, m.team, "
			       "(SELECT COUNT(*) FROM visits v WHERE v.campaign_id = m.campaign_id "
			       " AND v.visitor_user_id = m.user_id) "
			       "FROM campaign_members m JOIN users us ON us.id = m.user_id "
			       "WHERE m.campaign_id = ? ORDER BY m.team, us.name",
			       "i", campaign_id);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&m, 0, sizeof(m));
		m.user_id = sf_stmt_int(st, 0);
		sf_reg_copy(m.name, sizeof(m.name), sf_stmt_text(st, 1));
		sf_reg_copy(m.login, sizeof(m.login), sf_stmt_text(st, 2));
		sf_reg_copy(m.team, sizeof(m.team), sf_stmt_text(st, 3));
		m.visits = sf_stmt_int(st, 4);
		if (cb(&m, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Coverage: one statement per kind of target (each joins its register for
 * the name and the area). The visit subqueries use visits_target. */
#define IN_PERIOD(KIND)                                                                 \
	" FROM visits v WHERE v.target_kind = '" KIND "' AND v.target_id = t.target_id" \
	" AND v.visited_at >= ? AND v.visited_at <= ?"

#define COVER_SQL(KIND, NAME, FROM, SCOPE)                                                                  \
	"SELECT t.target_id, " NAME ", u.name_zh, u.path, COALESCE(t.assignee_user_id, 0),"                 \
	" au.name, t.team, (SELECT MAX(v.visited_at)" IN_PERIOD(                                            \
		KIND) "),"                                                                                  \
		      " (SELECT COUNT(*)" IN_PERIOD(                                                        \
			      KIND) "), COALESCE(u.id, 0)"                                                  \
				    " FROM campaign_targets t " FROM                                        \
				    " LEFT JOIN users au ON au.id = t.assignee_user_id"                     \
				    " WHERE t.campaign_id = ? AND t.target_id > ? AND (? IS NULL OR " SCOPE \
				    ")"                                                                     \
				    " AND (? < 0 OR (? = 1 AND EXISTS (SELECT 1" IN_PERIOD(                 \
					    KIND) "))"                                                      \
						  "  OR (? = 0 AND NOT EXISTS (SELECT 1" IN_PERIOD(         \
							  KIND) ")))"                                       \
								" ORDER BY t.target_id LIMIT ?"

#define COUNT_SQL(KIND, FROM, SCOPE)                                          \
	"SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1" IN_PERIOD( \
		KIND) ")"                                                     \
		      " THEN 1 ELSE 0 END), 0) FROM campaign_targets t " FROM \
		      " WHERE t.campaign_id = ? AND (? IS NULL OR " SCOPE ")"

#define HH_FROM                                                             \
	"JOIN households h ON h.id = t.target_id AND h.archived_at IS NULL" \
	" JOIN units u ON u.id = h.unit_id LEFT JOIN units g ON g.id = h.group_unit_id"
/* Each scope takes three parameters (the same pattern): the target's area,
 * and its village group or grid (a household: its place's grid). */
#define HH_SCOPE "u.path LIKE ? OR g.path LIKE ? OR h.place_id IN " SF_REG_GRID_PLACES
#define ENT_FROM                                                             \
	"JOIN enterprises e ON e.id = t.target_id AND e.archived_at IS NULL" \
	" LEFT JOIN units u ON u.id = e.unit_id"
#define PL_FROM                                                         \
	"JOIN places p ON p.id = t.target_id AND p.archived_at IS NULL" \
	" LEFT JOIN units u ON u.id = p.unit_id"
#define VG_FROM "JOIN units u ON u.id = t.target_id"
#define ENT_SCOPE "u.path LIKE ? OR e.grid_unit_id IN " SF_REG_GRID_UNITS " OR u.path LIKE ?"
#define PL_SCOPE "u.path LIKE ? OR p.grid_unit_id IN " SF_REG_GRID_UNITS " OR u.path LIKE ?"
#define VG_SCOPE "u.path LIKE ? OR u.path LIKE ? OR u.path LIKE ?"

int sf_store_campaign_coverage(struct sf_conn *c, const struct sf_campaign *cp,
			       const char *scope_path, int visited, int64_t after_id, int limit,
			       int (*cb)(const struct sf_cover_row *r, void *ctx), void *ctx)
{
	char buf[160];
	const char *scope = sf_reg_prefix(scope_path, buf, sizeof(buf));
	int64_t a = cp->starts_at, b = cp->ends_at;
	struct sf_stmt *st;
	struct sf_cover_row r;
	const char *kind = cp->target_kind;
	int rc;

#define COVER_RUN(SQL)                                                                        \
	sf_conn_query(c, &st, SQL, "iiiiiissssddiidiid", a, b, a, b, cp->id, after_id, scope, \
		      scope, scope, scope, visited, visited, a, b, visited, a, b,             \
		      limit > 0 ? limit : 100)
	if (!strcmp(kind, "household"))
		rc = COVER_RUN(COVER_SQL("household", "h.address", HH_FROM, HH_SCOPE));
	else if (!strcmp(kind, "enterprise"))
		rc = COVER_RUN(COVER_SQL("enterprise", "e.name", ENT_FROM, ENT_SCOPE));
	else if (!strcmp(kind, "place"))
		rc = COVER_RUN(COVER_SQL("place", "p.name", PL_FROM, PL_SCOPE));
	else if (!strcmp(kind, "village"))
		rc = COVER_RUN(COVER_SQL("village", "u.name_zh", VG_FROM, VG_SCOPE));
	else
		return SF_EINVAL;
#undef COVER_RUN
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.target_id = sf_stmt_int(st, 0);
		sf_reg_copy(r.name, sizeof(r.name), sf_stmt_text(st, 1));
		sf_reg_copy(r.unit_name, sizeof(r.unit_name), sf_stmt_text(st, 2));
		sf_reg_copy(r.unit_path, sizeof(r.unit_path), sf_stmt_text(st, 3));
		r.assignee_user_id = sf_stmt_int(st, 4);
		sf_reg_copy(r.assignee_name, sizeof(r.assignee_name), sf_stmt_text(st, 5));
		sf_reg_copy(r.team, sizeof(r.team), sf_stmt_text(st, 6));
		r.last_visit_at = sf_stmt_int(st, 7);
		r.visits = sf_stmt_int(st, 8);
		r.unit_id = sf_stmt_int(st, 9);
		if (cb(&r, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int two_ints(struct sf_stmt *st, int64_t *x, int64_t *y)
{
	int rc = sf_stmt_step(st);

	if (rc == SF_DB_ROW) {
		*x = sf_stmt_int(st, 0);
		*y = sf_stmt_int(st, 1);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_campaign_counts(struct sf_conn *c, const struct sf_campaign *cp,
			     const char *scope_path, int64_t *targets, int64_t *visited)
{
	char buf[160];
	const char *scope = sf_reg_prefix(scope_path, buf, sizeof(buf));
	int64_t a = cp->starts_at, b = cp->ends_at;
	const char *kind = cp->target_kind;
	struct sf_stmt *st;
	int rc;

	*targets = *visited = 0;
	if (!strcmp(kind, "household"))
		rc = sf_conn_query(c, &st, COUNT_SQL("household", HH_FROM, HH_SCOPE), "iiissss", a,
				   b, cp->id, scope, scope, scope, scope);
	else if (!strcmp(kind, "enterprise"))
		rc = sf_conn_query(c, &st, COUNT_SQL("enterprise", ENT_FROM, ENT_SCOPE), "iiissss",
				   a, b, cp->id, scope, scope, scope, scope);
	else if (!strcmp(kind, "place"))
		rc = sf_conn_query(c, &st, COUNT_SQL("place", PL_FROM, PL_SCOPE), "iiissss", a, b,
				   cp->id, scope, scope, scope, scope);
	else if (!strcmp(kind, "village"))
		rc = sf_conn_query(c, &st, COUNT_SQL("village", VG_FROM, VG_SCOPE), "iiissss", a, b,
				   cp->id, scope, scope, scope, scope);
	else
		return SF_EINVAL;
	if (rc)
		return rc;
	return two_ints(st, targets, visited);
}

/* Hazards found on visits (open -> rectified -> verified, with a deadline
 * in working days computed above), their photos, and the headline counts
 * of visits, problems and hazards; see visit.h. */
#include "store/visit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/register_impl.h"
#include "util/mem.h"

#define HZ_COLS                                                                                        \
	"h.id, COALESCE(h.visit_id, 0), h.target_kind, h.target_id, h.target_name, "                   \
	"COALESCE(h.unit_id, 0), u.name_zh, u.path, h.type, h.severity, h.description, h.state, "      \
	"h.found_at, COALESCE(h.found_by, 0), fu.name, h.days, h.deadline, "                           \
	"COALESCE(h.rectified_at, 0), COALESCE(h.rectified_by, 0), ru.name, h.rectify_note, "          \
	"COALESCE(h.verified_at, 0), COALESCE(h.verified_by, 0), vu.name, h.verify_note, "             \
	"COALESCE(h.order_id, 0), (SELECT COUNT(*) FROM hazard_photos ph WHERE ph.hazard_id = h.id), " \
	"h.updated_at"

#define HZ_JOINS                                                                          \
	" LEFT JOIN units u ON u.id = h.unit_id LEFT JOIN users fu ON fu.id = h.found_by" \
	" LEFT JOIN users ru ON ru.id = h.rectified_by LEFT JOIN users vu ON vu.id = h.verified_by"

static void read_hz(struct sf_stmt *st, struct sf_hazard *h)
{
	memset(h, 0, sizeof(*h));
	h->id = sf_stmt_int(st, 0);
	h->visit_id = sf_stmt_int(st, 1);
	sf_reg_copy(h->target_kind, sizeof(h->target_kind), sf_stmt_text(st, 2));
	h->target_id = sf_stmt_int(st, 3);
	sf_reg_copy(h->target_name, sizeof(h->target_name), sf_stmt_text(st, 4));
	h->unit_id = sf_stmt_int(st, 5);
	sf_reg_copy(h->unit_name, sizeof(h->unit_name), sf_stmt_text(st, 6));
	sf_reg_copy(h->unit_path, sizeof(h->unit_path), sf_stmt_text(st, 7));
	sf_reg_copy(h->type, sizeof(h->type), sf_stmt_text(st, 8));
	sf_reg_copy(h->severity, sizeof(h->severity), sf_stmt_text(st, 9));
	sf_reg_copy(h->description, sizeof(h->description), sf_stmt_text(st, 10));
	sf_reg_copy(h->state, sizeof(h->state), sf_stmt_text(st, 11));
	h->found_at = sf_stmt_int(st, 12);
	h->found_by = sf_stmt_int(st, 13);
	sf_reg_copy(h->found_by_name, sizeof(h->found_by_name), sf_stmt_text(st, 14));
	h->days = sf_stmt_int(st, 15);
	h->deadline = sf_stmt_int(st, 16);
	h->rectified_at = sf_stmt_int(st, 17);
	h->rectified_by = sf_stmt_int(st, 18);
	sf_reg_copy(h->rectified_by_name, sizeof(h->rectified_by_name), sf_stmt_text(st, 19));
	sf_reg_copy(h->rectify_note, sizeof(h->rectify_note), sf_stmt_text(st, 20));
	h->verified_at = sf_stmt_int(st, 21);
	h->verified_by = sf_stmt_int(st, 22);
	sf_reg_copy(h->verified_by_name, sizeof(h->verified_by_name), sf_stmt_text(st, 23));
	sf_reg_copy(h->verify_note, sizeof(h->verify_note), sf_stmt_text(st, 24));
	h->order_id = sf_stmt_int(st, 25);
	h->has_photo = sf_stmt_int(st, 26) > 0;
	h->updated_at = sf_stmt_int(st, 27);
}

int sf_store_hazard_insert(struct sf_conn *c, const struct sf_hazard *h, int64_t now, int64_t *id)
{
	return sf_conn_int(c, id,
			   "INSERT INTO hazards(visit_id, target_kind, target_id, target_name, "
			   "unit_id, type, severity, description, state, found_at, found_by, days, "
			   "deadline, order_id, updated_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?) RETURNING id",
			   "zsiszsssizi"
			   "izi",
			   h->visit_id, h->target_kind, h->target_id, h->target_name, h->unit_id,
			   h->type, h->severity, h->description, h->found_at, h->found_by, h->days,
			   h->deadline, h->order_id, now);
}

int sf_store_hazard_get(struct sf_conn *c, int64_t id, struct sf_hazard *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st, "SELECT " HZ_COLS " FROM hazards h" HZ_JOINS " WHERE h.id = ?", "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_hz(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_hazard_list(struct sf_conn *c, const struct sf_hazard_filter *f,
			 int (*cb)(const struct sf_hazard *h, void *ctx), void *ctx)
{
	char sbuf[160], ubuf[160];
	const char *scope = f->scope_path && *f->scope_path
				    ? sf_reg_prefix(f->scope_path, sbuf, sizeof(sbuf))
				    : NULL;
	const char *unit = sf_reg_prefix(f->unit_path, ubuf, sizeof(ubuf));
	const char *state = f->state && *f->state ? f->state : NULL;
	const char *sev = f->severity && *f->severity ? f->severity : NULL;
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;
	struct sf_stmt *st;
	struct sf_hazard *h;
	int rc = sf_conn_query(
		c, &st,
		"SELECT " HZ_COLS " FROM hazards h" HZ_JOINS " WHERE h.id < ?"
		" AND (? = 1 OR u.path LIKE ? OR h.found_by = ? OR"
		"  (h.target_kind = 'enterprise' AND h.target_id IN (SELECT e.id FROM enterprises e"
		"   WHERE e.leader_user_id = ? OR e.liaison_user_id = ?)) OR"
		" " SF_REG_HAZARD_GRID ")"
		" AND (? IS NULL OR h.state = ?) AND (? = 0 OR (h.state = 'open' AND h.deadline < ?))"
		" AND (? = 0 OR h.visit_id = ?) AND (? IS NULL OR u.path LIKE ?)"
		" AND (? IS NULL OR h.severity = ?) ORDER BY h.id DESC LIMIT ?",
		"i"
		"dsiii"
		"sss"
		"ss"
		"di"
		"ii"
		"ss"
		"ss"
		"d",
		before, (int)f->scope_all, scope, f->scope_user, f->scope_user, f->scope_user,
		scope, scope, scope, state, state, (int)f->overdue_only, f->now, f->visit_id,
		f->visit_id, unit, unit, sev, sev, f->limit > 0 ? f->limit : 50);

	if (rc)
		return rc;
	h = sf_xmalloc(sizeof(*h));
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_hz(st, h);
		if (cb(h, ctx))
			break;
	}
	sf_stmt_done(st);
	free(h);
	return rc < 0 ? rc : 0;
}

int sf_store_hazard_rectify(struct sf_conn *c, int64_t id, int64_t by, const char *note,
			    int64_t now)
{
	int rc = sf_conn_run(
		c,
		"UPDATE hazards SET state = 'rectified', rectified_at = ?, rectified_by = ?, "
		"rectify_note = ?, updated_at = ? WHERE id = ? AND state = 'open'",
		"iisii", now, by, note ? note : "", now, id);

	return rc < 0 ? rc : rc == 0 ? SF_ECONFLICT : 0;
}

int sf_store_hazard_verify(struct sf_conn *c, int64_t id, int64_t by, bool ok, const char *note,
			   int64_t now)
{
	int rc;

	if (ok)
		rc = sf_conn_run(c,
				 "UPDATE hazards SET state = 'verified', verified_at = ?, "
				 "verified_by = ?, verify_note = ?, updated_at = ? "
				 "WHERE id = ? AND state = 'rectified'",
				 "iisii", now, by, note ? note : "", now, id);
	else
		rc = sf_conn_run(
			c,
			"UPDATE hazards SET state = 'open', verify_note = ?, updated_at = ? "
			"WHERE id = ? AND state = 'rectified'",
			"sii", note ? note : "", now, id);
	return rc < 0 ? rc : rc == 0 ? SF_ECONFLICT : 0;
}

int sf_store_hazard_set_order(struct sf_conn *c, int64_t id, int64_t order_id)
{
	int rc = sf_conn_run(c, "UPDATE hazards SET order_id = ? WHERE id = ?", "ii", order_id, id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_hazard_photo_put(struct sf_conn *c, int64_t id, const char *mime, const void *data,
			      size_t size, const char *sha256, int64_t by, int64_t now)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO hazard_photos(hazard_id, mime, size, sha256, data, created_by, "
		"created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hazard_id) DO UPDATE "
		"SET mime = excluded.mime, size = excluded.size, sha256 = excluded.sha256, "
		"data = excluded.data, created_by = excluded.created_by, "
		"created_at = excluded.created_at",
		"isisbzi", id, mime, (int64_t)size, sha256, data, size, by, now);

	return rc < 0 ? rc : 0;
}

int sf_store_hazard_photo_get(struct sf_conn *c, int64_t id, char mime[48], void **data,
			      size_t *size)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT mime, data FROM hazard_photos WHERE hazard_id = ?",
			       "i", id);

	*data = NULL;
	*size = 0;
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		size_t n = 0;
		const void *p = sf_stmt_blob(st, 1, &n);

		sf_reg_copy(mime, 48, sf_stmt_text(st, 0));
		*data = sf_xmalloc(n ? n : 1);
		if (n)
			memcpy(*data, p, n);
		*size = n;
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

/* ---- headline counts ---- */

int sf_store_visit_stats(struct sf_conn *c, const char *scope_path, int64_t since, int64_t until,
			 int64_t now, struct sf_visit_stats *out)
{
	char buf[160];
	const char *scope = sf_reg_prefix(scope_path, buf, sizeof(buf));
	struct sf_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sf_conn_query(
		c, &st,
		"SELECT COUNT(*),"
		" COUNT(DISTINCT CASE WHEN v.target_kind = 'household' THEN v.target_id END),"
		" COUNT(DISTINCT CASE WHEN v.target_kind = 'enterprise' THEN v.target_id END),"
		" COUNT(DISTINCT CASE WHEN v.target_kind = 'place' THEN v.target_id END),"
		" COUNT(DISTINCT CASE WHEN v.target_kind = 'village' THEN v.target_id END)"
		" FROM visits v LEFT JOIN units u ON u.id = v.unit_id"
		" WHERE (? IS NULL OR u.path LIKE ? OR " SF_REG_VISIT_GRID ")"
		" AND (? = 0 OR v.visited_at >= ?) AND (? = 0 OR v.visited_at <= ?)",
		"sssssiiii", scope, scope, scope, scope, scope, since, since, until, until);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		out->visits = sf_stmt_int(st, 0);
		out->households_visited = sf_stmt_int(st, 1);
		out->enterprises_visited = sf_stmt_int(st, 2);
		out->places_visited = sf_stmt_int(st, 3);
		out->villages_visited = sf_stmt_int(st, 4);
		rc = 0;
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = sf_conn_query(
		c, &st,
		"SELECT COUNT(*), COALESCE(SUM(CASE WHEN o.state IN ('resolved', 'feedback', "
		"'closed') THEN 1 ELSE 0 END), 0)"
		" FROM visit_orders vo JOIN visits v ON v.id = vo.visit_id"
		" JOIN orders o ON o.id = vo.order_id LEFT JOIN units u ON u.id = v.unit_id"
		" WHERE (? IS NULL OR u.path LIKE ? OR " SF_REG_VISIT_GRID ")"
		" AND (? = 0 OR v.visited_at >= ?) AND (? = 0 OR v.visited_at <= ?)",
		"sssssiiii", scope, scope, scope, scope, scope, since, since, until, until);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		out->problems_raised = sf_stmt_int(st, 0);
		out->problems_solved = sf_stmt_int(st, 1);
		rc = 0;
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = sf_conn_query(
		c, &st,
		"SELECT COUNT(*),"
		" COALESCE(SUM(CASE WHEN h.state = 'open' THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN h.state = 'open' AND h.deadline < ? THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN h.state IN ('rectified', 'verified') THEN 1 ELSE 0 END), 0)"
		" FROM hazards h LEFT JOIN units u ON u.id = h.unit_id"
		" WHERE (? IS NULL OR u.path LIKE ? OR " SF_REG_HAZARD_GRID ")"
		" AND (? = 0 OR h.found_at >= ?) AND (? = 0 OR h.found_at <= ?)",
		"isssssiiii", now, scope, scope, scope, scope, scope, since, since, until, until);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		out->hazards_found = sf_stmt_int(st, 0);
		out->hazards_open = sf_stmt_int(st, 1);
		out->hazards_overdue = sf_stmt_int(st, 2);
		out->hazards_fixed = sf_stmt_int(st, 3);
		rc = 0;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Places (buildings, parks, estates), village groups, and the sealed
 * personal data fetched for an audited reveal; see register.h. Places and
 * village groups number in the hundreds, so their search is a plain LIKE. */
#include "store/register.h"

#include <stdio.h>
#include <string.h>

#include "store/register_impl.h"

#define PLACE_COLS                                                                                 \
	"p.id, p.kind, p.name, p.address, COALESCE(p.unit_id, 0), COALESCE(p.grid_unit_id, 0), "   \
	"p.operator, p.floors, p.area_m2, p.notes, COALESCE(p.last_visit_at, 0), p.created_at, "   \
	"p.updated_at, u.name_zh, u.path, g.name_zh, "                                             \
	"(SELECT COUNT(*) FROM enterprises e WHERE e.place_id = p.id AND e.archived_at IS NULL), " \
	"(SELECT COUNT(*) FROM households h WHERE h.place_id = p.id AND h.archived_at IS NULL), "  \
	"COALESCE(p.archived_at, 0), COALESCE(p.archived_by, 0), xu.name, p.archive_reason, "      \
	"g.path"

#define PLACE_JOINS                                                                         \
	" LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN units g ON g.id = p.grid_unit_id" \
	" LEFT JOIN users xu ON xu.id = p.archived_by"

static void read_place(struct sf_stmt *st, struct sf_place *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sf_stmt_int(st, 0);
	sf_reg_copy(p->kind, sizeof(p->kind), sf_stmt_text(st, 1));
	sf_reg_copy(p->name, sizeof(p->name), sf_stmt_text(st, 2));
	sf_reg_copy(p->address, sizeof(p->address), sf_stmt_text(st, 3));
	p->unit_id = sf_stmt_int(st, 4);
	p->grid_unit_id = sf_stmt_int(st, 5);
	sf_reg_copy(p->operator_name, sizeof(p->operator_name), sf_stmt_text(st, 6));
	p->floors = sf_stmt_int(st, 7);
	p->area_m2 = sf_stmt_int(st, 8);
	sf_reg_copy(p->notes, sizeof(p->notes), sf_stmt_text(st, 9));
	p->last_visit_at = sf_stmt_int(st, 10);
	p->created_at = sf_stmt_int(st, 11);
	p->updated_at = sf_stmt_int(st, 12);
	sf_reg_copy(p->unit_name, sizeof(p->unit_name), sf_stmt_text(st, 13));
	sf_reg_copy(p->unit_path, sizeof(p->unit_path), sf_stmt_text(st, 14));
	sf_reg_copy(p->grid_name, sizeof(p->grid_name), sf_stmt_text(st, 15));
	p->enterprises = sf_stmt_int(st, 16);
	p->households = sf_stmt_int(st, 17);
	sf_reg_read_archived(st, 18, &p->archived);
	sf_reg_copy(p->grid_path, sizeof(p->grid_path), sf_stmt_text(st, 22));
}

int sf_store_place_insert(struct sf_conn *c, const struct sf_place *p, int64_t now, int64_t *id)
{
	return sf_conn_int(
		c, id,
		"INSERT INTO places(kind, name, address, unit_id, grid_unit_id, operator, "
		"floors, area_m2, notes, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		"ssszzsiisii", p->kind, p->name, p->address, p->unit_id, p->grid_unit_id,
		p->operator_name, p->floors, p->area_m2, p->notes, now, now);
}

int sf_store_place_update(struct sf_conn *c, const struct sf_place *p, int64_t now)
{
	int rc = sf_conn_run(c,
			     "UPDATE places SET kind = ?, name = ?, address = ?, unit_id = ?, "
			     "grid_unit_id = ?, operator = ?, floors = ?, area_m2 = ?, notes = ?, "
			     "updated_at = ? WHERE id = ?",
			     "ssszzsiisii", p->kind, p->name, p->address, p->unit_id,
			     p->grid_unit_id, p->operator_name, p->floors, p->area_m2, p->notes,
			     now, p->id);

	return rc < 0 ? rc : rc == 0 ? SF_ENOTFOUND : 0;
}

int sf_store_place_get(struct sf_conn *c, int64_t id, struct sf_place *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " PLACE_COLS " FROM places p" PLACE_JOINS " WHERE p.id = ?",
			       "i", id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_place(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_place_id_by_name(struct sf_conn *c, const char *name, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM places WHERE name = ?", "s", name);
}

int sf_store_place_each(struct sf_conn *c, const char *kind, const char *unit_path, const char *q,
			int archived, int limit, int (*cb)(const struct sf_place *p, void *ctx),
			void *ctx)
{
	char unit_buf[160], like_buf[1024];
	const char *unit = sf_reg_prefix(unit_path, unit_buf, sizeof(unit_buf));
	const char *like = NULL;
	struct sf_stmt *st;
	struct sf_place p;
	int rc;

	if (q && *q) {
		sf_reg_like(q, like_buf, sizeof(like_buf));
		like = like_buf;
	}
	rc = sf_conn_query(c, &st,
			   "SELECT " PLACE_COLS " FROM places p" PLACE_JOINS
			   " WHERE (? IS NULL OR p.kind = ?) AND (? IS NULL OR u.path LIKE ?)"
			   " AND (? IS NULL OR LOWER(p.name) LIKE ? ESCAPE '\\'"
			   "  OR LOWER(p.address) LIKE ? ESCAPE '\\')"
			   " AND (? < 0 OR (? = 1) = (p.archived_at IS NOT NULL))"
			   " ORDER BY p.name LIMIT ?",
			   "sssssssddd", kind, kind, unit, unit, like, like, like, archived,
			   archived, limit > 0 ? limit : 1000);
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_place(st, &p);
		if (cb(&p, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- village groups ---- */

#define VG_COLS                                                                                  \
	"u.id, u.code, u.name_zh, COALESCE(u.parent_id, 0), v.name_zh, u.path, "                 \
	"COALESCE(vg.leader_name, ''), COALESCE(vg.households, 0), COALESCE(vg.population, 0), " \
	"COALESCE(vg.notes, ''), COALESCE(vg.last_visit_at, 0)"

#define VG_FROM                                                 \
	" FROM units u LEFT JOIN units v ON v.id = u.parent_id" \
	" LEFT JOIN village_groups vg ON vg.unit_id = u.id"

static void read_vg(struct sf_stmt *st, struct sf_village_group *g)
{
	memset(g, 0, sizeof(*g));
	g->unit_id = sf_stmt_int(st, 0);
	sf_reg_copy(g->code, sizeof(g->code), sf_stmt_text(st, 1));
	sf_reg_copy(g->name, sizeof(g->name), sf_stmt_text(st, 2));
	g->village_unit_id = sf_stmt_int(st, 3);
	sf_reg_copy(g->village_name, sizeof(g->village_name), sf_stmt_text(st, 4));
	sf_reg_copy(g->path, sizeof(g->path), sf_stmt_text(st, 5));
	sf_reg_copy(g->leader_name, sizeof(g->leader_name), sf_stmt_text(st, 6));
	g->households = sf_stmt_int(st, 7);
	g->population = sf_stmt_int(st, 8);
	sf_reg_copy(g->notes, sizeof(g->notes), sf_stmt_text(st, 9));
	g->last_visit_at = sf_stmt_int(st, 10);
}

int sf_store_village_group_put(struct sf_conn *c, const struct sf_village_group *g)
{
	int64_t ok = 0;
	int rc = sf_conn_int(c, &ok,
			     "SELECT COUNT(*) FROM units WHERE id = ? AND kind = 'village_group'",
			     "i", g->unit_id);

	if (rc)
		return rc;
	if (!ok)
		return SF_EINVAL;
	rc = sf_conn_run(c,
			 "INSERT INTO village_groups(unit_id, leader_name, households, population, "
			 "notes) VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit_id) DO UPDATE SET "
			 "leader_name = excluded.leader_name, households = excluded.households, "
			 "population = excluded.population, notes = excluded.notes",
			 "isiis", g->unit_id, g->leader_name, g->households, g->population,
			 g->notes);
	return rc < 0 ? rc : 0;
}

int sf_store_village_group_get(struct sf_conn *c, int64_t unit_id, struct sf_village_group *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(
		c, &st, "SELECT " VG_COLS VG_FROM " WHERE u.id = ? AND u.kind = 'village_group'",
		"i", unit_id);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		read_vg(st, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_village_group_each(struct sf_conn *c, const char *unit_path, const char *q,
				int (*cb)(const struct sf_village_group *g, void *ctx), void *ctx)
{
	char unit_buf[160], like_buf[1024];
	const char *unit = sf_reg_prefix(unit_path, unit_buf, sizeof(unit_buf));
	const char *like = NULL;
	struct sf_stmt *st;
	struct sf_village_group g;
	int rc;

	if (q && *q) {
		sf_reg_like(q, like_buf, sizeof(like_buf));
		like = like_buf;
	}
	rc = sf_conn_query(c, &st,
			   "SELECT " VG_COLS VG_FROM " WHERE u.kind = 'village_group'"
			   " AND (? IS NULL OR u.path LIKE ?)"
			   " AND (? IS NULL OR LOWER(u.name_zh) LIKE ? ESCAPE '\\'"
			   "  OR LOWER(v.name_zh) LIKE ? ESCAPE '\\')"
			   " ORDER BY u.path",
			   "sssss", unit, unit, like, like, like);
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_vg(st, &g);
		if (cb(&g, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The filters of a paged list and its count. */
#define VG_FILTER                                                \
	" WHERE u.kind = 'village_group'"                        \
	" AND (? IS NULL OR u.path LIKE ?)"                      \
	" AND (? = 0 OR u.parent_id = ?)"                        \
	" AND (? IS NULL OR LOWER(u.name_zh) LIKE ? ESCAPE '\\'" \
	"  OR LOWER(v.name_zh) LIKE ? ESCAPE '\\')"
#define VG_FILTER_FMT "ssiisss"

struct vg_args {
	char unit_buf[160], like_buf[1024];
	const char *unit, *like;
};

static void vg_prepare(const struct sf_village_group_filter *f, struct vg_args *a)
{
	a->unit = sf_reg_prefix(f->unit_path, a->unit_buf, sizeof(a->unit_buf));
	a->like = NULL;
	if (f->q && *f->q) {
		sf_reg_like(f->q, a->like_buf, sizeof(a->like_buf));
		a->like = a->like_buf;
	}
}

int sf_store_village_group_list(struct sf_conn *c, const struct sf_village_group_filter *f,
				int (*cb)(const struct sf_village_group *g, void *ctx), void *ctx)
{
	struct vg_args a;
	struct sf_stmt *st;
	struct sf_village_group g;
	int rc;

	vg_prepare(f, &a);
	rc = sf_conn_query(
		c, &st, "SELECT " VG_COLS VG_FROM VG_FILTER " AND u.id > ? ORDER BY u.id LIMIT ?",
		VG_FILTER_FMT "id", a.unit, a.unit, f->village_unit_id, f->village_unit_id, a.like,
		a.like, a.like, f->after_id, f->limit > 0 ? f->limit : 50);
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		read_vg(st, &g);
		if (cb(&g, ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_village_group_count(struct sf_conn *c, const struct sf_village_group_filter *f,
				 int64_t *n)
{
	struct vg_args a;

	vg_prepare(f, &a);
	return sf_conn_int(c, n, "SELECT COUNT(*)" VG_FROM VG_FILTER, VG_FILTER_FMT, a.unit, a.unit,
			   f->village_unit_id, f->village_unit_id, a.like, a.like, a.like);
}

int sf_store_village_group_visited(struct sf_conn *c, int64_t unit_id, int64_t at)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO village_groups(unit_id, last_visit_at) VALUES (?, ?) "
		"ON CONFLICT(unit_id) DO UPDATE SET last_visit_at = excluded.last_visit_at "
		"WHERE village_groups.last_visit_at IS NULL "
		"OR village_groups.last_visit_at < excluded.last_visit_at",
		"ii", unit_id, at);

	return rc < 0 ? rc : 0;
}

/* ---- sealed values for a reveal ---- */

static int sealed_one(struct sf_stmt *st, char *out, size_t cap)
{
	int rc = sf_stmt_step(st);

	if (rc == SF_DB_ROW) {
		sf_reg_copy(out, cap, sf_stmt_text(st, 0));
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_register_sealed(struct sf_conn *c, const char *kind, int64_t id, const char *field,
			     char *out, size_t cap)
{
	struct sf_stmt *st = NULL;
	bool phone = strcmp(field, "phone") == 0, id_no = strcmp(field, "id_no") == 0;
	int rc;

	if (cap)
		out[0] = '\0';
	if (!strcmp(kind, "enterprise") && (phone || !strcmp(field, "contact_phone")))
		rc = sf_conn_query(c, &st,
				   "SELECT contact_phone_sealed FROM enterprises WHERE id = ?", "i",
				   id);
	else if (!strcmp(kind, "household") && phone)
		rc = sf_conn_query(c, &st, "SELECT phone_sealed FROM households WHERE id = ?", "i",
				   id);
	else if (!strcmp(kind, "household") && id_no)
		rc = sf_conn_query(c, &st, "SELECT id_no_sealed FROM households WHERE id = ?", "i",
				   id);
	else if (!strcmp(kind, "resident") && phone)
		rc = sf_conn_query(c, &st, "SELECT phone_sealed FROM residents WHERE id = ?", "i",
				   id);
	else if (!strcmp(kind, "resident") && id_no)
		rc = sf_conn_query(c, &st, "SELECT id_no_sealed FROM residents WHERE id = ?", "i",
				   id);
	else
		return SF_EINVAL;
	if (rc)
		return rc;
	return sealed_one(st, out, cap);
}

/* The place and village-group rows of a register import. A place is keyed
 * by its name (unique); a village group by its village and its name, and
 * a new one gets the code given or the next free "<village code>-NN". Each
 * cell is checked as the API checks it; on the writing pass the row is
 * inserted or updated. */
#include "api/registers_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/registers_impl.h"
#include "store/unit.h"
#include "util/mem.h"

static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const grid_kinds[] = { "grid", "workstation", NULL };
static const char *const village_kinds[] = { "village", NULL };
static const char *const group_kinds[] = { "village_group", NULL };

/* The name (natural key) of a place row; *id the place that has it. */
static void place_key(struct sf_regimp *im, const struct sf_csv_record *rec, struct sf_place *p,
		      int64_t *id, bool *bad, int *rc)
{
	char name[sizeof(p->name) + 100];
	const char *v = sf_regimp_cell(im, rec, "name", name, sizeof(name));
	struct sf_error ce = { 0 };
	size_t prev;

	if (!v || !*v) {
		sf_regimp_error(im, rec->row, "name", "missing_field", "名称 (name) is empty");
		*bad = true;
		return;
	}
	if (sf_regapi_text(v, "name", SF_REG_NAME_MAX, true, false, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "name");
		*bad = true;
		return;
	}
	if ((prev = sf_regio_keyset_add(&im->keys, v, rec->row)) != 0 && !im->writing) {
		sf_regimp_error(im, rec->row, "name", "duplicate_name",
				"name \"%.60s\" is also on row %zu", v, prev);
		*bad = true;
		return;
	}
	if (sf_store_place_id_by_name(im->c, v, id) == 0) {
		*rc = sf_store_place_get(im->c, *id, p);
		if (*rc)
			return;
		if (p->archived.at) {
			sf_regimp_error(im, rec->row, "name", "archived",
					"place %lld named \"%.60s\" is archived; restore it before "
					"importing it",
					(long long)*id, v);
			*bad = true;
		}
	} else {
		*id = 0;
	}
	snprintf(p->name, sizeof(p->name), "%s", v);
}

int sf_regimp_place_row(struct sf_regimp *im, const struct sf_csv_record *rec)
{
	struct sf_place *p = sf_xcalloc(1, sizeof(*p));
	char buf[64];
	const char *v;
	int64_t id = 0, u;
	bool bad = false, given;
	int rc = 0;

	place_key(im, rec, p, &id, &bad, &rc);
	if (rc) {
		rc = sf_regimp_db_fail(im, rec->row, rc);
		goto out;
	}
	if ((v = sf_regimp_cell(im, rec, "kind", buf, sizeof(buf))) && *v) {
		const char *k = sf_regio_place_kind(v);

		if (k) {
			snprintf(p->kind, sizeof(p->kind), "%s", k);
		} else {
			sf_regimp_error(im, rec->row, "kind", "invalid_field",
					"类型 must be 楼宇, 园区 or 小区 (building, park, estate), "
					"not \"%.20s\"",
					v);
			bad = true;
		}
	} else if (!p->kind[0]) {
		sf_regimp_error(im, rec->row, "kind", "missing_field",
				"类型 (kind) is empty: 楼宇, 园区 or 小区");
		bad = true;
	}
	sf_regimp_text(im, rec, "address", SF_REG_ADDRESS_MAX, false, p->address,
		       sizeof(p->address), &bad);
	u = sf_regimp_unit(im, rec, "unit", area_kinds, 0, &given, &bad);
	if (given)
		p->unit_id = u;
	u = sf_regimp_unit(im, rec, "grid", grid_kinds, 0, &given, &bad);
	if (given)
		p->grid_unit_id = u;
	sf_regimp_text(im, rec, "operator", SF_REG_NAME_MAX, false, p->operator_name,
		       sizeof(p->operator_name), &bad);
	sf_regimp_int(im, rec, "floors", 0, 200, &p->floors, &bad);
	sf_regimp_int(im, rec, "area_m2", 0, 100000000, &p->area_m2, &bad);
	sf_regimp_text(im, rec, "notes", SF_REG_NOTES_MAX, true, p->notes, sizeof(p->notes), &bad);
	if (bad)
		goto out;
	if (!im->writing) {
		if (id)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (id) {
		p->id = id;
		rc = sf_store_place_update(im->c, p, im->now);
		im->updated++;
	} else {
		rc = sf_store_place_insert(im->c, p, im->now, &id);
		im->inserted++;
	}
	if (rc)
		rc = sf_regimp_db_fail(im, rec->row, rc);
out:
	free(p);
	return rc;
}

/* The next free code of a new group of village: "<village code>-NN" after
 * its groups, taken by no unit and by no other row of the file. */
static void next_code(struct sf_regimp *im, const struct sf_regio_unit *village, size_t row,
		      char *out, size_t cap)
{
	int n = 1;

	for (size_t i = 0; i < im->refs.nunits; i++)
		if (im->refs.units[i].parent_id == village->id &&
		    !strcmp(im->refs.units[i].kind, "village_group"))
			n++;
	for (;; n++) {
		snprintf(out, cap, "%.36s-%02d", village->code, n);
		if (!sf_regio_code_taken(&im->refs, out) &&
		    sf_regio_keyset_add(&im->codes, out, row) == 0)
			return;
	}
}

/* The group's code column: unchanged for a group that exists, free for a
 * new one (not another unit's, not another row's). */
static void group_code(struct sf_regimp *im, const struct sf_csv_record *rec,
		       const struct sf_regio_unit *existing, char *code, size_t cap, bool *bad)
{
	struct sf_error ce = { 0 };
	size_t prev;

	code[0] = '\0';
	if (!sf_regimp_cell(im, rec, "code", code, cap) || !*code)
		return;
	if (sf_regapi_text(code, "code", 40, false, false, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "code");
		*bad = true;
	} else if (existing && strcmp(existing->code, code)) {
		sf_regimp_error(im, rec->row, "code", "invalid_field",
				"村民小组 %.40s has the code %s; an import does not change codes",
				existing->name, existing->code);
		*bad = true;
	} else if (!existing && sf_regio_code_taken(&im->refs, code)) {
		sf_regimp_error(im, rec->row, "code", "duplicate_code",
				"code %.40s is another unit's", code);
		*bad = true;
	} else if (!existing && !im->writing &&
		   (prev = sf_regio_keyset_add(&im->codes, code, rec->row)) != 0) {
		sf_regimp_error(im, rec->row, "code", "duplicate_code",
				"code %.40s is also on row %zu", code, prev);
		*bad = true;
	}
}

int sf_regimp_village_group_row(struct sf_regimp *im, const struct sf_csv_record *rec)
{
	struct sf_village_group *g = sf_xcalloc(1, sizeof(*g));
	const struct sf_regio_unit *village = NULL, *existing = NULL;
	struct sf_error ce = { 0 };
	char name[200], code[200], key[260];
	const char *v;
	int64_t vid, id = 0;
	bool bad = false, given, amb = false, name_ok = false;
	size_t prev;
	int rc = 0;

	vid = sf_regimp_unit(im, rec, "village", village_kinds, 0, &given, &bad);
	if (vid) {
		village = sf_regio_unit_by_id(&im->refs, vid);
	} else if (!bad) {
		sf_regimp_error(im, rec->row, "village", "missing_field", "村 (village) is empty");
		bad = true;
	}
	v = sf_regimp_cell(im, rec, "name", name, sizeof(name));
	if (!v || !*v) {
		sf_regimp_error(im, rec->row, "name", "missing_field", "村民小组 (name) is empty");
		bad = true;
	} else if (sf_regapi_text(v, "name", 40, true, false, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "name");
		bad = true;
	} else {
		name_ok = true;
	}
	if (village && name_ok) {
		snprintf(key, sizeof(key), "%lld\x1f%s", (long long)vid, name);
		if ((prev = sf_regio_keyset_add(&im->keys, key, rec->row)) != 0 && !im->writing) {
			sf_regimp_error(im, rec->row, "name", "duplicate_group",
					"村民小组 %.40s of %.40s is also on row %zu", name,
					village->name, prev);
			bad = true;
		}
		existing = sf_regio_find_unit(&im->refs, name, group_kinds, vid, &amb);
		if (amb) {
			sf_regimp_error(im, rec->row, "name", "ambiguous_reference",
					"several groups of %.40s are named %.40s", village->name,
					name);
			bad = true;
		}
	}
	if (village && !sf_regapi_sees_path(im->who, village->path)) {
		sf_regimp_error(im, rec->row, "village", "out_of_scope",
				"village %.40s is outside your area", village->name);
		bad = true;
	}
	group_code(im, rec, existing, code, sizeof(code), &bad);
	if (existing) {
		rc = sf_store_village_group_get(im->c, existing->id, g);
		if (rc) {
			rc = sf_regimp_db_fail(im, rec->row, rc);
			goto out;
		}
	}
	sf_regimp_text(im, rec, "leader_name", SF_REG_PERSON_MAX, false, g->leader_name,
		       sizeof(g->leader_name), &bad);
	sf_regimp_int(im, rec, "households", 0, 100000, &g->households, &bad);
	sf_regimp_int(im, rec, "population", 0, 1000000, &g->population, &bad);
	sf_regimp_text(im, rec, "notes", SF_REG_NOTES_MAX, true, g->notes, sizeof(g->notes), &bad);
	if (bad)
		goto out;
	if (!im->writing) {
		if (existing)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (existing) {
		g->unit_id = existing->id;
		im->updated++;
	} else {
		struct sf_unit u;

		memset(&u, 0, sizeof(u));
		u.parent_id = vid;
		snprintf(u.kind, sizeof(u.kind), "village_group");
		snprintf(u.name_zh, sizeof(u.name_zh), "%.*s", (int)sizeof(u.name_zh) - 1, name);
		if (code[0])
			snprintf(u.code, sizeof(u.code), "%.*s", (int)sizeof(u.code) - 1, code);
		else
			next_code(im, village, rec->row, u.code, sizeof(u.code));
		rc = sf_store_unit_insert(im->c, &u, im->now, &id);
		g->unit_id = id;
		im->inserted++;
	}
	if (!rc)
		rc = sf_store_village_group_put(im->c, g);
	if (rc)
		rc = sf_regimp_db_fail(im, rec->row, rc);
out:
	free(g);
	return rc;
}

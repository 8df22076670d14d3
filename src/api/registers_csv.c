/* Column tables, duplicate keys and reference lookups of the register
 * import and export; see registers_csv.h. */
#include "api/registers_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/registers.h"
#include "store/register.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/hash.h"
#include "util/mem.h"

const struct sf_regio_col sf_regio_ent_cols[SF_REGIO_ENT_COLS] = {
	{ "credit_code", { "统一社会信用代码", "信用代码", "credit_code" }, true },
	{ "name", { "企业名称", "名称", "name" }, true },
	{ "industry_section", { "行业门类", "industry_section" }, false },
	{ "industry_division", { "行业大类", "行业代码", "industry_division" }, false },
	{ "above_scale", { "规上企业", "是否规上", "above_scale" }, false },
	{ "key_info", { "重点信息经济企业", "重点信息经济", "key_info" }, false },
	{ "address", { "地址", "企业地址", "address" }, false },
	{ "unit", { "所属社区", "社区/村", "社区", "村", "unit" }, false },
	{ "grid", { "网格", "所属网格", "grid" }, false },
	{ "place", { "楼宇/园区", "楼宇", "园区", "place" }, false },
	{ "contact_name", { "联系人", "contact_name" }, false },
	{ "contact_phone", { "联系电话", "联系人电话", "手机", "contact_phone" }, false },
	{ "leader", { "包联领导", "结对领导", "leader" }, false },
	{ "liaison", { "联系员", "liaison" }, false },
	{ "tags", { "标签", "tags" }, false },
};

const struct sf_regio_col sf_regio_hh_cols[SF_REGIO_HH_COLS] = {
	{ "address", { "地址", "住址", "address" }, true },
	{ "unit", { "社区/村", "所属社区", "社区", "村", "unit" }, true },
	{ "group", { "村民小组", "小组", "group" }, false },
	{ "place", { "小区/楼宇", "小区", "楼宇", "place" }, false },
	{ "head_name", { "户主", "户主姓名", "head_name" }, false },
	{ "members", { "人数", "家庭人数", "members" }, false },
	{ "phone", { "联系电话", "电话", "手机", "phone" }, false },
	{ "id_no", { "身份证号", "户主身份证号", "身份证", "id_no" }, false },
	{ "tags", { "标签", "tags" }, false },
	{ "notes", { "备注", "notes" }, false },
};

/* Places: the name is the key. */
const struct sf_regio_col sf_regio_place_cols[SF_REGIO_PLACE_COLS] = {
	{ "kind", { "类型", "类别", "kind" }, true },
	{ "name", { "名称", "楼宇/园区/小区名称", "name" }, true },
	{ "address", { "地址", "address" }, false },
	{ "unit", { "社区/村", "所属社区", "社区", "村", "unit" }, false },
	{ "grid", { "网格", "所属网格", "grid" }, false },
	{ "operator", { "运营方", "运营单位", "物业", "operator" }, false },
	{ "floors", { "楼层数", "层数", "floors" }, false },
	{ "area_m2", { "面积(平方米)", "面积", "建筑面积", "area_m2" }, false },
	{ "notes", { "备注", "notes" }, false },
};

/* Village groups: the village and the group's name are the key. */
const struct sf_regio_col sf_regio_vg_cols[SF_REGIO_VG_COLS] = {
	{ "village", { "村", "所属村", "village" }, true },
	{ "name", { "村民小组", "小组名称", "名称", "name" }, true },
	{ "code", { "编码", "小组编码", "code" }, false },
	{ "leader_name", { "组长", "leader_name" }, false },
	{ "households", { "户数", "households" }, false },
	{ "population", { "人口", "人口数", "population" }, false },
	{ "notes", { "备注", "notes" }, false },
};

/* Columns an export adds that an import skips. */
const char *const sf_regio_readonly_cols[] = { "编号",          "id",       "最近走访时间",
					       "last_visit_at", "更新时间", "updated_at",
					       "企业数",        "住户数",   NULL };

static const char *const kind_names[] = { "enterprises", "households", "places", "village-groups" };

bool sf_register_kind_parse(const char *s, enum sf_register_kind *out)
{
	for (size_t i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum sf_register_kind)i;
			return true;
		}
	}
	if (s && !strcmp(s, "village_groups")) {
		*out = SF_REGISTER_VILLAGE_GROUPS;
		return true;
	}
	return false;
}

const char *sf_register_kind_name(enum sf_register_kind kind)
{
	return (size_t)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "";
}

const char *sf_regio_place_kind(const char *s)
{
	static const char *const map[][2] = {
		{ "building", "building" }, { "park", "park" }, { "estate", "estate" },
		{ "楼宇", "building" },     { "园区", "park" }, { "小区", "estate" },
	};

	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i][0]))
			return map[i][1];
	return NULL;
}

const char *sf_regio_place_kind_label(const char *kind)
{
	if (!strcmp(kind, "building"))
		return "楼宇";
	if (!strcmp(kind, "park"))
		return "园区";
	if (!strcmp(kind, "estate"))
		return "小区";
	return kind;
}

/* ---- a set of natural keys, to find duplicates within a file ---- */

/* Add key; returns the row that had it before, or 0 when it is new. */
size_t sf_regio_keyset_add(struct sf_regio_keyset *ks, const char *key, size_t row)
{
	size_t i;

	if ((ks->n + 1) * 2 > ks->cap) {
		struct sf_regio_keyset bigger = { 0 };

		bigger.cap = ks->cap ? ks->cap * 2 : 1024;
		bigger.key = sf_xcalloc(bigger.cap, sizeof(char *));
		bigger.row = sf_xcalloc(bigger.cap, sizeof(size_t));
		for (size_t k = 0; k < ks->cap; k++) {
			if (!ks->key[k])
				continue;
			i = sf_hash_fnv1a(ks->key[k]) & (bigger.cap - 1);
			while (bigger.key[i])
				i = (i + 1) & (bigger.cap - 1);
			bigger.key[i] = ks->key[k];
			bigger.row[i] = ks->row[k];
		}
		bigger.n = ks->n;
		free(ks->key);
		free(ks->row);
		*ks = bigger;
	}
	i = sf_hash_fnv1a(key) & (ks->cap - 1);
	while (ks->key[i]) {
		if (!strcmp(ks->key[i], key))
			return ks->row[i];
		i = (i + 1) & (ks->cap - 1);
	}
	ks->key[i] = sf_xstrdup(key);
	ks->row[i] = row;
	ks->n++;
	return 0;
}

void sf_regio_keyset_release(struct sf_regio_keyset *ks)
{
	for (size_t i = 0; i < ks->cap; i++)
		free(ks->key[i]);
	free(ks->key);
	free(ks->row);
	memset(ks, 0, sizeof(*ks));
}

/* ---- what references resolve against: loaded once per import ---- */

#define PUSH(arr, n, cap)                                                   \
	do {                                                                \
		if ((n) == (cap)) {                                         \
			(cap) = (cap) ? (cap)*2 : 64;                       \
			(arr) = sf_xrealloc((arr), (cap) * sizeof(*(arr))); \
		}                                                           \
	} while (0)

static int load_unit(const struct sf_unit *u, void *ctx)
{
	struct sf_regio_refs *r = ctx;
	struct sf_regio_unit *x;

	PUSH(r->units, r->nunits, r->cunits);
	x = &r->units[r->nunits++];
	x->id = u->id;
	x->parent_id = u->parent_id;
	snprintf(x->kind, sizeof(x->kind), "%s", u->kind);
	snprintf(x->code, sizeof(x->code), "%s", u->code);
	snprintf(x->name, sizeof(x->name), "%s", u->name_zh);
	snprintf(x->path, sizeof(x->path), "%s", u->path);
	return 0;
}

static int load_user(const struct sf_user *u, void *ctx)
{
	struct sf_regio_refs *r = ctx;
	struct sf_regio_user *x;

	PUSH(r->users, r->nusers, r->cusers);
	x = &r->users[r->nusers++];
	x->id = u->id;
	x->role = u->role;
	x->disabled = u->disabled;
	snprintf(x->login, sizeof(x->login), "%s", u->login);
	snprintf(x->name, sizeof(x->name), "%s", u->name);
	return 0;
}

static int load_place(const struct sf_place *p, void *ctx)
{
	struct sf_regio_refs *r = ctx;
	struct sf_regio_place *x;

	PUSH(r->places, r->nplaces, r->cplaces);
	x = &r->places[r->nplaces++];
	x->id = p->id;
	x->archived = p->archived.at != 0;
	snprintf(x->name, sizeof(x->name), "%s", p->name);
	return 0;
}

int sf_regio_refs_load(struct sf_conn *c, struct sf_regio_refs *r)
{
	int rc = sf_store_unit_each(c, NULL, load_unit, r);

	if (!rc)
		rc = sf_store_user_each(c, NULL, load_user, r);
	if (!rc)
		rc = sf_store_place_each(c, NULL, NULL, NULL, SF_REG_ANY, 100000, load_place, r);
	return rc;
}

void sf_regio_refs_release(struct sf_regio_refs *r)
{
	free(r->units);
	free(r->users);
	free(r->places);
	memset(r, 0, sizeof(*r));
}

static bool kind_in(const char *kind, const char *const *kinds)
{
	for (size_t i = 0; kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

/* A unit by code or by name among kinds; parent limits to children of a
 * unit (0 = any). NULL when none; *ambiguous when several share the name. */
const struct sf_regio_unit *sf_regio_find_unit(const struct sf_regio_refs *r, const char *s,
					       const char *const *kinds, int64_t parent,
					       bool *ambiguous)
{
	const struct sf_regio_unit *hit = NULL;

	*ambiguous = false;
	for (size_t i = 0; i < r->nunits; i++) {
		const struct sf_regio_unit *u = &r->units[i];

		if (!kind_in(u->kind, kinds) || (parent && u->parent_id != parent))
			continue;
		if (!strcmp(u->code, s))
			return u;
	}
	for (size_t i = 0; i < r->nunits; i++) {
		const struct sf_regio_unit *u = &r->units[i];

		if (!kind_in(u->kind, kinds) || (parent && u->parent_id != parent))
			continue;
		if (!strcmp(u->name, s)) {
			if (hit)
				*ambiguous = true;
			hit = u;
		}
	}
	return hit;
}

const struct sf_regio_unit *sf_regio_unit_by_id(const struct sf_regio_refs *r, int64_t id)
{
	for (size_t i = 0; i < r->nunits; i++)
		if (r->units[i].id == id)
			return &r->units[i];
	return NULL;
}

const struct sf_regio_user *sf_regio_find_user(const struct sf_regio_refs *r, const char *s,
					       bool *ambiguous)
{
	const struct sf_regio_user *hit = NULL;

	*ambiguous = false;
	for (size_t i = 0; i < r->nusers; i++)
		if (!strcmp(r->users[i].login, s))
			return &r->users[i];
	for (size_t i = 0; i < r->nusers; i++) {
		if (!strcmp(r->users[i].name, s)) {
			if (hit)
				*ambiguous = true;
			hit = &r->users[i];
		}
	}
	return hit;
}

const struct sf_regio_place *sf_regio_find_place(const struct sf_regio_refs *r, const char *s)
{
	for (size_t i = 0; i < r->nplaces; i++)
		if (!strcmp(r->places[i].name, s))
			return &r->places[i];
	return NULL;
}

bool sf_regio_code_taken(const struct sf_regio_refs *r, const char *s)
{
	for (size_t i = 0; i < r->nunits; i++)
		if (!strcmp(r->units[i].code, s))
			return true;
	return false;
}

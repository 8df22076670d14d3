/* The registers and visit work of the Cangqian demo, loaded by seed-demo
 * after its units, people and orders (data/demo/registers.json): places,
 * 150 enterprises paired with the 20 leaders and their liaisons, the
 * households of 仓溢绿苑 and the other communities and villages, 200+
 * village groups, campaigns, and a season of visits with their checklists,
 * hazards and the orders they raised, carried to the end the way the
 * departments would. Visits and orders go through the same services as
 * the API (sf_visits_record, sf_orders_act), so the demo obeys every rule.
 * Generated people, phones and codes are fictional and deterministic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "api/pairing.h"
#include "api/registers_impl.h"
#include "api/visits.h"
#include "cli/cli.h"
#include "cli/seed_registers.h"
#include "domain/credit.h"
#include "store/catalog.h"
#include "store/register.h"
#include "store/user.h"
#include "store/visit.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/timefmt.h"

#define DAY 86400
#define HOUR 3600

/* ---- small things ---- */

uint64_t sf_demo_rnd(struct sf_demo *d)
{
	uint64_t x = d->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	d->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

int sf_demo_pick(struct sf_demo *d, int n)
{
	return n > 0 ? (int)(sf_demo_rnd(d) % (uint64_t)n) : 0;
}

int sf_demo_fail(struct sf_demo *d, int rc, const char *what)
{
	if (d->err->rc)
		return rc ? rc : d->err->rc;
	return sf_error_set(d->err, rc ? rc : SF_EDB, "demo_registers", "", "%s: %s", what,
			    sf_conn_errmsg(d->c));
}

const char *sf_demo_jstr(const struct sf_json *o, const char *k, const char *dflt)
{
	const char *s = sf_json_str(o, k);

	return s ? s : dflt;
}

int64_t sf_demo_jint(const struct sf_json *o, const char *k, int64_t dflt)
{
	int64_t v;

	return sf_json_int(o, k, &v) ? v : dflt;
}

/* Item i of the array at key (lent; free it). */
struct sf_json *sf_demo_item(const struct sf_json *o, const char *key, size_t i)
{
	struct sf_json *arr = NULL, *it = NULL;

	if (sf_json_get(o, key, &arr) == 0)
		sf_json_at(arr, i, &it);
	sf_json_free(arr);
	return it;
}

size_t sf_demo_count(const struct sf_json *o, const char *key)
{
	struct sf_json *arr = NULL;
	size_t n = 0;

	if (sf_json_get(o, key, &arr) == 0)
		n = sf_json_len(arr);
	sf_json_free(arr);
	return n;
}

/* String j of the array that is item i of the array at key. */
const char *sf_demo_nested_str(const struct sf_json *o, const char *key, size_t i, size_t j)
{
	struct sf_json *row = sf_demo_item(o, key, i), *x = NULL;
	const char *s = NULL;

	if (row && sf_json_at(row, j, &x) == 0)
		s = sf_json_as_str(x);
	sf_json_free(x);
	sf_json_free(row);
	return s;
}

const struct sf_demo_user *sf_demo_user(const struct sf_demo *d, const char *login)
{
	for (size_t i = 0; i < d->nusers; i++)
		if (!strcmp(d->users[i].who.login, login))
			return &d->users[i];
	return NULL;
}

const struct sf_demo_user *sf_demo_user_by_id(const struct sf_demo *d, int64_t id)
{
	for (size_t i = 0; i < d->nusers; i++)
		if (d->users[i].who.user_id == id)
			return &d->users[i];
	return NULL;
}

/* The community or village worker whose unit covers unit_path. */
const struct sf_demo_user *sf_demo_area_worker(const struct sf_demo *d, const char *unit_path)
{
	for (size_t i = 0; i < d->nusers; i++) {
		const struct sf_principal *w = &d->users[i].who;

		if (w->role == SF_ROLE_COMMUNITY && *w->unit_path &&
		    !strncmp(unit_path, w->unit_path, strlen(w->unit_path)))
			return &d->users[i];
	}
	return NULL;
}

/* A member of staff of a department (the second one when there are two). */
const struct sf_demo_user *sf_demo_dept_worker(const struct sf_demo *d, int64_t unit_id)
{
	const struct sf_demo_user *hit = NULL;

	for (size_t i = 0; i < d->nusers; i++)
		if (d->users[i].who.role == SF_ROLE_DEPT && d->users[i].who.unit_id == unit_id)
			hit = &d->users[i];
	return hit;
}

int64_t sf_demo_unit_id(struct sf_demo *d, const char *code)
{
	int64_t id = 0;

	if (!code || sf_store_unit_id_by_code(d->c, code, &id))
		return 0;
	return id;
}

void sf_demo_person(struct sf_demo *d, char *out, size_t cap)
{
	size_t ns = sf_demo_count(d->doc, "surnames"), ng = sf_demo_count(d->doc, "given");
	struct sf_json *s = sf_demo_item(d->doc, "surnames", (size_t)sf_demo_pick(d, (int)ns));
	struct sf_json *g = sf_demo_item(d->doc, "given", (size_t)sf_demo_pick(d, (int)ng));

	snprintf(out, cap, "%s%s", s ? sf_json_as_str(s) : "王", g ? sf_json_as_str(g) : "伟");
	sf_json_free(s);
	sf_json_free(g);
}

void sf_demo_phone(struct sf_demo *d, char out[16])
{
	static const char *const heads[] = { "138", "139", "137", "135", "158",
					     "159", "186", "187", "152", "131" };

	snprintf(out, 16, "%s%04d%04d", heads[sf_demo_pick(d, 10)], sf_demo_pick(d, 10000),
		 sf_demo_pick(d, 10000));
}

void sf_demo_id_number(struct sf_demo *d, char out[20])
{
	char body[18];

	snprintf(body, sizeof(body), "330110%04d%02d%02d%03d", 1940 + sf_demo_pick(d, 60),
		 1 + sf_demo_pick(d, 12), 1 + sf_demo_pick(d, 28), sf_demo_pick(d, 1000));
	snprintf(out, 20, "%s%c", body, sf_resident_id_check_char(body));
}

void sf_demo_cn_number(int n, char *out, size_t cap)
{
	static const char *const digit[] = { "",   "一", "二", "三", "四",
					     "五", "六", "七", "八", "九" };

	if (n <= 10)
		snprintf(out, cap, "%s", n == 10 ? "十" : digit[n]);
	else if (n < 20)
		snprintf(out, cap, "十%s", digit[n - 10]);
	else
		snprintf(out, cap, "%s十%s", digit[n / 10], digit[n % 10]);
}

static int load_user(const struct sf_user *u, void *ctx)
{
	struct sf_demo *d = ctx;
	struct sf_demo_user *x;

	if (d->nusers == d->cusers) {
		d->cusers = d->cusers ? d->cusers * 2 : 64;
		d->users = sf_xrealloc(d->users, d->cusers * sizeof(*d->users));
	}
	x = &d->users[d->nusers++];
	memset(x, 0, sizeof(*x));
	x->who.user_id = u->id;
	x->who.role = u->role;
	x->who.unit_id = u->unit_id;
	snprintf(x->who.unit_path, sizeof(x->who.unit_path), "%s", u->unit_path);
	snprintf(x->who.login, sizeof(x->who.login), "%s", u->login);
	snprintf(x->who.name, sizeof(x->who.name), "%s", u->name);
	snprintf(x->title, sizeof(x->title), "%s", u->title);
	return 0;
}

static int cmp_user_id(const void *a, const void *b)
{
	const struct sf_demo_user *x = a, *y = b;

	return x->who.user_id < y->who.user_id ? -1 : x->who.user_id > y->who.user_id;
}

/* ---- places, village groups ---- */

static int load_places(struct sf_demo *d)
{
	size_t n = sf_demo_count(d->doc, "places");

	for (size_t i = 0; i < n; i++) {
		struct sf_json *p = sf_demo_item(d->doc, "places", i);
		struct sf_place pl;
		int64_t id;
		int rc;

		memset(&pl, 0, sizeof(pl));
		snprintf(pl.kind, sizeof(pl.kind), "%s", sf_demo_jstr(p, "kind", "building"));
		snprintf(pl.name, sizeof(pl.name), "%s", sf_demo_jstr(p, "name", ""));
		snprintf(pl.address, sizeof(pl.address), "%s", sf_demo_jstr(p, "address", ""));
		snprintf(pl.operator_name, sizeof(pl.operator_name), "%s",
			 sf_demo_jstr(p, "operator", ""));
		snprintf(pl.notes, sizeof(pl.notes), "%s", sf_demo_jstr(p, "notes", ""));
		pl.unit_id = sf_demo_unit_id(d, sf_json_str(p, "unit"));
		pl.grid_unit_id = sf_demo_unit_id(d, sf_json_str(p, "grid"));
		pl.floors = sf_demo_jint(p, "floors", 0);
		pl.area_m2 = sf_demo_jint(p, "area_m2", 0);
		sf_json_free(p);
		rc = sf_store_place_insert(d->c, &pl, d->now - 200 * DAY, &id);
		if (rc)
			return sf_demo_fail(d, rc, "cannot add a place");
	}
	return 0;
}

struct vg_walk {
	struct sf_demo *d;
	int64_t village;
	int n;
};

static int count_groups(const struct sf_unit *u, void *ctx)
{
	struct vg_walk *w = ctx;

	if (u->parent_id == w->village)
		w->n++;
	return 0;
}

static int collect_group(const struct sf_unit *u, void *ctx)
{
	struct sf_demo *d = ctx;

	if (d->ngroups == d->cgroups) {
		d->cgroups = d->cgroups ? d->cgroups * 2 : 256;
		d->groups = sf_xrealloc(d->groups, d->cgroups * sizeof(*d->groups));
	}
	d->groups[d->ngroups++] = u->id;
	return 0;
}

static int add_groups_of(const char *key, const struct sf_json *val, void *ctx)
{
	struct sf_demo *d = ctx;
	struct sf_unit village, g;
	struct vg_walk w = { d, 0, 0 };
	int64_t want = 0;
	int rc;

	if (!sf_json_as_int(val, &want) || want > 99)
		return sf_error_set(d->err, SF_EINVAL, "demo_registers", "", "bad village_groups");
	w.village = sf_demo_unit_id(d, key);
	if (!w.village || sf_store_unit_get(d->c, w.village, &village))
		return sf_error_set(d->err, SF_EINVAL, "demo_registers", "", "no village %s", key);
	rc = sf_store_unit_each(d->c, "village_group", count_groups, &w);
	for (int n = w.n + 1; !rc && n <= want; n++) {
		char num[16];
		int64_t id;

		memset(&g, 0, sizeof(g));
		g.parent_id = village.id;
		snprintf(g.kind, sizeof(g.kind), "village_group");
		snprintf(g.code, sizeof(g.code), "%.40s-%02d", village.code, n % 100);
		sf_demo_cn_number(n, num, sizeof(num));
		snprintf(g.name_zh, sizeof(g.name_zh), "%.100s%s组", village.name_zh, num);
		g.sort = n;
		rc = sf_store_unit_insert(d->c, &g, d->now - 200 * DAY, &id);
	}
	return rc ? sf_demo_fail(d, rc, "cannot add a village group") : 0;
}

static int group_facts(const struct sf_unit *u, void *ctx)
{
	struct sf_demo *d = ctx;
	struct sf_village_group g;

	memset(&g, 0, sizeof(g));
	g.unit_id = u->id;
	sf_demo_person(d, g.leader_name, sizeof(g.leader_name));
	g.households = 25 + sf_demo_pick(d, 60);
	g.population = g.households * 3 + sf_demo_pick(d, 40);
	return sf_store_village_group_put(d->c, &g);
}

static int load_groups(struct sf_demo *d)
{
	struct sf_json *vg = NULL;
	int rc = sf_json_object(d->doc, "village_groups", &vg);

	if (!rc)
		rc = sf_json_each(vg, add_groups_of, d);
	sf_json_free(vg);
	if (!rc)
		rc = sf_store_unit_each(d->c, "village_group", group_facts, d);
	if (!rc)
		rc = sf_store_unit_each(d->c, "village_group", collect_group, d);
	return rc ? sf_demo_fail(d, rc, "cannot describe the village groups") : 0;
}

/* ---- enterprises and pairing ---- */

static int add_enterprise(struct sf_demo *d, struct sf_enterprise *e, int64_t leader,
			  int64_t liaison, const char *contact)
{
	struct sf_demo_enterprise *x;
	int64_t id;
	bool changed;
	char ph[16];
	int rc;

	if (contact && *contact) {
		snprintf(e->contact_name, sizeof(e->contact_name), "%s", contact);
		sf_demo_phone(d, ph);
		rc = sf_regapi_phone(d->app, ph, "contact_phone", &e->contact_phone, d->err);
		if (rc)
			return rc;
	}
	rc = sf_store_enterprise_insert(d->c, e, d->now - 180 * DAY, &id);
	if (!rc)
		rc = sf_store_pairing_set(d->c, id, leader, liaison, 0, "2019年“三服务”结对",
					  d->now - 180 * DAY, &changed);
	if (rc)
		return sf_demo_fail(d, rc, "cannot add an enterprise");
	if (d->nent == d->cent) {
		d->cent = d->cent ? d->cent * 2 : 256;
		d->ent = sf_xrealloc(d->ent, d->cent * sizeof(*d->ent));
	}
	x = &d->ent[d->nent++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->leader = leader;
	x->liaison = liaison;
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	snprintf(x->contact, sizeof(x->contact), "%s", e->contact_name);
	return 0;
}

static void credit_code(struct sf_demo *d, const char *region, char out[SF_CREDIT_SIZE])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	char body[18];

	snprintf(body, sizeof(body), "91%.6sMA2", region);
	for (int i = 11; i < 17; i++)
		body[i] = alphabet[sf_demo_pick(d, 31)];
	body[17] = '\0';
	snprintf(out, SF_CREDIT_SIZE, "%s%c", body, sf_credit_check_char(body));
}

static int load_enterprises(struct sf_demo *d, const int64_t *leaders, size_t nleaders)
{
	struct sf_json *gen = NULL;
	struct sf_enterprise *e = sf_xmalloc(sizeof(*e));
	size_t named = sf_demo_count(d->doc, "enterprises"), nwords, nind, nsuf, nroads, nlia;
	const char *region;
	int64_t total, grids[3];
	char name[128];
	int rc = sf_json_object(d->doc, "generated_enterprises", &gen);

	if (rc) {
		free(e);
		return sf_error_set(d->err, SF_EINVAL, "demo_registers", "",
				    "generated_enterprises missing");
	}
	total = sf_demo_jint(gen, "total", 150);
	region = sf_demo_jstr(gen, "region_code", "330110");
	nwords = sf_demo_count(gen, "words");
	nind = sf_demo_count(gen, "industries");
	nsuf = sf_demo_count(gen, "suffix");
	nroads = sf_demo_count(gen, "roads");
	nlia = sf_demo_count(gen, "liaisons");
	grids[0] = sf_demo_unit_id(d, "CQ-WG1-JH");
	grids[1] = sf_demo_unit_id(d, "CQ-WG2-LED");
	grids[2] = sf_demo_unit_id(d, "CQ-WG3-HS");
	for (size_t i = 0; !rc && i < named; i++) {
		struct sf_json *x = sf_demo_item(d->doc, "enterprises", i);
		const struct sf_demo_user *l = sf_demo_user(d, sf_demo_jstr(x, "leader", ""));
		const struct sf_demo_user *s = sf_demo_user(d, sf_demo_jstr(x, "liaison", ""));
		struct sf_error te = { 0 };

		memset(e, 0, sizeof(*e));
		credit_code(d, region, e->credit_code);
		snprintf(e->name, sizeof(e->name), "%s", sf_demo_jstr(x, "name", ""));
		snprintf(e->industry_division, sizeof(e->industry_division), "%s",
			 sf_demo_jstr(x, "division", ""));
		e->above_scale = true;
		sf_json_bool(x, "above_scale", &e->above_scale);
		sf_json_bool(x, "key_info", &e->key_info);
		snprintf(e->address, sizeof(e->address), "余杭区仓前街道%s",
			 sf_demo_jstr(x, "address", sf_demo_jstr(x, "place", "")));
		e->unit_id = sf_demo_unit_id(d, sf_json_str(x, "unit"));
		e->grid_unit_id = sf_demo_unit_id(d, sf_json_str(x, "grid"));
		if (sf_json_str(x, "place"))
			sf_store_place_id_by_name(d->c, sf_json_str(x, "place"), &e->place_id);
		sf_regapi_tags_text(sf_demo_jstr(x, "tags", ""), "tags", e->tags, sizeof(e->tags),
				    &te);
		rc = sf_regapi_enterprise_check(d->c, e, d->err);
		if (!rc) {
			char contact[64];

			sf_demo_person(d, contact, sizeof(contact));
			rc = add_enterprise(d, e, l ? l->who.user_id : leaders[0],
					    s ? s->who.user_id : 0,
					    sf_demo_jstr(x, "contact", contact));
		}
		sf_json_free(x);
	}
	for (int64_t i = (int64_t)named; !rc && i < total; i++) {
		size_t ind = (size_t)sf_demo_pick(d, (int)nind);
		struct sf_json *w = sf_demo_item(gen, "words", (size_t)(i % (int64_t)nwords));
		struct sf_json *sfx =
			sf_demo_item(gen, "suffix", (size_t)sf_demo_pick(d, (int)nsuf));
		struct sf_json *road =
			sf_demo_item(gen, "roads", (size_t)sf_demo_pick(d, (int)nroads));
		struct sf_json *lia = sf_demo_item(gen, "liaisons", (size_t)(i % (int64_t)nlia));
		const struct sf_demo_user *s = sf_demo_user(d, lia ? sf_json_as_str(lia) : "");
		char contact[64];
		int64_t other = 0;

		memset(e, 0, sizeof(*e));
		credit_code(d, region, e->credit_code);
		snprintf(name, sizeof(name), "杭州%s%s%s%s", w ? sf_json_as_str(w) : "",
			 i >= (int64_t)nwords ? (i >= 2 * (int64_t)nwords ? "智造" : "数字") : "",
			 sf_demo_nested_str(gen, "industries", ind, 1),
			 sfx ? sf_json_as_str(sfx) : "有限公司");
		snprintf(e->name, sizeof(e->name), "%s", name);
		snprintf(e->industry_division, sizeof(e->industry_division), "%s",
			 sf_demo_nested_str(gen, "industries", ind, 0));
		e->above_scale = sf_demo_pick(d, 100) < 70;
		e->key_info = !e->above_scale || sf_demo_pick(d, 100) < 40;
		snprintf(e->address, sizeof(e->address), "余杭区仓前街道%s%d号",
			 road ? sf_json_as_str(road) : "文一西路", 100 + sf_demo_pick(d, 1900));
		e->unit_id = sf_demo_unit_id(d, (i % 3) == 0 ? "CQ-TYSQ" : "CQ-CQSQ");
		e->grid_unit_id = grids[i % 3];
		snprintf(e->tags, sizeof(e->tags), "%s%s",
			 sf_demo_nested_str(gen, "industries", ind, 2),
			 e->key_info ? ",重点信息经济" : "");
		sf_json_free(w);
		sf_json_free(sfx);
		sf_json_free(road);
		sf_json_free(lia);
		if (sf_store_enterprise_id_by_code(d->c, e->credit_code, &other) == 0)
			continue; /* a generated code met another: skip it */
		rc = sf_regapi_enterprise_check(d->c, e, d->err);
		sf_demo_person(d, contact, sizeof(contact));
		if (!rc)
			rc = add_enterprise(d, e, leaders[(size_t)i % nleaders],
					    s ? s->who.user_id : 0, contact);
	}
	sf_json_free(gen);
	free(e);
	return rc;
}

/* ---- households ---- */

static void fill_pattern(const char *pat, int b, int u, int r, const char *g, int n, char *out,
			 size_t cap)
{
	size_t w = 0;

	for (const char *p = pat; *p && w + 1 < cap;) {
		char piece[96] = "";

		if (!strncmp(p, "{b}", 3))
			snprintf(piece, sizeof(piece), "%d", b);
		else if (!strncmp(p, "{u}", 3))
			snprintf(piece, sizeof(piece), "%d", u);
		else if (!strncmp(p, "{r}", 3))
			snprintf(piece, sizeof(piece), "%d", r);
		else if (!strncmp(p, "{n}", 3))
			snprintf(piece, sizeof(piece), "%d", n);
		else if (!strncmp(p, "{g}", 3))
			snprintf(piece, sizeof(piece), "%s", g);
		if (piece[0] || !strncmp(p, "{g}", 3)) {
			w += (size_t)snprintf(out + w, cap - w, "%s", piece);
			p += 3;
			continue;
		}
		out[w++] = *p++;
	}
	out[w < cap ? w : cap - 1] = '\0';
}

static int load_households(struct sf_demo *d)
{
	struct sf_household *h = sf_xmalloc(sizeof(*h));
	size_t n = sf_demo_count(d->doc, "households");
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		struct sf_json *x = sf_demo_item(d->doc, "households", i);
		int64_t unit = sf_demo_unit_id(d, sf_json_str(x, "unit")), place = 0, want;
		bool village = false;
		int64_t vgroups[128];
		size_t nvg = 0;
		struct sf_unit vu;

		sf_json_bool(x, "village", &village);
		if (sf_json_str(x, "place"))
			sf_store_place_id_by_name(d->c, sf_json_str(x, "place"), &place);
		want = sf_demo_jint(x, "count", 0);
		if (village && sf_store_unit_get(d->c, unit, &vu) == 0) {
			for (size_t g = 0; g < d->ngroups && nvg < 128; g++) {
				struct sf_unit gu;

				if (sf_store_unit_get(d->c, d->groups[g], &gu) == 0 &&
				    gu.parent_id == unit)
					vgroups[nvg++] = gu.id;
			}
		}
		for (int64_t k = 0; !rc && k < want; k++) {
			char ph[16], idn[20], gname[64] = "";
			int64_t other = 0;

			memset(h, 0, sizeof(*h));
			h->unit_id = unit;
			h->place_id = place;
			if (village && nvg) {
				struct sf_unit gu;

				h->group_unit_id = vgroups[k % (int64_t)nvg];
				if (sf_store_unit_get(d->c, h->group_unit_id, &gu) == 0) {
					const char *tail = gu.name_zh + strlen(vu.name_zh);

					snprintf(gname, sizeof(gname), "%s",
						 strlen(gu.name_zh) > strlen(vu.name_zh) ? tail
											 : "");
				}
				fill_pattern(sf_demo_jstr(x, "pattern", ""), 0, 0, 0, gname,
					     (int)(k / (int64_t)nvg) + 1 + sf_demo_pick(d, 3) * 10,
					     h->address, sizeof(h->address));
			} else {
				int b = 1 + sf_demo_pick(d, (int)sf_demo_jint(x, "buildings", 10));
				int u = 1 + sf_demo_pick(d, (int)sf_demo_jint(x, "units", 2));
				int r = (1 + sf_demo_pick(d, (int)sf_demo_jint(x, "floors", 11))) *
						100 +
					1 + sf_demo_pick(d, 2);

				fill_pattern(sf_demo_jstr(x, "pattern", ""), b, u, r, "", 0,
					     h->address, sizeof(h->address));
			}
			if (sf_store_household_id_by_address(d->c, h->address, &other) == 0)
				continue; /* the same flat drawn twice */
			sf_demo_person(d, h->head_name, sizeof(h->head_name));
			h->members = 1 + sf_demo_pick(d, 6);
			if (sf_demo_pick(d, 100) < 85) {
				sf_demo_phone(d, ph);
				rc = sf_regapi_phone(d->app, ph, "phone", &h->phone, d->err);
			}
			if (!rc && sf_demo_pick(d, 100) < 50) {
				sf_demo_id_number(d, idn);
				rc = sf_regapi_id_no(d->app, idn, "id_no", &h->id_no, d->err);
			}
			if (!rc && village)
				snprintf(h->tags, sizeof(h->tags), "农户");
			else if (!rc && place && sf_demo_pick(d, 100) < 30)
				snprintf(h->tags, sizeof(h->tags), "征迁安置");
			if (!rc)
				rc = sf_store_household_insert(d->c, h, d->now - 150 * DAY, &other);
			if (!rc) {
				if (d->nhh == d->chh) {
					d->chh = d->chh ? d->chh * 2 : 1024;
					d->hh = sf_xrealloc(d->hh, d->chh * sizeof(*d->hh));
				}
				d->hh[d->nhh].id = other;
				d->hh[d->nhh].unit_id = h->group_unit_id ? h->group_unit_id : unit;
				snprintf(d->hh[d->nhh].person, sizeof(d->hh[d->nhh].person), "%s",
					 h->head_name);
				d->nhh++;
			} else if (!d->err->rc) {
				rc = sf_demo_fail(d, rc, "cannot add a household");
			}
		}
		sf_json_free(x);
	}
	free(h);
	return rc;
}

/* ---- campaigns ---- */

static int load_campaigns(struct sf_demo *d)
{
	size_t n = sf_demo_count(d->doc, "campaigns");
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	int rc = 0;

	for (size_t i = 0; !rc && i < n && i < 3; i++) {
		struct sf_json *x = sf_demo_item(d->doc, "campaigns", i);
		const struct sf_demo_user *by = sf_demo_user(d, "leader");
		int64_t added = 0;

		memset(cp, 0, sizeof(cp[0]));
		snprintf(cp->name, sizeof(cp->name), "%s", sf_demo_jstr(x, "name", ""));
		snprintf(cp->theme, sizeof(cp->theme), "%s", sf_demo_jstr(x, "theme", ""));
		snprintf(cp->target_kind, sizeof(cp->target_kind), "%s",
			 sf_demo_jstr(x, "target_kind", "household"));
		if (sf_json_has(x, "quarter")) {
			struct sf_time_parts p;

			cp->starts_at = sf_pairing_quarter_start(d->now);
			sf_time_local_parts(cp->starts_at + 100 * DAY, &p);
			sf_time_from_local(p.year, p.month, 1, 0, 0, 0, &cp->ends_at);
			cp->ends_at -= 1;
		} else {
			cp->starts_at = sf_time_local_day_start(
				d->now - sf_demo_jint(x, "days_before", 30) * DAY);
			cp->ends_at = sf_time_local_day_start(
					      d->now + sf_demo_jint(x, "days_after", 30) * DAY) +
				      DAY - 1;
		}
		for (size_t k = 0; k < sf_demo_count(x, "templates"); k++) {
			size_t used = strlen(cp->templates);

			snprintf(cp->templates + used, sizeof(cp->templates) - used, "%s%s",
				 used ? "," : "", sf_json_array_str(x, "templates", k));
		}
		cp->created_by = by ? by->who.user_id : 0;
		rc = sf_store_campaign_insert(d->c, cp, cp->starts_at - DAY, &d->campaign[i]);
		if (!rc)
			rc = sf_store_campaign_add_unit(d->c, d->campaign[i], cp->target_kind, "/",
							&added);
		for (size_t k = 0; !rc && k < sf_demo_count(x, "members"); k++) {
			const struct sf_demo_user *m =
				sf_demo_user(d, sf_json_array_str(x, "members", k));

			if (m)
				rc = sf_store_campaign_add_member(d->c, d->campaign[i],
								  m->who.user_id,
								  sf_demo_jstr(x, "team", ""));
		}
		if (!rc && !strcmp(cp->target_kind, "enterprise"))
			for (size_t k = 0; !rc && k < d->nent; k++) {
				const struct sf_demo_user *l =
					sf_demo_user_by_id(d, d->ent[k].leader);

				rc = sf_store_campaign_add_target(d->c, d->campaign[i],
								  d->ent[k].id, d->ent[k].leader,
								  l ? "班子成员结对" : "");
			}
		sf_json_free(x);
	}
	free(cp);
	return rc ? sf_demo_fail(d, rc, "cannot add a campaign") : 0;
}

/* ---- the whole ---- */

static int have_registers(struct sf_demo *d, bool *yes)
{
	struct sf_enterprise_filter f = { 0 };
	int64_t n = 0;
	int rc;

	f.scope_all = true;
	f.above_scale = f.key_info = f.paired = -1;
	rc = sf_store_enterprise_count(d->c, &f, &n);
	*yes = n > 0;
	return rc;
}

int sf_demo_registers(struct sf_app *app, struct sf_error *err)
{
	struct sf_demo d;
	struct sf_json *plan = NULL;
	char file[1100];
	int64_t leaders[64];
	size_t nleaders = 0, cursor = 0;
	bool loaded = false;
	int rc;

	memset(&d, 0, sizeof(d));
	d.app = app;
	d.err = err;
	d.now = sf_time_now();
	snprintf(file, sizeof(file), "%s/demo/registers.json", app->cfg.data_dir);
	rc = sf_json_load_file(file, 4u << 20, &d.doc, err);
	if (rc)
		return rc;
	d.rng = (uint64_t)sf_demo_jint(d.doc, "random_seed", 20190530) | 1;
	d.c = sf_db_get(app->db);
	rc = have_registers(&d, &loaded);
	if (!rc && loaded)
		rc = sf_error_set(err, SF_ECONFLICT, "demo_registers", "",
				  "the database already has enterprises; the demo registers are "
				  "loaded only once");
	if (!rc)
		rc = sf_store_user_each(d.c, NULL, load_user, &d);
	if (rc)
		goto out;
	qsort(d.users, d.nusers, sizeof(*d.users), cmp_user_id);
	for (size_t i = 0; i < d.nusers && nleaders < 64; i++)
		if (d.users[i].who.role == SF_ROLE_LEADER)
			leaders[nleaders++] = d.users[i].who.user_id;
	if (!nleaders) {
		rc = sf_error_set(err, SF_EINVAL, "demo_registers", "",
				  "no leaders: load cangqian.json first (sanfu seed-demo)");
		goto out;
	}
	/* The registers in one transaction... */
	rc = sf_conn_begin(d.c, true);
	if (!rc)
		rc = load_places(&d);
	if (!rc)
		rc = load_groups(&d);
	if (!rc)
		rc = load_enterprises(&d, leaders, nleaders);
	if (!rc)
		rc = load_households(&d);
	if (!rc)
		rc = load_campaigns(&d);
	if (!rc)
		rc = sf_conn_commit(d.c);
	if (rc) {
		sf_conn_rollback(d.c);
		if (!err->rc)
			sf_demo_fail(&d, rc, "cannot load the registers");
		goto out;
	}
	/* ...then the season of visits through the services, one by one. */
	rc = sf_json_object(d.doc, "visits", &plan);
	if (rc) {
		rc = sf_error_set(err, SF_EINVAL, "demo_registers", "", "visits missing");
		goto out;
	}
	rc = sf_demo_enterprise_visits(&d, plan, &cursor);
	if (!rc)
		rc = sf_demo_household_visits(&d, plan, &cursor);
	if (!rc)
		rc = sf_demo_village_visits(&d, plan, &cursor);
	if (rc)
		goto out;
	printf("registers: %zu enterprises paired with %zu leaders, %zu households, %zu village "
	       "groups; %lld visits, %lld hazards, %lld orders raised on visits (%lld solved)\n",
	       d.nent, nleaders, d.nhh, d.ngroups, (long long)d.visits, (long long)d.hazards,
	       (long long)d.orders, (long long)d.solved);
out:
	sf_json_free(plan);
	sf_db_put(app->db, d.c);
	sf_json_free(d.doc);
	free(d.users);
	free(d.hh);
	free(d.ent);
	free(d.groups);
	return rc;
}

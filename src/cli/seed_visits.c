/* The season of visits of the Cangqian demo (see seed_registers.c): the
 * households, enterprises and village groups visited by the people whose
 * work it is, with their checklists, the hazards found and fixed, and the
 * problems raised, each carried as an order through the departments to
 * its return call. Everything goes through sf_visits_record and
 * sf_orders_act, as a person at the console would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "api/pairing.h"
#include "api/visits.h"
#include "cli/seed_registers.h"
#include "store/catalog.h"
#include "store/unit.h"
#include "store/visit.h"
#include "util/mem.h"
#include "util/timefmt.h"

#define DAY 86400
#define HOUR 3600

/* ---- visits, hazards, orders ---- */

/* Carry an order raised at t through the departments to resolved and,
 * when there was time, to the return call, the rating and the archive. */
static void carry_order(struct sf_demo *d, int64_t order_id, const char *category, int64_t t,
			const char *result, const char *contact)
{
	const struct sf_demo_user *disp = sf_demo_user(d, "dispatcher");
	struct sf_category cat;
	const struct sf_demo_user *h;
	struct sf_order_act a;
	struct sf_error e = { 0 };
	int64_t resolve_at;

	if (!disp || t > d->now - 4 * DAY)
		return; /* recent: still with the departments */
	memset(&cat, 0, sizeof(cat));
	if (sf_store_category_by_code(d->c, category, &cat))
		return;
	h = sf_demo_dept_worker(d, cat.dept_unit_id);
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_ACCEPT;
	if (sf_orders_act(d->app, d->c, &disp->who, order_id, &a, t + HOUR, &e))
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_ASSIGN;
	a.unit_id = cat.dept_unit_id;
	if (!h || sf_orders_act(d->app, d->c, &disp->who, order_id, &a, t + 2 * HOUR, &e))
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_START;
	if (sf_orders_act(d->app, d->c, &h->who, order_id, &a, t + 5 * HOUR, &e))
		goto out;
	resolve_at = t + (1 + sf_demo_pick(d, 3)) * DAY + sf_demo_pick(d, 8) * HOUR;
	if (resolve_at > d->now - HOUR)
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_RESOLVE;
	a.text = result;
	if (sf_orders_act(d->app, d->c, &h->who, order_id, &a, resolve_at, &e))
		goto out;
	d->solved++;
	if (resolve_at + 2 * DAY > d->now)
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_RETURN_CALL;
	a.channel = sf_demo_pick(d, 2) ? "phone" : "visit";
	a.contact = contact && *contact ? contact : NULL;
	a.text = "回访：问题已解决，对处理结果表示满意。";
	if (sf_orders_act(d->app, d->c, &disp->who, order_id, &a, resolve_at + DAY, &e))
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_RATE;
	a.rating = sf_demo_pick(d, 10) ? SF_RATING_SATISFIED : SF_RATING_BASIC;
	if (sf_orders_act(d->app, d->c, &disp->who, order_id, &a, resolve_at + DAY + 60, &e))
		goto out;
	memset(&a, 0, sizeof(a));
	a.action = SF_ORDER_ACTION_CLOSE;
	sf_orders_act(d->app, d->c, &disp->who, order_id, &a, resolve_at + DAY + 3 * HOUR, &e);
out:
	sf_category_release(&cat);
}

/* Rectify (and verify) an older hazard; leave recent ones open. */
static void carry_hazard(struct sf_demo *d, int64_t hazard_id, int64_t found_at, int64_t by)
{
	const struct sf_demo_user *ver = sf_demo_user(d, "pingan");
	int64_t fixed = found_at + (1 + sf_demo_pick(d, 6)) * DAY;

	if (sf_demo_pick(d, 100) < 15 || fixed > d->now - DAY)
		return; /* some stay open, a few past their deadline */
	if (sf_store_hazard_rectify(d->c, hazard_id, by, "已按要求整改完毕，现场拍照留存。", fixed))
		return;
	if (fixed + 2 * DAY < d->now && ver)
		sf_store_hazard_verify(d->c, hazard_id, ver->who.user_id, true,
				       "复查合格，隐患已消除。", fixed + 2 * DAY);
}

/* A problem of the list for this kind of target, round robin. */
static struct sf_json *problem_for(struct sf_demo *d, const char *kind, size_t *cursor)
{
	size_t n = sf_demo_count(d->doc, "problems");

	for (size_t k = 0; k < n; k++) {
		struct sf_json *p = sf_demo_item(d->doc, "problems", (*cursor + k) % n);

		if (p && !strcmp(sf_demo_jstr(p, "kind", ""), kind)) {
			*cursor = (*cursor + k + 1) % n;
			return p;
		}
		sf_json_free(p);
	}
	return NULL;
}

static struct sf_json *hazard_for(struct sf_demo *d, const char *kind)
{
	size_t n = sf_demo_count(d->doc, "hazards"), start = (size_t)sf_demo_pick(d, (int)n);

	for (size_t k = 0; k < n; k++) {
		struct sf_json *h = sf_demo_item(d->doc, "hazards", (start + k) % n);

		if (h && !strcmp(sf_demo_jstr(h, "kind", ""), kind))
			return h;
		sf_json_free(h);
	}
	return NULL;
}

struct one_visit {
	const struct sf_demo_user *by;
	const char *kind;
	int64_t target;
	int64_t campaign;
	const char *method;
	int64_t at;
	const char *notes;
	struct sf_visit_check_in checks[4];
	size_t nchecks;
	bool hazard;
	bool problem;
	const char *contact;
};

static int visit(struct sf_demo *d, struct one_visit *v, size_t *pcursor)
{
	struct sf_visit_input in;
	struct sf_visit_hazard_in hz = { 0 };
	struct sf_visit_problem_in pr[2];
	struct sf_visit_recorded *rec = sf_xcalloc(1, sizeof(*rec));
	struct sf_json *hj = NULL, *pj = NULL;
	const char *results[2] = { NULL, NULL }, *cats[2] = { NULL, NULL };
	int rc;

	memset(&in, 0, sizeof(in));
	memset(pr, 0, sizeof(pr));
	in.campaign_id = v->campaign;
	in.target_kind = v->kind;
	in.target_id = v->target;
	in.method = v->method;
	in.visited_at = v->at;
	in.notes = v->notes;
	in.checks = v->checks;
	in.nchecks = v->nchecks;
	if (v->hazard && (hj = hazard_for(d, v->kind))) {
		hz.type = sf_demo_jstr(hj, "type", "other");
		hz.severity = sf_demo_jstr(hj, "severity", "general");
		hz.description = sf_demo_jstr(hj, "description", "");
		hz.days = 0;
		in.hazards = &hz;
		in.nhazards = 1;
	}
	if (v->problem && (pj = problem_for(d, v->kind, pcursor))) {
		pr[0].title = sf_demo_jstr(pj, "title", "");
		pr[0].description = sf_demo_jstr(pj, "description", "");
		pr[0].category_code = sf_demo_jstr(pj, "category", "other");
		pr[0].hazard = -1;
		results[0] = sf_demo_jstr(pj, "result", "已办结。");
		cats[0] = pr[0].category_code;
		in.nproblems = 1;
	}
	if (in.nhazards && !strcmp(hz.severity, "major")) {
		/* a major hazard is also a work order to the safety office */
		pr[in.nproblems].title = "重大隐患整改督办";
		pr[in.nproblems].description = hz.description;
		pr[in.nproblems].category_code =
			!strcmp(hz.type, "fire") ? "fire_hazard" : "work_safety";
		pr[in.nproblems].hazard = 0;
		results[in.nproblems] = "平安办督促整改到位，复查合格。";
		cats[in.nproblems] = pr[in.nproblems].category_code;
		in.nproblems++;
	}
	in.problems = pr;
	rc = sf_visits_record(d->app, d->c, &v->by->who, &in, v->at + 600, rec, d->err);
	if (!rc) {
		d->visits++;
		for (size_t k = 0; k < rec->norders && k < 2; k++) {
			d->orders++;
			carry_order(d, rec->order_ids[k], cats[k], v->at + 600, results[k],
				    v->contact);
		}
		for (size_t k = 0; k < rec->nhazards; k++) {
			d->hazards++;
			carry_hazard(d, rec->hazard_ids[k], v->at, v->by->who.user_id);
		}
	}
	sf_json_free(hj);
	sf_json_free(pj);
	free(rec);
	return rc;
}

static int64_t evening(struct sf_demo *d, int64_t day_start)
{
	return day_start + (19 * 60 + sf_demo_pick(d, 150)) * 60;
}

static int64_t office(struct sf_demo *d, int64_t day_start)
{
	return day_start + (9 * 60 + sf_demo_pick(d, 7 * 60)) * 60;
}

int sf_demo_household_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor)
{
	static const char *const needs[] = { "无",       "无",   "无",   "交通出行", "子女就学",
					     "计生咨询", "就业", "医疗", "住房",     "其他" };
	static const char *const sats[] = { "满意", "满意", "满意", "基本满意", "不满意" };
	int64_t want = sf_demo_jint(plan, "households", 340),
		repeats = sf_demo_jint(plan, "household_repeats", 0);
	int64_t days = sf_demo_jint(plan, "days", 58),
		hazard_pct = sf_demo_jint(plan, "hazard_percent", 10);
	size_t step = d->nhh > 0 ? 7 : 1;
	int rc = 0;

	if ((int64_t)d->nhh < want)
		want = (int64_t)d->nhh;
	for (int64_t k = 0; !rc && k < want + repeats; k++) {
		/* every household once (a stride through them), then some again */
		struct sf_demo_household *h = &d->hh[(size_t)((k % want) * (int64_t)step) % d->nhh];
		struct sf_unit u;
		const struct sf_demo_user *by;
		struct one_visit v;
		char answers[256];
		int64_t day =
			sf_time_local_day_start(d->now - (1 + sf_demo_pick(d, (int)days)) * DAY);

		if (sf_store_unit_get(d->c, h->unit_id, &u) ||
		    !(by = sf_demo_area_worker(d, u.path)))
			continue;
		memset(&v, 0, sizeof(v));
		v.by = by;
		v.kind = "household";
		v.target = h->id;
		v.campaign = d->campaign[0];
		v.method = sf_demo_pick(d, 3) ? "night" : "home";
		v.at = evening(d, day);
		if (v.at > d->now - HOUR)
			v.at = d->now - 2 * HOUR;
		v.notes = "组团联村夜访，了解家庭情况和诉求。";
		snprintf(answers, sizeof(answers),
			 "{\"members_home\":%d,\"elderly\":%d,\"need\":\"%s\",\"satisfaction\":"
			 "\"%s\"}",
			 1 + sf_demo_pick(d, 4), sf_demo_pick(d, 3) == 0 ? 1 : 0,
			 needs[sf_demo_pick(d, 10)], sats[sf_demo_pick(d, 5)]);
		v.checks[0].template_code = "household_survey";
		v.checks[0].answers_json = answers;
		v.nchecks = 1;
		v.hazard = sf_demo_pick(d, 100) < hazard_pct;
		v.problem = k % 12 == 3; /* about one in twelve households raises something */
		v.contact = h->person;
		rc = visit(d, &v, pcursor);
	}
	return rc;
}

int sf_demo_enterprise_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor)
{
	int64_t want = sf_demo_jint(plan, "enterprises", 110),
		days = sf_demo_jint(plan, "days", 58);
	int64_t qstart = sf_pairing_quarter_start(d->now);
	int64_t from = qstart > d->now - days * DAY ? qstart : d->now - days * DAY;
	int span = (int)((d->now - from) / DAY);
	int rc = 0;

	if ((int64_t)d->nent < want)
		want = (int64_t)d->nent;
	for (int64_t k = 0; !rc && k < want; k++) {
		struct sf_demo_enterprise *e = &d->ent[(size_t)k];
		const struct sf_demo_user *by =
			sf_demo_user_by_id(d, k % 4 == 3 && e->liaison ? e->liaison : e->leader);
		struct one_visit v;
		char a1[200], a2[160], a3[160], a4[200];
		int64_t day = sf_time_local_day_start(d->now -
						      (span > 1 ? sf_demo_pick(d, span) : 0) * DAY);

		if (!by)
			continue;
		memset(&v, 0, sizeof(v));
		v.by = by;
		v.kind = "enterprise";
		v.target = e->id;
		v.campaign = d->campaign[1];
		v.method = "enterprise";
		v.at = office(d, day);
		if (v.at < from)
			v.at = from + HOUR;
		if (v.at > d->now - HOUR)
			v.at = d->now - 2 * HOUR;
		v.notes = "“三服务”入企走访，高层消防、楼宇党建、人才排摸、项目对接多线融合。";
		snprintf(a1, sizeof(a1),
			 "{\"exits_clear\":%s,\"extinguishers_ok\":%s,\"alarms_ok\":true,"
			 "\"ebike_indoor\":false,\"drill\":\"%s\"}",
			 sf_demo_pick(d, 6) ? "true" : "false",
			 sf_demo_pick(d, 5) ? "true" : "false",
			 sf_demo_pick(d, 3) ? "已演练" : "未演练");
		snprintf(a2, sizeof(a2),
			 "{\"party_org\":\"%s\",\"party_members\":%d,\"activities\":%s}",
			 sf_demo_pick(d, 2) ? "已建独立党组织" : "联合党支部",
			 3 + sf_demo_pick(d, 40), sf_demo_pick(d, 4) ? "true" : "false");
		snprintf(a3, sizeof(a3), "{\"high_level\":%d,\"graduates\":%d,\"housing_need\":%s}",
			 sf_demo_pick(d, 12), sf_demo_pick(d, 30),
			 sf_demo_pick(d, 3) ? "false" : "true");
		snprintf(a4, sizeof(a4),
			 "{\"approval_need\":%s,\"space_need\":%s,\"customs_need\":%s}",
			 sf_demo_pick(d, 5) ? "false" : "true",
			 sf_demo_pick(d, 4) ? "false" : "true",
			 sf_demo_pick(d, 8) ? "false" : "true");
		v.checks[0] = (struct sf_visit_check_in){ "fire_highrise", a1 };
		v.checks[1] = (struct sf_visit_check_in){ "party_building", a2 };
		v.checks[2] = (struct sf_visit_check_in){ "talent_survey", a3 };
		v.checks[3] = (struct sf_visit_check_in){ "project_matching", a4 };
		v.nchecks = 4;
		v.hazard = sf_demo_pick(d, 100) < 15;
		/* 纤纳光电 (the first) told its leader of the power cuts, as in the report */
		v.problem = k == 0 || k % 6 == 2;
		if (k == 0) {
			size_t n = sf_demo_count(d->doc, "problems");

			for (size_t j = 0; j < n; j++) {
				struct sf_json *p = sf_demo_item(d->doc, "problems", j);

				if (p && !strcmp(sf_demo_jstr(p, "category", ""), "power_supply"))
					*pcursor = j;
				sf_json_free(p);
			}
			v.at = office(d, sf_time_local_day_start(from + DAY));
		}
		v.contact = e->contact;
		rc = visit(d, &v, pcursor);
	}
	return rc;
}

int sf_demo_village_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor)
{
	int64_t want = sf_demo_jint(plan, "villages", 60), days = sf_demo_jint(plan, "days", 58);
	int rc = 0;

	if ((int64_t)d->ngroups < want)
		want = (int64_t)d->ngroups;
	for (int64_t k = 0; !rc && k < want; k++) {
		int64_t g = d->groups[(size_t)(k * 3) % d->ngroups];
		struct sf_unit u;
		const struct sf_demo_user *by;
		struct one_visit v;
		int64_t day =
			sf_time_local_day_start(d->now - (1 + sf_demo_pick(d, (int)days)) * DAY);

		if (sf_store_unit_get(d->c, g, &u) || !(by = sf_demo_area_worker(d, u.path)))
			continue;
		memset(&v, 0, sizeof(v));
		v.by = by;
		v.kind = "village";
		v.target = g;
		v.campaign = d->campaign[2];
		v.method = "site";
		v.at = office(d, day);
		if (v.at > d->now - HOUR)
			v.at = d->now - 2 * HOUR;
		v.notes = "召开组长、党员、村民代表座谈，商议组级整治方案。";
		v.hazard = sf_demo_pick(d, 100) < 12;
		v.problem = k % 7 == 1;
		rc = visit(d, &v, pcursor);
	}
	return rc;
}

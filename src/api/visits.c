/* Recording visits (the service of visits.h) and the visit handlers:
 * list, get (with checklists, hazards and orders), create, raise a further
 * problem, and the checklist templates. Campaigns are in
 * visits_campaign.c, hazards and the headline counts in visits_hazard.c.
 *
 * Orders: sf_orders_create opens and commits its own transaction (see
 * api/orders.c), so it cannot run inside the visit's. The visit is
 * therefore written first (after every input, the problems' categories
 * included, has been checked), then each order is created, then the links
 * are written; an order that still fails is reported, not hidden. */
#include "api/visits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/orders.h"
#include "api/registers_impl.h"
#include "api/visits_impl.h"
#include "domain/calendar.h"
#include "store/catalog.h"
#include "store/visit.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"

static const char *const target_kinds[] = { "household", "enterprise", "place", "village", NULL };
static const char *const methods[] = { "home", "night", "enterprise", "phone", "site",
				       "meeting", NULL };
static const char *const hazard_types[] = { "fire", "electrical", "gas", "structural",
					    "production", "traffic", "environment", "other",
					    NULL };
static const char *const severities[] = { "minor", "general", "major", NULL };

bool sf_visitapi_one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

int sf_visitapi_target(struct sf_conn *c, const struct sf_principal *who, const char *kind,
		       int64_t id, struct sf_visit_target *t, struct sf_error *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->kind, sizeof(t->kind), "%s", kind ? kind : "");
	t->id = id;
	if (!sf_visitapi_one_of(kind, target_kinds))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "target_kind",
				    "target_kind must be household, enterprise, place or village");
	if (!strcmp(kind, "household")) {
		struct sf_household *h = sf_xmalloc(sizeof(*h));

		rc = sf_store_household_get(c, id, h);
		if (!rc) {
			snprintf(t->name, sizeof(t->name), "%s", h->address);
			snprintf(t->address, sizeof(t->address), "%s", h->address);
			snprintf(t->person, sizeof(t->person), "%s", h->head_name);
			t->unit_id = h->group_unit_id ? h->group_unit_id : h->unit_id;
			snprintf(t->path, sizeof(t->path), "%s",
				 h->group_unit_id ? h->group_path : h->unit_path);
			t->visible = sf_regapi_sees_household(who, h);
		}
		free(h);
	} else if (!strcmp(kind, "enterprise")) {
		struct sf_enterprise *e = sf_xmalloc(sizeof(*e));

		rc = sf_store_enterprise_get(c, id, e);
		if (!rc) {
			struct sf_unit u;

			snprintf(t->name, sizeof(t->name), "%s", e->name);
			snprintf(t->address, sizeof(t->address), "%s", e->address);
			snprintf(t->org, sizeof(t->org), "%s", e->name);
			snprintf(t->person, sizeof(t->person), "%s", e->contact_name);
			t->enterprise_id = e->id;
			t->unit_id = e->unit_id ? e->unit_id : e->grid_unit_id;
			if (t->unit_id && sf_store_unit_get(c, t->unit_id, &u) == 0)
				snprintf(t->path, sizeof(t->path), "%s", u.path);
			t->visible = sf_regapi_sees_enterprise(who, e);
		}
		free(e);
	} else if (!strcmp(kind, "place")) {
		struct sf_place *p = sf_xmalloc(sizeof(*p));

		rc = sf_store_place_get(c, id, p);
		if (!rc) {
			struct sf_unit u;

			snprintf(t->name, sizeof(t->name), "%s", p->name);
			snprintf(t->address, sizeof(t->address), "%s", p->address);
			t->unit_id = p->unit_id ? p->unit_id : p->grid_unit_id;
			if (t->unit_id && sf_store_unit_get(c, t->unit_id, &u) == 0)
				snprintf(t->path, sizeof(t->path), "%s", u.path);
			/* places are public facts; visiting one is everyone's work */
			t->visible = true;
		}
		free(p);
	} else {
		struct sf_unit u;

		rc = sf_store_unit_get(c, id, &u);
		if (!rc && strcmp(u.kind, "village") && strcmp(u.kind, "village_group"))
			rc = SF_ENOTFOUND;
		if (!rc) {
			snprintf(t->name, sizeof(t->name), "%s", u.name_zh);
			t->unit_id = u.id;
			snprintf(t->path, sizeof(t->path), "%s", u.path);
			t->visible = sf_regapi_sees_path(who, u.path);
		}
	}
	if (rc == SF_ENOTFOUND)
		return sf_error_set(err, SF_ENOTFOUND, "not_found", "target_id",
				    "no %s with id %lld", kind, (long long)id);
	if (rc)
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the target");
	return 0;
}

/* ---- checking the input ---- */

struct answer_walk {
	struct sf_json *items;
	size_t idx;
	struct sf_error *err;
};

static int check_answer(const char *key, const struct sf_json *val, void *vctx);

/* Check answers (a JSON object) against a template's items. */
static int check_answers(const struct sf_checklist *t, const char *answers, size_t idx,
			 struct sf_error *err)
{
	struct sf_json *items = NULL, *ans = NULL;
	struct sf_error perr = { 0 };
	struct answer_walk walk;
	int rc;

	if (!answers || !*answers)
		return 0;
	rc = sf_json_parse(answers, strlen(answers), &ans, &perr);
	if (rc)
		return sf_error_set(err, SF_EINVAL, "invalid_field", "checks", "checks[%zu].answers "
									       "is not a JSON object",
				    idx);
	rc = sf_json_parse_any(t->items, strlen(t->items), &items, &perr);
	if (rc) {
		sf_json_free(ans);
		return sf_error_set(err, SF_EINTERNAL, "internal", "",
				    "template %s has broken items", t->code);
	}
	walk.items = items;
	walk.idx = idx;
	walk.err = err;
	rc = sf_json_each(ans, check_answer, &walk);
	sf_json_free(ans);
	sf_json_free(items);
	return rc;
}

static int check_answer(const char *key, const struct sf_json *val, void *vctx)
{
	struct answer_walk *walk = vctx;
	size_t n = sf_json_len(walk->items);
	enum sf_json_kind k = sf_json_kind(val);

	for (size_t i = 0; i < n; i++) {
		struct sf_json *it = NULL;
		const char *ikey, *type;
		bool ok = false;

		if (sf_json_at(walk->items, i, &it))
			continue;
		ikey = sf_json_str(it, "key");
		type = sf_json_str(it, "type");
		if (!ikey || strcmp(ikey, key)) {
			sf_json_free(it);
			continue;
		}
		if (k == SF_JSON_NULL)
			ok = true;
		else if (!strcmp(type, "bool"))
			ok = k == SF_JSON_BOOL;
		else if (!strcmp(type, "number"))
			ok = k == SF_JSON_INT || k == SF_JSON_REAL;
		else if (!strcmp(type, "text"))
			ok = k == SF_JSON_STRING && strlen(sf_json_as_str(val)) <= 3000;
		else if (!strcmp(type, "choice")) {
			const char *v = sf_json_as_str(val);
			size_t no = sf_json_array_len(it, "options");

			for (size_t j = 0; v && j < no; j++)
				if (!strcmp(v, sf_json_array_str(it, "options", j)))
					ok = true;
		}
		sf_json_free(it);
		if (!ok)
			return sf_error_set(walk->err, SF_EINVAL, "invalid_field", "checks",
					    "checks[%zu].answers.%.40s must be a %s answer", walk->idx,
					    key, type);
		return 0;
	}
	return sf_error_set(walk->err, SF_EINVAL, "unknown_field", "checks",
			    "checks[%zu].answers.%.40s is not an item of the template", walk->idx,
			    key);
}

static int check_problem(struct sf_conn *c, const struct sf_visit_problem_in *p, size_t i,
			 size_t nhazards, struct sf_error *err)
{
	struct sf_category cat;
	char field[48];
	int rc;

	snprintf(field, sizeof(field), "problems[%zu].title", i);
	rc = sf_regapi_text(p->title, field, 100, true, false, err);
	snprintf(field, sizeof(field), "problems[%zu].description", i);
	if (!rc)
		rc = sf_regapi_text(p->description, field, 4000, true, true, err);
	snprintf(field, sizeof(field), "problems[%zu].requester_name", i);
	if (!rc)
		rc = sf_regapi_text(p->requester_name, field, SF_REG_PERSON_MAX, false, false, err);
	if (rc)
		return rc;
	snprintf(field, sizeof(field), "problems[%zu].hazard", i);
	if (p->hazard >= (int)nhazards || p->hazard < -1)
		return sf_error_set(err, SF_EINVAL, "out_of_range", field,
				    "%s must be the index of a hazard of this visit", field);
	snprintf(field, sizeof(field), "problems[%zu].category", i);
	if (sf_regapi_blank(p->category_code))
		return sf_error_set(err, SF_EINVAL, "missing_field", field, "%s is required",
				    field);
	memset(&cat, 0, sizeof(cat));
	rc = sf_store_category_by_code(c, p->category_code, &cat);
	if (rc == SF_ENOTFOUND || (!rc && !cat.active)) {
		sf_category_release(&cat);
		return sf_error_set(err, SF_EINVAL, "unknown_reference", field,
				    "no active category %.48s", p->category_code);
	}
	sf_category_release(&cat);
	if (rc)
		return sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the category");
	return 0;
}

static int default_days(const char *severity)
{
	if (!strcmp(severity, "major"))
		return 3;
	if (!strcmp(severity, "general"))
		return 10;
	return 20;
}

int64_t sf_visitapi_deadline(struct sf_app *app, int64_t start, int days)
{
	int64_t d;

	pthread_rwlock_rdlock(&app->cal_lock);
	d = sf_calendar_deadline(&app->cal, start, days);
	pthread_rwlock_unlock(&app->cal_lock);
	return d;
}

/* Create one problem's order and link it. */
static int raise_one(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     const struct sf_visit_target *t, int64_t visit_id, int64_t hazard_id,
		     const struct sf_visit_problem_in *p, int64_t now, int64_t *order_id,
		     char code[32], struct sf_error *err)
{
	struct sf_order_input in;
	struct sf_order_created made;
	char attrs[96];
	int rc;

	memset(&in, 0, sizeof(in));
	if (hazard_id)
		snprintf(attrs, sizeof(attrs), "{\"visit_id\":%lld,\"hazard_id\":%lld}",
			 (long long)visit_id, (long long)hazard_id);
	else
		snprintf(attrs, sizeof(attrs), "{\"visit_id\":%lld}", (long long)visit_id);
	in.title = p->title;
	in.description = p->description;
	in.category_code = p->category_code;
	in.channel = "visit";
	in.requester_kind = t->enterprise_id ? "enterprise" : "person";
	in.requester_name = !sf_regapi_blank(p->requester_name) ? p->requester_name
			    : t->person[0]			 ? t->person
								 : NULL;
	in.requester_phone = p->requester_phone;
	in.requester_org = t->org[0] ? t->org : NULL;
	in.enterprise_id = t->enterprise_id;
	in.address = t->address[0] ? t->address : NULL;
	in.area_unit_id = t->unit_id;
	in.attrs_json = attrs;
	rc = sf_orders_create(app, c, who, &in, true, now, &made, err);
	if (rc)
		return rc;
	*order_id = made.id;
	snprintf(code, 32, "%s", made.code);
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_visit_link_order(c, visit_id, made.id);
	if (!rc && hazard_id)
		rc = sf_store_hazard_set_order(c, hazard_id, made.id);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		return sf_error_set(err, rc, "storage_error", "",
				    "order %s was created but could not be linked to the visit",
				    made.code);
	}
	return 0;
}

int sf_visits_record(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     const struct sf_visit_input *in, int64_t now, struct sf_visit_recorded *out,
		     struct sf_error *err)
{
	struct sf_visit_target t;
	struct sf_checklist *tmpl = NULL;
	struct sf_visit *v = NULL;
	struct sf_hazard *h = NULL;
	int64_t tmpl_ids[SF_VISIT_MAX_CHECKS];
	char field[48];
	int rc;

	memset(out, 0, sizeof(*out));
	if (in->nchecks > SF_VISIT_MAX_CHECKS || in->nhazards > SF_VISIT_MAX_HAZARDS ||
	    in->nproblems > SF_VISIT_MAX_PROBLEMS)
		return sf_error_set(err, SF_EINVAL, "too_many", "",
				    "a visit holds at most %d checklists, %d hazards and %d problems",
				    SF_VISIT_MAX_CHECKS, SF_VISIT_MAX_HAZARDS,
				    SF_VISIT_MAX_PROBLEMS);
	if (!(SF_ROLES_STAFF & SF_ROLE_BIT(who->role)) || !who->user_id)
		return sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				    "only staff record visits");
	if (!sf_visitapi_one_of(in->method, methods))
		return sf_error_set(err, SF_EINVAL, in->method ? "invalid_field" : "missing_field",
				    "method",
				    "method must be home, night, enterprise, phone, site or meeting");
	rc = sf_regapi_text(in->companions, "companions", 100, false, false, err);
	if (!rc)
		rc = sf_regapi_text(in->notes, "notes", 2000, false, true, err);
	if (rc)
		return rc;
	if (in->visited_at > now + 600 || (in->visited_at && in->visited_at < now - 366 * 86400))
		return sf_error_set(err, SF_EINVAL, "out_of_range", "visited_at",
				    "visited_at must be within the last year and not in the future");
	rc = sf_visitapi_target(c, who, in->target_kind, in->target_id, &t, err);
	if (rc)
		return rc;
	if (in->campaign_id) {
		struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
		int64_t at = in->visited_at ? in->visited_at : now;
		bool member = false;

		rc = sf_store_campaign_get(c, in->campaign_id, cp);
		if (rc == SF_ENOTFOUND)
			rc = sf_error_set(err, SF_EINVAL, "unknown_reference", "campaign_id",
					  "no campaign %lld", (long long)in->campaign_id);
		else if (rc)
			rc = sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the campaign");
		else if (strcmp(cp->target_kind, t.kind))
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", "target_kind",
					  "campaign %s visits %ss, not %ss", cp->name, cp->target_kind,
					  t.kind);
		else if (at < cp->starts_at || at > cp->ends_at)
			rc = sf_error_set(err, SF_EINVAL, "out_of_range", "visited_at",
					  "the visit is outside the period of campaign %s", cp->name);
		if (!rc && !t.visible &&
		    sf_store_campaign_is_member(c, in->campaign_id, who->user_id, &member) == 0 &&
		    member)
			t.visible = true;
		free(cp);
		if (rc)
			return rc;
	}
	if (!t.visible)
		return sf_error_set(err, SF_EFORBIDDEN, "out_of_scope", "target_id",
				    "the %s is outside your scope", t.kind);
	tmpl = sf_xmalloc(sizeof(*tmpl));
	for (size_t i = 0; i < in->nchecks; i++) {
		snprintf(field, sizeof(field), "checks[%zu].template", i);
		rc = in->checks[i].template_code
			     ? sf_store_checklist_by_code(c, in->checks[i].template_code, tmpl)
			     : SF_ENOTFOUND;
		if (rc == SF_ENOTFOUND || (!rc && !tmpl->active)) {
			rc = sf_error_set(err, SF_EINVAL, "unknown_reference", field,
					  "%s: no active checklist template %.48s", field,
					  in->checks[i].template_code ? in->checks[i].template_code
								      : "");
			goto out;
		}
		if (rc) {
			rc = sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the template");
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (tmpl_ids[j] == tmpl->id) {
				rc = sf_error_set(err, SF_EINVAL, "duplicate", field,
						  "%s: template %s is given twice", field, tmpl->code);
				goto out;
			}
		tmpl_ids[i] = tmpl->id;
		rc = check_answers(tmpl, in->checks[i].answers_json, i, err);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < in->nhazards; i++) {
		const struct sf_visit_hazard_in *hz = &in->hazards[i];

		snprintf(field, sizeof(field), "hazards[%zu].type", i);
		if (!sf_visitapi_one_of(hz->type, hazard_types)) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", field,
					  "%s must be fire, electrical, gas, structural, production, "
					  "traffic, environment or other",
					  field);
			goto out;
		}
		snprintf(field, sizeof(field), "hazards[%zu].severity", i);
		if (!sf_visitapi_one_of(hz->severity, severities)) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", field,
					  "%s must be minor, general or major", field);
			goto out;
		}
		snprintf(field, sizeof(field), "hazards[%zu].days", i);
		if (hz->days < 0 || hz->days > 90) {
			rc = sf_error_set(err, SF_EINVAL, "out_of_range", field,
					  "%s must be 1 to 90 working days", field);
			goto out;
		}
		snprintf(field, sizeof(field), "hazards[%zu].description", i);
		rc = sf_regapi_text(hz->description, field, 1000, true, true, err);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < in->nproblems; i++) {
		rc = check_problem(c, &in->problems[i], i, in->nhazards, err);
		if (rc)
			goto out;
	}

	/* Everything is checked: the visit, its checklists and hazards. */
	v = sf_xcalloc(1, sizeof(*v));
	h = sf_xcalloc(1, sizeof(*h));
	v->campaign_id = in->campaign_id;
	snprintf(v->target_kind, sizeof(v->target_kind), "%s", t.kind);
	v->target_id = t.id;
	snprintf(v->target_name, sizeof(v->target_name), "%s", t.name);
	v->unit_id = t.unit_id;
	v->visitor_user_id = who->user_id;
	snprintf(v->companions, sizeof(v->companions), "%s", in->companions ? in->companions : "");
	snprintf(v->method, sizeof(v->method), "%s", in->method);
	v->visited_at = in->visited_at ? in->visited_at : now;
	snprintf(v->notes, sizeof(v->notes), "%s", in->notes ? in->notes : "");
	rc = sf_conn_begin(c, true);
	if (rc) {
		rc = sf_error_set(err, rc, "busy", "", "the database is busy; try again");
		goto out;
	}
	rc = sf_store_visit_insert(c, v, now, &out->visit_id);
	for (size_t i = 0; !rc && i < in->nchecks; i++)
		rc = sf_store_visit_check_put(c, out->visit_id, tmpl_ids[i],
					      in->checks[i].answers_json &&
							      *in->checks[i].answers_json
						      ? in->checks[i].answers_json
						      : "{}");
	for (size_t i = 0; !rc && i < in->nhazards; i++) {
		const struct sf_visit_hazard_in *hz = &in->hazards[i];

		memset(h, 0, sizeof(*h));
		h->visit_id = out->visit_id;
		snprintf(h->target_kind, sizeof(h->target_kind), "%s", t.kind);
		h->target_id = t.id;
		snprintf(h->target_name, sizeof(h->target_name), "%s", t.name);
		h->unit_id = t.unit_id;
		snprintf(h->type, sizeof(h->type), "%s", hz->type);
		snprintf(h->severity, sizeof(h->severity), "%s", hz->severity);
		snprintf(h->description, sizeof(h->description), "%s", hz->description);
		h->found_at = v->visited_at;
		h->found_by = who->user_id;
		h->days = hz->days ? hz->days : default_days(hz->severity);
		h->deadline = sf_visitapi_deadline(app, v->visited_at, (int)h->days);
		rc = sf_store_hazard_insert(c, h, now, &out->hazard_ids[i]);
		if (!rc)
			out->nhazards++;
	}
	if (!rc) {
		if (!strcmp(t.kind, "household"))
			rc = sf_store_household_visited(c, t.id, v->visited_at);
		else if (!strcmp(t.kind, "enterprise"))
			rc = sf_store_enterprise_visited(c, t.id, v->visited_at);
		else if (!strcmp(t.kind, "village"))
			rc = sf_store_village_group_visited(c, t.id, v->visited_at);
	}
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		memset(out, 0, sizeof(*out));
		rc = sf_error_set(err, rc == SF_EBUSY ? SF_EBUSY : SF_EDB, "storage_error", "",
				  "cannot save the visit: %s", sf_conn_errmsg(c));
		goto out;
	}
	/* Then the orders, each in its own transaction, and their links. */
	for (size_t i = 0; i < in->nproblems; i++) {
		const struct sf_visit_problem_in *p = &in->problems[i];
		int64_t hz = p->hazard >= 0 ? out->hazard_ids[p->hazard] : 0;
		struct sf_error oerr = { 0 };
		int orc = raise_one(app, c, who, &t, out->visit_id, hz, p, now,
				    &out->order_ids[out->norders], out->order_codes[out->norders],
				    &oerr);

		if (orc) {
			if (!out->failed_orders++)
				out->order_error = oerr;
			continue;
		}
		out->norders++;
	}
	rc = 0;
out:
	free(tmpl);
	free(v);
	free(h);
	return rc;
}

int sf_visits_raise(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		    int64_t visit_id, const struct sf_visit_problem_in *p, int64_t now,
		    int64_t *order_id, struct sf_error *err)
{
	struct sf_visit *v = sf_xmalloc(sizeof(*v));
	struct sf_visit_target t;
	struct sf_visit_problem_in q = *p;
	char code[32];
	int rc = sf_store_visit_get(c, visit_id, v);

	if (rc == SF_ENOTFOUND) {
		rc = sf_error_set(err, SF_ENOTFOUND, "not_found", "", "no visit %lld",
				  (long long)visit_id);
		goto out;
	}
	if (rc) {
		rc = sf_error_set(err, SF_EDB, "storage_error", "", "cannot read the visit");
		goto out;
	}
	rc = sf_visitapi_target(c, who, v->target_kind, v->target_id, &t, err);
	if (rc)
		goto out;
	if (!t.visible && v->visitor_user_id != who->user_id) {
		rc = sf_error_set(err, SF_ENOTFOUND, "not_found", "", "no visit %lld",
				  (long long)visit_id);
		goto out;
	}
	q.hazard = -1;
	rc = check_problem(c, &q, 0, 0, err);
	if (!rc)
		rc = raise_one(app, c, who, &t, visit_id, 0, &q, now, order_id, code, err);
out:
	free(v);
	return rc;
}

/* ---- HTTP: visits ---- */

static void write_visit_head(struct sf_jw *w, const struct sf_visit *v)
{
	sf_jw_kint(w, "id", v->id);
	sf_regapi_kref(w, "campaign", v->campaign_id, v->campaign_name);
	sf_jw_key(w, "target");
	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "kind", v->target_kind);
	sf_jw_kint(w, "id", v->target_id);
	sf_jw_kstr(w, "name", v->target_name);
	sf_jw_obj_end(w);
	sf_regapi_kref(w, "unit", v->unit_id, v->unit_name);
	sf_regapi_kref(w, "visitor", v->visitor_user_id, v->visitor_name);
	sf_jw_kstr(w, "companions", v->companions);
	sf_jw_kstr(w, "method", v->method);
	sf_regapi_kiso(w, "visited_at", v->visited_at);
	sf_jw_kstr(w, "notes", v->notes);
	sf_jw_kint(w, "hazards", v->hazards);
	sf_jw_kint(w, "orders", v->orders);
	sf_regapi_kiso(w, "created_at", v->created_at);
}

struct vlist_ctx {
	struct sf_jw *w;
	int64_t last;
	int n;
};

static int list_visit(const struct sf_visit *v, void *vctx)
{
	struct vlist_ctx *ctx = vctx;

	sf_jw_obj_begin(ctx->w);
	write_visit_head(ctx->w, v);
	sf_jw_obj_end(ctx->w);
	ctx->last = v->id;
	ctx->n++;
	return 0;
}

int sf_api_visits_list(struct sf_req *req)
{
	struct sf_visit_filter f = { 0 };
	char unit_path[128];
	const char *kind = sf_req_query(req, "target_kind");
	struct sf_jw w;
	struct vlist_ctx ctx = { &w, 0, 0 };
	int64_t order_id = 0;
	bool present;
	int limit;
	int rc = sf_regapi_query_unit_path(req, "unit_id", unit_path, sizeof(unit_path));

	if (kind && *kind && !sf_visitapi_one_of(kind, target_kinds))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "target_kind",
				   "target_kind must be household, enterprise, place or village");
	if (!rc)
		rc = sf_api_query_int(req, "target_id", 1, INT64_MAX, &f.target_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "campaign_id", 1, INT64_MAX, &f.campaign_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "visitor_id", 1, INT64_MAX, &f.visitor_user_id, NULL);
	if (!rc)
		rc = sf_api_query_int(req, "order_id", 1, INT64_MAX, &order_id, NULL);
	if (!rc)
		rc = sf_api_query_time(req, "since", false, &f.since, &present);
	if (!rc)
		rc = sf_api_query_time(req, "until", true, &f.until, &present);
	if (!rc)
		rc = sf_api_query_int(req, "before", 1, INT64_MAX, &f.before_id, NULL);
	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (rc)
		return rc;
	f.scope_all = sf_regapi_privileged(&req->who);
	f.scope_path = req->who.unit_path;
	f.scope_user = req->who.user_id;
	f.target_kind = kind && *kind ? kind : NULL;
	f.unit_path = unit_path[0] ? unit_path : NULL;
	f.limit = limit;
	if (order_id) {
		/* the other way of the link: the visit an order was raised on */
		int64_t vid = 0;

		rc = sf_store_visit_of_order(sf_req_conn(req), order_id, &vid);
		if (rc && rc != SF_ENOTFOUND)
			return sf_regapi_store_fail(req, rc, "", "cannot read the link");
		f.before_id = vid + 1;
		f.limit = 1;
		if (rc == SF_ENOTFOUND)
			f.before_id = 1; /* nothing */
	}
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_visit_list(sf_req_conn(req), &f, list_visit, &ctx);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the visits");
	sf_jw_arr_end(&w);
	if (ctx.n == f.limit && !order_id)
		sf_jw_kint(&w, "next", ctx.last);
	else
		sf_jw_knull(&w, "next");
	sf_jw_obj_end(&w);
	return 0;
}

static int write_check(const struct sf_visit_check *k, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kstr(w, "template", k->code);
	sf_jw_kstr(w, "name", k->name);
	sf_jw_kstr(w, "line", k->line);
	sf_jw_kraw(w, "answers", k->answers && *k->answers ? k->answers : "{}");
	sf_jw_obj_end(w);
	return 0;
}

static int write_vorder(const struct sf_visit_order *o, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", o->order_id);
	sf_jw_kstr(w, "code", o->code);
	sf_jw_kstr(w, "title", o->title);
	sf_jw_kstr(w, "state", o->state);
	sf_regapi_kiso(w, "created_at", o->created_at);
	sf_jw_obj_end(w);
	return 0;
}

static int write_vhazard(const struct sf_hazard *h, void *vctx)
{
	sf_visitapi_write_hazard(vctx, h, 0);
	return 0;
}

/* Load a visit the person may see; 404 otherwise. */
static int load_visit(struct sf_req *req, int64_t id, struct sf_visit *v)
{
	struct sf_visit_target t;
	struct sf_error e = { 0 };
	int rc = sf_store_visit_get(sf_req_conn(req), id, v);

	if (!rc && !sf_regapi_sees_path(&req->who, v->unit_path) &&
	    v->visitor_user_id != req->who.user_id &&
	    !(sf_visitapi_target(sf_req_conn(req), &req->who, v->target_kind, v->target_id, &t,
				 &e) == 0 &&
	      t.visible && !strcmp(v->target_kind, "enterprise")))
		rc = SF_ENOTFOUND;
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no visit %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the visit");
	return 0;
}

static int reply_visit(struct sf_req *req, int status, int64_t id,
		       const struct sf_visit_recorded *rec)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_visit *v = sf_xmalloc(sizeof(*v));
	struct sf_hazard_filter hf = { 0 };
	struct sf_jw w;
	int rc = load_visit(req, id, v);

	if (rc) {
		free(v);
		return rc;
	}
	sf_req_reply_json(req, status, &w);
	sf_jw_obj_begin(&w);
	write_visit_head(&w, v);
	sf_jw_key(&w, "checks");
	sf_jw_arr_begin(&w);
	rc = sf_store_visit_checks(c, id, write_check, &w);
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "hazard_list");
	sf_jw_arr_begin(&w);
	hf.scope_all = true;
	hf.visit_id = id;
	hf.limit = SF_VISIT_MAX_HAZARDS;
	hf.now = req->now;
	if (!rc)
		rc = sf_store_hazard_list(c, &hf, write_vhazard, &w);
	sf_jw_arr_end(&w);
	sf_jw_key(&w, "order_list");
	sf_jw_arr_begin(&w);
	if (!rc)
		rc = sf_store_visit_orders(c, id, write_vorder, &w);
	sf_jw_arr_end(&w);
	if (rec && rec->failed_orders) {
		sf_jw_key(&w, "problem_errors");
		sf_jw_obj_begin(&w);
		sf_jw_kint(&w, "failed", (int64_t)rec->failed_orders);
		sf_jw_kstr(&w, "code", rec->order_error.code);
		sf_jw_kstr(&w, "message", rec->order_error.message);
		sf_jw_kstr(&w, "field", rec->order_error.field);
		sf_jw_obj_end(&w);
	}
	sf_jw_obj_end(&w);
	free(v);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the visit");
	return 0;
}

int sf_api_visits_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_visit(req, 200, id, NULL);
}

static const struct sf_jfield visit_spec[] = {
	{ "campaign_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "target_kind", SF_JT_STRING, true, 16, 0, 0 },
	{ "target_id", SF_JT_INT, true, 0, 1, INT64_MAX },
	{ "method", SF_JT_STRING, true, 16, 0, 0 },
	{ "visited_at", SF_JT_STRING, false, 40, 0, 0 },
	{ "companions", SF_JT_STRING, false, 100, 0, 0 },
	{ "notes", SF_JT_TEXT, false, 2000, 0, 0 },
	{ "checks", SF_JT_ANY, false, 0, 0, 0 },
	{ "hazards", SF_JT_ANY, false, 0, 0, 0 },
	{ "problems", SF_JT_ANY, false, 0, 0, 0 },
	{ 0 },
};

static const struct sf_jfield check_spec[] = {
	{ "template", SF_JT_STRING, true, 48, 0, 0 },
	{ "answers", SF_JT_OBJECT, false, 100, 0, 0 },
	{ 0 },
};

static const struct sf_jfield hazard_spec[] = {
	{ "type", SF_JT_STRING, true, 24, 0, 0 },
	{ "severity", SF_JT_STRING, true, 16, 0, 0 },
	{ "description", SF_JT_TEXT, true, 1000, 0, 0 },
	{ "days", SF_JT_INT, false, 0, 1, 90 },
	{ 0 },
};

static const struct sf_jfield problem_spec[] = {
	{ "title", SF_JT_STRING, true, 100, 0, 0 },
	{ "description", SF_JT_TEXT, true, 4000, 0, 0 },
	{ "category", SF_JT_STRING, true, 48, 0, 0 },
	{ "requester_name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "requester_phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "hazard", SF_JT_INT, false, 0, 0, SF_VISIT_MAX_HAZARDS - 1 },
	{ 0 },
};

/* Check item i of the array at key against spec; prefix the error's field
 * with "key[i].". *item is lent (free it). */
static int array_item(struct sf_req *req, const struct sf_json *body, const char *key, size_t i,
		      const struct sf_jfield *spec, struct sf_json **item)
{
	struct sf_json *arr = NULL;
	int rc = sf_json_get(body, key, &arr);

	*item = NULL;
	if (!rc)
		rc = sf_json_at(arr, i, item);
	sf_json_free(arr);
	if (rc)
		return sf_req_fail(req, SF_EINVAL, "invalid_type", key, "%s must be an array of objects",
				   key);
	rc = sf_json_check(*item, spec, &req->err);
	if (rc) {
		char f[64];

		snprintf(f, sizeof(f), "%s[%zu]%s%.40s", key, i, req->err.field[0] ? "." : "",
			 req->err.field);
		snprintf(req->err.field, sizeof(req->err.field), "%s", f);
		sf_json_free(*item);
		*item = NULL;
	}
	return rc;
}

static int array_len(struct sf_req *req, const struct sf_json *body, const char *key, size_t max,
		     size_t *n)
{
	struct sf_json *arr = NULL;

	*n = 0;
	if (!sf_json_has(body, key))
		return 0;
	if (sf_json_get(body, key, &arr) || sf_json_kind(arr) != SF_JSON_ARRAY) {
		sf_json_free(arr);
		return sf_req_fail(req, SF_EINVAL, "invalid_type", key, "%s must be an array", key);
	}
	*n = sf_json_len(arr);
	sf_json_free(arr);
	if (*n > max)
		return sf_req_fail(req, SF_EINVAL, "too_long", key, "%s has more than %zu items", key,
				   max);
	return 0;
}

int sf_api_visits_create(struct sf_req *req)
{
	struct sf_json *b = NULL;
	struct sf_json *items[SF_VISIT_MAX_CHECKS + SF_VISIT_MAX_HAZARDS + SF_VISIT_MAX_PROBLEMS];
	size_t nitems = 0;
	struct sf_visit_check_in checks[SF_VISIT_MAX_CHECKS];
	struct sf_visit_hazard_in hazards[SF_VISIT_MAX_HAZARDS];
	struct sf_visit_problem_in problems[SF_VISIT_MAX_PROBLEMS];
	char *answers[SF_VISIT_MAX_CHECKS] = { 0 };
	struct sf_visit_input in;
	struct sf_visit_recorded *rec = sf_xcalloc(1, sizeof(*rec));
	const char *at;
	int rc = sf_req_json(req, visit_spec, &b);

	memset(&in, 0, sizeof(in));
	if (rc)
		goto out;
	sf_json_int(b, "campaign_id", &in.campaign_id);
	in.target_kind = sf_json_str(b, "target_kind");
	sf_json_int(b, "target_id", &in.target_id);
	in.method = sf_json_str(b, "method");
	in.companions = sf_json_str(b, "companions");
	in.notes = sf_json_str(b, "notes");
	at = sf_json_str(b, "visited_at");
	if (at && sf_time_parse_iso(at, &in.visited_at)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "visited_at",
				 "visited_at must be an ISO 8601 time with offset");
		goto out;
	}
	rc = array_len(req, b, "checks", SF_VISIT_MAX_CHECKS, &in.nchecks);
	if (!rc)
		rc = array_len(req, b, "hazards", SF_VISIT_MAX_HAZARDS, &in.nhazards);
	if (!rc)
		rc = array_len(req, b, "problems", SF_VISIT_MAX_PROBLEMS, &in.nproblems);
	for (size_t i = 0; !rc && i < in.nchecks; i++) {
		struct sf_json *it, *ans = NULL;
		struct sf_buf buf;

		rc = array_item(req, b, "checks", i, check_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		checks[i].template_code = sf_json_str(it, "template");
		if (sf_json_object(it, "answers", &ans) == 0) {
			sf_buf_init(&buf, 64 << 10);
			sf_json_dump(ans, &buf);
			answers[i] = sf_buf_detach(&buf, NULL);
			sf_json_free(ans);
		}
		checks[i].answers_json = answers[i];
	}
	for (size_t i = 0; !rc && i < in.nhazards; i++) {
		struct sf_json *it;
		int64_t days = 0;

		rc = array_item(req, b, "hazards", i, hazard_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		hazards[i].type = sf_json_str(it, "type");
		hazards[i].severity = sf_json_str(it, "severity");
		hazards[i].description = sf_json_str(it, "description");
		sf_json_int(it, "days", &days);
		hazards[i].days = (int)days;
	}
	for (size_t i = 0; !rc && i < in.nproblems; i++) {
		struct sf_json *it;
		int64_t hz = -1;

		rc = array_item(req, b, "problems", i, problem_spec, &it);
		if (rc)
			break;
		items[nitems++] = it;
		problems[i].title = sf_json_str(it, "title");
		problems[i].description = sf_json_str(it, "description");
		problems[i].category_code = sf_json_str(it, "category");
		problems[i].requester_name = sf_json_str(it, "requester_name");
		problems[i].requester_phone = sf_json_str(it, "requester_phone");
		sf_json_int(it, "hazard", &hz);
		problems[i].hazard = (int)hz;
	}
	if (rc)
		goto out;
	in.checks = checks;
	in.hazards = hazards;
	in.problems = problems;
	rc = sf_visits_record(req->app, sf_req_conn(req), &req->who, &in, req->now, rec,
			      &req->err);
	if (!rc)
		rc = reply_visit(req, 201, rec->visit_id, rec);
out:
	for (size_t i = 0; i < nitems; i++)
		sf_json_free(items[i]);
	for (size_t i = 0; i < SF_VISIT_MAX_CHECKS; i++)
		free(answers[i]);
	free(rec);
	sf_json_free(b);
	return rc;
}

int sf_api_visits_raise(struct sf_req *req)
{
	struct sf_json *b = NULL;
	struct sf_visit_problem_in p;
	int64_t id, order_id = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, problem_spec, &b);
	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	p.title = sf_json_str(b, "title");
	p.description = sf_json_str(b, "description");
	p.category_code = sf_json_str(b, "category");
	p.requester_name = sf_json_str(b, "requester_name");
	p.requester_phone = sf_json_str(b, "requester_phone");
	p.hazard = -1;
	rc = sf_visits_raise(req->app, sf_req_conn(req), &req->who, id, &p, req->now, &order_id,
			     &req->err);
	sf_json_free(b);
	return rc ? rc : reply_visit(req, 201, id, NULL);
}

/* ---- checklist templates ---- */

static int write_template(const struct sf_checklist *t, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", t->id);
	sf_jw_kstr(w, "code", t->code);
	sf_jw_kstr(w, "name", t->name);
	sf_jw_kstr(w, "line", t->line);
	sf_regapi_ktags(w, "target_kinds", t->target_kinds);
	sf_jw_kraw(w, "items", t->items[0] ? t->items : "[]");
	sf_jw_kbool(w, "active", t->active);
	sf_jw_kint(w, "sort", t->sort);
	sf_jw_obj_end(w);
	return 0;
}

int sf_api_checklists_list(struct sf_req *req)
{
	struct sf_jw w;
	int all = -1;
	int rc = sf_regapi_query_flag(req, "all", &all);

	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_checklist_each(sf_req_conn(req), all != 1, write_template, &w);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the templates");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

static const struct sf_jfield template_spec[] = {
	{ "code", SF_JT_STRING, true, 40, 0, 0 },
	{ "name", SF_JT_STRING, true, 50, 0, 0 },
	{ "line", SF_JT_STRING, true, 40, 0, 0 },
	{ "target_kinds", SF_JT_STRING_ARRAY, false, 4, 0, 0 },
	{ "items", SF_JT_ANY, true, 0, 0, 0 },
	{ "active", SF_JT_BOOL, false, 0, 0, 0 },
	{ "sort", SF_JT_INT, false, 0, 0, 10000 },
	{ 0 },
};

static const struct sf_jfield item_spec[] = {
	{ "key", SF_JT_STRING, true, 32, 0, 0 },
	{ "label", SF_JT_STRING, true, 60, 0, 0 },
	{ "type", SF_JT_STRING, true, 8, 0, 0 },
	{ "options", SF_JT_STRING_ARRAY, false, 20, 0, 0 },
	{ 0 },
};

static bool key_ok(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

int sf_api_checklists_put(struct sf_req *req)
{
	static const char *const item_types[] = { "bool", "number", "text", "choice", NULL };
	struct sf_json *b = NULL, *items = NULL;
	struct sf_checklist *t = sf_xcalloc(1, sizeof(*t));
	struct sf_buf buf;
	struct sf_jw w;
	bool active = true;
	int64_t id = 0;
	size_t n;
	int rc = sf_req_json(req, template_spec, &b);

	sf_buf_init(&buf, SF_CHECKLIST_ITEMS_MAX - 1);
	if (rc)
		goto out;
	if (!key_ok(sf_json_str(b, "code"))) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "code",
				 "code uses lowercase letters, digits and _");
		goto out;
	}
	if (sf_json_get(b, "items", &items) || sf_json_kind(items) != SF_JSON_ARRAY ||
	    (n = sf_json_len(items)) == 0 || n > 50) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
				 "items must be an array of 1 to 50 objects");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct sf_json *it = NULL;
		const char *type;

		rc = sf_json_at(items, i, &it);
		if (!rc)
			rc = sf_json_check(it, item_spec, &req->err);
		type = sf_json_str(it, "type");
		if (!rc && !key_ok(sf_json_str(it, "key")))
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu].key uses lowercase letters, digits and _", i);
		if (!rc && !sf_visitapi_one_of(type, item_types))
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu].type must be bool, number, text or choice", i);
		if (!rc && !strcmp(type, "choice") && sf_json_array_len(it, "options") == 0)
			rc = sf_req_fail(req, SF_EINVAL, "missing_field", "items",
					 "items[%zu] is a choice without options", i);
		if (rc && !req->err.rc)
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "items",
					 "items[%zu] is not valid", i);
		sf_json_free(it);
		if (rc)
			goto out;
	}
	sf_json_dump(items, &buf);
	if (!sf_buf_ok(&buf)) {
		rc = sf_req_fail(req, SF_ETOOBIG, "too_long", "items", "the items are too long");
		goto out;
	}
	snprintf(t->code, sizeof(t->code), "%s", sf_json_str(b, "code"));
	snprintf(t->name, sizeof(t->name), "%s", sf_json_str(b, "name"));
	snprintf(t->line, sizeof(t->line), "%s", sf_json_str(b, "line"));
	snprintf(t->items, sizeof(t->items), "%s", buf.data);
	for (size_t i = 0; i < sf_json_array_len(b, "target_kinds"); i++) {
		const char *k = sf_json_array_str(b, "target_kinds", i);
		size_t used = strlen(t->target_kinds);

		if (!sf_visitapi_one_of(k, target_kinds)) {
			rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "target_kinds",
					 "target_kinds are household, enterprise, place, village");
			goto out;
		}
		snprintf(t->target_kinds + used, sizeof(t->target_kinds) - used, "%s%s",
			 used ? "," : "", k);
	}
	sf_json_bool(b, "active", &active);
	t->active = active;
	sf_json_int(b, "sort", &t->sort);
	rc = sf_store_checklist_upsert(sf_req_conn(req), t, req->now, &id);
	if (!rc)
		rc = sf_store_checklist_by_code(sf_req_conn(req), t->code, t);
	if (rc) {
		rc = sf_regapi_store_fail(req, rc, "code", "cannot save the template");
		goto out;
	}
	sf_req_reply_json(req, 200, &w);
	write_template(t, &w);
out:
	sf_buf_release(&buf);
	sf_json_free(items);
	sf_json_free(b);
	free(t);
	return rc;
}

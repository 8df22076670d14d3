/* Recording visits: the service of visits.h (sf_visits_record,
 * sf_visits_raise) and the target resolution the visit handlers share.
 * The handlers are in visits_http.c, campaigns in visits_campaign.c,
 * hazards and the headline counts in visits_hazard.c.
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
static const char *const methods[] = { "home", "night",   "enterprise", "phone",
				       "site", "meeting", NULL };
static const char *const hazard_types[] = { "fire",        "electrical", "gas",
					    "structural",  "production", "traffic",
					    "environment", "other",      NULL };
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
			t->in_area = t->visible;
			t->archived = h->archived.at != 0;
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
			t->in_area = t->visible;
			t->archived = e->archived.at != 0;
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
			t->in_area = sf_regapi_sees_place(who, p);
			t->archived = p->archived.at != 0;
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
			t->in_area = t->visible;
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
		return sf_error_set(err, SF_EINVAL, "invalid_field", "checks",
				    "checks[%zu].answers "
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
					    "checks[%zu].answers.%.40s must be a %s answer",
					    walk->idx, key, type);
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
			    : t->person[0]                      ? t->person
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
		return sf_error_set(
			err, SF_EINVAL, "too_many", "",
			"a visit holds at most %d checklists, %d hazards and %d problems",
			SF_VISIT_MAX_CHECKS, SF_VISIT_MAX_HAZARDS, SF_VISIT_MAX_PROBLEMS);
	if (!(SF_ROLES_STAFF & SF_ROLE_BIT(who->role)) || !who->user_id)
		return sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				    "only staff record visits");
	if (!sf_visitapi_one_of(in->method, methods))
		return sf_error_set(
			err, SF_EINVAL, in->method ? "invalid_field" : "missing_field", "method",
			"method must be home, night, enterprise, phone, site or meeting");
	rc = sf_regapi_text(in->companions, "companions", 100, false, false, err);
	if (!rc)
		rc = sf_regapi_text(in->notes, "notes", 2000, false, true, err);
	if (rc)
		return rc;
	if (in->visited_at > now + 600 || (in->visited_at && in->visited_at < now - 366 * 86400))
		return sf_error_set(
			err, SF_EINVAL, "out_of_range", "visited_at",
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
			rc = sf_error_set(err, SF_EDB, "storage_error", "",
					  "cannot read the campaign");
		else if (strcmp(cp->target_kind, t.kind))
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", "target_kind",
					  "campaign %s visits %ss, not %ss", cp->name,
					  cp->target_kind, t.kind);
		else if (cp->closed_at)
			rc = sf_error_set(err, SF_ECONFLICT, "campaign_closed", "campaign_id",
					  "campaign %s is closed and takes no new visits",
					  cp->name);
		else if (at < cp->starts_at || at > cp->ends_at)
			rc = sf_error_set(err, SF_EINVAL, "out_of_range", "visited_at",
					  "the visit is outside the period of campaign %s",
					  cp->name);
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
	if (t.archived)
		return sf_error_set(err, SF_ECONFLICT, "archived", "target_id",
				    "%s %lld is archived and takes no new visits; restore it first",
				    t.kind, (long long)t.id);
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
			rc = sf_error_set(err, SF_EDB, "storage_error", "",
					  "cannot read the template");
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (tmpl_ids[j] == tmpl->id) {
				rc = sf_error_set(err, SF_EINVAL, "duplicate", field,
						  "%s: template %s is given twice", field,
						  tmpl->code);
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
			rc = sf_error_set(
				err, SF_EINVAL, "invalid_field", field,
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

/* Campaigns (走访主题: 组级整治, 村级消薄, 民情大排摸 ...) over HTTP: a
 * theme, a period, the kind of target, the target list (chosen one by one
 * or all of a unit's households, enterprises, places or village groups),
 * the people and teams assigned, and the coverage: who was visited within
 * the period and who not yet. Organised by admin, leaders and dispatchers
 * (changed and closed by admin and leaders); every staff member reads
 * them, the coverage shown within their scope. A closed campaign takes no
 * new visits and no more changes. */
#include "api/visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/registers_impl.h"
#include "api/visits_impl.h"
#include "domain/calendar.h"
#include "store/audit.h"
#include "store/user.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/mem.h"

#define MAX_IDS 1000

static const char *const target_kinds[] = { "household", "enterprise", "place", "village", NULL };

static void write_campaign(struct sf_jw *w, const struct sf_campaign *cp)
{
	sf_jw_kint(w, "id", cp->id);
	sf_jw_kstr(w, "name", cp->name);
	sf_jw_kstr(w, "theme", cp->theme);
	sf_jw_kstr(w, "target_kind", cp->target_kind);
	sf_jw_ktime(w, "starts_at", cp->starts_at);
	sf_jw_ktime(w, "ends_at", cp->ends_at);
	sf_regapi_kref(w, "unit", cp->unit_id, cp->unit_name);
	sf_regapi_ktags(w, "templates", cp->templates);
	sf_jw_kstr(w, "notes", cp->notes);
	sf_regapi_kref(w, "created_by", cp->created_by, cp->created_by_name);
	sf_jw_ktime(w, "created_at", cp->created_at);
	sf_jw_kint(w, "targets", cp->targets);
	sf_jw_kint(w, "visited", cp->visited);
	sf_jw_kint(w, "members", cp->members);
	sf_jw_ktime(w, "closed_at", cp->closed_at);
	sf_regapi_kref(w, "closed_by", cp->closed_at ? cp->closed_by : 0, cp->closed_by_name);
}

static int list_one(const struct sf_campaign *cp, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	write_campaign(w, cp);
	sf_jw_obj_end(w);
	return 0;
}

int sf_api_campaigns_list(struct sf_req *req)
{
	struct sf_jw w;
	int active = -1, limit;
	int rc = sf_regapi_query_flag(req, "active", &active);

	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (rc)
		return rc;
	sf_regapi_items_begin(req, &w);
	rc = sf_store_campaign_each(sf_req_conn(req), active == 1 ? req->now : 0, limit, list_one,
				    &w);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot list the campaigns");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

static int write_member(const struct sf_campaign_member *m, void *vctx)
{
	struct sf_jw *w = vctx;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "user_id", m->user_id);
	sf_jw_kstr(w, "name", m->name);
	sf_jw_kstr(w, "login", m->login);
	sf_jw_kstr(w, "team", m->team);
	sf_jw_kint(w, "visits", m->visits);
	sf_jw_obj_end(w);
	return 0;
}

static int load_campaign(struct sf_req *req, int64_t id, struct sf_campaign *cp)
{
	int rc = sf_store_campaign_get(sf_req_conn(req), id, cp);

	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no campaign %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the campaign");
	return 0;
}

static const char *scope_of(const struct sf_req *req)
{
	return sf_regapi_privileged(&req->who) ? NULL : req->who.unit_path;
}

static int reply_campaign(struct sf_req *req, int status, int64_t id)
{
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	struct sf_jw w;
	int64_t targets = 0, visited = 0;
	int rc = load_campaign(req, id, cp);

	if (!rc)
		rc = sf_store_campaign_counts(sf_req_conn(req), cp, scope_of(req), &targets,
					      &visited);
	if (rc) {
		free(cp);
		return req->err.rc ? rc : sf_regapi_store_fail(req, rc, "", "cannot count");
	}
	sf_req_reply_json(req, status, &w);
	sf_jw_obj_begin(&w);
	write_campaign(&w, cp);
	sf_jw_key(&w, "in_scope");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "targets", targets);
	sf_jw_kint(&w, "visited", visited);
	sf_jw_kint(&w, "not_visited", targets - visited);
	sf_jw_obj_end(&w);
	sf_jw_key(&w, "member_list");
	sf_jw_arr_begin(&w);
	rc = sf_store_campaign_members(sf_req_conn(req), id, write_member, &w);
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	free(cp);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the members");
	return 0;
}

int sf_api_campaigns_get(struct sf_req *req)
{
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	return rc ? rc : reply_campaign(req, 200, id);
}

static const struct sf_jfield create_spec[] = {
	{ "name", SF_JT_STRING, true, 100, 0, 0 },
	{ "theme", SF_JT_STRING, true, 40, 0, 0 },
	{ "target_kind", SF_JT_STRING, true, 16, 0, 0 },
	{ "starts_on", SF_JT_STRING, true, 10, 0, 0 },
	{ "ends_on", SF_JT_STRING, true, 10, 0, 0 },
	{ "unit_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "templates", SF_JT_STRING_ARRAY, false, SF_VISIT_MAX_CHECKS, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ "target_unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "target_ids", SF_JT_INT_ARRAY, false, MAX_IDS, 1, INT64_MAX },
	{ "member_ids", SF_JT_INT_ARRAY, false, 200, 1, INT64_MAX },
	{ "team", SF_JT_STRING, false, 40, 0, 0 },
	{ 0 },
};

/* Add targets (ids and/or all of a unit) and members to a campaign, in
 * the caller's transaction; ids were checked. */
static int add_people_and_targets(struct sf_conn *c, const struct sf_campaign *cp,
				  const struct sf_json *b, const char *unit_path, int64_t *added)
{
	const char *team = sf_json_str(b, "team");
	int64_t assignee = 0, n = 0;
	int rc = 0;

	*added = 0;
	sf_json_int(b, "assignee_user_id", &assignee);
	for (size_t i = 0; !rc && i < sf_json_array_len(b, "target_ids"); i++) {
		int64_t id = 0;

		sf_json_array_int(b, "target_ids", i, &id);
		rc = sf_store_campaign_add_target(c, cp->id, id, assignee, team);
		(*added)++;
	}
	if (!rc && unit_path && *unit_path) {
		rc = sf_store_campaign_add_unit(c, cp->id, cp->target_kind, unit_path, &n);
		*added += n;
	}
	for (size_t i = 0; !rc && i < sf_json_array_len(b, "member_ids"); i++) {
		int64_t id = 0;

		sf_json_array_int(b, "member_ids", i, &id);
		rc = sf_store_campaign_add_member(c, cp->id, id, team);
	}
	return rc;
}

/* Check target ids (of the campaign's kind), the target unit and members. */
static int check_refs(struct sf_req *req, const struct sf_json *b, const char *kind,
		      char unit_path[128])
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_visit_target *t = sf_xmalloc(sizeof(*t));
	struct sf_unit u;
	struct sf_user usr;
	int64_t id = 0;
	int rc = 0;

	unit_path[0] = '\0';
	for (size_t i = 0; !rc && i < sf_json_array_len(b, "target_ids"); i++) {
		sf_json_array_int(b, "target_ids", i, &id);
		rc = sf_visitapi_target(c, &req->who, kind, id, t, &req->err);
		if (rc == SF_ENOTFOUND)
			rc = sf_req_fail(req, SF_EINVAL, "unknown_reference", "target_ids",
					 "target_ids[%zu]: no %s with id %lld", i, kind,
					 (long long)id);
		else if (!rc && t->archived)
			rc = sf_req_fail(req, SF_EINVAL, "archived_reference", "target_ids",
					 "target_ids[%zu]: %s %lld is archived", i, kind,
					 (long long)id);
	}
	free(t);
	if (!rc && sf_json_int(b, "target_unit_id", &id)) {
		rc = sf_regapi_unit(c, id, "target_unit_id", NULL, &u, &req->err);
		if (!rc)
			snprintf(unit_path, 128, "%s", u.path);
	}
	for (size_t i = 0; !rc && i < sf_json_array_len(b, "member_ids"); i++) {
		sf_json_array_int(b, "member_ids", i, &id);
		if (sf_store_user_get(c, id, &usr) || usr.disabled ||
		    !(SF_ROLES_STAFF & SF_ROLE_BIT(usr.role)))
			rc = sf_req_fail(req, SF_EINVAL, "unknown_reference", "member_ids",
					 "member_ids[%zu]: %lld is not an active staff member", i,
					 (long long)id);
	}
	if (!rc && sf_json_int(b, "assignee_user_id", &id) && id &&
	    (sf_store_user_get(c, id, &usr) || usr.disabled))
		rc = sf_req_fail(req, SF_EINVAL, "unknown_reference", "assignee_user_id",
				 "assignee_user_id %lld is not an active user", (long long)id);
	return rc;
}

/* cp->templates from the body's templates: each an existing checklist. */
static int fill_templates(struct sf_req *req, const struct sf_json *b, struct sf_campaign *cp)
{
	struct sf_checklist *t = sf_xmalloc(sizeof(*t));
	int rc = 0;

	cp->templates[0] = '\0';
	for (size_t i = 0; !rc && i < sf_json_array_len(b, "templates"); i++) {
		const char *code = sf_json_array_str(b, "templates", i);
		size_t used = strlen(cp->templates);

		if (sf_store_checklist_by_code(sf_req_conn(req), code, t)) {
			rc = sf_req_fail(req, SF_EINVAL, "unknown_reference", "templates",
					 "templates[%zu]: no checklist template %.48s", i, code);
			break;
		}
		snprintf(cp->templates + used, sizeof(cp->templates) - used, "%s%s",
			 used ? "," : "", code);
	}
	free(t);
	return rc;
}

int sf_api_campaigns_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_campaign *cp = sf_xcalloc(1, sizeof(*cp));
	char unit_path[128];
	int32_t from = 0, to = 0;
	int64_t id = 0, added = 0;
	struct sf_unit u;
	int rc = sf_req_json(req, create_spec, &b);

	if (rc)
		goto out;
	if (!sf_visitapi_one_of(sf_json_str(b, "target_kind"), target_kinds)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "target_kind",
				 "target_kind must be household, enterprise, place or village");
		goto out;
	}
	if (sf_date_parse(sf_json_str(b, "starts_on"), &from)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "starts_on",
				 "starts_on must be a date (2026-11-01)");
		goto out;
	}
	if (sf_date_parse(sf_json_str(b, "ends_on"), &to) || to < from ||
	    sf_date_diff(from, to) > 366) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "ends_on",
				 "ends_on must be a date on or after starts_on, within a year");
		goto out;
	}
	snprintf(cp->name, sizeof(cp->name), "%s", sf_json_str(b, "name"));
	snprintf(cp->theme, sizeof(cp->theme), "%s", sf_json_str(b, "theme"));
	snprintf(cp->target_kind, sizeof(cp->target_kind), "%s", sf_json_str(b, "target_kind"));
	cp->starts_at = sf_date_to_utc(from, 0, 0, 0);
	cp->ends_at = sf_date_to_utc(to, 23, 59, 59);
	sf_json_int(b, "unit_id", &cp->unit_id);
	if (cp->unit_id && (rc = sf_regapi_unit(c, cp->unit_id, "unit_id", NULL, &u, &req->err)))
		goto out;
	rc = fill_templates(req, b, cp);
	if (rc)
		goto out;
	snprintf(cp->notes, sizeof(cp->notes), "%s",
		 sf_json_str(b, "notes") ? sf_json_str(b, "notes") : "");
	cp->created_by = req->who.user_id;
	rc = check_refs(req, b, cp->target_kind, unit_path);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_campaign_insert(c, cp, req->now, &id);
	cp->id = id;
	if (!rc)
		rc = add_people_and_targets(c, cp, b, unit_path, &added);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the campaign");
		goto out;
	}
	rc = reply_campaign(req, 201, id);
out:
	sf_json_free(b);
	free(cp);
	return rc;
}

static const struct sf_jfield targets_spec[] = {
	{ "target_ids", SF_JT_INT_ARRAY, false, MAX_IDS, 1, INT64_MAX },
	{ "target_unit_id", SF_JT_INT, false, 0, 1, INT64_MAX },
	{ "assignee_user_id", SF_JT_INT, false, 0, 0, INT64_MAX },
	{ "team", SF_JT_STRING, false, 40, 0, 0 },
	{ 0 },
};

static const struct sf_jfield members_spec[] = {
	{ "member_ids", SF_JT_INT_ARRAY, true, 200, 1, INT64_MAX },
	{ "team", SF_JT_STRING, false, 40, 0, 0 },
	{ 0 },
};

static int closed_fail(struct sf_req *req, const struct sf_campaign *cp)
{
	return sf_req_fail(req, SF_ECONFLICT, "campaign_closed", "",
			   "campaign %s is closed and takes no more changes", cp->name);
}

static int change(struct sf_req *req, const struct sf_jfield *spec)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	struct sf_json *b = NULL;
	char unit_path[128];
	int64_t id, added = 0;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_campaign(req, id, cp);
	if (!rc)
		rc = sf_req_json(req, spec, &b);
	if (!rc && cp->closed_at)
		rc = closed_fail(req, cp);
	if (!rc)
		rc = check_refs(req, b, cp->target_kind, unit_path);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = add_people_and_targets(c, cp, b, unit_path, &added);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the campaign");
		goto out;
	}
	rc = reply_campaign(req, 200, id);
out:
	sf_json_free(b);
	free(cp);
	return rc;
}

int sf_api_campaigns_targets(struct sf_req *req)
{
	return change(req, targets_spec);
}

int sf_api_campaigns_members(struct sf_req *req)
{
	return change(req, members_spec);
}

/* ---- change, close, remove targets and members ---- */

static const struct sf_jfield update_spec[] = {
	{ "name", SF_JT_STRING, false, 100, 0, 0 },
	{ "theme", SF_JT_STRING, false, 40, 0, 0 },
	{ "starts_on", SF_JT_STRING, false, 10, 0, 0 },
	{ "ends_on", SF_JT_STRING, false, 10, 0, 0 },
	{ "templates", SF_JT_STRING_ARRAY, false, SF_VISIT_MAX_CHECKS, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

/* The new period of cp from the body (each end kept when absent): a year
 * at most, and holding every visit already recorded under the campaign. */
static int new_period(struct sf_req *req, const struct sf_json *b, struct sf_campaign *cp)
{
	int32_t from = sf_date_from_utc(cp->starts_at), to = sf_date_from_utc(cp->ends_at);
	int64_t before = 0, after = 0;
	int rc;

	if (sf_json_has(b, "starts_on") && sf_date_parse(sf_json_str(b, "starts_on"), &from))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "starts_on",
				   "starts_on must be a date (2026-11-01)");
	if (sf_json_has(b, "ends_on") && sf_date_parse(sf_json_str(b, "ends_on"), &to))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "ends_on",
				   "ends_on must be a date (2026-11-30)");
	if (to < from || sf_date_diff(from, to) > 366)
		return sf_req_fail(req, SF_EINVAL, "invalid_field",
				   sf_json_has(b, "ends_on") ? "ends_on" : "starts_on",
				   "ends_on must be on or after starts_on, within a year");
	cp->starts_at = sf_date_to_utc(from, 0, 0, 0);
	cp->ends_at = sf_date_to_utc(to, 23, 59, 59);
	rc = sf_store_campaign_visits_outside(sf_req_conn(req), cp->id, cp->starts_at, cp->ends_at,
					      &before, &after);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot count the visits");
	if (before || after)
		return sf_req_fail(
			req, SF_ECONFLICT, "visits_outside_period",
			before ? "starts_on" : "ends_on",
			"%lld visit%s recorded under the campaign would fall outside the "
			"new period",
			(long long)(before + after), before + after == 1 ? "" : "s");
	return 0;
}

int sf_api_campaigns_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	struct sf_json *b = NULL;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_req_json(req, update_spec, &b);
	if (!rc)
		rc = load_campaign(req, id, cp);
	if (!rc && cp->closed_at)
		rc = closed_fail(req, cp);
	if (!rc && sf_json_has(b, "name"))
		rc = sf_regapi_text(sf_json_str(b, "name"), "name", 100, true, false, &req->err);
	if (!rc && sf_json_has(b, "theme"))
		rc = sf_regapi_text(sf_json_str(b, "theme"), "theme", 40, true, false, &req->err);
	if (rc)
		goto out;
	if (sf_json_has(b, "name"))
		sf_regapi_trim(sf_json_str(b, "name"), cp->name, sizeof(cp->name));
	if (sf_json_has(b, "theme"))
		sf_regapi_trim(sf_json_str(b, "theme"), cp->theme, sizeof(cp->theme));
	if (sf_json_has(b, "notes"))
		snprintf(cp->notes, sizeof(cp->notes), "%s",
			 sf_json_str(b, "notes") ? sf_json_str(b, "notes") : "");
	if (sf_json_has(b, "templates"))
		rc = fill_templates(req, b, cp);
	if (!rc && (sf_json_has(b, "starts_on") || sf_json_has(b, "ends_on")))
		rc = new_period(req, b, cp);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_campaign_update(c, cp);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the campaign");
		goto out;
	}
	rc = reply_campaign(req, 200, id);
out:
	sf_json_free(b);
	free(cp);
	return rc;
}

static const struct sf_jfield close_spec[] = {
	{ "reason", SF_JT_STRING, false, SF_REG_REASON_MAX, 0, 0 },
	{ 0 },
};

int sf_api_campaigns_close(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	struct sf_json *b = NULL;
	struct sf_audit_entry ae = { 0 };
	char target[48];
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	/* the body is optional: {"reason": "..."} */
	if (!rc && req->body_len)
		rc = sf_req_json(req, close_spec, &b);
	if (!rc && b)
		rc = sf_regapi_text(sf_json_str(b, "reason"), "reason", SF_REG_REASON_MAX, false,
				    false, &req->err);
	if (!rc)
		rc = load_campaign(req, id, cp);
	if (!rc && cp->closed_at)
		rc = sf_req_fail(req, SF_ECONFLICT, "campaign_closed", "",
				 "campaign %s is closed already", cp->name);
	if (rc)
		goto out;
	snprintf(target, sizeof(target), "campaign:%lld", (long long)id);
	ae.at = req->now;
	ae.user_id = req->who.user_id;
	ae.actor_name = req->who.name;
	ae.action = "close";
	ae.target = target;
	ae.reason = b && sf_json_str(b, "reason") ? sf_json_str(b, "reason") : "";
	ae.ip = req->ip;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_campaign_close(c, id, req->who.user_id, req->now);
	if (!rc)
		rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = rc == SF_ECONFLICT
			     ? sf_req_fail(req, SF_ECONFLICT, "campaign_closed", "",
					   "the campaign is closed already")
			     : sf_regapi_store_fail(req, rc, "", "cannot close the campaign");
		goto out;
	}
	rc = reply_campaign(req, 200, id);
out:
	sf_json_free(b);
	free(cp);
	return rc;
}

/* DELETE .../targets/{target_id} and .../members/{user_id}: the visits
 * already made stay (and still count for the visitor). */
static int remove_one(struct sf_req *req, bool member)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	int64_t id, other;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_req_param_id(req, 1, member ? "user_id" : "target_id", &other);
	if (!rc)
		rc = load_campaign(req, id, cp);
	if (!rc && cp->closed_at)
		rc = closed_fail(req, cp);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = member ? sf_store_campaign_remove_member(c, id, other)
			    : sf_store_campaign_remove_target(c, id, other);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		if (rc == SF_ENOTFOUND)
			rc = sf_req_fail(req, SF_ENOTFOUND, "not_found",
					 member ? "user_id" : "target_id",
					 "%lld is not a %s of campaign %lld", (long long)other,
					 member ? "member" : "target", (long long)id);
		else
			rc = sf_regapi_store_fail(req, rc, "", "cannot change the campaign");
		goto out;
	}
	rc = reply_campaign(req, 200, id);
out:
	free(cp);
	return rc;
}

int sf_api_campaigns_remove_target(struct sf_req *req)
{
	return remove_one(req, false);
}

int sf_api_campaigns_remove_member(struct sf_req *req)
{
	return remove_one(req, true);
}

struct cover_ctx {
	struct sf_jw *w;
	int64_t last;
	int n;
};

static int write_row(const struct sf_cover_row *r, void *vctx)
{
	struct cover_ctx *ctx = vctx;
	struct sf_jw *w = ctx->w;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "target_id", r->target_id);
	sf_jw_kstr(w, "name", r->name);
	sf_regapi_kref(w, "unit", r->unit_id, r->unit_name);
	sf_regapi_kref(w, "assignee", r->assignee_user_id, r->assignee_name);
	sf_jw_kstr(w, "team", r->team);
	sf_jw_kbool(w, "visited", r->last_visit_at > 0);
	sf_jw_ktime(w, "last_visit_at", r->last_visit_at);
	sf_jw_kint(w, "visits", r->visits);
	sf_jw_obj_end(w);
	ctx->last = r->target_id;
	ctx->n++;
	return 0;
}

int sf_api_campaigns_coverage(struct sf_req *req)
{
	struct sf_campaign *cp = sf_xmalloc(sizeof(*cp));
	struct sf_jw w;
	struct cover_ctx ctx = { &w, 0, 0 };
	int64_t id, after = 0, targets = 0, visited_n = 0;
	int visited = -1, limit;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = sf_regapi_query_flag(req, "visited", &visited);
	if (!rc)
		rc = sf_api_query_int(req, "after", 0, INT64_MAX, &after, NULL);
	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (!rc)
		rc = load_campaign(req, id, cp);
	if (!rc)
		rc = sf_store_campaign_counts(sf_req_conn(req), cp, scope_of(req), &targets,
					      &visited_n);
	if (rc) {
		free(cp);
		return req->err.rc ? rc : sf_regapi_store_fail(req, rc, "", "cannot count");
	}
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "campaign_id", id);
	sf_jw_kstr(&w, "target_kind", cp->target_kind);
	sf_jw_kint(&w, "targets", targets);
	sf_jw_kint(&w, "visited", visited_n);
	sf_jw_kint(&w, "not_visited", targets - visited_n);
	sf_jw_knum(&w, "coverage", targets ? (double)visited_n / (double)targets : 0);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_campaign_coverage(sf_req_conn(req), cp, scope_of(req), visited, after, limit,
					write_row, &ctx);
	sf_regapi_items_next(&w, ctx.n == limit, ctx.last);
	sf_jw_obj_end(&w);
	free(cp);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot compute the coverage");
	return 0;
}

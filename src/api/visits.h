/* Visits (走访) over HTTP, and the service that records one: who went,
 * when, how (入户, 夜访, 入企, 电话), to which household, enterprise, place
 * or village group, the checklist of each work line it covered (多线融合),
 * hazards found (with a rectification deadline in working days), and the
 * problems raised, each of which becomes a work order in the same request,
 * linked both ways (visit -> orders; order -> visit through visit_orders
 * and the order's attributes {"visit_id": N}). Also campaigns, checklist
 * templates, hazards and the headline counts. Scope: admin, leader and
 * dispatcher see all; others the visits and hazards of their unit's
 * subtree, their own, and those of enterprises they pair or liaise. */
#ifndef SF_API_VISITS_H
#define SF_API_VISITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"

#define SF_VISIT_MAX_CHECKS 10
#define SF_VISIT_MAX_HAZARDS 20
#define SF_VISIT_MAX_PROBLEMS 10

struct sf_visit_check_in {
	const char *template_code; /* a checklist template's code */
	const char *answers_json;  /* JSON object: item key -> answer */
};

struct sf_visit_hazard_in {
	const char *type;        /* fire, electrical, gas, structural, production, traffic,
				    environment, other */
	const char *severity;    /* minor, general, major */
	const char *description; /* required, <= 1000 characters */
	int days;                /* working days to rectify; 0 = by severity (20, 10, 3) */
};

struct sf_visit_problem_in {
	const char *title;         /* required, <= 100 characters */
	const char *description;   /* required, <= 4000 characters */
	const char *category_code; /* an active category */
	const char *requester_name;
	const char *requester_phone;
	int hazard; /* index into hazards whose order this is, or -1 */
};

struct sf_visit_input {
	int64_t campaign_id;     /* 0 = none */
	const char *target_kind; /* household, enterprise, place, village */
	int64_t target_id;
	const char *method; /* home, night, enterprise, phone, site, meeting */
	int64_t visited_at; /* 0 = now */
	const char *companions;
	const char *notes;
	const struct sf_visit_check_in *checks;
	size_t nchecks;
	const struct sf_visit_hazard_in *hazards;
	size_t nhazards;
	const struct sf_visit_problem_in *problems;
	size_t nproblems;
};

struct sf_visit_recorded {
	int64_t visit_id;
	int64_t hazard_ids[SF_VISIT_MAX_HAZARDS];
	size_t nhazards;
	int64_t order_ids[SF_VISIT_MAX_PROBLEMS];
	char order_codes[SF_VISIT_MAX_PROBLEMS][32];
	size_t norders;
	size_t failed_orders;        /* problems whose order could not be created */
	struct sf_error order_error; /* the first such failure */
};

/* Record a visit as who at now. Everything is checked first (target in
 * who's scope or who a member of the campaign, templates and answers,
 * hazards, problems' categories); then the visit with its checklists and
 * hazards is written in one transaction and the target's last visit
 * updated; then each problem becomes an order (sf_orders_create, which
 * owns its transaction, channel "visit"), and the links visit <-> order
 * and hazard -> order are written. An order that cannot be created after
 * the visit was saved is counted in out->failed_orders (the visit stays).
 * Errors (nothing written): SF_EINVAL naming the field ("hazards[1].days",
 * "checks[0].answers.exits"), SF_ENOTFOUND (target), SF_EFORBIDDEN
 * (out of scope), SF_EDB. */
int sf_visits_record(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     const struct sf_visit_input *in, int64_t now, struct sf_visit_recorded *out,
		     struct sf_error *err);

/* Turn one more problem of an existing visit into a linked order. */
int sf_visits_raise(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		    int64_t visit_id, const struct sf_visit_problem_in *p, int64_t now,
		    int64_t *order_id, struct sf_error *err);

/* HTTP handlers (see routes.c). */
int sf_api_visits_list(struct sf_req *req);
int sf_api_visits_get(struct sf_req *req);
int sf_api_visits_create(struct sf_req *req);
int sf_api_visits_raise(struct sf_req *req);
int sf_api_visits_stats(struct sf_req *req);
int sf_api_checklists_list(struct sf_req *req);
int sf_api_checklists_put(struct sf_req *req);
int sf_api_campaigns_list(struct sf_req *req);
int sf_api_campaigns_get(struct sf_req *req);
int sf_api_campaigns_create(struct sf_req *req);
int sf_api_campaigns_targets(struct sf_req *req);
int sf_api_campaigns_members(struct sf_req *req);
int sf_api_campaigns_update(struct sf_req *req);
int sf_api_campaigns_close(struct sf_req *req);
int sf_api_campaigns_remove_target(struct sf_req *req);
int sf_api_campaigns_remove_member(struct sf_req *req);
int sf_api_campaigns_coverage(struct sf_req *req);
int sf_api_hazards_list(struct sf_req *req);
int sf_api_hazards_get(struct sf_req *req);
int sf_api_hazards_rectify(struct sf_req *req);
int sf_api_hazards_verify(struct sf_req *req);
int sf_api_hazards_photo_put(struct sf_req *req);
int sf_api_hazards_photo_get(struct sf_req *req);

#endif

/* Visits (走访) in the database: checklist templates per work line,
 * campaigns with their targets and people, visit records with their
 * checklist answers and the orders they raised, hazards found on visits,
 * and the coverage and headline counts computed from them. Plain reads and
 * writes; permission, scope and the transaction around a change are the
 * API's (src/api/visits*.c). */
#ifndef SF_STORE_VISIT_H
#define SF_STORE_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* ---- checklist templates (多线融合: one visit covers several work lines) ---- */

#define SF_CHECKLIST_ITEMS_MAX 8192 /* bytes of a template's items JSON */

struct sf_checklist {
	int64_t id;
	char code[48];
	char name[128];
	char line[48];         /* work line: fire_safety, party_building, talent, project, ... */
	char target_kinds[64]; /* "household,enterprise" or "" for any */
	char items[SF_CHECKLIST_ITEMS_MAX]; /* JSON array of {key, label, type, options} */
	bool active;
	int64_t sort;
};

/* Insert or update by code. */
int sf_store_checklist_upsert(struct sf_conn *c, const struct sf_checklist *t, int64_t now,
			      int64_t *id);
int sf_store_checklist_by_code(struct sf_conn *c, const char *code, struct sf_checklist *out);
/* cb for each template (only active ones when only_active), by sort and code. */
int sf_store_checklist_each(struct sf_conn *c, bool only_active,
			    int (*cb)(const struct sf_checklist *t, void *ctx), void *ctx);

/* ---- campaigns ---- */

struct sf_campaign {
	int64_t id;
	char name[304];
	char theme[128];      /* 组级整治, 村级消薄, 民情大排摸, ... */
	char target_kind[16]; /* household, enterprise, place, village */
	int64_t starts_at, ends_at;
	int64_t unit_id; /* organising unit, 0 = the sub-district */
	char unit_name[128];
	char templates[304]; /* checklist codes "a,b" */
	char notes[1204];
	int64_t created_by;
	char created_by_name[64];
	int64_t created_at;
	int64_t targets;   /* read only: number of live targets (archived ones left out) */
	int64_t visited;   /* read only: of those, targets with a visit in the period */
	int64_t members;   /* read only */
	int64_t closed_at; /* 0 = open; a closed campaign takes no new visits */
	int64_t closed_by;
	char closed_by_name[64];
};

int sf_store_campaign_insert(struct sf_conn *c, const struct sf_campaign *cp, int64_t now,
			     int64_t *id);
int sf_store_campaign_get(struct sf_conn *c, int64_t id, struct sf_campaign *out);
/* Replace name, theme, period, templates and notes of cp->id with cp's.
 * SF_ENOTFOUND. */
int sf_store_campaign_update(struct sf_conn *c, const struct sf_campaign *cp);
/* Close campaign id at now. SF_ENOTFOUND, SF_ECONFLICT when it is closed
 * already. */
int sf_store_campaign_close(struct sf_conn *c, int64_t id, int64_t by, int64_t now);
/* Visits naming the campaign before `from` (*before) and after `to`
 * (*after). */
int sf_store_campaign_visits_outside(struct sf_conn *c, int64_t id, int64_t from, int64_t to,
				     int64_t *before, int64_t *after);
/* Remove one target, or one member, of a campaign (visits stay).
 * SF_ENOTFOUND when it is not one. */
int sf_store_campaign_remove_target(struct sf_conn *c, int64_t campaign_id, int64_t target_id);
int sf_store_campaign_remove_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id);
/* cb for each campaign, newest first; active_at > 0 keeps the open ones
 * whose period holds that time. */
int sf_store_campaign_each(struct sf_conn *c, int64_t active_at, int limit,
			   int (*cb)(const struct sf_campaign *cp, void *ctx), void *ctx);
/* Add one target (no change when present; assignee and team updated). */
int sf_store_campaign_add_target(struct sf_conn *c, int64_t campaign_id, int64_t target_id,
				 int64_t assignee_user_id, const char *team);
/* Add every live register row of the campaign's kind under unit_path (for
 * villages: village-group units; for places: places of that unit).
 * *added receives the number of new targets. */
int sf_store_campaign_add_unit(struct sf_conn *c, int64_t campaign_id, const char *kind,
			       const char *unit_path, int64_t *added);
int sf_store_campaign_add_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id,
				 const char *team);

/* Whether user is a member of the campaign or the assignee of one of its
 * targets. */
int sf_store_campaign_is_member(struct sf_conn *c, int64_t campaign_id, int64_t user_id,
				bool *member);

struct sf_campaign_member {
	int64_t user_id;
	char name[64];
	char login[64];
	char team[128];
	int64_t visits; /* visits this person recorded for the campaign */
};
int sf_store_campaign_members(struct sf_conn *c, int64_t campaign_id,
			      int (*cb)(const struct sf_campaign_member *m, void *ctx), void *ctx);

/* One target of a campaign with its visit state in the period. */
struct sf_cover_row {
	int64_t target_id;
	char name[604];  /* name, or address for a household */
	int64_t unit_id; /* the target's area; 0 = none */
	char unit_name[128];
	char unit_path[128];
	int64_t assignee_user_id;
	char assignee_name[64];
	char team[128];
	int64_t last_visit_at; /* in the campaign period; 0 = not yet */
	int64_t visits;
};
/* cb for the live (not archived) targets of a campaign under scope_path
 * (NULL = all: their area, village group or grid), visited
 * (1), not yet visited (0) or both (-1), by target id after after_id, at
 * most limit. */
int sf_store_campaign_coverage(struct sf_conn *c, const struct sf_campaign *cp,
			       const char *scope_path, int visited, int64_t after_id, int limit,
			       int (*cb)(const struct sf_cover_row *r, void *ctx), void *ctx);
/* Counts of the same: targets and those visited, under scope_path. */
int sf_store_campaign_counts(struct sf_conn *c, const struct sf_campaign *cp,
			     const char *scope_path, int64_t *targets, int64_t *visited);

/* ---- visits ---- */

struct sf_visit {
	int64_t id;
	int64_t campaign_id;
	char campaign_name[304];
	char target_kind[16]; /* household, enterprise, place, village */
	int64_t target_id;
	char target_name[604];
	int64_t unit_id; /* the target's area, for scope */
	char unit_name[128];
	char unit_path[128];
	int64_t visitor_user_id;
	char visitor_name[64];
	char companions[304];
	char method[16]; /* home 入户, night 夜访, enterprise 入企, phone 电话, site 实地 */
	int64_t visited_at;
	char notes[6004];
	int64_t created_at;
	int64_t hazards; /* read only */
	int64_t orders;  /* read only */
};

struct sf_visit_filter {
	bool scope_all;
	const char *scope_path;
	int64_t scope_user; /* their own visits, and visits to enterprises they pair or liaise */
	/* scope_path covers a visit's area, and the grid of its target (an
	 * enterprise's or place's grid, a household's place's grid) */
	const char *target_kind;
	int64_t target_id;
	int64_t campaign_id;
	int64_t visitor_user_id;
	const char *unit_path;
	int64_t since, until; /* visited_at range; 0 = open */
	int64_t before_id;
	int limit;
};

int sf_store_visit_insert(struct sf_conn *c, const struct sf_visit *v, int64_t now, int64_t *id);
int sf_store_visit_get(struct sf_conn *c, int64_t id, struct sf_visit *out);
int sf_store_visit_list(struct sf_conn *c, const struct sf_visit_filter *f,
			int (*cb)(const struct sf_visit *v, void *ctx), void *ctx);
/* Store the answers (JSON object text) of one checklist on a visit. */
int sf_store_visit_check_put(struct sf_conn *c, int64_t visit_id, int64_t template_id,
			     const char *answers_json);

struct sf_visit_check {
	int64_t template_id;
	char code[48];
	char name[128];
	char line[48];
	const char *answers; /* JSON object text, borrowed for the callback */
};
int sf_store_visit_checks(struct sf_conn *c, int64_t visit_id,
			  int (*cb)(const struct sf_visit_check *k, void *ctx), void *ctx);
/* Link an order raised on a visit (both ways: visit -> orders and
 * order -> visit). SF_ECONFLICT when the order is linked already. */
int sf_store_visit_link_order(struct sf_conn *c, int64_t visit_id, int64_t order_id);
/* The visit an order was raised on; SF_ENOTFOUND when none. */
int sf_store_visit_of_order(struct sf_conn *c, int64_t order_id, int64_t *visit_id);

struct sf_visit_order {
	int64_t order_id;
	char code[32];
	char title[304];
	char state[16];
	int64_t created_at;
};
int sf_store_visit_orders(struct sf_conn *c, int64_t visit_id,
			  int (*cb)(const struct sf_visit_order *o, void *ctx), void *ctx);

/* ---- hazards (隐患) ---- */

struct sf_hazard {
	int64_t id;
	int64_t visit_id;
	char target_kind[16];
	int64_t target_id;
	char target_name[604];
	int64_t unit_id;
	char unit_name[128];
	char unit_path[128];
	char type
		[24]; /* fire, electrical, gas, structural, production, traffic, environment, other */
	char severity[16]; /* minor, general, major */
	char description[6004];
	char state[16]; /* open, rectified, verified */
	int64_t found_at;
	int64_t found_by;
	char found_by_name[64];
	int64_t days; /* working days given to rectify */
	int64_t deadline;
	int64_t rectified_at, rectified_by;
	char rectified_by_name[64];
	char rectify_note[1204];
	int64_t verified_at, verified_by;
	char verified_by_name[64];
	char verify_note[1204];
	int64_t order_id;
	bool has_photo;
	int64_t updated_at;
};

struct sf_hazard_filter {
	bool scope_all;
	const char *scope_path; /* the hazard's area or its target's grid, as for visits */
	int64_t scope_user;     /* their own findings, and their enterprises' hazards */
	const char *state;      /* NULL = any */
	bool overdue_only;      /* open past the deadline at `now` */
	int64_t now;
	int64_t visit_id;
	const char *unit_path;
	const char *severity;
	int64_t before_id;
	int limit;
};

int sf_store_hazard_insert(struct sf_conn *c, const struct sf_hazard *h, int64_t now, int64_t *id);
int sf_store_hazard_get(struct sf_conn *c, int64_t id, struct sf_hazard *out);
int sf_store_hazard_list(struct sf_conn *c, const struct sf_hazard_filter *f,
			 int (*cb)(const struct sf_hazard *h, void *ctx), void *ctx);
/* open -> rectified. SF_ECONFLICT when the hazard is not open. */
int sf_store_hazard_rectify(struct sf_conn *c, int64_t id, int64_t by, const char *note,
			    int64_t now);
/* rectified -> verified (ok) or back to open (not ok, the note says why).
 * SF_ECONFLICT when the hazard is not rectified. */
int sf_store_hazard_verify(struct sf_conn *c, int64_t id, int64_t by, bool ok, const char *note,
			   int64_t now);
int sf_store_hazard_set_order(struct sf_conn *c, int64_t id, int64_t order_id);
/* Store or replace the photo. */
int sf_store_hazard_photo_put(struct sf_conn *c, int64_t id, const char *mime, const void *data,
			      size_t size, const char *sha256, int64_t by, int64_t now);
/* Copy the photo into a malloc'd *data (caller frees). SF_ENOTFOUND. */
int sf_store_hazard_photo_get(struct sf_conn *c, int64_t id, char mime[48], void **data,
			      size_t *size);

/* ---- headline counts ---- */

struct sf_visit_stats {
	int64_t visits;
	int64_t households_visited;
	int64_t enterprises_visited;
	int64_t places_visited;
	int64_t villages_visited;
	int64_t problems_raised; /* orders raised on visits */
	int64_t problems_solved; /* of those, resolved, return-called or closed */
	int64_t hazards_found;
	int64_t hazards_open;
	int64_t hazards_overdue; /* open past their deadline at now */
	int64_t hazards_fixed;   /* rectified or verified */
};

/* Counts over visits in [since, until] (0 = open) whose area, or whose
 * target's grid, is under scope_path (NULL = all). */
int sf_store_visit_stats(struct sf_conn *c, const char *scope_path, int64_t since, int64_t until,
			 int64_t now, struct sf_visit_stats *out);

#endif

/* Work orders (诉求工单): the service functions that carry an order
 * through its life, and the HTTP handlers over them. The service functions
 * take the caller's principal, check role and data scope, consult the
 * state machine (domain/order.h), and write the new state with its event
 * in one transaction; they are also what `seed-demo`, the portal and
 * Open311 use, so every path applies the same rules. */
#ifndef SF_API_ORDERS_H
#define SF_API_ORDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "domain/mask.h"
#include "domain/order.h"
#include "store/order.h"

struct sf_order_input {
	const char *title;         /* required, <= 100 chars */
	const char *description;   /* required, <= 4000 chars */
	const char *category_code; /* required (or category_id) */
	int64_t category_id;
	const char *channel;        /* visit, phone, window, web, open311 */
	const char *requester_kind; /* person, enterprise, anonymous */
	const char *requester_name;
	const char *requester_phone; /* sealed and indexed; never stored in clear */
	const char *requester_org;   /* enterprise name */
	int64_t enterprise_id;
	const char *address;
	bool has_geo;
	double lat, lng;
	int64_t area_unit_id; /* community, village or grid where it happened */
	int64_t dept_unit_id; /* 0 = the category's default department */
	const char *media_url;
	const char *attrs_json; /* Open311 attributes as a JSON object text */
	bool public_submission; /* portal/Open311: generates a tracking code and secret */
};

struct sf_order_created {
	int64_t id;
	char code[32];
	char tracking_code[16];
	char tracking_secret[48]; /* shown once to the submitter */
	int64_t deadline;
};

/* Create an order in state submitted (待受理) with its "create" event;
 * channel phone/window/visit by a dispatcher is also accepted at once and
 * routed to the category's department (auto-assign) when auto_route.
 * Errors: SF_EINVAL naming the field, SF_EFORBIDDEN, SF_EDB. */
int sf_orders_create(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     const struct sf_order_input *in, bool auto_route, int64_t now,
		     struct sf_order_created *out, struct sf_error *err);

struct sf_order_act {
	enum sf_order_action action;
	const char *reason; /* reject, return (function|territory|ownership), extension */
	const char *text;   /* result (resolve), note body, return-call summary */
	int64_t unit_id;    /* assign target */
	int64_t user_id;    /* assign: handler within the unit (optional) */
	int64_t target_id;  /* merge into */
	enum sf_rating rating;
	int days;               /* extension days requested/approved */
	const char *channel;    /* return call: phone or visit */
	const char *contact;    /* return call: who was reached */
	bool public_note;       /* note: shown to the requester */
	int64_t expect_version; /* 0 = any; otherwise 409 when the order changed */
};

/* Name of the actor of the deadline scan's events. */
#define SF_ORDERS_SYSTEM_NAME "系统"

/* Apply one action to an order, as who, at now. Errors: SF_ENOTFOUND (no
 * such order or not in who's scope), SF_ECONFLICT ("illegal_transition",
 * "stale_version"), SF_EFORBIDDEN, SF_EINVAL naming the field, SF_EDB. */
int sf_orders_act(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		  int64_t order_id, const struct sf_order_act *act, int64_t now,
		  struct sf_error *err);

/* Apply act for the public holder of an order's tracking code and secret
 * (the portal and Open311): only what the state machine lets SF_ROLE_PUBLIC
 * do (rating). Errors: SF_ENOTFOUND when the code is unknown or the secret
 * does not match (the two are not told apart), then as sf_orders_act. */
int sf_orders_act_tracked(struct sf_app *app, struct sf_conn *c, const char *tracking_code,
			  const char *secret, const struct sf_order_act *act, int64_t now,
			  struct sf_error *err);

/* Store size bytes of data (already checked to be of type mime) as an
 * attachment of order_id with an "attach" event, in one transaction;
 * is_public shows it to the requester. *id receives the attachment id.
 * Errors: SF_ENOTFOUND (no such order or out of scope), SF_ECONFLICT
 * (illegal_transition: a closed order), SF_EFORBIDDEN, SF_EDB. */
int sf_orders_attach(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     int64_t order_id, const void *data, size_t size, const char *mime,
		     bool is_public, int64_t now, int64_t *id, struct sf_error *err);

/* The requester's phone of order_id in clear, for admin, leader and
 * dispatcher only, written to the audit log with reason (required, <= 200
 * characters) and ip in the same transaction. phone gets "" when the order
 * has none. Errors: SF_EFORBIDDEN (role), SF_ENOTFOUND, SF_EINVAL (reason),
 * SF_EDB. */
int sf_orders_reveal(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     int64_t order_id, const char *reason, const char *ip, int64_t now,
		     char phone[SF_PHONE_MAX], struct sf_error *err);

/* Apply the system actions the deadline scan finds due at now for order_id
 * (sf_order_scan_step over its stored clock, read inside the transaction,
 * repeated until nothing more is due), each as an event by SF_ROLE_SYSTEM
 * through the one transition path. Call inside a write transaction (the
 * scan commits many orders at once); roll it back on an error. The actions
 * applied go to applied[0..*n) (cap 8 is always enough); nothing is written
 * when nothing is due. Errors: SF_ENOTFOUND, SF_EDB. */
int sf_orders_apply_due(struct sf_app *app, struct sf_conn *c, int64_t order_id, int64_t now,
			enum sf_order_action *applied, size_t cap, size_t *n, struct sf_error *err);

/* Data scope. Whether who may see order o (admin, leader, dispatcher: all;
 * dept: handled in their unit's subtree; community, grid: area or handling
 * unit in their subtree; operator, enterprise, resident: created by them;
 * and everyone the orders they created). */
bool sf_orders_can_see(const struct sf_principal *who, const struct sf_order_row *o);
/* Whether who's scope allows action on o (can_see, and for dept, community
 * and grid staff the handling actions — start, resolve, return,
 * request_extension — need the handling unit in their subtree). The role is
 * checked by the state machine, not here. */
bool sf_orders_can_act(const struct sf_principal *who, const struct sf_order_row *o,
		       enum sf_order_action action);
/* Set f's scope fields to who's data scope. */
void sf_orders_scope_filter(const struct sf_principal *who, struct sf_order_filter *f);

/* HTTP handlers (see routes.c and docs/openapi.json). */
int sf_api_orders_create(struct sf_req *req);
int sf_api_orders_list(struct sf_req *req);
int sf_api_orders_get(struct sf_req *req);
int sf_api_orders_events(struct sf_req *req);
int sf_api_orders_action(struct sf_req *req);
int sf_api_orders_attach(struct sf_req *req);
int sf_api_orders_attachment(struct sf_req *req);
int sf_api_orders_reveal(struct sf_req *req);
int sf_api_notifications_list(struct sf_req *req);
int sf_api_notifications_read(struct sf_req *req);

#endif

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
#include "domain/order.h"

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
	const char *reason;  /* reject, return (function|territory|ownership), extension */
	const char *text;    /* result (resolve), note body, return-call summary */
	int64_t unit_id;     /* assign target */
	int64_t user_id;     /* assign: handler within the unit (optional) */
	int64_t target_id;   /* merge into */
	enum sf_rating rating;
	int days;            /* extension days requested/approved */
	const char *channel; /* return call: phone or visit */
	const char *contact; /* return call: who was reached */
	bool public_note;    /* note: shown to the requester */
	int64_t expect_version; /* 0 = any; otherwise 409 when the order changed */
};

/* Apply one action to an order, as who, at now. Errors: SF_ENOTFOUND (no
 * such order or not in who's scope), SF_ECONFLICT ("illegal_transition",
 * "stale_version"), SF_EFORBIDDEN, SF_EINVAL naming the field, SF_EDB. */
int sf_orders_act(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		  int64_t order_id, const struct sf_order_act *act, int64_t now,
		  struct sf_error *err);

/* HTTP handlers (see routes.c and docs/openapi.json). */
int sf_api_orders_create(struct sf_req *req);
int sf_api_orders_list(struct sf_req *req);
int sf_api_orders_get(struct sf_req *req);
int sf_api_orders_events(struct sf_req *req);
int sf_api_orders_action(struct sf_req *req);
int sf_api_orders_attach(struct sf_req *req);
int sf_api_orders_attachment(struct sf_req *req);
int sf_api_orders_reveal(struct sf_req *req);

#endif

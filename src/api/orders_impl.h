/* Private to the work-order service (src/api/orders*.c): the limits of its
 * inputs, the one transition path and the small helpers its files share.
 * Not an interface for other resources: they use api/orders.h. */
#ifndef SF_API_ORDERS_IMPL_H
#define SF_API_ORDERS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/orders.h"
#include "store/unit.h"
#include "util/buf.h"
#include "util/jw.h"

#define TITLE_MAX 100
#define DESCRIPTION_MAX 4000
#define RESULT_MAX 4000
#define NOTE_MAX 4000
#define REASON_MAX 200
#define COMMENT_MAX 500
#define SUMMARY_MAX 1000
#define PERSON_NAME_MAX 50
#define ORG_MAX 100
#define ADDRESS_MAX 200
#define CONTACT_MAX 50
#define URL_MAX 500
#define ATTRS_MAX 4000
#define EXTENSION_MAX_DAYS 30
/* Characters of the description indexed for search: all of them (the
 * description is capped at 4000), so a word late in it is found. */
#define TERMS_DESCRIPTION_CHARS 0

/* Who does a step: a person, the public holder of a tracking code, or the
 * system. */
struct sf_orders_actor {
	int64_t user_id;
	const char *name;
	enum sf_role role;
};

/* One call of the transition path. */
struct sf_orders_step {
	struct sf_app *app;
	struct sf_conn *c;
	struct sf_orders_actor actor;
	int64_t now;
	const struct sf_attachment *att; /* "attach" only */
	int64_t event_id;                /* out: the event written */
	struct sf_error *err;
};

/* The one transition path: check the state machine for the actor's role,
 * validate the action's inputs (as the transition's flags require), change
 * the row (guarded by its version: SF_ECONFLICT "stale_version"), append the
 * event to the hash chain, and write what follows (notifications, the note
 * on a merge target). Runs inside the caller's write transaction; on
 * failure the caller rolls back, so nothing is half done. o is updated in
 * place (state, version, clock...); s->event_id gets the event's id.
 * Nothing else writes an order's state. Errors as sf_orders_act. */
int sf_orders_transition(struct sf_orders_step *s, struct sf_order_row *o,
			 const struct sf_order_act *act);

/* The transition path in its parts, for a caller that writes the row
 * itself (creating an order routed at once writes it once, in its final
 * state): sf_orders_change_apply checks act as sf_orders_transition does
 * and changes o in memory only (state, clock...; not its version), keeping
 * in ch what the event and what follows need; sf_orders_change_event
 * describes the event to append once the row is written (its strings are
 * borrowed from o, ch and s); sf_orders_change_after writes what follows
 * it (notifications, a merge target's note); sf_orders_change_release frees
 * ch (after sf_orders_change_init, always). Errors as sf_orders_act. */
struct sf_orders_change {
	enum sf_order_state from, to;
	enum sf_order_action action;
	bool is_public;
	struct sf_order_cell was; /* where the order counted before */
	struct sf_buf body;       /* the event's JSON */
	struct sf_order_row target;
	struct sf_unit unit;
};
void sf_orders_change_init(struct sf_orders_change *ch);
int sf_orders_change_apply(struct sf_orders_step *s, struct sf_order_row *o,
			   const struct sf_order_act *act, struct sf_orders_change *ch);
void sf_orders_change_event(const struct sf_orders_step *s, const struct sf_order_row *o,
			    const struct sf_orders_change *ch, struct sf_order_event *ev);
int sf_orders_change_after(struct sf_orders_step *s, struct sf_order_row *o,
			   const struct sf_order_act *act, struct sf_orders_change *ch);
void sf_orders_change_release(struct sf_orders_change *ch);

/* Load order id for who inside the caller's transaction; an order out of
 * scope is reported exactly like a missing one (SF_ENOTFOUND), SF_EDB. */
int sf_orders_load_scoped(struct sf_conn *c, const struct sf_principal *who, int64_t id,
			  struct sf_order_row *o, struct sf_error *err);

/* Whether s holds more than whitespace (ASCII or U+3000); false for NULL. */
bool sf_orders_present(const char *s);
/* Check a text input: present when required ("missing_field"), valid UTF-8,
 * no control characters (except line breaks and tabs when multiline), at
 * most max characters ("too_long"). SF_EINVAL naming field. */
int sf_orders_check_text(const char *s, const char *field, size_t max, bool required,
			 bool multiline, struct sf_error *err);
/* admin, leader and dispatcher: every order, requesters' names in clear. */
bool sf_orders_role_sees_all(enum sf_role r);
/* End of the days-th working day after start (0 when out of range), under
 * the calendar's read lock. */
int64_t sf_orders_deadline_after(struct sf_app *app, int64_t start, int days);
/* The actor of who's steps (their name, or their role's label). */
struct sf_orders_actor sf_orders_actor_of(const struct sf_principal *who);

/* The fields an order's list item and its detail share, into the open
 * object of w (requester masked as the person may see it). */
void sf_orders_write_item(struct sf_req *req, struct sf_jw *w, const struct sf_order_row *o);
/* Read an optional 0/1 (or false/true) query parameter; SF_EINVAL else. */
int sf_orders_query_flag(struct sf_req *req, const char *key, bool *out);

#endif

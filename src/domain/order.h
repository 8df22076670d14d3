/* The work-order (诉求工单) state machine: states, actions, who may take each
 * action from which state, and the pure deadline-scan rule. Everything is a
 * static table or a pure function: no I/O, no clock, no allocation.
 * Not here: storing orders or events, computing deadlines in working days
 * (domain/calendar), or data scope (which units' orders a person may touch). */
#ifndef SF_ORDER_H
#define SF_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/role.h"
#include "util/err.h"

enum sf_order_state {
	SF_ORDER_SUBMITTED,   /* "submitted"   待受理 */
	SF_ORDER_ACCEPTED,    /* "accepted"    已受理 */
	SF_ORDER_ASSIGNED,    /* "assigned"    已分派 */
	SF_ORDER_IN_PROGRESS, /* "in_progress" 办理中 */
	SF_ORDER_RESOLVED,    /* "resolved"    已办结 */
	SF_ORDER_FEEDBACK,    /* "feedback"    已回访 */
	SF_ORDER_CLOSED,      /* "closed"      已归档 (terminal) */
	SF_ORDER_REJECTED,    /* "rejected"    不予受理 (terminal) */
	SF_ORDER_RETURNED,    /* "returned"    退单 */
	SF_ORDER_REOPENED,    /* "reopened"    重办 */
	SF_ORDER_MERGED,      /* "merged"      已合并 (terminal) */
	SF_ORDER_STATE_COUNT
};

/* Bit of a state in a from_mask. */
#define SF_ORDER_BIT(s) (1u << (s))
/* Transition target meaning "the state does not change" (an event only). */
#define SF_ORDER_SAME (-1)

/* Actions, named as in the URL /orders/{id}/actions/{name}. */
enum sf_order_action {
	SF_ORDER_ACTION_CREATE,            /* "create": the initial event, not a transition */
	SF_ORDER_ACTION_ACCEPT,            /* "accept" */
	SF_ORDER_ACTION_REJECT,            /* "reject" */
	SF_ORDER_ACTION_ASSIGN,            /* "assign" */
	SF_ORDER_ACTION_RETURN,            /* "return" */
	SF_ORDER_ACTION_START,             /* "start" */
	SF_ORDER_ACTION_REQUEST_EXTENSION, /* "request_extension" */
	SF_ORDER_ACTION_APPROVE_EXTENSION, /* "approve_extension" */
	SF_ORDER_ACTION_DENY_EXTENSION,    /* "deny_extension" */
	SF_ORDER_ACTION_RESOLVE,           /* "resolve" */
	SF_ORDER_ACTION_RETURN_CALL,       /* "return_call" 回访 */
	SF_ORDER_ACTION_RATE,              /* "rate" */
	SF_ORDER_ACTION_CLOSE,             /* "close" */
	SF_ORDER_ACTION_MERGE,             /* "merge" */
	SF_ORDER_ACTION_SUPERVISE,         /* "supervise" 督办 */
	SF_ORDER_ACTION_NOTE,              /* "note" */
	SF_ORDER_ACTION_ATTACH,            /* "attach" */
	/* System actions: role SF_ROLE_SYSTEM only, never offered to people. */
	SF_ORDER_ACTION_WARN,     /* "warn": nearly due */
	SF_ORDER_ACTION_OVERDUE,  /* "overdue": breach marked */
	SF_ORDER_ACTION_ESCALATE, /* "escalate": one escalation level up */
	SF_ORDER_ACTION_PROBLEM,  /* "problem": turned into a problem order 问题工单 */
	SF_ORDER_ACTION_COUNT
};

enum sf_rating {
	SF_RATING_NONE,        /* not rated yet: "none" 未评价 */
	SF_RATING_SATISFIED,   /* "satisfied"   满意 */
	SF_RATING_BASIC,       /* "basic"       基本满意 */
	SF_RATING_UNSATISFIED, /* "unsatisfied" 不满意 */
	SF_RATING_COUNT
};

/* Why a handling unit returns an order (退单). */
enum sf_return_reason {
	SF_RETURN_REASON_FUNCTION,  /* "function"  职能: not this unit's job */
	SF_RETURN_REASON_TERRITORY, /* "territory" 属地: not this unit's area */
	SF_RETURN_REASON_OWNERSHIP, /* "ownership" 权属: property belongs elsewhere */
	SF_RETURN_REASON_COUNT
};

/* Flags of a transition: what the API must require of the request, and how
 * the resulting event is shown. */
enum sf_order_tr_flag {
	SF_TR_NEEDS_REASON = 1 << 0,    /* a reason text (reject, request_extension) or
					    a return reason code (return) */
	SF_TR_NEEDS_UNIT = 1 << 1,      /* a target unit (assign) */
	SF_TR_NEEDS_RESULT = 1 << 2,    /* a result text (resolve) */
	SF_TR_NEEDS_RATING = 1 << 3,    /* a rating other than NONE (rate) */
	SF_TR_NEEDS_TARGET = 1 << 4,    /* the order merged into (merge) */
	SF_TR_NEEDS_BODY = 1 << 5,      /* the note text (note) */
	SF_TR_COUNTS_TRANSFER = 1 << 6, /* a transfer when the unit changes (the API
					    compares units; assign from returned/reopened) */
	SF_TR_PUBLIC = 1 << 7,          /* the event is shown to the requester by default */
};

/* One row of the transition table. For a given (action, from-state) there is
 * at most one row. to is a state or SF_ORDER_SAME. For "rate" to is
 * SF_ORDER_FEEDBACK; an unsatisfied rating goes to SF_ORDER_REOPENED instead
 * (sf_order_next applies this). roles is a mask of SF_ROLE_BIT(). */
struct sf_order_transition {
	enum sf_order_action action;
	unsigned from_mask;
	int to;
	unsigned roles;
	unsigned flags;
};

/* State name ("in_progress") or Chinese label ("办理中"); NULL when out of range. */
const char *sf_order_state_name(enum sf_order_state s);
const char *sf_order_state_label_zh(enum sf_order_state s);
/* Parse a state name; false (out untouched) when s is NULL or unknown. */
bool sf_order_state_parse(const char *s, enum sf_order_state *out);
/* closed, rejected and merged are terminal; out-of-range is neither terminal nor open. */
bool sf_order_state_terminal(enum sf_order_state s);
bool sf_order_state_open(enum sf_order_state s);
/* The state a "create" event leaves an order in: SF_ORDER_SUBMITTED. */
enum sf_order_state sf_order_initial_state(void);

/* Action name ("return_call") or Chinese label ("回访"); NULL when out of range. */
const char *sf_order_action_name(enum sf_order_action a);
const char *sf_order_action_label_zh(enum sf_order_action a);
/* Parse an action name; false (out untouched) when s is NULL or unknown. */
bool sf_order_action_parse(const char *s, enum sf_order_action *out);
/* True for warn, overdue, escalate, problem: taken only by SF_ROLE_SYSTEM. */
bool sf_order_action_is_system(enum sf_order_action a);
/* True for "create", the initial event: it has no from-state and no table row;
 * the order starts in sf_order_initial_state(). */
bool sf_order_action_is_initial(enum sf_order_action a);

/* Rating name/label; SF_RATING_NONE is "none"/"未评价"; NULL when out of range.
 * sf_rating_parse accepts only "satisfied", "basic", "unsatisfied" (never
 * "none"), so it can validate a rating a person gives. */
const char *sf_rating_name(enum sf_rating r);
const char *sf_rating_label_zh(enum sf_rating r);
bool sf_rating_parse(const char *s, enum sf_rating *out);

/* Return-reason name ("territory") / label ("属地"); NULL when out of range. */
const char *sf_return_reason_name(enum sf_return_reason r);
const char *sf_return_reason_label_zh(enum sf_return_reason r);
bool sf_return_reason_parse(const char *s, enum sf_return_reason *out);

/* The whole transition table (static storage, never freed); *count gets its
 * length. For documentation, the OpenAPI document and tests. */
const struct sf_order_transition *sf_order_transitions(size_t *count);
/* The row for action from state from; NULL when the action is not allowed from
 * that state (including "create" and out-of-range values). */
const struct sf_order_transition *sf_order_transition_find(enum sf_order_action action,
							   enum sf_order_state from);

/* Decide where `action` by `role` takes an order in state `from`.
 * rating is used only by "rate" (pass SF_RATING_NONE otherwise): satisfied
 * and basic go to feedback, unsatisfied to reopened.
 * Returns 0 and sets *to (equal to from for an event-only action). On failure
 * *to is not touched and err (may be NULL) says why:
 *   SF_EINVAL "invalid_field" field "state"/"action" for out-of-range values;
 *   SF_ECONFLICT "illegal_transition" when the action is not allowed from that
 *     state ("cannot resolve an order that is submitted (待受理)"), "create" too;
 *   SF_EFORBIDDEN "role_not_allowed" when the state allows it but the role may not;
 *   SF_EINVAL "invalid_field" field "rating" for "rate" with NONE or out of range.
 * Checked in that order. Other required fields (reason, unit, ...) are the
 * API's to validate, as the row's flags say. */
int sf_order_next(enum sf_order_state from, enum sf_order_action action, enum sf_role role,
		  enum sf_rating rating, enum sf_order_state *to, struct sf_error *err);

/* The non-system actions `role` may take on an order in state s, in enum order
 * (the web console shows exactly these buttons). Writes at most cap into out
 * and returns how many it wrote; cap SF_ORDER_ACTION_COUNT is always enough.
 * Data scope (is this the person's unit's order?) is the API's to check. */
size_t sf_order_actions_available(enum sf_order_state s, enum sf_role role,
				  enum sf_order_action *out, size_t cap);

/* Which deadline (time limit of the order's category) the state runs against. */
enum sf_order_stage {
	SF_STAGE_NONE,     /* no running deadline: feedback and terminal states */
	SF_STAGE_ACCEPT,   /* submitted */
	SF_STAGE_HANDLE,   /* accepted, assigned, in_progress, returned, reopened */
	SF_STAGE_FEEDBACK, /* resolved: the return call is due */
};
enum sf_order_stage sf_order_stage_of(enum sf_order_state s);

/* What the deadline scan knows of one order in its current stage. Times are
 * UTC seconds. The API resets stage_start, deadline, warned and overdue when
 * the order enters a new stage; escalation, the counts and problem persist. */
struct sf_order_clock {
	int64_t stage_start; /* when the current stage began */
	int64_t deadline;    /* when it is due; <= 0 means no deadline */
	bool warned;         /* a "warn" event was recorded in this stage */
	bool overdue;        /* an "overdue" event was recorded in this stage */
	int escalation;      /* 0 none, 1 unit head, 2 sub-district leader */
	int reopen_count;    /* times reopened */
	int transfer_count;  /* assigns that changed the unit after a return/reopen */
	bool problem;        /* already a problem order */
};

/* Most actions one sf_order_scan_step can return. */
#define SF_ORDER_SCAN_MAX 4

/* The system actions due now for an order with clock c, in this order:
 *   "warn"     when stage_start + 75% of (deadline - stage_start) <= now <= deadline,
 *              not warned and not overdue (a breach the scan finds late is not
 *              "nearly due": it gets "overdue" alone);
 *   "overdue"  when now > deadline and not overdue;
 *   "escalate" when overdue (already, or by this step) and escalation == 0 (to
 *              level 1, the unit's head); or when overdue, escalation == 1 and
 *              now > deadline + (deadline - stage_start) / 2 (to level 2, the
 *              sub-district leader). At most one per step; level 2 never repeats;
 *   "problem"  when reopen_count + transfer_count >= 3 and not yet problem (the
 *              API records it and raises escalation by one, capped at 2).
 * With no deadline (<= 0) only "problem" can be due. Writes at most cap into
 * out and returns how many it wrote; SF_ORDER_SCAN_MAX is always enough.
 * Applying the returned actions and calling again with the updated clock
 * yields what remains (e.g. level 2 when the scan found a very late order). */
int sf_order_scan_step(const struct sf_order_clock *c, int64_t now, enum sf_order_action *out,
		       size_t cap);

#endif

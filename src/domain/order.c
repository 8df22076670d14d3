/* The work-order state machine: name tables, the one transition table that
 * says which action goes from which state to which, by whom, and the pure
 * deadline-scan rule. The API consults sf_order_next before recording any
 * event; nothing else decides an order's state. */
#include "domain/order.h"

#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	const char *zh;
} states[SF_ORDER_STATE_COUNT] = {
	[SF_ORDER_SUBMITTED] = { "submitted", "待受理" },
	[SF_ORDER_ACCEPTED] = { "accepted", "已受理" },
	[SF_ORDER_ASSIGNED] = { "assigned", "已分派" },
	[SF_ORDER_IN_PROGRESS] = { "in_progress", "办理中" },
	[SF_ORDER_RESOLVED] = { "resolved", "已办结" },
	[SF_ORDER_FEEDBACK] = { "feedback", "已回访" },
	[SF_ORDER_CLOSED] = { "closed", "已归档" },
	[SF_ORDER_REJECTED] = { "rejected", "不予受理" },
	[SF_ORDER_RETURNED] = { "returned", "退单" },
	[SF_ORDER_REOPENED] = { "reopened", "重办" },
	[SF_ORDER_MERGED] = { "merged", "已合并" },
};

static const struct {
	const char *name;
	const char *zh;
	bool system;
} actions[SF_ORDER_ACTION_COUNT] = {
	[SF_ORDER_ACTION_CREATE] = { "create", "登记", false },
	[SF_ORDER_ACTION_ACCEPT] = { "accept", "受理", false },
	[SF_ORDER_ACTION_REJECT] = { "reject", "不予受理", false },
	[SF_ORDER_ACTION_ASSIGN] = { "assign", "分派", false },
	[SF_ORDER_ACTION_RETURN] = { "return", "退单", false },
	[SF_ORDER_ACTION_START] = { "start", "开始办理", false },
	[SF_ORDER_ACTION_REQUEST_EXTENSION] = { "request_extension", "申请延期", false },
	[SF_ORDER_ACTION_APPROVE_EXTENSION] = { "approve_extension", "批准延期", false },
	[SF_ORDER_ACTION_DENY_EXTENSION] = { "deny_extension", "驳回延期", false },
	[SF_ORDER_ACTION_RESOLVE] = { "resolve", "办结", false },
	[SF_ORDER_ACTION_RETURN_CALL] = { "return_call", "回访", false },
	[SF_ORDER_ACTION_RATE] = { "rate", "评价", false },
	[SF_ORDER_ACTION_CLOSE] = { "close", "归档", false },
	[SF_ORDER_ACTION_MERGE] = { "merge", "合并", false },
	[SF_ORDER_ACTION_SUPERVISE] = { "supervise", "督办", false },
	[SF_ORDER_ACTION_NOTE] = { "note", "备注", false },
	[SF_ORDER_ACTION_ATTACH] = { "attach", "上传附件", false },
	[SF_ORDER_ACTION_WARN] = { "warn", "临期预警", true },
	[SF_ORDER_ACTION_OVERDUE] = { "overdue", "超期", true },
	[SF_ORDER_ACTION_ESCALATE] = { "escalate", "升级", true },
	[SF_ORDER_ACTION_PROBLEM] = { "problem", "转为问题工单", true },
};

static const struct {
	const char *name;
	const char *zh;
} ratings[SF_RATING_COUNT] = {
	[SF_RATING_NONE] = { "none", "未评价" },
	[SF_RATING_SATISFIED] = { "satisfied", "满意" },
	[SF_RATING_BASIC] = { "basic", "基本满意" },
	[SF_RATING_UNSATISFIED] = { "unsatisfied", "不满意" },
};

static const struct {
	const char *name;
	const char *zh;
} return_reasons[SF_RETURN_REASON_COUNT] = {
	[SF_RETURN_REASON_FUNCTION] = { "function", "职能" },
	[SF_RETURN_REASON_TERRITORY] = { "territory", "属地" },
	[SF_RETURN_REASON_OWNERSHIP] = { "ownership", "权属" },
};

#define S(x) SF_ORDER_BIT(SF_ORDER_##x)
#define TERMINAL (S(CLOSED) | S(REJECTED) | S(MERGED))
#define ANY ((1u << SF_ORDER_STATE_COUNT) - 1u)
#define NON_TERMINAL (ANY & ~TERMINAL)
/* States in which the handling unit holds the order. */
#define HANDLING (S(ASSIGNED) | S(IN_PROGRESS) | S(REOPENED))

#define R(x) SF_ROLE_BIT(SF_ROLE_##x)
#define DISPATCH (R(DISPATCHER) | R(ADMIN))
#define HANDLERS (R(DEPT) | R(COMMUNITY) | R(GRID))
#define LEADERS (R(LEADER) | R(ADMIN))
#define RATERS (DISPATCH | R(RESIDENT) | R(ENTERPRISE) | R(PUBLIC))

#define A(x) SF_ORDER_ACTION_##x
#define TO(x) SF_ORDER_##x
#define SAME SF_ORDER_SAME

/* The transition table. Admin is in every row the dispatcher is in. */
static const struct sf_order_transition table[] = {
	{ A(ACCEPT), S(SUBMITTED), TO(ACCEPTED), DISPATCH, SF_TR_PUBLIC },
	{ A(REJECT), S(SUBMITTED) | S(ACCEPTED), TO(REJECTED), DISPATCH,
	  SF_TR_NEEDS_REASON | SF_TR_PUBLIC },
	{ A(ASSIGN), S(ACCEPTED), TO(ASSIGNED), DISPATCH, SF_TR_NEEDS_UNIT | SF_TR_PUBLIC },
	{ A(ASSIGN), S(RETURNED) | S(REOPENED), TO(ASSIGNED), DISPATCH,
	  SF_TR_NEEDS_UNIT | SF_TR_COUNTS_TRANSFER | SF_TR_PUBLIC },
	{ A(RETURN), S(ASSIGNED) | S(IN_PROGRESS), TO(RETURNED), HANDLERS, SF_TR_NEEDS_REASON },
	{ A(START), S(ASSIGNED) | S(REOPENED), TO(IN_PROGRESS), HANDLERS, SF_TR_PUBLIC },
	{ A(REQUEST_EXTENSION), HANDLING, SAME, HANDLERS, SF_TR_NEEDS_REASON },
	{ A(APPROVE_EXTENSION), HANDLING, SAME, LEADERS, SF_TR_PUBLIC },
	{ A(DENY_EXTENSION), HANDLING, SAME, LEADERS, 0 },
	{ A(RESOLVE), HANDLING, TO(RESOLVED), HANDLERS, SF_TR_NEEDS_RESULT | SF_TR_PUBLIC },
	{ A(RETURN_CALL), S(RESOLVED), TO(FEEDBACK), SF_ROLES_STAFF, SF_TR_PUBLIC },
	{ A(RATE), S(RESOLVED) | S(FEEDBACK), TO(FEEDBACK), RATERS,
	  SF_TR_NEEDS_RATING | SF_TR_PUBLIC },
	{ A(CLOSE), S(FEEDBACK), TO(CLOSED), DISPATCH, SF_TR_PUBLIC },
	{ A(MERGE), NON_TERMINAL, TO(MERGED), DISPATCH, SF_TR_NEEDS_TARGET | SF_TR_PUBLIC },
	{ A(SUPERVISE), NON_TERMINAL & ~S(SUBMITTED), SAME, LEADERS, 0 },
	{ A(NOTE), ANY, SAME, SF_ROLES_STAFF, SF_TR_NEEDS_BODY },
	{ A(ATTACH), NON_TERMINAL, SAME, SF_ROLES_STAFF, 0 },
	{ A(WARN), NON_TERMINAL, SAME, R(SYSTEM), 0 },
	{ A(OVERDUE), NON_TERMINAL, SAME, R(SYSTEM), 0 },
	{ A(ESCALATE), NON_TERMINAL, SAME, R(SYSTEM), 0 },
	{ A(PROBLEM), NON_TERMINAL, SAME, R(SYSTEM), 0 },
};

static bool state_ok(enum sf_order_state s)
{
	return (unsigned)s < SF_ORDER_STATE_COUNT;
}

static bool action_ok(enum sf_order_action a)
{
	return (unsigned)a < SF_ORDER_ACTION_COUNT;
}

const char *sf_order_state_name(enum sf_order_state s)
{
	return state_ok(s) ? states[s].name : NULL;
}

const char *sf_order_state_label_zh(enum sf_order_state s)
{
	return state_ok(s) ? states[s].zh : NULL;
}

bool sf_order_state_parse(const char *s, enum sf_order_state *out)
{
	if (!s)
		return false;
	for (int i = 0; i < SF_ORDER_STATE_COUNT; i++) {
		if (strcmp(s, states[i].name) == 0) {
			*out = (enum sf_order_state)i;
			return true;
		}
	}
	return false;
}

bool sf_order_state_terminal(enum sf_order_state s)
{
	return state_ok(s) && (SF_ORDER_BIT(s) & TERMINAL) != 0;
}

bool sf_order_state_open(enum sf_order_state s)
{
	return state_ok(s) && !sf_order_state_terminal(s);
}

enum sf_order_state sf_order_initial_state(void)
{
	return SF_ORDER_SUBMITTED;
}

const char *sf_order_action_name(enum sf_order_action a)
{
	return action_ok(a) ? actions[a].name : NULL;
}

const char *sf_order_action_label_zh(enum sf_order_action a)
{
	return action_ok(a) ? actions[a].zh : NULL;
}

bool sf_order_action_parse(const char *s, enum sf_order_action *out)
{
	if (!s)
		return false;
	for (int i = 0; i < SF_ORDER_ACTION_COUNT; i++) {
		if (strcmp(s, actions[i].name) == 0) {
			*out = (enum sf_order_action)i;
			return true;
		}
	}
	return false;
}

bool sf_order_action_is_system(enum sf_order_action a)
{
	return action_ok(a) && actions[a].system;
}

bool sf_order_action_is_initial(enum sf_order_action a)
{
	return a == SF_ORDER_ACTION_CREATE;
}

const char *sf_rating_name(enum sf_rating r)
{
	return (unsigned)r < SF_RATING_COUNT ? ratings[r].name : NULL;
}

const char *sf_rating_label_zh(enum sf_rating r)
{
	return (unsigned)r < SF_RATING_COUNT ? ratings[r].zh : NULL;
}

bool sf_rating_parse(const char *s, enum sf_rating *out)
{
	if (!s)
		return false;
	/* NONE is a stored "not yet", never something a person can give. */
	for (int i = SF_RATING_NONE + 1; i < SF_RATING_COUNT; i++) {
		if (strcmp(s, ratings[i].name) == 0) {
			*out = (enum sf_rating)i;
			return true;
		}
	}
	return false;
}

const char *sf_return_reason_name(enum sf_return_reason r)
{
	return (unsigned)r < SF_RETURN_REASON_COUNT ? return_reasons[r].name : NULL;
}

const char *sf_return_reason_label_zh(enum sf_return_reason r)
{
	return (unsigned)r < SF_RETURN_REASON_COUNT ? return_reasons[r].zh : NULL;
}

bool sf_return_reason_parse(const char *s, enum sf_return_reason *out)
{
	if (!s)
		return false;
	for (int i = 0; i < SF_RETURN_REASON_COUNT; i++) {
		if (strcmp(s, return_reasons[i].name) == 0) {
			*out = (enum sf_return_reason)i;
			return true;
		}
	}
	return false;
}

const struct sf_order_transition *sf_order_transitions(size_t *count)
{
	if (count)
		*count = N_ELEMS(table);
	return table;
}

const struct sf_order_transition *sf_order_transition_find(enum sf_order_action action,
							   enum sf_order_state from)
{
	if (!action_ok(action) || !state_ok(from))
		return NULL;
	for (size_t i = 0; i < N_ELEMS(table); i++)
		if (table[i].action == action && (table[i].from_mask & SF_ORDER_BIT(from)))
			return &table[i];
	return NULL;
}

int sf_order_next(enum sf_order_state from, enum sf_order_action action, enum sf_role role,
		  enum sf_rating rating, enum sf_order_state *to, struct sf_error *err)
{
	const struct sf_order_transition *t;
	enum sf_order_state next;

	if (!state_ok(from))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "state",
				    "unknown order state %d", (int)from);
	if (!action_ok(action))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "action",
				    "unknown order action %d", (int)action);
	t = sf_order_transition_find(action, from);
	if (!t) {
		if (sf_order_action_is_initial(action))
			return sf_error_set(err, SF_ECONFLICT, "illegal_transition", "",
					    "cannot create an order that already exists (%s, %s)",
					    states[from].name, states[from].zh);
		return sf_error_set(err, SF_ECONFLICT, "illegal_transition", "",
				    "cannot %s an order that is %s (%s)", actions[action].name,
				    states[from].name, states[from].zh);
	}
	if ((unsigned)role >= SF_ROLE_COUNT || !(t->roles & SF_ROLE_BIT(role)))
		return sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				    "role %s may not %s an order that is %s (%s)",
				    (unsigned)role < SF_ROLE_COUNT ? sf_role_name(role) : "unknown",
				    actions[action].name, states[from].name, states[from].zh);
	next = t->to == SF_ORDER_SAME ? from : (enum sf_order_state)t->to;
	if (t->flags & SF_TR_NEEDS_RATING) {
		if (rating <= SF_RATING_NONE || rating >= SF_RATING_COUNT)
			return sf_error_set(err, SF_EINVAL, "invalid_field", "rating",
					    "rating must be satisfied, basic or unsatisfied");
		if (rating == SF_RATING_UNSATISFIED)
			next = SF_ORDER_REOPENED;
	}
	*to = next;
	return 0;
}

size_t sf_order_actions_available(enum sf_order_state s, enum sf_role role,
				  enum sf_order_action *out, size_t cap)
{
	size_t n = 0;

	if ((unsigned)role >= SF_ROLE_COUNT)
		return 0;
	for (int a = 0; a < SF_ORDER_ACTION_COUNT && n < cap; a++) {
		const struct sf_order_transition *t;

		if (actions[a].system)
			continue;
		t = sf_order_transition_find((enum sf_order_action)a, s);
		if (t && (t->roles & SF_ROLE_BIT(role)))
			out[n++] = (enum sf_order_action)a;
	}
	return n;
}

enum sf_order_stage sf_order_stage_of(enum sf_order_state s)
{
	switch (s) {
	case SF_ORDER_SUBMITTED: return SF_STAGE_ACCEPT;
	case SF_ORDER_ACCEPTED:
	case SF_ORDER_ASSIGNED:
	case SF_ORDER_IN_PROGRESS:
	case SF_ORDER_RETURNED:
	case SF_ORDER_REOPENED: return SF_STAGE_HANDLE;
	case SF_ORDER_RESOLVED: return SF_STAGE_FEEDBACK;
	default: return SF_STAGE_NONE;
	}
}

/* floor(3 * span / 4) without overflowing for any span >= 0. */
static int64_t three_quarters(int64_t span)
{
	return span / 4 * 3 + span % 4 * 3 / 4;
}

int sf_order_scan_step(const struct sf_order_clock *c, int64_t now, enum sf_order_action *out,
		       size_t cap)
{
	enum sf_order_action due[SF_ORDER_SCAN_MAX];
	size_t n = 0, i;

	if (c->deadline > 0) {
		/* A clock whose deadline precedes its start is bad data; treat the
		 * stage as zero-length rather than compute a negative span. */
		int64_t start = c->stage_start < c->deadline ? c->stage_start : c->deadline;
		int64_t span = c->deadline - start;
		int64_t warn_at = start + three_quarters(span);
		bool overdue = c->overdue;

		if (!c->warned && !overdue && now >= warn_at && now <= c->deadline)
			due[n++] = SF_ORDER_ACTION_WARN;
		if (!overdue && now > c->deadline) {
			due[n++] = SF_ORDER_ACTION_OVERDUE;
			overdue = true;
		}
		if (overdue) {
			if (c->escalation <= 0)
				due[n++] = SF_ORDER_ACTION_ESCALATE;
			else if (c->escalation == 1 && span / 2 < INT64_MAX - c->deadline &&
				 now > c->deadline + span / 2)
				due[n++] = SF_ORDER_ACTION_ESCALATE;
		}
	}
	if (!c->problem && (int64_t)c->reopen_count + c->transfer_count >= 3)
		due[n++] = SF_ORDER_ACTION_PROBLEM;
	for (i = 0; i < n && i < cap; i++)
		out[i] = due[i];
	return (int)i;
}

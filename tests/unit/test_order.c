/* Unit tests of the work-order state machine (domain/order): every legal
 * transition against an expected table written here independently of the
 * code, every illegal pair, role checks, ratings, the console's buttons,
 * names, and the deadline-scan rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "domain/order.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define B(r) SF_ROLE_BIT(SF_ROLE_##r)

/* Who may take each action, as the brief and DESIGN.md say. */
#define DISPATCH (B(DISPATCHER) | B(ADMIN))
#define HANDLERS (B(DEPT) | B(COMMUNITY) | B(GRID))
#define LEADERS (B(LEADER) | B(ADMIN))
#define STAFF (B(ADMIN) | B(LEADER) | B(DISPATCHER) | B(DEPT) | B(COMMUNITY) | B(GRID))
#define RATERS (DISPATCH | B(RESIDENT) | B(ENTERPRISE) | B(PUBLIC))

static const unsigned expected_roles[SF_ORDER_ACTION_COUNT] = {
	[SF_ORDER_ACTION_CREATE] = 0,
	[SF_ORDER_ACTION_ACCEPT] = DISPATCH,
	[SF_ORDER_ACTION_REJECT] = DISPATCH,
	[SF_ORDER_ACTION_ASSIGN] = DISPATCH,
	[SF_ORDER_ACTION_RETURN] = HANDLERS,
	[SF_ORDER_ACTION_START] = HANDLERS,
	[SF_ORDER_ACTION_REQUEST_EXTENSION] = HANDLERS,
	[SF_ORDER_ACTION_APPROVE_EXTENSION] = LEADERS,
	[SF_ORDER_ACTION_DENY_EXTENSION] = LEADERS,
	[SF_ORDER_ACTION_RESOLVE] = HANDLERS,
	[SF_ORDER_ACTION_RETURN_CALL] = STAFF,
	[SF_ORDER_ACTION_RATE] = RATERS,
	[SF_ORDER_ACTION_CLOSE] = DISPATCH,
	[SF_ORDER_ACTION_MERGE] = DISPATCH,
	[SF_ORDER_ACTION_SUPERVISE] = LEADERS,
	[SF_ORDER_ACTION_NOTE] = STAFF,
	[SF_ORDER_ACTION_ATTACH] = STAFF,
	[SF_ORDER_ACTION_WARN] = B(SYSTEM),
	[SF_ORDER_ACTION_OVERDUE] = B(SYSTEM),
	[SF_ORDER_ACTION_ESCALATE] = B(SYSTEM),
	[SF_ORDER_ACTION_PROBLEM] = B(SYSTEM),
};

#define SAME (-1)
#define NONE (-2) /* not allowed */

/* Expected target of every (action, from) pair; satisfied rating for "rate". */
static int expected[SF_ORDER_ACTION_COUNT][SF_ORDER_STATE_COUNT];

static void build_expected(void)
{
	static const enum sf_order_state open_states[] = {
		SF_ORDER_SUBMITTED, SF_ORDER_ACCEPTED, SF_ORDER_ASSIGNED, SF_ORDER_IN_PROGRESS,
		SF_ORDER_RESOLVED,  SF_ORDER_FEEDBACK, SF_ORDER_RETURNED, SF_ORDER_REOPENED,
	};
	static const enum sf_order_state handling[] = {
		SF_ORDER_ASSIGNED,
		SF_ORDER_IN_PROGRESS,
		SF_ORDER_REOPENED,
	};
	static const enum sf_order_action sys[] = {
		SF_ORDER_ACTION_WARN,
		SF_ORDER_ACTION_OVERDUE,
		SF_ORDER_ACTION_ESCALATE,
		SF_ORDER_ACTION_PROBLEM,
	};

	for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++)
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
			expected[a][s] = NONE;
	expected[SF_ORDER_ACTION_ACCEPT][SF_ORDER_SUBMITTED] = SF_ORDER_ACCEPTED;
	expected[SF_ORDER_ACTION_REJECT][SF_ORDER_SUBMITTED] = SF_ORDER_REJECTED;
	expected[SF_ORDER_ACTION_REJECT][SF_ORDER_ACCEPTED] = SF_ORDER_REJECTED;
	expected[SF_ORDER_ACTION_ASSIGN][SF_ORDER_ACCEPTED] = SF_ORDER_ASSIGNED;
	expected[SF_ORDER_ACTION_ASSIGN][SF_ORDER_RETURNED] = SF_ORDER_ASSIGNED;
	expected[SF_ORDER_ACTION_ASSIGN][SF_ORDER_REOPENED] = SF_ORDER_ASSIGNED;
	expected[SF_ORDER_ACTION_RETURN][SF_ORDER_ASSIGNED] = SF_ORDER_RETURNED;
	expected[SF_ORDER_ACTION_RETURN][SF_ORDER_IN_PROGRESS] = SF_ORDER_RETURNED;
	expected[SF_ORDER_ACTION_START][SF_ORDER_ASSIGNED] = SF_ORDER_IN_PROGRESS;
	expected[SF_ORDER_ACTION_START][SF_ORDER_REOPENED] = SF_ORDER_IN_PROGRESS;
	for (size_t i = 0; i < N_ELEMS(handling); i++) {
		expected[SF_ORDER_ACTION_REQUEST_EXTENSION][handling[i]] = SAME;
		expected[SF_ORDER_ACTION_APPROVE_EXTENSION][handling[i]] = SAME;
		expected[SF_ORDER_ACTION_DENY_EXTENSION][handling[i]] = SAME;
		expected[SF_ORDER_ACTION_RESOLVE][handling[i]] = SF_ORDER_RESOLVED;
	}
	expected[SF_ORDER_ACTION_RETURN_CALL][SF_ORDER_RESOLVED] = SF_ORDER_FEEDBACK;
	expected[SF_ORDER_ACTION_RATE][SF_ORDER_RESOLVED] = SF_ORDER_FEEDBACK;
	expected[SF_ORDER_ACTION_RATE][SF_ORDER_FEEDBACK] = SF_ORDER_FEEDBACK;
	expected[SF_ORDER_ACTION_CLOSE][SF_ORDER_FEEDBACK] = SF_ORDER_CLOSED;
	for (size_t i = 0; i < N_ELEMS(open_states); i++) {
		enum sf_order_state s = open_states[i];

		expected[SF_ORDER_ACTION_MERGE][s] = SF_ORDER_MERGED;
		if (s != SF_ORDER_SUBMITTED)
			expected[SF_ORDER_ACTION_SUPERVISE][s] = SAME;
		expected[SF_ORDER_ACTION_ATTACH][s] = SAME;
		for (size_t j = 0; j < N_ELEMS(sys); j++)
			expected[sys[j]][s] = SAME;
	}
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
		expected[SF_ORDER_ACTION_NOTE][s] = SAME;
}

/* Some role the expected table allows for action a. */
static enum sf_role some_role(enum sf_order_action a)
{
	for (int r = 0; r < SF_ROLE_COUNT; r++)
		if (expected_roles[a] & SF_ROLE_BIT(r))
			return (enum sf_role)r;
	fail_msg("no role for %s", sf_order_action_name(a));
	return SF_ROLE_PUBLIC;
}

static int next(enum sf_order_state from, enum sf_order_action a, enum sf_role role,
		enum sf_rating rating, enum sf_order_state *to, struct sf_error *err)
{
	sf_error_clear(err);
	return sf_order_next(from, a, role, rating, to, err);
}

static void test_every_legal_transition(void **state)
{
	int legal = 0;

	for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++) {
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
			struct sf_error err;
			enum sf_order_state to = SF_ORDER_STATE_COUNT;
			int want = expected[a][s];
			int rc;

			if (want == NONE)
				continue;
			legal++;
			rc = next(s, a, some_role(a), SF_RATING_SATISFIED, &to, &err);
			if (rc != 0)
				fail_msg("%s from %s: rc %d %s", sf_order_action_name(a),
					 sf_order_state_name(s), rc, err.message);
			assert_int_equal(to, want == SAME ? s : want);
			assert_non_null(sf_order_transition_find(a, s));
		}
	}
	/* The brief's transitions, counted by hand: guards against a table
	 * that is empty or an expected table gone wrong along with the code. */
	assert_int_equal(legal, 1 + 2 + 3 + 2 + 2 + 3 * 4 + 1 + 2 + 1 + 8 + 7 + 11 + 8 + 8 * 4);
}

static void test_every_illegal_pair_conflicts(void **state)
{
	for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++) {
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
			struct sf_error err;
			enum sf_order_state to = SF_ORDER_STATE_COUNT;

			if (expected[a][s] != NONE)
				continue;
			assert_null(sf_order_transition_find(a, s));
			/* Even the most powerful roles get a conflict, not a pass. */
			for (int r = 0; r < SF_ROLE_COUNT; r++) {
				int rc = next(s, a, r, SF_RATING_SATISFIED, &to, &err);

				if (rc != SF_ECONFLICT)
					fail_msg("%s from %s by %s: rc %d, want conflict",
						 sf_order_action_name(a), sf_order_state_name(s),
						 sf_role_name(r), rc);
				assert_string_equal(err.code, "illegal_transition");
				assert_int_equal(to, SF_ORDER_STATE_COUNT);
			}
		}
	}
}

static void test_conflict_message(void **state)
{
	struct sf_error err;
	enum sf_order_state to = SF_ORDER_SUBMITTED;

	assert_int_equal(next(SF_ORDER_SUBMITTED, SF_ORDER_ACTION_RESOLVE, SF_ROLE_DEPT,
			      SF_RATING_NONE, &to, &err),
			 SF_ECONFLICT);
	assert_string_equal(err.message, "cannot resolve an order that is submitted (待受理)");
	assert_int_equal(err.rc, SF_ECONFLICT);
	assert_int_equal(sf_err_http_status(err.rc), 409);
	/* create is the initial event, never a transition */
	assert_int_equal(next(SF_ORDER_SUBMITTED, SF_ORDER_ACTION_CREATE, SF_ROLE_ADMIN,
			      SF_RATING_NONE, &to, &err),
			 SF_ECONFLICT);
	assert_true(sf_order_action_is_initial(SF_ORDER_ACTION_CREATE));
	assert_false(sf_order_action_is_initial(SF_ORDER_ACTION_ACCEPT));
	assert_int_equal(sf_order_initial_state(), SF_ORDER_SUBMITTED);
	/* NULL err is allowed */
	assert_int_equal(sf_order_next(SF_ORDER_CLOSED, SF_ORDER_ACTION_ACCEPT, SF_ROLE_ADMIN,
				       SF_RATING_NONE, &to, NULL),
			 SF_ECONFLICT);
}

static void test_roles_exact(void **state)
{
	/* For every legal pair, exactly the expected roles pass; the others are
	 * forbidden and the state is left alone. */
	for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++) {
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
			if (expected[a][s] == NONE)
				continue;
			for (int r = 0; r < SF_ROLE_COUNT; r++) {
				struct sf_error err;
				enum sf_order_state to = SF_ORDER_STATE_COUNT;
				int rc = next(s, a, r, SF_RATING_BASIC, &to, &err);
				bool may = expected_roles[a] & SF_ROLE_BIT(r);

				if (may && rc != 0)
					fail_msg("%s by %s from %s: rc %d %s",
						 sf_order_action_name(a), sf_role_name(r),
						 sf_order_state_name(s), rc, err.message);
				if (!may) {
					if (rc != SF_EFORBIDDEN)
						fail_msg("%s by %s from %s: rc %d, want forbidden",
							 sf_order_action_name(a), sf_role_name(r),
							 sf_order_state_name(s), rc);
					assert_string_equal(err.code, "role_not_allowed");
					assert_int_equal(to, SF_ORDER_STATE_COUNT);
				}
			}
		}
	}
}

static void test_role_examples(void **state)
{
	struct sf_error err;
	enum sf_order_state to = SF_ORDER_STATE_COUNT;

	/* a department cannot accept */
	assert_int_equal(next(SF_ORDER_SUBMITTED, SF_ORDER_ACTION_ACCEPT, SF_ROLE_DEPT,
			      SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
	assert_string_equal(err.code, "role_not_allowed");
	assert_int_equal(sf_err_http_status(err.rc), 403);
	/* a community worker cannot approve an extension, a leader can */
	assert_int_equal(next(SF_ORDER_IN_PROGRESS, SF_ORDER_ACTION_APPROVE_EXTENSION,
			      SF_ROLE_COMMUNITY, SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
	assert_int_equal(next(SF_ORDER_IN_PROGRESS, SF_ORDER_ACTION_APPROVE_EXTENSION,
			      SF_ROLE_LEADER, SF_RATING_NONE, &to, &err),
			 0);
	assert_int_equal(to, SF_ORDER_IN_PROGRESS);
	/* a resident can rate but not resolve */
	to = SF_ORDER_STATE_COUNT;
	assert_int_equal(next(SF_ORDER_IN_PROGRESS, SF_ORDER_ACTION_RESOLVE, SF_ROLE_RESIDENT,
			      SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
	assert_int_equal(to, SF_ORDER_STATE_COUNT);
	assert_int_equal(next(SF_ORDER_RESOLVED, SF_ORDER_ACTION_RATE, SF_ROLE_RESIDENT,
			      SF_RATING_SATISFIED, &to, &err),
			 0);
	assert_int_equal(to, SF_ORDER_FEEDBACK);
	/* people never take system actions, the system takes nothing else */
	assert_int_equal(next(SF_ORDER_ASSIGNED, SF_ORDER_ACTION_OVERDUE, SF_ROLE_ADMIN,
			      SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
	assert_int_equal(next(SF_ORDER_SUBMITTED, SF_ORDER_ACTION_ACCEPT, SF_ROLE_SYSTEM,
			      SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
	/* an out-of-range role is forbidden, not a crash */
	assert_int_equal(next(SF_ORDER_SUBMITTED, SF_ORDER_ACTION_ACCEPT, (enum sf_role)99,
			      SF_RATING_NONE, &to, &err),
			 SF_EFORBIDDEN);
}

static void test_admin_may_do_what_dispatcher_may(void **state)
{
	size_t n;
	const struct sf_order_transition *t = sf_order_transitions(&n);

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		if (t[i].roles & B(DISPATCHER))
			assert_true(t[i].roles & B(ADMIN));
}

static void test_rating_outcomes(void **state)
{
	struct sf_error err;
	enum sf_order_state to;
	const enum sf_order_state from[] = { SF_ORDER_RESOLVED, SF_ORDER_FEEDBACK };

	for (size_t i = 0; i < N_ELEMS(from); i++) {
		to = SF_ORDER_STATE_COUNT;
		assert_int_equal(next(from[i], SF_ORDER_ACTION_RATE, SF_ROLE_RESIDENT,
				      SF_RATING_UNSATISFIED, &to, &err),
				 0);
		assert_int_equal(to, SF_ORDER_REOPENED);
		assert_int_equal(next(from[i], SF_ORDER_ACTION_RATE, SF_ROLE_ENTERPRISE,
				      SF_RATING_SATISFIED, &to, &err),
				 0);
		assert_int_equal(to, SF_ORDER_FEEDBACK);
		assert_int_equal(next(from[i], SF_ORDER_ACTION_RATE, SF_ROLE_DISPATCHER,
				      SF_RATING_BASIC, &to, &err),
				 0);
		assert_int_equal(to, SF_ORDER_FEEDBACK);
		/* no rating is a 400 on the "rating" field, and changes nothing */
		to = SF_ORDER_STATE_COUNT;
		assert_int_equal(next(from[i], SF_ORDER_ACTION_RATE, SF_ROLE_RESIDENT,
				      SF_RATING_NONE, &to, &err),
				 SF_EINVAL);
		assert_string_equal(err.code, "invalid_field");
		assert_string_equal(err.field, "rating");
		assert_int_equal(to, SF_ORDER_STATE_COUNT);
		assert_int_equal(next(from[i], SF_ORDER_ACTION_RATE, SF_ROLE_RESIDENT,
				      (enum sf_rating)42, &to, &err),
				 SF_EINVAL);
	}
	/* other actions ignore the rating */
	assert_int_equal(next(SF_ORDER_FEEDBACK, SF_ORDER_ACTION_CLOSE, SF_ROLE_DISPATCHER,
			      SF_RATING_UNSATISFIED, &to, &err),
			 0);
	assert_int_equal(to, SF_ORDER_CLOSED);
}

static void test_terminal_states_only_note(void **state)
{
	const enum sf_order_state terminal[] = { SF_ORDER_CLOSED, SF_ORDER_REJECTED,
						 SF_ORDER_MERGED };

	for (size_t i = 0; i < N_ELEMS(terminal); i++) {
		enum sf_order_state s = terminal[i];

		assert_true(sf_order_state_terminal(s));
		assert_false(sf_order_state_open(s));
		for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++) {
			struct sf_error err;
			enum sf_order_state to = SF_ORDER_STATE_COUNT;
			int rc = next(s, a, SF_ROLE_ADMIN, SF_RATING_SATISFIED, &to, &err);

			if (a == SF_ORDER_ACTION_NOTE) {
				assert_int_equal(rc, 0);
				assert_int_equal(to, s);
			} else {
				assert_int_equal(rc, SF_ECONFLICT);
			}
		}
		/* and the console offers only the note button */
		enum sf_order_action out[SF_ORDER_ACTION_COUNT];

		assert_int_equal(sf_order_actions_available(s, SF_ROLE_ADMIN, out, N_ELEMS(out)),
				 1);
		assert_int_equal(out[0], SF_ORDER_ACTION_NOTE);
	}
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
		assert_int_equal(sf_order_state_terminal(s), !sf_order_state_open(s));
	assert_false(sf_order_state_open((enum sf_order_state)SF_ORDER_STATE_COUNT));
	assert_false(sf_order_state_terminal((enum sf_order_state)SF_ORDER_STATE_COUNT));
}

static void test_actions_available(void **state)
{
	enum sf_order_action out[SF_ORDER_ACTION_COUNT];
	size_t n;

	n = sf_order_actions_available(SF_ORDER_SUBMITTED, SF_ROLE_DISPATCHER, out, N_ELEMS(out));
	assert_int_equal(n, 5);
	assert_int_equal(out[0], SF_ORDER_ACTION_ACCEPT);
	assert_int_equal(out[1], SF_ORDER_ACTION_REJECT);
	assert_int_equal(out[2], SF_ORDER_ACTION_MERGE);
	assert_int_equal(out[3], SF_ORDER_ACTION_NOTE);
	assert_int_equal(out[4], SF_ORDER_ACTION_ATTACH);

	/* a department on an order it is handling */
	n = sf_order_actions_available(SF_ORDER_IN_PROGRESS, SF_ROLE_DEPT, out, N_ELEMS(out));
	assert_int_equal(n, 5);
	assert_int_equal(out[0], SF_ORDER_ACTION_RETURN);
	assert_int_equal(out[1], SF_ORDER_ACTION_REQUEST_EXTENSION);
	assert_int_equal(out[2], SF_ORDER_ACTION_RESOLVE);
	assert_int_equal(out[3], SF_ORDER_ACTION_NOTE);
	assert_int_equal(out[4], SF_ORDER_ACTION_ATTACH);

	/* a resident gets only the rating button, and only once resolved */
	assert_int_equal(sf_order_actions_available(SF_ORDER_IN_PROGRESS, SF_ROLE_RESIDENT, out,
						    N_ELEMS(out)),
			 0);
	n = sf_order_actions_available(SF_ORDER_RESOLVED, SF_ROLE_RESIDENT, out, N_ELEMS(out));
	assert_int_equal(n, 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_RATE);

	/* the system is never offered buttons */
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
		assert_int_equal(sf_order_actions_available(s, SF_ROLE_SYSTEM, out, N_ELEMS(out)),
				 0);

	/* cap is honoured */
	out[2] = SF_ORDER_ACTION_COUNT;
	n = sf_order_actions_available(SF_ORDER_SUBMITTED, SF_ROLE_DISPATCHER, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(out[1], SF_ORDER_ACTION_REJECT);
	assert_int_equal(out[2], SF_ORDER_ACTION_COUNT);

	/* every button offered really works for that role */
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
		for (int r = 0; r < SF_ROLE_COUNT; r++) {
			n = sf_order_actions_available(s, r, out, N_ELEMS(out));
			for (size_t i = 0; i < n; i++) {
				enum sf_order_state to;

				assert_false(sf_order_action_is_system(out[i]));
				assert_int_equal(
					sf_order_next(s, out[i], r, SF_RATING_BASIC, &to, NULL), 0);
			}
		}
	}
}

static void test_table_shape(void **state)
{
	size_t n;
	const struct sf_order_transition *t = sf_order_transitions(&n);

	/* At most one row per (action, from): find() must not be ambiguous. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (t[i].action == t[j].action)
				assert_int_equal(t[i].from_mask & t[j].from_mask, 0);

	/* The flags the API relies on. */
	const struct sf_order_transition *f;

	f = sf_order_transition_find(SF_ORDER_ACTION_REJECT, SF_ORDER_SUBMITTED);
	assert_true(f->flags & SF_TR_NEEDS_REASON);
	f = sf_order_transition_find(SF_ORDER_ACTION_ASSIGN, SF_ORDER_ACCEPTED);
	assert_true(f->flags & SF_TR_NEEDS_UNIT);
	assert_false(f->flags & SF_TR_COUNTS_TRANSFER);
	f = sf_order_transition_find(SF_ORDER_ACTION_ASSIGN, SF_ORDER_RETURNED);
	assert_true(f->flags & SF_TR_NEEDS_UNIT);
	assert_true(f->flags & SF_TR_COUNTS_TRANSFER);
	f = sf_order_transition_find(SF_ORDER_ACTION_ASSIGN, SF_ORDER_REOPENED);
	assert_true(f->flags & SF_TR_COUNTS_TRANSFER);
	f = sf_order_transition_find(SF_ORDER_ACTION_RETURN, SF_ORDER_ASSIGNED);
	assert_true(f->flags & SF_TR_NEEDS_REASON);
	f = sf_order_transition_find(SF_ORDER_ACTION_RESOLVE, SF_ORDER_IN_PROGRESS);
	assert_true(f->flags & SF_TR_NEEDS_RESULT);
	assert_true(f->flags & SF_TR_PUBLIC);
	f = sf_order_transition_find(SF_ORDER_ACTION_RATE, SF_ORDER_RESOLVED);
	assert_true(f->flags & SF_TR_NEEDS_RATING);
	f = sf_order_transition_find(SF_ORDER_ACTION_MERGE, SF_ORDER_ASSIGNED);
	assert_true(f->flags & SF_TR_NEEDS_TARGET);
	f = sf_order_transition_find(SF_ORDER_ACTION_NOTE, SF_ORDER_CLOSED);
	assert_true(f->flags & SF_TR_NEEDS_BODY);
	/* internal notes and system events are not shown to the requester */
	assert_false(f->flags & SF_TR_PUBLIC);
	f = sf_order_transition_find(SF_ORDER_ACTION_OVERDUE, SF_ORDER_ASSIGNED);
	assert_false(f->flags & SF_TR_PUBLIC);
	f = sf_order_transition_find(SF_ORDER_ACTION_RETURN, SF_ORDER_ASSIGNED);
	assert_false(f->flags & SF_TR_PUBLIC);

	assert_null(sf_order_transition_find(SF_ORDER_ACTION_CREATE, SF_ORDER_SUBMITTED));
	assert_null(sf_order_transition_find((enum sf_order_action) - 1, SF_ORDER_SUBMITTED));
	assert_null(sf_order_transition_find(SF_ORDER_ACTION_NOTE, SF_ORDER_STATE_COUNT));
}

static void test_out_of_range_input(void **state)
{
	struct sf_error err;
	enum sf_order_state to = SF_ORDER_STATE_COUNT;

	assert_int_equal(next((enum sf_order_state)SF_ORDER_STATE_COUNT, SF_ORDER_ACTION_NOTE,
			      SF_ROLE_ADMIN, SF_RATING_NONE, &to, &err),
			 SF_EINVAL);
	assert_string_equal(err.field, "state");
	assert_int_equal(next(SF_ORDER_SUBMITTED, (enum sf_order_action)SF_ORDER_ACTION_COUNT,
			      SF_ROLE_ADMIN, SF_RATING_NONE, &to, &err),
			 SF_EINVAL);
	assert_string_equal(err.field, "action");
	assert_int_equal(to, SF_ORDER_STATE_COUNT);
	assert_null(sf_order_state_name((enum sf_order_state) - 1));
	assert_null(sf_order_action_name((enum sf_order_action)SF_ORDER_ACTION_COUNT));
	assert_null(sf_rating_name((enum sf_rating)SF_RATING_COUNT));
	assert_null(sf_return_reason_label_zh((enum sf_return_reason)SF_RETURN_REASON_COUNT));
}

static void test_names_round_trip(void **state)
{
	static const char *const state_names[SF_ORDER_STATE_COUNT] = {
		"submitted", "accepted", "assigned", "in_progress", "resolved", "feedback",
		"closed",    "rejected", "returned", "reopened",    "merged",
	};

	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
		enum sf_order_state got = SF_ORDER_STATE_COUNT;

		assert_string_equal(sf_order_state_name(s), state_names[s]);
		assert_true(sf_order_state_parse(state_names[s], &got));
		assert_int_equal(got, s);
		assert_non_null(sf_order_state_label_zh(s));
	}
	assert_string_equal(sf_order_state_label_zh(SF_ORDER_SUBMITTED), "待受理");
	assert_string_equal(sf_order_state_label_zh(SF_ORDER_REOPENED), "重办");
	assert_string_equal(sf_order_state_label_zh(SF_ORDER_CLOSED), "已归档");

	for (int a = 0; a < SF_ORDER_ACTION_COUNT; a++) {
		enum sf_order_action got = SF_ORDER_ACTION_COUNT;

		assert_true(sf_order_action_parse(sf_order_action_name(a), &got));
		assert_int_equal(got, a);
		assert_non_null(sf_order_action_label_zh(a));
	}
	/* the URL names the API publishes */
	static const struct {
		const char *name;
		enum sf_order_action a;
		bool system;
	} urls[] = {
		{ "accept", SF_ORDER_ACTION_ACCEPT, false },
		{ "reject", SF_ORDER_ACTION_REJECT, false },
		{ "assign", SF_ORDER_ACTION_ASSIGN, false },
		{ "return", SF_ORDER_ACTION_RETURN, false },
		{ "start", SF_ORDER_ACTION_START, false },
		{ "request_extension", SF_ORDER_ACTION_REQUEST_EXTENSION, false },
		{ "approve_extension", SF_ORDER_ACTION_APPROVE_EXTENSION, false },
		{ "deny_extension", SF_ORDER_ACTION_DENY_EXTENSION, false },
		{ "resolve", SF_ORDER_ACTION_RESOLVE, false },
		{ "return_call", SF_ORDER_ACTION_RETURN_CALL, false },
		{ "rate", SF_ORDER_ACTION_RATE, false },
		{ "close", SF_ORDER_ACTION_CLOSE, false },
		{ "merge", SF_ORDER_ACTION_MERGE, false },
		{ "supervise", SF_ORDER_ACTION_SUPERVISE, false },
		{ "note", SF_ORDER_ACTION_NOTE, false },
		{ "attach", SF_ORDER_ACTION_ATTACH, false },
		{ "create", SF_ORDER_ACTION_CREATE, false },
		{ "warn", SF_ORDER_ACTION_WARN, true },
		{ "overdue", SF_ORDER_ACTION_OVERDUE, true },
		{ "escalate", SF_ORDER_ACTION_ESCALATE, true },
		{ "problem", SF_ORDER_ACTION_PROBLEM, true },
	};
	assert_int_equal(N_ELEMS(urls), SF_ORDER_ACTION_COUNT);
	for (size_t i = 0; i < N_ELEMS(urls); i++) {
		assert_string_equal(sf_order_action_name(urls[i].a), urls[i].name);
		assert_int_equal(sf_order_action_is_system(urls[i].a), urls[i].system);
	}
	assert_string_equal(sf_order_action_label_zh(SF_ORDER_ACTION_SUPERVISE), "督办");
	assert_string_equal(sf_order_action_label_zh(SF_ORDER_ACTION_RETURN_CALL), "回访");

	enum sf_order_state st = SF_ORDER_CLOSED;
	enum sf_order_action ac = SF_ORDER_ACTION_NOTE;

	assert_false(sf_order_state_parse("Submitted", &st));
	assert_false(sf_order_state_parse("", &st));
	assert_false(sf_order_state_parse(NULL, &st));
	assert_int_equal(st, SF_ORDER_CLOSED);
	assert_false(sf_order_action_parse("resolve ", &ac));
	assert_false(sf_order_action_parse(NULL, &ac));
	assert_int_equal(ac, SF_ORDER_ACTION_NOTE);
}

static void test_rating_and_reason_names(void **state)
{
	static const struct {
		const char *name, *zh;
		enum sf_rating r;
	} rs[] = {
		{ "satisfied", "满意", SF_RATING_SATISFIED },
		{ "basic", "基本满意", SF_RATING_BASIC },
		{ "unsatisfied", "不满意", SF_RATING_UNSATISFIED },
	};
	static const struct {
		const char *name, *zh;
		enum sf_return_reason r;
	} why[] = {
		{ "function", "职能", SF_RETURN_REASON_FUNCTION },
		{ "territory", "属地", SF_RETURN_REASON_TERRITORY },
		{ "ownership", "权属", SF_RETURN_REASON_OWNERSHIP },
	};
	enum sf_rating r;
	enum sf_return_reason w;

	for (size_t i = 0; i < N_ELEMS(rs); i++) {
		r = SF_RATING_NONE;
		assert_string_equal(sf_rating_name(rs[i].r), rs[i].name);
		assert_string_equal(sf_rating_label_zh(rs[i].r), rs[i].zh);
		assert_true(sf_rating_parse(rs[i].name, &r));
		assert_int_equal(r, rs[i].r);
	}
	/* "none" is displayable but is not a rating a person can give */
	assert_string_equal(sf_rating_name(SF_RATING_NONE), "none");
	r = SF_RATING_BASIC;
	assert_false(sf_rating_parse("none", &r));
	assert_false(sf_rating_parse("very", &r));
	assert_false(sf_rating_parse(NULL, &r));
	assert_int_equal(r, SF_RATING_BASIC);

	for (size_t i = 0; i < N_ELEMS(why); i++) {
		w = SF_RETURN_REASON_COUNT;
		assert_string_equal(sf_return_reason_name(why[i].r), why[i].name);
		assert_string_equal(sf_return_reason_label_zh(why[i].r), why[i].zh);
		assert_true(sf_return_reason_parse(why[i].name, &w));
		assert_int_equal(w, why[i].r);
	}
	assert_false(sf_return_reason_parse("职能", &w));
	assert_false(sf_return_reason_parse(NULL, &w));
}

static void test_stage_of(void **state)
{
	assert_int_equal(sf_order_stage_of(SF_ORDER_SUBMITTED), SF_STAGE_ACCEPT);
	assert_int_equal(sf_order_stage_of(SF_ORDER_ACCEPTED), SF_STAGE_HANDLE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_ASSIGNED), SF_STAGE_HANDLE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_IN_PROGRESS), SF_STAGE_HANDLE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_RETURNED), SF_STAGE_HANDLE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_REOPENED), SF_STAGE_HANDLE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_RESOLVED), SF_STAGE_FEEDBACK);
	assert_int_equal(sf_order_stage_of(SF_ORDER_FEEDBACK), SF_STAGE_NONE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_CLOSED), SF_STAGE_NONE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_REJECTED), SF_STAGE_NONE);
	assert_int_equal(sf_order_stage_of(SF_ORDER_MERGED), SF_STAGE_NONE);
	assert_int_equal(sf_order_stage_of((enum sf_order_state)99), SF_STAGE_NONE);
}

/* A stage of 1000 s from t=10000: warn at 10750, due 11000, level 2 after 11500. */
static struct sf_order_clock clock_at(void)
{
	struct sf_order_clock c = { .stage_start = 10000, .deadline = 11000 };

	return c;
}

static int scan(const struct sf_order_clock *c, int64_t now, enum sf_order_action *out)
{
	return sf_order_scan_step(c, now, out, SF_ORDER_SCAN_MAX);
}

static void test_scan_warn(void **state)
{
	enum sf_order_action out[SF_ORDER_SCAN_MAX];
	struct sf_order_clock c = clock_at();

	assert_int_equal(scan(&c, 10000, out), 0);
	assert_int_equal(scan(&c, 10749, out), 0);
	assert_int_equal(scan(&c, 10750, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_WARN);
	assert_int_equal(scan(&c, 11000, out), 1); /* due, not yet overdue */
	assert_int_equal(out[0], SF_ORDER_ACTION_WARN);
	c.warned = true;
	assert_int_equal(scan(&c, 10800, out), 0);
	assert_int_equal(scan(&c, 11000, out), 0);
}

static void test_scan_overdue_and_escalate(void **state)
{
	enum sf_order_action out[SF_ORDER_SCAN_MAX];
	struct sf_order_clock c = clock_at();

	c.warned = true;
	assert_int_equal(scan(&c, 11001, out), 2);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);
	assert_int_equal(out[1], SF_ORDER_ACTION_ESCALATE);
	/* a breach found late is not also "nearly due" */
	c.warned = false;
	assert_int_equal(scan(&c, 11001, out), 2);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);

	/* once applied, nothing more until level 2 is due */
	c.overdue = true;
	c.escalation = 1;
	assert_int_equal(scan(&c, 11001, out), 0);
	assert_int_equal(scan(&c, 11500, out), 0);
	assert_int_equal(scan(&c, 11501, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_ESCALATE);
	c.escalation = 2;
	assert_int_equal(scan(&c, 99999, out), 0);

	/* found very late: overdue + level 1 now, level 2 on the next step */
	c = clock_at();
	assert_int_equal(scan(&c, 20000, out), 2);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);
	assert_int_equal(out[1], SF_ORDER_ACTION_ESCALATE);
	c.overdue = true;
	c.escalation = 1;
	assert_int_equal(scan(&c, 20000, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_ESCALATE);

	/* already escalated (a problem order) before the breach: level 2 waits */
	c = clock_at();
	c.warned = true;
	c.escalation = 1;
	assert_int_equal(scan(&c, 11001, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);
}

static void test_scan_problem(void **state)
{
	enum sf_order_action out[SF_ORDER_SCAN_MAX];
	struct sf_order_clock c = clock_at();

	c.reopen_count = 2;
	assert_int_equal(scan(&c, 10000, out), 0);
	c.reopen_count = 3;
	assert_int_equal(scan(&c, 10000, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_PROBLEM);
	c.reopen_count = 1;
	c.transfer_count = 2;
	assert_int_equal(scan(&c, 10000, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_PROBLEM);
	c.problem = true;
	assert_int_equal(scan(&c, 10000, out), 0);

	/* all four at once, in order; cap is honoured */
	c = clock_at();
	c.reopen_count = 3;
	c.deadline = 10000 + 4;
	c.stage_start = 10000;
	assert_int_equal(scan(&c, 10003, out), 2);
	assert_int_equal(out[0], SF_ORDER_ACTION_WARN);
	assert_int_equal(out[1], SF_ORDER_ACTION_PROBLEM);
	assert_int_equal(scan(&c, 10005, out), 3);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);
	assert_int_equal(out[1], SF_ORDER_ACTION_ESCALATE);
	assert_int_equal(out[2], SF_ORDER_ACTION_PROBLEM);
	out[1] = SF_ORDER_ACTION_COUNT;
	assert_int_equal(sf_order_scan_step(&c, 10005, out, 1), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_OVERDUE);
	assert_int_equal(out[1], SF_ORDER_ACTION_COUNT);

	/* no deadline: only the problem rule applies */
	c = clock_at();
	c.deadline = 0;
	assert_int_equal(scan(&c, INT64_MAX, out), 0);
	c.transfer_count = 3;
	assert_int_equal(scan(&c, INT64_MAX, out), 1);
	assert_int_equal(out[0], SF_ORDER_ACTION_PROBLEM);

	/* extreme times do not overflow (UBSan run) */
	c = (struct sf_order_clock){
		.stage_start = 0, .deadline = INT64_MAX, .overdue = true, .escalation = 1
	};
	assert_int_equal(scan(&c, INT64_MAX, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_legal_transition),
		cmocka_unit_test(test_every_illegal_pair_conflicts),
		cmocka_unit_test(test_conflict_message),
		cmocka_unit_test(test_roles_exact),
		cmocka_unit_test(test_role_examples),
		cmocka_unit_test(test_admin_may_do_what_dispatcher_may),
		cmocka_unit_test(test_rating_outcomes),
		cmocka_unit_test(test_terminal_states_only_note),
		cmocka_unit_test(test_actions_available),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_out_of_range_input),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_rating_and_reason_names),
		cmocka_unit_test(test_stage_of),
		cmocka_unit_test(test_scan_warn),
		cmocka_unit_test(test_scan_overdue_and_escalate),
		cmocka_unit_test(test_scan_problem),
	};

	build_expected();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

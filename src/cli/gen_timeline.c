/* `sanfu gen`'s timelines: each generated order's steps through the state
 * machine (checked by domain/order.h's sf_order_next), applied to the row
 * as api/orders.c applies them, with the events they record and the
 * deadline scan's warnings, breaches and escalations in between. See
 * gen_impl.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "cli/gen_impl.h"
#include "domain/calendar.h"
#include "util/mem.h"
#include "util/timefmt.h"

int64_t sf_gen_deadline_after(struct gen *g, int64_t start, int days)
{
	int64_t d;

	pthread_rwlock_rdlock(&g->app->cal_lock);
	d = sf_calendar_deadline(&g->app->cal, start, days);
	pthread_rwlock_unlock(&g->app->cal_lock);
	return d == INT64_MIN ? 0 : d;
}

static void enter_stage(struct gen *g, struct sf_order_row *o, int64_t t, int days)
{
	o->stage_start = t;
	o->deadline = days >= 0 ? sf_gen_deadline_after(g, t, days) : 0;
	o->warned = false;
	o->overdue = false;
}

/* What one step brings besides the state: the arguments of the action. */
struct step {
	enum sf_order_action action;
	struct g_actor who;
	enum sf_rating rating;
	const char *text, *reason, *channel, *contact;
	int days;
	int64_t unit;
	struct g_actor handler; /* assign */
	int64_t target;         /* merge */
	const char *target_code;
	bool public_note;
};

/* Apply st at time t to the row (the subset of api/orders.c's apply_action
 * a generated timeline uses) and record its event. */
static int apply(struct gen *g, const struct step *st, int64_t t)
{
	struct g_order *go = &g->go;
	struct sf_order_row *o = &go->o;
	const struct sf_order_transition *tr;
	enum sf_order_state from = o->state, to;
	struct sf_order_event *ev;
	struct sf_jw w;
	bool is_public;
	int rc;

	if (go->nev >= MAX_EVENTS)
		return sf_error_set(&g->err, SF_EINTERNAL, "internal", "", "timeline too long");
	rc = sf_order_next(from, st->action, st->who.role, st->rating, &to, &g->err);
	if (rc)
		return rc;
	tr = sf_order_transition_find(st->action, from);
	sf_buf_reset(&g->jbuf);
	sf_jw_init(&w, &g->jbuf);
	sf_jw_obj_begin(&w);
	switch (st->action) {
	case SF_ORDER_ACTION_ACCEPT:
		o->accepted_at = t;
		o->accepted_on_time = o->deadline <= 0 || t <= o->deadline;
		enter_stage(g, o, t, o->handle_days);
		o->handle_deadline = o->deadline;
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_REJECT:
	case SF_ORDER_ACTION_CLOSE:
		o->closed_at = t;
		enter_stage(g, o, t, -1);
		if (st->reason)
			sf_jw_kstr(&w, "reason", st->reason);
		break;
	case SF_ORDER_ACTION_ASSIGN: {
		struct g_unit *u = sf_gen_unit_by_id(g, st->unit);
		bool transfer = (tr->flags & SF_TR_COUNTS_TRANSFER) && o->dept_unit_id > 0 &&
				o->dept_unit_id != st->unit;

		sf_jw_key(&w, "unit");
		sf_jw_obj_begin(&w);
		sf_jw_kint(&w, "id", st->unit);
		sf_jw_kstr(&w, "name", u ? u->name : "");
		sf_jw_obj_end(&w);
		if (st->handler.id) {
			sf_jw_key(&w, "handler");
			sf_jw_obj_begin(&w);
			sf_jw_kint(&w, "id", st->handler.id);
			sf_jw_kstr(&w, "name", st->handler.name);
			sf_jw_obj_end(&w);
		}
		if (transfer)
			o->transfer_count++;
		sf_jw_kbool(&w, "transfer", transfer);
		o->dept_unit_id = st->unit;
		o->handler_user_id = st->handler.id;
		o->assigned_at = t;
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	}
	case SF_ORDER_ACTION_RETURN:
		sf_jw_kstr(&w, "reason", st->reason);
		sf_jw_kstr(&w, "reason_label", "职能");
		if (st->text)
			sf_jw_kstr(&w, "note", st->text);
		o->handler_user_id = 0;
		break;
	case SF_ORDER_ACTION_START:
		if (!o->handler_user_id)
			o->handler_user_id = st->who.id;
		break;
	case SF_ORDER_ACTION_REQUEST_EXTENSION:
		o->extension_pending = st->days;
		sf_jw_kint(&w, "days", st->days);
		sf_jw_kstr(&w, "reason", st->reason);
		break;
	case SF_ORDER_ACTION_APPROVE_EXTENSION: {
		int days = o->extension_pending;

		o->handle_deadline = sf_gen_deadline_after(
			g, o->handle_deadline > 0 ? o->handle_deadline : t, days);
		o->deadline = o->handle_deadline;
		o->extension_days += days;
		o->extension_pending = 0;
		if (o->deadline > t) {
			o->warned = false;
			o->overdue = false;
		}
		sf_jw_kint(&w, "days", days);
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	}
	case SF_ORDER_ACTION_RESOLVE:
		free(o->result);
		o->result = sf_xstrdup(st->text);
		free(o->public_note);
		o->public_note = sf_xstrdup(st->text);
		o->resolved_at = t;
		o->resolved_on_time = o->handle_deadline <= 0 || t <= o->handle_deadline;
		o->extension_pending = 0;
		enter_stage(g, o, t, o->feedback_days);
		sf_jw_kstr(&w, "result", st->text);
		sf_jw_kbool(&w, "on_time", o->resolved_on_time == 1);
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_RETURN_CALL:
		o->feedback_at = t;
		o->feedback_on_time = o->deadline <= 0 || t <= o->deadline;
		enter_stage(g, o, t, -1);
		sf_jw_kstr(&w, "channel", st->channel);
		if (st->contact)
			sf_jw_kstr(&w, "contact", st->contact);
		sf_jw_kstr(&w, "summary", st->text);
		sf_jw_kbool(&w, "on_time", o->feedback_on_time == 1);
		break;
	case SF_ORDER_ACTION_RATE:
		o->rating = st->rating;
		o->rated_at = t;
		sf_jw_kstr(&w, "rating", sf_rating_name(st->rating));
		sf_jw_kstr(&w, "rating_label", sf_rating_label_zh(st->rating));
		if (to == SF_ORDER_REOPENED) {
			o->reopen_count++;
			enter_stage(g, o, t, o->handle_days);
			o->handle_deadline = o->deadline;
			sf_jw_kint(&w, "reopen_count", o->reopen_count);
			sf_jw_ktime(&w, "deadline", o->deadline);
		} else {
			enter_stage(g, o, t, -1);
		}
		break;
	case SF_ORDER_ACTION_MERGE:
		o->merged_into = st->target;
		o->closed_at = t;
		enter_stage(g, o, t, -1);
		sf_jw_key(&w, "target");
		sf_jw_obj_begin(&w);
		sf_jw_kint(&w, "id", st->target);
		sf_jw_kstr(&w, "code", st->target_code);
		sf_jw_obj_end(&w);
		break;
	case SF_ORDER_ACTION_SUPERVISE:
		o->supervised = true;
		sf_jw_kstr(&w, "note", st->text);
		break;
	case SF_ORDER_ACTION_NOTE:
		sf_jw_kstr(&w, "text", st->text);
		sf_jw_kbool(&w, "public", st->public_note);
		break;
	case SF_ORDER_ACTION_WARN:
		o->warned = true;
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_OVERDUE:
		o->overdue = true;
		o->ever_overdue = true;
		sf_jw_ktime(&w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_ESCALATE:
	case SF_ORDER_ACTION_PROBLEM:
		if (o->escalation < 2)
			o->escalation++;
		if (st->action == SF_ORDER_ACTION_PROBLEM) {
			o->problem = true;
			sf_jw_kint(&w, "reopen_count", o->reopen_count);
			sf_jw_kint(&w, "transfer_count", o->transfer_count);
		}
		sf_jw_kint(&w, "level", o->escalation);
		break;
	default: break;
	}
	sf_jw_obj_end(&w);
	if (!sf_jw_ok(&w) || g->jbuf.len >= BODY_MAX)
		return sf_error_set(&g->err, SF_EINTERNAL, "internal", "", "event body too long");
	o->state = to;
	o->updated_at = t;
	is_public = (tr->flags & SF_TR_PUBLIC) != 0;
	if (st->action == SF_ORDER_ACTION_NOTE)
		is_public = st->public_note;
	ev = &go->ev[go->nev];
	memcpy(go->body[go->nev], g->jbuf.data, g->jbuf.len + 1);
	memset(ev, 0, sizeof(*ev));
	ev->action = sf_order_action_name(st->action);
	ev->from_state = sf_order_state_name(from);
	ev->to_state = sf_order_state_name(to);
	ev->actor_user_id = st->who.id;
	ev->actor_name = st->who.name;
	ev->actor_role = sf_role_name(st->who.role);
	ev->at = t;
	ev->public = is_public;
	ev->body = go->body[go->nev];
	go->nev++;
	go->last = t;
	return 0;
}

static int64_t ceil_hour(int64_t t)
{
	return (t + HOUR - 1) / HOUR * HOUR;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Record what an hourly deadline scan would have recorded after the last
 * event and before until. */
int sf_gen_scan_until(struct gen *g, int64_t until)
{
	static const struct g_actor sys = { 0, SF_ORDERS_SYSTEM_NAME, SF_ROLE_SYSTEM };
	struct sf_order_row *o = &g->go.o;

	for (int guard = 0; guard < 24; guard++) {
		enum sf_order_action due[SF_ORDER_SCAN_MAX];
		struct sf_order_clock k = { o->stage_start,    o->deadline,   o->warned,
					    o->overdue,        o->escalation, o->reopen_count,
					    o->transfer_count, o->problem };
		int64_t s = INT64_MAX, from = g->go.last + 1;
		int n;

		if (!sf_order_state_open(o->state) || o->deadline <= 0)
			return 0;
		{
			int64_t start = o->stage_start < o->deadline ? o->stage_start : o->deadline;
			int64_t span = o->deadline - start;

			if (!o->warned && !o->overdue) {
				int64_t w = ceil_hour(max64(start + span / 4 * 3, from));

				if (w <= o->deadline)
					s = w;
			}
			if (!o->overdue)
				s = s < ceil_hour(max64(o->deadline + 1, from))
					    ? s
					    : ceil_hour(max64(o->deadline + 1, from));
			else if (o->escalation == 0)
				s = ceil_hour(from);
			else if (o->escalation == 1)
				s = ceil_hour(max64(o->deadline + span / 2 + 1, from));
		}
		if (s == INT64_MAX || s >= until)
			return 0;
		n = sf_order_scan_step(&k, s, due, SF_ORDER_SCAN_MAX);
		g->go.last = s;
		for (int i = 0; i < n; i++) {
			struct step st = { .action = due[i], .who = sys };
			int rc = apply(g, &st, s);

			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Take step st at time t unless t is past now (then the timeline ends
 * here: *stopped). The scan runs up to t first. */
static int step_at(struct gen *g, const struct step *st, int64_t t)
{
	int rc;

	if (g->go.stopped)
		return 0;
	if (t <= g->go.last)
		t = g->go.last + 60;
	if (t >= g->now) {
		g->go.stopped = true;
		return 0;
	}
	rc = sf_gen_scan_until(g, t);
	return rc ? rc : apply(g, st, t);
}

struct g_actor sf_gen_dispatcher_of(struct gen *g)
{
	return g->dispatcher[sf_gen_below(g, (int64_t)g->ndispatchers)];
}

/* Hours and days as seconds, at random between lo and hi. */
#define HOURS(lo, hi) sf_gen_between(g, (int64_t)((lo)*HOUR), (int64_t)((hi)*HOUR))

static int handle(struct gen *g, struct g_cat *cat, int64_t *t)
{
	struct g_order *go = &g->go;
	struct sf_order_row *o = &go->o;
	struct step st;
	int64_t started;
	int rc;

	memset(&st, 0, sizeof(st));
	st.action = SF_ORDER_ACTION_START;
	st.who = go->handler;
	*t += HOURS(0.5, 30);
	rc = step_at(g, &st, *t);
	started = *t;
	if (!rc && sf_gen_chance(g, 200)) {
		st = (struct step){ .action = SF_ORDER_ACTION_NOTE, .who = go->handler };
		st.text = sf_gen_pick(g, sf_gen_notes);
		*t += HOURS(2, 30);
		rc = step_at(g, &st, *t);
	}
	if (!rc && sf_gen_chance(g, 20)) {
		st = (struct step){ .action = SF_ORDER_ACTION_REQUEST_EXTENSION,
				    .who = go->handler };
		st.days = (int)sf_gen_between(g, 3, 5);
		st.reason = sf_gen_pick(g, sf_gen_extension_reasons);
		*t += HOURS(1, 24);
		rc = step_at(g, &st, *t);
		if (!rc) {
			st = (struct step){
				.action = SF_ORDER_ACTION_APPROVE_EXTENSION,
				.who = g->leader[sf_gen_below(g, (int64_t)g->nleaders)]
			};
			*t += HOURS(1, 20);
			rc = step_at(g, &st, *t);
		}
	}
	if (!rc && sf_gen_chance(g, 10)) {
		st = (struct step){ .action = SF_ORDER_ACTION_SUPERVISE,
				    .who = g->leader[sf_gen_below(g, (int64_t)g->nleaders)] };
		st.text = sf_gen_pick(g, sf_gen_supervise_notes);
		*t += HOURS(1, 40);
		rc = step_at(g, &st, *t);
	}
	if (rc)
		return rc;
	/* Most are resolved within the limit; about one in ten late. */
	*t = max64(*t + HOUR, started + (int64_t)((double)cat->handle_days * 1.4 * DAY *
						  ((double)sf_gen_between(g, 8, 125) / 100.0)));
	if (o->extension_days)
		*t += (int64_t)o->extension_days * DAY;
	st = (struct step){ .action = SF_ORDER_ACTION_RESOLVE, .who = go->handler };
	st.text = go->result;
	return step_at(g, &st, *t);
}

int sf_gen_timeline(struct gen *g, struct g_cat *cat, int64_t t)
{
	struct g_order *go = &g->go;
	struct sf_order_row *o = &go->o;
	struct step st;
	struct g_actor disp = sf_gen_dispatcher_of(g);
	int rc;

	memset(&st, 0, sizeof(st));
	if (sf_gen_chance(g, 25)) {
		st = (struct step){ .action = SF_ORDER_ACTION_REJECT, .who = disp };
		st.reason = sf_gen_pick(g, sf_gen_reject_reasons);
		return step_at(g, &st, t + HOURS(0.5, 20));
	}
	if (cat->last_id && sf_gen_chance(g, 5)) {
		int64_t when = t + HOURS(0.5, 10);

		if (cat->last_created < when && (cat->last_end == 0 || cat->last_end > when)) {
			st = (struct step){ .action = SF_ORDER_ACTION_MERGE, .who = disp };
			st.target = cat->last_id;
			st.target_code = cat->last_code;
			return step_at(g, &st, when);
		}
	}
	st = (struct step){ .action = SF_ORDER_ACTION_ACCEPT, .who = disp };
	t += sf_gen_chance(g, 900) ? HOURS(0.2, 8) : HOURS(8, 60);
	rc = step_at(g, &st, t);
	st = (struct step){ .action = SF_ORDER_ACTION_ASSIGN, .who = disp, .unit = cat->dept };
	st.handler = go->handler = sf_gen_member_of(g, cat->dept);
	t += HOURS(0.1, 3);
	if (!rc)
		rc = step_at(g, &st, t);
	if (!rc && sf_gen_chance(g, 30)) {
		struct g_unit *other = g->depts[sf_gen_below(g, (int64_t)g->ndepts)];

		st = (struct step){ .action = SF_ORDER_ACTION_RETURN, .who = go->handler };
		st.reason = "function";
		st.text = "经核实不属于本科室职能，请重新分派。";
		t += HOURS(2, 24);
		rc = step_at(g, &st, t);
		if (!rc && other->id != o->dept_unit_id) {
			st = (struct step){ .action = SF_ORDER_ACTION_ASSIGN,
					    .who = disp,
					    .unit = other->id };
			st.handler = go->handler = sf_gen_member_of(g, other->id);
			t += HOURS(1, 8);
			rc = step_at(g, &st, t);
		} else if (!rc) {
			st = (struct step){ .action = SF_ORDER_ACTION_ASSIGN,
					    .who = disp,
					    .unit = cat->dept };
			st.handler = go->handler;
			t += HOURS(1, 8);
			rc = step_at(g, &st, t);
		}
	}
	for (int round = 0; !rc && round < 2 && !go->stopped; round++) {
		int64_t r = sf_gen_below(g, 1000);
		bool visit = sf_gen_chance(g, 300);

		rc = handle(g, cat, &t);
		st = (struct step){ .action = SF_ORDER_ACTION_RETURN_CALL, .who = disp };
		st.channel = visit ? "visit" : "phone";
		if (visit) {
			struct g_actor a = sf_gen_member_of(g, o->area_unit_id);

			if (a.id)
				st.who = a;
		}
		st.contact = go->name[0] ? go->name : NULL;
		st.text = sf_gen_pick(g, sf_gen_call_summaries);
		t += HOURS(1, 40);
		if (!rc)
			rc = step_at(g, &st, t);
		st = (struct step){ .action = SF_ORDER_ACTION_RATE, .who = disp };
		st.rating = round == 0 && r < 40 ? SF_RATING_UNSATISFIED
			    : r < 150            ? SF_RATING_BASIC
						 : SF_RATING_SATISFIED;
		t += HOURS(0.02, 0.5);
		if (!rc)
			rc = step_at(g, &st, t);
		if (st.rating != SF_RATING_UNSATISFIED)
			break;
	}
	st = (struct step){ .action = SF_ORDER_ACTION_CLOSE, .who = disp };
	t += HOURS(1, 72);
	return rc ? rc : step_at(g, &st, t);
}

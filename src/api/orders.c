/* The work-order service's one transition path (sf_orders_transition),
 * through which every change of an existing order goes — a person's action,
 * the public's rating, the deadline scan's system actions, an attachment —
 * each written with its hash-chained event in one transaction after the
 * state machine (domain/order.h) and the person's data scope allow it.
 * Creating orders is in orders_create.c, scope in orders_scope.c, the HTTP
 * handlers in orders_http.c and orders_list.c. */
#include "api/orders.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders_impl.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/crypto.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"
#include "util/utf8.h"

/* ---- small rules ---- */

static bool is_blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0) /* U+3000 ideographic space */
			s += 3;
		else
			return false;
	}
	return true;
}

bool sf_orders_present(const char *s)
{
	return s && !is_blank(s);
}

int sf_orders_check_text(const char *s, const char *field, size_t max, bool required,
			 bool multiline, struct sf_error *err)
{
	size_t len;

	if (!sf_orders_present(s)) {
		if (required)
			return sf_error_set(err, SF_EINVAL, "missing_field", field,
					    "%s is required", field);
		return 0;
	}
	len = strlen(s);
	if (!sf_utf8_valid(s, len))
		return sf_error_set(err, SF_EINVAL, "invalid_utf8", field, "%s is not valid UTF-8",
				    field);
	if (sf_utf8_has_control(s, len, multiline))
		return sf_error_set(err, SF_EINVAL, "invalid_field", field,
				    "%s has control characters", field);
	if (sf_utf8_count(s, len) > max)
		return sf_error_set(err, SF_EINVAL, "too_long", field,
				    "%s is longer than %zu characters", field, max);
	return 0;
}

bool sf_orders_role_sees_all(enum sf_role r)
{
	return r == SF_ROLE_ADMIN || r == SF_ROLE_LEADER || r == SF_ROLE_DISPATCHER;
}

int64_t sf_orders_deadline_after(struct sf_app *app, int64_t start, int days)
{
	int64_t d;

	pthread_rwlock_rdlock(&app->cal_lock);
	d = sf_calendar_deadline(&app->cal, start, days);
	pthread_rwlock_unlock(&app->cal_lock);
	return d == INT64_MIN ? 0 : d;
}

struct sf_orders_actor sf_orders_actor_of(const struct sf_principal *who)
{
	struct sf_orders_actor a = { who->user_id, who->name, who->role };

	if (!who->name[0])
		a.name = sf_role_label_zh(who->role);
	return a;
}

/* ---- notifications ---- */

static int notify(struct sf_orders_step *s, int64_t user_id, const struct sf_order_row *o,
		  const char *kind, const char *what)
{
	char msg[512];
	const char *title = o->title ? o->title : "";
	size_t tl = sf_utf8_prefix(title, strlen(title), 40);
	int rc;

	if (user_id <= 0)
		return 0;
	snprintf(msg, sizeof(msg), "工单 %s「%.*s」%s", o->code, (int)tl, title, what);
	rc = sf_store_notify(s->c, user_id, o->id, kind, msg, s->now);
	if (rc)
		return sf_error_set(s->err, rc, "storage_error", "", "cannot write a notification");
	return 0;
}

/* The person an escalation to level reaches: the handling unit's head at
 * level 1 (the first leader when no unit holds the order yet), the first
 * leader at level 2. */
static int64_t escalation_target(struct sf_orders_step *s, const struct sf_order_row *o, int level)
{
	int64_t uid = 0;

	if (level <= 1 && o->dept_unit_id > 0)
		uid = sf_store_user_head_of(s->c, o->dept_unit_id);
	if (!uid)
		uid = sf_store_user_first_with_role(s->c, SF_ROLE_LEADER);
	return uid;
}

/* ---- the transition path ---- */

/* Enter a stage with a fresh deadline of days working days from now
 * (days < 0: a stage without deadline). */
static void enter_stage(struct sf_orders_step *s, struct sf_order_row *o, int days)
{
	o->stage_start = s->now;
	o->deadline = days >= 0 ? sf_orders_deadline_after(s->app, s->now, days) : 0;
	o->warned = false;
	o->overdue = false;
}

static int check_act(const struct sf_order_act *act, struct sf_error *err)
{
	enum sf_return_reason why;
	int rc = 0;

	switch (act->action) {
	case SF_ORDER_ACTION_REJECT:
		return sf_orders_check_text(act->reason, "reason", REASON_MAX, true, false, err);
	case SF_ORDER_ACTION_RETURN:
		if (!act->reason || !sf_return_reason_parse(act->reason, &why))
			return sf_error_set(err, SF_EINVAL,
					    act->reason ? "invalid_field" : "missing_field",
					    "reason",
					    "reason must be function (职能), territory (属地) or "
					    "ownership (权属)");
		return sf_orders_check_text(act->text, "text", COMMENT_MAX, false, true, err);
	case SF_ORDER_ACTION_ASSIGN:
		if (act->unit_id <= 0)
			return sf_error_set(err, SF_EINVAL, "missing_field", "unit_id",
					    "unit_id (the handling unit) is required");
		if (act->user_id < 0)
			return sf_error_set(err, SF_EINVAL, "invalid_field", "user_id",
					    "user_id must be a user id");
		return 0;
	case SF_ORDER_ACTION_REQUEST_EXTENSION:
		if (act->days < 1 || act->days > EXTENSION_MAX_DAYS)
			return sf_error_set(
				err, SF_EINVAL, act->days ? "out_of_range" : "missing_field",
				"days", "days must be 1 to %d working days", EXTENSION_MAX_DAYS);
		return sf_orders_check_text(act->reason, "reason", REASON_MAX, true, false, err);
	case SF_ORDER_ACTION_APPROVE_EXTENSION:
		if (act->days < 0 || act->days > EXTENSION_MAX_DAYS)
			return sf_error_set(err, SF_EINVAL, "out_of_range", "days",
					    "days must be 1 to %d working days",
					    EXTENSION_MAX_DAYS);
		return sf_orders_check_text(act->reason, "reason", REASON_MAX, false, false, err);
	case SF_ORDER_ACTION_DENY_EXTENSION:
		return sf_orders_check_text(act->reason, "reason", REASON_MAX, false, false, err);
	case SF_ORDER_ACTION_RESOLVE:
		return sf_orders_check_text(act->text, "result", RESULT_MAX, true, true, err);
	case SF_ORDER_ACTION_RETURN_CALL:
		if (!act->channel ||
		    (strcmp(act->channel, "phone") != 0 && strcmp(act->channel, "visit") != 0))
			return sf_error_set(err, SF_EINVAL,
					    act->channel ? "invalid_field" : "missing_field",
					    "channel", "channel must be phone or visit");
		rc = sf_orders_check_text(act->contact, "contact", CONTACT_MAX, false, false, err);
		return rc ? rc
			  : sf_orders_check_text(act->text, "summary", SUMMARY_MAX, false, true,
						 err);
	case SF_ORDER_ACTION_RATE:
		if (act->rating <= SF_RATING_NONE || act->rating >= SF_RATING_COUNT)
			return sf_error_set(err, SF_EINVAL, "missing_field", "rating",
					    "rating must be satisfied, basic or unsatisfied");
		return sf_orders_check_text(act->text, "comment", COMMENT_MAX, false, true, err);
	case SF_ORDER_ACTION_MERGE:
		if (act->target_id <= 0)
			return sf_error_set(
				err, SF_EINVAL, "missing_field", "target_id",
				"target_id (the order this one duplicates) is required");
		return 0;
	case SF_ORDER_ACTION_SUPERVISE:
		return sf_orders_check_text(act->text, "text", COMMENT_MAX, false, true, err);
	case SF_ORDER_ACTION_NOTE:
		return sf_orders_check_text(act->text, "text", NOTE_MAX, true, true, err);
	default: return 0;
	}
}

/* Validate what the row's flags require, in case a caller skipped check_act. */
static int check_flags(unsigned flags, const struct sf_order_act *act, struct sf_error *err)
{
	if ((flags & SF_TR_NEEDS_REASON) && !sf_orders_present(act->reason))
		return sf_error_set(err, SF_EINVAL, "missing_field", "reason",
				    "reason is required");
	if ((flags & SF_TR_NEEDS_UNIT) && act->unit_id <= 0)
		return sf_error_set(err, SF_EINVAL, "missing_field", "unit_id",
				    "unit_id is required");
	if ((flags & SF_TR_NEEDS_RESULT) && !sf_orders_present(act->text))
		return sf_error_set(err, SF_EINVAL, "missing_field", "result",
				    "result is required");
	if ((flags & SF_TR_NEEDS_TARGET) && act->target_id <= 0)
		return sf_error_set(err, SF_EINVAL, "missing_field", "target_id",
				    "target_id is required");
	if ((flags & SF_TR_NEEDS_BODY) && !sf_orders_present(act->text))
		return sf_error_set(err, SF_EINVAL, "missing_field", "text", "text is required");
	return check_act(act, err);
}

/* The action-specific half of a transition: change the row and describe
 * the change in the event body. Reads it needs (units, users, the merge
 * target) happen here, inside the transaction. */
static int apply_action(struct sf_orders_step *s, struct sf_order_row *o,
			const struct sf_order_act *act, const struct sf_order_transition *t,
			enum sf_order_state to, struct sf_jw *w, struct sf_order_row *target,
			struct sf_unit *unit)
{
	int64_t now = s->now;
	int rc;

	switch (act->action) {
	case SF_ORDER_ACTION_ACCEPT:
		o->accepted_at = now;
		o->accepted_on_time = o->deadline <= 0 || now <= o->deadline;
		enter_stage(s, o, o->handle_days);
		o->handle_deadline = o->deadline;
		sf_jw_ktime(w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_REJECT:
	case SF_ORDER_ACTION_CLOSE:
		o->closed_at = now;
		enter_stage(s, o, -1);
		if (act->reason)
			sf_jw_kstr(w, "reason", act->reason);
		break;
	case SF_ORDER_ACTION_ASSIGN: {
		struct sf_user u;
		bool transfer;

		rc = sf_store_unit_get(s->c, act->unit_id, unit);
		if (rc)
			return sf_error_set(s->err, rc == SF_ENOTFOUND ? SF_EINVAL : rc,
					    rc == SF_ENOTFOUND ? "invalid_field" : "storage_error",
					    "unit_id", "no unit with id %lld",
					    (long long)act->unit_id);
		sf_jw_key(w, "unit");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", unit->id);
		sf_jw_kstr(w, "name", unit->name_zh);
		sf_jw_obj_end(w);
		if (act->user_id > 0) {
			size_t n = strlen(unit->path);

			rc = sf_store_user_get(s->c, act->user_id, &u);
			if (rc || u.disabled || strncmp(u.unit_path, unit->path, n) != 0)
				return sf_error_set(s->err,
						    rc && rc != SF_ENOTFOUND ? rc : SF_EINVAL,
						    "invalid_field", "user_id",
						    "user %lld is not an active member of %s",
						    (long long)act->user_id, unit->name_zh);
			sf_jw_key(w, "handler");
			sf_jw_obj_begin(w);
			sf_jw_kint(w, "id", u.id);
			sf_jw_kstr(w, "name", u.name);
			sf_jw_obj_end(w);
			snprintf(o->handler_name, sizeof(o->handler_name), "%s", u.name);
		} else {
			o->handler_name[0] = '\0';
		}
		transfer = (t->flags & SF_TR_COUNTS_TRANSFER) && o->dept_unit_id > 0 &&
			   o->dept_unit_id != unit->id;
		if (transfer)
			o->transfer_count++;
		sf_jw_kbool(w, "transfer", transfer);
		o->dept_unit_id = unit->id;
		snprintf(o->dept_name, sizeof(o->dept_name), "%s", unit->name_zh);
		snprintf(o->dept_path, sizeof(o->dept_path), "%s", unit->path);
		o->dept_head_user_id = unit->head_user_id;
		o->handler_user_id = act->user_id > 0 ? act->user_id : 0;
		o->assigned_at = now;
		sf_jw_ktime(w, "deadline", o->deadline);
		break;
	}
	case SF_ORDER_ACTION_RETURN: {
		enum sf_return_reason why = SF_RETURN_REASON_FUNCTION;

		sf_return_reason_parse(act->reason, &why);
		sf_jw_kstr(w, "reason", sf_return_reason_name(why));
		sf_jw_kstr(w, "reason_label", sf_return_reason_label_zh(why));
		if (sf_orders_present(act->text))
			sf_jw_kstr(w, "note", act->text);
		/* The unit stays recorded so a reassignment elsewhere counts as a
		 * transfer; the dispatcher decides where it goes next. */
		o->handler_user_id = 0;
		o->handler_name[0] = '\0';
		break;
	}
	case SF_ORDER_ACTION_START:
		if (!o->handler_user_id && s->actor.user_id > 0) {
			o->handler_user_id = s->actor.user_id;
			snprintf(o->handler_name, sizeof(o->handler_name), "%s", s->actor.name);
		}
		break;
	case SF_ORDER_ACTION_REQUEST_EXTENSION:
		o->extension_pending = act->days;
		sf_jw_kint(w, "days", act->days);
		sf_jw_kstr(w, "reason", act->reason);
		break;
	case SF_ORDER_ACTION_APPROVE_EXTENSION: {
		int days = act->days > 0 ? act->days : o->extension_pending;

		if (days <= 0)
			return sf_error_set(s->err, SF_EINVAL, "missing_field", "days",
					    "no extension was requested; give days (1 to %d)",
					    EXTENSION_MAX_DAYS);
		o->handle_deadline = sf_orders_deadline_after(
			s->app, o->handle_deadline > 0 ? o->handle_deadline : now, days);
		o->deadline = o->handle_deadline;
		o->extension_days += days;
		o->extension_pending = 0;
		if (o->deadline > now) {
			o->warned = false;
			o->overdue = false;
		}
		sf_jw_kint(w, "days", days);
		sf_jw_ktime(w, "deadline", o->deadline);
		if (sf_orders_present(act->reason))
			sf_jw_kstr(w, "reason", act->reason);
		break;
	}
	case SF_ORDER_ACTION_DENY_EXTENSION:
		if (o->extension_pending <= 0)
			return sf_error_set(s->err, SF_ECONFLICT, "no_extension_pending", "",
					    "no extension request is waiting for a decision");
		sf_jw_kint(w, "days", o->extension_pending);
		o->extension_pending = 0;
		if (sf_orders_present(act->reason))
			sf_jw_kstr(w, "reason", act->reason);
		break;
	case SF_ORDER_ACTION_RESOLVE:
		free(o->result);
		o->result = sf_xstrdup(act->text);
		free(o->public_note);
		o->public_note = sf_xstrdup(act->text);
		o->resolved_at = now;
		o->resolved_on_time = o->handle_deadline <= 0 || now <= o->handle_deadline;
		o->extension_pending = 0;
		enter_stage(s, o, o->feedback_days);
		sf_jw_kstr(w, "result", act->text);
		sf_jw_kbool(w, "on_time", o->resolved_on_time == 1);
		sf_jw_ktime(w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_RETURN_CALL:
		o->feedback_at = now;
		o->feedback_on_time = o->deadline <= 0 || now <= o->deadline;
		enter_stage(s, o, -1);
		sf_jw_kstr(w, "channel", act->channel);
		if (sf_orders_present(act->contact))
			sf_jw_kstr(w, "contact", act->contact);
		if (sf_orders_present(act->text))
			sf_jw_kstr(w, "summary", act->text);
		sf_jw_kbool(w, "on_time", o->feedback_on_time == 1);
		break;
	case SF_ORDER_ACTION_RATE:
		o->rating = act->rating;
		o->rated_at = now;
		sf_jw_kstr(w, "rating", sf_rating_name(act->rating));
		sf_jw_kstr(w, "rating_label", sf_rating_label_zh(act->rating));
		if (sf_orders_present(act->text))
			sf_jw_kstr(w, "comment", act->text);
		if (to == SF_ORDER_REOPENED) {
			o->reopen_count++;
			enter_stage(s, o, o->handle_days);
			o->handle_deadline = o->deadline;
			sf_jw_kint(w, "reopen_count", o->reopen_count);
			sf_jw_ktime(w, "deadline", o->deadline);
		} else {
			enter_stage(s, o, -1);
		}
		break;
	case SF_ORDER_ACTION_MERGE:
		rc = sf_store_order_get_for_update(s->c, act->target_id, target);
		if (rc == SF_ENOTFOUND ||
		    (rc == 0 && (target->id == o->id || !sf_order_state_open(target->state))))
			return sf_error_set(s->err, SF_EINVAL, "invalid_field", "target_id",
					    rc ? "no order with id %lld"
					       : "order %lld is this order or no longer open",
					    (long long)act->target_id);
		if (rc)
			return sf_error_set(s->err, rc, "storage_error", "",
					    "cannot read the target");
		o->merged_into = target->id;
		snprintf(o->merged_code, sizeof(o->merged_code), "%s", target->code);
		o->closed_at = now;
		enter_stage(s, o, -1);
		sf_jw_key(w, "target");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", target->id);
		sf_jw_kstr(w, "code", target->code);
		sf_jw_obj_end(w);
		break;
	case SF_ORDER_ACTION_SUPERVISE:
		o->supervised = true;
		if (sf_orders_present(act->text))
			sf_jw_kstr(w, "note", act->text);
		break;
	case SF_ORDER_ACTION_NOTE:
		sf_jw_kstr(w, "text", act->text);
		sf_jw_kbool(w, "public", act->public_note);
		if (act->public_note) {
			free(o->public_note);
			o->public_note = sf_xstrdup(act->text);
		}
		break;
	case SF_ORDER_ACTION_ATTACH:
		if (s->att) {
			sf_jw_key(w, "attachment");
			sf_jw_obj_begin(w);
			sf_jw_kint(w, "id", s->att->id);
			sf_jw_kstr(w, "mime", s->att->mime);
			sf_jw_kint(w, "size", s->att->size);
			sf_jw_kbool(w, "public", s->att->public);
			sf_jw_obj_end(w);
		}
		break;
	case SF_ORDER_ACTION_WARN:
		o->warned = true;
		sf_jw_ktime(w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_OVERDUE:
		o->overdue = true;
		o->ever_overdue = true;
		sf_jw_ktime(w, "deadline", o->deadline);
		break;
	case SF_ORDER_ACTION_ESCALATE:
	case SF_ORDER_ACTION_PROBLEM:
		if (o->escalation < 2)
			o->escalation++;
		if (act->action == SF_ORDER_ACTION_PROBLEM) {
			o->problem = true;
			sf_jw_kint(w, "reopen_count", o->reopen_count);
			sf_jw_kint(w, "transfer_count", o->transfer_count);
		}
		sf_jw_kint(w, "level", o->escalation);
		break;
	default: break;
	}
	return 0;
}

/* Notifications and linked events that follow a recorded change. */
static int after_action(struct sf_orders_step *s, struct sf_order_row *o,
			const struct sf_order_act *act, struct sf_order_row *target,
			const struct sf_unit *unit)
{
	char what[320];
	int rc = 0;

	switch (act->action) {
	case SF_ORDER_ACTION_ASSIGN: {
		int64_t head = sf_store_user_head_of(s->c, unit->id);
		char day[11];

		sf_time_date_local(o->deadline > 0 ? o->deadline : s->now, day);
		snprintf(what, sizeof(what), "已分派给%s，请于 %s 前办结", unit->name_zh, day);
		rc = notify(s, head, o, "assigned", what);
		if (!rc && o->handler_user_id != head)
			rc = notify(s, o->handler_user_id, o, "assigned", what);
		break;
	}
	case SF_ORDER_ACTION_SUPERVISE:
		if (o->dept_unit_id > 0)
			rc = notify(s, sf_store_user_head_of(s->c, o->dept_unit_id), o, "supervise",
				    "被督办，请加快办理");
		break;
	case SF_ORDER_ACTION_ESCALATE:
		snprintf(what, sizeof(what), "已超期，升级到第 %d 级督促", o->escalation);
		rc = notify(s, escalation_target(s, o, o->escalation), o, "escalate", what);
		break;
	case SF_ORDER_ACTION_PROBLEM:
		rc = notify(s, escalation_target(s, o, o->escalation), o, "problem",
			    "重办或转办已达 3 次，转为问题工单");
		break;
	case SF_ORDER_ACTION_MERGE: {
		struct sf_order_act note = { .action = SF_ORDER_ACTION_NOTE };
		char text[160];
		int64_t ev = s->event_id;

		snprintf(text, sizeof(text), "重复工单 %s 已合并到本工单", o->code);
		note.text = text;
		rc = sf_orders_transition(s, target, &note);
		s->event_id = ev;
		break;
	}
	default: break;
	}
	return rc;
}

void sf_orders_change_init(struct sf_orders_change *ch)
{
	memset(ch, 0, sizeof(*ch));
	sf_buf_init(&ch->body, 0);
}

void sf_orders_change_release(struct sf_orders_change *ch)
{
	sf_order_row_release(&ch->target);
	sf_buf_release(&ch->body);
}

int sf_orders_change_apply(struct sf_orders_step *s, struct sf_order_row *o,
			   const struct sf_order_act *act, struct sf_orders_change *ch)
{
	const struct sf_order_transition *t;
	struct sf_jw w;
	int rc;

	ch->from = o->state;
	ch->action = act->action;
	sf_store_order_cell_of(o, &ch->was);
	rc = sf_order_next(ch->from, act->action, s->actor.role, act->rating, &ch->to, s->err);
	if (rc)
		return rc;
	t = sf_order_transition_find(act->action, ch->from);
	rc = check_flags(t->flags, act, s->err);
	if (rc)
		return rc;
	sf_jw_init(&w, &ch->body);
	sf_jw_obj_begin(&w);
	rc = apply_action(s, o, act, t, ch->to, &w, &ch->target, &ch->unit);
	if (rc)
		return rc;
	sf_jw_obj_end(&w);
	if (!sf_jw_ok(&w))
		return sf_error_set(s->err, SF_EINTERNAL, "internal", "", "cannot write the event");
	o->state = ch->to;
	o->updated_at = s->now;
	ch->is_public = (t->flags & SF_TR_PUBLIC) != 0;
	if (act->action == SF_ORDER_ACTION_NOTE || act->action == SF_ORDER_ACTION_ATTACH)
		ch->is_public = act->public_note;
	return 0;
}

void sf_orders_change_event(const struct sf_orders_step *s, const struct sf_order_row *o,
			    const struct sf_orders_change *ch, struct sf_order_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->order_id = o->id;
	ev->action = sf_order_action_name(ch->action);
	ev->from_state = sf_order_state_name(ch->from);
	ev->to_state = sf_order_state_name(ch->to);
	ev->actor_user_id = s->actor.user_id;
	ev->actor_name = s->actor.name;
	ev->actor_role = sf_role_name(s->actor.role);
	ev->at = s->now;
	ev->public = ch->is_public;
	ev->body = ch->body.data;
}

int sf_orders_change_after(struct sf_orders_step *s, struct sf_order_row *o,
			   const struct sf_order_act *act, struct sf_orders_change *ch)
{
	return after_action(s, o, act, &ch->target, &ch->unit);
}

/* The one transition path; see orders_impl.h. */
int sf_orders_transition(struct sf_orders_step *s, struct sf_order_row *o,
			 const struct sf_order_act *act)
{
	struct sf_orders_change ch;
	struct sf_order_event ev;
	int rc;

	sf_orders_change_init(&ch);
	rc = sf_orders_change_apply(s, o, act, &ch);
	if (rc)
		goto out;
	/* o was read in this transaction at its version, which the update
	 * checks: where it counted is known without reading it again. */
	rc = sf_store_order_update_from(s->c, &ch.was, o);
	if (rc == SF_ECONFLICT) {
		rc = sf_error_set(s->err, rc, "stale_version", "version",
				  "the order was changed by someone else; reload it");
		goto out;
	}
	if (rc) {
		rc = sf_error_set(s->err, rc, "storage_error", "", "cannot save the order");
		goto out;
	}
	o->version++;
	sf_orders_change_event(s, o, &ch, &ev);
	rc = sf_store_order_event_append(s->c, &ev);
	if (rc) {
		rc = sf_error_set(s->err, rc, "storage_error", "", "cannot record the event");
		goto out;
	}
	s->event_id = ev.id;
	rc = sf_orders_change_after(s, o, act, &ch);
out:
	sf_orders_change_release(&ch);
	return rc;
}

/* ---- acting on an existing order ---- */

int sf_orders_act(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		  int64_t order_id, const struct sf_order_act *act, int64_t now,
		  struct sf_error *err)
{
	struct sf_orders_step s = { app, c, sf_orders_actor_of(who), now, NULL, 0, err };
	struct sf_order_row o;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((unsigned)act->action >= SF_ORDER_ACTION_COUNT)
		return sf_error_set(err, SF_ENOTFOUND, "unknown_action", "action",
				    "no such action");
	if (sf_order_action_is_initial(act->action) || sf_order_action_is_system(act->action))
		return sf_error_set(err, SF_EFORBIDDEN, "action_not_allowed", "action",
				    "%s is not an action people take",
				    sf_order_action_name(act->action));
	if (act->action == SF_ORDER_ACTION_ATTACH)
		return sf_error_set(err, SF_EINVAL, "invalid_field", "action",
				    "upload files with POST /api/v1/orders/{id}/attachments");
	rc = check_act(act, err);
	if (rc)
		return rc;
	rc = sf_conn_begin(c, true);
	if (rc)
		return sf_error_set(err, rc, NULL, "", "the database is busy; try again");
	rc = sf_orders_load_scoped(c, who, order_id, &o, err);
	if (rc)
		goto out;
	if (act->expect_version > 0 && act->expect_version != o.version) {
		rc = sf_error_set(err, SF_ECONFLICT, "stale_version", "version",
				  "the order was changed by someone else (version %lld, not %lld); "
				  "reload it",
				  (long long)o.version, (long long)act->expect_version);
		goto out;
	}
	if (!sf_orders_can_act(who, &o, act->action)) {
		rc = sf_error_set(err, SF_EFORBIDDEN, "out_of_scope", "",
				  "only the unit handling this order may %s it",
				  sf_order_action_name(act->action));
		goto out;
	}
	rc = sf_orders_transition(&s, &o, act);
	if (rc)
		goto out;
	rc = sf_conn_commit(c);
	if (rc)
		sf_error_set(err, rc, "storage_error", "", "cannot commit the change");
out:
	if (rc)
		sf_conn_rollback(c);
	sf_order_row_release(&o);
	return rc;
}

int sf_orders_act_tracked(struct sf_app *app, struct sf_conn *c, const char *tracking_code,
			  const char *secret, const struct sf_order_act *act, int64_t now,
			  struct sf_error *err)
{
	struct sf_orders_step s = {
		app, c, { 0, sf_role_label_zh(SF_ROLE_PUBLIC), SF_ROLE_PUBLIC }, now, NULL, 0, err
	};
	char hash[SF_CRYPTO_HEX_SIZE];
	struct sf_order_row o;
	int64_t id = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	if (!tracking_code || !secret || strlen(tracking_code) > 15 || strlen(secret) > 128)
		return sf_error_set(err, SF_ENOTFOUND, "not_found", "", "no such order");
	if (sf_order_action_is_initial(act->action) || sf_order_action_is_system(act->action) ||
	    act->action == SF_ORDER_ACTION_ATTACH)
		return sf_error_set(err, SF_EFORBIDDEN, "action_not_allowed", "action",
				    "this action is not open to the public");
	rc = check_act(act, err);
	if (rc)
		return rc;
	sf_crypto_token_hash(secret, hash);
	rc = sf_conn_begin(c, true);
	if (rc)
		return sf_error_set(err, rc, NULL, "", "the database is busy; try again");
	rc = sf_store_order_id_by_tracking(c, tracking_code, &id);
	if (rc == 0)
		rc = sf_store_order_get_for_update(c, id, &o);
	if (rc == 0 && !sf_crypto_equal(o.tracking_secret_hash, hash))
		rc = SF_ENOTFOUND;
	if (rc) {
		sf_error_set(err, rc, rc == SF_ENOTFOUND ? "not_found" : "storage_error", "",
			     "no such order");
		goto out;
	}
	rc = sf_orders_transition(&s, &o, act);
	if (!rc)
		rc = sf_conn_commit(c);
out:
	if (rc)
		sf_conn_rollback(c);
	sf_order_row_release(&o);
	return rc;
}

/* ---- the deadline scan's step ---- */

static void clock_of(const struct sf_order_row *o, struct sf_order_clock *k)
{
	memset(k, 0, sizeof(*k));
	k->stage_start = o->stage_start;
	k->deadline = o->deadline;
	k->warned = o->warned;
	k->overdue = o->overdue;
	k->escalation = o->escalation;
	k->reopen_count = o->reopen_count;
	k->transfer_count = o->transfer_count;
	k->problem = o->problem;
}

int sf_orders_apply_due(struct sf_app *app, struct sf_conn *c, int64_t order_id, int64_t now,
			enum sf_order_action *applied, size_t cap, size_t *n, struct sf_error *err)
{
	struct sf_orders_step s = { app, c,    { 0, SF_ORDERS_SYSTEM_NAME, SF_ROLE_SYSTEM },
				    now, NULL, 0,
				    err };
	struct sf_order_row o;
	int rc;

	*n = 0;
	rc = sf_store_order_get_for_update(c, order_id, &o);
	if (rc)
		return sf_error_set(err, rc, NULL, "", "cannot read order %lld",
				    (long long)order_id);
	/* Applying what is due and asking again yields what remains (a very
	 * late order goes to level 1 and then 2 in one scan); three rounds
	 * cover every case of sf_order_scan_step. */
	for (int round = 0; round < 3 && sf_order_state_open(o.state); round++) {
		enum sf_order_action due[SF_ORDER_SCAN_MAX];
		struct sf_order_clock k;
		int k_n;

		clock_of(&o, &k);
		k_n = sf_order_scan_step(&k, now, due, SF_ORDER_SCAN_MAX);
		if (k_n == 0)
			break;
		for (int i = 0; i < k_n; i++) {
			struct sf_order_act act = { .action = due[i] };

			rc = sf_orders_transition(&s, &o, &act);
			if (rc)
				goto out;
			if (*n < cap)
				applied[(*n)++] = due[i];
		}
	}
out:
	sf_order_row_release(&o);
	return rc;
}

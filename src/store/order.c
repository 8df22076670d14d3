/* Work-order rows, their hash-chained events, search terms, the daily code
 * counter and the category limits an order needs; see order.h. The list,
 * the scan's batches, notifications and attachments are in order_list.c. */
#include "store/order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/chain.h"
#include "store/order_impl.h"
#include "util/mem.h"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static char *dup_or_null(struct sf_stmt *st, int col)
{
	const char *s = sf_stmt_isnull(st, col) ? NULL : sf_stmt_text(st, col);

	return s ? sf_xstrdup(s) : NULL;
}

static int on_time(struct sf_stmt *st, int col)
{
	return sf_stmt_isnull(st, col) ? -1 : sf_stmt_int(st, col) != 0;
}

void sf_order_row_release(struct sf_order_row *o)
{
	if (!o)
		return;
	free(o->title);
	free(o->description);
	free(o->requester_name);
	free(o->requester_phone_sealed);
	free(o->requester_org);
	free(o->address);
	free(o->result);
	free(o->public_note);
	free(o->media_url);
	free(o->attrs);
	memset(o, 0, sizeof(*o));
}

void sf_store_order_read_row(struct sf_stmt *st, bool full, struct sf_order_row *o)
{
	enum sf_rating r = SF_RATING_NONE;
	const char *rating;

	memset(o, 0, sizeof(*o));
	o->id = sf_stmt_int(st, 0);
	copy(o->code, sizeof(o->code), sf_stmt_text(st, 1));
	o->title = dup_or_null(st, 2);
	o->category_id = sf_stmt_int(st, 3);
	copy(o->category_code, sizeof(o->category_code), sf_stmt_text(st, 4));
	copy(o->category_zh, sizeof(o->category_zh), sf_stmt_text(st, 5));
	copy(o->category_en, sizeof(o->category_en), sf_stmt_text(st, 6));
	copy(o->channel, sizeof(o->channel), sf_stmt_text(st, 7));
	if (!sf_order_state_parse(sf_stmt_text(st, 8), &o->state))
		o->state = SF_ORDER_SUBMITTED;
	copy(o->requester_kind, sizeof(o->requester_kind), sf_stmt_text(st, 9));
	o->requester_name = dup_or_null(st, 10);
	o->requester_phone_sealed = dup_or_null(st, 11);
	o->requester_org = dup_or_null(st, 12);
	o->area_unit_id = sf_stmt_int(st, 13);
	copy(o->area_name, sizeof(o->area_name), sf_stmt_text(st, 14));
	o->dept_unit_id = sf_stmt_int(st, 15);
	copy(o->dept_name, sizeof(o->dept_name), sf_stmt_text(st, 16));
	o->created_at = sf_stmt_int(st, 17);
	o->updated_at = sf_stmt_int(st, 18);
	o->deadline = sf_stmt_int(st, 19);
	o->overdue = sf_stmt_int(st, 20) != 0;
	o->warned = sf_stmt_int(st, 21) != 0;
	o->escalation = (int)sf_stmt_int(st, 22);
	o->problem = sf_stmt_int(st, 23) != 0;
	o->supervised = sf_stmt_int(st, 24) != 0;
	o->reopen_count = (int)sf_stmt_int(st, 25);
	rating = sf_stmt_isnull(st, 26) ? NULL : sf_stmt_text(st, 26);
	if (rating && sf_rating_parse(rating, &r))
		o->rating = r;
	o->version = sf_stmt_int(st, 27);
	o->stage_start = sf_stmt_int(st, 28);
	o->transfer_count = (int)sf_stmt_int(st, 29);
	o->created_by = sf_stmt_int(st, 30);
	copy(o->area_path, sizeof(o->area_path), sf_stmt_text(st, 31));
	copy(o->dept_path, sizeof(o->dept_path), sf_stmt_text(st, 32));
	o->accepted_on_time = o->resolved_on_time = o->feedback_on_time = -1;
	if (!full)
		return;
	o->description = dup_or_null(st, 33);
	copy(o->requester_phone_index, sizeof(o->requester_phone_index), sf_stmt_text(st, 34));
	o->enterprise_id = sf_stmt_int(st, 35);
	o->address = dup_or_null(st, 36);
	o->has_geo = !sf_stmt_isnull(st, 37) && !sf_stmt_isnull(st, 38);
	o->lat = sf_stmt_double(st, 37);
	o->lng = sf_stmt_double(st, 38);
	o->handler_user_id = sf_stmt_int(st, 39);
	o->accepted_at = sf_stmt_int(st, 40);
	o->assigned_at = sf_stmt_int(st, 41);
	o->resolved_at = sf_stmt_int(st, 42);
	o->feedback_at = sf_stmt_int(st, 43);
	o->closed_at = sf_stmt_int(st, 44);
	o->handle_deadline = sf_stmt_int(st, 45);
	o->ever_overdue = sf_stmt_int(st, 46) != 0;
	o->extension_pending = (int)sf_stmt_int(st, 47);
	o->extension_days = (int)sf_stmt_int(st, 48);
	o->rated_at = sf_stmt_int(st, 49);
	o->result = dup_or_null(st, 50);
	o->merged_into = sf_stmt_int(st, 51);
	copy(o->merged_code, sizeof(o->merged_code), sf_stmt_text(st, 52));
	o->accepted_on_time = on_time(st, 53);
	o->resolved_on_time = on_time(st, 54);
	o->feedback_on_time = on_time(st, 55);
	copy(o->tracking_code, sizeof(o->tracking_code), sf_stmt_text(st, 56));
	copy(o->tracking_secret_hash, sizeof(o->tracking_secret_hash), sf_stmt_text(st, 57));
	o->public_note = dup_or_null(st, 58);
	o->media_url = dup_or_null(st, 59);
	o->attrs = dup_or_null(st, 60);
	o->accept_days = (int)sf_stmt_int(st, 61);
	o->handle_days = (int)sf_stmt_int(st, 62);
	o->feedback_days = (int)sf_stmt_int(st, 63);
	o->dept_head_user_id = sf_stmt_int(st, 64);
	copy(o->handler_name, sizeof(o->handler_name), sf_stmt_text(st, 65));
}

int sf_store_order_get_for_update(struct sf_conn *c, int64_t id, struct sf_order_row *out)
{
	/* Dialect hook: on PostgreSQL lock the row so concurrent changes of
	 * one order queue up behind each other (READ COMMITTED would let both
	 * read the same version); SQLite's write transaction already holds
	 * the database's one write lock. */
	if (sf_db_engine(sf_conn_db(c)) == SF_DB_POSTGRES) {
		int64_t got = 0;
		int rc = sf_conn_int(c, &got, "SELECT id FROM orders WHERE id = ? FOR UPDATE", "i", id);

		if (rc == SF_ENOTFOUND) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		if (rc)
			return rc;
	}
	return sf_store_order_get(c, id, out);
}

int sf_store_order_get(struct sf_conn *c, int64_t id, struct sf_order_row *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT " SF_ORDER_LIST_COLS
			       ", " SF_ORDER_FULL_COLS SF_ORDER_FROM SF_ORDER_FULL_JOINS
			       "WHERE o.id = ?",
			       "i", id);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		sf_store_order_read_row(st, true, out);
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_order_id_by_tracking(struct sf_conn *c, const char *tracking_code, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT id FROM orders WHERE tracking_code = ?", "s",
			   tracking_code);
}

int sf_store_order_insert(struct sf_conn *c, const struct sf_order_row *o, int64_t *id)
{
	int rc = sf_conn_int(
		c, id,
		"INSERT INTO orders(code, title, description, category_id, channel, state, "
		"requester_kind, requester_name, requester_phone_sealed, requester_phone_index, "
		"requester_org, enterprise_id, address, area_unit_id, dept_unit_id, created_by, "
		"created_at, updated_at, stage_start, deadline, tracking_code, "
		"tracking_secret_hash, media_url, attrs, version) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
		"RETURNING id",
		"sssissssssszszzziiizssss", o->code, o->title, o->description, o->category_id,
		o->channel, sf_order_state_name(o->state), o->requester_kind, o->requester_name,
		o->requester_phone_sealed,
		o->requester_phone_index[0] ? o->requester_phone_index : NULL, o->requester_org,
		o->enterprise_id, o->address ? o->address : "", o->area_unit_id, o->dept_unit_id,
		o->created_by, o->created_at, o->updated_at, o->stage_start, o->deadline,
		o->tracking_code[0] ? o->tracking_code : NULL,
		o->tracking_secret_hash[0] ? o->tracking_secret_hash : NULL, o->media_url,
		o->attrs ? o->attrs : "{}");

	if (rc || !o->has_geo)
		return rc;
	rc = sf_conn_run(c, "UPDATE orders SET lat = ?, lng = ? WHERE id = ?", "ffi", o->lat,
			 o->lng, *id);
	return rc < 0 ? rc : 0;
}

int sf_store_order_update(struct sf_conn *c, const struct sf_order_row *o)
{
	int rc = sf_conn_run(
		c,
		"UPDATE orders SET state = ?, updated_at = ?, area_unit_id = ?, dept_unit_id = ?, "
		"handler_user_id = ?, accepted_at = ?, assigned_at = ?, resolved_at = ?, "
		"feedback_at = ?, closed_at = ?, stage_start = ?, deadline = ?, "
		"handle_deadline = ?, warned = ?, overdue = ?, ever_overdue = ?, escalation = ?, "
		"reopen_count = ?, transfer_count = ?, problem = ?, supervised = ?, "
		"extension_pending = ?, extension_days = ?, rating = ?, rated_at = ?, result = ?, "
		"merged_into = ?, accepted_on_time = NULLIF(?, -1), "
		"resolved_on_time = NULLIF(?, -1), feedback_on_time = NULLIF(?, -1), "
		"public_note = ?, version = version + 1 WHERE id = ? AND version = ?",
		"sizzzzzzzzizzddddddddddszszdddsii", sf_order_state_name(o->state), o->updated_at,
		o->area_unit_id, o->dept_unit_id, o->handler_user_id, o->accepted_at,
		o->assigned_at, o->resolved_at, o->feedback_at, o->closed_at, o->stage_start,
		o->deadline, o->handle_deadline, (int)o->warned, (int)o->overdue,
		(int)o->ever_overdue, o->escalation, o->reopen_count, o->transfer_count,
		(int)o->problem, (int)o->supervised, o->extension_pending, o->extension_days,
		o->rating == SF_RATING_NONE ? NULL : sf_rating_name(o->rating), o->rated_at,
		o->result, o->merged_into, o->accepted_on_time, o->resolved_on_time,
		o->feedback_on_time, o->public_note, o->id, o->version);

	if (rc < 0)
		return rc;
	return rc == 0 ? SF_ECONFLICT : 0;
}

void sf_store_order_event_hash(const struct sf_order_event *ev, const char *prev, char out[65])
{
	char idt[24], oidt[24], seqt[24], actt[24], att[24];
	const char *fields[12];

	snprintf(idt, sizeof(idt), "%lld", (long long)ev->id);
	snprintf(oidt, sizeof(oidt), "%lld", (long long)ev->order_id);
	snprintf(seqt, sizeof(seqt), "%lld", (long long)ev->seq);
	snprintf(actt, sizeof(actt), "%lld", (long long)ev->actor_user_id);
	snprintf(att, sizeof(att), "%lld", (long long)ev->at);
	fields[0] = idt;
	fields[1] = oidt;
	fields[2] = seqt;
	fields[3] = ev->action;
	fields[4] = ev->from_state;
	fields[5] = ev->to_state;
	fields[6] = ev->actor_user_id ? actt : NULL;
	fields[7] = ev->actor_name ? ev->actor_name : "";
	fields[8] = ev->actor_role ? ev->actor_role : "";
	fields[9] = att;
	fields[10] = ev->public ? "1" : "0";
	fields[11] = ev->body ? ev->body : "{}";
	sf_store_chain_hash(prev, fields, 12, out);
}

int sf_store_order_event_append(struct sf_conn *c, struct sf_order_event *ev)
{
	char prev[65], hash[65];
	int64_t last = 0, seq = 0;
	int rc = sf_store_chain_head(c, "events", &last, prev);

	if (rc)
		return rc;
	rc = sf_conn_int(c, &seq,
			 "SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE order_id = ?",
			 "i", ev->order_id);
	if (rc)
		return rc;
	ev->id = last + 1;
	ev->seq = seq;
	sf_store_order_event_hash(ev, prev, hash);
	rc = sf_conn_run(
		c,
		"INSERT INTO order_events(id, order_id, seq, action, from_state, to_state, "
		"actor_user_id, actor_name, actor_role, at, public, body, prev_hash, hash) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"iiissszssidsss", ev->id, ev->order_id, ev->seq, ev->action, ev->from_state,
		ev->to_state, ev->actor_user_id, ev->actor_name ? ev->actor_name : "",
		ev->actor_role ? ev->actor_role : "", ev->at, ev->public ? 1 : 0,
		ev->body ? ev->body : "{}", prev, hash);
	if (rc < 0)
		return rc;
	return sf_store_chain_advance(c, "events", ev->id, hash);
}

int sf_store_order_event_each(struct sf_conn *c, int64_t order_id, bool public_only,
			      int (*cb)(const struct sf_order_event *ev, void *ctx), void *ctx)
{
	struct sf_stmt *st;
	struct sf_order_event ev;
	int rc = sf_conn_query(
		c, &st,
		"SELECT id, seq, action, from_state, to_state, "
		"COALESCE(actor_user_id, 0), actor_name, actor_role, at, public, body "
		"FROM order_events WHERE order_id = ? AND (? = 0 OR public = 1) "
		"ORDER BY seq",
		"id", order_id, public_only ? 1 : 0);
	int stop = 0;

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		ev.id = sf_stmt_int(st, 0);
		ev.order_id = order_id;
		ev.seq = sf_stmt_int(st, 1);
		ev.action = sf_stmt_text(st, 2);
		ev.from_state = sf_stmt_isnull(st, 3) ? NULL : sf_stmt_text(st, 3);
		ev.to_state = sf_stmt_text(st, 4);
		ev.actor_user_id = sf_stmt_int(st, 5);
		ev.actor_name = sf_stmt_text(st, 6);
		ev.actor_role = sf_stmt_text(st, 7);
		ev.at = sf_stmt_int(st, 8);
		ev.public = sf_stmt_int(st, 9) != 0;
		ev.body = sf_stmt_text(st, 10);
		stop = cb(&ev, ctx);
		if (stop)
			break;
	}
	sf_stmt_done(st);
	if (stop)
		return stop;
	return rc < 0 ? rc : 0;
}

int sf_store_order_terms_put(struct sf_conn *c, int64_t order_id,
			     const struct sf_search_terms *terms)
{
	for (size_t i = 0; i < terms->n; i++) {
		int rc = sf_conn_run(c, "INSERT INTO order_terms(term, order_id) VALUES (?, ?)",
				     "si", terms->term[i], order_id);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int sf_store_counter_next(struct sf_conn *c, const char *name, int64_t *value)
{
	return sf_conn_int(c, value,
			   "INSERT INTO counters(name, value) VALUES (?, 1) ON CONFLICT(name) "
			   "DO UPDATE SET value = counters.value + 1 RETURNING value",
			   "s", name);
}

int sf_store_order_category(struct sf_conn *c, int64_t id, const char *code,
			    struct sf_order_category *out)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st,
			       "SELECT id, code, name_zh, name_en, COALESCE(dept_unit_id, 0), "
			       "accept_days, handle_days, feedback_days, public, active "
			       "FROM categories WHERE (? > 0 AND id = ?) OR (? <= 0 AND code = ?)",
			       "iiis", id, id, id, code ? code : "");

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		out->id = sf_stmt_int(st, 0);
		copy(out->code, sizeof(out->code), sf_stmt_text(st, 1));
		copy(out->name_zh, sizeof(out->name_zh), sf_stmt_text(st, 2));
		copy(out->name_en, sizeof(out->name_en), sf_stmt_text(st, 3));
		out->dept_unit_id = sf_stmt_int(st, 4);
		out->accept_days = (int)sf_stmt_int(st, 5);
		out->handle_days = (int)sf_stmt_int(st, 6);
		out->feedback_days = (int)sf_stmt_int(st, 7);
		out->public = sf_stmt_int(st, 8) != 0;
		out->active = sf_stmt_int(st, 9) != 0;
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

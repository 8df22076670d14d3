/* Unit tests of the work-order loop (api/orders.c over a real SQLite
 * database): create, accept, assign, handle, resolve, return call, an
 * unsatisfied rating reopening the order with a fresh deadline, close;
 * illegal transitions changing nothing; data scope; the deadline scan and
 * its idempotence; search; and the event hash chain catching an edit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/app.h"
#include "api/orders.h"
#include "api/scan.h"
#include "store/catalog.h"
#include "store/chain.h"
#include "store/order.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/timefmt.h"

#include "tmpdb.h"

struct fx {
	struct sf_app app;
	struct sf_conn *c;
	char db[64], key[80];
	int64_t sub, dept1, dept2, comm, grid;
	struct sf_principal admin, dispatcher, leader, d1, d2, community, resident;
	int64_t t0; /* Monday 2026-03-02 10:00 Shanghai */
};

static int64_t add_unit(struct fx *f, int64_t parent, const char *kind, const char *code,
			const char *name)
{
	struct sf_unit u = { 0 };
	int64_t id = 0;

	u.parent_id = parent;
	snprintf(u.kind, sizeof(u.kind), "%s", kind);
	snprintf(u.code, sizeof(u.code), "%s", code);
	snprintf(u.name_zh, sizeof(u.name_zh), "%s", name);
	assert_int_equal(sf_store_unit_insert(f->c, &u, f->t0, &id), 0);
	return id;
}

static void add_user(struct fx *f, struct sf_principal *p, const char *login, enum sf_role role,
		     int64_t unit)
{
	struct sf_user u = { 0 };
	struct sf_unit un;
	int64_t id = 0;

	snprintf(u.login, sizeof(u.login), "%s", login);
	snprintf(u.name, sizeof(u.name), "%s-name", login);
	snprintf(u.pw_hash, sizeof(u.pw_hash), "x");
	u.role = role;
	u.unit_id = unit;
	assert_int_equal(sf_store_user_insert(f->c, &u, NULL, NULL, f->t0, &id), 0);
	memset(p, 0, sizeof(*p));
	p->user_id = id;
	p->role = role;
	p->unit_id = unit;
	snprintf(p->login, sizeof(p->login), "%s", login);
	snprintf(p->name, sizeof(p->name), "%s", u.name);
	if (unit) {
		assert_int_equal(sf_store_unit_get(f->c, unit, &un), 0);
		snprintf(p->unit_path, sizeof(p->unit_path), "%s", un.path);
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sf_category cat = { 0 };
	struct sf_error err = { 0 };
	int64_t cid = 0;

	tmpdb_new_path(f->db, sizeof(f->db), "orders");
	snprintf(f->key, sizeof(f->key), "%s.key", f->db);
	sf_config_defaults(&f->app.cfg);
	snprintf(f->app.cfg.db, sizeof(f->app.cfg.db), "%s", f->db);
	snprintf(f->app.cfg.data_dir, sizeof(f->app.cfg.data_dir), "data");
	snprintf(f->app.cfg.key_file, sizeof(f->app.cfg.key_file), "%s", f->key);
	f->app.cfg.fast_hash = true;
	if (sf_app_open(&f->app, &err) != 0)
		fail_msg("sf_app_open: %s", err.message);
	assert_int_equal(sf_time_from_local(2026, 3, 2, 10, 0, 0, &f->t0), 0);
	f->c = sf_db_get(f->app.db);
	f->sub = add_unit(f, 0, "subdistrict", "S", "幸福街道");
	f->dept1 = add_unit(f, f->sub, "department", "D1", "城管科");
	f->dept2 = add_unit(f, f->sub, "department", "D2", "建设科");
	f->comm = add_unit(f, f->sub, "community", "C1", "光明社区");
	f->grid = add_unit(f, f->comm, "grid", "G1", "第一网格");
	add_user(f, &f->admin, "admin", SF_ROLE_ADMIN, f->sub);
	add_user(f, &f->dispatcher, "disp", SF_ROLE_DISPATCHER, f->sub);
	add_user(f, &f->leader, "lead", SF_ROLE_LEADER, f->sub);
	add_user(f, &f->d1, "d1", SF_ROLE_DEPT, f->dept1);
	add_user(f, &f->d2, "d2", SF_ROLE_DEPT, f->dept2);
	add_user(f, &f->community, "c1", SF_ROLE_COMMUNITY, f->comm);
	/* A resident needs no unit, but sf_store_user_insert binds unit 0 as an id. */
	add_user(f, &f->resident, "res", SF_ROLE_RESIDENT, f->sub);
	assert_int_equal(sf_store_unit_set_head(f->c, f->dept1, f->d1.user_id), 0);
	snprintf(cat.code, sizeof(cat.code), "streetlight");
	snprintf(cat.name_zh, sizeof(cat.name_zh), "路灯");
	snprintf(cat.name_en, sizeof(cat.name_en), "Street lights");
	cat.dept_unit_id = f->dept1;
	cat.accept_days = 1;
	cat.handle_days = 5;
	cat.feedback_days = 2;
	cat.public = true;
	cat.active = true;
	assert_int_equal(sf_store_category_upsert(f->c, &cat, f->t0, &cid), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sf_db_put(f->app.db, f->c);
	sf_app_close(&f->app);
	tmpdb_remove(f->db);
	unlink(f->key);
	free(f);
	return 0;
}

static int64_t create(struct fx *f, const struct sf_principal *who, const char *title,
		      bool auto_route, int64_t now)
{
	struct sf_order_input in = { 0 };
	struct sf_order_created out;
	struct sf_error err = { 0 };

	in.title = title;
	in.description = "幸福路12号门口的路灯晚上不亮，已经三天了。";
	in.category_code = "streetlight";
	in.channel = "phone";
	in.requester_kind = "person";
	in.requester_name = "张三";
	in.requester_phone = "138 0013 8000";
	in.address = "幸福路12号";
	in.area_unit_id = f->comm;
	if (sf_orders_create(&f->app, f->c, who, &in, auto_route, now, &out, &err) != 0)
		fail_msg("create: %s (%s)", err.message, err.field);
	assert_true(out.id > 0);
	return out.id;
}

static int act(struct fx *f, const struct sf_principal *who, int64_t id, struct sf_order_act *a,
	       int64_t now, struct sf_error *err)
{
	sf_error_clear(err);
	return sf_orders_act(&f->app, f->c, who, id, a, now, err);
}

static void must(struct fx *f, const struct sf_principal *who, int64_t id, struct sf_order_act a,
		 int64_t now)
{
	struct sf_error err;

	if (act(f, who, id, &a, now, &err) != 0)
		fail_msg("%s by %s: %s %s", sf_order_action_name(a.action), who->login, err.code,
			 err.message);
}

static struct sf_order_row get(struct fx *f, int64_t id)
{
	struct sf_order_row o;

	assert_int_equal(sf_store_order_get(f->c, id, &o), 0);
	return o;
}

static int64_t count_events(struct fx *f, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(sf_conn_int(f->c, &n,
				     "SELECT COUNT(*) FROM order_events WHERE order_id = ?", "i",
				     id),
			 0);
	return n;
}

static int64_t deadline(struct fx *f, int64_t start, int days)
{
	return sf_calendar_deadline(&f->app.cal, start, days);
}

#define A(x) SF_ORDER_ACTION_##x

static void test_full_loop(void **state)
{
	struct fx *f = *state;
	int64_t t = f->t0, id, unread = 0;
	struct sf_order_row o;
	struct sf_chain_report rep;
	int64_t want_reopen_deadline;

	id = create(f, &f->dispatcher, "路灯不亮", false, t);
	o = get(f, id);
	assert_string_equal(o.code, "SF20260302-0001");
	assert_int_equal(o.state, SF_ORDER_SUBMITTED);
	assert_int_equal(o.deadline, deadline(f, t, 1));
	assert_null(strstr(o.requester_phone_sealed, "13800138000"));
	assert_true(o.requester_phone_index[0] != '\0');
	sf_order_row_release(&o);

	must(f, &f->dispatcher, id, (struct sf_order_act){ .action = A(ACCEPT) }, t + 600);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_ACCEPTED);
	assert_int_equal(o.accepted_on_time, 1);
	assert_int_equal(o.deadline, deadline(f, t + 600, 5));
	assert_int_equal(o.handle_deadline, o.deadline);
	sf_order_row_release(&o);

	must(f, &f->dispatcher, id,
	     (struct sf_order_act){ .action = A(ASSIGN), .unit_id = f->dept1 }, t + 1200);
	assert_int_equal(sf_store_notify_unread(f->c, f->d1.user_id, &unread), 0);
	assert_int_equal(unread, 1);
	must(f, &f->d1, id, (struct sf_order_act){ .action = A(START) }, t + 1800);
	must(f, &f->d1, id, (struct sf_order_act){ .action = A(RESOLVE), .text = "已更换灯泡" },
	     t + 86400);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_RESOLVED);
	assert_int_equal(o.resolved_on_time, 1);
	assert_string_equal(o.result, "已更换灯泡");
	assert_string_equal(o.public_note, "已更换灯泡");
	assert_int_equal(o.deadline, deadline(f, t + 86400, 2));
	sf_order_row_release(&o);

	must(f, &f->dispatcher, id,
	     (struct sf_order_act){ .action = A(RETURN_CALL),
				    .channel = "phone",
				    .contact = "张三",
				    .text = "居民说还是不亮" },
	     t + 90000);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_FEEDBACK);
	assert_int_equal(o.feedback_on_time, 1);
	assert_int_equal(o.deadline, 0);
	sf_order_row_release(&o);

	/* Unsatisfied: reopened with a fresh handling deadline from now. */
	must(f, &f->dispatcher, id,
	     (struct sf_order_act){ .action = A(RATE), .rating = SF_RATING_UNSATISFIED },
	     t + 2 * 86400);
	want_reopen_deadline = deadline(f, t + 2 * 86400, 5);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_REOPENED);
	assert_int_equal(o.reopen_count, 1);
	assert_int_equal(o.rating, SF_RATING_UNSATISFIED);
	assert_int_equal(o.deadline, want_reopen_deadline);
	assert_int_equal(o.handle_deadline, want_reopen_deadline);
	assert_int_equal(o.stage_start, t + 2 * 86400);
	assert_false(o.warned);
	assert_false(o.overdue);
	sf_order_row_release(&o);

	must(f, &f->d1, id, (struct sf_order_act){ .action = A(START) }, t + 2 * 86400 + 60);
	must(f, &f->d1, id, (struct sf_order_act){ .action = A(RESOLVE), .text = "更换了线路" },
	     t + 3 * 86400);
	must(f, &f->dispatcher, id,
	     (struct sf_order_act){ .action = A(RETURN_CALL), .channel = "visit" },
	     t + 3 * 86400 + 3600);
	must(f, &f->dispatcher, id,
	     (struct sf_order_act){ .action = A(RATE), .rating = SF_RATING_SATISFIED },
	     t + 3 * 86400 + 3700);
	must(f, &f->dispatcher, id, (struct sf_order_act){ .action = A(CLOSE) }, t + 4 * 86400);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_CLOSED);
	assert_int_equal(o.rating, SF_RATING_SATISFIED);
	assert_int_equal(o.closed_at, t + 4 * 86400);
	assert_int_equal(o.version, 12); /* 1 + 11 changes */
	sf_order_row_release(&o);
	assert_int_equal(count_events(f, id), 12);

	/* The history is chained; editing one event's body is detected. */
	assert_int_equal(sf_store_chain_verify(f->c, "events", &rep), 0);
	assert_int_equal(rep.bad_id, 0);
	assert_int_equal(rep.checked, 12);
	assert_int_equal(sf_conn_run(f->c,
				     "UPDATE order_events SET body = '{\"result\":\"伪造\"}' "
				     "WHERE order_id = ? AND seq = 6",
				     "i", id),
			 1);
	assert_int_equal(sf_store_chain_verify(f->c, "events", &rep), 0);
	assert_int_equal(rep.bad_id, 6);
}

static void test_illegal_transition_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct sf_order_act close = { .action = A(CLOSE) };
	struct sf_order_act stale = { .action = A(ACCEPT), .expect_version = 7 };
	struct sf_order_act missing = { .action = A(REJECT) };
	struct sf_error err;
	struct sf_order_row o;
	int64_t id = create(f, &f->dispatcher, "噪音扰民", false, f->t0);

	assert_int_equal(act(f, &f->dispatcher, id, &close, f->t0 + 60, &err), SF_ECONFLICT);
	assert_string_equal(err.code, "illegal_transition");
	assert_int_equal(act(f, &f->dispatcher, id, &stale, f->t0 + 60, &err), SF_ECONFLICT);
	assert_string_equal(err.code, "stale_version");
	assert_int_equal(act(f, &f->dispatcher, id, &missing, f->t0 + 60, &err), SF_EINVAL);
	assert_string_equal(err.field, "reason");
	/* A role the state machine does not allow. */
	assert_int_equal(act(f, &f->leader, id, &(struct sf_order_act){ .action = A(ACCEPT) },
			     f->t0 + 60, &err),
			 SF_EFORBIDDEN);
	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_SUBMITTED);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.updated_at, f->t0);
	sf_order_row_release(&o);
	assert_int_equal(count_events(f, id), 1);
}

static int count_row(const struct sf_order_row *o, void *ctx)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

static int list_count(struct fx *f, const struct sf_principal *who, struct sf_order_filter *flt)
{
	int n = 0;

	sf_orders_scope_filter(who, flt);
	flt->limit = 100;
	assert_int_equal(sf_store_order_list(f->c, flt, count_row, &n), 0);
	return n;
}

static void test_scope(void **state)
{
	struct fx *f = *state;
	struct sf_order_act start = { .action = A(START) };
	struct sf_order_filter flt;
	struct sf_error err;
	struct sf_order_row o;
	int64_t id = create(f, &f->dispatcher, "路灯不亮", true, f->t0);

	o = get(f, id);
	assert_int_equal(o.state, SF_ORDER_ASSIGNED); /* auto-routed to the category's dept */
	assert_int_equal(o.dept_unit_id, f->dept1);
	assert_true(sf_orders_can_see(&f->d1, &o));
	assert_false(sf_orders_can_see(&f->d2, &o));
	assert_true(sf_orders_can_see(&f->community, &o)); /* it happened in their area */
	assert_false(sf_orders_can_see(&f->resident, &o));
	sf_order_row_release(&o);

	/* Another department: as if the order did not exist. */
	assert_int_equal(act(f, &f->d2, id, &start, f->t0 + 60, &err), SF_ENOTFOUND);
	assert_int_equal(act(f, &f->resident, id, &start, f->t0 + 60, &err), SF_ENOTFOUND);
	/* The community sees it but may not handle another unit's order. */
	assert_int_equal(act(f, &f->community, id, &start, f->t0 + 60, &err), SF_EFORBIDDEN);
	must(f, &f->community, id,
	     (struct sf_order_act){ .action = A(NOTE), .text = "网格员已到现场查看" }, f->t0 + 90);
	must(f, &f->d1, id, start, f->t0 + 120);

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(list_count(f, &f->d1, &flt), 1);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(list_count(f, &f->d2, &flt), 0);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(list_count(f, &f->community, &flt), 1);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(list_count(f, &f->resident, &flt), 0);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(list_count(f, &f->leader, &flt), 1);
}

static void test_scan(void **state)
{
	struct fx *f = *state;
	struct sf_scan_report rep;
	struct sf_error err = { 0 };
	struct sf_order_row o;
	int64_t id = create(f, &f->dispatcher, "路灯不亮", true, f->t0);
	int64_t due, events, late;

	o = get(f, id);
	due = o.deadline;
	assert_int_equal(due, deadline(f, f->t0, 5));
	sf_order_row_release(&o);

	/* Before the deadline nothing is due. */
	assert_int_equal(sf_scan_run(&f->app, f->t0 + 60, &rep, &err), 0);
	assert_int_equal(rep.checked, 1);
	assert_int_equal(rep.warned + rep.overdue + rep.escalated + rep.problems, 0);

	/* An hour past the deadline: overdue and escalated to the unit's head. */
	assert_int_equal(sf_scan_run(&f->app, due + 3600, &rep, &err), 0);
	assert_int_equal(rep.overdue, 1);
	assert_int_equal(rep.escalated, 1);
	assert_int_equal(rep.warned, 0);
	o = get(f, id);
	assert_true(o.overdue);
	assert_true(o.ever_overdue);
	assert_int_equal(o.escalation, 1);
	sf_order_row_release(&o);
	events = count_events(f, id);

	/* The same scan again changes nothing. */
	assert_int_equal(sf_scan_run(&f->app, due + 3600, &rep, &err), 0);
	assert_int_equal(rep.warned + rep.overdue + rep.escalated + rep.problems, 0);
	assert_int_equal(count_events(f, id), events);

	/* Much later: the sub-district leader. */
	late = due + (due - f->t0);
	assert_int_equal(sf_scan_run(&f->app, late, &rep, &err), 0);
	assert_int_equal(rep.escalated, 1);
	o = get(f, id);
	assert_int_equal(o.escalation, 2);
	sf_order_row_release(&o);
	{
		int64_t n = 0;

		assert_int_equal(sf_store_notify_unread(f->c, f->leader.user_id, &n), 0);
		assert_int_equal(n, 1);
	}
}

static void test_scan_warns(void **state)
{
	struct fx *f = *state;
	struct sf_scan_report rep;
	struct sf_error err = { 0 };
	struct sf_order_row o;
	int64_t id = create(f, &f->dispatcher, "路灯不亮", true, f->t0);
	int64_t at;

	o = get(f, id);
	at = o.stage_start + (o.deadline - o.stage_start) * 9 / 10;
	sf_order_row_release(&o);
	assert_int_equal(sf_scan_run(&f->app, at, &rep, &err), 0);
	assert_int_equal(rep.warned, 1);
	assert_int_equal(rep.overdue, 0);
	o = get(f, id);
	assert_true(o.warned);
	assert_false(o.overdue);
	sf_order_row_release(&o);
}

static void test_transfer_merge_and_search(void **state)
{
	struct fx *f = *state;
	struct sf_order_filter flt;
	struct sf_order_row o;
	int64_t a = create(f, &f->dispatcher, "路灯不亮", true, f->t0);
	int64_t b = create(f, &f->dispatcher, "小区噪音扰民", false, f->t0 + 10);

	/* Returned for territory, reassigned elsewhere: one transfer. */
	must(f, &f->d1, a, (struct sf_order_act){ .action = A(RETURN), .reason = "territory" },
	     f->t0 + 100);
	must(f, &f->dispatcher, a,
	     (struct sf_order_act){ .action = A(ASSIGN), .unit_id = f->dept2 }, f->t0 + 200);
	o = get(f, a);
	assert_int_equal(o.transfer_count, 1);
	assert_int_equal(o.dept_unit_id, f->dept2);
	sf_order_row_release(&o);

	/* Bigram search: two characters, one character, a code prefix. */
	memset(&flt, 0, sizeof(flt));
	flt.terms[0] = "噪音";
	flt.nterms = 1;
	flt.like = "%噪音%";
	assert_int_equal(list_count(f, &f->leader, &flt), 1);
	memset(&flt, 0, sizeof(flt));
	flt.like = "%灯%";
	flt.like_title_only = true;
	assert_int_equal(list_count(f, &f->leader, &flt), 1);
	memset(&flt, 0, sizeof(flt));
	flt.terms[0] = "sf";
	flt.nterms = 1;
	flt.like = "%SF2026%";
	assert_int_equal(list_count(f, &f->leader, &flt), 2);

	/* Merge b into a: b is closed as merged, a gets a note naming b. */
	must(f, &f->dispatcher, b, (struct sf_order_act){ .action = A(MERGE), .target_id = a },
	     f->t0 + 300);
	o = get(f, b);
	assert_int_equal(o.state, SF_ORDER_MERGED);
	assert_int_equal(o.merged_into, a);
	sf_order_row_release(&o);
	assert_int_equal(count_events(f, a), 6); /* create accept assign return assign note */
	{
		struct sf_error err;
		struct sf_order_act again = { .action = A(MERGE), .target_id = b };

		assert_int_equal(act(f, &f->dispatcher, a, &again, f->t0 + 400, &err), SF_EINVAL);
		assert_string_equal(err.field, "target_id");
	}
}

static void test_reveal_audited(void **state)
{
	struct fx *f = *state;
	char phone[SF_PHONE_MAX];
	struct sf_error err = { 0 };
	int64_t id = create(f, &f->dispatcher, "路灯不亮", false, f->t0), n = 0;

	assert_int_equal(sf_orders_reveal(&f->app, f->c, &f->d1, id, "回访", "127.0.0.1", f->t0,
					  phone, &err),
			 SF_EFORBIDDEN);
	assert_int_equal(sf_orders_reveal(&f->app, f->c, &f->dispatcher, id, "回访核实",
					  "127.0.0.1", f->t0, phone, &err),
			 0);
	assert_string_equal(phone, "13800138000");
	assert_int_equal(sf_conn_int(f->c, &n,
				     "SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND "
				     "target = ?",
				     "s", "order:1"),
			 0);
	assert_int_equal(n, 1);
}

static void test_problem_order(void **state)
{
	struct fx *f = *state;
	struct sf_scan_report rep;
	struct sf_error err = { 0 };
	struct sf_order_row o;
	int64_t id = create(f, &f->dispatcher, "路灯不亮", true, f->t0), t = f->t0;

	/* Three unsatisfied ratings: three reopenings make a problem order. */
	for (int i = 0; i < 3; i++) {
		t += 3600;
		must(f, &f->d1, id, (struct sf_order_act){ .action = A(START) }, t);
		must(f, &f->d1, id, (struct sf_order_act){ .action = A(RESOLVE), .text = "已处理" },
		     t + 60);
		must(f, &f->dispatcher, id,
		     (struct sf_order_act){ .action = A(RATE), .rating = SF_RATING_UNSATISFIED },
		     t + 120);
	}
	assert_int_equal(sf_scan_run(&f->app, t + 200, &rep, &err), 0);
	assert_int_equal(rep.problems, 1);
	assert_int_equal(rep.overdue, 0);
	o = get(f, id);
	assert_int_equal(o.reopen_count, 3);
	assert_true(o.problem);
	assert_int_equal(o.escalation, 1);
	sf_order_row_release(&o);
	assert_int_equal(sf_scan_run(&f->app, t + 200, &rep, &err), 0);
	assert_int_equal(rep.problems, 0);
}

static void test_public_tracking(void **state)
{
	struct fx *f = *state;
	struct sf_principal pub = { 0 };
	struct sf_order_input in = { 0 };
	struct sf_order_created out;
	struct sf_error err = { 0 };
	struct sf_order_act rate = { .action = A(RATE), .rating = SF_RATING_BASIC };
	struct sf_order_row o;

	pub.role = SF_ROLE_PUBLIC;
	in.title = "路灯不亮";
	in.description = "晚上很黑";
	in.category_code = "streetlight";
	in.channel = "web";
	in.requester_kind = "anonymous";
	assert_int_equal(sf_orders_create(&f->app, f->c, &pub, &in, true, f->t0, &out, &err),
			 SF_EFORBIDDEN);
	in.public_submission = true;
	assert_int_equal(sf_orders_create(&f->app, f->c, &pub, &in, true, f->t0, &out, &err), 0);
	assert_int_equal(strlen(out.tracking_code), 10);
	assert_int_equal(strspn(out.tracking_code, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), 10);
	assert_true(strlen(out.tracking_secret) >= 40);
	o = get(f, out.id);
	assert_int_equal(o.state, SF_ORDER_SUBMITTED); /* the public never auto-routes */
	assert_null(strstr(o.tracking_secret_hash, out.tracking_secret));
	sf_order_row_release(&o);
	must(f, &f->dispatcher, out.id, (struct sf_order_act){ .action = A(ACCEPT) }, f->t0 + 10);
	must(f, &f->dispatcher, out.id,
	     (struct sf_order_act){ .action = A(ASSIGN), .unit_id = f->dept1 }, f->t0 + 20);
	must(f, &f->d1, out.id, (struct sf_order_act){ .action = A(RESOLVE), .text = "修好了" },
	     f->t0 + 30);
	assert_int_equal(sf_orders_act_tracked(&f->app, f->c, out.tracking_code, "wrong", &rate,
					       f->t0 + 40, &err),
			 SF_ENOTFOUND);
	assert_int_equal(sf_orders_act_tracked(&f->app, f->c, out.tracking_code,
					       out.tracking_secret, &rate, f->t0 + 40, &err),
			 0);
	o = get(f, out.id);
	assert_int_equal(o.state, SF_ORDER_FEEDBACK);
	assert_int_equal(o.rating, SF_RATING_BASIC);
	sf_order_row_release(&o);
}

static int count_att(const struct sf_attachment *a, void *ctx)
{
	(void)a;
	(*(int *)ctx)++;
	return 0;
}

static void test_attachment(void **state)
{
	struct fx *f = *state;
	static const char png[] = "\x89PNG\r\n\x1a\nrest of the image";
	struct sf_attachment meta;
	struct sf_error err = { 0 };
	struct sf_buf out;
	int64_t id = create(f, &f->dispatcher, "路灯不亮", true, f->t0), aid = 0;
	int n = 0;

	assert_int_equal(sf_orders_attach(&f->app, f->c, &f->d2, id, png, sizeof(png) - 1,
					  "image/png", true, f->t0 + 5, &aid, &err),
			 SF_ENOTFOUND);
	assert_int_equal(sf_orders_attach(&f->app, f->c, &f->d1, id, png, sizeof(png) - 1,
					  "image/png", true, f->t0 + 5, &aid, &err),
			 0);
	assert_true(aid > 0);
	sf_buf_init(&out, 0);
	assert_int_equal(sf_store_attachment_read(f->c, id, aid, &meta, &out), 0);
	assert_int_equal(out.len, sizeof(png) - 1);
	assert_memory_equal(out.data, png, sizeof(png) - 1);
	assert_string_equal(meta.mime, "image/png");
	assert_true(meta.public);
	assert_true(meta.event_id > 0);
	sf_buf_release(&out);
	assert_int_equal(sf_store_attachment_each(f->c, id, true, count_att, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count_events(f, id), 4); /* create accept assign attach */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_illegal_transition_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_merge_and_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problem_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_tracking, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

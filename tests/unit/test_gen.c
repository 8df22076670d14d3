/* The bulk load of `sanfu gen` (store/gen.h) on a temporary SQLite
 * database: the events chain's hashes as the chain computes them; loads
 * one after the other (orders, events, chain, terms in key order with the
 * order's created_at, dashboard and daily counters, the indexes of orders,
 * WAL again); and a load stopped half way that leaves everything as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/search.h"
#include "store/chain.h"
#include "store/db.h"
#include "store/gen.h"
#include "store/order.h"
#include "store/schema.h"

#include "tmpdb.h"

struct fixture {
	char path[64];
	struct sf_db *db;
	struct sf_conn *c;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sf_error err = { 0 };
	int applied = 0;

	tmpdb_new_path(fx->path, sizeof(fx->path), "gentest");
	if (sf_db_open(fx->path, 1, &fx->db, &err) ||
	    sf_schema_migrate(fx->db, 1700000000, &applied, &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	fx->c = sf_db_get(fx->db);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char p[96];

	sf_db_put(fx->db, fx->c);
	sf_db_close(fx->db);
	tmpdb_remove(fx->path);
	snprintf(p, sizeof(p), "%s-gen", fx->path);
	assert_int_not_equal(access(p, F_OK), 0); /* no scratch file left */
	free(fx);
	return 0;
}

/* ---- the chain's hash ---- */

static void event_hash_is_the_chains(void **state)
{
	static const char *const actions[] = { "create", "accept", "close", NULL };
	char body[6000], prev[65] = SF_CHAIN_ZERO;
	uint64_t r = 12345;

	(void)state;
	for (int i = 0; i < 400; i++) {
		struct sf_order_event ev;
		char want[65], got[65];
		size_t len;

		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		/* every length up to 400 (the padding's cases), some long ones */
		len = i % 7 == 0 ? (size_t)(r >> 33) % (sizeof(body) - 1) : (size_t)i;
		for (size_t k = 0; k < len; k++)
			body[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
		body[len] = '\0';
		memset(&ev, 0, sizeof(ev));
		ev.id = i % 11 == 0 ? -(int64_t)i : (int64_t)(r >> 20);
		ev.order_id = i;
		ev.seq = i % 5;
		ev.action = actions[i % 4];
		ev.from_state = i % 3 ? "assigned" : NULL;
		ev.to_state = "closed";
		ev.actor_user_id = i % 4 ? i : 0;
		ev.actor_name = i % 6 ? "林悦" : NULL;
		ev.actor_role = i % 5 ? "dispatcher" : NULL;
		ev.at = 1700000000 + i;
		ev.public = i % 2;
		ev.body = i % 9 ? body : NULL;
		sf_store_order_event_hash(&ev, prev, want);
		sf_store_gen_event_hash(&ev, prev, got);
		assert_string_equal(got, want);
		memcpy(prev, want, sizeof(prev));
	}
}

/* ---- loads ---- */

static const char *const titles[] = { "余杭塘路路灯不亮", "仓前社区井盖缺失", "Road LIGHT 坏了",
				      "电动车楼道充电" };

/* Order i of a load, with its events and terms (as sanfu gen makes them:
 * the bigrams with their duplicates). */
static size_t make_order(int i, struct sf_order_row *o, struct sf_order_event *ev, char *desc,
			 size_t cap, struct sf_search_terms *terms)
{
	size_t nev = (size_t)(1 + i % 4);

	memset(o, 0, sizeof(*o));
	snprintf(o->code, sizeof(o->code), "SF20240101-%04d", i);
	snprintf(desc, cap, "居民反映：%s，第%d次，路灯 路灯 wifi WiFi。", titles[i % 4], i);
	o->title = (char *)titles[i % 4];
	o->description = desc;
	o->address = (char *)(i % 2 ? "余杭塘路12号" : "仓前社区3幢");
	o->requester_org = i % 3 == 0 ? (char *)"杭州纤纳光电科技有限公司" : NULL;
	o->category_id = 1 + i % 3;
	snprintf(o->channel, sizeof(o->channel), "phone");
	snprintf(o->requester_kind, sizeof(o->requester_kind), "person");
	o->state = i % 2 ? SF_ORDER_CLOSED : SF_ORDER_IN_PROGRESS;
	o->dept_unit_id = 5 + i % 2;
	o->area_unit_id = 7 + i % 4;
	/* not in id order: the terms must still be in (created_at, id) order */
	o->created_at = 1700000000 + (int64_t)i * 3600 - (int64_t)(i % 3) * 7000;
	o->updated_at = o->stage_start = o->created_at + 60;
	o->accepted_on_time = i % 5 ? 1 : 0;
	o->resolved_on_time = o->state == SF_ORDER_CLOSED ? i % 3 != 0 : -1;
	o->feedback_on_time = -1;
	o->resolved_at = o->state == SF_ORDER_CLOSED ? o->created_at + 86400 * (i % 4) : 0;
	o->rating = o->state == SF_ORDER_CLOSED
			    ? (i % 4 ? SF_RATING_SATISFIED : SF_RATING_UNSATISFIED)
			    : SF_RATING_NONE;
	o->overdue = i % 7 == 0;
	o->problem = i % 11 == 0;
	o->has_geo = i % 5 != 0;
	o->lat = 30.27;
	o->lng = 119.95;
	o->attrs = (char *)"{}";
	for (size_t k = 0; k < nev; k++) {
		memset(&ev[k], 0, sizeof(ev[k]));
		ev[k].action = k ? "note" : "create";
		ev[k].from_state = k ? "in_progress" : NULL;
		ev[k].to_state = "in_progress";
		ev[k].actor_user_id = (int64_t)k;
		ev[k].actor_name = k ? "林悦" : "公众";
		ev[k].actor_role = "dispatcher";
		ev[k].at = o->created_at + (int64_t)k * 60;
		ev[k].public = k % 2 == 0;
		ev[k].body = k ? "{\"text\":\"已联系\"}" : NULL;
	}
	terms->n = 0;
	sf_search_terms_add(terms, o->description, strlen(o->description), 0);
	sf_search_terms_add(terms, o->title, strlen(o->title), 0);
	sf_search_terms_add(terms, o->address, strlen(o->address), 0);
	sf_search_terms_add(terms, o->code, strlen(o->code), 0);
	if (o->requester_org)
		sf_search_terms_add(terms, o->requester_org, strlen(o->requester_org), 0);
	return nev;
}

static int64_t count(struct sf_conn *c, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(sf_conn_int(c, &n, sql, ""), 0);
	return n;
}

/* Load orders first..first+n-1 (stopping half way: abort). */
static void load(struct fixture *fx, int first, int n, bool stop_half_way)
{
	struct sf_store_gen *g = NULL;
	struct sf_store_gen_totals tot = { 0 };
	struct sf_search_terms terms;
	struct sf_error err = { 0 };
	int64_t distinct = 0;

	sf_search_terms_init(&terms);
	assert_int_equal(sf_store_gen_open(fx->c, 3, &g, &err), 0);
	for (int i = first; i < first + n; i++) {
		struct sf_order_row o;
		struct sf_order_event ev[4];
		char desc[256], name[32];
		size_t nev = make_order(i, &o, ev, desc, sizeof(desc), &terms);
		int k;

		snprintf(name, sizeof(name), "order:2024%04d", 101 + i % 2);
		assert_int_equal(sf_store_gen_counter_next(g, name) > 0, true);
		k = sf_store_gen_add(g, &o, ev, nev, &terms, &err);
		assert_true(k > 0);
		distinct += k;
		assert_int_equal(o.version, (int64_t)nev);
		for (size_t e = 0; e < nev; e++) {
			assert_int_equal(ev[e].order_id, o.id);
			assert_int_equal(ev[e].seq, (int64_t)e + 1);
		}
		if (stop_half_way && i == first + n / 2) {
			sf_store_gen_abort(g);
			sf_search_terms_release(&terms);
			return;
		}
	}
	assert_int_equal(sf_store_gen_finish(g, &tot, &err), 0);
	assert_int_equal(tot.orders, n);
	assert_int_equal(tot.terms, distinct);
	sf_search_terms_release(&terms);
}

/* Everything the load wrote agrees with the orders it wrote. */
static void check(struct fixture *fx, int64_t orders)
{
	struct sf_chain_report rep;
	struct sf_stmt *st;
	struct sf_search_terms terms;
	int64_t rows = 0;

	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM orders"), orders);
	assert_int_equal(count(fx->c, "SELECT MAX(id) - MIN(id) + 1 FROM orders"), orders);
	assert_int_equal(sf_store_chain_verify(fx->c, "events", &rep), 0);
	assert_int_equal(rep.bad_id, 0);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM order_events e WHERE NOT EXISTS "
				      "(SELECT 1 FROM orders o WHERE o.id = e.order_id)"),
			 0);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM orders o WHERE version <> (SELECT "
				      "COUNT(*) FROM order_events e WHERE e.order_id = o.id)"),
			 0);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM orders WHERE (CAST(substr(code, 12) "
				      "AS INTEGER) % 5 = 0) <> (lat IS NULL)"),
			 0);
	/* the terms: each order's distinct bigrams, with its created_at */
	sf_search_terms_init(&terms);
	assert_int_equal(
		sf_conn_query(fx->c, &st,
			      "SELECT id, title, description, address, code, requester_org, "
			      "created_at FROM orders ORDER BY id",
			      ""),
		0);
	while (sf_stmt_step(st) == SF_DB_ROW) {
		int64_t id = sf_stmt_int(st, 0), at = sf_stmt_int(st, 6);

		terms.n = 0;
		for (int k = 1; k <= 5; k++) {
			const char *t = sf_stmt_text(st, k);

			sf_search_terms_add(&terms, t, t ? strlen(t) : 0, 0);
		}
		sf_search_terms_finish(&terms);
		rows += (int64_t)terms.n;
		for (size_t k = 0; k < terms.n; k++) {
			int64_t have = 0;

			assert_int_equal(
				sf_conn_int(fx->c, &have,
					    "SELECT COUNT(*) FROM order_terms WHERE term = ? "
					    "AND created_at = ? AND order_id = ?",
					    "sii", terms.term[k], at, id),
				0);
			assert_int_equal(have, 1);
		}
	}
	sf_stmt_done(st);
	sf_search_terms_release(&terms);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM order_terms"), rows);
	/* the dashboard's counters, cell by cell, both ways */
	assert_int_equal(
		count(fx->c,
		      "SELECT COUNT(*) FROM (SELECT dept_unit_id, area_unit_id, category_id, state, "
		      "COUNT(*), SUM(overdue), SUM(problem), SUM(CASE WHEN resolved_on_time = 1 THEN 1 "
		      "ELSE 0 END), COUNT(resolved_on_time), SUM(CASE WHEN accepted_on_time = 1 THEN 1 "
		      "ELSE 0 END), COUNT(accepted_on_time), SUM(CASE WHEN rating IN ('satisfied', "
		      "'basic') THEN 1 ELSE 0 END), COUNT(rating) FROM orders GROUP BY 1, 2, 3, 4 "
		      "EXCEPT SELECT dept_unit_id, area_unit_id, category_id, state, n, overdue, "
		      "problem, resolved_on_time, resolved_judged, accepted_on_time, accepted_judged, "
		      "satisfied, rated FROM order_counts)"),
		0);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM order_counts WHERE n <> 0"),
			 count(fx->c, "SELECT COUNT(*) FROM (SELECT 1 FROM orders GROUP BY "
				      "dept_unit_id, area_unit_id, category_id, state)"));
	assert_int_equal(count(fx->c,
			       "SELECT COUNT(*) FROM (SELECT 'dept', dept_unit_id, state, "
			       "COUNT(*) FROM orders GROUP BY 2, 3 EXCEPT SELECT dim, ref_id, "
			       "state, n FROM order_totals WHERE dim = 'dept')"),
			 0);
	assert_int_equal(count(fx->c,
			       "SELECT COUNT(*) FROM (SELECT 'resolved', (resolved_at + "
			       "28800) / 86400 * 86400 - 28800, dept_unit_id, area_unit_id, "
			       "COUNT(*) FROM orders WHERE resolved_at IS NOT NULL GROUP BY 2, "
			       "3, 4 EXCEPT SELECT kind, day, dept_unit_id, area_unit_id, n FROM "
			       "order_day_counts WHERE kind = 'resolved' AND dept_unit_id >= 0)"),
			 0);
	assert_int_equal(count(fx->c, "SELECT COALESCE(SUM(n), 0) FROM order_day_counts WHERE "
				      "kind = 'created' AND dept_unit_id = -1"),
			 orders);
	/* the daily counters: one per order of the day */
	assert_int_equal(count(fx->c, "SELECT COALESCE(SUM(value), 0) FROM counters WHERE name "
				      "LIKE 'order:2024%'"),
			 orders);
}

static const char *index_sql =
	"SELECT group_concat(name || ':' || COALESCE(sql, ''), ';') FROM (SELECT name, sql FROM "
	"sqlite_master WHERE tbl_name = 'orders' ORDER BY name)";

static char *indexes(struct sf_conn *c)
{
	struct sf_stmt *st;
	char *s;

	assert_int_equal(sf_conn_query(c, &st, index_sql, ""), 0);
	assert_int_equal(sf_stmt_step(st), SF_DB_ROW);
	s = strdup(sf_stmt_text(st, 0));
	sf_stmt_done(st);
	return s;
}

static void journal_is_wal(struct sf_conn *c)
{
	struct sf_stmt *st;

	assert_int_equal(sf_conn_query(c, &st, "PRAGMA journal_mode", ""), 0);
	assert_int_equal(sf_stmt_step(st), SF_DB_ROW);
	assert_string_equal(sf_stmt_text(st, 0), "wal");
	sf_stmt_done(st);
}

static void loads_add_up(void **state)
{
	struct fixture *fx = *state;
	char *before = indexes(fx->c), *after;

	load(fx, 0, 5, false);
	check(fx, 5);
	/* a second load on top: terms, chain, counters and ids go on */
	load(fx, 5, 60, false);
	check(fx, 65);
	after = indexes(fx->c);
	assert_string_equal(after, before);
	journal_is_wal(fx->c);
	free(before);
	free(after);
}

static void a_stopped_load_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	char *before, *after;
	int64_t events, terms, counts;

	load(fx, 0, 10, false);
	before = indexes(fx->c);
	events = count(fx->c, "SELECT COUNT(*) FROM order_events");
	terms = count(fx->c, "SELECT COUNT(*) FROM order_terms");
	counts = count(fx->c, "SELECT COALESCE(SUM(n), 0) FROM order_counts");
	load(fx, 10, 40, true);
	check(fx, 10);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM order_events"), events);
	assert_int_equal(count(fx->c, "SELECT COUNT(*) FROM order_terms"), terms);
	assert_int_equal(count(fx->c, "SELECT COALESCE(SUM(n), 0) FROM order_counts"), counts);
	after = indexes(fx->c);
	assert_string_equal(after, before);
	journal_is_wal(fx->c);
	free(before);
	free(after);
	/* and the next load works */
	load(fx, 10, 20, false);
	check(fx, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(event_hash_is_the_chains),
		cmocka_unit_test_setup_teardown(loads_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(a_stopped_load_changes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

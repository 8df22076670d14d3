/* Bulk loading of generated orders; see gen.h. The terms of a batch are
 * queued and written at commit sorted by (term, order id), many rows per
 * statement, so the term index grows at the tail of each term's range
 * instead of at random places: that, and one transaction per batch, is
 * what makes a million orders load in about a minute. */
#include "store/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/chain.h"
#include "util/mem.h"

/* Terms written per multi-row INSERT. */
#define TERMS_PER_INSERT 64

struct gen_term {
	char term[SF_SEARCH_TERM_SIZE];
	int64_t order_id;
};

struct sf_store_gen {
	struct sf_conn *c;
	int64_t first_id, last_order; /* the batch's orders */
	int64_t last_id;              /* the events chain's head while loading */
	char last_hash[65];
	struct gen_term *terms;
	size_t nterms, cap;
};

int sf_store_gen_bulk_mode(struct sf_conn *c, bool on)
{
	struct sf_stmt *st;
	const char *mode;
	int rc;

	if (sf_db_engine(sf_conn_db(c)) != SF_DB_SQLITE)
		return 0;
	if (on)
		rc = sf_conn_query(c, &st, "PRAGMA journal_mode=DELETE", "");
	else
		rc = sf_conn_query(c, &st, "PRAGMA journal_mode=WAL", "");
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	mode = rc == SF_DB_ROW ? sf_stmt_text(st, 0) : NULL;
	/* SQLite answers with the mode it is in: unchanged means refused. */
	if (rc >= 0)
		rc = mode && !strcmp(mode, on ? "delete" : "wal") ? 0 : SF_EBUSY;
	sf_stmt_done(st);
	return rc;
}

int sf_store_gen_last_order(struct sf_conn *c, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT COALESCE(MAX(id), 0) FROM orders", "");
}

int sf_store_gen_begin(struct sf_conn *c, struct sf_store_gen **out)
{
	struct sf_store_gen *g;
	struct sf_error err = { 0 };
	int rc;

	*out = NULL;
	/* The term index outgrows the default cache long before a million
	 * orders; a bigger cache keeps each batch's tails of term ranges in
	 * memory while they are appended to. */
	if (sf_db_engine(sf_conn_db(c)) == SF_DB_SQLITE) {
		rc = sf_conn_exec_script(c, "PRAGMA cache_size=-262144", &err);
		if (rc)
			return rc;
	}
	rc = sf_conn_begin(c, true);
	if (rc)
		return rc;
	g = sf_xcalloc(1, sizeof(*g));
	g->c = c;
	rc = sf_store_chain_head(c, "events", &g->last_id, g->last_hash);
	if (rc) {
		sf_store_gen_abort(g);
		return rc;
	}
	*out = g;
	return 0;
}

void sf_store_gen_abort(struct sf_store_gen *g)
{
	if (!g)
		return;
	sf_conn_rollback(g->c);
	free(g->terms);
	free(g);
}

static int insert_row(struct sf_conn *c, struct sf_order_row *o, int64_t version)
{
	int rc = sf_conn_int(
		c, &o->id,
		"INSERT INTO orders(code, title, description, category_id, channel, state, "
		"requester_kind, requester_name, requester_phone_sealed, requester_phone_index, "
		"requester_org, enterprise_id, address, lat, lng, area_unit_id, dept_unit_id, "
		"handler_user_id, created_by, created_at, updated_at, accepted_at, assigned_at, "
		"resolved_at, feedback_at, closed_at, stage_start, deadline, handle_deadline, "
		"warned, overdue, ever_overdue, escalation, reopen_count, transfer_count, problem, "
		"supervised, extension_pending, extension_days, rating, rated_at, result, "
		"merged_into, accepted_on_time, resolved_on_time, feedback_on_time, tracking_code, "
		"tracking_secret_hash, public_note, media_url, attrs, version) VALUES (?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), NULLIF(?, -1), "
		"?, ?, ?, ?, ?, ?) RETURNING id",
		/* code .. address */
		"sssissssssszs"
		/* lat, lng */ "ff"
		/* units, people, times */ "zzzziizzzzzizz"
		/* flags and counts */ "dddddddddd"
		/* rating .. merged_into */ "szsz"
		/* on-time flags */ "ddd"
		/* tracking .. version */ "sssssi",
		o->code, o->title, o->description, o->category_id, o->channel,
		sf_order_state_name(o->state), o->requester_kind, o->requester_name,
		o->requester_phone_sealed,
		o->requester_phone_index[0] ? o->requester_phone_index : NULL, o->requester_org,
		o->enterprise_id, o->address ? o->address : "", o->lat, o->lng, o->area_unit_id,
		o->dept_unit_id, o->handler_user_id, o->created_by, o->created_at, o->updated_at,
		o->accepted_at, o->assigned_at, o->resolved_at, o->feedback_at, o->closed_at,
		o->stage_start, o->deadline, o->handle_deadline, (int)o->warned, (int)o->overdue,
		(int)o->ever_overdue, o->escalation, o->reopen_count, o->transfer_count,
		(int)o->problem, (int)o->supervised, o->extension_pending, o->extension_days,
		o->rating == SF_RATING_NONE ? NULL : sf_rating_name(o->rating), o->rated_at,
		o->result, o->merged_into, o->accepted_on_time, o->resolved_on_time,
		o->feedback_on_time, o->tracking_code[0] ? o->tracking_code : NULL,
		o->tracking_secret_hash[0] ? o->tracking_secret_hash : NULL, o->public_note,
		o->media_url, o->attrs ? o->attrs : "{}", version);

	if (rc || o->has_geo)
		return rc;
	rc = sf_conn_run(c, "UPDATE orders SET lat = NULL, lng = NULL WHERE id = ?", "i", o->id);
	return rc < 0 ? rc : 0;
}

static int insert_event(struct sf_store_gen *g, struct sf_order_event *ev)
{
	char hash[65];
	int rc;

	ev->id = g->last_id + 1;
	sf_store_order_event_hash(ev, g->last_hash, hash);
	rc = sf_conn_run(
		g->c,
		"INSERT INTO order_events(id, order_id, seq, action, from_state, to_state, "
		"actor_user_id, actor_name, actor_role, at, public, body, prev_hash, hash) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"iiissszssidsss", ev->id, ev->order_id, ev->seq, ev->action, ev->from_state,
		ev->to_state, ev->actor_user_id, ev->actor_name ? ev->actor_name : "",
		ev->actor_role ? ev->actor_role : "", ev->at, ev->public ? 1 : 0,
		ev->body ? ev->body : "{}", g->last_hash, hash);
	if (rc < 0)
		return rc;
	g->last_id = ev->id;
	memcpy(g->last_hash, hash, sizeof(hash));
	return 0;
}

int sf_store_gen_add(struct sf_store_gen *g, struct sf_order_row *o, struct sf_order_event *ev,
		     size_t nev, const struct sf_search_terms *terms)
{
	int rc = insert_row(g->c, o, (int64_t)(nev ? nev : 1));

	if (rc)
		return rc;
	if (!g->first_id)
		g->first_id = o->id;
	g->last_order = o->id;
	for (size_t i = 0; i < nev; i++) {
		ev[i].order_id = o->id;
		ev[i].seq = (int64_t)i + 1;
		rc = insert_event(g, &ev[i]);
		if (rc)
			return rc;
	}
	if (g->nterms + terms->n > g->cap) {
		g->cap = (g->nterms + terms->n) * 2 + 1024;
		g->terms = sf_xrealloc(g->terms, g->cap * sizeof(*g->terms));
	}
	for (size_t i = 0; i < terms->n; i++) {
		struct gen_term *t = &g->terms[g->nterms++];

		memcpy(t->term, terms->term[i], SF_SEARCH_TERM_SIZE);
		t->order_id = o->id;
	}
	return 0;
}

static int cmp_term(const void *pa, const void *pb)
{
	const struct gen_term *a = pa, *b = pb;
	int k = strcmp(a->term, b->term);

	if (k)
		return k;
	return a->order_id < b->order_id ? -1 : a->order_id > b->order_id;
}

/* clang-format off */
#define ROW1 "(?, ?)"
#define ROW4 ROW1 ", " ROW1 ", " ROW1 ", " ROW1
#define ROW16 ROW4 ", " ROW4 ", " ROW4 ", " ROW4
#define ROW64 ROW16 ", " ROW16 ", " ROW16 ", " ROW16
/* clang-format on */

static int write_terms(struct sf_store_gen *g)
{
	const char *vals[2 * TERMS_PER_INSERT];
	char ids[TERMS_PER_INSERT][24];
	char fmt[2 * TERMS_PER_INSERT + 1];
	size_t i = 0;
	int rc;

	memset(fmt, 'u', sizeof(fmt) - 1);
	fmt[sizeof(fmt) - 1] = '\0';
	qsort(g->terms, g->nterms, sizeof(*g->terms), cmp_term);
	for (; i + TERMS_PER_INSERT <= g->nterms; i += TERMS_PER_INSERT) {
		for (size_t k = 0; k < TERMS_PER_INSERT; k++) {
			const struct gen_term *t = &g->terms[i + k];

			snprintf(ids[k], sizeof(ids[k]), "%lld", (long long)t->order_id);
			vals[2 * k] = t->term;
			vals[2 * k + 1] = ids[k];
		}
		rc = sf_conn_run_row(g->c, "INSERT INTO order_terms(term, order_id) VALUES " ROW64,
				     fmt, 2 * TERMS_PER_INSERT, vals, NULL, NULL);
		if (rc < 0)
			return rc;
	}
	for (; i < g->nterms; i++) {
		rc = sf_conn_run(g->c, "INSERT INTO order_terms(term, order_id) VALUES (?, ?)",
				 "si", g->terms[i].term, g->terms[i].order_id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sf_store_gen_commit(struct sf_store_gen *g)
{
	int rc = write_terms(g);

	if (!rc && g->first_id)
		rc = sf_store_order_counts_add_range(g->c, g->first_id, g->last_order);
	if (!rc)
		rc = sf_store_chain_advance(g->c, "events", g->last_id, g->last_hash);
	if (!rc)
		rc = sf_conn_commit(g->c);
	if (rc) {
		sf_store_gen_abort(g);
		return rc;
	}
	free(g->terms);
	free(g);
	return 0;
}

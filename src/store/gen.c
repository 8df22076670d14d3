/* Bulk loading of generated orders; see gen.h. The caller's thread numbers
 * each order and its events, hashes the events into the chain, notes the
 * order's search terms and queues it in chunks; a writer thread inserts
 * the events many rows to a statement and adds the orders to the
 * dashboard's counters. The terms are written last, all in key order
 * (gen_terms.c), so their table only grows at its end: a B-tree filled at
 * random places (62M rows for a million orders) was half of the time.
 * SQLite has one writer per file, so there the orders go to a scratch
 * file on a third thread, get their indexes there while the terms are
 * written, and move into the database at the end (SQLite copies a table
 * and its indexes record by record into an empty one of the same shape);
 * the whole load is one transaction. PostgreSQL gets the orders from the
 * writer thread, a transaction per batch. */
#include "store/gen.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/chain.h"
#include "store/gen_impl.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/mem.h"

/* A chunk: what the caller hands the writer at a time. */
#define CHUNK_ORDERS 1024
#define CHUNK_EVENTS (CHUNK_ORDERS * 24)
#define CHUNK_ARENA (8u << 20)
#define CHUNKS 4
#define MAX_INDEXES 64

struct chunk {
	struct sf_order_row orders[CHUNK_ORDERS];
	struct sf_order_cell cells[CHUNK_ORDERS]; /* where each counts */
	int states[CHUNK_ORDERS];
	size_t norders;
	struct sf_store_gen_event events[CHUNK_EVENTS];
	size_t nevents;
	char *arena;
	size_t used;
	struct chunk *next;
};

struct counter {
	char name[48];
	int64_t value;
	bool dirty;
};

/* A row of the dashboard's counters and what the batch adds to it. */
enum { SUM_CELL, SUM_CATEGORY, SUM_DEPT, SUM_AREA, SUM_CREATED, SUM_RESOLVED };
struct sum {
	int table;
	int64_t k1, k2, k3;
	int state;
	int64_t v[9]; /* n and the figures (n alone for a day) */
};

struct sf_store_gen {
	struct sf_conn *c;
	struct sf_store_gen_rows *rows; /* where the rows go */
	struct sf_store_gen_rows *aux;  /* SQLite: the orders' scratch file */
	char aux_path[4096];
	char *orders_sql; /* SQLite: the orders table, for the scratch file */
	int64_t page_size;
	pthread_t aux_thread; /* writes the scratch file: the orders, their indexes */
	bool aux_started, aux_closing;
	struct chunk *aux_head, *aux_tail; /* chunks the writer is done with */
	bool sqlite;
	int64_t batch;
	int64_t first_id, next_id; /* orders */
	int64_t ev_first, ev_last; /* events: the chain's head before, and as added */
	char ev_hash[65];
	struct counter *counters;
	size_t ncounters, last_counter;
	struct sf_store_gen_terms *terms; /* the new orders' */
	int64_t term_rows;
	/* the indexes of orders, to build in the scratch file */
	char *index_sql[MAX_INDEXES];
	size_t nindexes;
	/* chunks and the writer */
	struct chunk *chunks[CHUNKS];
	struct chunk *cur, *free_list, *full_head, *full_tail;
	pthread_t thread;
	bool started, closing, stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int wrc; /* the first error (set under lock); its message in werr */
	char werr[256];
	/* the writer's own */
	bool in_tx;
	int64_t tx_orders, w_ev_last;
	char w_ev_hash[65];
	struct sum *sums;
	size_t nsums, sums_cap;
	uint32_t *sum_slots;
	size_t nsum_slots;
};

/* ---- small helpers ---- */

/* Keep the first error of the load (the writer's, or the end's). */
static int fail(struct sf_store_gen *g, int rc, const char *what)
{
	pthread_mutex_lock(&g->lock);
	if (!g->wrc) {
		g->wrc = rc;
		snprintf(g->werr, sizeof(g->werr), "%s: %s", what,
			 g->rows ? sf_store_gen_rows_errmsg(g->rows) : sf_conn_errmsg(g->c));
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* fail() for the scratch file's thread. */
static int fail_aux(struct sf_store_gen *g, int rc, const char *what)
{
	pthread_mutex_lock(&g->lock);
	if (!g->wrc) {
		g->wrc = rc;
		snprintf(g->werr, sizeof(g->werr), "%s: %s", what,
			 sf_store_gen_rows_errmsg(g->aux));
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* A part of the load in a transaction of its own (PostgreSQL); on SQLite
 * the whole load is one transaction, so these do nothing there. */
static int part_begin(struct sf_store_gen *g)
{
	return g->sqlite ? 0 : sf_store_gen_rows_begin(g->rows);
}

static int part_commit(struct sf_store_gen *g)
{
	return g->sqlite ? 0 : sf_store_gen_rows_commit(g->rows);
}

/* ---- the dashboard's counters (the writer's; as store/order.c counts) ---- */

static uint64_t sum_hash(const struct sum *s)
{
	uint64_t h = sf_hash_mix64((uint64_t)s->k1 ^ ((uint64_t)s->table << 56));

	h = sf_hash_mix64(h ^ (uint64_t)s->k2);
	return sf_hash_mix64(h ^ (uint64_t)s->k3 ^ ((uint64_t)(s->state + 1) << 48));
}

static bool sum_same(const struct sum *a, const struct sum *b)
{
	return a->table == b->table && a->k1 == b->k1 && a->k2 == b->k2 && a->k3 == b->k3 &&
	       a->state == b->state;
}

static void sums_rehash(struct sf_store_gen *g)
{
	size_t n = g->nsum_slots ? g->nsum_slots * 2 : 4096;

	free(g->sum_slots);
	g->sum_slots = sf_xcalloc(n, sizeof(*g->sum_slots));
	g->nsum_slots = n;
	for (size_t i = 0; i < g->nsums; i++) {
		size_t at = (size_t)sum_hash(&g->sums[i]) & (n - 1);

		while (g->sum_slots[at])
			at = (at + 1) & (n - 1);
		g->sum_slots[at] = (uint32_t)i + 1;
	}
}

static void sum_add(struct sf_store_gen *g, int table, int64_t k1, int64_t k2, int64_t k3,
		    int state, const struct sf_order_figures *f)
{
	struct sum key = { .table = table, .k1 = k1, .k2 = k2, .k3 = k3, .state = state }, *s;
	size_t at;

	if ((g->nsums + 1) * 2 > g->nsum_slots)
		sums_rehash(g);
	at = (size_t)sum_hash(&key) & (g->nsum_slots - 1);
	while (g->sum_slots[at] && !sum_same(&g->sums[g->sum_slots[at] - 1], &key))
		at = (at + 1) & (g->nsum_slots - 1);
	if (!g->sum_slots[at]) {
		if (g->nsums == g->sums_cap) {
			g->sums_cap = g->sums_cap ? g->sums_cap * 2 : 4096;
			g->sums = sf_xrealloc(g->sums, g->sums_cap * sizeof(*g->sums));
		}
		g->sums[g->nsums] = key;
		g->sum_slots[at] = (uint32_t)++g->nsums;
	}
	s = &g->sums[g->sum_slots[at] - 1];
	s->v[0]++;
	if (f) {
		s->v[1] += f->overdue;
		s->v[2] += f->problem;
		s->v[3] += f->rot;
		s->v[4] += f->rotj;
		s->v[5] += f->aot;
		s->v[6] += f->aotj;
		s->v[7] += f->sat;
		s->v[8] += f->rated;
	}
}

/* Count an order where the service counts it (store/order.c's rows_of). */
static void count_cell(struct sf_store_gen *g, const struct sf_order_cell *k, int st)
{
	sum_add(g, SUM_CELL, k->dept, k->area, k->category, st, &k->f);
	sum_add(g, SUM_CATEGORY, k->category, 0, 0, st, &k->f);
	sum_add(g, SUM_DEPT, k->dept, 0, 0, st, &k->f);
	sum_add(g, SUM_AREA, k->area, 0, 0, st, &k->f);
	sum_add(g, SUM_CREATED, k->created_day, k->dept, k->area, -1, NULL);
	sum_add(g, SUM_CREATED, k->created_day, -1, -1, -1, NULL);
	if (k->resolved_day) {
		sum_add(g, SUM_RESOLVED, k->resolved_day, k->dept, k->area, -1, NULL);
		sum_add(g, SUM_RESOLVED, k->resolved_day, -1, -1, -1, NULL);
	}
}

static int cmp_sum(const void *pa, const void *pb)
{
	const struct sum *a = pa, *b = pb;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->k2 != b->k2) /* the day tables' keys lead with the units */
		return a->k2 < b->k2 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k3 != b->k3)
		return a->k3 < b->k3 ? -1 : 1;
	return a->state < b->state ? -1 : a->state > b->state;
}

/* Add the batch's sums to the counters, in key order. */
static int write_sums(struct sf_store_gen *g)
{
	static const char *const dims[] = {
		[SUM_CATEGORY] = "category", [SUM_DEPT] = "dept", [SUM_AREA] = "area"
	};
	int rc = 0;

	qsort(g->sums, g->nsums, sizeof(*g->sums), cmp_sum);
	for (size_t i = 0; i < g->nsums && rc >= 0; i++) {
		const struct sum *s = &g->sums[i];
		const int64_t *v = s->v;
		const char *state = s->state >= 0 ? sf_order_state_name(s->state) : "";

		switch (s->table) {
		case SUM_CELL:
			rc = GEN_RUN(g->rows, SF_ORDER_SQL_CELL_ADD, "iiisiiiiiiiii", s->k1, s->k2,
				     s->k3, state, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
				     v[8]);
			break;
		case SUM_CATEGORY:
		case SUM_DEPT:
		case SUM_AREA:
			rc = GEN_RUN(g->rows, SF_ORDER_SQL_TOTAL_ADD, "sisiiiiiiiii",
				     dims[s->table], s->k1, state, v[0], v[1], v[2], v[3], v[4],
				     v[5], v[6], v[7], v[8]);
			break;
		default:
			rc = GEN_RUN(g->rows, SF_ORDER_SQL_DAY_ADD, "siiii",
				     s->table == SUM_CREATED ? "created" : "resolved", s->k1, s->k2,
				     s->k3, v[0]);
			break;
		}
	}
	g->nsums = 0;
	if (g->sum_slots)
		memset(g->sum_slots, 0, g->nsum_slots * sizeof(*g->sum_slots));
	return rc < 0 ? rc : 0;
}

/* ---- writing a chunk (the writer thread) ---- */

/* Add the batch's orders to the counters, move the chain's head to its
 * last event and commit (PostgreSQL). */
static int commit_tx(struct sf_store_gen *g)
{
	int rc;

	if (!g->in_tx)
		return 0;
	rc = write_sums(g);
	if (!rc)
		rc = sf_store_gen_rows_chain(g->rows, g->w_ev_last, g->w_ev_hash);
	if (!rc)
		rc = part_commit(g);
	if (rc)
		return fail(g, rc, "cannot commit a batch");
	g->in_tx = false;
	g->tx_orders = 0;
	return 0;
}

static int write_chunk(struct sf_store_gen *g, struct chunk *ch)
{
	int rc = 0;

	if (!ch->norders)
		return 0;
	if (!g->in_tx) {
		rc = part_begin(g);
		if (rc)
			return fail(g, rc, "cannot start a batch");
		g->in_tx = true;
	}
	for (size_t i = 0; i < ch->norders && !rc && !g->aux; i++) /* SQLite: aux_main's */
		rc = sf_store_gen_rows_order(g->rows, &ch->orders[i]);
	if (rc)
		return fail(g, rc, "cannot store an order");
	for (size_t i = 0; i < ch->norders; i++)
		count_cell(g, &ch->cells[i], ch->states[i]);
	rc = sf_store_gen_rows_events(g->rows, ch->events, ch->nevents);
	if (rc)
		return fail(g, rc, "cannot store an event");
	if (ch->nevents) {
		g->w_ev_last = ch->events[ch->nevents - 1].id;
		memcpy(g->w_ev_hash, ch->events[ch->nevents - 1].hash, sizeof(g->w_ev_hash));
	}
	g->tx_orders += (int64_t)ch->norders;
	return g->tx_orders >= g->batch ? commit_tx(g) : 0;
}

/* Give a chunk back: to the scratch file's thread when it has orders to
 * write there, else to the free list. Under lock. */
static void pass_on(struct sf_store_gen *g, struct chunk *ch, bool to_aux)
{
	ch->next = NULL;
	if (to_aux) {
		if (g->aux_tail)
			g->aux_tail->next = ch;
		else
			g->aux_head = ch;
		g->aux_tail = ch;
	} else {
		ch->norders = ch->nevents = ch->used = 0;
		ch->next = g->free_list;
		g->free_list = ch;
	}
	pthread_cond_broadcast(&g->cond);
}

static void *writer(void *arg)
{
	struct sf_store_gen *g = arg;
	bool stop = false;

	for (;;) {
		struct chunk *ch;

		pthread_mutex_lock(&g->lock);
		while (!g->full_head && !g->closing)
			pthread_cond_wait(&g->cond, &g->lock);
		ch = g->full_head;
		if (ch) {
			g->full_head = ch->next;
			if (!g->full_head)
				g->full_tail = NULL;
		}
		stop = g->stop || g->wrc;
		pthread_mutex_unlock(&g->lock);
		if (!ch)
			break;
		if (!stop)
			write_chunk(g, ch);
		pthread_mutex_lock(&g->lock);
		pass_on(g, ch, g->aux && !g->stop && !g->wrc);
		pthread_mutex_unlock(&g->lock);
	}
	if (!stop)
		commit_tx(g);
	pthread_mutex_lock(&g->lock);
	g->aux_closing = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Hand the chunk being filled to the writer and take a free one. */
static int hand_over(struct sf_store_gen *g)
{
	struct chunk *ch = g->cur;
	int rc;

	pthread_mutex_lock(&g->lock);
	if (ch && ch->norders) {
		ch->next = NULL;
		if (g->full_tail)
			g->full_tail->next = ch;
		else
			g->full_head = ch;
		g->full_tail = ch;
		ch = NULL;
		pthread_cond_broadcast(&g->cond);
	}
	while (!ch && !g->free_list)
		pthread_cond_wait(&g->cond, &g->lock);
	if (!ch) {
		ch = g->free_list;
		g->free_list = ch->next;
	}
	g->cur = ch;
	rc = g->wrc;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* ---- adding orders (the caller's thread) ---- */

static size_t len0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static char *keep(struct chunk *ch, const char *s)
{
	size_t n = len0(s);
	char *p;

	if (!s)
		return NULL;
	p = ch->arena + ch->used;
	memcpy(p, s, n);
	ch->used += n;
	return p;
}

int64_t sf_store_gen_counter_next(struct sf_store_gen *g, const char *name)
{
	struct counter *k = NULL;

	if (g->last_counter < g->ncounters && !strcmp(g->counters[g->last_counter].name, name))
		k = &g->counters[g->last_counter];
	for (size_t i = 0; !k && i < g->ncounters; i++)
		if (!strcmp(g->counters[i].name, name)) {
			k = &g->counters[i];
			g->last_counter = i;
		}
	if (!k) {
		g->counters = sf_xrealloc(g->counters, (g->ncounters + 1) * sizeof(*g->counters));
		k = &g->counters[g->ncounters];
		memset(k, 0, sizeof(*k));
		snprintf(k->name, sizeof(k->name), "%s", name);
		g->last_counter = g->ncounters++;
	}
	k->dirty = true;
	return ++k->value;
}

static size_t event_bytes(const struct sf_order_event *e)
{
	return len0(e->action) + len0(e->from_state) + len0(e->to_state) +
	       len0(e->actor_name ? e->actor_name : "") + len0(e->actor_role ? e->actor_role : "") +
	       len0(e->body ? e->body : "{}");
}

int sf_store_gen_add(struct sf_store_gen *g, struct sf_order_row *o, struct sf_order_event *ev,
		     size_t nev, const struct sf_search_terms *terms, struct sf_error *err)
{
	struct chunk *ch = g->cur;
	size_t need;
	uint32_t ord;
	int distinct = 0, rc;

	need = len0(o->title) + len0(o->description) + len0(o->requester_name) +
	       len0(o->requester_phone_sealed) + len0(o->requester_org) + len0(o->address) +
	       len0(o->result) + len0(o->public_note) + len0(o->media_url) + len0(o->attrs);
	for (size_t i = 0; i < nev; i++)
		need += event_bytes(&ev[i]);
	if (need > CHUNK_ARENA || nev > CHUNK_EVENTS || g->next_id - g->first_id >= UINT32_MAX)
		return sf_error_set(err, SF_ETOOBIG, "too_big", "", "an order too large to load");
	if (ch->norders == CHUNK_ORDERS || ch->nevents + nev > CHUNK_EVENTS ||
	    ch->used + need > CHUNK_ARENA) {
		rc = hand_over(g);
		if (rc) {
			pthread_mutex_lock(&g->lock);
			sf_error_set(err, rc, "db_error", "", "%s", g->werr);
			pthread_mutex_unlock(&g->lock);
			return rc;
		}
		ch = g->cur;
	}
	o->id = g->next_id;
	o->version = nev ? (int64_t)nev : 1;
	{
		struct sf_order_row *r = &ch->orders[ch->norders];

		*r = *o;
		r->title = keep(ch, o->title);
		r->description = keep(ch, o->description);
		r->requester_name = keep(ch, o->requester_name);
		r->requester_phone_sealed = keep(ch, o->requester_phone_sealed);
		r->requester_org = keep(ch, o->requester_org);
		r->address = keep(ch, o->address);
		r->result = keep(ch, o->result);
		r->public_note = keep(ch, o->public_note);
		r->media_url = keep(ch, o->media_url);
		r->attrs = keep(ch, o->attrs);
	}
	sf_store_order_cell_of(o, &ch->cells[ch->norders]);
	ch->states[ch->norders] = (int)o->state;
	ch->norders++;
	g->next_id++;
	ord = (uint32_t)(o->id - g->first_id);
	for (size_t i = 0; i < nev; i++) {
		struct sf_store_gen_event *e = &ch->events[ch->nevents++];

		ev[i].id = ++g->ev_last;
		ev[i].order_id = o->id;
		ev[i].seq = (int64_t)i + 1;
		e->id = ev[i].id;
		e->order_id = o->id;
		e->seq = ev[i].seq;
		e->actor = ev[i].actor_user_id;
		e->at = ev[i].at;
		e->public = ev[i].public ? 1 : 0;
		e->action = keep(ch, ev[i].action);
		e->from = keep(ch, ev[i].from_state);
		e->to = keep(ch, ev[i].to_state);
		e->name = keep(ch, ev[i].actor_name ? ev[i].actor_name : "");
		e->role = keep(ch, ev[i].actor_role ? ev[i].actor_role : "");
		e->body = keep(ch, ev[i].body ? ev[i].body : "{}");
		memcpy(e->prev, g->ev_hash, sizeof(e->prev));
		sf_store_gen_hash_queued(e);
		memcpy(g->ev_hash, e->hash, sizeof(g->ev_hash));
	}
	distinct = sf_store_gen_terms_note(g->terms, ord, o->created_at, terms);
	g->term_rows += distinct;
	return distinct;
}

/* ---- setting up and ending ---- */

/* What the scratch file needs of the database: the orders table and its
 * indexes as created there, and the page size. */
static int read_schema(struct sf_store_gen *g)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(g->c, &st,
			       "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'orders' "
			       "AND type IN ('table', 'index') AND sql IS NOT NULL",
			       "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *type = sf_stmt_text(st, 0), *sql = sf_stmt_text(st, 1);

		if (!strcmp(type, "table")) {
			free(g->orders_sql);
			g->orders_sql = sf_xstrdup(sql);
		} else if (g->nindexes < MAX_INDEXES) {
			g->index_sql[g->nindexes++] = sf_xstrdup(sql);
		} else {
			rc = SF_ETOOBIG;
			break;
		}
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	if (!g->orders_sql)
		return SF_ENOTFOUND;
	return sf_conn_int(g->c, &g->page_size, "PRAGMA page_size", "");
}

/* The scratch file: the orders table as the database has it, holding the
 * orders already there (they move back with the new ones). */
static int open_aux(struct sf_store_gen *g, struct sf_error *err)
{
	const char *path = sf_db_path(sf_conn_db(g->c));
	int rc;

	snprintf(g->aux_path, sizeof(g->aux_path), "%s-gen", path);
	unlink(g->aux_path);
	rc = sf_store_gen_rows_scratch(g->aux_path, g->page_size, &g->aux, err);
	if (rc)
		return rc;
	rc = sf_store_gen_rows_exec(g->aux, g->orders_sql);
	if (!rc)
		rc = GEN_RUN(g->aux, "ATTACH ? AS gen_main", "s", path);
	if (rc >= 0)
		rc = sf_store_gen_rows_exec(g->aux,
					    "INSERT INTO orders SELECT * FROM gen_main.orders;"
					    "DETACH gen_main;");
	if (rc)
		sf_error_set(err, SF_EDB, "db_error", "", "cannot set up %s: %s", g->aux_path,
			     sf_store_gen_rows_errmsg(g->aux));
	return rc ? SF_EDB : 0;
}

/* The scratch file's thread: the orders of each chunk the writer is done
 * with, then (while the terms are written) the commit and the indexes. */
static void *aux_main(void *arg)
{
	struct sf_store_gen *g = arg;
	struct sf_buf sql;
	bool stop = false;
	int rc = 0;

	for (;;) {
		struct chunk *ch;

		pthread_mutex_lock(&g->lock);
		while (!g->aux_head && !g->aux_closing)
			pthread_cond_wait(&g->cond, &g->lock);
		ch = g->aux_head;
		if (ch) {
			g->aux_head = ch->next;
			if (!g->aux_head)
				g->aux_tail = NULL;
		}
		stop = g->stop || g->wrc;
		pthread_mutex_unlock(&g->lock);
		if (!ch)
			break;
		for (size_t i = 0; i < ch->norders && !stop && !rc; i++)
			rc = sf_store_gen_rows_order(g->aux, &ch->orders[i]);
		if (rc)
			fail_aux(g, rc, "cannot store an order");
		pthread_mutex_lock(&g->lock);
		pass_on(g, ch, false);
		pthread_mutex_unlock(&g->lock);
	}
	if (stop || rc)
		return NULL;
	sf_buf_init(&sql, 0);
	sf_buf_adds(&sql, "COMMIT; BEGIN;");
	for (size_t i = 0; i < g->nindexes; i++) {
		sf_buf_adds(&sql, g->index_sql[i]);
		sf_buf_adds(&sql, ";");
	}
	sf_buf_adds(&sql, "COMMIT;");
	if (sf_store_gen_rows_exec(g->aux, sql.data))
		fail_aux(g, SF_EDB, "cannot build the indexes of orders");
	sf_buf_release(&sql);
	return NULL;
}

/* Move the orders of the scratch file into the database, indexes and all
 * (SQLite's transfer of a whole table into an empty one of the same
 * shape), and commit the load. */
static int merge_aux(struct sf_store_gen *g)
{
	int rc = sf_store_gen_rows_close_ok(g->aux);

	g->aux = NULL;
	if (!rc)
		rc = sf_store_gen_rows_exec(
			g->rows, "DELETE FROM main.orders; INSERT INTO main.orders "
				 "SELECT * FROM gen_orders.orders; COMMIT; DETACH gen_orders;");
	if (!rc)
		unlink(g->aux_path);
	return rc;
}

static int load_counters(struct sf_store_gen *g)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(g->c, &st, "SELECT name, value FROM counters", "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		struct counter *k;

		g->counters = sf_xrealloc(g->counters, (g->ncounters + 1) * sizeof(*g->counters));
		k = &g->counters[g->ncounters++];
		memset(k, 0, sizeof(*k));
		snprintf(k->name, sizeof(k->name), "%s", sf_stmt_text(st, 0));
		k->value = sf_stmt_int(st, 1);
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int save_counters(struct sf_store_gen *g)
{
	int rc = part_begin(g);

	for (size_t i = 0; i < g->ncounters && rc >= 0; i++)
		if (g->counters[i].dirty)
			rc = GEN_RUN(
				g->rows,
				"INSERT INTO counters(name, value) VALUES (?, ?) ON CONFLICT(name) "
				"DO UPDATE SET value = excluded.value",
				"si", g->counters[i].name, g->counters[i].value);
	if (rc >= 0)
		rc = part_commit(g);
	return rc < 0 ? rc : 0;
}

static void release(struct sf_store_gen *g)
{
	for (size_t i = 0; i < CHUNKS; i++) {
		if (g->chunks[i])
			free(g->chunks[i]->arena);
		free(g->chunks[i]);
	}
	for (size_t i = 0; i < g->nindexes; i++)
		free(g->index_sql[i]);
	free(g->orders_sql);
	sf_store_gen_terms_free(g->terms);
	free(g->counters);
	free(g->sums);
	free(g->sum_slots);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}

int sf_store_gen_last_order(struct sf_conn *c, int64_t *id)
{
	return sf_conn_int(c, id, "SELECT COALESCE(MAX(id), 0) FROM orders", "");
}

/* Let the writer write what is queued (or drop it) and end. */
static void stop_writer(struct sf_store_gen *g, bool discard)
{
	if (!g->started)
		return;
	pthread_mutex_lock(&g->lock);
	if (g->cur && g->cur->norders && !discard) {
		g->cur->next = NULL;
		if (g->full_tail)
			g->full_tail->next = g->cur;
		else
			g->full_head = g->cur;
		g->full_tail = g->cur;
		g->cur = NULL;
	}
	g->stop = discard;
	g->closing = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void join_threads(struct sf_store_gen *g)
{
	if (g->started)
		pthread_join(g->thread, NULL);
	g->started = false;
	if (g->aux_started)
		pthread_join(g->aux_thread, NULL);
	g->aux_started = false;
}

void sf_store_gen_abort(struct sf_store_gen *g)
{
	if (!g)
		return;
	stop_writer(g, true);
	join_threads(g);
	if (g->rows)
		sf_store_gen_rows_rollback(g->rows);
	sf_store_gen_rows_close(g->rows);
	sf_store_gen_rows_close(g->aux);
	if (g->aux_path[0])
		unlink(g->aux_path);
	sf_conn_rollback(g->c);
	if (g->sqlite)
		sf_store_gen_sqlite_mode(g->c, false);
	release(g);
}

int sf_store_gen_open(struct sf_conn *c, int64_t batch, struct sf_store_gen **out,
		      struct sf_error *err)
{
	struct sf_store_gen *g = sf_xcalloc(1, sizeof(*g));
	int64_t last = 0;
	int rc = 0;

	*out = NULL;
	g->c = c;
	g->sqlite = sf_db_engine(sf_conn_db(c)) == SF_DB_SQLITE;
	g->batch = batch > 0 ? batch : 50000;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	if (g->sqlite && sf_store_gen_sqlite_mode(c, true) != 0) {
		release(g);
		return sf_error_set(err, SF_EBUSY, "db_busy", "",
				    "cannot load in bulk: is a server running on the database?");
	}
	rc = sf_store_gen_last_order(c, &last);
	g->terms = sf_store_gen_terms_new(last + 1);
	if (!rc)
		rc = sf_store_chain_head(c, "events", &g->ev_last, g->w_ev_hash);
	if (!rc)
		rc = load_counters(g);
	if (!rc)
		rc = sf_store_gen_terms_take_old(g->terms, c);
	if (!rc && g->sqlite)
		rc = read_schema(g);
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "cannot start the load: %s",
			     sf_conn_errmsg(c));
		sf_store_gen_abort(g);
		return rc;
	}
	if (g->sqlite)
		rc = open_aux(g, err);
	if (!rc)
		rc = sf_store_gen_rows_open(c, &g->rows, err);
	if (!rc && g->sqlite) {
		/* One transaction for the whole load, the scratch file attached
		 * before it (and before its own long transaction begins). */
		rc = GEN_RUN(g->rows, "ATTACH ? AS gen_orders", "s", g->aux_path);
		if (rc >= 0)
			rc = sf_store_gen_rows_exec(g->rows, "BEGIN");
		if (!rc)
			rc = sf_store_gen_rows_exec(g->aux, "BEGIN");
		if (rc)
			sf_error_set(err, SF_EDB, "db_error", "", "cannot start the load: %s",
				     sf_store_gen_rows_errmsg(g->rows));
		g->in_tx = rc == 0;
	}
	if (rc) {
		sf_store_gen_abort(g);
		return rc;
	}
	g->first_id = g->next_id = last + 1;
	g->ev_first = g->w_ev_last = g->ev_last;
	memcpy(g->ev_hash, g->w_ev_hash, sizeof(g->ev_hash));
	for (size_t i = 0; i < CHUNKS; i++) {
		g->chunks[i] = sf_xcalloc(1, sizeof(*g->chunks[i]));
		g->chunks[i]->arena = sf_xmalloc(CHUNK_ARENA);
		if (i) {
			g->chunks[i]->next = g->free_list;
			g->free_list = g->chunks[i];
		}
	}
	g->cur = g->chunks[0];
	if (pthread_create(&g->thread, NULL, writer, g) != 0) {
		sf_store_gen_abort(g);
		return sf_error_set(err, SF_EINTERNAL, "internal", "",
				    "cannot start the writer thread");
	}
	g->started = true;
	if (g->aux) {
		if (pthread_create(&g->aux_thread, NULL, aux_main, g) != 0) {
			sf_store_gen_abort(g);
			return sf_error_set(err, SF_EINTERNAL, "internal", "",
					    "cannot start the writer thread");
		}
		g->aux_started = true;
	}
	*out = g;
	return 0;
}

int sf_store_gen_finish(struct sf_store_gen *g, struct sf_store_gen_totals *totals,
			struct sf_error *err)
{
	int rc;

	stop_writer(g, false);
	/* Sort each term's orders while the writer drains. */
	sf_store_gen_terms_sort(g->terms);
	if (g->started)
		pthread_join(g->thread, NULL);
	g->started = false;
	rc = g->wrc;
	if (!rc && save_counters(g))
		rc = fail(g, SF_EDB, "cannot save the counters");
	if (!rc && sf_store_gen_terms_write(g->terms, g->rows, !g->sqlite))
		rc = fail(g, SF_EDB, "cannot store the search terms");
	join_threads(g);
	if (!rc)
		rc = g->wrc;
	if (!rc && g->aux && merge_aux(g))
		rc = fail(g, SF_EDB, "cannot move the orders in");
	/* PostgreSQL's identity column continues after the ids given here. */
	if (!rc && !g->sqlite &&
	    GEN_RUN(g->rows,
		    "SELECT setval(pg_get_serial_sequence('orders', 'id'), "
		    "(SELECT COALESCE(MAX(id), 0) + 1 FROM orders), false)",
		    "") < 0)
		rc = fail(g, SF_EDB, "cannot move the order ids on");
	if (!rc && sf_store_gen_rows_close_ok(g->rows))
		rc = fail(g, SF_EDB, "cannot close the load");
	g->rows = NULL;
	if (!rc && g->sqlite && sf_store_gen_sqlite_mode(g->c, false))
		rc = fail(g, SF_EDB, "cannot return the database to WAL mode");
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "%s", g->werr);
		sf_store_gen_abort(g);
		return rc;
	}
	if (totals) {
		totals->orders = g->next_id - g->first_id;
		totals->events = g->ev_last - g->ev_first;
		totals->terms = g->term_rows;
	}
	release(g);
	return 0;
}

/* `sanfu gen --orders N`: add N generated work orders to a database that
 * holds the Cangqian demo (sanfu seed-demo), for benchmarks. Each order gets
 * Chinese text of its category (gen_text.c), an area, a requester, and a
 * timeline the state machine allows — accepted, assigned, returned and
 * transferred, extended, supervised, resolved late or on time, called back,
 * rated, reopened, closed, rejected or merged — cut at now, with the
 * warnings, breaches and escalations an hourly deadline scan would have
 * recorded. Deadlines come from the working-day calendar, events join the
 * hash chain, terms are indexed: the same rows the service would write,
 * loaded in bulk through store/gen.h (the writing overlaps the making).
 * Not written: notifications, and the note a merge leaves on the order it
 * merges into. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "cli/cli.h"
#include "cli/gen_impl.h"
#include "domain/calendar.h"
#include "domain/search.h"
#include "store/catalog.h"
#include "store/gen.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/crypto.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"

/* ---- the database's people, units and categories ---- */

static int add_unit(const struct sf_unit *u, void *ctx)
{
	struct gen *g = ctx;
	struct g_unit *x;

	g->units = sf_xrealloc(g->units, (g->nunits + 1) * sizeof(*g->units));
	x = &g->units[g->nunits++];
	x->id = u->id;
	snprintf(x->name, sizeof(x->name), "%s", u->name_zh);
	snprintf(x->kind, sizeof(x->kind), "%s", u->kind);
	return 0;
}

static int add_user(const struct sf_user *u, void *ctx)
{
	struct gen *g = ctx;
	struct g_user *x;

	if (u->disabled)
		return 0;
	g->users = sf_xrealloc(g->users, (g->nusers + 1) * sizeof(*g->users));
	x = &g->users[g->nusers++];
	x->id = u->id;
	snprintf(x->name, sizeof(x->name), "%s", u->name);
	x->role = u->role;
	x->unit_id = u->unit_id;
	return 0;
}

/* How often people file each category: everyday city matters most. */
static int weight_of(const char *code)
{
	static const struct {
		const char *code;
		int w;
	} w[] = { { "street_light", 9 }, { "noise", 9 },           { "parking", 9 },
		  { "garbage", 8 },      { "property", 8 },        { "road_damage", 7 },
		  { "water_supply", 5 }, { "fire_hazard", 5 },     { "greenery", 4 },
		  { "transport", 4 },    { "illegal_building", 4 } };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(w[i].code, code) == 0)
			return w[i].w;
	return 2;
}

static int add_cat(const struct sf_category *cat, void *ctx)
{
	struct gen *g = ctx;
	struct g_cat *x;

	g->cats = sf_xrealloc(g->cats, (g->ncats + 1) * sizeof(*g->cats));
	x = &g->cats[g->ncats++];
	memset(x, 0, sizeof(*x));
	x->id = cat->id;
	snprintf(x->code, sizeof(x->code), "%s", cat->code);
	x->dept = cat->dept_unit_id;
	x->accept_days = cat->accept_days;
	x->handle_days = cat->handle_days;
	x->feedback_days = cat->feedback_days;
	x->public = cat->public;
	x->weight = weight_of(cat->code);
	x->topic = sf_gen_topic(cat->code);
	g->weight_sum += x->weight;
	return 0;
}

struct g_unit *sf_gen_unit_by_id(struct gen *g, int64_t id)
{
	for (size_t i = 0; i < g->nunits; i++)
		if (g->units[i].id == id)
			return &g->units[i];
	return NULL;
}

/* A random member of unit who handles orders there; id 0 when none. */
struct g_actor sf_gen_member_of(struct gen *g, int64_t unit)
{
	struct g_actor none = { 0, NULL, SF_ROLE_PUBLIC };
	size_t n = 0, k;

	for (size_t i = 0; i < g->nusers; i++)
		if (g->users[i].unit_id == unit &&
		    (g->users[i].role == SF_ROLE_DEPT || g->users[i].role == SF_ROLE_COMMUNITY ||
		     g->users[i].role == SF_ROLE_GRID))
			n++;
	if (!n)
		return none;
	k = (size_t)sf_gen_below(g, (int64_t)n);
	for (size_t i = 0; i < g->nusers; i++) {
		struct g_user *u = &g->users[i];

		if (u->unit_id == unit &&
		    (u->role == SF_ROLE_DEPT || u->role == SF_ROLE_COMMUNITY ||
		     u->role == SF_ROLE_GRID) &&
		    k-- == 0)
			return (struct g_actor){ u->id, u->name, u->role };
	}
	return none;
}

static int load(struct gen *g)
{
	int rc = sf_store_unit_each(g->c, NULL, add_unit, g);

	if (!rc)
		rc = sf_store_user_each(g->c, NULL, add_user, g);
	if (!rc)
		rc = sf_store_category_each(g->c, true, false, false, add_cat, g);
	if (rc)
		return sf_error_set(&g->err, rc, "db_error", "", "cannot read the catalogue: %s",
				    sf_conn_errmsg(g->c));
	g->areas = sf_xcalloc(g->nunits + 1, sizeof(*g->areas));
	g->depts = sf_xcalloc(g->nunits + 1, sizeof(*g->depts));
	for (size_t i = 0; i < g->nunits; i++) {
		struct g_unit *u = &g->units[i];

		if (!strcmp(u->kind, "community") || !strcmp(u->kind, "village") ||
		    !strcmp(u->kind, "village_group") || !strcmp(u->kind, "workstation"))
			g->areas[g->nareas++] = u;
		else if (!strcmp(u->kind, "department") && sf_gen_member_of(g, u->id).id)
			g->depts[g->ndepts++] = u;
	}
	for (size_t i = 0; i < g->nusers; i++) {
		struct g_user *u = &g->users[i];
		struct g_actor a = { u->id, u->name, u->role };

		if (u->role == SF_ROLE_DISPATCHER && g->ndispatchers < 16)
			g->dispatcher[g->ndispatchers++] = a;
		else if (u->role == SF_ROLE_LEADER && g->nleaders < 32)
			g->leader[g->nleaders++] = a;
	}
	if (!g->ncats || !g->nareas || !g->ndepts || !g->ndispatchers || !g->nleaders)
		return sf_error_set(
			&g->err, SF_EINVAL, "not_seeded", "",
			"%s lacks categories, areas, departments, dispatchers or leaders; "
			"load the demo first (sanfu seed-demo)",
			g->app->cfg.db);
	for (size_t i = 0; i < g->ncats; i++)
		if (!g->cats[i].dept || !sf_gen_member_of(g, g->cats[i].dept).id)
			g->cats[i].dept = g->depts[i % g->ndepts]->id;
	return 0;
}

/* ---- text ---- */

struct slots {
	const char *road, *building, *area;
	int n;
};

static void fill(char *out, size_t cap, const char *tpl, const struct slots *s)
{
	size_t len = 0;

	out[0] = '\0';
	for (const char *p = tpl; *p && len + 1 < cap;) {
		const char *v = NULL;
		char num[16];

		if (p[0] == '{' && p[1] && p[2] == '}') {
			switch (p[1]) {
			case 'R': v = s->road; break;
			case 'B': v = s->building; break;
			case 'C': v = s->area; break;
			case 'N':
				snprintf(num, sizeof(num), "%d", s->n);
				v = num;
				break;
			default: break;
			}
		}
		if (v) {
			int k = snprintf(out + len, cap - len, "%s", v);

			len += k > 0 ? (size_t)k : 0;
			p += 3;
		} else {
			out[len++] = *p++;
		}
		if (len >= cap)
			len = cap - 1;
		out[len] = '\0';
	}
}

/* ---- one order ---- */

static struct g_cat *pick_cat(struct gen *g)
{
	int64_t r = sf_gen_below(g, g->weight_sum);

	for (size_t i = 0; i < g->ncats; i++) {
		r -= g->cats[i].weight;
		if (r < 0)
			return &g->cats[i];
	}
	return &g->cats[g->ncats - 1];
}

/* 10 characters from the tracking alphabet, distinct for distinct x. */
static void tracking_code(uint64_t x, char out[16])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const uint64_t mask = (1ULL << 50) - 1;

	x = (x * 0x9E3779B97F4A7C15ULL) & mask; /* odd multiplier: a bijection mod 2^50 */
	x ^= x >> 25;
	for (int i = 0; i < 10; i++, x >>= 5)
		out[i] = alphabet[x & 31];
	out[10] = '\0';
}

static int64_t created_at(struct gen *g, int64_t i)
{
	double per_day = (double)g->n / (double)g->days;
	int64_t d = (int64_t)((double)i / per_day);
	double frac = ((double)i - (double)d * per_day) / per_day;

	/* Office hours mostly: 07:30 to 20:30 Shanghai. */
	return g->first_day + d * DAY + 7 * HOUR + HOUR / 2 + (int64_t)(frac * 13 * HOUR) +
	       sf_gen_below(g, 60);
}

static int make_order(struct gen *g, int64_t i, struct sf_search_terms *terms)
{
	struct g_order *go = &g->go;
	struct sf_order_row *o = &go->o;
	struct g_cat *cat = pick_cat(g);
	const struct sf_gen_topic *tp = cat->topic;
	struct g_unit *area = g->areas[sf_gen_below(g, (int64_t)g->nareas)];
	struct slots sl = { sf_gen_pick(g, sf_gen_roads), sf_gen_pick(g, sf_gen_buildings),
			    area->name, (int)sf_gen_between(g, 2, 30) };
	struct sf_time_parts p;
	struct g_actor by;
	char counter[32], tpl[TEXT_MAX], phone[16];
	const char *lead, *title_tpl;
	size_t k;
	int64_t t0 = created_at(g, i), seq, r;
	int rc;

	memset(&go->o, 0, sizeof(go->o));
	go->nev = 0;
	go->stopped = false;
	go->handler = (struct g_actor){ 0, NULL, SF_ROLE_PUBLIC };
	go->name[0] = go->org[0] = '\0';
	/* text: a title and the matching description */
	k = 0;
	while (k < SF_GEN_TEXTS && tp->titles[k])
		k++;
	k = (size_t)sf_gen_below(g, (int64_t)k);
	title_tpl = tp->titles[k];
	fill(go->title, sizeof(go->title), title_tpl, &sl);
	snprintf(o->channel, sizeof(o->channel), "%s",
		 (r = sf_gen_below(g, 100)) < 35 ? "phone"
		 : r < 55                        ? "visit"
		 : r < 80                        ? "web"
						 : "window");
	if (!strcmp(o->channel, "web") && !cat->public)
		snprintf(o->channel, sizeof(o->channel), "phone");
	lead = !strcmp(o->channel, "phone")   ? sf_gen_pick(g, sf_gen_leadins_phone)
	       : !strcmp(o->channel, "visit") ? sf_gen_pick(g, sf_gen_leadins_visit)
	       : !strcmp(o->channel, "web")   ? sf_gen_pick(g, sf_gen_leadins_web)
					      : sf_gen_pick(g, sf_gen_leadins_window);
	snprintf(tpl, sizeof(tpl), "%s%s%s", lead, tp->bodies[k] ? tp->bodies[k] : tp->bodies[0],
		 sf_gen_pick(g, sf_gen_tails));
	fill(go->desc, sizeof(go->desc), tpl, &sl);
	fill(go->result, sizeof(go->result), sf_gen_pick_n(g, tp->results, SF_GEN_TEXTS), &sl);
	if (strstr(title_tpl, "{R}"))
		snprintf(go->address, sizeof(go->address), "%s%d号", sl.road, sl.n * 3 + 1);
	else if (strstr(title_tpl, "{B}"))
		snprintf(go->address, sizeof(go->address), "%s%d号楼", sl.building, sl.n % 9 + 1);
	else
		snprintf(go->address, sizeof(go->address), "%s%d幢%d单元", area->name, sl.n,
			 (int)sf_gen_between(g, 1, 4));
	/* requester */
	r = sf_gen_below(g, 100);
	snprintf(o->requester_kind, sizeof(o->requester_kind), "%s",
		 r < 72   ? "person"
		 : r < 92 ? "enterprise"
			  : "anonymous");
	if (r < 92) {
		snprintf(go->name, sizeof(go->name), "%s%s", sf_gen_pick(g, sf_gen_surnames),
			 sf_gen_pick(g, sf_gen_given));
		snprintf(phone, sizeof(phone), "1%d%09lld", (int)sf_gen_between(g, 3, 9),
			 (long long)sf_gen_below(g, 1000000000));
		rc = sf_crypto_seal(&g->app->key, phone, &o->requester_phone_sealed);
		if (rc)
			return sf_error_set(&g->err, rc, "internal", "", "cannot seal a phone");
		sf_crypto_index(&g->app->key, phone, o->requester_phone_index);
		o->requester_name = sf_xstrdup(go->name);
	}
	if (r >= 72 && r < 92) {
		snprintf(go->org, sizeof(go->org), "杭州%s科技有限公司",
			 sf_gen_pick(g, sf_gen_firms));
		o->requester_org = sf_xstrdup(go->org);
	}
	/* the row as created */
	o->title = sf_xstrdup(go->title);
	o->description = sf_xstrdup(go->desc);
	o->address = sf_xstrdup(go->address);
	o->category_id = cat->id;
	snprintf(o->category_code, sizeof(o->category_code), "%s", cat->code);
	o->accept_days = cat->accept_days;
	o->handle_days = cat->handle_days;
	o->feedback_days = cat->feedback_days;
	o->state = sf_order_initial_state();
	o->has_geo = true;
	o->lat = 30.27 + (double)sf_gen_below(g, 50000) / 1000000.0;
	o->lng = 119.95 + (double)sf_gen_below(g, 80000) / 1000000.0;
	o->area_unit_id = area->id;
	o->accepted_on_time = o->resolved_on_time = o->feedback_on_time = -1;
	o->attrs = sf_xstrdup("{}");
	o->created_at = o->updated_at = t0;
	o->stage_start = t0;
	o->deadline = sf_gen_deadline_after(g, t0, cat->accept_days);
	if (!strcmp(o->channel, "web")) {
		static const char hex[] = "0123456789abcdef";
		unsigned char sec[32];

		by = (struct g_actor){ 0, sf_role_label_zh(SF_ROLE_PUBLIC), SF_ROLE_PUBLIC };
		tracking_code((uint64_t)(g->base + i), o->tracking_code);
		sf_crypto_random(sec, sizeof(sec));
		for (size_t j = 0; j < sizeof(sec); j++) {
			o->tracking_secret_hash[2 * j] = hex[sec[j] >> 4];
			o->tracking_secret_hash[2 * j + 1] = hex[sec[j] & 15];
		}
		o->tracking_secret_hash[2 * sizeof(sec)] = '\0';
	} else if (!strcmp(o->channel, "visit")) {
		by = sf_gen_member_of(g, area->id);
		if (!by.id)
			by = sf_gen_dispatcher_of(g);
	} else {
		by = sf_gen_dispatcher_of(g);
	}
	o->created_by = by.id;
	sf_time_local_parts(t0, &p);
	snprintf(counter, sizeof(counter), "order:%04d%02d%02d", p.year, p.month, p.day);
	seq = sf_store_gen_counter_next(g->load, counter);
	snprintf(o->code, sizeof(o->code), "SF%04d%02d%02d-%04lld", p.year, p.month, p.day,
		 (long long)seq);
	/* the create event, then the rest of the timeline */
	{
		struct sf_order_event *ev = &go->ev[0];
		struct sf_jw w;

		sf_buf_reset(&g->jbuf);
		sf_jw_init(&w, &g->jbuf);
		sf_jw_obj_begin(&w);
		sf_jw_kstr(&w, "channel", o->channel);
		sf_jw_kstr(&w, "category", cat->code);
		sf_jw_kstr(&w, "requester_kind", o->requester_kind);
		sf_jw_ktime(&w, "deadline", o->deadline);
		sf_jw_obj_end(&w);
		snprintf(go->body[0], BODY_MAX, "%s", g->jbuf.data);
		memset(ev, 0, sizeof(*ev));
		ev->action = sf_order_action_name(SF_ORDER_ACTION_CREATE);
		ev->to_state = sf_order_state_name(o->state);
		ev->actor_user_id = by.id;
		ev->actor_name = by.name;
		ev->actor_role = sf_role_name(by.role);
		ev->at = t0;
		ev->public = true;
		ev->body = go->body[0];
		go->nev = 1;
		go->last = t0;
	}
	rc = sf_gen_timeline(g, cat, t0);
	if (!rc)
		rc = sf_gen_scan_until(g, g->now + 1);
	if (rc)
		return rc;
	/* terms as the service indexes them (the load drops the duplicates) */
	sf_search_terms_add(terms, o->description, strlen(o->description), TERMS_DESCRIPTION_CHARS);
	sf_search_terms_add(terms, o->title, strlen(o->title), 0);
	sf_search_terms_add(terms, o->address, strlen(o->address), 0);
	sf_search_terms_add(terms, o->code, strlen(o->code), 0);
	if (o->requester_org)
		sf_search_terms_add(terms, o->requester_org, strlen(o->requester_org), 0);
	rc = sf_store_gen_add(g->load, o, go->ev, go->nev, terms, &g->err);
	if (rc < 0)
		return rc;
	g->states[o->state]++;
	cat->last_id = o->id;
	cat->last_created = t0;
	cat->last_end = sf_order_state_terminal(o->state) ? o->updated_at : 0;
	snprintf(cat->last_code, sizeof(cat->last_code), "%s", o->code);
	return 0;
}

/* ---- the command ---- */

static int parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end != s && (*end == 'k' || *end == 'K'))
		v *= 1000, end++;
	else if (end != s && (*end == 'm' || *end == 'M'))
		v *= 1000000, end++;
	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void release(struct gen *g)
{
	sf_order_row_release(&g->go.o);
	sf_buf_release(&g->jbuf);
	free(g->cats);
	free(g->units);
	free(g->areas);
	free(g->depts);
	free(g->users);
}

int sf_cli_gen(struct sf_app *app, int argc, char **argv)
{
	struct gen *g = sf_xcalloc(1, sizeof(*g));
	struct sf_search_terms terms;
	struct sf_store_gen_totals totals = { 0 };
	int64_t n = 0, seed = 1, batch = 50000, t0 = sf_time_now_ms(), done = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(argv[i], "--orders") && !parse_count(v, 1, 100000000, &n))
			i++;
		else if (!strcmp(argv[i], "--seed") && !parse_count(v, 0, INT64_MAX / 2, &seed))
			i++;
		else if (!strcmp(argv[i], "--days") && !parse_count(v, 1, 36500, &g->days))
			i++;
		else if (!strcmp(argv[i], "--batch") && !parse_count(v, 1, 1000000, &batch))
			i++;
		else {
			fprintf(stderr, "usage: sanfu gen --orders N [--seed S] [--days D] "
					"[--batch B] [--db DB]\n");
			free(g);
			return 2;
		}
	}
	if (!n) {
		fprintf(stderr, "sanfu gen: --orders N is required (e.g. 10000, 100k, 1M)\n");
		free(g);
		return 2;
	}
	g->app = app;
	g->n = n;
	g->rng = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
	g->now = sf_time_now();
	if (!g->days)
		g->days = 1095;
	g->first_day = sf_time_local_day_start(g->now) - g->days * DAY;
	sf_buf_init(&g->jbuf, BODY_MAX * 4);
	sf_search_terms_init(&terms);
	/* The load runs on a connection of its own, the only one open, so the
	 * database can leave WAL mode while it runs (store/gen.h). */
	if (sf_db_path(app->db)) {
		struct sf_db *solo = NULL;

		sf_db_close(app->db);
		app->db = NULL;
		rc = sf_db_open(app->cfg.db, 1, &solo, &g->err);
		app->db = solo;
	}
	if (rc) {
		rc = sf_cli_fail(&g->err);
		free(g);
		return rc;
	}
	g->c = sf_db_get(app->db);
	rc = load(g);
	if (!rc)
		rc = sf_store_gen_last_order(g->c, &g->base);
	if (rc && !g->err.rc)
		sf_error_set(&g->err, rc, "db_error", "", "%s", sf_conn_errmsg(g->c));
	if (!rc)
		rc = sf_store_gen_open(g->c, batch, &g->load, &g->err);
	for (; !rc && done < n; done++) {
		sf_order_row_release(&g->go.o);
		terms.n = 0;
		rc = make_order(g, done, &terms);
		if (!rc && (done + 1) % batch == 0)
			fprintf(stderr, "gen: %lld/%lld orders (%.1f s)\n", (long long)done + 1,
				(long long)n, (double)(sf_time_now_ms() - t0) / 1000.0);
	}
	if (g->load && rc) {
		sf_store_gen_abort(g->load);
	} else if (g->load) {
		fprintf(stderr, "gen: %lld orders made, writing the search terms (%.1f s)\n",
			(long long)n, (double)(sf_time_now_ms() - t0) / 1000.0);
		rc = sf_store_gen_finish(g->load, &totals, &g->err);
	}
	g->load = NULL;
	sf_db_put(app->db, g->c);
	if (rc) {
		sf_cli_fail(&g->err);
	} else {
		printf("Added %lld orders (%lld events, %lld search terms) over %lld days in %.1f s:\n",
		       (long long)totals.orders, (long long)totals.events, (long long)totals.terms,
		       (long long)g->days, (double)(sf_time_now_ms() - t0) / 1000.0);
		for (int s = 0; s < SF_ORDER_STATE_COUNT; s++)
			printf("  %-12s %lld\n", sf_order_state_name((enum sf_order_state)s),
			       (long long)g->states[s]);
	}
	sf_search_terms_release(&terms);
	release(g);
	free(g);
	return rc ? 1 : 0;
}

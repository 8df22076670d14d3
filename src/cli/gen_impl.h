/* `sanfu gen`'s shared parts, private to src/cli/gen*.c: the generator's
 * state (gen.c: the command, the database's people and places, one order),
 * the timeline (gen_timeline.c) and the text (gen_text.c: what people
 * write in work orders of each category of the Cangqian catalogue, with
 * slots the generator fills: {R} a road, {B} a building or park, {C} the
 * area's name, {N} a small number). */
#ifndef SF_CLI_GEN_IMPL_H
#define SF_CLI_GEN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "domain/role.h"
#include "store/gen.h"
#include "store/order.h"
#include "util/buf.h"
#include "util/jw.h"

#define SF_GEN_TEXTS 4

/* The texts of one category (by code); unused slots are NULL. */
struct sf_gen_topic {
	const char *code;
	const char *titles[SF_GEN_TEXTS];
	const char *bodies[SF_GEN_TEXTS];
	const char *results[SF_GEN_TEXTS];
};

/* The topic of category code, or the generic one for a code it does not know. */
const struct sf_gen_topic *sf_gen_topic(const char *code);

/* Word lists the generator draws from; each ends with NULL. */
extern const char *const sf_gen_roads[];
extern const char *const sf_gen_buildings[];
extern const char *const sf_gen_surnames[];
extern const char *const sf_gen_given[];
extern const char *const sf_gen_firms[];
extern const char *const sf_gen_leadins_phone[];
extern const char *const sf_gen_leadins_visit[];
extern const char *const sf_gen_leadins_web[];
extern const char *const sf_gen_leadins_window[];
extern const char *const sf_gen_tails[];
extern const char *const sf_gen_notes[];
extern const char *const sf_gen_reject_reasons[];
extern const char *const sf_gen_call_summaries[];
extern const char *const sf_gen_extension_reasons[];
extern const char *const sf_gen_supervise_notes[];

/* How many items a NULL-ended list holds. */
size_t sf_gen_count(const char *const *list);

#define MAX_EVENTS 48
#define BODY_MAX 1024
#define TEXT_MAX 1024
#define HOUR 3600
#define DAY 86400
/* The description characters the service indexes (api/orders_create.c): all. */
#define TERMS_DESCRIPTION_CHARS 0

struct g_cat {
	int64_t id;
	char code[48];
	int64_t dept;
	int accept_days, handle_days, feedback_days;
	bool public;
	int weight;
	const struct sf_gen_topic *topic;
	/* the last order of the category, a merge target while it is open */
	int64_t last_id, last_created, last_end;
	char last_code[32];
};

struct g_unit {
	int64_t id;
	char name[128];
	char kind[24];
};

struct g_user {
	int64_t id;
	char name[64];
	enum sf_role role;
	int64_t unit_id;
};

/* Who acts: a user, the public, or the system. */
struct g_actor {
	int64_t id;
	const char *name;
	enum sf_role role;
};

struct g_order {
	struct sf_order_row o;
	struct sf_order_event ev[MAX_EVENTS];
	char body[MAX_EVENTS][BODY_MAX];
	size_t nev;
	int64_t last; /* time of the latest event or scan */
	bool stopped; /* the next step would be after now */
	struct g_actor handler;
	char title[TEXT_MAX], desc[TEXT_MAX * 2], address[TEXT_MAX], result[TEXT_MAX];
	char name[32], org[128];
};

struct gen {
	struct sf_app *app;
	struct sf_conn *c;         /* to read the catalogue before the load */
	struct sf_store_gen *load; /* the load: every order goes through it */
	uint64_t rng;
	int64_t now, first_day, days, n, base;
	struct g_cat *cats;
	size_t ncats;
	int weight_sum;
	struct g_unit *units, **areas, **depts;
	size_t nunits, nareas, ndepts;
	struct g_user *users;
	size_t nusers;
	struct g_actor dispatcher[16], leader[32];
	size_t ndispatchers, nleaders;
	struct sf_buf jbuf;
	struct g_order go;
	int64_t states[SF_ORDER_STATE_COUNT];
	struct sf_error err;
};

/* Randomness (xorshift64*, seeded: the same seed gives the same orders). */

static inline uint64_t sf_gen_rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545F4914F6CDD1DULL;
}

static inline int64_t sf_gen_below(struct gen *g, int64_t n)
{
	return n > 0 ? (int64_t)(sf_gen_rnd(g) % (uint64_t)n) : 0;
}

static inline int64_t sf_gen_between(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + sf_gen_below(g, hi - lo + 1);
}

static inline bool sf_gen_chance(struct gen *g, int per_mille)
{
	return sf_gen_below(g, 1000) < per_mille;
}

static inline const char *sf_gen_pick(struct gen *g, const char *const *list)
{
	return list[sf_gen_below(g, (int64_t)sf_gen_count(list))];
}

static inline const char *sf_gen_pick_n(struct gen *g, const char *const *list, size_t cap)
{
	size_t n = 0;

	while (n < cap && list[n])
		n++;
	return n ? list[sf_gen_below(g, (int64_t)n)] : "";
}

/* The unit with id, NULL when it is not loaded (gen.c). */
struct g_unit *sf_gen_unit_by_id(struct gen *g, int64_t id);
/* A random member of unit who handles orders there; id 0 when none (gen.c). */
struct g_actor sf_gen_member_of(struct gen *g, int64_t unit);
/* A random dispatcher (gen_timeline.c). */
struct g_actor sf_gen_dispatcher_of(struct gen *g);
/* End of the days-th working day after start; 0 outside the calendar. */
int64_t sf_gen_deadline_after(struct gen *g, int64_t start, int days);
/* The rest of g->go's timeline after its creation at t: accepted, assigned
 * (returned and reassigned), handled, resolved, called back, rated
 * (reopened once), closed; or rejected, or merged into cat's last order;
 * cut where the next step would be after now (gen_timeline.c). */
int sf_gen_timeline(struct gen *g, struct g_cat *cat, int64_t t);
/* Record what an hourly deadline scan would have recorded on g->go after
 * its last event and before until. */
int sf_gen_scan_until(struct gen *g, int64_t until);

#endif

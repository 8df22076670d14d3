/* The demo loader of the registers and visits (seed_registers.c and
 * seed_visits.c), not for other files: its state and the small helpers
 * both halves use (a deterministic random source, JSON reading, the
 * people of the demo by login, generated names and numbers). */
#ifndef SF_CLI_SEED_REGISTERS_H
#define SF_CLI_SEED_REGISTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "util/json.h"

struct sf_demo_user {
	struct sf_principal who;
	char title[64];
};

struct sf_demo_household {
	int64_t id;
	int64_t unit_id;
	char person[100];
};

struct sf_demo_enterprise {
	int64_t id;
	int64_t leader, liaison;
	char name[304];
	char contact[100];
};

struct sf_demo {
	struct sf_app *app;
	struct sf_conn *c;
	struct sf_json *doc;
	struct sf_error *err;
	uint64_t rng;
	int64_t now;
	struct sf_demo_user *users;
	size_t nusers, cusers;
	struct sf_demo_household *hh;
	size_t nhh, chh;
	struct sf_demo_enterprise *ent;
	size_t nent, cent;
	int64_t *groups;
	size_t ngroups, cgroups;
	int64_t campaign[3];
	int64_t visits, orders, solved, hazards;
};

/* xorshift64*: the same demo on every run. */
uint64_t sf_demo_rnd(struct sf_demo *d);
/* 0 .. n-1 (0 when n <= 0). */
int sf_demo_pick(struct sf_demo *d, int n);
/* Fill d->err (unless set) with what failed and the engine's message. */
int sf_demo_fail(struct sf_demo *d, int rc, const char *what);
const char *sf_demo_jstr(const struct sf_json *o, const char *k, const char *dflt);
int64_t sf_demo_jint(const struct sf_json *o, const char *k, int64_t dflt);
/* Item i of the array at key (lent; free it), or NULL. */
struct sf_json *sf_demo_item(const struct sf_json *o, const char *key, size_t i);
size_t sf_demo_count(const struct sf_json *o, const char *key);
/* String j of the array that is item i of the array at key. */
const char *sf_demo_nested_str(const struct sf_json *o, const char *key, size_t i, size_t j);
const struct sf_demo_user *sf_demo_user(const struct sf_demo *d, const char *login);
const struct sf_demo_user *sf_demo_user_by_id(const struct sf_demo *d, int64_t id);
/* The community or village worker whose unit covers unit_path. */
const struct sf_demo_user *sf_demo_area_worker(const struct sf_demo *d, const char *unit_path);
/* A member of staff of a department (the last of its people). */
const struct sf_demo_user *sf_demo_dept_worker(const struct sf_demo *d, int64_t unit_id);
int64_t sf_demo_unit_id(struct sf_demo *d, const char *code);
void sf_demo_person(struct sf_demo *d, char *out, size_t cap);
void sf_demo_phone(struct sf_demo *d, char out[16]);
void sf_demo_id_number(struct sf_demo *d, char out[20]);
void sf_demo_cn_number(int n, char *out, size_t cap);

/* The season of visits (seed_visits.c), through sf_visits_record, with the
 * orders carried through the departments and the hazards fixed. */
int sf_demo_enterprise_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor);
int sf_demo_household_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor);
int sf_demo_village_visits(struct sf_demo *d, const struct sf_json *plan, size_t *pcursor);

#endif

/* The demo loader's shared parts (seed.c runs the command, seed_file.c reads
 * and checks the demo file): what a demo file holds once read, with every
 * reference resolved to an index and every time computed. Private to
 * src/cli; nothing else includes it. */
#ifndef SF_CLI_SEED_IMPL_H
#define SF_CLI_SEED_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "domain/order.h"
#include "store/catalog.h"
#include "util/crypto.h"
#include "util/err.h"

struct sf_json;

#define SF_SEED_MAX_STEPS 40
#define SF_SEED_BY_HANDLER (-1) /* "@handler": a member of the unit holding the order */
#define SF_SEED_BY_LEADER (-2)  /* "@leader": the leader in charge of that unit */
#define SF_SEED_BY_PUBLIC (-3)  /* "public": a portal submission without sign-in */

/* A unit of the file; id and path once stored. The strings are borrowed
 * from the parsed file. *_i are indexes into the seed's arrays, -1 = none. */
struct sf_seed_unit {
	const char *code, *parent, *kind, *name_zh, *name_en, *head, *leader;
	int parent_i, head_i, leader_i;
	int64_t id;
	char path[128];
};

/* A user; who is filled once stored and is what the replay acts as. */
struct sf_seed_user {
	const char *login, *name, *unit, *title;
	enum sf_role role;
	int unit_i;
	struct sf_principal who;
	char hash[SF_PW_HASH_MAX];
};

/* One step of an order's scenario, with its (back-dated) time. */
struct sf_seed_step {
	enum sf_order_action action;
	int by;     /* user index, SF_SEED_BY_HANDLER or SF_SEED_BY_LEADER */
	int unit_i; /* assign: -1 = the order's department */
	int user_i; /* assign: the handler, -1 = none */
	int target; /* merge: order index */
	const char *reason, *text, *channel, *contact;
	enum sf_rating rating;
	int days;
	bool public_note;
	int64_t at;
};

/* One order scenario: who files it, when, and its steps in order. */
struct sf_seed_order {
	struct sf_json *j; /* lent from the root; freed at the end */
	const char *key;
	int by, cat_i, area_i, dept_i;
	int64_t at, id;
	int cur_unit; /* the unit holding it, while replaying */
	struct sf_seed_step steps[SF_SEED_MAX_STEPS];
	size_t nsteps;
};

/* A category, ready to store but for its department's id. */
struct sf_seed_cat {
	struct sf_category cat;
	int dept_i;
};

/* The whole demo and the loader's state. */
struct sf_seed {
	struct sf_app *app;
	const char *file;
	struct sf_json *root;
	const char *password;
	struct sf_seed_unit *units;
	struct sf_seed_user *users;
	struct sf_seed_cat *cats;
	struct sf_seed_order *orders;
	size_t nunits, nusers, ncats, norders;
	int office_start, office_end; /* seconds after midnight */
	int scan_hours;
	double jitter;
	int64_t now;
	struct sf_error err;
};

/* Read sd->file (the demo JSON) into sd: check every field, resolve every
 * unit, user, category and order reference, and compute each order's
 * creation and step times against sd->now and the working-day calendar.
 * Nothing touches the database. Errors: SF_EINVAL, SF_EIO or SF_ETOOBIG
 * with sd->err naming the file and the place in it. */
int sf_seed_read(struct sf_seed *sd);
/* Free what sf_seed_read allocated (sd may be partly filled). */
void sf_seed_release(struct sf_seed *sd);

#endif

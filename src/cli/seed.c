/* `sanfu seed-demo`: load the Cangqian demo (data/demo/cangqian.json) into a
 * database without orders. Units, users and categories go in one
 * transaction; then every order scenario is replayed through the real
 * work-order service (api/orders.h) in time order at back-dated times, with
 * the deadline scan run along the way, so timelines, deadlines, on-time flags
 * and the event hash chain are all genuine. The content lives in the JSON;
 * this file only interprets it. Ends by printing the demo logins. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/catalog.h"
#include "api/orders.h"
#include "api/scan.h"
#include "cli/cli.h"
#include "cli/seed_impl.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/stats.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/timefmt.h"
#include "util/utf8.h"

/* One thing that happens during the replay: an order's creation (step -1)
 * or one of its steps. */
struct d_event {
	int64_t at;
	int order, step;
};

/* ---- passwords ---- */

struct hash_job {
	struct sf_seed *sd;
	atomic_size_t next;
	atomic_int rc;
};

static void *hash_worker(void *arg)
{
	struct hash_job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->sd->nusers)
		if (sf_crypto_password_hash(j->sd->password, j->sd->users[i].hash) != 0)
			atomic_store(&j->rc, SF_EINTERNAL);
	return NULL;
}

/* Hash every user's password (argon2id, each with its own salt) on a few
 * threads: at the interactive cost one hash takes tens of milliseconds. */
static int hash_passwords(struct sf_seed *sd)
{
	struct hash_job j = { .sd = sd };
	pthread_t th[4];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : cpus > 4 ? 4 : (size_t)cpus, started = 0;

	atomic_init(&j.next, 0);
	atomic_init(&j.rc, 0);
	for (size_t i = 1; i < n; i++)
		if (pthread_create(&th[started], NULL, hash_worker, &j) == 0)
			started++;
	hash_worker(&j);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (atomic_load(&j.rc))
		return sf_error_set(&sd->err, SF_EINTERNAL, "internal", "",
				    "cannot hash the demo password");
	return 0;
}

/* ---- units, users, categories: one transaction ---- */

static int setup_units(struct sf_seed *sd, struct sf_conn *c, int64_t at)
{
	for (size_t i = 0; i < sd->nunits; i++) {
		struct sf_seed_unit *d = &sd->units[i];
		struct sf_unit u = { 0 };
		int rc;

		u.parent_id = d->parent_i >= 0 ? sd->units[d->parent_i].id : 0;
		snprintf(u.kind, sizeof(u.kind), "%s", d->kind);
		snprintf(u.code, sizeof(u.code), "%s", d->code);
		snprintf(u.name_zh, sizeof(u.name_zh), "%s", d->name_zh);
		snprintf(u.name_en, sizeof(u.name_en), "%s", d->name_en);
		u.sort = (int64_t)(i + 1) * 10;
		rc = sf_store_unit_insert(c, &u, at, &d->id);
		if (!rc)
			rc = sf_store_unit_get(c, d->id, &u);
		if (rc)
			return sf_error_set(
				&sd->err, rc, "db_error", "", "cannot add unit %s: %s", d->code,
				rc == SF_ECONFLICT ? "the code exists" : sf_conn_errmsg(c));
		snprintf(d->path, sizeof(d->path), "%s", u.path);
	}
	return 0;
}

static int setup_users(struct sf_seed *sd, struct sf_conn *c, int64_t at)
{
	for (size_t i = 0; i < sd->nusers; i++) {
		struct sf_seed_user *d = &sd->users[i];
		const struct sf_seed_unit *unit = &sd->units[d->unit_i];
		struct sf_user u = { 0 };
		int rc;

		snprintf(u.login, sizeof(u.login), "%s", d->login);
		snprintf(u.name, sizeof(u.name), "%s", d->name);
		snprintf(u.title, sizeof(u.title), "%s", d->title ? d->title : "");
		snprintf(u.pw_hash, sizeof(u.pw_hash), "%s", d->hash);
		u.role = d->role;
		u.unit_id = unit->id;
		rc = sf_store_user_insert(c, &u, NULL, NULL, at, &d->who.user_id);
		if (rc)
			return sf_error_set(
				&sd->err, rc, "db_error", "", "cannot add user %s: %s", d->login,
				rc == SF_ECONFLICT ? "the login is taken" : sf_conn_errmsg(c));
		d->who.role = d->role;
		d->who.unit_id = unit->id;
		snprintf(d->who.unit_path, sizeof(d->who.unit_path), "%s", unit->path);
		snprintf(d->who.login, sizeof(d->who.login), "%s", d->login);
		snprintf(d->who.name, sizeof(d->who.name), "%s", d->name);
	}
	for (size_t i = 0; i < sd->nunits; i++) {
		const struct sf_seed_unit *u = &sd->units[i];
		int rc;

		if (u->head_i < 0)
			continue;
		rc = sf_store_unit_set_head(c, u->id, sd->users[u->head_i].who.user_id);
		if (rc)
			return sf_error_set(&sd->err, rc, "db_error", "",
					    "cannot set the head of %s: %s", u->code,
					    sf_conn_errmsg(c));
	}
	return 0;
}

static int setup_categories(struct sf_seed *sd, struct sf_conn *c, int64_t at)
{
	for (size_t i = 0; i < sd->ncats; i++) {
		struct sf_category *cat = &sd->cats[i].cat;
		int64_t id;
		int rc;

		cat->dept_unit_id = sd->units[sd->cats[i].dept_i].id;
		rc = sf_catalog_check(c, cat, &sd->err);
		if (rc) {
			char m[sizeof(sd->err.message)];

			snprintf(m, sizeof(m), "%s", sd->err.message);
			return sf_error_set(&sd->err, rc, "invalid_demo", "", "%s: category %s: %s",
					    sd->file, cat->code, m);
		}
		rc = sf_store_category_upsert(c, cat, at, &id);
		if (rc)
			return sf_error_set(&sd->err, rc, "db_error", "",
					    "cannot add category %s: %s", cat->code,
					    sf_conn_errmsg(c));
	}
	return 0;
}

static int setup(struct sf_seed *sd, struct sf_conn *c, int64_t at)
{
	struct sf_audit_entry ae = { .at = sd->now,
				     .actor_name = "sanfu seed-demo",
				     .action = "seed_demo",
				     .target = sd->file,
				     .reason = "demo data" };
	int rc = sf_conn_begin(c, true);

	if (rc)
		return sf_error_set(&sd->err, rc, "db_error", "", "the database is busy");
	rc = setup_units(sd, c, at);
	if (!rc)
		rc = setup_users(sd, c, at);
	if (!rc)
		rc = setup_categories(sd, c, at);
	if (!rc && (rc = sf_store_audit_append(c, &ae)) != 0)
		sf_error_set(&sd->err, rc, "db_error", "", "cannot write the audit log");
	if (!rc && (rc = sf_conn_commit(c)) != 0)
		sf_error_set(&sd->err, rc, "db_error", "", "cannot commit: %s", sf_conn_errmsg(c));
	if (rc)
		sf_conn_rollback(c);
	return rc;
}

/* ---- replaying the orders ---- */

/* The member of unit u who handles by default: its first listed staff user. */
static int handler_of(const struct sf_seed *sd, int u)
{
	for (size_t i = 0; u >= 0 && i < sd->nusers; i++) {
		enum sf_role r = sd->users[i].role;

		if (sd->users[i].unit_i == u &&
		    (r == SF_ROLE_DEPT || r == SF_ROLE_COMMUNITY || r == SF_ROLE_GRID))
			return (int)i;
	}
	return -1;
}

/* The leader in charge of unit u (or of the nearest unit above it that
 * names one); else the first leader. */
static int leader_of(const struct sf_seed *sd, int u)
{
	for (; u >= 0; u = sd->units[u].parent_i)
		if (sd->units[u].leader_i >= 0)
			return sd->units[u].leader_i;
	for (size_t i = 0; i < sd->nusers; i++)
		if (sd->users[i].role == SF_ROLE_LEADER)
			return (int)i;
	return -1;
}

static int create_order(struct sf_seed *sd, struct sf_conn *c, struct sf_seed_order *d)
{
	struct sf_principal pub = { .role = SF_ROLE_PUBLIC };
	struct sf_order_input in = { 0 };
	struct sf_order_created out;
	struct sf_json *rq = NULL, *geo = NULL, *attrs = NULL, *v = NULL;
	struct sf_buf ab;
	struct sf_error err = { 0 };
	bool b;
	int rc;

	sf_buf_init(&ab, 8192);
	sf_json_object(d->j, "requester", &rq);
	in.title = sf_json_str(d->j, "title");
	in.description = sf_json_str(d->j, "description");
	in.category_code = sd->cats[d->cat_i].cat.code;
	in.channel = sf_json_str(d->j, "channel");
	in.requester_kind = sf_json_str(rq, "kind");
	in.requester_name = sf_json_str(rq, "name");
	in.requester_phone = sf_json_str(rq, "phone");
	in.requester_org = sf_json_str(rq, "org");
	in.address = sf_json_str(d->j, "address");
	in.area_unit_id = sd->units[d->area_i].id;
	in.public_submission = sf_json_bool(d->j, "public_submission", &b) && b;
	if (sf_json_get(d->j, "geo", &geo) == 0 && sf_json_len(geo) == 2) {
		in.has_geo = sf_json_at(geo, 0, &v) == 0 && sf_json_as_num(v, &in.lat);
		sf_json_free(v);
		v = NULL;
		in.has_geo =
			in.has_geo && sf_json_at(geo, 1, &v) == 0 && sf_json_as_num(v, &in.lng);
		sf_json_free(v);
	}
	if (sf_json_object(d->j, "attrs", &attrs) == 0 && sf_json_dump(attrs, &ab) == 0)
		in.attrs_json = ab.data;
	rc = sf_orders_create(sd->app, c, d->by >= 0 ? &sd->users[d->by].who : &pub, &in, false,
			      d->at, &out, &err);
	if (rc)
		sf_error_set(&sd->err, rc, "demo_failed", "", "order %s: cannot create it: %s",
			     d->key, err.message);
	d->id = rc ? 0 : out.id;
	d->cur_unit = -1;
	sf_json_free(attrs);
	sf_json_free(geo);
	sf_json_free(rq);
	sf_buf_release(&ab);
	return rc;
}

static int act_order(struct sf_seed *sd, struct sf_conn *c, struct sf_seed_order *d, size_t k)
{
	const struct sf_seed_step *st = &d->steps[k];
	struct sf_order_act a = { .action = st->action };
	struct sf_error err = { 0 };
	struct sf_json *rq = NULL;
	int by = st->by, unit = -1, rc;

	if (by == SF_SEED_BY_HANDLER)
		by = handler_of(sd, d->cur_unit);
	else if (by == SF_SEED_BY_LEADER)
		by = leader_of(sd, d->cur_unit);
	if (by < 0) /* sf_seed_read made sure of a handler */
		return sf_error_set(&sd->err, SF_EINVAL, "invalid_demo", "",
				    "order %s step %zu: nobody to act", d->key, k);
	a.text = st->text;
	a.reason = st->reason;
	a.rating = st->rating;
	a.days = st->days;
	a.public_note = st->public_note;
	switch (st->action) {
	case SF_ORDER_ACTION_ASSIGN:
		unit = st->unit_i >= 0 ? st->unit_i : d->dept_i;
		a.unit_id = sd->units[unit].id;
		a.user_id = st->user_i >= 0 ? sd->users[st->user_i].who.user_id : 0;
		break;
	case SF_ORDER_ACTION_REJECT:
	case SF_ORDER_ACTION_REQUEST_EXTENSION:
	case SF_ORDER_ACTION_APPROVE_EXTENSION:
	case SF_ORDER_ACTION_DENY_EXTENSION: a.reason = st->reason ? st->reason : st->text; break;
	case SF_ORDER_ACTION_RETURN_CALL:
		sf_json_object(d->j, "requester", &rq);
		a.channel = st->channel ? st->channel : "phone";
		a.contact = st->contact ? st->contact : sf_json_str(rq, "name");
		break;
	case SF_ORDER_ACTION_MERGE: a.target_id = sd->orders[st->target].id; break;
	default: break;
	}
	rc = sf_orders_act(sd->app, c, &sd->users[by].who, d->id, &a, st->at, &err);
	sf_json_free(rq);
	if (rc)
		return sf_error_set(
			&sd->err, rc, "demo_failed", "", "order %s step %zu (%s by %s): %s", d->key,
			k, sf_order_action_name(st->action), sd->users[by].login, err.message);
	if (unit >= 0)
		d->cur_unit = unit;
	return 0;
}

static int cmp_event(const void *pa, const void *pb)
{
	const struct d_event *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->step < b->step ? -1 : a->step > b->step;
}

static int scan(struct sf_seed *sd, int64_t at, struct sf_scan_report *total)
{
	struct sf_scan_report r;
	int rc = sf_scan_run(sd->app, at, &r, &sd->err);

	total->warned += r.warned;
	total->overdue += r.overdue;
	total->escalated += r.escalated;
	total->problems += r.problems;
	return rc;
}

/* Every creation and step of every order in time order, with the deadline
 * scan run every scan_every_hours in between and once more now. */
static int replay(struct sf_seed *sd, struct sf_conn *c, struct sf_scan_report *total)
{
	size_t n = sd->norders, k = 0;
	struct d_event *ev;
	int64_t every = (int64_t)sd->scan_hours * 3600, next;
	int rc = 0;

	for (size_t i = 0; i < sd->norders; i++)
		n += sd->orders[i].nsteps;
	ev = sf_xcalloc(n ? n : 1, sizeof(*ev));
	for (size_t i = 0; i < sd->norders; i++) {
		ev[k++] = (struct d_event){ sd->orders[i].at, (int)i, -1 };
		for (size_t s = 0; s < sd->orders[i].nsteps; s++) {
			int64_t *at = &sd->orders[i].steps[s].at;

			/* A step the office hours pushed into the future happens now. */
			if (*at > sd->now - 60)
				*at = sd->now - 60;
			ev[k++] = (struct d_event){ *at, (int)i, (int)s };
		}
	}
	qsort(ev, n, sizeof(*ev), cmp_event);
	next = n ? (ev[0].at / every + 1) * every : sd->now;
	for (size_t i = 0; i < n && !rc; i++) {
		struct sf_seed_order *d = &sd->orders[ev[i].order];

		while (!rc && next <= ev[i].at) {
			rc = scan(sd, next, total);
			next += every;
		}
		if (!rc)
			rc = ev[i].step < 0 ? create_order(sd, c, d)
					    : act_order(sd, c, d, (size_t)ev[i].step);
	}
	while (!rc && next < sd->now) {
		rc = scan(sd, next, total);
		next += every;
	}
	if (!rc)
		rc = scan(sd, sd->now, total);
	free(ev);
	return rc;
}

/* ---- what was loaded, and the demo logins ---- */

/* Orders by state, and the totals of what they mean. */
struct counts {
	int64_t n[SF_ORDER_STATE_COUNT];
	int64_t all, solved, open;
};

static int count_state(const char *state, int64_t n, void *ctx)
{
	struct counts *k = ctx;
	enum sf_order_state s;

	k->all += n;
	if (!sf_order_state_parse(state, &s))
		return 0;
	k->n[s] += n;
	if (s == SF_ORDER_RESOLVED || s == SF_ORDER_FEEDBACK || s == SF_ORDER_CLOSED)
		k->solved += n;
	else if (sf_order_state_open(s))
		k->open += n;
	return 0;
}

/* Append s padded with spaces to width terminal columns (CJK characters
 * take two). */
static void pad(struct sf_buf *b, const char *s, int width)
{
	size_t len = strlen(s), i = 0;
	int cols = 0;

	while (i < len) {
		int32_t cp;

		i += sf_utf8_decode(s + i, len - i, &cp);
		cols += cp >= 0x1100 ? 2 : 1;
	}
	sf_buf_adds(b, s);
	while (cols++ < width)
		sf_buf_addch(b, ' ');
}

static void logins_table(const struct sf_seed *sd, struct sf_buf *b)
{
	sf_buf_addf(b, "Demo logins — every account's password is: %s\n\n", sd->password);
	pad(b, "LOGIN", 13);
	pad(b, "NAME", 12);
	pad(b, "ROLE", 12);
	pad(b, "UNIT", 18);
	sf_buf_adds(b, "TITLE\n");
	for (size_t i = 0; i < sd->nusers; i++) {
		const struct sf_seed_user *u = &sd->users[i];

		pad(b, u->login, 13);
		pad(b, u->name, 12);
		pad(b, sf_role_name(u->role), 12);
		pad(b, sd->units[u->unit_i].name_zh, 18);
		sf_buf_addf(b, "%s\n", u->title ? u->title : "");
	}
	sf_buf_addf(b,
		    "\nPassword for all of them: %s  (demo only: change it before real use,\n"
		    "e.g. sanfu user passwd LOGIN)\n",
		    sd->password);
}

/* Write the logins beside a SQLite database (var/demo-logins.txt for
 * var/sanfu.db) so `make run` can show them again. */
static void save_logins(struct sf_seed *sd, const struct sf_buf *b)
{
	const char *db = sf_db_path(sd->app->db);
	const char *slash = db ? strrchr(db, '/') : NULL;
	char path[1100];
	FILE *f;

	if (!db) {
		printf("(PostgreSQL: the logins above are not saved to a file)\n");
		return;
	}
	snprintf(path, sizeof(path), "%.*s%sdemo-logins.txt", slash ? (int)(slash - db + 1) : 0, db,
		 "");
	f = fopen(path, "w");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
		fprintf(stderr, "sanfu: cannot write %s: %s\n", path, strerror(errno));
	} else {
		printf("(saved to %s)\n", path);
	}
	if (f)
		fclose(f);
}

static void summary(struct sf_seed *sd, struct sf_conn *c, const struct sf_scan_report *scan,
		    int64_t took_ms)
{
	struct counts k = { 0 };
	int64_t overdue = 0;
	struct sf_buf b;

	sf_buf_init(&b, 1 << 20);
	sf_store_stats_by_state(c, count_state, &k);
	sf_store_stats_overdue(c, &overdue);
	sf_buf_addf(&b,
		    "Loaded the Cangqian demo (%s) in %.1f s:\n"
		    "  %zu units, %zu users, %zu categories, %lld orders: %lld solved, "
		    "%lld being handled (%lld overdue)\n"
		    "  deadline scans on the way: %d warnings, %d breaches, %d escalations, "
		    "%d problem orders\n"
		    "Orders by state:\n",
		    sd->file, (double)took_ms / 1000.0, sd->nunits, sd->nusers, sd->ncats,
		    (long long)k.all, (long long)k.solved, (long long)k.open, (long long)overdue,
		    scan->warned, scan->overdue, scan->escalated, scan->problems);
	for (int s = 0; s < SF_ORDER_STATE_COUNT; s++) {
		sf_buf_adds(&b, "  ");
		pad(&b, sf_order_state_name((enum sf_order_state)s), 13);
		pad(&b, sf_order_state_label_zh((enum sf_order_state)s), 10);
		sf_buf_addf(&b, "%3lld\n", (long long)k.n[s]);
	}
	printf("%s\n", b.data);
	sf_buf_reset(&b);
	logins_table(sd, &b);
	fwrite(b.data, 1, b.len, stdout);
	save_logins(sd, &b);
	sf_buf_release(&b);
}

/* ---- the command ---- */

/* Refuse a database that already has orders (or the demo's units). */
static int check_empty(struct sf_seed *sd, struct sf_conn *c)
{
	struct counts all = { 0 };
	int64_t id;
	int rc;

	rc = sf_store_stats_by_state(c, count_state, &all);
	if (rc)
		return sf_error_set(&sd->err, rc, "db_error", "", "cannot count orders: %s",
				    sf_conn_errmsg(c));
	if (all.all > 0)
		return sf_error_set(
			&sd->err, SF_ECONFLICT, "not_empty", "",
			"%s already has %lld orders; seed-demo loads only into a "
			"database without orders (make a new one: sanfu init --db NEW.db)",
			sd->app->cfg.db, (long long)all.all);
	if (sd->nunits && sf_store_unit_id_by_code(c, sd->units[0].code, &id) == 0)
		return sf_error_set(&sd->err, SF_ECONFLICT, "not_empty", "",
				    "%s already has unit %s (an earlier seed?); start from a new "
				    "database (sanfu init --db NEW.db)",
				    sd->app->cfg.db, sd->units[0].code);
	return 0;
}

int sf_cli_seed_demo(struct sf_app *app, int argc, char **argv)
{
	struct sf_seed sd = { .app = app };
	struct sf_scan_report total = { 0 };
	struct sf_conn *c = NULL;
	char file[1024];
	int64_t t0 = sf_time_now_ms(), setup_at;
	bool stored = false;
	int rc;

	snprintf(file, sizeof(file), "%s/demo/cangqian.json", app->cfg.data_dir);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--file") && i + 1 < argc)
			snprintf(file, sizeof(file), "%s", argv[++i]);
		else if (!strncmp(argv[i], "--file=", 7))
			snprintf(file, sizeof(file), "%s", argv[i] + 7);
		else {
			fprintf(stderr, "usage: sanfu seed-demo [--db DB] [--file DEMO.json]\n");
			return 2;
		}
	}
	sd.file = file;
	sd.now = sf_time_now();
	rc = sf_seed_read(&sd);
	if (rc)
		goto out;
	c = sf_db_get(app->db);
	rc = check_empty(&sd, c);
	if (!rc)
		rc = hash_passwords(&sd);
	if (rc)
		goto out;
	/* People and units exist a week before the first order. */
	setup_at = sd.now;
	for (size_t i = 0; i < sd.norders; i++)
		if (sd.orders[i].at < setup_at)
			setup_at = sd.orders[i].at;
	setup_at = sf_time_local_day_start(setup_at) - 7 * 86400;
	rc = setup(&sd, c, setup_at);
	stored = rc == 0;
	if (!rc)
		rc = replay(&sd, c, &total);
	/* The registers, campaigns and visits (data/demo/registers.json) and
	 * the orders their visits raised, after the replay has committed. */
	if (!rc)
		rc = sf_demo_registers(app, &sd.err);
	if (!rc)
		summary(&sd, c, &total, sf_time_now_ms() - t0);
out:
	if (c)
		sf_db_put(app->db, c);
	if (rc) {
		sf_cli_fail(&sd.err);
		if (stored)
			fprintf(stderr, "sanfu: %s is half loaded; delete it and start again\n",
				app->cfg.db);
	}
	sf_seed_release(&sd);
	return rc ? 1 : 0;
}

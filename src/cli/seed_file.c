/* Reading the demo file for `sanfu seed-demo` (see seed_impl.h): every
 * object is checked against a field spec, every name resolved, and the
 * timeline of each order computed — creation from days_ago/workdays_ago,
 * each step after the one before, staff steps moved into office hours on
 * working days. Not here: the database (seed.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/catalog.h"
#include "api/open311.h"
#include "cli/seed_impl.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"

#define DEMO_FILE_MAX ((size_t)4 << 20) /* bytes of a demo file */

/* ---- reading the file ---- */

static const struct sf_jfield top_spec[] = {
	{ "format", SF_JT_STRING, true, 32, 0, 0 },
	{ "about", SF_JT_TEXT, false, 1000, 0, 0 },
	{ "password", SF_JT_STRING, true, 64, 0, 0 },
	{ "timing", SF_JT_OBJECT, true, 0, 0, 0 },
	{ "step_defaults", SF_JT_OBJECT, true, 0, 0, 0 },
	{ "units", SF_JT_ANY, true, 0, 0, 0 },
	{ "users", SF_JT_ANY, true, 0, 0, 0 },
	{ "categories", SF_JT_ANY, true, 0, 0, 0 },
	{ "orders", SF_JT_ANY, true, 0, 0, 0 },
	{ 0 },
};
static const struct sf_jfield timing_spec[] = {
	{ "office_start", SF_JT_STRING, true, 5, 0, 0 },
	{ "office_end", SF_JT_STRING, true, 5, 0, 0 },
	{ "scan_every_hours", SF_JT_INT, true, 0, 1, 24 },
	{ "jitter", SF_JT_NUMBER, true, 0, 0, 1 },
	{ 0 },
};
static const struct sf_jfield default_spec[] = {
	{ "by", SF_JT_STRING, true, 64, 0, 0 },
	{ "after_hours", SF_JT_NUMBER, true, 0, 0, 2000 },
	{ 0 },
};
static const struct sf_jfield unit_spec[] = {
	{ "code", SF_JT_STRING, true, 47, 0, 0 },
	{ "parent", SF_JT_STRING, false, 47, 0, 0 },
	{ "kind", SF_JT_STRING, true, 23, 0, 0 },
	{ "name_zh", SF_JT_STRING, true, 40, 0, 0 },
	{ "name_en", SF_JT_STRING, true, 120, 0, 0 },
	{ "head", SF_JT_STRING, false, 63, 0, 0 },
	{ "leader", SF_JT_STRING, false, 63, 0, 0 },
	{ "note", SF_JT_TEXT, false, 500, 0, 0 },
	{ 0 },
};
static const struct sf_jfield user_spec[] = {
	{ "login", SF_JT_STRING, true, 63, 0, 0 },  { "name", SF_JT_STRING, true, 20, 0, 0 },
	{ "role", SF_JT_STRING, true, 16, 0, 0 },   { "unit", SF_JT_STRING, true, 47, 0, 0 },
	{ "title", SF_JT_STRING, false, 20, 0, 0 }, { 0 },
};
static const struct sf_jfield cat_spec[] = {
	{ "code", SF_JT_STRING, true, 47, 0, 0 },
	{ "name_zh", SF_JT_STRING, true, SF_CATEGORY_NAME_MAX, 0, 0 },
	{ "name_en", SF_JT_STRING, true, SF_CATEGORY_NAME_MAX, 0, 0 },
	{ "group", SF_JT_STRING, true, SF_CATEGORY_GROUP_MAX, 0, 0 },
	{ "dept", SF_JT_STRING, true, 47, 0, 0 },
	{ "accept_days", SF_JT_INT, true, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "handle_days", SF_JT_INT, true, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "feedback_days", SF_JT_INT, true, 0, 1, SF_CATEGORY_DAYS_MAX },
	{ "public", SF_JT_BOOL, true, 0, 0, 0 },
	{ "open311", SF_JT_BOOL, true, 0, 0, 0 },
	{ "o311_type", SF_JT_STRING, false, 15, 0, 0 },
	{ "keywords", SF_JT_STRING, false, 80, 0, 0 },
	{ "description", SF_JT_TEXT, false, SF_CATEGORY_DESC_MAX, 0, 0 },
	{ "attributes", SF_JT_ANY, false, 0, 0, 0 },
	{ 0 },
};
static const struct sf_jfield order_spec[] = {
	{ "key", SF_JT_STRING, true, 64, 0, 0 },
	{ "days_ago", SF_JT_INT, false, 0, 0, 365 },
	{ "workdays_ago", SF_JT_INT, false, 0, 0, 250 },
	{ "at", SF_JT_STRING, true, 5, 0, 0 },
	{ "channel", SF_JT_STRING, true, 16, 0, 0 },
	{ "by", SF_JT_STRING, true, 63, 0, 0 },
	{ "public_submission", SF_JT_BOOL, false, 0, 0, 0 },
	{ "category", SF_JT_STRING, true, 47, 0, 0 },
	{ "area", SF_JT_STRING, true, 47, 0, 0 },
	{ "dept", SF_JT_STRING, false, 47, 0, 0 },
	{ "requester", SF_JT_OBJECT, true, 0, 0, 0 },
	{ "address", SF_JT_STRING, false, 200, 0, 0 },
	{ "geo", SF_JT_ANY, false, 0, 0, 0 },
	{ "attrs", SF_JT_OBJECT, false, 0, 0, 0 },
	{ "title", SF_JT_STRING, true, 100, 0, 0 },
	{ "description", SF_JT_TEXT, true, 4000, 0, 0 },
	{ "steps", SF_JT_ANY, true, 0, 0, 0 },
	{ 0 },
};
static const struct sf_jfield requester_spec[] = {
	{ "kind", SF_JT_STRING, true, 16, 0, 0 },
	{ "name", SF_JT_STRING, false, 50, 0, 0 },
	{ "phone", SF_JT_STRING, false, 20, 0, 0 },
	{ "org", SF_JT_STRING, false, 100, 0, 0 },
	{ 0 },
};
static const struct sf_jfield step_spec[] = {
	{ "action", SF_JT_STRING, true, 24, 0, 0 },
	{ "by", SF_JT_STRING, false, 63, 0, 0 },
	{ "after_hours", SF_JT_NUMBER, false, 0, 0, 2000 },
	{ "unit", SF_JT_STRING, false, 47, 0, 0 },
	{ "user", SF_JT_STRING, false, 63, 0, 0 },
	{ "target", SF_JT_STRING, false, 64, 0, 0 },
	{ "reason", SF_JT_STRING, false, 200, 0, 0 },
	{ "text", SF_JT_TEXT, false, 1000, 0, 0 },
	{ "channel", SF_JT_STRING, false, 8, 0, 0 },
	{ "contact", SF_JT_STRING, false, 50, 0, 0 },
	{ "rating", SF_JT_STRING, false, 16, 0, 0 },
	{ "days", SF_JT_INT, false, 0, 1, 30 },
	{ "public", SF_JT_BOOL, false, 0, 0, 0 },
	{ 0 },
};

/* Fail with "FILE: WHERE: what is wrong". */
static int bad(struct sf_seed *sd, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct sf_seed *sd, const char *where, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sf_error_set(&sd->err, SF_EINVAL, "invalid_demo", "", "%s: %s: %s", sd->file, where,
			    msg);
}

/* Check o against spec, naming where in the file on failure. */
static int check(struct sf_seed *sd, const struct sf_json *o, const struct sf_jfield *spec,
		 const char *where)
{
	struct sf_error e = { 0 };

	if (sf_json_check(o, spec, &e) == 0)
		return 0;
	return sf_error_set(&sd->err, SF_EINVAL, "invalid_demo", "", "%s: %s: %s", sd->file, where,
			    e.message);
}

static int find_unit(const struct sf_seed *sd, const char *code)
{
	for (size_t i = 0; code && i < sd->nunits; i++)
		if (!strcmp(sd->units[i].code, code))
			return (int)i;
	return -1;
}

static int find_user(const struct sf_seed *sd, const char *login)
{
	for (size_t i = 0; login && i < sd->nusers; i++)
		if (!strcmp(sd->users[i].login, login))
			return (int)i;
	return -1;
}

static int find_order(const struct sf_seed *sd, const char *key)
{
	for (size_t i = 0; key && i < sd->norders; i++)
		if (sd->orders[i].key && !strcmp(sd->orders[i].key, key))
			return (int)i;
	return -1;
}

/* "08:30" as seconds after midnight; -1 when malformed. */
static int clock_secs(const char *s)
{
	int h, m;
	char extra;

	if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	return h * 3600 + m * 60;
}

/* Item i of the array at key, checked against spec; lent (free it). */
static int item(struct sf_seed *sd, const struct sf_json *arr, size_t i,
		const struct sf_jfield *spec, const char *where, struct sf_json **out)
{
	if (sf_json_at(arr, i, out) != 0 || sf_json_kind(*out) != SF_JSON_OBJECT)
		return bad(sd, where, "not an object");
	return check(sd, *out, spec, where);
}

static int read_units(struct sf_seed *sd, const struct sf_json *arr)
{
	static const char *const kinds[] = { "subdistrict", "department",    "community",
					     "village",     "village_group", "grid",
					     "workstation", "external" };
	char where[64];
	int rc = 0;

	sd->nunits = sf_json_len(arr);
	sd->units = sf_xcalloc(sd->nunits ? sd->nunits : 1, sizeof(*sd->units));
	for (size_t i = 0; i < sd->nunits && !rc; i++) {
		struct sf_seed_unit *u = &sd->units[i];
		struct sf_json *o = NULL;
		bool kind_ok = false;

		snprintf(where, sizeof(where), "units[%zu]", i);
		rc = item(sd, arr, i, unit_spec, where, &o);
		if (rc) {
			sf_json_free(o);
			break;
		}
		/* Strings stay valid while the root lives: o is only a lent child. */
		u->code = sf_json_str(o, "code");
		u->parent = sf_json_str(o, "parent");
		u->kind = sf_json_str(o, "kind");
		u->name_zh = sf_json_str(o, "name_zh");
		u->name_en = sf_json_str(o, "name_en");
		u->head = sf_json_str(o, "head");
		u->leader = sf_json_str(o, "leader");
		sf_json_free(o);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			kind_ok |= !strcmp(u->kind, kinds[k]);
		u->parent_i = find_unit(sd, u->parent);
		if (!kind_ok)
			rc = bad(sd, where, "unknown kind '%s'", u->kind);
		else if (find_unit(sd, u->code) != (int)i)
			rc = bad(sd, where, "code '%s' appears twice", u->code);
		else if (u->parent && (u->parent_i < 0 || u->parent_i >= (int)i))
			rc = bad(sd, where, "parent '%s' must be a unit listed before", u->parent);
		else if (!u->parent && i > 0)
			rc = bad(sd, where, "only the first unit may have no parent");
	}
	return rc;
}

static int read_users(struct sf_seed *sd, const struct sf_json *arr)
{
	char where[64];
	int rc = 0;

	sd->nusers = sf_json_len(arr);
	sd->users = sf_xcalloc(sd->nusers ? sd->nusers : 1, sizeof(*sd->users));
	for (size_t i = 0; i < sd->nusers && !rc; i++) {
		struct sf_seed_user *u = &sd->users[i];
		struct sf_json *o = NULL;
		const char *role;

		snprintf(where, sizeof(where), "users[%zu]", i);
		rc = item(sd, arr, i, user_spec, where, &o);
		if (rc) {
			sf_json_free(o);
			break;
		}
		u->login = sf_json_str(o, "login");
		u->name = sf_json_str(o, "name");
		u->unit = sf_json_str(o, "unit");
		u->title = sf_json_str(o, "title");
		role = sf_json_str(o, "role");
		sf_json_free(o);
		u->unit_i = find_unit(sd, u->unit);
		if (!sf_role_parse(role, &u->role) || u->role == SF_ROLE_PUBLIC ||
		    u->role == SF_ROLE_SYSTEM)
			rc = bad(sd, where, "unknown role '%s'", role);
		else if (u->unit_i < 0)
			rc = bad(sd, where, "unknown unit '%s'", u->unit);
		else if (find_user(sd, u->login) != (int)i)
			rc = bad(sd, where, "login '%s' appears twice", u->login);
	}
	for (size_t i = 0; i < sd->nunits && !rc; i++) {
		struct sf_seed_unit *u = &sd->units[i];

		snprintf(where, sizeof(where), "units[%zu]", i);
		u->head_i = find_user(sd, u->head);
		u->leader_i = find_user(sd, u->leader);
		if (u->head && (u->head_i < 0 || sd->users[u->head_i].unit_i != (int)i))
			rc = bad(sd, where, "head '%s' must be a user of this unit", u->head);
		else if (u->leader &&
			 (u->leader_i < 0 || sd->users[u->leader_i].role != SF_ROLE_LEADER))
			rc = bad(sd, where, "leader '%s' must be a user with role leader",
				 u->leader);
	}
	return rc;
}

static int read_categories(struct sf_seed *sd, const struct sf_json *arr)
{
	char where[64];
	int rc = 0;

	sd->ncats = sf_json_len(arr);
	sd->cats = sf_xcalloc(sd->ncats ? sd->ncats : 1, sizeof(*sd->cats));
	for (size_t i = 0; i < sd->ncats && !rc; i++) {
		struct sf_category *c = &sd->cats[i].cat;
		struct sf_json *o = NULL, *attrs = NULL;
		const char *s;
		int64_t v;
		bool b;

		snprintf(where, sizeof(where), "categories[%zu]", i);
		rc = item(sd, arr, i, cat_spec, where, &o);
		if (rc) {
			sf_json_free(o);
			break;
		}
		snprintf(c->code, sizeof(c->code), "%s", sf_json_str(o, "code"));
		snprintf(c->name_zh, sizeof(c->name_zh), "%s", sf_json_str(o, "name_zh"));
		snprintf(c->name_en, sizeof(c->name_en), "%s", sf_json_str(o, "name_en"));
		snprintf(c->grp, sizeof(c->grp), "%s", sf_json_str(o, "group"));
		s = sf_json_str(o, "description");
		snprintf(c->description, sizeof(c->description), "%s", s ? s : "");
		s = sf_json_str(o, "keywords");
		snprintf(c->keywords, sizeof(c->keywords), "%s", s ? s : "");
		s = sf_json_str(o, "o311_type");
		snprintf(c->o311_type, sizeof(c->o311_type), "%s", s ? s : "realtime");
		c->accept_days = sf_json_int(o, "accept_days", &v) ? (int)v : 1;
		c->handle_days = sf_json_int(o, "handle_days", &v) ? (int)v : 5;
		c->feedback_days = sf_json_int(o, "feedback_days", &v) ? (int)v : 2;
		c->public = sf_json_bool(o, "public", &b) && b;
		c->open311 = sf_json_bool(o, "open311", &b) && b;
		c->sort = (int64_t)(i + 1) * 10;
		c->active = true;
		sd->cats[i].dept_i = find_unit(sd, sf_json_str(o, "dept"));
		if (sd->cats[i].dept_i < 0)
			rc = bad(sd, where, "unknown dept '%s'", sf_json_str(o, "dept"));
		if (!rc && sf_json_get(o, "attributes", &attrs) == 0) {
			struct sf_buf b2;

			sf_buf_init(&b2, 64 * 1024);
			rc = sf_o311_attrs_normalise(attrs, where, &b2, &sd->err);
			if (!rc)
				c->attributes = sf_buf_detach(&b2, NULL);
			sf_buf_release(&b2);
		}
		sf_json_free(attrs);
		sf_json_free(o);
		for (size_t k = 0; k < i && !rc; k++)
			if (!strcmp(sd->cats[k].cat.code, c->code))
				rc = bad(sd, where, "code '%s' appears twice", c->code);
	}
	return rc;
}

/* Who a "by" names: a login, "@handler", "@leader" or (for creation) "public". */
static int read_by(struct sf_seed *sd, const char *by, const char *where, int *out)
{
	if (!strcmp(by, "@handler"))
		*out = SF_SEED_BY_HANDLER;
	else if (!strcmp(by, "@leader"))
		*out = SF_SEED_BY_LEADER;
	else if (!strcmp(by, "public"))
		*out = SF_SEED_BY_PUBLIC;
	else if ((*out = find_user(sd, by)) < 0)
		return bad(sd, where, "unknown user '%s'", by);
	return 0;
}

/* A deterministic number in [0, 1) from an order key and a step number, so
 * the demo comes out the same every time it is loaded on the same day. */
static double spread(const char *key, size_t step)
{
	uint32_t h = 2166136261u;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ (uint32_t)step) * 16777619u;
	h ^= h >> 13;
	return (double)(h % 10007u) / 10007.0;
}

static bool workday(struct sf_seed *sd, int32_t ymd)
{
	bool w;

	pthread_rwlock_rdlock(&sd->app->cal_lock);
	w = sf_calendar_is_workday(&sd->app->cal, ymd);
	pthread_rwlock_unlock(&sd->app->cal_lock);
	return w;
}

static int32_t add_workdays(struct sf_seed *sd, int32_t ymd, int n)
{
	int32_t d;

	pthread_rwlock_rdlock(&sd->app->cal_lock);
	d = n ? sf_calendar_add_workdays(&sd->app->cal, ymd, n) : ymd;
	pthread_rwlock_unlock(&sd->app->cal_lock);
	return d;
}

/* Staff act in office hours on working days: move t to the next such
 * moment, a few minutes past the opening time so the timeline looks lived. */
static int64_t office_time(struct sf_seed *sd, int64_t t, double r)
{
	int32_t day = sf_date_from_utc(t);
	int64_t into = t - sf_date_to_utc(day, 0, 0, 0);

	if (workday(sd, day) && into >= sd->office_start && into < sd->office_end)
		return t;
	if (!workday(sd, day) || into >= sd->office_end)
		day = add_workdays(sd, day, 1);
	return sf_date_to_utc(day, 0, 0, 0) + sd->office_start + (int64_t)(r * 45) * 60;
}

static bool is_staff(const struct sf_seed *sd, int by)
{
	return by >= 0 && (SF_ROLES_STAFF & SF_ROLE_BIT(sd->users[by].role));
}

/* Whether unit u has a member who can handle an order ("@handler"). */
static bool has_handler(const struct sf_seed *sd, int u)
{
	for (size_t i = 0; u >= 0 && i < sd->nusers; i++) {
		enum sf_role r = sd->users[i].role;

		if (sd->users[i].unit_i == u &&
		    (r == SF_ROLE_DEPT || r == SF_ROLE_COMMUNITY || r == SF_ROLE_GRID))
			return true;
	}
	return false;
}

/* Read step k of order o; *t is the time of the step before (updated) and
 * *held the unit holding the order so far (updated by assign). */
static int read_step(struct sf_seed *sd, struct sf_seed_order *o, const struct sf_json *defaults,
		     const struct sf_json *s, size_t k, const char *where, int64_t *t, int *held)
{
	struct sf_seed_step *st = &o->steps[k];
	struct sf_json *def = NULL;
	const char *name = sf_json_str(s, "action"), *by, *v;
	double hours, dh = 0;
	int64_t days = 0;
	int rc;

	if (!sf_order_action_parse(name, &st->action) || sf_order_action_is_initial(st->action) ||
	    sf_order_action_is_system(st->action) || st->action == SF_ORDER_ACTION_ATTACH)
		return bad(sd, where, "action '%s' cannot be replayed", name);
	if (sf_json_object(defaults, name, &def) != 0)
		return bad(sd, where, "no step_defaults for '%s'", name);
	rc = check(sd, def, default_spec, "step_defaults");
	by = sf_json_str(s, "by") ? sf_json_str(s, "by") : sf_json_str(def, "by");
	if (!rc)
		rc = read_by(sd, by, where, &st->by);
	sf_json_num(def, "after_hours", &dh);
	sf_json_free(def);
	if (rc)
		return rc;
	if (st->by == SF_SEED_BY_PUBLIC)
		return bad(sd, where, "only an order's creation may be by 'public'");
	if (!sf_json_num(s, "after_hours", &hours))
		hours = dh * (1.0 + sd->jitter * (2.0 * spread(o->key, k) - 1.0));
	*t += ((int64_t)(hours * 60.0) + 1) * 60; /* whole minutes, at least one */
	if (st->by == SF_SEED_BY_HANDLER || st->by == SF_SEED_BY_LEADER || is_staff(sd, st->by))
		*t = office_time(sd, *t, spread(o->key, k + 100));
	st->at = *t;
	st->unit_i = st->user_i = st->target = -1;
	st->reason = sf_json_str(s, "reason");
	st->text = sf_json_str(s, "text");
	st->channel = sf_json_str(s, "channel");
	st->contact = sf_json_str(s, "contact");
	st->public_note = sf_json_bool(s, "public", &st->public_note) && st->public_note;
	st->days = sf_json_int(s, "days", &days) ? (int)days : 0;
	if ((v = sf_json_str(s, "unit")) && (st->unit_i = find_unit(sd, v)) < 0)
		return bad(sd, where, "unknown unit '%s'", v);
	if ((v = sf_json_str(s, "user")) && (st->user_i = find_user(sd, v)) < 0)
		return bad(sd, where, "unknown user '%s'", v);
	if ((v = sf_json_str(s, "target")) &&
	    ((st->target = find_order(sd, v)) < 0 || st->target == (int)(o - sd->orders)))
		return bad(sd, where, "unknown merge target '%s'", v);
	if (st->action == SF_ORDER_ACTION_MERGE && st->target < 0)
		return bad(sd, where, "merge needs a target");
	if ((v = sf_json_str(s, "rating")) && !sf_rating_parse(v, &st->rating))
		return bad(sd, where, "unknown rating '%s'", v);
	if (st->action == SF_ORDER_ACTION_RATE && st->rating == SF_RATING_NONE)
		return bad(sd, where, "rate needs a rating");
	if (st->action == SF_ORDER_ACTION_ASSIGN)
		*held = st->unit_i >= 0 ? st->unit_i : o->dept_i;
	if (st->by == SF_SEED_BY_HANDLER && !has_handler(sd, *held))
		return bad(sd, where, "'@handler' names nobody: %s",
			   *held < 0 ? "no unit holds the order yet" : "the unit has no staff");
	return 0;
}

static int read_order(struct sf_seed *sd, size_t i, struct sf_json *o,
		      const struct sf_json *defaults)
{
	struct sf_seed_order *d = &sd->orders[i];
	struct sf_json *steps = NULL;
	char where[128];
	int64_t ago = 0, day_secs, t;
	int32_t today = sf_date_from_utc(sd->now), day;
	int held = -1, rc = 0;

	snprintf(where, sizeof(where), "orders[%zu]", i);
	rc = check(sd, o, order_spec, where);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "orders[%zu] (%s)", i, d->key);
	d->cat_i = -1;
	for (size_t k = 0; k < sd->ncats; k++)
		if (!strcmp(sd->cats[k].cat.code, sf_json_str(o, "category")))
			d->cat_i = (int)k;
	d->area_i = find_unit(sd, sf_json_str(o, "area"));
	d->dept_i = sf_json_str(o, "dept") ? find_unit(sd, sf_json_str(o, "dept")) : -2;
	day_secs = clock_secs(sf_json_str(o, "at"));
	if (d->cat_i < 0)
		return bad(sd, where, "unknown category '%s'", sf_json_str(o, "category"));
	if (d->area_i < 0 || d->dept_i == -1)
		return bad(sd, where, "unknown area or dept unit");
	if (d->dept_i == -2)
		d->dept_i = sd->cats[d->cat_i].dept_i;
	if (day_secs < 0)
		return bad(sd, where, "'at' must be HH:MM");
	rc = read_by(sd, sf_json_str(o, "by"), where, &d->by);
	if (rc)
		return rc;
	if (d->by == SF_SEED_BY_HANDLER || d->by == SF_SEED_BY_LEADER)
		return bad(sd, where, "an order is created by a login or 'public'");
	if (sf_json_object(o, "requester", &steps) == 0) {
		char rw[160];

		snprintf(rw, sizeof(rw), "%s.requester", where);
		rc = check(sd, steps, requester_spec, rw);
		sf_json_free(steps);
		steps = NULL;
		if (rc)
			return rc;
	}
	if (sf_json_int(o, "workdays_ago", &ago))
		day = add_workdays(sd, today, -(int)ago);
	else if (sf_json_int(o, "days_ago", &ago))
		day = sf_date_add_days(today, -(int)ago);
	else
		return bad(sd, where, "give days_ago or workdays_ago");
	d->at = sf_date_to_utc(day, 0, 0, 0) + day_secs;
	/* Windows open in office hours; visits and calls come at any time. */
	if (!strcmp(sf_json_str(o, "channel"), "window"))
		d->at = office_time(sd, d->at, spread(d->key, SF_SEED_MAX_STEPS));
	t = d->at;
	if (d->at > sd->now - 3600)
		return bad(sd, where, "created less than an hour ago; move it back a day");
	if (sf_json_get(o, "steps", &steps) != 0 || sf_json_kind(steps) != SF_JSON_ARRAY)
		rc = bad(sd, where, "steps must be an array");
	else if (sf_json_len(steps) > SF_SEED_MAX_STEPS)
		rc = bad(sd, where, "too many steps");
	d->nsteps = rc ? 0 : sf_json_len(steps);
	for (size_t k = 0; k < d->nsteps && !rc; k++) {
		struct sf_json *s = NULL;
		char sw[160];

		snprintf(sw, sizeof(sw), "%s.steps[%zu]", where, k);
		rc = item(sd, steps, k, step_spec, sw, &s);
		if (!rc)
			rc = read_step(sd, d, defaults, s, k, sw, &t, &held);
		sf_json_free(s);
	}
	sf_json_free(steps);
	return rc;
}

static int read_orders(struct sf_seed *sd, const struct sf_json *arr,
		       const struct sf_json *defaults)
{
	int rc = 0;

	sd->norders = sf_json_len(arr);
	sd->orders = sf_xcalloc(sd->norders ? sd->norders : 1, sizeof(*sd->orders));
	/* Keys first, so a merge may name an order listed later. */
	for (size_t i = 0; i < sd->norders; i++) {
		struct sf_json *o = NULL;

		if (sf_json_at(arr, i, &o) == 0)
			sd->orders[i].key = sf_json_str(o, "key");
		sf_json_free(o);
		if (sd->orders[i].key && find_order(sd, sd->orders[i].key) != (int)i)
			return bad(sd, "orders", "key '%s' appears twice", sd->orders[i].key);
	}
	for (size_t i = 0; i < sd->norders && !rc; i++) {
		struct sf_json *o = NULL;

		if (sf_json_at(arr, i, &o) != 0 || sf_json_kind(o) != SF_JSON_OBJECT) {
			sf_json_free(o);
			rc = bad(sd, "orders", "item is not an object");
		} else {
			sd->orders[i].j = o; /* kept for the replay */
			rc = read_order(sd, i, o, defaults);
		}
	}
	return rc;
}

int sf_seed_read(struct sf_seed *sd)
{
	struct sf_json *timing = NULL, *defaults = NULL, *arr = NULL;
	double jit = 0;
	int64_t hours = 1;
	int rc;

	rc = sf_json_load_file(sd->file, DEMO_FILE_MAX, &sd->root, &sd->err);
	if (rc) {
		char m[sizeof(sd->err.message)];

		snprintf(m, sizeof(m), "%s", sd->err.message);
		return sf_error_set(&sd->err, rc, "invalid_demo", "", "%s: %s", sd->file, m);
	}
	rc = check(sd, sd->root, top_spec, "top level");
	if (!rc && strcmp(sf_json_str(sd->root, "format"), "sanfu-demo/1") != 0)
		rc = bad(sd, "format", "expected sanfu-demo/1, not '%s'",
			 sf_json_str(sd->root, "format"));
	if (rc)
		return rc;
	sd->password = sf_json_str(sd->root, "password");
	sf_json_object(sd->root, "timing", &timing);
	sf_json_object(sd->root, "step_defaults", &defaults);
	rc = check(sd, timing, timing_spec, "timing");
	if (!rc) {
		sd->office_start = clock_secs(sf_json_str(timing, "office_start"));
		sd->office_end = clock_secs(sf_json_str(timing, "office_end"));
		sf_json_int(timing, "scan_every_hours", &hours);
		sf_json_num(timing, "jitter", &jit);
		sd->scan_hours = (int)hours;
		sd->jitter = jit;
		if (sd->office_start < 0 || sd->office_end <= sd->office_start)
			rc = bad(sd, "timing", "office hours must be HH:MM, start before end");
	}
	if (!rc && !sf_json_get(sd->root, "units", &arr))
		rc = read_units(sd, arr);
	sf_json_free(arr);
	arr = NULL;
	if (!rc && !sf_json_get(sd->root, "users", &arr))
		rc = read_users(sd, arr);
	sf_json_free(arr);
	arr = NULL;
	if (!rc && !sf_json_get(sd->root, "categories", &arr))
		rc = read_categories(sd, arr);
	sf_json_free(arr);
	arr = NULL;
	if (!rc && !sf_json_get(sd->root, "orders", &arr))
		rc = read_orders(sd, arr, defaults);
	sf_json_free(arr);
	sf_json_free(timing);
	sf_json_free(defaults);
	return rc;
}

void sf_seed_release(struct sf_seed *sd)
{
	for (size_t i = 0; i < sd->ncats; i++)
		sf_category_release(&sd->cats[i].cat);
	for (size_t i = 0; i < sd->norders; i++)
		sf_json_free(sd->orders[i].j);
	for (size_t i = 0; i < sd->nusers; i++)
		explicit_bzero(sd->users[i].hash, sizeof(sd->users[i].hash));
	free(sd->units);
	free(sd->users);
	free(sd->cats);
	free(sd->orders);
	sf_json_free(sd->root);
}

/* Where `sanfu gen`'s bulk load writes its rows (see gen_impl.h): the
 * statements, and on SQLite a connection of the load's own that binds text
 * in place (the general layer copies every bound string, which was a good
 * part of writing ten million events), keeps the journal in memory, does
 * not fsync and holds the file locked until it closes. Not a general SQL
 * layer: only the load's statements go through it. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/gen_impl.h"
#include "util/buf.h"
#include "util/mem.h"

#define STMTS 32

struct sf_store_gen_rows {
	struct sf_conn *c; /* PostgreSQL: the caller's */
	sqlite3 *h;        /* SQLite: the load's own */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} stmts[STMTS];
	size_t nstmts;
	char *terms_one, *terms_any; /* the term statements' text, built once */
};

int sf_store_gen_sqlite_mode(struct sf_conn *c, bool on)
{
	struct sf_error err = { 0 };
	struct sf_stmt *st;
	const char *mode;
	int rc;

	if (on)
		rc = sf_conn_query(c, &st, "PRAGMA journal_mode=MEMORY", "");
	else
		rc = sf_conn_query(c, &st, "PRAGMA journal_mode=WAL", "");
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	mode = rc == SF_DB_ROW ? sf_stmt_text(st, 0) : NULL;
	/* SQLite answers with the mode it is in: unchanged means refused. */
	if (rc >= 0)
		rc = mode && !strcmp(mode, on ? "memory" : "wal") ? 0 : SF_EBUSY;
	sf_stmt_done(st);
	if (rc || on)
		return rc;
	return sf_conn_exec_script(c, "PRAGMA synchronous=FULL", &err);
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_CONSTRAINT: return SF_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return SF_EBUSY;
	default: return SF_EDB;
	}
}

static int open_raw(struct sf_store_gen_rows *w, const char *path, int flags, const char *pragmas,
		    struct sf_error *err)
{
	if (sqlite3_open_v2(path, &w->h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(w->h, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		sf_error_set(err, SF_EDB, "db_open", "db", "cannot open %s for the load: %s", path,
			     w->h ? sqlite3_errmsg(w->h) : "out of memory");
		return SF_EDB;
	}
	sqlite3_busy_timeout(w->h, 10000);
	return 0;
}

int sf_store_gen_rows_open(struct sf_conn *c, struct sf_store_gen_rows **out, struct sf_error *err)
{
	static const char *const pragmas =
		"PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
		"PRAGMA main.locking_mode=EXCLUSIVE; PRAGMA temp_store=MEMORY;"
		"PRAGMA cache_size=-1048576;";
	struct sf_store_gen_rows *w = sf_xcalloc(1, sizeof(*w));
	const char *path = sf_db_path(sf_conn_db(c));
	int rc;

	*out = NULL;
	if (!path) {
		w->c = c;
		*out = w;
		return 0;
	}
	rc = open_raw(w, path, SQLITE_OPEN_READWRITE, pragmas, err);
	if (rc) {
		sf_store_gen_rows_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int sf_store_gen_rows_scratch(const char *path, int64_t page_size, struct sf_store_gen_rows **out,
			      struct sf_error *err)
{
	static const char *const pragmas =
		"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
		"PRAGMA temp_store=MEMORY; PRAGMA cache_size=-1048576;";
	struct sf_store_gen_rows *w = sf_xcalloc(1, sizeof(*w));
	char size[64];
	int rc;

	*out = NULL;
	rc = open_raw(w, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, pragmas, err);
	snprintf(size, sizeof(size), "PRAGMA page_size=%lld", (long long)page_size);
	if (!rc && sqlite3_exec(w->h, size, NULL, NULL, NULL) != SQLITE_OK)
		rc = sf_error_set(err, SF_EDB, "db_open", "db", "cannot set up %s: %s", path,
				  sqlite3_errmsg(w->h));
	if (rc) {
		sf_store_gen_rows_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int sf_store_gen_rows_close_ok(struct sf_store_gen_rows *w)
{
	int rc = 0;

	if (!w)
		return 0;
	for (size_t i = 0; i < w->nstmts; i++)
		sqlite3_finalize(w->stmts[i].st);
	if (w->h && sqlite3_close(w->h) != SQLITE_OK)
		rc = SF_EDB;
	free(w->terms_one);
	free(w->terms_any);
	free(w);
	return rc;
}

void sf_store_gen_rows_close(struct sf_store_gen_rows *w)
{
	sf_store_gen_rows_close_ok(w);
}

const char *sf_store_gen_rows_errmsg(struct sf_store_gen_rows *w)
{
	if (!w)
		return "";
	return w->h ? sqlite3_errmsg(w->h) : sf_conn_errmsg(w->c);
}

struct sf_conn *sf_store_gen_rows_conn(struct sf_store_gen_rows *w)
{
	return w->c;
}

int sf_store_gen_rows_exec(struct sf_store_gen_rows *w, const char *sql)
{
	struct sf_error err = { 0 };

	if (w->c)
		return sf_conn_exec_script(w->c, sql, &err);
	return sqlite3_exec(w->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : SF_EDB;
}

int sf_store_gen_rows_begin(struct sf_store_gen_rows *w)
{
	return w->c ? sf_conn_begin(w->c, true) : sf_store_gen_rows_exec(w, "BEGIN");
}

int sf_store_gen_rows_commit(struct sf_store_gen_rows *w)
{
	return w->c ? sf_conn_commit(w->c) : sf_store_gen_rows_exec(w, "COMMIT");
}

void sf_store_gen_rows_rollback(struct sf_store_gen_rows *w)
{
	if (w->c)
		sf_conn_rollback(w->c);
	else if (!sqlite3_get_autocommit(w->h))
		sqlite3_exec(w->h, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *stmt_of(struct sf_store_gen_rows *w, const char *sql)
{
	sqlite3_stmt *st = NULL;

	for (size_t i = 0; i < w->nstmts; i++)
		if (w->stmts[i].sql == sql)
			return w->stmts[i].st;
	if (w->nstmts == STMTS ||
	    sqlite3_prepare_v3(w->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	w->stmts[w->nstmts].sql = sql;
	w->stmts[w->nstmts++].st = st;
	return st;
}

int sf_store_gen_rows_run(struct sf_store_gen_rows *w, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = stmt_of(w, sql);
	va_list ap;
	int i = 1, rc = SQLITE_OK;

	if (!st)
		return SF_EDB;
	va_start(ap, fmt);
	for (const char *f = fmt; *f && rc == SQLITE_OK; f++, i++) {
		switch (*f) {
		case 'i': rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t)); break;
		case 'z': {
			int64_t v = va_arg(ap, int64_t);

			rc = v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
			break;
		}
		case 'd': rc = sqlite3_bind_int64(st, i, va_arg(ap, int)); break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			/* In place: the step below is the only one to read it. */
			rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(st, i);
			break;
		}
		case 'f': rc = sqlite3_bind_double(st, i, va_arg(ap, double)); break;
		case 'n': rc = sqlite3_bind_null(st, i); break;
		default: rc = SQLITE_MISUSE;
		}
	}
	va_end(ap);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return map_rc(rc) ? map_rc(rc) : SF_EDB;
	return sqlite3_changes(w->h);
}

/* ---- the load's statements ---- */

#define ORDER_SQL                                                                               \
	"INSERT INTO orders(id, code, title, description, category_id, channel, state, "        \
	"requester_kind, requester_name, requester_phone_sealed, requester_phone_index, "       \
	"requester_org, enterprise_id, address, lat, lng, area_unit_id, dept_unit_id, "         \
	"handler_user_id, created_by, created_at, updated_at, accepted_at, assigned_at, "       \
	"resolved_at, feedback_at, closed_at, stage_start, deadline, handle_deadline, warned, " \
	"overdue, ever_overdue, escalation, reopen_count, transfer_count, problem, "            \
	"supervised, extension_pending, extension_days, rating, rated_at, result, "             \
	"merged_into, accepted_on_time, resolved_on_time, feedback_on_time, tracking_code, "    \
	"tracking_secret_hash, public_note, media_url, attrs, version) VALUES (?, ?, ?, ?, ?, " \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "  \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), NULLIF(?, -1), ?, ?, "  \
	"?, ?, ?, ?)"
#define ORDER_FMT                                    \
	"isssissssssszs" /* id, code .. address */   \
	"ff"             /* lat, lng */              \
	"zzzziizzzzzizz" /* units, people, times */  \
	"dddddddddd"     /* flags and counts */      \
	"szsz"           /* rating .. merged_into */ \
	"ddd"            /* on-time flags */         \
	"sssssi"         /* tracking .. version */

int sf_store_gen_rows_order(struct sf_store_gen_rows *w, const struct sf_order_row *o)
{
	int rc = GEN_RUN(
		w, ORDER_SQL, ORDER_FMT, o->id, o->code, o->title, o->description, o->category_id,
		o->channel, sf_order_state_name(o->state), o->requester_kind, o->requester_name,
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
		o->media_url, o->attrs ? o->attrs : "{}", o->version);

	if (rc < 0 || o->has_geo)
		return rc < 0 ? rc : 0;
	rc = GEN_RUN(w, "UPDATE orders SET lat = NULL, lng = NULL WHERE id = ?", "i", o->id);
	return rc < 0 ? rc : 0;
}

/* clang-format off */
#define EV_SQL "INSERT INTO order_events(id, order_id, seq, action, from_state, to_state, " \
	"actor_user_id, actor_name, actor_role, at, public, body, prev_hash, hash) VALUES "
#define EV_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define EV_ROWS4 EV_ROW ", " EV_ROW ", " EV_ROW ", " EV_ROW
#define EV_ROWS8 EV_ROWS4 ", " EV_ROWS4
#define EV_ROWS16 EV_ROWS8 ", " EV_ROWS8
#define EV_FMT "iiissszssidsss"
#define EV_FMT4 EV_FMT EV_FMT EV_FMT EV_FMT
#define EV_FMT8 EV_FMT4 EV_FMT4
#define EV_FMT16 EV_FMT8 EV_FMT8
#define EV_ARGS(e) (e).id, (e).order_id, (e).seq, (e).action, (e).from, (e).to, (e).actor, \
	(e).name, (e).role, (e).at, (e).public, (e).body, (e).prev, (e).hash
#define EV_ARGS4(e) EV_ARGS((e)[0]), EV_ARGS((e)[1]), EV_ARGS((e)[2]), EV_ARGS((e)[3])
#define EV_ARGS8(e) EV_ARGS4(e), EV_ARGS4((e) + 4)
#define EV_ARGS16(e) EV_ARGS8(e), EV_ARGS8((e) + 8)
/* clang-format on */

/* (PostgreSQL's statements take at most 128 parameters: 8 rows there.) */
int sf_store_gen_rows_events(struct sf_store_gen_rows *w, const struct sf_store_gen_event *e,
			     size_t n)
{
	size_t i = 0;
	int rc = 0;

	while (i < n && rc >= 0) {
		if (w->h && i + 16 <= n) {
			rc = sf_store_gen_rows_run(w, EV_SQL EV_ROWS16, EV_FMT16, EV_ARGS16(e + i));
			i += 16;
		} else if (i + 8 <= n) {
			rc = GEN_RUN(w, EV_SQL EV_ROWS8, EV_FMT8, EV_ARGS8(e + i));
			i += 8;
		} else {
			rc = GEN_RUN(w, EV_SQL EV_ROW, EV_FMT, EV_ARGS(e[i]));
			i++;
		}
	}
	return rc < 0 ? rc : 0;
}

/* clang-format off */
#define T_SQL "INSERT INTO order_terms(term, created_at, order_id) VALUES "
#define T_ROW "(?, ?, ?)"
#define T_ROWS4 T_ROW ", " T_ROW ", " T_ROW ", " T_ROW
#define T_ROWS16 T_ROWS4 ", " T_ROWS4 ", " T_ROWS4 ", " T_ROWS4
#define T_ROWS32 T_ROWS16 ", " T_ROWS16
#define T_FMT4 "siisiisiisii"
#define T_FMT16 T_FMT4 T_FMT4 T_FMT4 T_FMT4
#define T_FMT32 T_FMT16 T_FMT16
#define T_ARGS(r) (r).s, (r).at, (r).id
#define T_ARGS4(r) T_ARGS((r)[0]), T_ARGS((r)[1]), T_ARGS((r)[2]), T_ARGS((r)[3])
#define T_ARGS16(r) T_ARGS4(r), T_ARGS4((r) + 4), T_ARGS4((r) + 8), T_ARGS4((r) + 12)
#define T_ARGS32(r) T_ARGS16(r), T_ARGS16((r) + 16)
/* clang-format on */

/* SQLite's: n (a full insert) rows bound in a loop, in place; the term
 * bound once when they all share it. */
static int terms_raw(struct sf_store_gen_rows *w, const struct sf_store_gen_term *r, size_t n)
{
	enum { N = SF_STORE_GEN_TERMS_PER_INSERT };
	bool one = r[0].s == r[n - 1].s;
	char **text = one ? &w->terms_one : &w->terms_any;
	sqlite3_stmt *st;
	int rc = SQLITE_OK, k = 1;

	if (!*text) {
		struct sf_buf b;

		sf_buf_init(&b, 0);
		sf_buf_adds(&b, T_SQL);
		for (int i = 0; i < N; i++)
			sf_buf_adds(&b, i == 0 ? (one ? "(?1, ?, ?)" : T_ROW)
					       : (one ? ", (?1, ?, ?)" : ", " T_ROW));
		*text = sf_buf_detach(&b, NULL);
	}
	st = stmt_of(w, *text);
	if (!st)
		return SF_EDB;
	if (one)
		rc = sqlite3_bind_text(st, k++, r[0].s, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		if (!one)
			rc = sqlite3_bind_text(st, k++, r[i].s, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, k++, r[i].at);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, k++, r[i].id);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : map_rc(rc) ? map_rc(rc) : SF_EDB;
}

int sf_store_gen_rows_terms(struct sf_store_gen_rows *w, const struct sf_store_gen_term *r,
			    size_t n)
{
	size_t i = 0;
	int rc = 0;

	if (w->h && n == SF_STORE_GEN_TERMS_PER_INSERT)
		return terms_raw(w, r, n);
	for (; i + 32 <= n && rc >= 0; i += 32)
		rc = GEN_RUN(w, T_SQL T_ROWS32, T_FMT32, T_ARGS32(r + i));
	for (; i < n && rc >= 0; i++)
		rc = GEN_RUN(w, T_SQL T_ROW, "sii", T_ARGS(r[i]));
	return rc < 0 ? rc : 0;
}

int sf_store_gen_rows_chain(struct sf_store_gen_rows *w, int64_t last_id, const char *hash)
{
	int rc = GEN_RUN(w, "UPDATE chains SET last_id = ?, last_hash = ? WHERE name = 'events'",
			 "is", last_id, hash);

	return rc < 0 ? rc : 0;
}

/* Sanfu's numbered migrations and the runner that applies them. Each
 * migration is SQL written once for both engines, with the dialect tokens
 * of db.h ({{ID}}, {{BLOB}}, {{BIGINT}}); applied ones are recorded in
 * schema_version, so running them again changes nothing. */
#include "store/schema.h"

#include <stdlib.h>

#include "store/db_impl.h"

static const char m001_core[] =
	"CREATE TABLE units("
	" id {{ID}},"
	" parent_id {{BIGINT}} REFERENCES units(id),"
	" kind TEXT NOT NULL,"
	" code TEXT NOT NULL UNIQUE,"
	" name_zh TEXT NOT NULL,"
	" name_en TEXT NOT NULL DEFAULT '',"
	" path TEXT NOT NULL DEFAULT '',"
	" head_user_id {{BIGINT}},"
	" sort {{BIGINT}} NOT NULL DEFAULT 0,"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX units_parent ON units(parent_id);"
	"CREATE TABLE users("
	" id {{ID}},"
	" login TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" role TEXT NOT NULL,"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" title TEXT NOT NULL DEFAULT '',"
	" phone_sealed TEXT,"
	" phone_index TEXT,"
	" pw_hash TEXT NOT NULL,"
	" disabled {{BIGINT}} NOT NULL DEFAULT 0,"
	" failed_logins {{BIGINT}} NOT NULL DEFAULT 0,"
	" locked_until {{BIGINT}} NOT NULL DEFAULT 0,"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX users_unit ON users(unit_id);"
	"CREATE TABLE sessions("
	" id {{ID}},"
	" token_hash TEXT NOT NULL UNIQUE,"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" csrf TEXT NOT NULL,"
	" created_at {{BIGINT}} NOT NULL,"
	" last_seen {{BIGINT}} NOT NULL,"
	" expires_at {{BIGINT}} NOT NULL,"
	" ip TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE api_tokens("
	" id {{ID}},"
	" name TEXT NOT NULL UNIQUE,"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" token_hash TEXT NOT NULL UNIQUE,"
	" created_at {{BIGINT}} NOT NULL,"
	" revoked_at {{BIGINT}},"
	" last_used_at {{BIGINT}});"
	"CREATE TABLE calendar_days("
	" day {{BIGINT}} PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),"
	" name TEXT NOT NULL DEFAULT '',"
	" year {{BIGINT}} NOT NULL);"
	"CREATE TABLE categories("
	" id {{ID}},"
	" code TEXT NOT NULL UNIQUE,"
	" name_zh TEXT NOT NULL,"
	" name_en TEXT NOT NULL,"
	" grp TEXT NOT NULL DEFAULT '',"
	" description TEXT NOT NULL DEFAULT '',"
	" dept_unit_id {{BIGINT}} REFERENCES units(id),"
	" accept_days {{BIGINT}} NOT NULL DEFAULT 1,"
	" handle_days {{BIGINT}} NOT NULL DEFAULT 5,"
	" feedback_days {{BIGINT}} NOT NULL DEFAULT 2,"
	" public {{BIGINT}} NOT NULL DEFAULT 1,"
	" open311 {{BIGINT}} NOT NULL DEFAULT 0,"
	" o311_type TEXT NOT NULL DEFAULT 'realtime',"
	" keywords TEXT NOT NULL DEFAULT '',"
	" attributes TEXT NOT NULL DEFAULT '[]',"
	" sort {{BIGINT}} NOT NULL DEFAULT 0,"
	" active {{BIGINT}} NOT NULL DEFAULT 1,"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE TABLE orders("
	" id {{ID}},"
	" code TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" description TEXT NOT NULL,"
	" category_id {{BIGINT}} NOT NULL REFERENCES categories(id),"
	" channel TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" requester_kind TEXT NOT NULL,"
	" requester_name TEXT,"
	" requester_phone_sealed TEXT,"
	" requester_phone_index TEXT,"
	" requester_org TEXT,"
	" enterprise_id {{BIGINT}},"
	" address TEXT NOT NULL DEFAULT '',"
	" lat DOUBLE PRECISION,"
	" lng DOUBLE PRECISION,"
	" area_unit_id {{BIGINT}} REFERENCES units(id),"
	" dept_unit_id {{BIGINT}} REFERENCES units(id),"
	" handler_user_id {{BIGINT}} REFERENCES users(id),"
	" created_by {{BIGINT}} REFERENCES users(id),"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL,"
	" accepted_at {{BIGINT}},"
	" assigned_at {{BIGINT}},"
	" resolved_at {{BIGINT}},"
	" feedback_at {{BIGINT}},"
	" closed_at {{BIGINT}},"
	" stage_start {{BIGINT}} NOT NULL,"
	" deadline {{BIGINT}},"
	" handle_deadline {{BIGINT}},"
	" warned {{BIGINT}} NOT NULL DEFAULT 0,"
	" overdue {{BIGINT}} NOT NULL DEFAULT 0,"
	" ever_overdue {{BIGINT}} NOT NULL DEFAULT 0,"
	" escalation {{BIGINT}} NOT NULL DEFAULT 0,"
	" reopen_count {{BIGINT}} NOT NULL DEFAULT 0,"
	" transfer_count {{BIGINT}} NOT NULL DEFAULT 0,"
	" problem {{BIGINT}} NOT NULL DEFAULT 0,"
	" supervised {{BIGINT}} NOT NULL DEFAULT 0,"
	" extension_pending {{BIGINT}} NOT NULL DEFAULT 0,"
	" extension_days {{BIGINT}} NOT NULL DEFAULT 0,"
	" rating TEXT,"
	" rated_at {{BIGINT}},"
	" result TEXT,"
	" merged_into {{BIGINT}} REFERENCES orders(id),"
	" accepted_on_time {{BIGINT}},"
	" resolved_on_time {{BIGINT}},"
	" feedback_on_time {{BIGINT}},"
	" tracking_code TEXT UNIQUE,"
	" tracking_secret_hash TEXT,"
	" public_note TEXT,"
	" media_url TEXT,"
	" attrs TEXT NOT NULL DEFAULT '{}',"
	" version {{BIGINT}} NOT NULL DEFAULT 1);"
	"CREATE INDEX orders_state_cat ON orders(state, category_id);"
	"CREATE INDEX orders_dept ON orders(dept_unit_id, state, id);"
	"CREATE INDEX orders_area ON orders(area_unit_id, state, id);"
	"CREATE INDEX orders_created ON orders(created_at);"
	"CREATE INDEX orders_deadline ON orders(overdue, deadline);"
	"CREATE INDEX orders_phone ON orders(requester_phone_index);"
	"CREATE TABLE order_events("
	" id {{ID}},"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" seq {{BIGINT}} NOT NULL,"
	" action TEXT NOT NULL,"
	" from_state TEXT,"
	" to_state TEXT NOT NULL,"
	" actor_user_id {{BIGINT}},"
	" actor_name TEXT NOT NULL,"
	" actor_role TEXT NOT NULL,"
	" at {{BIGINT}} NOT NULL,"
	" public {{BIGINT}} NOT NULL DEFAULT 0,"
	" body TEXT NOT NULL DEFAULT '{}',"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL,"
	" UNIQUE(order_id, seq));"
	"CREATE TABLE chains("
	" name TEXT PRIMARY KEY,"
	" last_id {{BIGINT}} NOT NULL DEFAULT 0,"
	" last_hash TEXT NOT NULL);"
	"INSERT INTO chains(name, last_id, last_hash) VALUES ('events', 0, "
	" '0000000000000000000000000000000000000000000000000000000000000000');"
	"INSERT INTO chains(name, last_id, last_hash) VALUES ('audit', 0, "
	" '0000000000000000000000000000000000000000000000000000000000000000');"
	"CREATE TABLE audit_log("
	" id {{ID}},"
	" at {{BIGINT}} NOT NULL,"
	" user_id {{BIGINT}},"
	" actor_name TEXT NOT NULL DEFAULT '',"
	" action TEXT NOT NULL,"
	" target TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL DEFAULT '',"
	" ip TEXT NOT NULL DEFAULT '',"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE TABLE attachments("
	" id {{ID}},"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" event_id {{BIGINT}} REFERENCES order_events(id),"
	" filename TEXT NOT NULL DEFAULT '',"
	" mime TEXT NOT NULL,"
	" size {{BIGINT}} NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" public {{BIGINT}} NOT NULL DEFAULT 0,"
	" data {{BLOB}} NOT NULL,"
	" created_by {{BIGINT}},"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX attachments_order ON attachments(order_id);"
	"CREATE TABLE notifications("
	" id {{ID}},"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" order_id {{BIGINT}} REFERENCES orders(id),"
	" kind TEXT NOT NULL,"
	" message TEXT NOT NULL,"
	" created_at {{BIGINT}} NOT NULL,"
	" read_at {{BIGINT}});"
	"CREATE INDEX notifications_user ON notifications(user_id, read_at);"
	"CREATE TABLE order_terms("
	" term TEXT NOT NULL,"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" PRIMARY KEY(term, order_id));"
	"CREATE TABLE counters("
	" name TEXT PRIMARY KEY,"
	" value {{BIGINT}} NOT NULL);"
	"CREATE TABLE settings("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE rate_limits("
	" key TEXT PRIMARY KEY,"
	" window_start {{BIGINT}} NOT NULL,"
	" hits {{BIGINT}} NOT NULL);";

/* Version numbers are reserved per area so work can land independently:
 * 2 orders and dashboard, 3 Open311, 4 registers and visits, 5 scores,
 * 6 PostgreSQL-only needs, 7 and up: next free. Append entries in order. */
static const struct sf_migration migrations[] = {
	{ 1, "core: units, users, sessions, calendar, catalogue, orders, events", m001_core },
};

const struct sf_migration *sf_schema_migrations(size_t *n)
{
	*n = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

int sf_schema_version(struct sf_conn *c, int64_t *out)
{
	int rc;

	*out = 0;
	rc = sf_conn_run(c,
			 "CREATE TABLE IF NOT EXISTS schema_version("
			 " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
			 "");
	if (rc < 0)
		return rc;
	rc = sf_conn_int(c, out, "SELECT COALESCE(MAX(version), 0) FROM schema_version", "");
	return rc < 0 ? rc : 0;
}

int sf_schema_migrate(struct sf_db *db, int64_t now, int *applied, struct sf_error *err)
{
	struct sf_conn *c = sf_db_get(db);
	size_t n;
	const struct sf_migration *m = sf_schema_migrations(&n);
	int64_t have = 0;
	int rc;

	*applied = 0;
	rc = sf_conn_begin(c, true);
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "cannot start migration: %s", sf_conn_errmsg(c));
		goto out;
	}
	rc = sf_schema_version(c, &have);
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "cannot read schema version: %s",
			     sf_conn_errmsg(c));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *sql;

		if (m[i].version <= have)
			continue;
		sql = sf_db_dialect_sql(sf_db_engine(db), m[i].sql);
		rc = sf_conn_exec_script(c, sql, err);
		free(sql);
		if (rc)
			goto out;
		rc = sf_conn_run(c, "INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)",
				 "dsi", m[i].version, m[i].name, now);
		if (rc < 0) {
			sf_error_set(err, rc, "db_error", "", "%s", sf_conn_errmsg(c));
			goto out;
		}
		(*applied)++;
	}
	rc = sf_conn_commit(c);
	if (rc)
		sf_error_set(err, rc, "db_error", "", "cannot commit migration: %s",
			     sf_conn_errmsg(c));
out:
	sf_db_put(db, c);
	return rc;
}

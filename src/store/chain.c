/* Hash chains; see chain.h. A row's hash is SHA-256 over the previous
 * row's hash and the row's columns, each written as "<length>:<text>;" (or
 * "N;" for NULL) so no choice of text can imitate another row. */
#include "store/chain.h"

#include <stdio.h>
#include <string.h>

#include "util/crypto.h"

struct chain_def {
	const char *name;
	const char *select; /* id first, then hashed columns, then prev_hash, hash */
	int ncols;          /* hashed columns including id */
};

static const struct chain_def chains[] = {
	{ "events",
	  "SELECT id, order_id, seq, action, from_state, to_state, actor_user_id, actor_name, "
	  "actor_role, at, public, body, prev_hash, hash FROM order_events WHERE id > ? "
	  "ORDER BY id LIMIT 1000",
	  12 },
	{ "audit",
	  "SELECT id, at, user_id, actor_name, action, target, reason, ip, prev_hash, hash "
	  "FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000",
	  8 },
};

void sf_store_chain_hash(const char *prev, const char *const *fields, size_t n, char out[65])
{
	struct sf_sha256 h;
	char len[24];

	sf_crypto_sha256_init(&h);
	sf_crypto_sha256_update(&h, prev, strlen(prev));
	for (size_t i = 0; i < n; i++) {
		if (!fields[i]) {
			sf_crypto_sha256_update(&h, "N;", 2);
			continue;
		}
		size_t l = strlen(fields[i]);
		int k = snprintf(len, sizeof(len), "%zu:", l);
		sf_crypto_sha256_update(&h, len, (size_t)k);
		sf_crypto_sha256_update(&h, fields[i], l);
		sf_crypto_sha256_update(&h, ";", 1);
	}
	sf_crypto_sha256_final_hex(&h, out);
}

int sf_store_chain_head(struct sf_conn *c, const char *chain, int64_t *last_id, char prev_hash[65])
{
	struct sf_stmt *st;
	int rc;

	/* Touch the row as it is read so PostgreSQL locks it for this
	 * transaction. */
	rc = sf_conn_query(c, &st,
			   "UPDATE chains SET last_id = last_id WHERE name = ? "
			   "RETURNING last_id, last_hash",
			   "s", chain);
	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		*last_id = sf_stmt_int(st, 0);
		snprintf(prev_hash, 65, "%s", sf_stmt_text(st, 1));
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_chain_advance(struct sf_conn *c, const char *chain, int64_t id, const char *hash)
{
	int rc = sf_conn_run(c, "UPDATE chains SET last_id = ?, last_hash = ? WHERE name = ?",
			     "iss", id, hash, chain);

	return rc < 0 ? rc : 0;
}

int sf_store_chain_verify(struct sf_conn *c, const char *chain, struct sf_chain_report *report)
{
	const struct chain_def *def = NULL;
	char prev[65] = SF_CHAIN_ZERO;
	char want[65];
	int64_t after = 0, head_id = 0;
	int rc;

	memset(report, 0, sizeof(*report));
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		if (strcmp(chains[i].name, chain) == 0)
			def = &chains[i];
	if (!def)
		return SF_EINVAL;
	for (;;) {
		struct sf_stmt *st;
		int rows = 0;

		rc = sf_conn_query(c, &st, def->select, "i", after);
		if (rc)
			return rc;
		while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
			const char *fields[16];
			int64_t id = sf_stmt_int(st, 0);
			const char *stored_prev = sf_stmt_text(st, def->ncols);
			const char *stored = sf_stmt_text(st, def->ncols + 1);

			rows++;
			for (int k = 0; k < def->ncols; k++) {
				const char *t = sf_stmt_isnull(st, k) ? NULL : sf_stmt_text(st, k);
				fields[k] = t;
			}
			sf_store_chain_hash(prev, fields, (size_t)def->ncols, want);
			report->checked++;
			if (!stored_prev || strcmp(stored_prev, prev) != 0) {
				report->bad_id = id;
				snprintf(
					report->what, sizeof(report->what),
					"row %lld does not follow the row before it (a row was removed, "
					"inserted or reordered)",
					(long long)id);
			} else if (!stored || strcmp(stored, want) != 0) {
				report->bad_id = id;
				snprintf(
					report->what, sizeof(report->what),
					"row %lld's content does not match its hash (it was changed)",
					(long long)id);
			}
			if (report->bad_id)
				break;
			snprintf(prev, sizeof(prev), "%s", stored);
			after = id;
		}
		sf_stmt_done(st);
		if (rc < 0)
			return rc;
		if (report->bad_id || rows == 0)
			break;
	}
	if (report->bad_id)
		return 0;
	/* Rows cut off the end are caught by the head. */
	{
		char head_hash[65];

		rc = sf_conn_int(c, &head_id, "SELECT last_id FROM chains WHERE name = ?", "s",
				 chain);
		if (rc)
			return rc;
		rc = sf_store_chain_head_peek(c, chain, head_hash);
		if (rc)
			return rc;
		if (head_id != after || strcmp(head_hash, prev) != 0) {
			report->bad_id = after ? after : -1;
			snprintf(
				report->what, sizeof(report->what),
				"the chain ends at row %lld but its head says row %lld: rows after "
				"it were removed or the head was changed",
				(long long)after, (long long)head_id);
		}
	}
	return 0;
}

int sf_store_chain_head_peek(struct sf_conn *c, const char *chain, char hash[65])
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT last_hash FROM chains WHERE name = ?", "s", chain);

	if (rc)
		return rc;
	rc = sf_stmt_step(st);
	if (rc == SF_DB_ROW) {
		snprintf(hash, 65, "%s", sf_stmt_text(st, 0));
		rc = 0;
	} else if (rc == SF_DB_DONE) {
		rc = SF_ENOTFOUND;
	}
	sf_stmt_done(st);
	return rc;
}

int sf_store_chain_stamp(struct sf_conn *c, char out[SF_CHAIN_STAMP_MAX])
{
	struct sf_stmt *st;
	size_t len = 0;
	int rows = 0;
	int rc = sf_conn_query(c, &st,
			       "SELECT name, last_id, last_hash FROM chains "
			       "WHERE name IN ('audit', 'events') ORDER BY name",
			       "");

	out[0] = '\0';
	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *hash = sf_stmt_text(st, 2);
		int n = snprintf(out + len, SF_CHAIN_STAMP_MAX - len, "%s:%lld:%.64s;",
				 sf_stmt_text(st, 0), (long long)sf_stmt_int(st, 1),
				 hash ? hash : "");

		if (n < 0 || (size_t)n >= SF_CHAIN_STAMP_MAX - len) {
			rc = SF_EDB; /* a name or hash longer than the schema allows */
			break;
		}
		len += (size_t)n;
		rows++;
	}
	sf_stmt_done(st);
	if (rc < 0)
		return rc;
	return rows == 2 ? 0 : SF_ENOTFOUND;
}

/* Job locks; see jobs.h. The advisory lock is PostgreSQL's own feature:
 * this is one of the named dialect hooks. */
#include "store/jobs.h"

#include <stdint.h>

#include "util/hash.h"

static int64_t job_key(const char *job)
{
	/* FNV-1a: stable across servers and versions. */
	return (int64_t)(sf_hash_fnv1a(job) & 0x7fffffffffffffffull);
}

int sf_store_job_try_lock(struct sf_conn *c, const char *job, bool *held)
{
	int64_t got = 0;
	int rc;

	*held = false;
	if (sf_db_engine(sf_conn_db(c)) == SF_DB_SQLITE) {
		*held = true;
		return 0;
	}
	/* Already ours (this connection is dedicated to the lock)? Asking
	 * again would only raise the lock's count. */
	rc = sf_conn_int(c, &got,
			 "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND "
			 "pid = pg_backend_pid() AND granted",
			 "");
	if (rc)
		return rc;
	if (!got) {
		rc = sf_conn_int(c, &got,
				 "SELECT CASE WHEN pg_try_advisory_lock(?) THEN 1 ELSE 0 END", "i",
				 job_key(job));
		if (rc)
			return rc;
	}
	*held = got != 0;
	return 0;
}

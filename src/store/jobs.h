/* Periodic jobs on one server at a time. With PostgreSQL several servers
 * share the database and a session-level advisory lock chooses the one
 * that runs the deadline scan; when it dies its connection closes, the lock
 * is freed and another server takes it at its next try. With SQLite there
 * is one server and the lock is always granted. */
#ifndef SF_STORE_JOBS_H
#define SF_STORE_JOBS_H

#include <stdbool.h>

#include "store/db.h"

/* Try to take (or confirm holding) the lock named `job` on this
 * connection, which must be dedicated to holding it. */
int sf_store_job_try_lock(struct sf_conn *c, const char *job, bool *held);

#endif

/* PostgreSQL engine for the SQL layer (libpq). */
#include "store/db_impl.h"

static int pg_connect(struct sf_db *db, struct sf_conn **out, struct sf_error *err)
{
	return sf_error_set(err, SF_EINVAL, "unsupported", "db",
			    "PostgreSQL is not available in this build yet");
}

const struct sf_db_ops sf_db_pg_ops = {
	.connect = pg_connect,
};

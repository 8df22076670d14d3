/* Numbered, idempotent migrations of Sanfu's schema. */
#ifndef SF_SCHEMA_H
#define SF_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

struct sf_migration {
	int version;
	const char *name;
	const char *sql;
};

/* All migrations in order. */
const struct sf_migration *sf_schema_migrations(size_t *n);
/* The highest applied version (0 for an empty database). */
int sf_schema_version(struct sf_conn *c, int64_t *out);
/* Apply every migration newer than the stored version, in one transaction.
 * *applied is how many ran. Errors: SF_EDB with the failing SQL's message. */
int sf_schema_migrate(struct sf_db *db, int64_t now, int *applied, struct sf_error *err);

#endif

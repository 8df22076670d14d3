/* The audit log (sign-ins, reveals of personal data, account changes):
 * append-only and hash-chained like the order events. */
#ifndef SF_STORE_AUDIT_H
#define SF_STORE_AUDIT_H

#include <stdint.h>

#include "store/db.h"

struct sf_audit_entry {
	int64_t at;
	int64_t user_id; /* 0 = none */
	const char *actor_name;
	const char *action; /* "login", "login_failed", "reveal", "user_add", ... */
	const char *target; /* "order:12", "user:alice" */
	const char *reason;
	const char *ip;
};

/* Append one entry, chained to the previous; call inside a write
 * transaction (or it runs in its own). */
int sf_store_audit_append(struct sf_conn *c, const struct sf_audit_entry *e);

#endif

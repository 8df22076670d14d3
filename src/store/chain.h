/* Hash chains over append-only tables (order_events, audit_log): each row
 * carries the hash of the row before it, so a changed, removed or
 * reordered row is detected by sf_store_chain_verify. */
#ifndef SF_STORE_CHAIN_H
#define SF_STORE_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define SF_CHAIN_ZERO "0000000000000000000000000000000000000000000000000000000000000000"

/* Read the chain head (locking it for this write transaction). */
int sf_store_chain_head(struct sf_conn *c, const char *chain, int64_t *last_id, char prev_hash[65]);
/* Read the head's hash without locking. */
int sf_store_chain_head_peek(struct sf_conn *c, const char *chain, char hash[65]);
/* Room for sf_store_chain_stamp's text, NUL included. */
#define SF_CHAIN_STAMP_MAX 192

/* A stamp of where every chain (events, audit) stands, read without locking
 * in one query by primary key: "audit:<last id>:<hash>;events:<last id>:<hash>;"
 * into out. Every change of an order appends an event, and every change an
 * administrator makes an audit entry, in the change's own transaction; so
 * the stamp changes with each committed one and a cached answer computed
 * after reading a stamp stays right while a new read gives the same stamp.
 * Errors: SF_ENOTFOUND when a chain's row is missing, SF_EDB. */
int sf_store_chain_stamp(struct sf_conn *c, char out[SF_CHAIN_STAMP_MAX]);
/* The hash of a row: prev's hash and the row's columns as text (NULL for
 * SQL NULL), in the table's column order. */
void sf_store_chain_hash(const char *prev, const char *const *fields, size_t n, char out[65]);
/* Move the head to (id, hash). */
int sf_store_chain_advance(struct sf_conn *c, const char *chain, int64_t id, const char *hash);

struct sf_chain_report {
	int64_t checked;
	int64_t bad_id; /* first row whose hash or link is wrong; 0 = none */
	char what[160]; /* what is wrong with it */
};

/* Walk every row of the events and audit chains in id order, recomputing
 * each hash. rc 0 with report->bad_id == 0 means intact. */
int sf_store_chain_verify(struct sf_conn *c, const char *chain, struct sf_chain_report *report);

#endif

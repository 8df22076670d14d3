/* Open311's own records: API keys (stored only as hashes, with their
 * request counts and a per-minute rate window), the key and sealed contact
 * details a client sent with each request, and the read-only views of
 * orders the GeoReport methods publish (a batch token is the order's
 * tracking code, so it is written atomically with the order).
 * Not here: the catalogue (store/catalog.h) or writing orders (api/orders.h). */
#ifndef SF_STORE_OPEN311_H
#define SF_STORE_OPEN311_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct sf_o311_key {
	int64_t id;
	char name[64];
	int64_t created_at;
	int64_t revoked_at;   /* 0 = live */
	int64_t last_used_at; /* 0 = never */
	int64_t requests;     /* POSTs made with the key */
	int64_t created;      /* orders those POSTs created */
};

/* Add a live key name with key_hash (sf_crypto_token_hash of the key).
 * *id receives its id. SF_ECONFLICT when the name (live or revoked) or the
 * hash exists; SF_EDB. */
int sf_store_o311_key_add(struct sf_conn *c, const char *name, const char *key_hash, int64_t now,
			  int64_t *id);
/* Revoke the live key called name. SF_ENOTFOUND when there is none; SF_EDB. */
int sf_store_o311_key_revoke(struct sf_conn *c, const char *name, int64_t now);
/* The live key with this hash. SF_ENOTFOUND (unknown or revoked); SF_EDB. */
int sf_store_o311_key_find(struct sf_conn *c, const char *key_hash, struct sf_o311_key *out);
/* cb for every key, live and revoked, by name; the key is borrowed for the
 * call; cb returning non-zero stops the walk and is returned. */
int sf_store_o311_key_each(struct sf_conn *c, int (*cb)(const struct sf_o311_key *k, void *ctx),
			   void *ctx);
/* Count one POST by key_id at now: raise its request count and its hits in
 * the fixed window of window_secs seconds containing now (the shared
 * rate_limits table, key "open311:ID"); *hits receives the hits of that
 * window, this one included. SF_EDB. */
int sf_store_o311_key_hit(struct sf_conn *c, int64_t key_id, int64_t now, int window_secs,
			  int64_t *hits);
/* Count one order created with key_id. SF_EDB. */
int sf_store_o311_key_created(struct sf_conn *c, int64_t key_id);

/* What a client sent with a request that Sanfu keeps outside the order:
 * which key, and the contact details, each sealed (NULL = not given). */
struct sf_o311_submission {
	int64_t order_id;
	int64_t key_id;
	const char *email_sealed;
	const char *device_id_sealed;
	const char *account_id_sealed;
	int64_t created_at;
};

/* Record s. SF_ECONFLICT when the order has one already; SF_EDB. */
int sf_store_o311_submission_add(struct sf_conn *c, const struct sf_o311_submission *s);
/* The code of the order whose tracking code is token, into code (cap
 * bytes), while its category is published on Open311. SF_ENOTFOUND; SF_EDB. */
int sf_store_o311_token_order(struct sf_conn *c, const char *token, char *code, size_t cap);

/* One order as Open311 shows it: no requester fields at all. Strings are
 * borrowed for the callback only; NULL for SQL NULL. Times are UTC
 * seconds, 0 for none. */
struct sf_o311_request {
	int64_t id;
	const char *code;
	const char *state;
	const char *description;
	const char *service_code;
	const char *service_zh;
	const char *service_en;
	const char *dept_zh; /* handling unit; "" for none */
	const char *dept_en;
	int64_t created_at, updated_at, closed_at;
	int64_t expected_at; /* handling deadline, else the current stage's */
	const char *address;
	bool has_geo;
	double lat, lng;
	const char *media_url;
	const char *public_note; /* latest note shown to the public */
};

/* Orders of Open311-published categories, newest first. */
struct sf_o311_filter {
	const char *category_ids; /* ",3,7," to keep only these; NULL or "" = all */
	bool open, closed;        /* which statuses to keep (closed = closed, rejected, merged) */
	int64_t from, to;         /* created_at range, inclusive */
	int limit;                /* 1..1000 */
	int64_t offset;
};

/* cb for each matching order; cb returning non-zero stops the walk and is
 * returned. SF_EDB. The callback may run other queries on c. */
int sf_store_o311_request_each(struct sf_conn *c, const struct sf_o311_filter *f,
			       int (*cb)(const struct sf_o311_request *r, void *ctx), void *ctx);
/* cb for the order with this code, when its category is published on
 * Open311. SF_ENOTFOUND when there is none; otherwise as above. */
int sf_store_o311_request_by_code(struct sf_conn *c, const char *code,
				  int (*cb)(const struct sf_o311_request *r, void *ctx), void *ctx);
/* The last change to the catalogue (UTC seconds; 0 when empty). SF_EDB. */
int sf_store_o311_changeset(struct sf_conn *c, int64_t *at);
/* Setting key (the settings table) into out (cap bytes); SF_ENOTFOUND. */
int sf_store_o311_setting(struct sf_conn *c, const char *key, char *out, size_t cap);

#endif

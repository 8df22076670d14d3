/* The signed-in sessions a process read lately, so that a request need not
 * join sessions and users again (sf_store_session_lookup in user.c). An
 * entry is served only while its user's change counter (changes.h) still
 * holds what it held before the read that filled it, the session has not
 * expired or gone idle, and its last_seen is under a minute old (older:
 * the database is asked, and touches it). SQLite only; internal to src/store. */
#ifndef SF_STORE_SESSION_CACHE_H
#define SF_STORE_SESSION_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/changes.h"
#include "store/user.h"

struct sf_scache;

/* What the cache keeps of a session (the user without the password hash). */
struct sf_scache_entry {
	struct sf_user user;
	char csrf[64];
	int64_t session_id;
	int64_t expires_at;
	int64_t last_seen;
};

/* A bounded, thread-safe cache; free with sf_scache_free (NULL is fine). */
struct sf_scache *sf_scache_new(void);
void sf_scache_free(struct sf_scache *sc);
/* The live entry for token_hash (64 hex digits) valid at now with idle
 * timeout idle_secs: true and *out filled. Otherwise false, and *user_id
 * is the user the token belonged to when last read (0 when unknown), whose
 * stamp the caller reads before asking the database. */
bool sf_scache_get(struct sf_scache *sc, struct sf_changes *ch, const char *token_hash, int64_t now,
		   int idle_secs, struct sf_scache_entry *out, int64_t *user_id);
/* Keep e for token_hash, read from the database after stamp (NULL when no
 * stamp was read: then only the user id is kept, for the next read). */
void sf_scache_put(struct sf_scache *sc, const char *token_hash,
		   const struct sf_changes_stamp *stamp, const struct sf_scache_entry *e);
/* Forget token_hash (the session ended or was not found). */
void sf_scache_drop(struct sf_scache *sc, const char *token_hash);

#endif

/* Per-user change counters that every process on one SQLite database sees,
 * so that a process may keep what it read about a user (the session cache,
 * session_cache.h) and still notice at once when any process changed that
 * user's row or sessions. Internal to src/store: other layers record a
 * change with sf_store_user_changed (user.h). */
#ifndef SF_STORE_CHANGES_H
#define SF_STORE_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

struct sf_conn;
struct sf_changes;

/* The counters of the SQLite database at db_path: the file db_path +
 * "-sanfu.shm", opened only when first needed. ":memory:" gets counters
 * of its own (no other process can open that database). The caller frees
 * it with sf_changes_free, which removes the file when no other process
 * has it open. */
struct sf_changes *sf_changes_new(const char *db_path);
void sf_changes_free(struct sf_changes *ch);

/* What a cached fact about user_id is checked against: read it BEFORE
 * the database read that the fact comes from. Maps the file (creating it)
 * on first use; false when it cannot, and then nothing may be cached. */
struct sf_changes_stamp {
	uint64_t all;  /* bumped for changes of unknown users */
	uint64_t user; /* the user's counter (shared with a few others) */
};
bool sf_changes_stamp(struct sf_changes *ch, int64_t user_id, struct sf_changes_stamp *out);
/* Whether nothing of user_id changed since stamp was read. */
bool sf_changes_same(struct sf_changes *ch, int64_t user_id, const struct sf_changes_stamp *stamp);
/* Count a committed change of user_id (0: of anybody). Processes that
 * never cached anything have no file: then there is nothing to tell. */
void sf_changes_bump(struct sf_changes *ch, int64_t user_id);

/* On a connection: note that the statement just run changed user_id's
 * row or sessions. Outside a transaction the change is already committed
 * and is counted at once; inside one it is counted when the transaction
 * commits (sf_changes_flush, from db.c) and forgotten on a rollback
 * (sf_changes_discard). */
void sf_changes_note(struct sf_conn *c, int64_t user_id);
void sf_changes_flush(struct sf_conn *c);
void sf_changes_discard(struct sf_conn *c);

#endif

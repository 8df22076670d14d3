/* A small in-process cache of rendered answers: at most a fixed number of
 * entries, each a key, a validator and a value (bytes). A lookup hits only
 * when the validator the caller has just read from the source of truth
 * equals the stored one, so an answer is reused only while what it was
 * computed from is unchanged; the least recently used entry makes room.
 * Thread-safe: one mutex, held to look up, copy out and swap entries, never
 * while the caller computes. Not a general map, and no expiry by time. */
#ifndef SF_CACHE_H
#define SF_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SF_CACHE_KEY_MAX 256       /* bytes of a key, NUL included */
#define SF_CACHE_VALIDATOR_MAX 256 /* bytes of a validator */

/* What the cache did since sf_cache_init (for /metrics). */
struct sf_cache_counts {
	uint64_t hits;      /* lookups answered */
	uint64_t misses;    /* lookups not answered, the stale ones included */
	uint64_t stale;     /* lookups whose key was held with another validator */
	uint64_t evictions; /* entries dropped to make room */
	size_t entries;     /* held now */
	size_t bytes;       /* of the values held now */
};

struct sf_cache_entry; /* private to cache.c */

/* Caller-owned storage: sf_cache_init, then sf_cache_release. */
struct sf_cache {
	pthread_mutex_t lock;
	struct sf_cache_entry *slots;
	size_t max_entries; /* slots */
	size_t max_value;   /* bytes of the largest value held */
	uint64_t tick;      /* use clock for the least recently used */
	struct sf_cache_counts counts;
};

/* An empty cache of at most max_entries (>= 1) values of at most max_value
 * bytes each: it holds no more than max_entries * max_value bytes of values. */
void sf_cache_init(struct sf_cache *c, size_t max_entries, size_t max_value);
/* Free every entry; c must be initialised again before another use. NULL is
 * ignored. */
void sf_cache_release(struct sf_cache *c);

/* Look key up. When it is held with exactly the validator's vlen bytes,
 * append its value to out and return true (a hit). Otherwise return false
 * and leave out alone; an entry of key held with another validator is
 * dropped, as nothing will ask for it again. */
bool sf_cache_get(struct sf_cache *c, const char *key, const void *validator, size_t vlen,
		  struct sf_buf *out);

/* Hold a copy of val (len bytes) under key with the validator, replacing
 * what key held, else taking a free slot, else evicting the least recently
 * used entry. Errors: SF_ETOOBIG (nothing stored) when the key, the
 * validator or the value is longer than the cache takes. */
int sf_cache_put(struct sf_cache *c, const char *key, const void *validator, size_t vlen,
		 const void *val, size_t len);

/* A consistent copy of the counts. */
void sf_cache_counts(struct sf_cache *c, struct sf_cache_counts *out);

#endif

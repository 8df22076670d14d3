/* The session cache; see session_cache.h. SETS sets of WAYS entries, each
 * set under its own mutex, so threads rarely wait on one another and the
 * cache never holds more than SETS * WAYS sessions (a full set gives its
 * oldest entry up). */
#include "store/session_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define SETS 512 /* power of two */
#define WAYS 4
#define HASH_LEN 64 /* the hex SHA-256 of a token */
/* An entry whose last_seen is this old is read again (the database
 * touches last_seen at most once a minute; see user.c). */
#define FRESH_SECS 60

struct slot {
	char hash[HASH_LEN];
	bool used;
	bool live; /* e may be served; otherwise only e.user.id is known */
	uint64_t age;
	struct sf_changes_stamp stamp;
	struct sf_scache_entry e;
};

struct set {
	pthread_mutex_t mu;
	uint64_t clock;
	struct slot slots[WAYS];
};

struct sf_scache {
	struct set sets[SETS];
};

struct sf_scache *sf_scache_new(void)
{
	struct sf_scache *sc = sf_xcalloc(1, sizeof(*sc));

	for (size_t i = 0; i < SETS; i++)
		pthread_mutex_init(&sc->sets[i].mu, NULL);
	return sc;
}

void sf_scache_free(struct sf_scache *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < SETS; i++)
		pthread_mutex_destroy(&sc->sets[i].mu);
	free(sc);
}

/* The set of a token hash, or NULL for text that is not one. */
static struct set *set_of(struct sf_scache *sc, const char *hash)
{
	uint64_t h = 0;

	if (!sc || strnlen(hash, HASH_LEN + 1) != HASH_LEN)
		return NULL;
	/* hex digits of a digest: any 16 of them are evenly spread */
	for (int i = 0; i < 16; i++)
		h = h * 31 + (unsigned char)hash[i];
	return &sc->sets[h & (SETS - 1)];
}

static struct slot *find(struct set *s, const char *hash)
{
	for (int i = 0; i < WAYS; i++)
		if (s->slots[i].used && memcmp(s->slots[i].hash, hash, HASH_LEN) == 0)
			return &s->slots[i];
	return NULL;
}

bool sf_scache_get(struct sf_scache *sc, struct sf_changes *ch, const char *token_hash, int64_t now,
		   int idle_secs, struct sf_scache_entry *out, int64_t *user_id)
{
	struct set *s = set_of(sc, token_hash);
	struct sf_changes_stamp stamp;
	struct slot *sl;
	bool live = false;

	*user_id = 0;
	if (!s)
		return false;
	pthread_mutex_lock(&s->mu);
	sl = find(s, token_hash);
	if (sl) {
		*user_id = sl->e.user.id;
		live = sl->live;
		if (live) {
			*out = sl->e;
			stamp = sl->stamp;
		}
	}
	pthread_mutex_unlock(&s->mu);
	/* The same tests as the database's query, and no touch due. */
	return live && out->expires_at > now && out->last_seen > now - idle_secs &&
	       now - out->last_seen < FRESH_SECS && sf_changes_same(ch, out->user.id, &stamp);
}

void sf_scache_put(struct sf_scache *sc, const char *token_hash,
		   const struct sf_changes_stamp *stamp, const struct sf_scache_entry *e)
{
	struct set *s = set_of(sc, token_hash);
	struct slot *sl;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	sl = find(s, token_hash);
	if (!sl) {
		sl = &s->slots[0];
		for (int i = 0; i < WAYS; i++) {
			if (!s->slots[i].used) {
				sl = &s->slots[i];
				break;
			}
			if (s->slots[i].age < sl->age)
				sl = &s->slots[i];
		}
		memcpy(sl->hash, token_hash, HASH_LEN);
		sl->used = true;
	}
	sl->age = ++s->clock;
	sl->e = *e;
	memset(sl->e.user.pw_hash, 0, sizeof(sl->e.user.pw_hash));
	sl->live = stamp != NULL;
	if (stamp)
		sl->stamp = *stamp;
	pthread_mutex_unlock(&s->mu);
}

void sf_scache_drop(struct sf_scache *sc, const char *token_hash)
{
	struct set *s = set_of(sc, token_hash);
	struct slot *sl;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	sl = find(s, token_hash);
	if (sl)
		memset(sl, 0, sizeof(*sl));
	pthread_mutex_unlock(&s->mu);
}

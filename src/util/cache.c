/* The answer cache; see cache.h. A few dozen slots searched linearly: a
 * lookup compares a short key per slot, far less than what it saves. Values
 * are copied in before the lock is taken and freed after it is let go, so
 * the lock covers only the search, one copy out and pointer swaps. */
#include "util/cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

struct sf_cache_entry {
	char key[SF_CACHE_KEY_MAX];
	unsigned char validator[SF_CACHE_VALIDATOR_MAX];
	size_t vlen;
	char *val; /* NULL: a free slot */
	size_t len;
	uint64_t used; /* c->tick at the last get or put */
};

void sf_cache_init(struct sf_cache *c, size_t max_entries, size_t max_value)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->max_entries = max_entries ? max_entries : 1;
	c->max_value = max_value;
	c->slots = sf_xcalloc(c->max_entries, sizeof(*c->slots));
}

void sf_cache_release(struct sf_cache *c)
{
	if (!c || !c->slots)
		return;
	for (size_t i = 0; i < c->max_entries; i++)
		free(c->slots[i].val);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

/* The slot holding key, or NULL. Under the lock. */
static struct sf_cache_entry *find(struct sf_cache *c, const char *key)
{
	for (size_t i = 0; i < c->max_entries; i++) {
		struct sf_cache_entry *e = &c->slots[i];

		if (e->val && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* Empty slot e, handing its value to the caller to free after unlocking. */
static char *drop(struct sf_cache *c, struct sf_cache_entry *e)
{
	char *val = e->val;

	c->counts.entries--;
	c->counts.bytes -= e->len;
	e->val = NULL;
	e->len = 0;
	e->key[0] = '\0';
	return val;
}

bool sf_cache_get(struct sf_cache *c, const char *key, const void *validator, size_t vlen,
		  struct sf_buf *out)
{
	struct sf_cache_entry *e;
	char *old = NULL;
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (e && e->vlen == vlen && memcmp(e->validator, validator, vlen) == 0) {
		sf_buf_add(out, e->val, e->len);
		e->used = ++c->tick;
		c->counts.hits++;
		hit = true;
	} else {
		if (e) {
			old = drop(c, e);
			c->counts.stale++;
		}
		c->counts.misses++;
	}
	pthread_mutex_unlock(&c->lock);
	free(old);
	return hit;
}

int sf_cache_put(struct sf_cache *c, const char *key, const void *validator, size_t vlen,
		 const void *val, size_t len)
{
	struct sf_cache_entry *e;
	size_t klen = strlen(key);
	char *copy, *old = NULL;

	if (klen >= SF_CACHE_KEY_MAX || vlen > SF_CACHE_VALIDATOR_MAX || len > c->max_value)
		return SF_ETOOBIG;
	copy = sf_xmalloc(len ? len : 1);
	memcpy(copy, val, len);

	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (!e) {
		/* A free slot, else the one used longest ago. */
		for (size_t i = 0; i < c->max_entries; i++) {
			struct sf_cache_entry *s = &c->slots[i];

			if (!s->val) {
				e = s;
				break;
			}
			if (!e || s->used < e->used)
				e = s;
		}
		if (e->val)
			c->counts.evictions++;
	}
	if (e->val)
		old = drop(c, e);
	memcpy(e->key, key, klen + 1);
	memcpy(e->validator, validator, vlen);
	e->vlen = vlen;
	e->val = copy;
	e->len = len;
	e->used = ++c->tick;
	c->counts.entries++;
	c->counts.bytes += len;
	pthread_mutex_unlock(&c->lock);
	free(old);
	return 0;
}

void sf_cache_counts(struct sf_cache *c, struct sf_cache_counts *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->counts;
	pthread_mutex_unlock(&c->lock);
}

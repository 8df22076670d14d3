/* Small non-cryptographic hashes for in-memory tables and stable keys:
 * splitmix64's finaliser (spreads neighbouring integers far apart) and
 * FNV-1a over a string (the same value on every machine and version). */
#ifndef SF_HASH_H
#define SF_HASH_H

#include <stdint.h>

static inline uint64_t sf_hash_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static inline uint64_t sf_hash_fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

#endif

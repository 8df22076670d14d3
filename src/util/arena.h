/* Per-request arena: many small allocations released at once.
 * Not thread-safe; one arena belongs to one request. Allocation failure
 * aborts; the total is capped by the caller's limits on input sizes. */
#ifndef SF_ARENA_H
#define SF_ARENA_H

#include <stddef.h>

struct sf_arena_block;

struct sf_arena {
	struct sf_arena_block *head;
	size_t used_total;
};

void sf_arena_init(struct sf_arena *a);
/* Free every block; the arena is left empty and reusable. */
void sf_arena_release(struct sf_arena *a);
/* n bytes aligned for any type, uninitialised. */
void *sf_arena_alloc(struct sf_arena *a, size_t n);
void *sf_arena_zalloc(struct sf_arena *a, size_t n);
char *sf_arena_strdup(struct sf_arena *a, const char *s);
char *sf_arena_strndup(struct sf_arena *a, const char *s, size_t n);
char *sf_arena_printf(struct sf_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

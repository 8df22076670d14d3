/* Bump allocator in chained blocks; see arena.h. */
#include "util/arena.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct sf_arena_block {
	struct sf_arena_block *next;
	size_t cap;
	size_t used;
	alignas(max_align_t) unsigned char mem[];
};

#define BLOCK_SIZE 8192

void sf_arena_init(struct sf_arena *a)
{
	a->head = NULL;
	a->used_total = 0;
}

void sf_arena_release(struct sf_arena *a)
{
	struct sf_arena_block *b = a->head;

	while (b) {
		struct sf_arena_block *next = b->next;
		free(b);
		b = next;
	}
	sf_arena_init(a);
}

void *sf_arena_alloc(struct sf_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct sf_arena_block *b = a->head;
	size_t off;

	n = (n + align - 1) & ~(align - 1);
	if (!n)
		n = align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		b = sf_xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	off = b->used;
	b->used += n;
	a->used_total += n;
	return b->mem + off;
}

void *sf_arena_zalloc(struct sf_arena *a, size_t n)
{
	void *p = sf_arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

char *sf_arena_strndup(struct sf_arena *a, const char *s, size_t n)
{
	char *p = sf_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sf_arena_strdup(struct sf_arena *a, const char *s)
{
	return s ? sf_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sf_arena_printf(struct sf_arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	p = sf_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* Aborting allocators; see mem.h. */
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(size_t n)
{
	fprintf(stderr, "sanfu: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(n);
	return p;
}

void *sf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(n * size);
	return p;
}

void *sf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die(n);
	return q;
}

char *sf_xstrdup(const char *s)
{
	return sf_xstrndup(s, strlen(s));
}

char *sf_xstrndup(const char *s, size_t n)
{
	char *p = sf_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

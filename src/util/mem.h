/* Allocation that aborts on failure (inputs are capped elsewhere, so an
 * allocation failure means the machine is out of memory). */
#ifndef SF_MEM_H
#define SF_MEM_H

#include <stddef.h>

void *sf_xmalloc(size_t n);
void *sf_xcalloc(size_t n, size_t size);
void *sf_xrealloc(void *p, size_t n);
char *sf_xstrdup(const char *s);
char *sf_xstrndup(const char *s, size_t n);

#endif

/* Shared by the fuzz targets in tests/fuzz/: the libFuzzer entry point's
 * prototype, an invariant check that aborts loudly (so libFuzzer and the
 * replay driver both count it as a crash), and a NUL-terminated copy of the
 * input for parsers that take C strings. Not a test framework. */
#ifndef SF_FUZZ_H
#define SF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Called by libFuzzer (or tests/fuzz/replay_main.c) once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the parser under test; not assert(), which NDEBUG would
 * remove. */
#define FUZZ_CHECK(cond)                                                                    \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "ERROR: invariant failed at %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                                           \
			abort();                                                            \
		}                                                                           \
	} while (0)

/* The input as a malloc'd C string (free it); a NUL byte inside ends it early,
 * as it would end a string from libmicrohttpd. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = sf_xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split the input at the first byte sep: *a gets the part before (or all),
 * *b the part after (NULL when sep is absent). Both malloc'd C strings. */
static inline void fuzz_split(const uint8_t *data, size_t size, uint8_t sep, char **a, char **b)
{
	const uint8_t *p = size ? memchr(data, sep, size) : NULL;

	if (!p) {
		*a = fuzz_cstr(data, size);
		*b = NULL;
		return;
	}
	*a = fuzz_cstr(data, (size_t)(p - data));
	*b = fuzz_cstr(p + 1, size - (size_t)(p - data) - 1);
}

#endif

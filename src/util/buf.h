/* Growable byte buffer with a hard cap (struct sf_buf).
 * Invariants: data is never NULL and always NUL-terminated; len < cap;
 * growing past max sets the sticky `over` flag, after which appends are
 * ignored, so a caller checks once at the end. Not thread-safe. */
#ifndef SF_BUF_H
#define SF_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sf_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len */
	bool over;  /* sticky: an append exceeded max */
};

#define SF_BUF_DEFAULT_MAX ((size_t)64 << 20)

/* Initialise an empty buffer that may grow up to max bytes (0 = default). */
void sf_buf_init(struct sf_buf *b, size_t max);
/* Free the storage; the buffer is left initialised and empty. */
void sf_buf_release(struct sf_buf *b);
void sf_buf_reset(struct sf_buf *b);
void sf_buf_add(struct sf_buf *b, const void *p, size_t n);
void sf_buf_adds(struct sf_buf *b, const char *s);
void sf_buf_addch(struct sf_buf *b, char c);
void sf_buf_addf(struct sf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sf_buf_vaddf(struct sf_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hand the heap string out (caller frees with free()); b is left empty. */
char *sf_buf_detach(struct sf_buf *b, size_t *len);
/* True when the buffer stayed within max. */
static inline bool sf_buf_ok(const struct sf_buf *b)
{
	return !b->over;
}

#endif

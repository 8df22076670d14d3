/* sf_buf: see buf.h for the invariants. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static char empty_slot[1];

void sf_buf_init(struct sf_buf *b, size_t max)
{
	b->data = empty_slot;

	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SF_BUF_DEFAULT_MAX;
	b->over = false;
}

void sf_buf_release(struct sf_buf *b)
{
	if (b->cap)
		free(b->data);
	sf_buf_init(b, b->max);
}

void sf_buf_reset(struct sf_buf *b)
{
	b->len = 0;
	b->over = false;
	if (b->cap)
		b->data[0] = '\0';
}

static bool grow(struct sf_buf *b, size_t extra)
{
	size_t need;

	if (b->over)
		return false;
	if (extra > b->max - b->len) {
		b->over = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (b->cap) {
		b->data = sf_xrealloc(b->data, ncap);
	} else {
		b->data = sf_xmalloc(ncap);
		b->data[0] = '\0';
	}
	b->cap = ncap;
	return true;
}

void sf_buf_add(struct sf_buf *b, const void *p, size_t n)
{
	/* Room already (the common case): no checks beyond these. */
	if (n && n < b->cap - b->len && n <= b->max - b->len && !b->over) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	if (!grow(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sf_buf_adds(struct sf_buf *b, const char *s)
{
	sf_buf_add(b, s, strlen(s));
}

void sf_buf_addch(struct sf_buf *b, char c)
{
	if (b->len + 1 < b->cap && b->len < b->max && !b->over) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return;
	}
	sf_buf_add(b, &c, 1);
}

void sf_buf_vaddf(struct sf_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->over)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sf_buf_addf(struct sf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sf_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *sf_buf_detach(struct sf_buf *b, size_t *len)
{
	char *s;

	if (b->cap) {
		s = b->data;
	} else {
		s = sf_xmalloc(1);
		s[0] = '\0';
	}
	if (len)
		*len = b->len;
	b->data = empty_slot;
	b->len = 0;
	b->cap = 0;
	b->over = false;
	return s;
}

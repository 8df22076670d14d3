/* Error detail helpers and the one rc -> HTTP status table. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy_bounded(char *dst, size_t cap, const char *src)
{
	size_t n;

	if (!src) {
		dst[0] = '\0';
		return;
	}
	n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int sf_error_set(struct sf_error *err, int rc, const char *code, const char *field, const char *fmt,
		 ...)
{
	va_list ap;

	if (!err)
		return rc;
	err->rc = rc;
	copy_bounded(err->code, sizeof(err->code), code ? code : sf_err_name(rc));
	copy_bounded(err->field, sizeof(err->field), field);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	} else {
		err->message[0] = '\0';
	}
	return rc;
}

void sf_error_clear(struct sf_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static const struct {
	int rc;
	int status;
	const char *name;
} table[] = {
	{ SF_OK, 200, "ok" },
	{ SF_EINVAL, 400, "invalid" },
	{ SF_ENOTFOUND, 404, "not_found" },
	{ SF_ECONFLICT, 409, "conflict" },
	{ SF_EFORBIDDEN, 403, "forbidden" },
	{ SF_EAUTH, 401, "unauthenticated" },
	{ SF_ETOOBIG, 413, "too_large" },
	{ SF_EDB, 500, "storage_error" },
	{ SF_EIO, 500, "io_error" },
	{ SF_ELOCKED, 423, "locked" },
	{ SF_ERATE, 429, "rate_limited" },
	{ SF_EMEDIA, 415, "unsupported_media_type" },
	{ SF_EINTERNAL, 500, "internal" },
	{ SF_EBUSY, 503, "busy" },
	{ SF_EMETHOD, 405, "method_not_allowed" },
};

int sf_err_http_status(int rc)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].rc == rc)
			return table[i].status;
	return 500;
}

const char *sf_err_name(int rc)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].rc == rc)
			return table[i].name;
	return "internal";
}

/* Error codes and the error detail every fallible Sanfu function reports.
 * Codes are negative ints; 0 is success. One table (sf_err_http_status)
 * maps them to HTTP statuses; the JSON shape is written by the API layer. */
#ifndef SF_ERR_H
#define SF_ERR_H

#include <stddef.h>

enum sf_err {
	SF_OK = 0,
	SF_EINVAL = -1,     /* bad input: 400 */
	SF_ENOTFOUND = -2,  /* 404 */
	SF_ECONFLICT = -3,  /* illegal transition, duplicate, stale: 409 */
	SF_EFORBIDDEN = -4, /* authenticated but not allowed: 403 */
	SF_EAUTH = -5,      /* not authenticated: 401 */
	SF_ETOOBIG = -6,    /* 413 */
	SF_EDB = -7,        /* storage failure: 500 */
	SF_EIO = -8,        /* file or socket failure: 500 */
	SF_ELOCKED = -9,    /* account locked: 423 */
	SF_ERATE = -10,     /* rate limit hit: 429 */
	SF_EMEDIA = -11,    /* unsupported media type: 415 */
	SF_EINTERNAL = -12, /* bug: 500 */
	SF_EBUSY = -13,     /* try again: 503 */
	SF_EMETHOD = -14,   /* method not allowed: 405 */
};

/* Detail of the last failure. code is a short machine string
 * ("invalid_field", "illegal_transition"); field names the input field at
 * fault or is empty; message is for people. */
struct sf_error {
	int rc;
	char code[48];
	char field[64];
	char message[256];
};

/* Fill err (which may be NULL) and return rc, so callers can write
 * `return sf_error_set(err, SF_EINVAL, "invalid_field", "title", "...")`. */
int sf_error_set(struct sf_error *err, int rc, const char *code, const char *field, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));
void sf_error_clear(struct sf_error *err);

/* HTTP status for an error code (500 for unknown codes). */
int sf_err_http_status(int rc);
/* Default short code string for an rc ("not_found", ...). */
const char *sf_err_name(int rc);

#endif

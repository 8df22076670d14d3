/* The API's view of one HTTP request and its response, filled by the
 * HTTP layer (which alone sees sockets) and read by the handlers. Memory
 * for both comes from the request's arena. */
#ifndef SF_REQ_H
#define SF_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/role.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

struct sf_app;
struct sf_route;
struct sf_json;
struct sf_jw;

struct sf_principal {
	int64_t user_id; /* 0 = nobody */
	enum sf_role role;
	int64_t unit_id;
	char unit_path[128]; /* "/1/4/" of the person's unit: their data scope */
	char login[64];
	char name[64];
	char csrf[64];
	int64_t session_id;
	bool via_token;
};

struct sf_kv {
	const char *key;
	const char *val;
};

#define SF_REQ_MAX_PARAMS 4
#define SF_REQ_MAX_QUERY 48
#define SF_REQ_MAX_COOKIES 2

struct sf_req {
	struct sf_app *app;
	struct sf_arena arena;
	int64_t now; /* UTC seconds at arrival */
	const char *method;
	const char *path; /* decoded, without the query */
	const char *params[SF_REQ_MAX_PARAMS];
	size_t nparams;
	struct sf_kv query[SF_REQ_MAX_QUERY];
	size_t nquery;
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *session_cookie;
	const char *authorization;
	const char *csrf_header;
	const char *ip;
	const char *lang; /* "zh-CN" or "en", from Accept-Language */
	const char *user_agent;
	const char *bad_text; /* the query key or "path" whose text is not UTF-8 */
	const struct sf_route *route;
	struct sf_principal who;
	struct sf_conn *conn; /* borrowed from the pool on first use */

	/* response */
	int status;
	const char *resp_type;
	struct sf_buf out;
	const void *out_static; /* instead of out: borrowed bytes (attachments) */
	size_t out_static_len;
	const char *set_cookie[SF_REQ_MAX_COOKIES];
	size_t nset_cookie;
	const char *disposition; /* Content-Disposition */
	const char *cache_control;
	const char *location;
	struct sf_error err;
	int64_t audit_user; /* for the log line */

	/* a durable write through the group commit (sf_req_write) */
	bool can_defer; /* set by the HTTP layer: it can park the connection */
	bool deferred;  /* set by sf_req_write: the HTTP layer queues job */
	struct sf_db_job job;
	int (*then)(struct sf_req *req, int rc, void *ctx);
};

/* The request's database connection, taken from the pool on first use
 * and given back by sf_req_release. */
struct sf_conn *sf_req_conn(struct sf_req *req);
/* Give back what the request borrowed (the connection). */
void sf_req_release(struct sf_req *req);
/* Make a durable change through the database's group commit (store/db.h):
 * fn(c, ctx) runs on the writer's connection, together with the writes of
 * other requests, then then(req, rc, ctx) runs on this request's thread
 * with rc 0 once the change is durable, or the error (fn's own, or SF_EDB /
 * SF_EBUSY when the shared commit failed), and answers the request. Under
 * the HTTP server the request waits for the commit without holding a
 * worker thread; elsewhere (tests, the CLI) everything runs before this
 * returns. The handler returns what this returns and does nothing after;
 * ctx (from req->arena) and what fn reads must stay valid until then, and
 * fn reads nothing of req that the HTTP layer might change. */
int sf_req_write(struct sf_req *req, int (*fn)(struct sf_conn *c, void *ctx),
		 int (*then)(struct sf_req *req, int rc, void *ctx), void *ctx);
/* For the HTTP layer, once a deferred write is done: run its then. */
int sf_req_write_finish(struct sf_req *req);
/* Query parameter by name (first occurrence), or NULL. */
const char *sf_req_query(const struct sf_req *req, const char *key);
/* Path parameter i as a positive integer id; SF_EINVAL naming `field` if
 * it is not one. */
int sf_req_param_id(struct sf_req *req, size_t i, const char *field, int64_t *out);
/* Parse the body as a JSON object and check it against spec (see json.h).
 * Errors: SF_EINVAL / SF_EMEDIA in req->err. Caller frees *out. */
struct sf_jfield;
int sf_req_json(struct sf_req *req, const struct sf_jfield *spec, struct sf_json **out);
/* Begin a JSON response with status; the writer appends to req->out. */
void sf_req_reply_json(struct sf_req *req, int status, struct sf_jw *w);
/* Record an error for the HTTP layer to render; returns rc. */
int sf_req_fail(struct sf_req *req, int rc, const char *code, const char *field, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));
/* Render req->err as the one JSON error shape into req->out. */
void sf_req_render_error(struct sf_req *req);
/* Whether the person may see everything (admin, leader, dispatcher). */
bool sf_req_sees_all(const struct sf_req *req);
/* The language the person asked for: true for English. */
bool sf_req_english(const struct sf_req *req);

#endif

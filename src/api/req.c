/* Request helpers shared by every handler: query and path parameters, the
 * JSON body against its spec, and the one error shape. */
#include "api/req.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "store/db.h"
#include "util/json.h"
#include "util/jw.h"

struct sf_conn *sf_req_conn(struct sf_req *req)
{
	if (!req->conn)
		req->conn = sf_db_get(req->app->db);
	return req->conn;
}

void sf_req_release(struct sf_req *req)
{
	if (req->conn) {
		sf_db_put(req->app->db, req->conn);
		req->conn = NULL;
	}
}

int sf_req_write(struct sf_req *req, int (*fn)(struct sf_conn *c, void *ctx),
		 int (*then)(struct sf_req *req, int rc, void *ctx), void *ctx)
{
	if (!req->can_defer)
		return then(req, sf_db_write(req->app->db, fn, ctx), ctx);
	req->deferred = true;
	req->job.fn = fn;
	req->job.ctx = ctx;
	req->then = then;
	return 0;
}

int sf_req_write_finish(struct sf_req *req)
{
	req->deferred = false;
	return req->then(req, req->job.rc, req->job.ctx);
}

const char *sf_req_query(const struct sf_req *req, const char *key)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].val;
	return NULL;
}

int sf_req_param_id(struct sf_req *req, size_t i, const char *field, int64_t *out)
{
	const char *s = i < req->nparams ? req->params[i] : NULL;
	char *end = NULL;
	long long v;

	if (!s || !*s || strlen(s) > 18 || *s < '0' || *s > '9')
		goto bad;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		goto bad;
	*out = v;
	return 0;
bad:
	return sf_req_fail(req, SF_EINVAL, "invalid_field", field,
			   "%s must be a positive integer id", field);
}

int sf_req_json(struct sf_req *req, const struct sf_jfield *spec, struct sf_json **out)
{
	int rc;

	*out = NULL;
	if (req->content_type && strncmp(req->content_type, "application/json", 16) != 0)
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send the body as application/json");
	if (req->body_len == 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_json", "",
				   "the body is empty; send a JSON object");
	rc = sf_json_parse(req->body, req->body_len, out, &req->err);
	if (rc)
		return rc;
	rc = sf_json_check(*out, spec, &req->err);
	if (rc) {
		sf_json_free(*out);
		*out = NULL;
	}
	return rc;
}

void sf_req_reply_json(struct sf_req *req, int status, struct sf_jw *w)
{
	req->status = status;
	req->resp_type = "application/json; charset=utf-8";
	sf_buf_reset(&req->out);
	sf_jw_init(w, &req->out);
}

int sf_req_fail(struct sf_req *req, int rc, const char *code, const char *field, const char *fmt,
		...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sf_error_set(&req->err, rc, code, field, "%s", msg);
}

void sf_req_render_error(struct sf_req *req)
{
	struct sf_jw w;

	sf_buf_reset(&req->out);
	req->resp_type = "application/json; charset=utf-8";
	req->out_static = NULL;
	req->disposition = NULL;
	sf_jw_init(&w, &req->out);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "error");
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "code", req->err.code[0] ? req->err.code : sf_err_name(req->err.rc));
	sf_jw_kstr(&w, "message",
		   req->err.message[0] ? req->err.message : sf_err_name(req->err.rc));
	sf_jw_kstr(&w, "field", req->err.field);
	sf_jw_obj_end(&w);
	sf_jw_obj_end(&w);
}

bool sf_req_sees_all(const struct sf_req *req)
{
	return req->who.role == SF_ROLE_ADMIN || req->who.role == SF_ROLE_LEADER ||
	       req->who.role == SF_ROLE_DISPATCHER;
}

bool sf_req_english(const struct sf_req *req)
{
	const char *q = sf_req_query(req, "lang");

	if (q)
		return strncmp(q, "en", 2) == 0;
	return req->lang && strcmp(req->lang, "en") == 0;
}

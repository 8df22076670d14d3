/* libmicrohttpd glue: turns each connection's request into a struct sf_req,
 * routes it, applies the declared checks (auth, role, CSRF), calls the
 * handler and sends the response. Business rules live in src/api. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/open311.h"
#include "api/req.h"
#include "api/route.h"
#include "http/router.h"
#include "http/static.h"
#include "util/jw.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"
#include "util/timefmt.h"
#include "util/utf8.h"

struct sf_server {
	struct MHD_Daemon *d;
	struct sf_app *app;
	int port;
	size_t nroutes;
};

struct conn_ctx {
	struct sf_req req;
	struct sf_buf body;
	int route;
	bool too_big;
	bool bad_method;
	uint64_t t0_us;
	char *scratch;
	/* a write parked in the group commit (sf_req_write) */
	struct MHD_Connection *conn;
	atomic_bool written;
};

static const char *method_ok[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", NULL };

static bool known_method(const char *m)
{
	for (int i = 0; method_ok[i]; i++)
		if (strcmp(m, method_ok[i]) == 0)
			return true;
	return false;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct sf_req *req = cls;

	(void)kind;
	if (req->nquery >= SF_REQ_MAX_QUERY) {
		req->status = 400;
		return MHD_NO;
	}
	/* Percent-escapes can spell any bytes; text that is not UTF-8 is
	 * refused here so no handler (nor PostgreSQL) ever sees it. */
	if (!sf_utf8_valid(key, strlen(key)) || (value && !sf_utf8_valid(value, strlen(value)))) {
		if (!req->bad_text)
			req->bad_text = sf_utf8_valid(key, strlen(key)) ? key : "query";
		return MHD_YES;
	}
	req->query[req->nquery].key = key;
	req->query[req->nquery].val = value ? value : "";
	req->nquery++;
	return MHD_YES;
}

static const char *client_ip(struct MHD_Connection *conn, struct sf_arena *a)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "";

	if (!ci || !ci->client_addr)
		return "";
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
			  buf, sizeof(buf));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
			  buf, sizeof(buf));
	return sf_arena_strdup(a, buf);
}

static const char *pick_lang(const char *accept)
{
	if (!accept)
		return "zh-CN";
	/* The first language named wins; English only when asked first. */
	while (*accept == ' ')
		accept++;
	return strncmp(accept, "en", 2) == 0 ? "en" : "zh-CN";
}

static void log_request(struct sf_server *srv, struct conn_ctx *ctx, uint64_t us, size_t bytes)
{
	struct sf_req *req = &ctx->req;
	struct sf_buf line;
	struct sf_jw w;
	char ts[32];

	if (!srv->app->cfg.log_requests)
		return;
	sf_buf_init(&line, 16384);
	sf_jw_init(&w, &line);
	sf_time_iso(req->now, ts);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "ts", ts);
	sf_jw_kstr(&w, "level", "info");
	sf_jw_kstr(&w, "msg", "request");
	sf_jw_kstr(&w, "method", req->method);
	sf_jw_kstr(&w, "path", req->path);
	sf_jw_kstr(&w, "route", req->route ? req->route->name : NULL);
	sf_jw_kint(&w, "status", req->status);
	sf_jw_knum(&w, "ms", (double)us / 1000.0);
	sf_jw_kint(&w, "bytes", (int64_t)bytes);
	sf_jw_kstr(&w, "ip", req->ip);
	if (req->who.user_id)
		sf_jw_kint(&w, "user", req->who.user_id);
	if (req->status >= 400 && req->err.code[0])
		sf_jw_kstr(&w, "error", req->err.code);
	sf_jw_obj_end(&w);
	sf_log_json_line(line.data, line.len);
	sf_buf_release(&line);
}

/* Run the route's declared checks, then the handler. */
static void dispatch(struct sf_server *srv, struct conn_ctx *ctx)
{
	struct sf_req *req = &ctx->req;
	const struct sf_route *rt;
	/* Open311 clients get the spec's error list in their format. */
	bool o311 = strncmp(req->path, "/open311/", 9) == 0;
	size_t n = strlen(req->path);
	enum sf_o311_fmt fmt =
		n > 4 && !strcmp(req->path + n - 4, ".xml") ? SF_O311_XML : SF_O311_JSON;
	int rc;

	if (ctx->bad_method) {
		if (o311)
			sf_o311_fail(req, fmt, 405, "method not supported");
		else
			sf_req_fail(req, SF_EMETHOD, "method_not_allowed", "",
				    "method not supported");
		return;
	}
	if (req->status == 400) {
		if (o311)
			sf_o311_fail(req, fmt, 400, "at most %d query parameters",
				     SF_REQ_MAX_QUERY);
		else
			sf_req_fail(req, SF_EINVAL, "too_many_parameters", "",
				    "at most %d query parameters", SF_REQ_MAX_QUERY);
		return;
	}
	if (!req->bad_text && !sf_utf8_valid(req->path, strlen(req->path)))
		req->bad_text = "path";
	if (req->bad_text) {
		if (o311)
			sf_o311_fail(req, fmt, 400, "%s is not valid UTF-8 text", req->bad_text);
		else
			sf_req_fail(req, SF_EINVAL, "invalid_utf8", req->bad_text,
				    "%s is not valid UTF-8 text", req->bad_text);
		return;
	}
	if (ctx->route < 0 && o311) {
		if (ctx->route == -2)
			sf_o311_fail(req, fmt, 405, "%s is not allowed here", req->method);
		else
			sf_o311_fail(req, fmt, 404, "no such resource: %s", req->path);
		return;
	}
	if (ctx->route == -2) {
		sf_req_fail(req, SF_EMETHOD, "method_not_allowed", "", "%s is not allowed on %s",
			    req->method, req->path);
		return;
	}
	if (ctx->route < 0) {
		sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no such resource: %s", req->path);
		return;
	}
	rt = &sf_routes[ctx->route];
	req->route = rt;
	if (ctx->too_big) {
		if (o311)
			sf_o311_fail(req, fmt, 413, "the request body is larger than %zu bytes",
				     ctx->body.max);
		else
			sf_req_fail(req, SF_ETOOBIG, "body_too_large", "",
				    "the request body is larger than %zu bytes", ctx->body.max);
		return;
	}
	req->body = ctx->body.data;
	req->body_len = ctx->body.len;
	rc = sf_auth_resolve(req);
	if (rc)
		return;
	if (rt->flags & SF_R_AUTH) {
		if (!req->who.user_id) {
			sf_req_fail(req, SF_EAUTH, "unauthenticated", "",
				    "sign in first (session expired or missing)");
			return;
		}
		if (rt->roles && !(rt->roles & SF_ROLE_BIT(req->who.role))) {
			sf_req_fail(req, SF_EFORBIDDEN, "role_not_allowed", "",
				    "your role may not do this");
			return;
		}
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
	    !(rt->flags & SF_R_NOCSRF) && req->who.user_id && !req->who.via_token) {
		if (!req->csrf_header || !sf_auth_csrf_ok(req, req->csrf_header)) {
			sf_req_fail(req, SF_EFORBIDDEN, "csrf", "X-CSRF-Token",
				    "missing or wrong CSRF token");
			return;
		}
	}
	rc = rt->handler(req);
	if (rc && !req->err.rc)
		sf_req_fail(req, rc, NULL, "", "request failed");
}

/* The group commit's writer thread: the parked request's write is done. */
static void write_done(struct sf_db_job *job)
{
	struct conn_ctx *ctx =
		(struct conn_ctx *)(void *)((char *)job - offsetof(struct conn_ctx, req.job));

	atomic_store(&ctx->written, true);
	MHD_resume_connection(ctx->conn);
}

/* The handler asked for a durable write: give back the database
 * connection, park the HTTP connection (this thread serves others
 * meanwhile) and queue the write; write_done wakes it. */
static enum MHD_Result park(struct sf_server *srv, struct conn_ctx *ctx)
{
	struct sf_req *req = &ctx->req;

	sf_req_release(req);
	req->job.done = write_done;
	MHD_suspend_connection(ctx->conn);
	if (sf_db_write_async(srv->app->db, &req->job) != 0) {
		req->job.rc = SF_EDB;
		atomic_store(&ctx->written, true);
		MHD_resume_connection(ctx->conn);
	}
	return MHD_YES;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct sf_server *srv,
				  struct conn_ctx *ctx)
{
	struct sf_req *req = &ctx->req;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t bytes;
	uint64_t us;

	sf_req_release(req);
	if (req->err.rc) {
		req->status = sf_err_http_status(req->err.rc);
		sf_req_render_error(req);
	}
	if (!req->status)
		req->status = 200;
	if (req->out_static) {
		bytes = req->out_static_len;
		resp = MHD_create_response_from_buffer(bytes, (void *)req->out_static,
						       MHD_RESPMEM_MUST_COPY);
	} else {
		char *p = sf_buf_detach(&req->out, &bytes);
		resp = MHD_create_response_from_buffer(bytes, p, MHD_RESPMEM_MUST_FREE);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				req->resp_type ? req->resp_type
					       : "application/json; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				req->cache_control ? req->cache_control : "no-store");
	for (size_t i = 0; i < req->nset_cookie; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, req->set_cookie[i]);
	if (req->disposition)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
					req->disposition);
	if (req->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, req->location);
	if (req->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					"GET, POST, PUT, PATCH, DELETE");
	ret = MHD_queue_response(conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	us = (uint64_t)sf_time_mono_us() - ctx->t0_us;
	sf_metrics_observe(srv->app->metrics,
			   ctx->route >= 0 ? (size_t)ctx->route
					   : (ctx->route == -3 ? srv->nroutes : srv->nroutes + 1),
			   req->status, us);
	log_request(srv, ctx, us, bytes);
	return ret;
}

static bool is_api_path(const char *url)
{
	return strncmp(url, "/api/", 5) == 0 || strncmp(url, "/open311/", 9) == 0 ||
	       strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct sf_server *srv = cls;
	struct conn_ctx *ctx = *con_cls;
	struct sf_req *req;

	(void)version;
	if (!ctx) {
		size_t np = 0;

		ctx = sf_xcalloc(1, sizeof(*ctx));
		ctx->t0_us = (uint64_t)sf_time_mono_us();
		req = &ctx->req;
		sf_arena_init(&req->arena);
		sf_buf_init(&req->out, 0);
		req->app = srv->app;
		req->now = sf_time_now();
		req->method = sf_arena_strdup(&req->arena, method);
		req->path = sf_arena_strdup(&req->arena, url);
		req->ip = client_ip(conn, &req->arena);
		if (srv->app->cfg.trust_proxy) {
			const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								      "X-Forwarded-For");
			if (xff && *xff && strlen(xff) < 512) {
				/* The proxy appends the address it saw: the last hop. */
				const char *last = strrchr(xff, ',');

				last = last ? last + 1 : xff;
				while (*last == ' ')
					last++;
				if (*last && strlen(last) < 64)
					req->ip = sf_arena_strdup(&req->arena, last);
			}
		}
		req->content_type =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		req->authorization =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		req->csrf_header =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
		req->session_cookie =
			MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SF_AUTH_COOKIE);
		req->user_agent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
		req->can_defer = true;
		ctx->conn = conn;
		atomic_init(&ctx->written, false);
		req->lang = pick_lang(
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
		ctx->bad_method = !known_method(method);
		if (is_api_path(url)) {
			ctx->scratch = sf_arena_alloc(&req->arena, strlen(url) + 1);
			ctx->route = sf_router_match(sf_routes, method, url, ctx->scratch,
						     req->params, SF_REQ_MAX_PARAMS, &np);
			req->nparams = np;
		} else {
			ctx->route = -3; /* static */
		}
		sf_buf_init(&ctx->body,
			    ctx->route >= 0 && (sf_routes[ctx->route].flags & SF_R_UPLOAD)
				    ? srv->app->cfg.upload_max
				    : srv->app->cfg.body_max);
		atomic_fetch_add(&srv->app->metrics->in_flight, 1);
		*con_cls = ctx;
		/* Answer on a later call: queueing now would close the connection. */
		return MHD_YES;
	}
	req = &ctx->req;
	if (req->deferred) {
		int rc;

		if (!atomic_load(&ctx->written))
			return MHD_YES; /* woken before the write was done: keep waiting */
		rc = sf_req_write_finish(req);
		if (rc && !req->err.rc)
			sf_req_fail(req, rc, NULL, "", "request failed");
		return send_reply(conn, srv, ctx);
	}
	if (*upload_size) {
		if (!ctx->too_big) {
			sf_buf_add(&ctx->body, upload, *upload_size);
			if (!sf_buf_ok(&ctx->body)) {
				ctx->too_big = true;
				sf_buf_release(&ctx->body);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (ctx->route == -3 && !ctx->bad_method) {
		struct sf_static_reply sr;
		int st;

		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
			sf_req_fail(req, SF_EMETHOD, "method_not_allowed", "",
				    "static files are read-only");
			return send_reply(conn, srv, ctx);
		}
		st = sf_static_open(srv->app->cfg.web_dir, url, &sr);
		if (st == 0) {
			struct MHD_Response *resp =
				MHD_create_response_from_fd((uint64_t)sr.size, sr.fd);
			enum MHD_Result ret;

			if (!resp) {
				close(sr.fd);
				return MHD_NO;
			}
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, sr.type);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, sr.cache);
			MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
			ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
			MHD_destroy_response(resp);
			req->status = 200;
			sf_metrics_observe(srv->app->metrics, srv->nroutes, 200,
					   (uint64_t)sf_time_mono_us() - ctx->t0_us);
			return ret;
		}
		sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no such page: %s", url);
		ctx->route = -3;
		return send_reply(conn, srv, ctx);
	}
	dispatch(srv, ctx);
	if (req->deferred && !req->err.rc)
		return park(srv, ctx);
	req->deferred = false;
	return send_reply(conn, srv, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct sf_server *srv = cls;
	struct conn_ctx *ctx = *con_cls;

	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	atomic_fetch_sub(&srv->app->metrics->in_flight, 1);
	sf_req_release(&ctx->req);
	sf_buf_release(&ctx->body);
	sf_buf_release(&ctx->req.out);
	sf_arena_release(&ctx->req.arena);
	free(ctx);
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct sf_error *err)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return sf_error_set(err, SF_EINVAL, "invalid_listen", "listen",
				    "listen must be HOST:PORT, got '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return sf_error_set(err, SF_EINVAL, "invalid_listen", "listen", "bad port in '%s'",
				    listen);
	if (strcmp(host, "localhost") == 0 || !*host)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return sf_error_set(err, SF_EINVAL, "invalid_listen", "listen",
				    "'%s' is not an IPv4 address", host);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int sf_server_start(struct sf_app *app, struct sf_server **out, struct sf_error *err)
{
	struct sf_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned threads;
	int rc;

	*out = NULL;
	rc = parse_listen(app->cfg.listen, &sa, err);
	if (rc)
		return rc;
	threads = app->cfg.threads > 0 ? (unsigned)app->cfg.threads
				       : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	srv = sf_xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->nroutes = sf_router_count(sf_routes);
	srv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
					  MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME,
				  0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg.conn_timeout,
				  MHD_OPTION_CONNECTION_LIMIT, 4096u,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
				  MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
	if (!srv->d) {
		free(srv);
		return sf_error_set(err, SF_EIO, "listen_failed", "listen", "cannot listen on %s",
				    app->cfg.listen);
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	*out = srv;
	return 0;
}

int sf_server_port(const struct sf_server *srv)
{
	return srv->port;
}

void sf_server_stop(struct sf_server *srv, int grace_ms)
{
	if (!srv)
		return;
	{
		/* Close the listening socket at once so a load balancer sees the
		 * refusal and sends new requests elsewhere. */
		MHD_socket ls = MHD_quiesce_daemon(srv->d);

		if (ls != MHD_INVALID_SOCKET)
			close(ls);
	}
	for (int waited = 0; waited < grace_ms; waited += 10) {
		if (atomic_load(&srv->app->metrics->in_flight) == 0)
			break;
		usleep(10 * 1000);
	}
	MHD_stop_daemon(srv->d);
	free(srv);
}

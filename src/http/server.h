/* The HTTP server: libmicrohttpd with a thread pool, keep-alive, body caps,
 * timeouts, the JSON API router, static files, logs and metrics. */
#ifndef SF_SERVER_H
#define SF_SERVER_H

#include "api/app.h"

struct sf_server;

/* Start serving app->cfg.listen. Errors: SF_EINVAL (bad address), SF_EIO
 * (cannot bind). */
int sf_server_start(struct sf_app *app, struct sf_server **out, struct sf_error *err);
/* Stop accepting, let requests in flight finish (up to grace_ms), stop. */
void sf_server_stop(struct sf_server *srv, int grace_ms);
/* The port actually bound (useful with port 0). */
int sf_server_port(const struct sf_server *srv);

#endif

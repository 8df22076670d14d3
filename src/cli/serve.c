/* sanfu serve: run the HTTP server until SIGTERM or SIGINT, with the
 * deadline scan in a background thread. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/route.h"
#include "api/scan.h"
#include "cli/cli.h"
#include "http/router.h"
#include "http/server.h"
#include "util/log.h"
#include "util/metrics.h"
#include "store/jobs.h"
#include "util/timefmt.h"

struct scan_thread {
	struct sf_app *app;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Whether this server should run the scan now: with PostgreSQL, only the
 * holder of the advisory lock does (on a connection of its own). */
static bool scan_turn(struct sf_app *app, struct sf_db **lockdb)
{
	struct sf_error err = { 0 };
	struct sf_conn *c;
	bool held = false;

	if (sf_db_engine(app->db) == SF_DB_SQLITE)
		return true;
	if (!*lockdb && sf_db_open(app->cfg.db, 1, lockdb, &err) != 0) {
		sf_log(SF_LOG_WARN, "scan lock: cannot connect: %s", err.message);
		return false;
	}
	c = sf_db_get(*lockdb);
	if (sf_store_job_try_lock(c, "deadline-scan", &held) != 0) {
		sf_log(SF_LOG_WARN, "scan lock: %s", sf_conn_errmsg(c));
		held = false;
	}
	sf_db_put(*lockdb, c);
	if (held != atomic_load(&app->scan_leader))
		sf_log(SF_LOG_INFO, held ? "this server now runs the deadline scan"
					 : "another server runs the deadline scan");
	atomic_store(&app->scan_leader, held);
	return held;
}

static void *scan_loop(void *arg)
{
	struct scan_thread *t = arg;
	struct sf_app *app = t->app;
	struct sf_db *lockdb = NULL;

	pthread_mutex_lock(&t->mu);
	while (!atomic_load(&app->stopping)) {
		struct timespec ts;
		struct sf_scan_report rep;
		struct sf_error err = { 0 };

		pthread_mutex_unlock(&t->mu);
		if (scan_turn(app, &lockdb)) {
			atomic_fetch_add(&app->scan_runs, 1);
			if (sf_scan_run(app, sf_time_now(), &rep, &err) != 0)
				sf_log(SF_LOG_ERROR, "deadline scan failed: %s", err.message);
			else if (rep.warned || rep.overdue || rep.escalated || rep.problems)
				sf_log(SF_LOG_INFO,
				       "deadline scan: %d warned, %d overdue, %d escalated, %d "
				       "problem orders",
				       rep.warned, rep.overdue, rep.escalated, rep.problems);
		}
		pthread_mutex_lock(&t->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += app->cfg.scan_interval;
		while (!atomic_load(&app->stopping) &&
		       pthread_cond_timedwait(&t->cv, &t->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&t->mu);
	sf_db_close(lockdb);
	return NULL;
}

int sf_cli_serve(struct sf_app *app, int argc, char **argv)
{
	struct sf_server *srv = NULL;
	struct sf_error err = { 0 };
	struct scan_thread st = { .app = app };
	pthread_t scan_tid;
	bool scanning = false;
	const char *names[256];
	size_t n = sf_router_count(sf_routes);
	sigset_t set;
	int sig = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "sanfu serve: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	for (size_t i = 0; i < n && i < 254; i++)
		names[i] = sf_routes[i].name;
	sf_metrics_init(app->metrics, names, n < 254 ? n : 254);
	/* Block the signals in every thread; the main thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sf_server_start(app, &srv, &err) != 0)
		return sf_cli_fail(&err);
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.cv, NULL);
	if (app->cfg.scan_interval > 0)
		scanning = pthread_create(&scan_tid, NULL, scan_loop, &st) == 0;
	sf_log(SF_LOG_INFO, "sanfu %s serving http://%s (port %d)", SF_VERSION, app->cfg.listen,
	       sf_server_port(srv));
	sigwait(&set, &sig);
	sf_log(SF_LOG_INFO, "signal %d: finishing requests in flight", sig);
	atomic_store(&app->stopping, true);
	pthread_mutex_lock(&st.mu);
	pthread_cond_broadcast(&st.cv);
	pthread_mutex_unlock(&st.mu);
	sf_server_stop(srv, 10000);
	if (scanning)
		pthread_join(scan_tid, NULL);
	pthread_mutex_destroy(&st.mu);
	pthread_cond_destroy(&st.cv);
	sf_log(SF_LOG_INFO, "stopped");
	return 0;
}

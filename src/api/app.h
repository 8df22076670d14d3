/* The application: configuration and the shared state every request and
 * command uses (database, calendar, keys, metrics). Built once in main.c
 * and passed down; there are no other globals. */
#ifndef SF_APP_H
#define SF_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cache.h"
#include "domain/calendar.h"
#include "store/db.h"
#include "util/crypto.h"

struct sf_config {
	char listen[128];       /* host:port, default 127.0.0.1:8080 */
	char db[1024];          /* sqlite path, sqlite:PATH or postgres:// URL */
	char data_dir[512];     /* calendar, demo seed, openapi.json */
	char web_dir[512];      /* the console and portal */
	char key_file[512];     /* sealing key for personal data */
	char jurisdiction[128]; /* Open311 jurisdiction_id, empty = not checked */
	char public_url[256];   /* base URL used in links and discovery */
	size_t body_max;        /* JSON body cap, default 1 MiB */
	size_t upload_max;      /* photo cap, default 8 MiB */
	int threads;            /* 0 = number of cores */
	int conn_timeout;       /* seconds of idle before a connection is closed */
	int session_ttl;        /* absolute session lifetime, seconds */
	int session_idle;       /* idle timeout, seconds */
	int lockout_attempts;   /* failed logins before a lockout */
	int lockout_secs;       /* lockout length */
	int scan_interval;      /* seconds between deadline scans; 0 = never */
	int public_rate;        /* portal submissions per IP per hour */
	bool secure_cookie;     /* add Secure to the session cookie */
	bool trust_proxy;       /* take the client address from X-Forwarded-For */
	bool fast_hash;         /* tests only: cheap password hashing */
	bool log_requests;
};

struct sf_metrics;

struct sf_app {
	struct sf_config cfg;
	struct sf_db *db;
	struct sf_calendar cal;
	pthread_rwlock_t cal_lock;
	struct sf_crypto_key key;
	struct sf_metrics *metrics;
	int64_t started_at;
	atomic_bool stopping;
	atomic_bool scan_leader; /* this server holds the scan lock */
	atomic_uint_fast64_t scan_runs;
	atomic_uint_fast64_t cal_version; /* moves with every calendar reload */
	struct sf_cache dash_cache;       /* the dashboard's answers: api/stats.c */
};

/* Defaults for every field. */
void sf_config_defaults(struct sf_config *cfg);

/* Open the database, apply migrations, load the calendar and the key.
 * Errors: whatever failed, described in err. */
int sf_app_open(struct sf_app *app, struct sf_error *err);
void sf_app_close(struct sf_app *app);
/* Load one calendar file's text (data/calendar format) into the database,
 * replacing that year, then reload. Nothing changes on a bad file. */
int sf_app_import_calendar(struct sf_app *app, const char *text, size_t len, int *year,
			   struct sf_error *err);
int sf_app_import_calendar_file(struct sf_app *app, const char *path, int *year,
				struct sf_error *err);
/* Reload the working-day calendar from the database. */
int sf_app_reload_calendar(struct sf_app *app, struct sf_error *err);

#endif

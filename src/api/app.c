/* Building and tearing down the application state; see app.h. */
#include "api/app.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/stats.h"
#include "store/calendar.h"
#include "store/schema.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"
#include "util/timefmt.h"

void sf_config_defaults(struct sf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
	snprintf(cfg->db, sizeof(cfg->db), "var/sanfu.db");
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "data");
	snprintf(cfg->web_dir, sizeof(cfg->web_dir), "web");
	cfg->body_max = (size_t)1 << 20;
	cfg->upload_max = (size_t)8 << 20;
	cfg->threads = 0;
	cfg->conn_timeout = 30;
	cfg->session_ttl = 12 * 3600;
	cfg->session_idle = 2 * 3600;
	cfg->lockout_attempts = 5;
	cfg->lockout_secs = 15 * 60;
	cfg->scan_interval = 60;
	cfg->public_rate = 10;
	cfg->log_requests = true;
}

struct import_ctx {
	struct sf_conn *c;
};

static int put_row(void *vctx, int32_t ymd, bool workday, const char *name, struct sf_error *err)
{
	struct import_ctx *ctx = vctx;
	int rc = sf_store_calendar_put(ctx->c, ymd, workday, name);

	if (rc)
		return sf_error_set(err, rc, "db_error", "", "cannot store calendar day %d", ymd);
	return 0;
}

int sf_app_import_calendar(struct sf_app *app, const char *text, size_t len, int *year,
			   struct sf_error *err)
{
	struct sf_conn *c = sf_db_get(app->db);
	struct import_ctx ctx = { c };
	int y = 0;
	int rc;

	/* Check the whole file before touching the year's stored days. */
	rc = sf_calendar_parse_rows(text, len, NULL, NULL, &y, err);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_calendar_clear_year(c, y);
	if (!rc)
		rc = sf_calendar_parse_rows(text, len, put_row, &ctx, &y, err);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc && !err->rc)
		sf_error_set(err, rc, "db_error", "", "cannot store the calendar");
out:
	sf_db_put(app->db, c);
	if (!rc) {
		if (year)
			*year = y;
		rc = sf_app_reload_calendar(app, err);
	}
	return rc;
}

int sf_app_import_calendar_file(struct sf_app *app, const char *path, int *year,
				struct sf_error *err)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;
	int rc;

	if (!f)
		return sf_error_set(err, SF_EIO, "io_error", "file", "cannot open %s: %s", path,
				    strerror(errno));
	text = sf_xmalloc((size_t)SF_CALENDAR_MAX_TEXT + 1);
	n = fread(text, 1, SF_CALENDAR_MAX_TEXT + 1, f);
	fclose(f);
	if (n > SF_CALENDAR_MAX_TEXT) {
		free(text);
		return sf_error_set(err, SF_ETOOBIG, "too_large", "file", "%s is too large", path);
	}
	rc = sf_app_import_calendar(app, text, n, year, err);
	free(text);
	return rc;
}

/* On a new database, load the calendars shipped in data/calendar. */
static int seed_calendar(struct sf_app *app, struct sf_error *err)
{
	char dir[640], path[1024];
	struct dirent *de;
	int64_t n = 0;
	struct sf_conn *c = sf_db_get(app->db);
	int rc = sf_store_calendar_count(c, &n);
	DIR *d;

	sf_db_put(app->db, c);
	if (rc || n > 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s/calendar", app->cfg.data_dir);
	d = opendir(dir);
	if (!d) {
		sf_log(SF_LOG_WARN, "no calendar files in %s: deadlines count Monday to Friday",
		       dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".csv") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = sf_app_import_calendar_file(app, path, NULL, err);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

int sf_app_reload_calendar(struct sf_app *app, struct sf_error *err)
{
	struct sf_calendar cal;
	struct sf_conn *c = sf_db_get(app->db);
	int rc;

	sf_calendar_init(&cal);
	rc = sf_store_calendar_load(c, &cal, err);
	sf_db_put(app->db, c);
	if (rc) {
		sf_calendar_release(&cal);
		return rc;
	}
	pthread_rwlock_wrlock(&app->cal_lock);
	sf_calendar_release(&app->cal);
	app->cal = cal;
	atomic_fetch_add(&app->cal_version, 1);
	pthread_rwlock_unlock(&app->cal_lock);
	return 0;
}

static int ensure_parent_dir(const char *path)
{
	char dir[1024];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int sf_app_open(struct sf_app *app, struct sf_error *err)
{
	char keyfile[1100];
	int applied = 0;
	int rc;

	app->started_at = sf_time_now();
	atomic_init(&app->stopping, false);
	atomic_init(&app->cal_version, 0);
	sf_calendar_init(&app->cal);
	pthread_rwlock_init(&app->cal_lock, NULL);
	app->metrics = sf_xcalloc(1, sizeof(*app->metrics));
	sf_cache_init(&app->dash_cache, SF_DASH_CACHE_ENTRIES, SF_DASH_CACHE_VALUE_MAX);
	if (sf_crypto_init() != 0)
		return sf_error_set(err, SF_EINTERNAL, "crypto", "", "libsodium failed to start");
	sf_crypto_set_pwhash_cost(app->cfg.fast_hash);
	if (strncmp(app->cfg.db, "postgres", 8) != 0) {
		const char *path =
			strncmp(app->cfg.db, "sqlite:", 7) == 0 ? app->cfg.db + 7 : app->cfg.db;
		if (ensure_parent_dir(path) != 0)
			return sf_error_set(err, SF_EIO, "io_error", "db",
					    "cannot create the folder of %s", path);
	}
	rc = sf_db_open(app->cfg.db, app->cfg.threads > 0 ? app->cfg.threads + 2 : 8, &app->db,
			err);
	if (rc)
		return rc;
	rc = sf_schema_migrate(app->db, app->started_at, &applied, err);
	if (rc)
		return rc;
	if (applied)
		sf_log(SF_LOG_INFO, "applied %d migration(s)", applied);
	if (app->cfg.key_file[0]) {
		snprintf(keyfile, sizeof(keyfile), "%s", app->cfg.key_file);
	} else if (sf_db_path(app->db)) {
		snprintf(keyfile, sizeof(keyfile), "%s.key", sf_db_path(app->db));
	} else {
		snprintf(keyfile, sizeof(keyfile), "var/sanfu.key");
		ensure_parent_dir(keyfile);
	}
	rc = sf_crypto_key_load(keyfile, &app->key, true, err);
	if (rc)
		return rc;
	rc = seed_calendar(app, err);
	if (rc)
		return rc;
	return sf_app_reload_calendar(app, err);
}

void sf_app_close(struct sf_app *app)
{
	sf_db_close(app->db);
	app->db = NULL;
	sf_calendar_release(&app->cal);
	pthread_rwlock_destroy(&app->cal_lock);
	sf_crypto_key_release(&app->key);
	free(app->metrics);
	app->metrics = NULL;
	sf_cache_release(&app->dash_cache);
}

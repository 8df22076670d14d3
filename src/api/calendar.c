/* The working-day calendar over HTTP (declared in admin.h): the stored
 * holidays and make-up working days of a year, the deadline a number of
 * working days gives (the intake form shows it before saving), and the
 * administrator's import of a year's cn-YYYY.csv file. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/admin.h"
#include "api/app.h"
#include "api/common.h"
#include "api/fields.h"
#include "domain/calendar.h"
#include "store/audit.h"
#include "store/calendar.h"
#include "util/jw.h"
#include "util/timefmt.h"

struct day_out {
	struct sf_jw *w;
	int64_t n;
};

static int day_row(int32_t ymd, bool workday, const char *name, void *ctx)
{
	struct day_out *o = ctx;
	char date[16];

	sf_jw_obj_begin(o->w);
	sf_jw_kstr(o->w, "date", sf_date_format(ymd, date, sizeof(date)));
	sf_jw_kstr(o->w, "kind", workday ? "workday" : "holiday");
	sf_jw_kstr(o->w, "name", name ? name : "");
	sf_jw_obj_end(o->w);
	o->n++;
	return 0;
}

int sf_api_calendar_get(struct sf_req *req)
{
	struct sf_app *app = req->app;
	struct sf_time_parts now;
	int64_t year;
	bool loaded;
	int workdays;
	struct sf_jw w;
	struct day_out o = { &w, 0 };
	int rc;

	sf_time_local_parts(req->now, &now);
	year = now.year;
	rc = sf_api_query_int(req, "year", 2000, 2100, &year, NULL);
	if (rc)
		return rc;
	pthread_rwlock_rdlock(&app->cal_lock);
	loaded = sf_calendar_has_year(&app->cal, (int)year);
	workdays = sf_calendar_workdays_between(&app->cal, (int32_t)((year - 1) * 10000 + 1231),
						(int32_t)(year * 10000 + 1231));
	pthread_rwlock_unlock(&app->cal_lock);
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "year", year);
	sf_jw_kbool(&w, "loaded", loaded);
	sf_jw_kint(&w, "workdays_in_year", workdays);
	sf_jw_key(&w, "days");
	sf_jw_arr_begin(&w);
	rc = sf_store_calendar_each(sf_req_conn(req), (int)year, day_row, &o);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the calendar");
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_calendar_deadline(struct sf_req *req)
{
	struct sf_app *app = req->app;
	int64_t start = req->now, days = 0, deadline;
	bool has_start = false, has_days = false;
	int left;
	char s_iso[32], d_iso[32], d_date[16];
	struct sf_jw w;
	int rc = sf_api_query_time(req, "start", false, &start, &has_start);

	if (!rc)
		rc = sf_api_query_int(req, "days", 0, 365, &days, &has_days);
	if (rc)
		return rc;
	if (!has_start)
		start = req->now;
	if (!has_days)
		return sf_req_fail(req, SF_EINVAL, "missing_field", "days",
				   "days (working days, 0 to 365) is required");
	pthread_rwlock_rdlock(&app->cal_lock);
	deadline = sf_calendar_deadline(&app->cal, start, (int)days);
	left = deadline == INT64_MIN ? 0 : sf_calendar_workdays_left(&app->cal, req->now, deadline);
	pthread_rwlock_unlock(&app->cal_lock);
	if (deadline == INT64_MIN)
		return sf_req_fail(req, SF_EINVAL, "out_of_range", "start",
				   "start is outside the years the calendar can count");
	sf_time_iso(start, s_iso);
	sf_time_iso(deadline, d_iso);
	sf_time_date_local(deadline, d_date);
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "start", s_iso);
	sf_jw_kint(&w, "days", days);
	sf_jw_kstr(&w, "deadline", d_iso);
	sf_jw_kstr(&w, "deadline_date", d_date);
	sf_jw_kint(&w, "workdays_left", left);
	sf_jw_obj_end(&w);
	return 0;
}

static int count_day(int32_t ymd, bool workday, const char *name, void *ctx)
{
	(void)ymd;
	(void)workday;
	(void)name;
	(*(int64_t *)ctx)++;
	return 0;
}

int sf_api_calendar_import(struct sf_req *req)
{
	struct sf_audit_entry ae;
	char target[32];
	int64_t days = 0;
	int year = 0;
	struct sf_jw w;
	int rc;

	if (!req->content_type || strncasecmp(req->content_type, "text/csv", 8) != 0 ||
	    (req->content_type[8] && req->content_type[8] != ';' && req->content_type[8] != ' '))
		return sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				   "send the calendar file as text/csv");
	if (req->body_len == 0)
		return sf_req_fail(req, SF_EINVAL, "missing_field", "",
				   "the body is empty; send "
				   "the text of a cn-YYYY.csv file");
	if (req->body_len > SF_CALENDAR_MAX_TEXT)
		return sf_req_fail(req, SF_ETOOBIG, "too_large", "",
				   "a calendar file has at most %d bytes", SF_CALENDAR_MAX_TEXT);
	/* The import takes its own connection; give back the request's first. */
	sf_req_release(req);
	rc = sf_app_import_calendar(req->app, req->body, req->body_len, &year, &req->err);
	if (rc) {
		if (!req->err.rc)
			sf_req_fail(req, rc, NULL, "", "cannot import the calendar");
		return rc;
	}
	/* The days are stored and in use; record who loaded them. */
	snprintf(target, sizeof(target), "calendar:%d", year);
	sf_fields_audit(req, &ae, "calendar_import", target, "");
	rc = sf_store_audit_append(sf_req_conn(req), &ae);
	if (!rc)
		rc = sf_store_calendar_each(sf_req_conn(req), year, count_day, &days);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "",
				   "the calendar was loaded but cannot be read back");
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "year", year);
	sf_jw_kint(&w, "days", days);
	sf_jw_obj_end(&w);
	return 0;
}

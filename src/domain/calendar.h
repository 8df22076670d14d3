/* The working-day calendar of mainland China and the deadlines counted on it:
 * Shanghai dates (yyyymmdd ints), the official holidays and make-up working
 * days (调休) loaded per year from data/calendar/cn-YYYY.csv, and working-day
 * arithmetic. Pure: no I/O, no clock (callers pass `now`), no time zone
 * database. Not the store of the calendar rows (src/store) nor their display. */
#ifndef SF_CALENDAR_H
#define SF_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/*
 * Dates are int32 yyyymmdd (20261001), proleptic Gregorian, years 1..9999.
 * Times are int64 UTC seconds. Sanfu's local time is Asia/Shanghai, a fixed
 * UTC+8 without daylight saving (China has had none since 1991), converted arithmetically.
 *
 * Working days: Monday to Friday, except the holidays of a loaded year;
 * Saturday and Sunday are not, except its make-up working days. For a year
 * whose calendar is not loaded the rule is plain Monday to Friday, so a
 * deadline reaching into such a year ignores its holidays: load each year's
 * file as soon as the State Council publishes it (usually in November).
 */

#define SF_CALENDAR_MAX_DAYS 20000 /* exception days held (about 40 a year) */
#define SF_CALENDAR_MAX_TEXT 65536 /* bytes of one cn-YYYY.csv file */
#define SF_CALENDAR_MAX_LINE 1024  /* bytes of one line of it */
#define SF_CALENDAR_NAME_MAX 64    /* bytes of a day's name, NUL excluded */
#define SF_DATE_MIN 10101          /* 0001-01-01 */
#define SF_DATE_MAX 99991231       /* 9999-12-31 */
#define SF_UTC_OFFSET_SHANGHAI (8 * 3600)

/* One exception to the Monday-to-Friday rule. */
struct sf_calendar_day {
	int32_t ymd;
	bool workday; /* true: make-up working day; false: holiday */
};

/* The exceptions of the loaded years, sorted by date for binary search.
 * Caller-owned storage: sf_calendar_init, then sf_calendar_release. A
 * calendar is read-only after loading and may then be shared by threads. */
struct sf_calendar {
	struct sf_calendar_day *days;
	size_t n;
	size_t cap;
};

/* ---- dates ---- */

/* True when ymd is a real date of years 1..9999 (20250229 is not). */
bool sf_date_valid(int32_t ymd);
/* ymd plus n days (n may be negative); 0 when ymd is invalid or the result
 * falls outside years 1..9999. */
int32_t sf_date_add_days(int32_t ymd, int n);
/* ISO weekday, 1 = Monday .. 7 = Sunday; 0 when ymd is invalid. */
int sf_date_weekday(int32_t ymd);
/* The number of days from a to b: b - a, negative when b is earlier. Both
 * must be valid dates (asserted). */
int sf_date_diff(int32_t a, int32_t b);
/* The Shanghai calendar date at UTC second utc; 0 outside years 1..9999. */
int32_t sf_date_from_utc(int64_t utc);
/* UTC seconds of Shanghai local time hour:min:sec on ymd. The fields are
 * added arithmetically (24:00:00 is the next midnight). INT64_MIN when ymd
 * is invalid. */
int64_t sf_date_to_utc(int32_t ymd, int hour, int min, int sec);
/* Parse exactly "YYYY-MM-DD" (no spaces, no other text) into *out. Returns 0,
 * or SF_EINVAL (with *out untouched) for any other text or an invalid date. */
int sf_date_parse(const char *s, int32_t *out);
/* Write ymd as "YYYY-MM-DD" into buf (cap >= 11). Returns buf; "" for an
 * invalid date. */
char *sf_date_format(int32_t ymd, char *buf, size_t cap);

/* ---- the calendar ---- */

void sf_calendar_init(struct sf_calendar *cal);
/* Free the days; cal is left empty and may be reused. NULL is accepted. */
void sf_calendar_release(struct sf_calendar *cal);
/* Record ymd as a holiday (workday false) or make-up working day (true);
 * re-adding a day replaces its kind. Errors: SF_EINVAL for an invalid date,
 * SF_ETOOBIG past SF_CALENDAR_MAX_DAYS days. */
int sf_calendar_add(struct sf_calendar *cal, int32_t ymd, bool workday, struct sf_error *err);
/* Whether ymd is a working day (see the rule above); false for an invalid
 * date. */
bool sf_calendar_is_workday(const struct sf_calendar *cal, int32_t ymd);
/* Whether ymd is listed: sets *workday to its kind and returns true, or
 * returns false for an ordinary day. workday may be NULL. */
bool sf_calendar_lookup(const struct sf_calendar *cal, int32_t ymd, bool *workday);
/* Whether any day of year is loaded (a loaded year always lists 元旦). */
bool sf_calendar_has_year(const struct sf_calendar *cal, int year);

/* Called for each row of a calendar file: its date, its kind and its name
 * (NUL-terminated, valid UTF-8, at most SF_CALENDAR_NAME_MAX bytes, borrowed
 * for the call). Returns 0 to go on, or a negative sf_err (after filling err)
 * which stops the parse and is returned by it. */
typedef int sf_calendar_row_fn(void *ctx, int32_t ymd, bool workday, const char *name,
			       struct sf_error *err);

/*
 * Parse the text of one cn-YYYY.csv file (format in data/calendar/README.md):
 * '#' comment lines, blank lines, the header "date,kind,name", then one
 * "YYYY-MM-DD,holiday|workday,name" line per day; a leading UTF-8 BOM and
 * CRLF line ends are accepted. The whole text is checked first and row is
 * called for each row only when all of it is valid, in file order. All days
 * must be of one year, stored in *year_out (year_out may be NULL).
 * Errors (err->message names the line, "line 7: bad date \"2026-13-01\""):
 * SF_EINVAL for a malformed file (missing header, bad date, unknown kind,
 * empty or over-long name, a day listed twice, days of two years, a make-up
 * working day on Monday..Friday, no days at all); SF_ETOOBIG for a text over
 * SF_CALENDAR_MAX_TEXT or a line over SF_CALENDAR_MAX_LINE; or what row
 * returned.
 */
int sf_calendar_parse_rows(const char *text, size_t len, sf_calendar_row_fn *row, void *ctx,
			   int *year_out, struct sf_error *err);
/* sf_calendar_parse_rows, adding each row's day to cal. On any error cal is
 * unchanged. Errors: those of sf_calendar_parse_rows and sf_calendar_add. */
int sf_calendar_parse(struct sf_calendar *cal, const char *text, size_t len, int *year_out,
		      struct sf_error *err);

/* ---- working days and deadlines ---- */

/* The nth working day strictly after ymd (n >= 1), or strictly before it
 * (n <= -1); ymd itself for n == 0 (working day or not). 0 when ymd is
 * invalid or the result falls outside years 1..9999. */
int32_t sf_calendar_add_workdays(const struct sf_calendar *cal, int32_t ymd, int n);
/* Working days in (from, to]: after from, up to and including to; the
 * negative count of those in (to, from] when to < from. Both valid
 * (asserted). */
int sf_calendar_workdays_between(const struct sf_calendar *cal, int32_t from, int32_t to);
/* The deadline of something started at start_utc and given `workdays`
 * working days: 23:59:59 Shanghai time of the workdays-th working day after
 * the Shanghai date of start_utc, as UTC seconds. The start day never
 * counts: a problem filed on a working day has the rest of it free, one filed
 * on a holiday or weekend starts counting at the next working day. workdays
 * <= 0 gives the end of the start day. INT64_MIN outside years 1..9999. */
int64_t sf_calendar_deadline(const struct sf_calendar *cal, int64_t start_utc, int workdays);
/* Working days left at now_utc before deadline_utc, counted by Shanghai
 * dates: those after today up to and including the deadline's date; 0 when
 * the deadline falls today; negative (the working days overdue, those after
 * the deadline's date up to and including today) once it is past. 0 for
 * times outside years 1..9999. */
int sf_calendar_workdays_left(const struct sf_calendar *cal, int64_t now_utc, int64_t deadline_utc);

#endif

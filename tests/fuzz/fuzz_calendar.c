/* Fuzz target for domain/calendar: holiday files (cn-YYYY.csv) through
 * sf_calendar_parse_rows and sf_calendar_parse, dates through sf_date_parse,
 * then the working-day arithmetic on whatever calendar loaded. Invariants:
 * rows come only from a fully valid text, all of one year, with names that
 * are 1..64 bytes of UTF-8 without control characters and make-up working
 * days only at weekends; a failed load leaves the calendar as it was; adding
 * n working days and counting them back gives n; a deadline of k working
 * days leaves k working days on the day it was set. */
#include <stdbool.h>
#include <string.h>

#include "domain/calendar.h"
#include "fuzz.h"
#include "util/utf8.h"

struct rows {
	int year;
	size_t n;
	int32_t last_ymd;
	int32_t seen[400];
	size_t stop_at; /* return an error at this row (0: never) */
};

static int on_row(void *ctx, int32_t ymd, bool workday, const char *name, struct sf_error *err)
{
	struct rows *r = ctx;
	size_t len = strlen(name);

	FUZZ_CHECK(sf_date_valid(ymd));
	FUZZ_CHECK(len >= 1 && len <= SF_CALENDAR_NAME_MAX && sf_utf8_valid(name, len));
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)name[i] >= 0x20 && name[i] != 0x7f);
	if (workday)
		FUZZ_CHECK(sf_date_weekday(ymd) >= 6);
	if (!r->year)
		r->year = ymd / 10000;
	FUZZ_CHECK(ymd / 10000 == r->year);
	for (size_t i = 0; i < r->n && i < 400; i++)
		FUZZ_CHECK(r->seen[i] != ymd);
	FUZZ_CHECK(r->n < 400); /* a year has at most 366 days, each listed once */
	r->seen[r->n++] = ymd;
	if (r->stop_at && r->n == r->stop_at)
		return sf_error_set(err, SF_ECONFLICT, "stop", "", "stopped by the callback");
	return 0;
}

/* "YYYY-MM-DD" at the start of the input: parse and format back. */
static void date_round_trip(const uint8_t *data, size_t size)
{
	char s[16], back[16];
	int32_t ymd = -7;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	if (sf_date_parse(s, &ymd) != 0) {
		FUZZ_CHECK(ymd == -7);
		return;
	}
	FUZZ_CHECK(sf_date_valid(ymd));
	FUZZ_CHECK(strcmp(sf_date_format(ymd, back, sizeof(back)), s) == 0);
	FUZZ_CHECK(sf_date_weekday(ymd) >= 1 && sf_date_weekday(ymd) <= 7);
	FUZZ_CHECK(sf_date_add_days(sf_date_add_days(ymd, 400), -400) == ymd ||
		   sf_date_add_days(ymd, 400) == 0);
}

/* Working days on a loaded calendar, from a few days of its year. */
static void arithmetic(const struct sf_calendar *cal, int year, const uint8_t *data, size_t size)
{
	int32_t first = year * 10000 + 101;

	for (size_t i = 0; i < size && i < 8; i++) {
		int32_t d = sf_date_add_days(first, data[i] + (int)i * 40);
		int n = (int)(data[(i * 7) % size] % 21) - 10;
		int32_t r;
		int64_t start, deadline;

		if (!d)
			continue;
		r = sf_calendar_add_workdays(cal, d, n);
		if (!r)
			continue;
		if (n == 0) {
			FUZZ_CHECK(r == d);
			continue;
		}
		FUZZ_CHECK(sf_calendar_is_workday(cal, r));
		FUZZ_CHECK(sf_calendar_workdays_between(cal, d, r) ==
			   -sf_calendar_workdays_between(cal, r, d));
		if (n < 0) {
			/* (r, d] holds the -n - 1 working days between, and d. */
			FUZZ_CHECK(sf_calendar_workdays_between(cal, r, d) ==
				   -n - 1 + sf_calendar_is_workday(cal, d));
			continue;
		}
		FUZZ_CHECK(sf_calendar_workdays_between(cal, d, r) == n);
		start = sf_date_to_utc(d, 9, 30, 0);
		deadline = sf_calendar_deadline(cal, start, n);
		FUZZ_CHECK(deadline == sf_date_to_utc(r, 23, 59, 59));
		FUZZ_CHECK(sf_calendar_workdays_left(cal, start, deadline) == n);
		FUZZ_CHECK(sf_calendar_workdays_left(cal, deadline, deadline) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct rows checked = { 0 }, stopped = { .stop_at = 2 };
	struct sf_error err = { 0 };
	struct sf_calendar cal, pre;
	int year = -1, year2 = -1;
	int rc, rc2;

	date_round_trip(data, size);
	rc = sf_calendar_parse_rows(text, size, on_row, &checked, &year, &err);
	if (rc) {
		FUZZ_CHECK(err.rc == rc && (rc == SF_EINVAL || rc == SF_ETOOBIG));
		FUZZ_CHECK(checked.n == 0 && year == -1);
	} else {
		FUZZ_CHECK(checked.n >= 1 && year == checked.year);
		FUZZ_CHECK(year >= 1 && year <= 9999);
	}
	/* A callback error stops the walk and comes back. */
	rc2 = sf_calendar_parse_rows(text, size, on_row, &stopped, NULL, &err);
	if (rc == 0 && checked.n >= 2)
		FUZZ_CHECK(rc2 == SF_ECONFLICT && stopped.n == 2);
	else
		FUZZ_CHECK(rc2 == rc);

	sf_calendar_init(&cal);
	memset(&err, 0, sizeof(err));
	rc2 = sf_calendar_parse(&cal, text, size, &year2, &err);
	FUZZ_CHECK(rc2 == rc);
	if (rc == 0) {
		FUZZ_CHECK(year2 == year && cal.n == checked.n);
		FUZZ_CHECK(sf_calendar_has_year(&cal, year));
		for (size_t i = 0; i < checked.n; i++)
			FUZZ_CHECK(sf_calendar_lookup(&cal, checked.seen[i], NULL));
		for (size_t i = 1; i < cal.n; i++)
			FUZZ_CHECK(cal.days[i - 1].ymd < cal.days[i].ymd);
		arithmetic(&cal, year, data, size);
	} else {
		FUZZ_CHECK(cal.n == 0);
	}
	/* Loading into a calendar that holds a day already: all or nothing. */
	sf_calendar_init(&pre);
	FUZZ_CHECK(sf_calendar_add(&pre, 20991231, false, &err) == 0);
	rc2 = sf_calendar_parse(&pre, text, size, NULL, &err);
	FUZZ_CHECK(rc2 == rc);
	FUZZ_CHECK(
		pre.n ==
		(rc ? 1
		    : 1 + checked.n - (year == 2099 && sf_calendar_lookup(&cal, 20991231, NULL))));
	sf_calendar_release(&pre);
	sf_calendar_release(&cal);
	return 0;
}

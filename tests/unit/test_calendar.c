/* Unit tests of the working-day calendar against the shipped data files
 * (data/calendar/cn-2025.csv and cn-2026.csv, read from the repository root).
 * Expected dates were worked out by hand from the State Council notices and
 * a real calendar, not taken from the code's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/calendar.h"

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void load(struct sf_calendar *cal, const char *path, int want_year)
{
	struct sf_error err = { 0 };
	size_t len;
	char *text = read_text(path, &len);
	int year = 0;
	int rc = sf_calendar_parse(cal, text, len, &year, &err);

	if (rc)
		fail_msg("%s: %s", path, err.message);
	assert_int_equal(year, want_year);
	free(text);
}

static int setup_cal(void **state)
{
	struct sf_calendar *cal = malloc(sizeof(*cal));

	sf_calendar_init(cal);
	load(cal, "data/calendar/cn-2025.csv", 2025);
	load(cal, "data/calendar/cn-2026.csv", 2026);
	*state = cal;
	return 0;
}

static int teardown_cal(void **state)
{
	sf_calendar_release(*state);
	free(*state);
	return 0;
}

/* ---- dates ---- */

static void test_date_valid(void **state)
{
	assert_true(sf_date_valid(20240229));
	assert_false(sf_date_valid(20250229));
	assert_false(sf_date_valid(21000229));
	assert_true(sf_date_valid(20000229));
	assert_false(sf_date_valid(20261301));
	assert_false(sf_date_valid(20260100));
	assert_false(sf_date_valid(20260431));
	assert_true(sf_date_valid(20261231));
	assert_false(sf_date_valid(0));
	assert_true(sf_date_valid(10101));
	assert_true(sf_date_valid(99991231));
	assert_false(sf_date_valid(100000101));
	assert_false(sf_date_valid(-20260101));
}

static void test_date_weekday_and_add(void **state)
{
	char buf[16];

	assert_int_equal(sf_date_weekday(20261001), 4); /* Thursday, per the notice */
	assert_int_equal(sf_date_weekday(20260214), 6);
	assert_int_equal(sf_date_weekday(20260104), 7);
	assert_int_equal(sf_date_weekday(19700101), 4);
	assert_int_equal(sf_date_weekday(10101), 1);
	assert_int_equal(sf_date_weekday(99991231), 5);
	assert_int_equal(sf_date_weekday(20250229), 0);

	assert_int_equal(sf_date_add_days(20241231, 60), 20250301);
	assert_int_equal(sf_date_add_days(20240228, 1), 20240229);
	assert_int_equal(sf_date_add_days(20250228, 1), 20250301);
	assert_int_equal(sf_date_add_days(20260101, -1), 20251231);
	assert_int_equal(sf_date_add_days(20260301, -1), 20260228);
	assert_int_equal(sf_date_add_days(99991231, 1), 0);
	assert_int_equal(sf_date_add_days(10101, -1), 0);
	assert_int_equal(sf_date_add_days(20250229, 1), 0);
	assert_int_equal(sf_date_diff(20251231, 20260101), 1);
	assert_int_equal(sf_date_diff(20260101, 20250101), -365);

	assert_string_equal(sf_date_format(20261001, buf, sizeof(buf)), "2026-10-01");
	assert_string_equal(sf_date_format(10101, buf, sizeof(buf)), "0001-01-01");
	assert_string_equal(sf_date_format(20260230, buf, sizeof(buf)), "");
}

static void test_date_parse(void **state)
{
	static const char *const bad[] = {
		"2026-1-01",   "2026-02-30", "2026-02-01x", "2026/02/01", "",
		" 2026-02-01", "20260201",   "2026-02-0",   "2026-00-10", "0000-01-01",
	};
	int32_t d = 0;

	assert_int_equal(sf_date_parse("2026-10-01", &d), 0);
	assert_int_equal(d, 20261001);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 7;
		if (sf_date_parse(bad[i], &d) != SF_EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(d, 7);
	}
	assert_int_equal(sf_date_parse(NULL, &d), SF_EINVAL);
}

static void test_date_utc(void **state)
{
	/* 2026-02-13 17:30 UTC is 2026-02-14 01:30 in Shanghai. */
	assert_int_equal(sf_date_from_utc(1771003800), 20260214);
	/* 15:59:59 UTC is 23:59:59 Shanghai, still the 13th; a second later is the 14th. */
	assert_int_equal(sf_date_from_utc(1770998399), 20260213);
	assert_int_equal(sf_date_from_utc(1770998400), 20260214);
	assert_int_equal(sf_date_to_utc(20260227, 23, 59, 59), 1772207999);
	assert_int_equal(sf_date_to_utc(20260213, 10, 0, 0), 1770948000);
	assert_int_equal(sf_date_to_utc(19700101, 0, 0, 0), -28800);
	assert_int_equal(sf_date_from_utc(-28800), 19700101);
	assert_int_equal(sf_date_from_utc(-28801), 19691231);
	assert_int_equal(sf_date_to_utc(10101, 0, 0, 0), -62135625600);
	assert_int_equal(sf_date_from_utc(-62135625600), 10101);
	assert_int_equal(sf_date_from_utc(-62135625601), 0);
	assert_int_equal(sf_date_from_utc(INT64_MAX), 0);
	assert_int_equal(sf_date_from_utc(INT64_MIN), 0);
	assert_true(sf_date_to_utc(20250229, 0, 0, 0) == INT64_MIN);

	/* Every day of four years, leap year included, round-trips. */
	for (int32_t d = 20240101; d <= 20271231; d = sf_date_add_days(d, 1)) {
		assert_int_equal(sf_date_from_utc(sf_date_to_utc(d, 0, 0, 0)), d);
		assert_int_equal(sf_date_from_utc(sf_date_to_utc(d, 23, 59, 59)), d);
		assert_int_equal(sf_date_from_utc(sf_date_to_utc(d, 24, 0, 0)),
				 sf_date_add_days(d, 1));
		assert_int_equal(sf_date_to_utc(sf_date_add_days(d, 1), 0, 0, 0) -
					 sf_date_to_utc(d, 0, 0, 0),
				 86400);
	}
}

/* ---- the shipped files ---- */

struct rows {
	int count;
	int holidays;
	int workdays;
	int stop_after; /* 0: never */
	char first_name[80];
	char name_20260214[80];
	char name_20261001[80];
};

static int count_row(void *ctx, int32_t ymd, bool workday, const char *name, struct sf_error *err)
{
	struct rows *r = ctx;

	r->count++;
	if (workday)
		r->workdays++;
	else
		r->holidays++;
	if (r->count == 1)
		snprintf(r->first_name, sizeof(r->first_name), "%s", name);
	if (ymd == 20260214)
		snprintf(r->name_20260214, sizeof(r->name_20260214), "%s", name);
	if (ymd == 20261001)
		snprintf(r->name_20261001, sizeof(r->name_20261001), "%s", name);
	if (r->stop_after && r->count == r->stop_after)
		return sf_error_set(err, SF_EDB, "storage_error", NULL, "disk full");
	return 0;
}

static void test_files_list_every_day(void **state)
{
	struct sf_error err = { 0 };
	struct rows r;
	size_t len;
	char *text;
	int year = 0;

	/* 2025: holidays 1 + 8 + 3 + 5 + 3 + 8, make-up days 1/26 2/8 4/27 9/28 10/11. */
	memset(&r, 0, sizeof(r));
	text = read_text("data/calendar/cn-2025.csv", &len);
	assert_int_equal(sf_calendar_parse_rows(text, len, count_row, &r, &year, &err), 0);
	assert_int_equal(year, 2025);
	assert_int_equal(r.holidays, 28);
	assert_int_equal(r.workdays, 5);
	assert_string_equal(r.first_name, "元旦");
	free(text);

	/* 2026: holidays 3 + 9 + 3 + 5 + 3 + 3 + 7, make-up 1/4 2/14 2/28 5/9 9/20 10/10. */
	memset(&r, 0, sizeof(r));
	text = read_text("data/calendar/cn-2026.csv", &len);
	assert_int_equal(sf_calendar_parse_rows(text, len, count_row, &r, &year, &err), 0);
	assert_int_equal(year, 2026);
	assert_int_equal(r.holidays, 33);
	assert_int_equal(r.workdays, 6);
	assert_string_equal(r.name_20260214, "春节调休上班");
	assert_string_equal(r.name_20261001, "国庆节");
	free(text);
}

static void test_year_totals(void **state)
{
	struct sf_calendar *cal = *state;

	/* 261 weekdays a year; 2025 loses 18 to holidays and gains 5 make-up
	 * days, 2026 loses 19 and gains 6: 248 working days each. */
	assert_int_equal(sf_calendar_workdays_between(cal, 20241231, 20251231), 248);
	assert_int_equal(sf_calendar_workdays_between(cal, 20251231, 20261231), 248);
	/* Unloaded 2027 is plain Monday to Friday: 261 weekdays. */
	assert_int_equal(sf_calendar_workdays_between(cal, 20261231, 20271231), 261);
	assert_int_equal(sf_calendar_workdays_between(cal, 20251231, 20241231), -248);
	assert_true(sf_calendar_has_year(cal, 2025));
	assert_true(sf_calendar_has_year(cal, 2026));
	assert_false(sf_calendar_has_year(cal, 2024));
	assert_false(sf_calendar_has_year(cal, 2027));
	assert_false(sf_calendar_has_year(cal, 0));
}

static void test_is_workday(void **state)
{
	struct sf_calendar *cal = *state;
	struct sf_calendar empty;

	assert_true(sf_calendar_is_workday(cal, 20260214));  /* Sat, make-up */
	assert_false(sf_calendar_is_workday(cal, 20260215)); /* Sun, 春节 */
	assert_false(sf_calendar_is_workday(cal, 20260216)); /* Mon, 春节 */
	assert_false(sf_calendar_is_workday(cal, 20260223)); /* Mon, last day of 春节 */
	assert_true(sf_calendar_is_workday(cal, 20260224));  /* Tue, back at work */
	assert_false(sf_calendar_is_workday(cal, 20260307)); /* an ordinary Saturday */
	assert_true(sf_calendar_is_workday(cal, 20251011));  /* Sat, make-up */
	assert_false(sf_calendar_is_workday(cal, 20251008)); /* Wed, 国庆中秋 */
	assert_false(sf_calendar_is_workday(cal, 20250101)); /* Wed, 元旦 */
	assert_true(sf_calendar_is_workday(cal, 20250102));
	/* Outside the loaded years: plain Monday to Friday, even on 元旦. */
	assert_true(sf_calendar_is_workday(cal, 20300101));  /* Tue */
	assert_false(sf_calendar_is_workday(cal, 20300105)); /* Sat */
	assert_false(sf_calendar_is_workday(cal, 20260230));

	sf_calendar_init(&empty);
	assert_true(sf_calendar_is_workday(&empty, 20260216));
	assert_false(sf_calendar_is_workday(&empty, 20260214));
	assert_false(sf_calendar_has_year(&empty, 2026));
	sf_calendar_release(&empty);
}

/* ---- working days and deadlines ---- */

static void test_add_workdays(void **state)
{
	struct sf_calendar *cal = *state;

	assert_int_equal(sf_calendar_add_workdays(cal, 20260213, 1), 20260214);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260214, 1), 20260224);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260930, 3), 20261010);
	assert_int_equal(sf_calendar_add_workdays(cal, 20261003, 1), 20261008);
	assert_int_equal(sf_calendar_add_workdays(cal, 20250124, 1), 20250126);
	assert_int_equal(sf_calendar_add_workdays(cal, 20250930, 1), 20251009);
	assert_int_equal(sf_calendar_add_workdays(cal, 20251231, 1), 20260104);
	assert_int_equal(sf_calendar_add_workdays(cal, 20251231, 2), 20260105);
	assert_int_equal(sf_calendar_add_workdays(cal, 20241231, 1), 20250102);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260430, 1), 20260506);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260508, 1), 20260509);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260213, 5), 20260227);
	/* 2027 is not loaded: its 1 January (really 元旦) counts as a Friday. */
	assert_int_equal(sf_calendar_add_workdays(cal, 20261231, 1), 20270101);
	assert_int_equal(sf_calendar_add_workdays(cal, 20261003, 0), 20261003);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260224, -1), 20260214);
	assert_int_equal(sf_calendar_add_workdays(cal, 20261008, -1), 20260930);
	assert_int_equal(sf_calendar_add_workdays(cal, 20260230, 1), 0);
	assert_int_equal(sf_calendar_add_workdays(cal, 99991231, 1), 0);

	assert_int_equal(sf_calendar_workdays_between(cal, 20260213, 20260224), 2);
	assert_int_equal(sf_calendar_workdays_between(cal, 20260224, 20260213), -2);
	assert_int_equal(sf_calendar_workdays_between(cal, 20260215, 20260215), 0);
}

static void test_deadline(void **state)
{
	struct sf_calendar *cal = *state;

	/* Filed Friday 2026-02-13 10:00 Shanghai, 5 working days: the 13th is
	 * free, then Sat 14 (make-up), 24, 25, 26, 27 → 2026-02-27 23:59:59 +08. */
	assert_int_equal(sf_calendar_deadline(cal, 1770948000, 5), 1772207999);
	assert_int_equal(sf_calendar_deadline(cal, 1770948000, 0), 1770998399);
	assert_int_equal(sf_calendar_deadline(cal, 1770948000, -3), 1770998399);
	/* Filed on a holiday (2026-10-03 10:00): counting starts on 10-08. */
	assert_int_equal(sf_calendar_deadline(cal, 1790992800, 1), 1791475199);
	/* Filed on the make-up Sunday 2026-01-04: a working day, so it is free. */
	assert_int_equal(sf_calendar_deadline(cal, 1767488400, 1), 1767628799);
	/* 2026-02-13 17:30 UTC is already Saturday the 14th (make-up) in
	 * Shanghai: one working day later is Tuesday the 24th ... */
	assert_int_equal(sf_calendar_deadline(cal, 1771003800, 1), 1771948799);
	/* ... while 15:59:59 UTC is still Friday the 13th: due Saturday. */
	assert_int_equal(sf_calendar_deadline(cal, 1770998399, 1), 1771084799);
	assert_true(sf_calendar_deadline(cal, INT64_MAX, 1) == INT64_MIN);
}

static void test_workdays_left(void **state)
{
	struct sf_calendar *cal = *state;
	int64_t due = 1772207999; /* 2026-02-27 23:59:59 +08 */

	assert_int_equal(sf_calendar_workdays_left(cal, 1770948000, due), 5); /* 02-13 10:00 */
	assert_int_equal(sf_calendar_workdays_left(cal, 1771552800, due), 4); /* 02-20, 春节 */
	assert_int_equal(sf_calendar_workdays_left(cal, 1772154000, due), 0); /* 02-27 09:00 */
	assert_int_equal(sf_calendar_workdays_left(cal, due, due), 0);
	/* Midnight after: the make-up Saturday 02-28 is one working day overdue. */
	assert_int_equal(sf_calendar_workdays_left(cal, 1772208000, due), -1);
	/* Monday 03-02 09:00: Sat 28 and Mon 2 overdue, Sunday not. */
	assert_int_equal(sf_calendar_workdays_left(cal, 1772413200, due), -2);
}

/* ---- the calendar structure and the parser ---- */

static void test_add_replaces(void **state)
{
	static const int32_t days[] = { 20270506, 20270101, 20270313, 20270102, 20270920 };
	struct sf_calendar cal;
	struct sf_error err = { 0 };
	bool workday = true;

	sf_calendar_init(&cal);
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		assert_int_equal(sf_calendar_add(&cal, days[i], false, &err), 0);
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		assert_false(sf_calendar_is_workday(&cal, days[i]));
	assert_true(sf_calendar_lookup(&cal, 20270313, &workday));
	assert_false(workday);
	assert_false(sf_calendar_lookup(&cal, 20270314, NULL));
	assert_true(sf_calendar_is_workday(&cal, 20270104)); /* a Monday, not listed */

	assert_int_equal(sf_calendar_add(&cal, 20270313, true, &err), 0); /* a Saturday */
	assert_true(sf_calendar_is_workday(&cal, 20270313));
	assert_int_equal(cal.n, 5);

	assert_int_equal(sf_calendar_add(&cal, 20270230, false, &err), SF_EINVAL);
	assert_int_equal(err.rc, SF_EINVAL);
	assert_int_equal(cal.n, 5);
	sf_calendar_release(&cal);
	sf_calendar_release(NULL);
}

static void test_parse_bom_crlf(void **state)
{
	static const char text[] = "\xef\xbb\xbf# 2027 test calendar\r\n"
				   "\r\n"
				   "date,kind,name\r\n"
				   "2027-01-01,holiday,元旦\r\n"
				   "  2027-02-06 , workday , 春节调休上班  \r\n"
				   "# trailing comment\r\n";
	struct sf_calendar cal;
	struct sf_error err = { 0 };
	struct rows r;
	int year = 0;

	memset(&r, 0, sizeof(r));
	assert_int_equal(sf_calendar_parse_rows(text, sizeof(text) - 1, count_row, &r, &year, &err),
			 0);
	assert_int_equal(r.count, 2);
	assert_string_equal(r.first_name, "元旦"); /* no BOM, no '\r' */

	sf_calendar_init(&cal);
	assert_int_equal(sf_calendar_parse(&cal, text, sizeof(text) - 1, &year, &err), 0);
	assert_int_equal(year, 2027);
	assert_true(sf_calendar_has_year(&cal, 2027));
	assert_false(sf_calendar_is_workday(&cal, 20270101)); /* a Friday */
	assert_true(sf_calendar_is_workday(&cal, 20270206));  /* a Saturday */
	sf_calendar_release(&cal);
}

static void expect_error(const char *text, size_t len, int want_rc, const char *want_msg)
{
	struct sf_error err = { 0 };
	struct rows r;
	int year = -1;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = sf_calendar_parse_rows(text, len, count_row, &r, &year, &err);
	if (rc != want_rc || err.rc != want_rc || !strstr(err.message, want_msg))
		fail_msg("rc %d, message \"%s\"; wanted %d and \"%s\"", rc, err.message, want_rc,
			 want_msg);
	/* Nothing reaches the store from a file that is not wholly valid. */
	assert_int_equal(r.count, 0);
	assert_int_equal(year, -1);
}

#define EXPECT(text, rc, msg) expect_error(text, sizeof(text) - 1, rc, msg)

static void test_parse_errors(void **state)
{
	static const char nul[] = "date,kind,name\n2026-01-01,holi\0day,a\n";
	char *big;

	EXPECT("# a\n# b\ndate,kind,name\n2026-01-01,holiday,元旦\n2026-13-01,holiday,x\n",
	       SF_EINVAL, "line 5: bad date \"2026-13-01\"");
	EXPECT("date,kind,name\n2026-01-01,holiday,元旦\n2026-1-2,holiday,元旦\n", SF_EINVAL,
	       "line 3: bad date \"2026-1-2\"");
	EXPECT("date,kind,name\n2026-01-01,holdiay,元旦\n", SF_EINVAL,
	       "line 2: unknown kind \"holdiay\"");
	EXPECT("2026-01-01,holiday,元旦\n", SF_EINVAL, "line 1: expected the header");
	EXPECT("# x\nday,type,label\n2026-01-01,holiday,元旦\n", SF_EINVAL,
	       "line 2: expected the header");
	EXPECT("date,kind,name\n2026-12-31,holiday,a\n2027-01-01,holiday,b\n", SF_EINVAL,
	       "line 3: 2027-01-01 is not in 2026");
	EXPECT("date,kind,name\n2026-01-01,holiday,a\n\n2026-01-01,workday,b\n", SF_EINVAL,
	       "line 4: 2026-01-01 is listed twice");
	EXPECT("date,kind,name\n2026-02-13,workday,调休\n", SF_EINVAL,
	       "line 2: 2026-02-13 is a Friday");
	EXPECT("date,kind,name\n2026-01-01,holiday,\n", SF_EINVAL, "line 2: the name is empty");
	EXPECT("date,kind,name\n2026-01-01,holiday\n", SF_EINVAL, "line 2: expected three fields");
	EXPECT("date,kind,name\n2026-01-01,holiday,\"元旦,新年\"\n", SF_EINVAL,
	       "line 2: quoted fields");
	EXPECT("date,kind,name\n2026-01-01,holiday,\xff\xfe\n", SF_EINVAL,
	       "line 2: the name is not valid UTF-8");
	EXPECT("date,kind,name\n2026-01-01,holiday,a\tb\n", SF_EINVAL, "control character");
	EXPECT("date,kind,name\n2026-01-01,holiday,"
	       "一二三四五六七八九十一二三四五六七八九十一二三\n",
	       SF_EINVAL, "line 2: the name is longer than 64 bytes");
	EXPECT("# only comments\ndate,kind,name\n", SF_EINVAL, "no days listed");
	EXPECT("", SF_EINVAL, "no header line");
	expect_error(nul, sizeof(nul) - 1, SF_EINVAL, "line 2: holds a NUL byte");

	big = malloc(SF_CALENDAR_MAX_TEXT + 2);
	memset(big, '#', SF_CALENDAR_MAX_TEXT + 1);
	big[SF_CALENDAR_MAX_TEXT + 1] = '\0';
	expect_error(big, SF_CALENDAR_MAX_TEXT + 1, SF_ETOOBIG, "at most");
	memcpy(big, "date,kind,name\n", 15);
	big[SF_CALENDAR_MAX_LINE + 100] = '\0';
	expect_error(big, SF_CALENDAR_MAX_LINE + 100, SF_ETOOBIG, "line 2: longer than");
	free(big);
}

static void test_failed_parse_changes_nothing(void **state)
{
	static const char text[] =
		"date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n";
	static const char good[] = "date,kind,name\n2026-01-01,workday,改\n";
	struct sf_calendar *cal = *state;
	struct sf_error err = { 0 };
	size_t n = cal->n;
	int year = -1;

	assert_int_equal(sf_calendar_parse(cal, text, sizeof(text) - 1, &year, &err), SF_EINVAL);
	assert_non_null(strstr(err.message, "line 3"));
	assert_int_equal(cal->n, n);
	assert_false(sf_calendar_has_year(cal, 2027));
	assert_int_equal(year, -1);

	/* A make-up day on a weekday (元旦, a Thursday) is refused; 元旦 stays a holiday. */
	assert_int_equal(sf_calendar_parse(cal, good, sizeof(good) - 1, &year, &err), SF_EINVAL);
	assert_false(sf_calendar_is_workday(cal, 20260101));
}

static void test_row_callback_error_stops(void **state)
{
	struct sf_error err = { 0 };
	struct rows r;
	size_t len;
	char *text = read_text("data/calendar/cn-2026.csv", &len);

	memset(&r, 0, sizeof(r));
	r.stop_after = 3;
	assert_int_equal(sf_calendar_parse_rows(text, len, count_row, &r, NULL, &err), SF_EDB);
	assert_int_equal(r.count, 3);
	assert_string_equal(err.message, "disk full");
	free(text);
}

static void test_reload_replaces_kind(void **state)
{
	/* Re-loading a corrected file over the old one replaces the kinds. */
	static const char v1[] = "date,kind,name\n2028-01-01,holiday,元旦\n2028-01-02,holiday,x\n";
	static const char v2[] = "date,kind,name\n2028-01-01,holiday,元旦\n2028-01-02,workday,x\n";
	struct sf_calendar cal;
	struct sf_error err = { 0 };

	sf_calendar_init(&cal);
	assert_int_equal(sf_calendar_parse(&cal, v1, sizeof(v1) - 1, NULL, &err), 0);
	assert_false(sf_calendar_is_workday(&cal, 20280102)); /* a Sunday, holiday */
	assert_int_equal(sf_calendar_parse(&cal, v2, sizeof(v2) - 1, NULL, &err), 0);
	assert_true(sf_calendar_is_workday(&cal, 20280102));
	assert_int_equal(cal.n, 2);
	sf_calendar_release(&cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_weekday_and_add),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_utc),
		cmocka_unit_test(test_files_list_every_day),
		cmocka_unit_test_setup_teardown(test_year_totals, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_is_workday, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_add_workdays, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_deadline, setup_cal, teardown_cal),
		cmocka_unit_test_setup_teardown(test_workdays_left, setup_cal, teardown_cal),
		cmocka_unit_test(test_add_replaces),
		cmocka_unit_test(test_parse_bom_crlf),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_failed_parse_changes_nothing, setup_cal,
						teardown_cal),
		cmocka_unit_test(test_row_callback_error_stops),
		cmocka_unit_test(test_reload_replaces_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

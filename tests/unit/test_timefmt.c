/* Unit tests for util/timefmt: Shanghai display, ISO 8601 parsing, clocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/timefmt.h"

/* 2026-11-28T16:30:00Z = 2026-11-29T00:30:00+08:00 */
#define T_MIDNIGHT INT64_C(1795883400)

static int64_t parse_ok(const char *s)
{
	int64_t t = -42;

	if (sf_time_parse_iso(s, &t) != 0)
		fail_msg("rejected: %s", s);
	return t;
}

static void test_format_across_midnight(void **state)
{
	char iso[32], utc[32], date[11], human[20];

	sf_time_iso(T_MIDNIGHT, iso);
	sf_time_iso_utc(T_MIDNIGHT, utc);
	sf_time_date_local(T_MIDNIGHT, date);
	sf_time_local_human(T_MIDNIGHT, human);
	assert_string_equal(iso, "2026-11-29T00:30:00+08:00");
	assert_string_equal(utc, "2026-11-28T16:30:00Z");
	assert_string_equal(date, "2026-11-29");
	assert_string_equal(human, "2026-11-29 00:30");

	/* one second before Shanghai midnight is still the 28th */
	sf_time_iso(T_MIDNIGHT - 30 * 60 - 1, iso);
	sf_time_date_local(T_MIDNIGHT - 30 * 60 - 1, date);
	assert_string_equal(iso, "2026-11-28T23:59:59+08:00");
	assert_string_equal(date, "2026-11-28");

	sf_time_iso(0, iso);
	sf_time_iso_utc(-1, utc);
	assert_string_equal(iso, "1970-01-01T08:00:00+08:00");
	assert_string_equal(utc, "1969-12-31T23:59:59Z");
}

static void test_parse_offsets(void **state)
{
	assert_int_equal(parse_ok("2026-11-28T16:30:00Z"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-29T00:30:00+08:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T11:30:00-05:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T22:00:00+05:30"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T16:30:00+00:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T16:30:00-00:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28t16:30:00z"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28 16:30:00Z"), T_MIDNIGHT);
	/* seconds optional (what a datetime-local field gives); fractions dropped */
	assert_int_equal(parse_ok("2026-11-29T00:30+08:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T16:30:00.999Z"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T16:30:00.123456789+00:00"), T_MIDNIGHT);
	assert_int_equal(parse_ok("2026-11-28T16:30:01.5Z"), T_MIDNIGHT + 1);
	/* a date alone is 00:00 in Shanghai */
	assert_int_equal(parse_ok("2026-11-29"), T_MIDNIGHT - 30 * 60);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(parse_ok("2024-02-29T12:00:00Z") + 86400,
			 parse_ok("2024-03-01T12:00:00Z"));
	parse_ok("2000-02-29");
	parse_ok("0001-01-01T00:00:00Z");
	parse_ok("9999-12-31T23:59:59Z");
}

static void test_parse_rejects(void **state)
{
	static const char *bad[] = {
		"2026-02-30",
		"2026-02-29",
		"2100-02-29",
		"2026-04-31",
		"2026-13-01",
		"2026-00-10",
		"2026-01-00",
		"0000-01-01",
		"2026-11-29T24:00:00Z",
		"2026-11-29T12:60:00Z",
		"2026-11-29T12:00:60Z",
		"2026-11-29T12:00:00",
		"2026-11-29T12:00",
		"2026-11-29T12:00:00+8:00",
		"2026-11-29T12:00:00+0800",
		"2026-11-29T12:00:00+24:00",
		"2026-11-29T12:00:00+08:60",
		"2026-11-29T12:00:00Zjunk",
		"2026-11-29T12:00:00.Z",
		"2026-11-29T12:00:00,5Z",
		" 2026-11-29",
		"2026-11-29 ",
		"2026-2-3",
		"26-11-29",
		"2026/11/29",
		"2026-11-29T",
		"2026-11-29T1:00:00Z",
		"2026-11-29X12:00:00Z",
		"",
		"now",
		"２０２６-11-29",
		"2026-11-29T12:00:00.1234567890123456789Z",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 777;
		if (sf_time_parse_iso(bad[i], &t) != SF_EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_int_equal(t, 777); /* untouched */
	}
	assert_int_equal(sf_time_parse_iso(NULL, &t), SF_EINVAL);
}

/* Formatting and parsing agree with each other and with the C library's UTC
 * breakdown over a wide spread of times, before 1970 included. */
static void test_roundtrip_and_gmtime(void **state)
{
	char iso[32], utc[32], want[80];
	int64_t t, back;
	struct tm tm;
	time_t tt;

	/* sparse over the whole range, then dense over 1999..2029 (leap days, 2000) */
	for (t = SF_TIME_MIN + 8 * 3600;
	     t<SF_TIME_MAX - 8 * 3600; t += t> 915148800 && t < 1861920000
		     ? 7919
		     : INT64_C(7777777) * 13 + 1) {
		sf_time_iso(t, iso);
		sf_time_iso_utc(t, utc);
		assert_int_equal(sf_time_parse_iso(iso, &back), 0);
		assert_int_equal(back, t);
		assert_int_equal(sf_time_parse_iso(utc, &back), 0);
		assert_int_equal(back, t);

		tt = (time_t)t;
		assert_non_null(gmtime_r(&tt, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		assert_string_equal(utc, want);
	}
}

static void test_local_parts(void **state)
{
	struct sf_time_parts p;
	int64_t t;

	sf_time_local_parts(T_MIDNIGHT, &p);
	assert_int_equal(p.year, 2026);
	assert_int_equal(p.month, 11);
	assert_int_equal(p.day, 29);
	assert_int_equal(p.hour, 0);
	assert_int_equal(p.minute, 30);
	assert_int_equal(p.second, 0);
	assert_int_equal(p.weekday, 7); /* a Sunday in Shanghai, Saturday in UTC */
	sf_time_local_parts(0, &p);
	assert_int_equal(p.weekday, 4);                 /* 1970-01-01 was a Thursday */
	sf_time_local_parts(-86400 * 3 - 8 * 3600, &p); /* 1969-12-29 00:00 local */
	assert_int_equal(p.day, 29);
	assert_int_equal(p.weekday, 1);

	assert_int_equal(sf_time_local_day_start(T_MIDNIGHT), T_MIDNIGHT - 30 * 60);
	assert_int_equal(sf_time_local_day_start(T_MIDNIGHT - 30 * 60), T_MIDNIGHT - 30 * 60);
	assert_int_equal(sf_time_local_day_start(T_MIDNIGHT - 30 * 60 - 1),
			 T_MIDNIGHT - 30 * 60 - 86400);

	assert_int_equal(sf_time_from_local(2026, 11, 29, 0, 30, 0, &t), 0);
	assert_int_equal(t, T_MIDNIGHT);
	assert_int_equal(sf_time_from_local(2026, 2, 29, 0, 0, 0, &t), SF_EINVAL);
	assert_int_equal(sf_time_from_local(2026, 1, 1, 24, 0, 0, &t), SF_EINVAL);
}

static void test_clamped(void **state)
{
	char iso[32], utc[32];

	sf_time_iso_utc(INT64_MAX, utc);
	assert_string_equal(utc, "9999-12-31T23:59:59Z");
	sf_time_iso(INT64_MAX, iso);
	assert_string_equal(iso, "9999-12-31T23:59:59+08:00");
	sf_time_iso_utc(INT64_MIN, utc);
	assert_string_equal(utc, "0001-01-01T00:00:00Z");
}

static void test_clocks(void **state)
{
	int64_t now = sf_time_now(), ms = sf_time_now_ms(), m1, m2;
	time_t t = time(NULL);

	assert_true(now >= t - 2 && now <= t + 2);
	assert_true(ms / 1000 >= now - 2 && ms / 1000 <= now + 2);
	m1 = sf_time_mono_us();
	m2 = sf_time_mono_us();
	assert_true(m2 >= m1);
	assert_true(m1 > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_across_midnight),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_roundtrip_and_gmtime),
		cmocka_unit_test(test_local_parts),
		cmocka_unit_test(test_clamped),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

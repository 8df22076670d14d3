/* Time in Sanfu: int64 UTC seconds everywhere, shown in Asia/Shanghai, which
 * is a fixed UTC+8 with no daylight saving, so every conversion here is
 * arithmetic (proleptic Gregorian calendar); nothing reads TZ or the C
 * library's time zone machinery. Not for: working days and holidays
 * (src/domain/calendar), or durations in the user interface. */
#ifndef SF_TIMEFMT_H
#define SF_TIMEFMT_H

#include <stdint.h>

#define SF_TIME_LOCAL_OFFSET (8 * 3600) /* Asia/Shanghai, seconds east of UTC */
/* Times are clamped to years 0001..9999 when formatted. */
#define SF_TIME_MIN INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define SF_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* Broken-down Shanghai time. */
struct sf_time_parts {
	int year, month, day;     /* 2026, 1..12, 1..31 */
	int hour, minute, second; /* 0..23, 0..59, 0..59 */
	int weekday;              /* ISO: 1 = Monday .. 7 = Sunday */
};

/* "2026-11-29T12:00:00+08:00" (Shanghai time with its offset) into out. */
void sf_time_iso(int64_t utc, char out[32]);
/* "2026-11-29T04:00:00Z" into out. */
void sf_time_iso_utc(int64_t utc, char out[32]);

/* Parse ISO 8601 / RFC 3339 text into UTC seconds:
 *   YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM (mandatory), or
 *   YYYY-MM-DD alone, meaning 00:00 of that day in Shanghai.
 * Fractions are dropped (rounded down). Nothing may precede or follow.
 * Returns 0 and sets *out; SF_EINVAL (and *out untouched) for anything else,
 * including impossible dates and times (2026-02-30, month 13, hour 24,
 * second 60) and years outside 0001..9999. */
int sf_time_parse_iso(const char *s, int64_t *out);

/* "2026-11-29": the Shanghai calendar date of utc. */
void sf_time_date_local(int64_t utc, char out[11]);
/* "2026-11-29 12:00": Shanghai date and time to the minute, for people. */
void sf_time_local_human(int64_t utc, char out[20]);

/* Shanghai calendar fields of utc. */
void sf_time_local_parts(int64_t utc, struct sf_time_parts *p);
/* UTC seconds of 00:00 Shanghai on the day containing utc. */
int64_t sf_time_local_day_start(int64_t utc);
/* UTC seconds of the Shanghai wall-clock time given. Returns 0 and sets *out,
 * or SF_EINVAL if the fields do not name a real time in years 0001..9999. */
int sf_time_from_local(int year, int month, int day, int hour, int minute, int second,
		       int64_t *out);

/* Wall-clock now in UTC seconds / milliseconds (CLOCK_REALTIME). */
int64_t sf_time_now(void);
int64_t sf_time_now_ms(void);
/* Monotonic microseconds from an arbitrary origin, for measuring latencies. */
int64_t sf_time_mono_us(void);

#endif

/* UTC seconds <-> ISO 8601 text and Shanghai wall-clock fields; see timefmt.h.
 * The day/civil-date conversions are Howard Hinnant's public-domain
 * algorithms (proleptic Gregorian, exact for every int64 day count in range). */
#include "util/timefmt.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/err.h"

#define DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *year, int *month, int *day)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*month <= 2));
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int64_t clamp(int64_t t)
{
	return t < SF_TIME_MIN ? SF_TIME_MIN : t > SF_TIME_MAX ? SF_TIME_MAX : t;
}

/* Fields of t read as seconds since 1970-01-01T00:00 of some wall clock. */
static void split(int64_t t, struct sf_time_parts *p)
{
	int64_t days = floor_div(t, DAY), sod = t - days * DAY;

	civil_from_days(days, &p->year, &p->month, &p->day);
	p->hour = (int)(sod / 3600);
	p->minute = (int)(sod / 60 % 60);
	p->second = (int)(sod % 60);
	/* 1970-01-01 was a Thursday (ISO 4). */
	p->weekday = (int)((days % 7 + 7 + 3) % 7) + 1;
}

static void local_split(int64_t utc, struct sf_time_parts *p)
{
	split(clamp(clamp(utc) + SF_TIME_LOCAL_OFFSET), p);
}

static char *put(char *o, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + width;
}

/* "YYYY-MM-DD" then sep and "HH:MM" (and ":SS" if secs); returns the end. */
static char *put_fields(char *o, const struct sf_time_parts *p, char sep, bool time, bool secs)
{
	o = put(o, p->year, 4);
	*o++ = '-';
	o = put(o, p->month, 2);
	*o++ = '-';
	o = put(o, p->day, 2);
	if (!time)
		return o;
	*o++ = sep;
	o = put(o, p->hour, 2);
	*o++ = ':';
	o = put(o, p->minute, 2);
	if (secs) {
		*o++ = ':';
		o = put(o, p->second, 2);
	}
	return o;
}

static char *put_str(char *o, const char *s)
{
	while (*s)
		*o++ = *s++;
	*o = '\0';
	return o;
}

void sf_time_iso(int64_t utc, char out[32])
{
	struct sf_time_parts p;

	local_split(utc, &p);
	put_str(put_fields(out, &p, 'T', true, true), "+08:00");
}

void sf_time_iso_utc(int64_t utc, char out[32])
{
	struct sf_time_parts p;

	split(clamp(utc), &p);
	put_str(put_fields(out, &p, 'T', true, true), "Z");
}

void sf_time_date_local(int64_t utc, char out[11])
{
	struct sf_time_parts p;

	local_split(utc, &p);
	*put_fields(out, &p, 'T', false, false) = '\0';
}

void sf_time_local_human(int64_t utc, char out[20])
{
	struct sf_time_parts p;

	local_split(utc, &p);
	*put_fields(out, &p, ' ', true, false) = '\0';
}

void sf_time_local_parts(int64_t utc, struct sf_time_parts *p)
{
	local_split(utc, p);
}

int64_t sf_time_local_day_start(int64_t utc)
{
	int64_t local = clamp(utc) + SF_TIME_LOCAL_OFFSET;

	return floor_div(local, DAY) * DAY - SF_TIME_LOCAL_OFFSET;
}

static bool fields_valid(int y, int mo, int d, int h, int mi, int s)
{
	return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
	       h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

static int64_t from_fields(int y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

int sf_time_from_local(int year, int month, int day, int hour, int minute, int second, int64_t *out)
{
	if (!fields_valid(year, month, day, hour, minute, second))
		return SF_EINVAL;
	*out = from_fields(year, month, day, hour, minute, second) - SF_TIME_LOCAL_OFFSET;
	return 0;
}

/* Exactly n ASCII digits at *s, advancing *s. */
static bool num(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return false;
		*v = *v * 10 + (c - '0');
	}
	*s += n;
	return true;
}

static bool lit(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

int sf_time_parse_iso(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 1;

	if (!s)
		return SF_EINVAL;
	if (!num(&s, 4, &y) || !lit(&s, '-') || !num(&s, 2, &mo) || !lit(&s, '-') ||
	    !num(&s, 2, &d))
		return SF_EINVAL;
	if (*s == '\0') {
		if (!fields_valid(y, mo, d, 0, 0, 0))
			return SF_EINVAL;
		*out = from_fields(y, mo, d, 0, 0, 0) - SF_TIME_LOCAL_OFFSET;
		return 0;
	}
	/* RFC 3339 allows a lowercase t and, for readability, a space. */
	if (*s != 'T' && *s != 't' && *s != ' ')
		return SF_EINVAL;
	s++;
	if (!num(&s, 2, &h) || !lit(&s, ':') || !num(&s, 2, &mi))
		return SF_EINVAL;
	if (lit(&s, ':')) {
		if (!num(&s, 2, &sec))
			return SF_EINVAL;
		if (lit(&s, '.')) {
			const char *start = s;

			while (*s >= '0' && *s <= '9' && s - start < 18)
				s++;
			if (s == start)
				return SF_EINVAL;
		}
	}
	if (lit(&s, 'Z') || lit(&s, 'z')) {
		/* UTC */
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!num(&s, 2, &oh) || !lit(&s, ':') || !num(&s, 2, &om) || oh > 23 || om > 59)
			return SF_EINVAL;
	} else {
		return SF_EINVAL; /* no offset: ambiguous, refused */
	}
	if (*s != '\0' || !fields_valid(y, mo, d, h, mi, sec))
		return SF_EINVAL;
	*out = from_fields(y, mo, d, h, mi, sec) - sign * (oh * 3600 + om * 60);
	return 0;
}

int64_t sf_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t sf_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sf_time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

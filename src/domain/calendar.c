/* Working-day calendar: date arithmetic on day numbers (days since
 * 1970-01-01, Howard Hinnant's days-from-civil algorithm), the sorted
 * exception days, the cn-YYYY.csv parser and deadline counting. See
 * calendar.h; no I/O and no clock here. */
#include "domain/calendar.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Day numbers of 0001-01-01 and 9999-12-31. */
#define DAY_MIN (-719162)
#define DAY_MAX 2932896
#define SECS_PER_DAY 86400

static const char *const weekday_names[8] = {
	"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* ---- dates ---- */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Date of day number z, which must lie in [DAY_MIN, DAY_MAX]. */
static int32_t civil_from_days(int32_t z)
{
	int era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return y * 10000 + m * 100 + d;
}

/* Day number of a valid ymd. */
static int32_t day_of(int32_t ymd)
{
	return days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static bool day_in_range(int64_t z)
{
	return z >= DAY_MIN && z <= DAY_MAX;
}

static int weekday_of_day(int32_t z)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(z - floor_div(z + 3, 7) * 7 + 3) + 1;
}

bool sf_date_valid(int32_t ymd)
{
	int y, m, d;

	if (ymd < SF_DATE_MIN || ymd > SF_DATE_MAX)
		return false;
	y = ymd / 10000;
	m = ymd / 100 % 100;
	d = ymd % 100;
	return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int32_t sf_date_add_days(int32_t ymd, int n)
{
	int64_t z;

	if (!sf_date_valid(ymd))
		return 0;
	z = (int64_t)day_of(ymd) + n;
	return day_in_range(z) ? civil_from_days((int32_t)z) : 0;
}

int sf_date_weekday(int32_t ymd)
{
	return sf_date_valid(ymd) ? weekday_of_day(day_of(ymd)) : 0;
}

int sf_date_diff(int32_t a, int32_t b)
{
	assert(sf_date_valid(a) && sf_date_valid(b));
	return day_of(b) - day_of(a);
}

int32_t sf_date_from_utc(int64_t utc)
{
	int64_t z = utc / SECS_PER_DAY;
	int64_t secs = utc % SECS_PER_DAY;

	/* Floor division done by hand, and the offset added to the remainder
	 * only: utc + offset or z * 86400 could overflow at the int64 limits. */
	if (secs < 0) {
		secs += SECS_PER_DAY;
		z--;
	}
	if (secs + SF_UTC_OFFSET_SHANGHAI >= SECS_PER_DAY)
		z++;
	return day_in_range(z) ? civil_from_days((int32_t)z) : 0;
}

int64_t sf_date_to_utc(int32_t ymd, int hour, int min, int sec)
{
	if (!sf_date_valid(ymd))
		return INT64_MIN;
	return (int64_t)day_of(ymd) * SECS_PER_DAY + (int64_t)hour * 3600 + (int64_t)min * 60 +
	       sec - SF_UTC_OFFSET_SHANGHAI;
}

int sf_date_parse(const char *s, int32_t *out)
{
	int32_t v = 0;
	int i;

	if (!s)
		return SF_EINVAL;
	/* Checked in order, so a short string stops at its NUL. */
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return SF_EINVAL;
		} else if (s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i] - '0');
		} else {
			return SF_EINVAL;
		}
	}
	if (s[10] != '\0' || !sf_date_valid(v))
		return SF_EINVAL;
	*out = v;
	return 0;
}

char *sf_date_format(int32_t ymd, char *buf, size_t cap)
{
	assert(cap >= 11);
	if (!sf_date_valid(ymd)) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, cap, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100),
		 (int)(ymd % 100));
	return buf;
}

/* ---- the calendar ---- */

void sf_calendar_init(struct sf_calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
}

void sf_calendar_release(struct sf_calendar *cal)
{
	if (!cal)
		return;
	free(cal->days);
	memset(cal, 0, sizeof(*cal));
}

/* Index of the first day >= ymd (cal->n when none). */
static size_t lower_bound(const struct sf_calendar *cal, int32_t ymd)
{
	size_t lo = 0, hi = cal->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->days[mid].ymd < ymd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sf_calendar_add(struct sf_calendar *cal, int32_t ymd, bool workday, struct sf_error *err)
{
	size_t i;

	if (!sf_date_valid(ymd))
		return sf_error_set(err, SF_EINVAL, "invalid_date", "date", "%d is not a date",
				    (int)ymd);
	i = lower_bound(cal, ymd);
	if (i < cal->n && cal->days[i].ymd == ymd) {
		cal->days[i].workday = workday;
		return 0;
	}
	if (cal->n >= SF_CALENDAR_MAX_DAYS)
		return sf_error_set(err, SF_ETOOBIG, "calendar_full", NULL,
				    "the calendar holds at most %d days", SF_CALENDAR_MAX_DAYS);
	if (cal->n == cal->cap) {
		cal->cap = cal->cap ? cal->cap * 2 : 64;
		cal->days = sf_xrealloc(cal->days, cal->cap * sizeof(*cal->days));
	}
	memmove(&cal->days[i + 1], &cal->days[i], (cal->n - i) * sizeof(*cal->days));
	cal->days[i].ymd = ymd;
	cal->days[i].workday = workday;
	cal->n++;
	return 0;
}

bool sf_calendar_lookup(const struct sf_calendar *cal, int32_t ymd, bool *workday)
{
	size_t i = lower_bound(cal, ymd);

	if (i == cal->n || cal->days[i].ymd != ymd)
		return false;
	if (workday)
		*workday = cal->days[i].workday;
	return true;
}

/* Working day test on a day number in range. */
static bool workday_at(const struct sf_calendar *cal, int32_t z)
{
	bool workday;

	if (sf_calendar_lookup(cal, civil_from_days(z), &workday))
		return workday;
	return weekday_of_day(z) <= 5;
}

bool sf_calendar_is_workday(const struct sf_calendar *cal, int32_t ymd)
{
	return sf_date_valid(ymd) && workday_at(cal, day_of(ymd));
}

bool sf_calendar_has_year(const struct sf_calendar *cal, int year)
{
	size_t i;

	if (year < 1 || year > 9999)
		return false;
	i = lower_bound(cal, year * 10000 + 101);
	return i < cal->n && cal->days[i].ymd <= year * 10000 + 1231;
}

/* ---- the cn-YYYY.csv parser ---- */

static int line_error(struct sf_error *err, int rc, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int line_error(struct sf_error *err, int rc, unsigned line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sf_error_set(err, rc, "invalid_calendar", NULL, "line %u: %s", line, msg);
}

/* Length of the valid UTF-8 prefix of s[0..n) (n when all of it is valid);
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (n - i <= need)
			return i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return i;
		i += need + 1;
	}
	return n;
}

/* How many bytes of a bad field to quote in a message: its valid UTF-8
 * prefix within 40 bytes, which never ends inside a character, so the
 * message stays valid UTF-8 for the JSON error body. */
static int quote_len(const char *s, size_t n)
{
	return (int)utf8_valid_prefix((const unsigned char *)s, n < 40 ? n : 40);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim blanks around s[0..*n), returning the new start. */
static const char *trim(const char *s, size_t *n)
{
	while (*n > 0 && is_space(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

struct field {
	const char *s;
	size_t n;
};

/* Split a line into date, kind and name at its first two commas (the name
 * keeps any later ones). Returns the number of fields found (1..3). */
static int split(const char *s, size_t n, struct field f[3])
{
	int k = 0;

	while (k < 2) {
		const char *comma = memchr(s, ',', n);

		if (!comma)
			break;
		f[k].n = (size_t)(comma - s);
		f[k].s = trim(s, &f[k].n);
		n -= (size_t)(comma - s) + 1;
		s = comma + 1;
		k++;
	}
	f[k].n = n;
	f[k].s = trim(s, &f[k].n);
	return k + 1;
}

static bool field_is(const struct field *f, const char *word)
{
	return f->n == strlen(word) && memcmp(f->s, word, f->n) == 0;
}

struct scan {
	unsigned line;
	bool header;
	int year;     /* 0 until the first row */
	int32_t jan1; /* day number of the year's 1 January */
	size_t rows;
	unsigned char seen[46]; /* day-of-year bitmap, 366 bits */
};

/* Check one data row and, when row is set, hand it over. */
static int scan_row(struct scan *sc, const struct field f[3], sf_calendar_row_fn *row, void *ctx,
		    struct sf_error *err)
{
	char date[16], name[SF_CALENDAR_NAME_MAX + 1];
	int32_t ymd;
	bool workday;
	int32_t doy;
	int wd;

	if (f[0].n >= sizeof(date))
		goto bad_date;
	memcpy(date, f[0].s, f[0].n);
	date[f[0].n] = '\0';
	if (sf_date_parse(date, &ymd))
		goto bad_date;
	if (field_is(&f[1], "holiday"))
		workday = false;
	else if (field_is(&f[1], "workday"))
		workday = true;
	else
		return line_error(err, SF_EINVAL, sc->line,
				  "unknown kind \"%.*s\" (holiday or workday)",
				  quote_len(f[1].s, f[1].n), f[1].s);
	if (f[2].n == 0)
		return line_error(err, SF_EINVAL, sc->line, "the name is empty");
	if (f[2].n > SF_CALENDAR_NAME_MAX)
		return line_error(err, SF_EINVAL, sc->line, "the name is longer than %d bytes",
				  SF_CALENDAR_NAME_MAX);
	if (utf8_valid_prefix((const unsigned char *)f[2].s, f[2].n) != f[2].n)
		return line_error(err, SF_EINVAL, sc->line, "the name is not valid UTF-8");
	for (size_t i = 0; i < f[2].n; i++)
		if ((unsigned char)f[2].s[i] < 0x20 || f[2].s[i] == 0x7f)
			return line_error(err, SF_EINVAL, sc->line,
					  "the name holds a control character");

	if (!sc->year) {
		sc->year = ymd / 10000;
		sc->jan1 = days_from_civil(sc->year, 1, 1);
	} else if (ymd / 10000 != sc->year) {
		return line_error(err, SF_EINVAL, sc->line,
				  "%s is not in %d, the year of the first day listed", date,
				  sc->year);
	}
	doy = day_of(ymd) - sc->jan1;
	if (sc->seen[doy / 8] & (1u << (doy % 8)))
		return line_error(err, SF_EINVAL, sc->line, "%s is listed twice", date);
	sc->seen[doy / 8] |= (unsigned char)(1u << (doy % 8));
	wd = sf_date_weekday(ymd);
	if (workday && wd <= 5)
		return line_error(err, SF_EINVAL, sc->line,
				  "%s is a %s, a working day already; only a Saturday or "
				  "Sunday can be a make-up working day",
				  date, weekday_names[wd]);
	sc->rows++;
	if (!row)
		return 0;
	memcpy(name, f[2].s, f[2].n);
	name[f[2].n] = '\0';
	return row(ctx, ymd, workday, name, err);

bad_date:
	return line_error(err, SF_EINVAL, sc->line, "bad date \"%.*s\" (YYYY-MM-DD)",
			  quote_len(f[0].s, f[0].n), f[0].s);
}

/* One pass over the text: checks it all when row is NULL, hands the rows
 * over otherwise. */
static int scan_text(const char *p, const char *end, sf_calendar_row_fn *row, void *ctx,
		     int *year_out, struct sf_error *err)
{
	struct scan sc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;
		struct field f[3];

		p = nl ? nl + 1 : end;
		sc.line++;
		if (n > SF_CALENDAR_MAX_LINE)
			return line_error(err, SF_ETOOBIG, sc.line, "longer than %d bytes",
					  SF_CALENDAR_MAX_LINE);
		if (memchr(s, '\0', n))
			return line_error(err, SF_EINVAL, sc.line, "holds a NUL byte");
		s = trim(s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '"', n))
			return line_error(err, SF_EINVAL, sc.line,
					  "quoted fields are not supported; names hold no "
					  "double quotes");
		if (split(s, n, f) != 3) {
			if (!sc.header)
				goto no_header;
			return line_error(err, SF_EINVAL, sc.line,
					  "expected three fields: date,kind,name");
		}
		if (!sc.header) {
			if (!field_is(&f[0], "date") || !field_is(&f[1], "kind") ||
			    !field_is(&f[2], "name"))
				goto no_header;
			sc.header = true;
			continue;
		}
		rc = scan_row(&sc, f, row, ctx, err);
		if (rc)
			return rc;
	}
	if (!sc.header)
		return sf_error_set(err, SF_EINVAL, "invalid_calendar", NULL,
				    "no header line \"date,kind,name\"");
	if (!sc.rows)
		return sf_error_set(err, SF_EINVAL, "invalid_calendar", NULL, "no days listed");
	if (year_out)
		*year_out = sc.year;
	return 0;

no_header:
	return line_error(err, SF_EINVAL, sc.line,
			  "expected the header line \"date,kind,name\" before the days");
}

int sf_calendar_parse_rows(const char *text, size_t len, sf_calendar_row_fn *row, void *ctx,
			   int *year_out, struct sf_error *err)
{
	const char *end = text + len;
	int rc;

	if (len > SF_CALENDAR_MAX_TEXT)
		return sf_error_set(err, SF_ETOOBIG, "invalid_calendar", NULL,
				    "a calendar file holds at most %d bytes", SF_CALENDAR_MAX_TEXT);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	rc = scan_text(text, end, NULL, NULL, year_out, err);
	if (rc || !row)
		return rc;
	return scan_text(text, end, row, ctx, NULL, err);
}

static int add_row(void *ctx, int32_t ymd, bool workday, const char *name, struct sf_error *err)
{
	return sf_calendar_add(ctx, ymd, workday, err);
}

int sf_calendar_parse(struct sf_calendar *cal, const char *text, size_t len, int *year_out,
		      struct sf_error *err)
{
	struct sf_calendar tmp;
	size_t fresh = 0;
	int year = 0;
	int rc;

	/* Parse into a scratch calendar so that a failure leaves cal as it was. */
	sf_calendar_init(&tmp);
	rc = sf_calendar_parse_rows(text, len, add_row, &tmp, &year, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < tmp.n; i++)
		if (!sf_calendar_lookup(cal, tmp.days[i].ymd, NULL))
			fresh++;
	if (cal->n + fresh > SF_CALENDAR_MAX_DAYS) {
		rc = sf_error_set(err, SF_ETOOBIG, "calendar_full", NULL,
				  "the calendar holds at most %d days", SF_CALENDAR_MAX_DAYS);
		goto out;
	}
	for (size_t i = 0; i < tmp.n; i++) {
		rc = sf_calendar_add(cal, tmp.days[i].ymd, tmp.days[i].workday, err);
		assert(rc == 0);
	}
	if (year_out)
		*year_out = year;
out:
	sf_calendar_release(&tmp);
	return rc;
}

/* ---- working days and deadlines ---- */

int32_t sf_calendar_add_workdays(const struct sf_calendar *cal, int32_t ymd, int n)
{
	int step = n < 0 ? -1 : 1;
	int64_t left = n < 0 ? -(int64_t)n : n;
	int32_t z;

	if (!sf_date_valid(ymd))
		return 0;
	z = day_of(ymd);
	while (left > 0) {
		z += step;
		if (!day_in_range(z))
			return 0;
		if (workday_at(cal, z))
			left--;
	}
	return civil_from_days(z);
}

/* Monday..Friday days among day numbers up to z, counted from the Monday
 * 1970-01-05 (day 4); differences of it count weekdays in a range. */
static int64_t weekdays_upto(int32_t z)
{
	int64_t t = (int64_t)z - 4 + 1;
	int64_t q = floor_div(t, 7), r = t - q * 7;

	return 5 * q + (r < 5 ? r : 5);
}

int sf_calendar_workdays_between(const struct sf_calendar *cal, int32_t from, int32_t to)
{
	int64_t count;

	assert(sf_date_valid(from) && sf_date_valid(to));
	if (to < from)
		return -sf_calendar_workdays_between(cal, to, from);
	count = weekdays_upto(day_of(to)) - weekdays_upto(day_of(from));
	/* Only the listed days in (from, to] change the plain count. */
	for (size_t i = lower_bound(cal, from + 1); i < cal->n && cal->days[i].ymd <= to; i++) {
		int wd = sf_date_weekday(cal->days[i].ymd);

		if (!cal->days[i].workday && wd <= 5)
			count--;
		else if (cal->days[i].workday && wd >= 6)
			count++;
	}
	return (int)count;
}

int64_t sf_calendar_deadline(const struct sf_calendar *cal, int64_t start_utc, int workdays)
{
	int32_t day = sf_date_from_utc(start_utc);

	if (day && workdays > 0)
		day = sf_calendar_add_workdays(cal, day, workdays);
	if (!day)
		return INT64_MIN;
	return sf_date_to_utc(day, 23, 59, 59);
}

int sf_calendar_workdays_left(const struct sf_calendar *cal, int64_t now_utc, int64_t deadline_utc)
{
	int32_t today = sf_date_from_utc(now_utc);
	int32_t due = sf_date_from_utc(deadline_utc);

	if (!today || !due)
		return 0;
	return sf_calendar_workdays_between(cal, today, due);
}

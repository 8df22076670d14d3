/* Fuzz target for util/timefmt: ISO 8601 text (query parameters such as
 * from=/to=, JSON due dates, Open311 times) through sf_time_parse_iso, and
 * the first 8 input bytes as a UTC second through the formatters. Invariants:
 * a parsed time formats (Shanghai and UTC) and re-parses to the same second
 * while inside the formatters' range, and to the clamped one outside it; a
 * date alone is 00:00 Shanghai and formats back to itself; a fraction only
 * drops; a refusal leaves *out untouched. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "util/timefmt.h"

#define LOCAL SF_TIME_LOCAL_OFFSET

static int64_t clamp(int64_t t, int64_t lo, int64_t hi)
{
	return t < lo ? lo : t > hi ? hi : t;
}

/* Format t both ways and parse back. */
static void format_round_trip(int64_t t)
{
	bool in_range = t >= SF_TIME_MIN && t <= SF_TIME_MAX - LOCAL;
	char iso[32], utc[32], date[11], human[20];
	int64_t back = 0;
	struct sf_time_parts p;

	sf_time_iso(t, iso);
	FUZZ_CHECK(strlen(iso) == 25);
	FUZZ_CHECK(sf_time_parse_iso(iso, &back) == 0);
	/* Clamped to SF_TIME_MIN..MAX, then to local years 0001..9999. */
	FUZZ_CHECK(back == clamp(t, SF_TIME_MIN, SF_TIME_MAX - LOCAL));
	sf_time_iso_utc(t, utc);
	FUZZ_CHECK(strlen(utc) == 20);
	FUZZ_CHECK(sf_time_parse_iso(utc, &back) == 0);
	FUZZ_CHECK(back == clamp(t, SF_TIME_MIN, SF_TIME_MAX));
	sf_time_date_local(t, date);
	FUZZ_CHECK(strlen(date) == 10 && memcmp(date, iso, 10) == 0);
	FUZZ_CHECK(sf_time_parse_iso(date, &back) == 0);
	FUZZ_CHECK(back == sf_time_local_day_start(t) || !in_range);
	sf_time_local_human(t, human);
	FUZZ_CHECK(strlen(human) == 16 && memcmp(human, iso, 10) == 0 && human[10] == ' ');
	sf_time_local_parts(t, &p);
	FUZZ_CHECK(p.weekday >= 1 && p.weekday <= 7);
	if (in_range) {
		FUZZ_CHECK(sf_time_from_local(p.year, p.month, p.day, p.hour, p.minute, p.second,
					      &back) == 0);
		FUZZ_CHECK(back == t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	int64_t t = INT64_C(-4242), u;
	size_t n = strlen(s);
	const char *dot;

	if (size >= 8) {
		int64_t raw;

		memcpy(&raw, data, 8);
		format_round_trip(raw);
	}
	if (sf_time_parse_iso(s, &t) != 0) {
		FUZZ_CHECK(t == INT64_C(-4242));
		free(s);
		return 0;
	}
	FUZZ_CHECK(n >= 10);
	format_round_trip(t);
	if (n == 10) {
		char date[11];

		FUZZ_CHECK(sf_time_local_day_start(t) == t);
		sf_time_date_local(t, date);
		FUZZ_CHECK(strcmp(date, s) == 0);
	}
	/* A fraction is dropped: the same time without it. */
	dot = strchr(s, '.');
	if (dot) {
		size_t digits = strspn(dot + 1, "0123456789");
		char *cut = sf_xmalloc(n + 1);

		memcpy(cut, s, (size_t)(dot - s));
		memcpy(cut + (dot - s), dot + 1 + digits, n - (size_t)(dot - s) - 1 - digits + 1);
		FUZZ_CHECK(sf_time_parse_iso(cut, &u) == 0 && u == t);
		free(cut);
	}
	free(s);
	return 0;
}

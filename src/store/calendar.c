/* Calendar days in the database; see calendar.h. */
#include "store/calendar.h"

int sf_store_calendar_put(struct sf_conn *c, int32_t ymd, bool workday, const char *name)
{
	int rc = sf_conn_run(
		c,
		"INSERT INTO calendar_days(day, kind, name, year) VALUES (?, ?, ?, ?) "
		"ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
		"dssd", ymd, workday ? "workday" : "holiday", name ? name : "", ymd / 10000);

	return rc < 0 ? rc : 0;
}

int sf_store_calendar_clear_year(struct sf_conn *c, int year)
{
	int rc = sf_conn_run(c, "DELETE FROM calendar_days WHERE year = ?", "d", year);

	return rc < 0 ? rc : 0;
}

int sf_store_calendar_load(struct sf_conn *c, struct sf_calendar *cal, struct sf_error *err)
{
	struct sf_stmt *st;
	int rc = sf_conn_query(c, &st, "SELECT day, kind FROM calendar_days ORDER BY day", "");

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *kind = sf_stmt_text(st, 1);

		rc = sf_calendar_add(cal, (int32_t)sf_stmt_int(st, 0), kind && kind[0] == 'w', err);
		if (rc)
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int sf_store_calendar_count(struct sf_conn *c, int64_t *n)
{
	return sf_conn_int(c, n, "SELECT COUNT(*) FROM calendar_days", "");
}

int sf_store_calendar_each(struct sf_conn *c, int year,
			   int (*cb)(int32_t ymd, bool workday, const char *name, void *ctx),
			   void *ctx)
{
	struct sf_stmt *st;
	int rc =
		sf_conn_query(c, &st,
			      "SELECT day, kind, name FROM calendar_days WHERE (? = 0 OR year = ?) "
			      "ORDER BY day",
			      "dd", year, year);

	if (rc)
		return rc;
	while ((rc = sf_stmt_step(st)) == SF_DB_ROW) {
		const char *kind = sf_stmt_text(st, 1);

		if (cb((int32_t)sf_stmt_int(st, 0), kind && kind[0] == 'w', sf_stmt_text(st, 2),
		       ctx))
			break;
	}
	sf_stmt_done(st);
	return rc < 0 ? rc : 0;
}

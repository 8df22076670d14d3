/* The working-day calendar's exceptions (holidays, make-up working days)
 * in the database. */
#ifndef SF_STORE_CALENDAR_H
#define SF_STORE_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/calendar.h"
#include "store/db.h"

/* Insert or replace one day. */
int sf_store_calendar_put(struct sf_conn *c, int32_t ymd, bool workday, const char *name);
/* Remove every day of a year (before loading it again). */
int sf_store_calendar_clear_year(struct sf_conn *c, int year);
/* Add every stored day to cal. */
int sf_store_calendar_load(struct sf_conn *c, struct sf_calendar *cal, struct sf_error *err);
/* Number of stored days. */
int sf_store_calendar_count(struct sf_conn *c, int64_t *n);
/* Call cb for each stored day of year (0 = all years) in date order. */
int sf_store_calendar_each(struct sf_conn *c, int year,
			   int (*cb)(int32_t ymd, bool workday, const char *name, void *ctx),
			   void *ctx);

#endif

/* The deadline scan: warns before a breach, marks breaches, escalates to
 * the unit's head and then the sub-district leader, and turns orders
 * reopened or transferred three times into problem orders. Run every
 * scan_interval seconds by `serve` and once by `sanfu scan`. */
#ifndef SF_API_SCAN_H
#define SF_API_SCAN_H

#include <stdint.h>

#include "api/app.h"

struct sf_scan_report {
	int checked;
	int warned;
	int overdue;
	int escalated;
	int problems;
};

/* Scan every open order at time now; each change is an event of the
 * order, written through the one transition path. */
int sf_scan_run(struct sf_app *app, int64_t now, struct sf_scan_report *rep, struct sf_error *err);

#endif

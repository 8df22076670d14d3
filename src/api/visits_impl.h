/* Helpers shared by the visit, campaign and hazard handlers (not for other
 * layers): a visit's target resolved with its area and whether the person
 * may see it, the hazard JSON, and the working-day deadline. */
#ifndef SF_API_VISITS_IMPL_H
#define SF_API_VISITS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "store/visit.h"
#include "util/jw.h"

/* A visit's target: its name, area and what an order raised on it needs. */
struct sf_visit_target {
	char kind[16];
	int64_t id;
	char name[604];
	char address[604];
	char org[304];    /* enterprise name */
	char person[100]; /* head of household or contact */
	int64_t enterprise_id;
	int64_t unit_id; /* area: village group, community, village, grid */
	char path[128];
	bool visible;  /* within the person's scope: they may visit it */
	bool in_area;  /* in the person's area or grid, or their enterprise (a place
			* is visible to all, but in the area of few) */
	bool archived; /* an archived register row: no new visits */
};

/* Whether s is one of the NULL-ended list. */
bool sf_visitapi_one_of(const char *s, const char *const *list);
/* Resolve (kind, id). SF_EINVAL for an unknown kind, SF_ENOTFOUND (field
 * target_id) when there is no such row, SF_EDB. */
int sf_visitapi_target(struct sf_conn *c, const struct sf_principal *who, const char *kind,
		       int64_t id, struct sf_visit_target *t, struct sf_error *err);
/* The end of the working day `days` working days after start. */
int64_t sf_visitapi_deadline(struct sf_app *app, int64_t start, int days);
/* Write one hazard as a JSON object with "overdue" at now and
 * "workdays_left" (working days to its deadline on app's calendar, taken
 * under its read lock, as orders have them; null without a deadline). */
void sf_visitapi_write_hazard(struct sf_jw *w, const struct sf_hazard *h, struct sf_app *app,
			      int64_t now);

#endif

/* Matches a method and path against the static route table. */
#ifndef SF_ROUTER_H
#define SF_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "api/route.h"

/* Find the route for method and path; params receive the text of each {x}
 * segment, pointing into scratch (which must hold strlen(path)+1 bytes).
 * Returns the route index, -1 when no pattern matches, or -2 when a pattern
 * matches but not the method (405). */
int sf_router_match(const struct sf_route *table, const char *method, const char *path,
		    char *scratch, const char **params, size_t max_params, size_t *nparams);
/* Number of routes in a NULL-terminated table. */
size_t sf_router_count(const struct sf_route *table);

#endif

/* Route matching: patterns are split on '/', and "{name}" matches exactly
 * one non-empty segment. The table is small (tens of routes), so a linear
 * scan of pre-split segments is fast enough and obviously right. */
#include "http/router.h"

#include <string.h>

size_t sf_router_count(const struct sf_route *table)
{
	size_t n = 0;

	while (table[n].method)
		n++;
	return n;
}

/* Compare path against pattern, filling params. */
static bool match(const char *pat, const char *path, char *scratch, const char **params,
		  size_t max_params, size_t *nparams)
{
	size_t np = 0;
	char *w = scratch;

	while (*pat && *path) {
		if (*pat == '{') {
			const char *end = strchr(pat, '}');
			size_t n = strcspn(path, "/");

			if (!end || n == 0 || np >= max_params)
				return false;
			memcpy(w, path, n);
			w[n] = '\0';
			params[np++] = w;
			w += n + 1;
			pat = end + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return false;
		pat++;
		path++;
	}
	if (*pat || *path)
		return false;
	*nparams = np;
	return true;
}

int sf_router_match(const struct sf_route *table, const char *method, const char *path,
		    char *scratch, const char **params, size_t max_params, size_t *nparams)
{
	bool path_seen = false;

	*nparams = 0;
	for (int i = 0; table[i].method; i++) {
		if (!match(table[i].pattern, path, scratch, params, max_params, nparams))
			continue;
		if (strcmp(table[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0))
			return i;
		path_seen = true;
	}
	*nparams = 0;
	return path_seen ? -2 : -1;
}

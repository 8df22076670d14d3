/* Fuzz target for http/router: "METHOD PATH" (split at the first space)
 * through sf_router_match against the real sf_routes table, with scratch of
 * exactly strlen(path)+1 bytes as the server gives it. Invariants: a match
 * names a route of that method (or GET for HEAD) whose pattern, with the
 * params put back in, is the path; params are non-empty with no '/'; no
 * earlier route matched; -1 only when no pattern matches the path at all,
 * -2 only when one does but not for this method. */
#include <stdbool.h>
#include <string.h>

#include "api/req.h"
#include "api/route.h"
#include "fuzz.h"
#include "http/router.h"

/* Match against route r alone. */
static int match_one(const struct sf_route *r, const char *method, const char *path,
		     size_t max_params)
{
	struct sf_route one[2];
	const char *params[SF_REQ_MAX_PARAMS];
	char *scratch = sf_xmalloc(strlen(path) + 1);
	size_t np = 99;
	int rc;

	one[0] = *r;
	memset(&one[1], 0, sizeof(one[1]));
	rc = sf_router_match(one, method, path, scratch, params, max_params, &np);
	FUZZ_CHECK(rc == 0 || np == 0);
	free(scratch);
	return rc;
}

/* The pattern with each {x} replaced by the next param. */
static bool rebuilds(const char *pattern, const char *const *params, size_t np, const char *path)
{
	size_t used = 0, at = 0, plen = strlen(path);

	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			size_t n;

			if (!end || used >= np)
				return false;
			n = strlen(params[used]);
			if (at + n > plen || memcmp(path + at, params[used], n) != 0)
				return false;
			at += n;
			used++;
			p = end + 1;
			continue;
		}
		if (at >= plen || path[at] != *p)
			return false;
		at++;
		p++;
	}
	return used == np && at == plen;
}

static void check(const char *method, const char *path, size_t max_params)
{
	size_t nroutes = sf_router_count(sf_routes), np = 99;
	const char *params[SF_REQ_MAX_PARAMS] = { NULL };
	char *scratch = sf_xmalloc(strlen(path) + 1);
	int rc = sf_router_match(sf_routes, method, path, scratch, params, max_params, &np);

	FUZZ_CHECK(rc == -1 || rc == -2 || (rc >= 0 && (size_t)rc < nroutes));
	if (rc >= 0) {
		const struct sf_route *r = &sf_routes[rc];

		FUZZ_CHECK(strcmp(r->method, method) == 0 ||
			   (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0));
		FUZZ_CHECK(np <= max_params);
		for (size_t i = 0; i < np; i++) {
			FUZZ_CHECK(params[i] && params[i][0] != '\0');
			FUZZ_CHECK(strchr(params[i], '/') == NULL);
			/* Inside scratch, not the caller's path. */
			FUZZ_CHECK(params[i] >= scratch && params[i] < scratch + strlen(path) + 1);
		}
		FUZZ_CHECK(rebuilds(r->pattern, params, np, path));
		for (int j = 0; j < rc; j++)
			FUZZ_CHECK(match_one(&sf_routes[j], method, path, max_params) != 0);
	} else {
		bool some_path = false;

		FUZZ_CHECK(np == 0);
		for (size_t j = 0; j < nroutes; j++) {
			int one = match_one(&sf_routes[j], method, path, max_params);

			FUZZ_CHECK(one != 0);
			some_path = some_path || one == -2;
		}
		FUZZ_CHECK(some_path == (rc == -2));
	}
	free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *method, *path;

	fuzz_split(data, size, ' ', &method, &path);
	if (!path) {
		/* Only a path: try it with the methods the server knows. */
		static const char *const methods[] = { "GET", "HEAD",  "POST",
						       "PUT", "PATCH", "DELETE" };

		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			check(methods[i], method, SF_REQ_MAX_PARAMS);
		free(method);
		return 0;
	}
	check(method, path, SF_REQ_MAX_PARAMS);
	check(method, path, 1);
	free(method);
	free(path);
	return 0;
}

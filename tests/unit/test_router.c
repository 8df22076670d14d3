/* The router against a table of its own and against the real route table:
 * literal and {param} segments, 404 vs 405, HEAD as GET, no match across
 * segments, and every real pattern reachable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "api/route.h"
#include "http/router.h"

static int h(struct sf_req *req)
{
	(void)req;
	return 0;
}

static const struct sf_route table[] = {
	{ "GET", "/api/v1/orders", h, 0, 0, "list" },
	{ "POST", "/api/v1/orders", h, 0, 0, "create" },
	{ "GET", "/api/v1/orders/{id}", h, 0, 0, "get" },
	{ "POST", "/api/v1/orders/{id}/actions/{action}", h, 0, 0, "act" },
	{ "GET", "/open311/v2/{resource}", h, 0, 0, "o311" },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

static int match(const char *method, const char *path, const char **params, size_t *n)
{
	static char scratch[512];

	return sf_router_match(table, method, path, scratch, params, 4, n);
}

static void literal_and_params(void **state)
{
	const char *p[4];
	size_t n;

	(void)state;
	assert_int_equal(match("GET", "/api/v1/orders", p, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(match("POST", "/api/v1/orders", p, &n), 1);
	assert_int_equal(match("GET", "/api/v1/orders/123", p, &n), 2);
	assert_int_equal(n, 1);
	assert_string_equal(p[0], "123");
	assert_int_equal(match("POST", "/api/v1/orders/9/actions/resolve", p, &n), 3);
	assert_int_equal(n, 2);
	assert_string_equal(p[0], "9");
	assert_string_equal(p[1], "resolve");
	assert_int_equal(match("GET", "/open311/v2/services.json", p, &n), 4);
	assert_string_equal(p[0], "services.json");
}

static void head_is_get(void **state)
{
	const char *p[4];
	size_t n;

	(void)state;
	assert_int_equal(match("HEAD", "/api/v1/orders/5", p, &n), 2);
}

static void not_found_and_wrong_method(void **state)
{
	const char *p[4];
	size_t n;

	(void)state;
	assert_int_equal(match("GET", "/api/v1/order", p, &n), -1);
	assert_int_equal(match("GET", "/api/v1/orders/", p, &n), -1); /* empty segment */
	assert_int_equal(match("GET", "/api/v1/orders/1/2", p, &n), -1);
	assert_int_equal(match("GET", "/api/v1/orders/1/actions", p, &n), -1);
	assert_int_equal(match("GET", "", p, &n), -1);
	assert_int_equal(match("DELETE", "/api/v1/orders/1", p, &n), -2);
	assert_int_equal(match("PUT", "/api/v1/orders", p, &n), -2);
	assert_int_equal(n, 0);
}

static void a_param_never_spans_a_slash(void **state)
{
	const char *p[4];
	size_t n;

	(void)state;
	assert_int_equal(match("GET", "/open311/v2/services/x.json", p, &n), -1);
}

static void every_real_route_is_reachable(void **state)
{
	size_t count = sf_router_count(sf_routes);

	(void)state;
	assert_true(count > 20);
	for (size_t i = 0; i < count; i++) {
		char path[256], scratch[256];
		const char *p[4];
		const char *src = sf_routes[i].pattern;
		size_t n, k = 0;
		int got;

		/* Fill each {param} with a sample value. */
		while (*src && k < sizeof(path) - 8) {
			if (*src == '{') {
				const char *end = strchr(src, '}');

				memcpy(path + k, "7", 1);
				k += 1;
				src = end + 1;
			} else {
				path[k++] = *src++;
			}
		}
		path[k] = '\0';
		got = sf_router_match(sf_routes, sf_routes[i].method, path, scratch, p, 4, &n);
		assert_true(got >= 0);
		/* The first route that matches has the same method and shape. */
		assert_string_equal(sf_routes[got].method, sf_routes[i].method);
		assert_non_null(sf_routes[i].handler);
		assert_non_null(sf_routes[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_and_params),
		cmocka_unit_test(head_is_get),
		cmocka_unit_test(not_found_and_wrong_method),
		cmocka_unit_test(a_param_never_spans_a_slash),
		cmocka_unit_test(every_real_route_is_reachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

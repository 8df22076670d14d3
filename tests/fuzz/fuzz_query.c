/* Fuzz target for the query-string and path-parameter readers of the API
 * (api/common.h, api/req.h): the input, split on '&' and '=' into decoded
 * pairs as libmicrohttpd hands them over, read with sf_api_query_int,
 * sf_api_limit, sf_api_query_time and sf_req_param_id, each failure then
 * rendered by sf_req_render_error. Invariants: a value read is within its
 * range and is what the text says; a refusal names the key; the rendered
 * error is always a JSON object that util/json parses. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/req.h"
#include "fuzz.h"
#include "util/json.h"
#include "util/timefmt.h"

static void reset(struct sf_req *req)
{
	memset(&req->err, 0, sizeof(req->err));
	sf_buf_reset(&req->out);
}

/* After a refusal: the one error shape, parseable, naming field. */
static void check_error(struct sf_req *req, int rc, const char *field)
{
	struct sf_json *j = NULL, *e = NULL;
	struct sf_error err = { 0 };

	FUZZ_CHECK(rc == SF_EINVAL && req->err.rc == rc);
	FUZZ_CHECK(strcmp(req->err.code, "invalid_field") == 0);
	FUZZ_CHECK(strncmp(req->err.field, field, sizeof(req->err.field) - 1) == 0);
	sf_req_render_error(req);
	FUZZ_CHECK(sf_buf_ok(&req->out));
	FUZZ_CHECK(sf_json_parse(req->out.data, req->out.len, &j, &err) == 0);
	FUZZ_CHECK(sf_json_object(j, "error", &e) == 0);
	FUZZ_CHECK(sf_json_str(e, "code") && sf_json_str(e, "message") && sf_json_str(e, "field"));
	sf_json_free(e);
	sf_json_free(j);
	reset(req);
}

static bool decimal(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s && !*end && errno == 0;
}

static void read_int(struct sf_req *req, const char *key, int64_t min, int64_t max)
{
	const char *s = sf_req_query(req, key);
	int64_t v = 12345;
	bool present = true;
	long long want;
	int rc = sf_api_query_int(req, key, min, max, &v, &present);

	if (rc) {
		check_error(req, rc, key);
		FUZZ_CHECK(!present && v == 12345);
		return;
	}
	FUZZ_CHECK(present == (s && *s));
	if (present)
		FUZZ_CHECK(decimal(s, &want) && want == v && v >= min && v <= max);
	else
		FUZZ_CHECK(v == 12345);
}

static void read_time(struct sf_req *req, const char *key, bool end_of_day)
{
	const char *s = sf_req_query(req, key);
	int64_t t = 0, want = 0;
	bool present = true;
	int rc = sf_api_query_time(req, key, end_of_day, &t, &present);

	if (rc) {
		check_error(req, rc, key);
		FUZZ_CHECK(!present);
		return;
	}
	FUZZ_CHECK(present == (s && *s));
	if (!present)
		return;
	FUZZ_CHECK(sf_time_parse_iso(s, &want) == 0);
	FUZZ_CHECK(t == want + (end_of_day && strlen(s) == 10 ? 86400 - 1 : 0));
}

static void read_id(struct sf_req *req)
{
	const char *s = req->nparams ? req->params[0] : NULL;
	int64_t id = -9;
	long long want;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc) {
		check_error(req, rc, "id");
		FUZZ_CHECK(id == -9);
		return;
	}
	FUZZ_CHECK(s && s[0] >= '0' && s[0] <= '9' && strlen(s) <= 18);
	FUZZ_CHECK(decimal(s, &want) && want == id && id > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_req req;
	char *text = fuzz_cstr(data, size), *p = text;
	int limit = -1, rc;

	memset(&req, 0, sizeof(req));
	sf_arena_init(&req.arena);
	sf_buf_init(&req.out, 0);
	/* "k=v&k2=v2": MHD gives keys and values decoded; a pair without '='
	 * has the value "". */
	while (*p && req.nquery < SF_REQ_MAX_QUERY) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		req.query[req.nquery].key = p;
		req.query[req.nquery].val = eq ? eq + 1 : "";
		req.nquery++;
		if (!amp)
			break;
		p = amp + 1;
	}
	/* The value of "id" is also the path parameter {id}. */
	if (sf_req_query(&req, "id")) {
		req.params[0] = sf_req_query(&req, "id");
		req.nparams = 1;
	}
	read_id(&req);
	rc = sf_api_limit(&req, &limit);
	if (rc)
		check_error(&req, rc, "limit");
	else
		FUZZ_CHECK(limit >= 1 && limit <= SF_PAGE_MAX);
	read_int(&req, "n", -1000, 1000);
	read_int(&req, "unit", 1, INT64_MAX);
	read_time(&req, "from", false);
	read_time(&req, "to", true);
	/* Every key given, whatever its bytes, read as an integer. */
	for (size_t i = 0; i < req.nquery; i++)
		read_int(&req, req.query[i].key, INT64_MIN, INT64_MAX);
	(void)sf_req_english(&req);
	sf_buf_release(&req.out);
	sf_arena_release(&req.arena);
	free(text);
	return 0;
}

/* Fuzz target for the Open311 parsing that needs no database: attribute
 * definitions as an admin imports them (sf_o311_attrs_normalise on any JSON
 * value), the stored form read back for requests (sf_o311_attrs_parse), and
 * the "services.json" / "requests.xml" path segment (sf_o311_split). The
 * form-encoded POST body itself is fuzz_form's. Invariants: the canonical
 * text normalises to itself, parses to one attribute per item sorted by
 * order with its values; errors name a field under "attributes"; a split
 * segment is its base plus the suffix of its format. */
#include <stdbool.h>
#include <string.h>

#include "api/open311.h"
#include "api/req.h"
#include "fuzz.h"
#include "util/json.h"
#include "util/utf8.h"

static void check_split(struct sf_req *req, const char *seg)
{
	const char *base = NULL;
	enum sf_o311_fmt fmt = (enum sf_o311_fmt) - 1;
	size_t n = strlen(seg);

	if (!sf_o311_split(req, seg, &base, &fmt)) {
		FUZZ_CHECK(base == NULL);
		return;
	}
	FUZZ_CHECK(fmt == SF_O311_JSON || fmt == SF_O311_XML);
	FUZZ_CHECK(strlen(base) >= 1 && strncmp(seg, base, strlen(base)) == 0);
	FUZZ_CHECK(strcmp(seg + strlen(base), fmt == SF_O311_JSON ? ".json" : ".xml") == 0);
	FUZZ_CHECK(strlen(base) + (fmt == SF_O311_JSON ? 5 : 4) == n);
}

static void check_attrs(struct sf_req *req, const struct sf_json *v)
{
	struct sf_error err = { 0 };
	struct sf_json *canon = NULL, *root = NULL;
	struct sf_o311_attr *attrs = NULL;
	struct sf_buf a, b;
	size_t n = 99;
	int rc;

	sf_buf_init(&a, 0);
	sf_buf_init(&b, 0);
	rc = sf_o311_attrs_normalise(v, "attributes", &a, &err);
	if (rc) {
		FUZZ_CHECK(rc == SF_EINVAL && err.rc == rc && err.code[0]);
		FUZZ_CHECK(strncmp(err.field, "attributes", 10) == 0);
		goto out;
	}
	FUZZ_CHECK(err.rc == 0 && sf_buf_ok(&a));
	FUZZ_CHECK(sf_json_parse_any(a.data, a.len, &canon, &err) == 0);
	FUZZ_CHECK(sf_json_kind(canon) == SF_JSON_ARRAY && sf_json_len(canon) == sf_json_len(v));
	/* Canonical already: normalising again changes nothing. */
	FUZZ_CHECK(sf_o311_attrs_normalise(canon, "attributes", &b, &err) == 0);
	FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	/* And it reads back whole, in order. */
	FUZZ_CHECK(sf_o311_attrs_parse(req, a.data, &root, &attrs, &n) == 0);
	FUZZ_CHECK(n == sf_json_len(canon));
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(attrs[i].code && attrs[i].datatype && attrs[i].description);
		FUZZ_CHECK(attrs[i].order >= 1);
		if (i)
			FUZZ_CHECK(attrs[i - 1].order < attrs[i].order);
		for (size_t k = 0; k < attrs[i].nvalues; k++)
			FUZZ_CHECK(attrs[i].keys[k][0] && attrs[i].names[k][0]);
		FUZZ_CHECK(attrs[i].nvalues == 0 || strstr(attrs[i].datatype, "valuelist"));
	}
out:
	sf_json_free(root);
	sf_json_free(canon);
	sf_buf_release(&a);
	sf_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_req req;
	struct sf_json *v = NULL, *root = NULL;
	struct sf_o311_attr *attrs = NULL;
	struct sf_error err = { 0 };
	char *s = fuzz_cstr(data, size);
	size_t n = 0;

	memset(&req, 0, sizeof(req));
	sf_arena_init(&req.arena);
	sf_buf_init(&req.out, 0);
	if (size <= 64)
		check_split(&req, s);
	if (sf_json_parse_any((const char *)data, size, &v, &err) == 0) {
		check_attrs(&req, v);
		sf_json_free(v);
	}
	/* Whatever is stored, reading it never fails worse than SF_EINVAL. */
	if (sf_o311_attrs_parse(&req, s, &root, &attrs, &n) == 0)
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(attrs[i].code && attrs[i].datatype && attrs[i].description);
	sf_json_free(root);
	sf_buf_release(&req.out);
	sf_arena_release(&req.arena);
	free(s);
	return 0;
}

/* Fuzz target for util/form: form-encoded bodies (the Open311 POST) through
 * sf_form_parse with the default caps and with tiny ones, then the
 * attribute[CODE][] key splitter. Invariants: every decoded key and value is
 * valid UTF-8 without NUL and within its cap, val_len is the value's length,
 * a failure leaves no fields and a documented code, and re-encoding the
 * fields gives a body that parses to the same fields. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/form.h"
#include "util/utf8.h"

/* Valid UTF-8, or valid but for a character cut at the end (error fields are
 * copied into fixed buffers). */
static bool utf8_maybe_cut(const char *s)
{
	size_t n = strlen(s);

	for (size_t back = 0; back < 4 && back <= n; back++)
		if (sf_utf8_valid(s, n - back))
			return true;
	return false;
}

static void encode(struct sf_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			sf_buf_addch(b, (char)c);
		} else if (c == ' ') {
			sf_buf_addch(b, '+');
		} else {
			sf_buf_addch(b, '%');
			sf_buf_addch(b, hex[c >> 4]);
			sf_buf_addch(b, hex[c & 15]);
		}
	}
}

static size_t nonempty_pairs(const char *body, size_t len)
{
	size_t n = 0;

	for (size_t p = 0; p < len;) {
		const char *amp = memchr(body + p, '&', len - p);
		size_t end = amp ? (size_t)(amp - body) : len;

		n += end > p;
		p = end + 1;
	}
	return n;
}

static void check_subkey(const char *key)
{
	const char *sub = NULL;
	size_t sub_len = 0, klen = strlen(key);
	bool list = false;

	if (!sf_form_subkey(key, "attribute", &sub, &sub_len, &list))
		return;
	FUZZ_CHECK(sub == key + strlen("attribute["));
	FUZZ_CHECK(sub_len > 0 && !memchr(sub, '[', sub_len) && !memchr(sub, ']', sub_len));
	FUZZ_CHECK(klen == strlen("attribute[") + sub_len + 1 + (list ? 2 : 0));
	FUZZ_CHECK(sub[sub_len] == ']');
	FUZZ_CHECK(!list || strcmp(sub + sub_len, "][]") == 0);
}

static void parse_with(const char *body, size_t len, const struct sf_form_limits *lim)
{
	static const char *const codes[] = { "invalid_encoding", "invalid_utf8", "invalid_field",
					     "too_many_fields",  "too_long",     NULL };
	size_t max_fields = lim ? lim->max_fields : SF_FORM_MAX_FIELDS;
	size_t max_key = lim ? lim->max_key : SF_FORM_MAX_KEY;
	size_t max_value = lim ? lim->max_value : SF_FORM_MAX_VALUE;
	struct sf_error err = { 0 };
	struct sf_arena a;
	struct sf_form f, again;
	struct sf_buf re;
	bool known = false;
	int rc;

	sf_arena_init(&a);
	rc = sf_form_parse(&a, body, len, lim, &f, &err);
	if (rc) {
		FUZZ_CHECK(rc == SF_EINVAL && err.rc == rc && f.n == 0);
		for (const char *const *c = codes; *c; c++)
			known = known || strcmp(err.code, *c) == 0;
		FUZZ_CHECK(known);
		FUZZ_CHECK(utf8_maybe_cut(err.field));
		for (const char *p = err.field; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20);
		sf_arena_release(&a);
		return;
	}
	FUZZ_CHECK(err.rc == 0 && err.code[0] == '\0');
	FUZZ_CHECK(f.n == nonempty_pairs(body, len) && f.n <= max_fields);
	sf_buf_init(&re, 0);
	for (size_t i = 0; i < f.n; i++) {
		const struct sf_form_field *x = &f.fields[i];
		size_t klen = strlen(x->key);

		FUZZ_CHECK(klen > 0 && klen <= max_key && sf_utf8_valid(x->key, klen));
		FUZZ_CHECK(strlen(x->val) == x->val_len && x->val_len <= max_value);
		FUZZ_CHECK(sf_utf8_valid(x->val, x->val_len));
		FUZZ_CHECK(sf_form_count(&f, x->key) >= 1);
		FUZZ_CHECK(sf_form_get(&f, x->key) != NULL);
		check_subkey(x->key);
		if (i)
			sf_buf_addch(&re, '&');
		encode(&re, x->key, klen);
		sf_buf_addch(&re, '=');
		encode(&re, x->val, x->val_len);
	}
	/* Re-encoded, the same fields come back (no caps: encoding lengthens). */
	FUZZ_CHECK(sf_buf_ok(&re));
	FUZZ_CHECK(sf_form_parse(&a, re.data, re.len,
				 &(struct sf_form_limits){ 100000, 100000, 100000 }, &again,
				 &err) == 0);
	FUZZ_CHECK(again.n == f.n);
	for (size_t i = 0; i < f.n; i++) {
		FUZZ_CHECK(strcmp(again.fields[i].key, f.fields[i].key) == 0);
		FUZZ_CHECK(again.fields[i].val_len == f.fields[i].val_len);
		FUZZ_CHECK(memcmp(again.fields[i].val, f.fields[i].val, f.fields[i].val_len) == 0);
	}
	sf_buf_release(&re);
	sf_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sf_form_limits tiny = { 3, 8, 16 };
	const char *body = (const char *)data;

	parse_with(body, size, NULL);
	parse_with(body, size, &tiny);
	return 0;
}

/* GET /api/v1/orders: the work-order list with its filters (state,
 * category, units, flags, dates, Chinese substring search, phone through
 * the keyed index, enterprise), sorts and opaque keyset cursors; the
 * person's data scope is always part of the query. */
#include "api/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium/utils.h>

#include "api/common.h"
#include "api/orders_impl.h"
#include "domain/search.h"
#include "store/unit.h"
#include "util/crypto.h"
#include "util/jw.h"
#include "util/utf8.h"

#define QUERY_MAX_CHARS 50
#define CURSOR_MAX 96

static const char *const sort_names[] = {
	[SF_ORDER_SORT_CREATED_DESC] = "-created",
	[SF_ORDER_SORT_CREATED] = "created",
	[SF_ORDER_SORT_DEADLINE] = "deadline",
	[SF_ORDER_SORT_UPDATED_DESC] = "-updated",
};

static void cursor_encode(char *out, size_t cap, enum sf_order_sort sort, int64_t key, int64_t id)
{
	char raw[64];
	int n = snprintf(raw, sizeof(raw), "%d.%lld.%lld", (int)sort, (long long)key,
			 (long long)id);

	sodium_bin2base64(out, cap, (const unsigned char *)raw, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int cursor_decode(struct sf_req *req, const char *s, struct sf_order_filter *f)
{
	unsigned char raw[64];
	size_t n = 0;
	char text[65], *end;
	long sort;
	long long key, id;

	if (strlen(s) > CURSOR_MAX ||
	    sodium_base642bin(raw, sizeof(raw) - 1, s, strlen(s), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		goto bad;
	memcpy(text, raw, n);
	text[n] = '\0';
	sort = strtol(text, &end, 10);
	if (*end != '.' || sort != (long)f->sort)
		goto bad;
	key = strtoll(end + 1, &end, 10);
	if (*end != '.')
		goto bad;
	id = strtoll(end + 1, &end, 10);
	if (*end || id < 0)
		goto bad;
	f->has_cursor = true;
	f->cursor_key = key;
	f->cursor_id = id;
	return 0;
bad:
	return sf_req_fail(req, SF_EINVAL, "invalid_field", "cursor",
			   "cursor is not one this list gave (or the sort changed)");
}

static int unit_param(struct sf_req *req, const char *key, const char **path)
{
	struct sf_unit u;
	int64_t id = 0;
	bool given = false;
	int rc = sf_api_query_int(req, key, 1, INT64_MAX, &id, &given);

	if (rc || !given)
		return rc;
	rc = sf_store_unit_get(sf_req_conn(req), id, &u);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", key, "no unit with id %lld",
				   (long long)id);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read the unit");
	*path = sf_arena_strdup(&req->arena, u.path);
	return 0;
}

static int state_param(struct sf_req *req, unsigned *mask)
{
	const char *s = sf_req_query(req, "state");
	const char *p;

	*mask = 0;
	if (!s || !*s)
		return 0;
	if (strlen(s) > 200)
		goto bad;
	for (p = s; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char name[24];
		enum sf_order_state st;

		if (n == 0 || n >= sizeof(name))
			goto bad;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!sf_order_state_parse(name, &st))
			goto bad;
		*mask |= SF_ORDER_BIT(st);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
bad:
	return sf_req_fail(req, SF_EINVAL, "invalid_field", "state",
			   "state must be a comma list of order states (submitted, accepted, ...)");
}

/* LIKE pattern %q% with \ escaping the wildcards of q. */
static const char *like_pattern(struct sf_req *req, const char *q)
{
	size_t n = strlen(q);
	char *out = sf_arena_alloc(&req->arena, n * 2 + 3);
	char *w = out;

	*w++ = '%';
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*w++ = '\\';
		*w++ = *p;
	}
	*w++ = '%';
	*w = '\0';
	return out;
}

static int search_param(struct sf_req *req, struct sf_order_filter *f,
			struct sf_search_terms *terms)
{
	const char *raw = sf_req_query(req, "q");
	char *q;
	size_t len, chars;

	if (!raw)
		return 0;
	while (*raw == ' ')
		raw++;
	q = sf_arena_strdup(&req->arena, raw);
	len = strlen(q);
	while (len > 0 && q[len - 1] == ' ')
		q[--len] = '\0';
	if (len == 0)
		return 0;
	if (!sf_utf8_valid(q, len) || sf_utf8_has_control(q, len, false))
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "q", "q is not valid text");
	chars = sf_utf8_count(q, len);
	if (chars > QUERY_MAX_CHARS)
		return sf_req_fail(req, SF_EINVAL, "too_long", "q",
				   "q is longer than %d characters", QUERY_MAX_CHARS);
	f->like = like_pattern(req, q);
	if (chars == 1) {
		f->like_title_only = true;
		return 0;
	}
	sf_search_terms_add(terms, q, len, 0);
	sf_search_terms_finish(terms);
	for (size_t i = 0; i < terms->n && f->nterms < SF_ORDER_QUERY_TERMS; i++)
		f->terms[f->nterms++] = terms->term[i];
	return 0;
}

static int phone_param(struct sf_req *req, struct sf_order_filter *f)
{
	const char *s = sf_req_query(req, "phone");
	char phone[SF_PHONE_MAX];
	char *idx;

	if (!s || !*s)
		return 0;
	if (!sf_req_sees_all(req))
		return sf_req_fail(req, SF_EFORBIDDEN, "role_not_allowed", "phone",
				   "only admin, leader and dispatcher may search by phone");
	if (strlen(s) > 40 || sf_phone_normalise(s, phone, sizeof(phone)) != 0)
		return sf_req_fail(req, SF_EINVAL, "invalid_field", "phone",
				   "phone is not a phone number");
	idx = sf_arena_alloc(&req->arena, SF_CRYPTO_HEX_SIZE);
	sf_crypto_index(&req->app->key, phone, idx);
	f->phone_index = idx;
	return 0;
}

static int sort_param(struct sf_req *req, enum sf_order_sort *sort)
{
	const char *s = sf_req_query(req, "sort");

	*sort = SF_ORDER_SORT_CREATED_DESC;
	if (!s || !*s)
		return 0;
	for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
		if (strcmp(s, sort_names[i]) == 0) {
			*sort = (enum sf_order_sort)i;
			return 0;
		}
	}
	return sf_req_fail(req, SF_EINVAL, "invalid_field", "sort",
			   "sort must be created, -created, deadline or -updated");
}

struct list_ctx {
	struct sf_req *req;
	struct sf_jw *w;
	enum sf_order_sort sort;
	int limit, count;
	bool more;
	int64_t last_key, last_id;
};

static int list_row(const struct sf_order_row *o, void *vctx)
{
	struct list_ctx *ctx = vctx;

	if (ctx->count >= ctx->limit) {
		ctx->more = true;
		return 1;
	}
	sf_jw_obj_begin(ctx->w);
	sf_orders_write_item(ctx->req, ctx->w, o);
	sf_jw_obj_end(ctx->w);
	ctx->count++;
	ctx->last_key = sf_store_order_sort_key(o, ctx->sort);
	ctx->last_id = o->id;
	return 0;
}

static int list_filter(struct sf_req *req, struct sf_order_filter *f, struct sf_search_terms *terms)
{
	const char *cat = sf_req_query(req, "category");
	const char *cursor = sf_req_query(req, "cursor");
	int rc;

	sf_orders_scope_filter(&req->who, f);
	rc = state_param(req, &f->state_mask);
	if (!rc && cat && *cat) {
		struct sf_order_category c;

		if (strlen(cat) > 48 || sf_store_order_category(sf_req_conn(req), 0, cat, &c) != 0)
			return sf_req_fail(req, SF_EINVAL, "invalid_field", "category",
					   "no category with that code");
		f->category_id = c.id;
	}
	if (!rc)
		rc = unit_param(req, "unit", &f->dept_path);
	if (!rc)
		rc = unit_param(req, "area", &f->area_path);
	if (!rc)
		rc = sf_orders_query_flag(req, "overdue", &f->only_overdue);
	if (!rc)
		rc = sf_orders_query_flag(req, "warned", &f->only_warned);
	if (!rc)
		rc = sf_orders_query_flag(req, "problem", &f->only_problem);
	if (!rc)
		rc = sf_orders_query_flag(req, "supervised", &f->only_supervised);
	if (!rc)
		rc = sf_api_query_time(req, "from", false, &f->from, &f->has_from);
	if (!rc)
		rc = sf_api_query_time(req, "to", true, &f->to, &f->has_to);
	if (!rc)
		rc = search_param(req, f, terms);
	if (!rc)
		rc = phone_param(req, f);
	if (!rc) /* within the scope, as every filter */
		rc = sf_api_query_int(req, "enterprise", 1, INT64_MAX, &f->enterprise_id, NULL);
	if (!rc)
		rc = sort_param(req, &f->sort);
	if (!rc)
		rc = sf_api_limit(req, &f->limit);
	if (!rc && cursor && *cursor)
		rc = cursor_decode(req, cursor, f);
	return rc;
}

int sf_api_orders_list(struct sf_req *req)
{
	struct sf_order_filter f;
	struct sf_search_terms terms;
	struct list_ctx ctx = { 0 };
	struct sf_jw w;
	int limit;
	int rc;

	memset(&f, 0, sizeof(f));
	sf_search_terms_init(&terms);
	rc = list_filter(req, &f, &terms);
	if (rc)
		goto out;
	limit = f.limit;
	f.limit = limit + 1; /* one more tells whether there is a next page */
	sf_req_reply_json(req, 200, &w);
	ctx.req = req;
	ctx.w = &w;
	ctx.sort = f.sort;
	ctx.limit = limit;
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_order_list(sf_req_conn(req), &f, list_row, &ctx);
	if (rc < 0) {
		rc = sf_req_fail(req, SF_EDB, "storage_error", "", "cannot list the orders");
		goto out;
	}
	rc = 0;
	sf_jw_arr_end(&w);
	if (ctx.more) {
		char cur[CURSOR_MAX + 1];

		cursor_encode(cur, sizeof(cur), f.sort, ctx.last_key, ctx.last_id);
		sf_jw_kstr(&w, "next_cursor", cur);
	} else {
		sf_jw_knull(&w, "next_cursor");
	}
	sf_jw_obj_end(&w);
out:
	sf_search_terms_release(&terms);
	return rc;
}

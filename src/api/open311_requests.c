/* Open311 service requests as the public reads them: GET requests (the
 * filters, the 90-day window, the 1000 cap, page/page_size, extensions=true
 * notes), GET requests/{id} and GET tokens/{token}. Sanfu states map to
 * open/closed: closed, rejected and merged are closed, everything else
 * open. Only public columns and public events are read: never a requester. */
#include "api/open311.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/order.h"
#include "store/catalog.h"
#include "store/open311.h"
#include "store/order.h"
#include "util/json.h"
#include "util/timefmt.h"

#define DAY 86400

/* ---- output of one request ---- */

static bool state_closed(const char *state)
{
	return state && (strcmp(state, "closed") == 0 || strcmp(state, "rejected") == 0 ||
			 strcmp(state, "merged") == 0);
}

struct notes_ctx {
	struct sf_o311_out *o;
	bool english;
};

/* A public event as a note: what it says comes only from the fields meant
 * for the public (a public note's text, the result, a rejection reason);
 * anything else is the state it led to. Never names or contacts. */
static int write_note(const struct sf_order_event *ev, void *ctx)
{
	struct notes_ctx *nc = ctx;
	struct sf_json *body = NULL, *target = NULL;
	const char *text = NULL;
	char merged[96];
	enum sf_order_state st;

	if (ev->body && sf_json_parse(ev->body, strlen(ev->body), &body, NULL) == 0) {
		if (strcmp(ev->action, "note") == 0)
			text = sf_json_str(body, "text");
		else if (strcmp(ev->action, "resolve") == 0)
			text = sf_json_str(body, "result");
		else if (strcmp(ev->action, "reject") == 0 || strcmp(ev->action, "close") == 0)
			text = sf_json_str(body, "reason");
		else if (strcmp(ev->action, "merge") == 0 &&
			 sf_json_object(body, "target", &target) == 0 &&
			 sf_json_str(target, "code")) {
			/* The order it duplicates is itself public: say which. */
			snprintf(merged, sizeof(merged),
				 nc->english ? "duplicate of %.40s" : "已合并至 %.40s",
				 sf_json_str(target, "code"));
			text = merged;
		}
	}
	if ((!text || !*text) && sf_order_state_parse(ev->to_state, &st))
		text = nc->english ? sf_order_state_name(st) : sf_order_state_label_zh(st);
	sf_o311_obj(nc->o, "note");
	sf_o311_time(nc->o, "datetime", ev->at);
	sf_o311_str(nc->o, "description", text ? text : "");
	sf_o311_str(nc->o, "type", ev->action);
	sf_o311_end(nc->o);
	sf_json_free(target);
	sf_json_free(body);
	return 0;
}

struct list_ctx {
	struct sf_req *req;
	struct sf_o311_out *o;
	bool english;
	bool notes;
	int count;
};

static int write_request(const struct sf_o311_request *r, void *ctx)
{
	struct list_ctx *lc = ctx;
	struct sf_o311_out *o = lc->o;
	bool closed = state_closed(r->state);
	const char *dept = lc->english && r->dept_en && r->dept_en[0] ? r->dept_en : r->dept_zh;

	sf_o311_obj(o, "request");
	sf_o311_str(o, "service_request_id", r->code);
	sf_o311_str(o, "status", closed ? "closed" : "open");
	sf_o311_str(o, "status_notes", r->public_note && *r->public_note ? r->public_note : NULL);
	sf_o311_str(o, "service_name",
		    lc->english && r->service_en && *r->service_en ? r->service_en : r->service_zh);
	sf_o311_str(o, "service_code", r->service_code);
	sf_o311_str(o, "description", r->description);
	sf_o311_str(o, "agency_responsible", dept && *dept ? dept : NULL);
	sf_o311_str(o, "service_notice", NULL);
	sf_o311_time(o, "requested_datetime", r->created_at);
	sf_o311_time(o, "updated_datetime", closed && r->closed_at ? r->closed_at : r->updated_at);
	sf_o311_time(o, "expected_datetime", r->expected_at);
	sf_o311_str(o, "address", r->address && *r->address ? r->address : NULL);
	sf_o311_str(o, "address_id", NULL);
	sf_o311_str(o, "zipcode", NULL);
	if (r->has_geo) {
		sf_o311_num(o, "lat", r->lat);
		sf_o311_num(o, "long", r->lng);
	} else {
		sf_o311_str(o, "lat", NULL);
		sf_o311_str(o, "long", NULL);
	}
	sf_o311_str(o, "media_url", r->media_url && *r->media_url ? r->media_url : NULL);
	if (lc->notes) {
		struct notes_ctx nc = { o, lc->english };

		sf_o311_list(o, "notes", "note");
		sf_store_order_event_each(sf_req_conn(lc->req), r->id, true, write_note, &nc);
		sf_o311_end(o);
	}
	sf_o311_end(o);
	lc->count++;
	return 0;
}

/* ---- GET requests ---- */

/* Split a comma list into at most max trimmed, non-empty items (arena copies). */
static size_t split_list(struct sf_req *req, const char *s, const char **items, size_t max,
			 bool *over)
{
	size_t n = 0;

	*over = false;
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		const char *b = s, *e = s + len;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b) {
			if (n == max) {
				*over = true;
				return n;
			}
			items[n++] = sf_arena_strndup(&req->arena, b, (size_t)(e - b));
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	return n;
}

static const char *present(const char *s)
{
	return s && *s ? s : NULL;
}

/* An optional positive integer query parameter within [1, max]. */
static bool query_pos(struct sf_req *req, const char *key, int64_t max, int64_t *out)
{
	const char *s = present(sf_req_query(req, key));
	char *end = NULL;
	long long v;

	if (!s)
		return true;
	if (strlen(s) > 12 || !isdigit((unsigned char)s[0]))
		return false;
	v = strtoll(s, &end, 10);
	if (*end || v < 1 || v > max)
		return false;
	*out = v;
	return true;
}

static int by_ids(struct sf_req *req, enum sf_o311_fmt fmt, const char *list, struct list_ctx *lc)
{
	const char **ids = sf_arena_alloc(&req->arena, SF_O311_IDS_MAX * sizeof(char *));
	bool over;
	size_t n = split_list(req, list, ids, SF_O311_IDS_MAX, &over);

	if (over)
		return sf_o311_fail(req, fmt, 400, "service_request_id lists at most %d ids",
				    SF_O311_IDS_MAX);
	sf_o311_begin(req, lc->o, fmt, 200);
	sf_o311_list(lc->o, "service_requests", "request");
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		int rc;

		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(ids[i], ids[j]) == 0;
		if (dup || strlen(ids[i]) > 31)
			continue;
		rc = sf_store_o311_request_by_code(sf_req_conn(req), ids[i], write_request, lc);
		if (rc && rc != SF_ENOTFOUND)
			return sf_o311_fail(req, fmt, 500, "the requests cannot be read");
	}
	sf_o311_end(lc->o);
	return sf_o311_done(req, lc->o);
}

int sf_o311_requests_get(struct sf_req *req, enum sf_o311_fmt fmt)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_o311_out o;
	struct list_ctx lc = { req, &o, sf_o311_english(req), false, 0 };
	struct sf_o311_filter f = { 0 };
	const char *ids = present(sf_req_query(req, "service_request_id"));
	const char *codes = present(sf_req_query(req, "service_code"));
	const char *start = present(sf_req_query(req, "start_date"));
	const char *end = present(sf_req_query(req, "end_date"));
	const char *status = present(sf_req_query(req, "status"));
	const char *ext = present(sf_req_query(req, "extensions"));
	int64_t page = 1, page_size = SF_O311_MAX_RESULTS;
	int rc;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	if (ext && strcmp(ext, "true") != 0 && strcmp(ext, "false") != 0)
		return sf_o311_fail(req, fmt, 400, "extensions must be true or false");
	lc.notes = ext && strcmp(ext, "true") == 0;
	if (ids)
		return by_ids(req, fmt, ids, &lc);
	if (!query_pos(req, "page", 1000000, &page))
		return sf_o311_fail(req, fmt, 400, "page must be a positive integer");
	if (!query_pos(req, "page_size", SF_O311_MAX_RESULTS, &page_size))
		return sf_o311_fail(req, fmt, 400, "page_size must be 1 to %d",
				    SF_O311_MAX_RESULTS);
	if (start && sf_time_parse_iso(start, &f.from))
		return sf_o311_fail(
			req, fmt, 400,
			"start_date must be a W3C date and time, e.g. 2026-01-01T00:00:00+08:00");
	if (end && sf_time_parse_iso(end, &f.to))
		return sf_o311_fail(
			req, fmt, 400,
			"end_date must be a W3C date and time, e.g. 2026-03-31T23:59:59+08:00");
	if (start && end) {
		if (f.to < f.from)
			return sf_o311_fail(req, fmt, 400, "end_date is before start_date");
		if (f.to - f.from > (int64_t)SF_O311_SPAN_DAYS * DAY)
			return sf_o311_fail(req, fmt, 400,
					    "start_date and end_date may be at most %d days apart",
					    SF_O311_SPAN_DAYS);
	} else if (start) {
		f.to = f.from + (int64_t)SF_O311_SPAN_DAYS * DAY;
	} else if (end) {
		f.from = f.to - (int64_t)SF_O311_SPAN_DAYS * DAY;
	} else {
		f.to = req->now;
		f.from = req->now - (int64_t)SF_O311_SPAN_DAYS * DAY;
	}
	if (status) {
		const char *items[8];
		bool over;
		size_t n = split_list(req, status, items, 8, &over);

		for (size_t i = 0; i < n; i++) {
			if (strcmp(items[i], "open") == 0)
				f.open = true;
			else if (strcmp(items[i], "closed") == 0)
				f.closed = true;
			else
				return sf_o311_fail(req, fmt, 400, "status must be open or closed");
		}
		if (over)
			return sf_o311_fail(req, fmt, 400, "status must be open or closed");
	}
	if (!f.open && !f.closed)
		f.open = f.closed = true;
	if (codes) {
		const char *items[100];
		struct sf_buf ids_buf;
		bool over;
		size_t n = split_list(req, codes, items, 100, &over);

		if (over)
			return sf_o311_fail(req, fmt, 400, "service_code lists at most 100 codes");
		sf_buf_init(&ids_buf, 4096);
		sf_buf_addch(&ids_buf, ',');
		for (size_t i = 0; i < n; i++) {
			struct sf_category cat;

			if (strlen(items[i]) >= sizeof(cat.code))
				continue;
			rc = sf_store_category_by_code(c, items[i], &cat);
			if (rc == 0 && cat.open311)
				sf_buf_addf(&ids_buf, "%lld,", (long long)cat.id);
			sf_category_release(&cat);
			if (rc && rc != SF_ENOTFOUND) {
				sf_buf_release(&ids_buf);
				return sf_o311_fail(req, fmt, 500, "the catalogue cannot be read");
			}
		}
		/* No known code: nothing can match (",0," matches no category). */
		if (ids_buf.len == 1)
			sf_buf_adds(&ids_buf, "0,");
		f.category_ids = sf_arena_strdup(&req->arena, ids_buf.data);
		sf_buf_release(&ids_buf);
	}
	f.limit = (int)page_size;
	f.offset = (page - 1) * page_size;
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_list(&o, "service_requests", "request");
	rc = sf_store_o311_request_each(c, &f, write_request, &lc);
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the requests cannot be read");
	sf_o311_end(&o);
	return sf_o311_done(req, &o);
}

/* ---- GET requests/{id} ---- */

int sf_o311_request_get(struct sf_req *req, enum sf_o311_fmt fmt, const char *id)
{
	struct sf_o311_out o;
	struct list_ctx lc = { req, &o, sf_o311_english(req), false, 0 };
	const char *ext = present(sf_req_query(req, "extensions"));
	int rc;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	lc.notes = ext && strcmp(ext, "true") == 0;
	if (strlen(id) > 31)
		return sf_o311_fail(req, fmt, 404, "service_request_id not found");
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_list(&o, "service_requests", "request");
	rc = sf_store_o311_request_by_code(sf_req_conn(req), id, write_request, &lc);
	if (rc == SF_ENOTFOUND)
		return sf_o311_fail(req, fmt, 404, "service_request_id %s not found", id);
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the request cannot be read");
	sf_o311_end(&o);
	return sf_o311_done(req, &o);
}

/* ---- GET tokens/{token} ---- */

int sf_o311_token_get(struct sf_req *req, enum sf_o311_fmt fmt, const char *token)
{
	struct sf_o311_out o;
	char code[32];
	int rc;

	if (!sf_o311_jurisdiction_ok(req, fmt, sf_req_query(req, "jurisdiction_id")))
		return 0;
	if (strlen(token) > 64)
		return sf_o311_fail(req, fmt, 404, "token not found");
	rc = sf_store_o311_token_order(sf_req_conn(req), token, code, sizeof(code));
	if (rc == SF_ENOTFOUND)
		return sf_o311_fail(req, fmt, 404, "token %s not found", token);
	if (rc)
		return sf_o311_fail(req, fmt, 500, "the token cannot be read");
	sf_o311_begin(req, &o, fmt, 200);
	sf_o311_list(&o, "service_requests", "request");
	sf_o311_obj(&o, "request");
	sf_o311_str(&o, "service_request_id", code);
	sf_o311_str(&o, "token", token);
	sf_o311_end(&o);
	sf_o311_end(&o);
	return sf_o311_done(req, &o);
}

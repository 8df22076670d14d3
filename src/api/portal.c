/* The public portal's API; see portal.h. Orders are filed through
 * sf_orders_create and rated through sf_orders_act_tracked, so the portal
 * follows the same rules as every other path. What leaves here is a
 * whitelist: no requester, no staff names, no internal events. */
#include "api/portal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/app.h"
#include "api/orders.h"
#include "store/order.h"
#include "store/ratelimit.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/jw.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define WINDOW 3600 /* seconds of the per-IP limits */
#define PHOTO_RATE_FACTOR 3
#define DESCRIPTION_MAX 2000
#define ADDRESS_MAX 200
#define TITLE_MAX 100
#define TITLE_CHARS 30 /* a title made from the description */
#define CODE_MAX 15
#define SECRET_MAX 128

static const char not_found_msg[] =
	"没有这个查询码，或密钥不对。No request has this tracking code and secret.";

/* ---- small helpers ---- */

static int db_fail(struct sf_req *req)
{
	return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read or write the request");
}

/* The tracking code from the path, upper-cased (people type it by hand);
 * false when it cannot be one. */
static bool code_param(struct sf_req *req, char out[CODE_MAX + 1])
{
	const char *p = req->nparams ? req->params[0] : NULL;
	size_t n = p ? strlen(p) : 0;

	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return false;
		out[i] = ch;
	}
	out[n] = '\0';
	return true;
}

/* Load the order with this tracking code when secret matches it. An unknown
 * code and a wrong secret get the same 404. The caller releases *o. */
static int load_tracked(struct sf_req *req, const char *code, const char *secret,
			struct sf_order_row *o)
{
	char hash[SF_CRYPTO_HEX_SIZE];
	struct sf_conn *c = sf_req_conn(req);
	int64_t id = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	if (!secret || !*secret || strlen(secret) > SECRET_MAX)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", not_found_msg);
	sf_crypto_token_hash(secret, hash);
	rc = sf_store_order_id_by_tracking(c, code, &id);
	if (rc == 0)
		rc = sf_store_order_get(c, id, o);
	if (rc == 0 && !sf_crypto_equal(o->tracking_secret_hash, hash)) {
		sf_order_row_release(o);
		rc = SF_ENOTFOUND;
	}
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", not_found_msg);
	if (rc)
		return db_fail(req);
	return 0;
}

/* Refuse when key has had limit hits in the current window (limit <= 0:
 * no limit). */
static int check_limit(struct sf_req *req, const char *key, int64_t limit)
{
	int64_t hits = 0, reset = 0, minutes;
	int rc;

	if (limit <= 0)
		return 0;
	rc = sf_store_ratelimit_peek(sf_req_conn(req), key, req->now, WINDOW, &hits, &reset);
	if (rc)
		return db_fail(req);
	if (hits < limit)
		return 0;
	minutes = (reset - req->now + 59) / 60;
	if (minutes < 1)
		minutes = 1;
	return sf_req_fail(req, SF_ERATE, "rate_limited", "",
			   "提交过于频繁：每小时最多 %lld 次，请约 %lld 分钟后再试。"
			   "Too many submissions from your network: at most %lld an hour; "
			   "try again in about %lld minutes.",
			   (long long)limit, (long long)minutes, (long long)limit,
			   (long long)minutes);
}

static const char *limit_key(struct sf_req *req, const char *what)
{
	return sf_arena_printf(&req->arena, "portal:%s:%s", what, req->ip ? req->ip : "");
}

/* ---- the public view ---- */

/* What the public timeline and the rating rule need from the events. */
struct view_ctx {
	struct sf_req *req;
	struct sf_jw *w; /* NULL: only gather */
	int64_t last_resolve_seq, last_rate_seq;
	int64_t call_at;
	const char *call_channel, *call_summary; /* arena copies */
};

static const char *arena_str(struct sf_req *req, const struct sf_json *body, const char *key)
{
	const char *s = body ? sf_json_str(body, key) : NULL;

	return s ? sf_arena_strdup(&req->arena, s) : NULL;
}

/* The one text of a public event that is meant for the requester. */
static const char *public_text(const char *action)
{
	if (strcmp(action, "resolve") == 0)
		return "result";
	if (strcmp(action, "return_call") == 0)
		return "summary";
	if (strcmp(action, "note") == 0)
		return "text";
	if (strcmp(action, "reject") == 0)
		return "reason";
	return NULL;
}

static int view_event(const struct sf_order_event *ev, void *vctx)
{
	struct view_ctx *v = vctx;
	struct sf_json *body = NULL;
	struct sf_error perr;
	enum sf_order_action a;
	const char *tkey = public_text(ev->action);

	if (ev->body && sf_json_parse(ev->body, strlen(ev->body), &body, &perr) != 0)
		body = NULL;
	if (strcmp(ev->action, "resolve") == 0)
		v->last_resolve_seq = ev->seq;
	else if (strcmp(ev->action, "rate") == 0)
		v->last_rate_seq = ev->seq;
	else if (strcmp(ev->action, "return_call") == 0) {
		v->call_at = ev->at;
		v->call_channel = arena_str(v->req, body, "channel");
		v->call_summary = arena_str(v->req, body, "summary");
	}
	if (v->w) {
		struct sf_jw *w = v->w;

		sf_jw_obj_begin(w);
		sf_jw_kint(w, "seq", ev->seq);
		sf_jw_kstr(w, "action", ev->action);
		sf_jw_kstr(w, "action_label",
			   sf_order_action_parse(ev->action, &a) ? sf_order_action_label_zh(a)
								 : ev->action);
		sf_jw_kstr(w, "from_state", ev->from_state);
		sf_jw_kstr(w, "to_state", ev->to_state);
		sf_jw_ktime(w, "at", ev->at);
		if (tkey && body && sf_json_str(body, tkey))
			sf_jw_kstr(w, "text", sf_json_str(body, tkey));
		if (strcmp(ev->action, "rate") == 0 && body && sf_json_str(body, "rating"))
			sf_jw_kstr(w, "rating", sf_json_str(body, "rating"));
		sf_jw_obj_end(w);
	}
	sf_json_free(body);
	return 0;
}

static int count_photos(const struct sf_attachment *a, void *ctx)
{
	int *n = ctx;

	if (a->created_by == 0)
		(*n)++;
	return 0;
}

static bool ratable_state(enum sf_order_state s)
{
	return s == SF_ORDER_RESOLVED || s == SF_ORDER_FEEDBACK;
}

/* Rated since it was last resolved: a reopened and resolved-again order
 * may be rated again, once. */
static bool rated_since_resolve(const struct view_ctx *v)
{
	return v->last_rate_seq > v->last_resolve_seq;
}

static int write_view(struct sf_req *req, int status, const struct sf_order_row *o)
{
	struct sf_conn *c = sf_req_conn(req);
	struct view_ctx v = { .req = req };
	struct sf_jw w;
	int photos = 0, rc;

	/* Gather first so an error can still be answered as one. */
	rc = sf_store_order_event_each(c, o->id, true, view_event, &v);
	if (!rc)
		rc = sf_store_attachment_each(c, o->id, true, count_photos, &photos);
	if (rc)
		return db_fail(req);
	sf_req_reply_json(req, status, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "tracking_code", o->tracking_code);
	sf_jw_kstr(&w, "state", sf_order_state_name(o->state));
	sf_jw_kstr(&w, "state_label", sf_order_state_label_zh(o->state));
	sf_jw_key(&w, "category");
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "code", o->category_code);
	sf_jw_kstr(&w, "name", o->category_zh);
	sf_jw_kstr(&w, "name_en", o->category_en);
	sf_jw_obj_end(&w);
	sf_jw_kstr(&w, "channel", o->channel);
	sf_jw_ktime(&w, "created_at", o->created_at);
	sf_jw_ktime(&w, "updated_at", o->updated_at);
	sf_jw_ktime(&w, "resolved_at", o->resolved_at);
	sf_jw_kstr(&w, "public_note", o->public_note);
	sf_jw_kstr(&w, "result", o->result);
	sf_jw_kstr(&w, "rating", sf_rating_name(o->rating));
	if (v.call_at > 0) {
		sf_jw_key(&w, "return_call");
		sf_jw_obj_begin(&w);
		sf_jw_ktime(&w, "at", v.call_at);
		sf_jw_kstr(&w, "channel", v.call_channel);
		sf_jw_kstr(&w, "summary", v.call_summary);
		sf_jw_obj_end(&w);
	} else {
		sf_jw_knull(&w, "return_call");
	}
	sf_jw_kbool(&w, "can_rate", ratable_state(o->state) && !rated_since_resolve(&v));
	sf_jw_kint(&w, "photos", photos);
	sf_jw_kbool(&w, "can_add_photo",
		    sf_order_state_open(o->state) && photos < SF_PORTAL_PHOTOS_MAX);
	sf_jw_key(&w, "timeline");
	sf_jw_arr_begin(&w);
	v.w = &w;
	rc = sf_store_order_event_each(c, o->id, true, view_event, &v);
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	if (rc) {
		sf_buf_reset(&req->out);
		return db_fail(req);
	}
	return 0;
}

/* ---- submit ---- */

static const struct sf_jfield submit_spec[] = {
	{ "category", SF_JT_STRING, true, 48, 0, 0 },
	{ "description", SF_JT_TEXT, true, DESCRIPTION_MAX, 0, 0 },
	{ "address", SF_JT_STRING, true, ADDRESS_MAX, 0, 0 },
	{ "phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "title", SF_JT_STRING, false, TITLE_MAX, 0, 0 },
	{ 0 },
};

/* A title from the first line of the description, at most TITLE_CHARS
 * characters, for residents who write only the description. */
static const char *title_from(struct sf_req *req, const char *desc)
{
	size_t n;

	while (*desc == ' ' || *desc == '\n' || *desc == '\r' || *desc == '\t')
		desc++;
	n = strcspn(desc, "\r\n");
	n = sf_utf8_prefix(desc, n, TITLE_CHARS);
	return sf_arena_strndup(&req->arena, desc, n);
}

int sf_api_portal_submit(struct sf_req *req)
{
	struct sf_app *app = req->app;
	struct sf_json *body = NULL;
	struct sf_principal who;
	struct sf_order_input in;
	struct sf_order_created out;
	const char *key = limit_key(req, "submit");
	const char *base = app->cfg.public_url;
	size_t blen = strlen(base);
	struct sf_jw w;
	int rc;

	rc = sf_req_json(req, submit_spec, &body);
	if (rc)
		return rc;
	rc = check_limit(req, key, app->cfg.public_rate);
	if (rc)
		goto out;
	memset(&who, 0, sizeof(who));
	who.role = SF_ROLE_PUBLIC;
	memset(&in, 0, sizeof(in));
	in.description = sf_json_str(body, "description");
	in.title = sf_json_str(body, "title");
	if (!in.title || !*in.title)
		in.title = title_from(req, in.description);
	in.category_code = sf_json_str(body, "category");
	in.channel = "web";
	in.requester_phone = sf_json_str(body, "phone");
	in.requester_kind = in.requester_phone && *in.requester_phone ? "person" : "anonymous";
	in.address = sf_json_str(body, "address");
	in.public_submission = true;
	rc = sf_orders_create(app, sf_req_conn(req), &who, &in, false, req->now, &out, &req->err);
	if (rc) {
		/* The resident typed a phone, not requester.phone. */
		if (strcmp(req->err.field, "requester.phone") == 0)
			snprintf(req->err.field, sizeof(req->err.field), "phone");
		goto out;
	}
	/* The order is saved; a failure to count it must not hide the code. */
	(void)sf_store_ratelimit_add(sf_req_conn(req), key, req->now, WINDOW);
	while (blen && base[blen - 1] == '/')
		blen--;
	sf_req_reply_json(req, 201, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "tracking_code", out.tracking_code);
	sf_jw_kstr(&w, "secret", out.tracking_secret);
	sf_jw_kstr(&w, "url",
		   sf_arena_printf(&req->arena, "%.*s/portal/t/%s#s=%s", (int)blen, base,
				   out.tracking_code, out.tracking_secret));
	sf_jw_kstr(&w, "state", sf_order_state_name(SF_ORDER_SUBMITTED));
	sf_jw_ktime(&w, "deadline", out.deadline);
	sf_jw_obj_end(&w);
	explicit_bzero(out.tracking_secret, sizeof(out.tracking_secret));
out:
	sf_json_free(body);
	return rc;
}

/* ---- track ---- */

int sf_api_portal_track(struct sf_req *req)
{
	struct sf_order_row o;
	char code[CODE_MAX + 1];
	int rc;

	if (!code_param(req, code))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", not_found_msg);
	rc = load_tracked(req, code, sf_req_query(req, "secret"), &o);
	if (rc)
		return rc;
	rc = write_view(req, 200, &o);
	sf_order_row_release(&o);
	return rc;
}

/* ---- rate ---- */

static const struct sf_jfield rate_spec[] = {
	{ "secret", SF_JT_STRING, true, SECRET_MAX, 0, 0 },
	{ "rating", SF_JT_STRING, true, 16, 0, 0 },
	{ "comment", SF_JT_TEXT, false, 500, 0, 0 },
	{ 0 },
};

int sf_api_portal_rate(struct sf_req *req)
{
	struct sf_json *body = NULL;
	struct sf_order_row o;
	struct sf_order_act act = { .action = SF_ORDER_ACTION_RATE };
	struct view_ctx v = { .req = req };
	char code[CODE_MAX + 1];
	const char *secret;
	int rc;

	memset(&o, 0, sizeof(o));
	if (!code_param(req, code))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", not_found_msg);
	rc = sf_req_json(req, rate_spec, &body);
	if (rc)
		return rc;
	secret = sf_json_str(body, "secret");
	rc = load_tracked(req, code, secret, &o);
	if (rc)
		goto out;
	if (!sf_rating_parse(sf_json_str(body, "rating"), &act.rating)) {
		rc = sf_req_fail(req, SF_EINVAL, "invalid_field", "rating",
				 "rating must be satisfied, basic or unsatisfied");
		goto out;
	}
	if (!ratable_state(o.state)) {
		rc = sf_req_fail(req, SF_ECONFLICT, "not_ratable", "",
				 "办结后才能评价。It can be rated once it is resolved.");
		goto out;
	}
	rc = sf_store_order_event_each(sf_req_conn(req), o.id, true, view_event, &v);
	if (rc) {
		rc = db_fail(req);
		goto out;
	}
	if (rated_since_resolve(&v)) {
		rc = sf_req_fail(req, SF_ECONFLICT, "already_rated", "",
				 "已经评价过了。It has already been rated.");
		goto out;
	}
	act.text = sf_json_str(body, "comment");
	rc = sf_orders_act_tracked(req->app, sf_req_conn(req), code, secret, &act, req->now,
				   &req->err);
	if (rc)
		goto out;
	sf_order_row_release(&o);
	rc = load_tracked(req, code, secret, &o);
	if (!rc)
		rc = write_view(req, 200, &o);
out:
	sf_order_row_release(&o);
	sf_json_free(body);
	return rc;
}

/* ---- photo ---- */

/* The image type of the body, by its Content-Type and confirmed by its
 * first bytes; NULL when they are not one of the accepted images. */
static const char *image_type(const struct sf_req *req)
{
	static const struct {
		const char *mime;
		const char *magic;
		size_t off, n;
	} kinds[] = {
		{ "image/jpeg", "\xff\xd8\xff", 0, 3 },
		{ "image/png", "\x89PNG\r\n\x1a\n", 0, 8 },
		{ "image/gif", "GIF8", 0, 4 },
		{ "image/webp", "WEBP", 8, 4 },
	};
	const char *ct = req->content_type;
	size_t ctn;

	if (!ct)
		return NULL;
	ctn = strcspn(ct, "; ");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].mime) != ctn || strncasecmp(ct, kinds[i].mime, ctn) != 0)
			continue;
		if (req->body_len < kinds[i].off + kinds[i].n ||
		    memcmp(req->body + kinds[i].off, kinds[i].magic, kinds[i].n) != 0)
			return NULL;
		if (i == 3 && memcmp(req->body, "RIFF", 4) != 0)
			return NULL;
		return kinds[i].mime;
	}
	return NULL;
}

/* Store the photo with its public "attach" event in one transaction.
 * The state machine's attach row is for staff; the holder of the secret
 * adds photos to their own open order here, under the same state rule. */
static int store_photo(struct sf_req *req, int64_t order_id, const char *mime, int64_t *id)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_attachment a;
	struct sf_order_row o;
	struct sf_order_event ev;
	struct sf_buf body;
	struct sf_jw w;
	int photos = 0, rc;

	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	memset(&ev, 0, sizeof(ev));
	sf_buf_init(&body, 1024);
	rc = sf_conn_begin(c, true);
	if (rc) {
		rc = sf_req_fail(req, SF_EBUSY, "busy", "", "the database is busy; try again");
		goto done;
	}
	rc = sf_store_order_get_for_update(c, order_id, &o);
	if (rc)
		goto db;
	if (!sf_order_transition_find(SF_ORDER_ACTION_ATTACH, o.state)) {
		rc = sf_req_fail(
			req, SF_ECONFLICT, "illegal_transition", "",
			"这件诉求已结束，不能再添加照片。The request is closed; no more photos.");
		goto out;
	}
	rc = sf_store_attachment_each(c, o.id, true, count_photos, &photos);
	if (rc)
		goto db;
	if (photos >= SF_PORTAL_PHOTOS_MAX) {
		rc = sf_req_fail(req, SF_ECONFLICT, "too_many_photos", "",
				 "每件诉求最多 %d 张照片。At most %d photos per request.",
				 SF_PORTAL_PHOTOS_MAX, SF_PORTAL_PHOTOS_MAX);
		goto out;
	}
	a.order_id = o.id;
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	a.size = (int64_t)req->body_len;
	sf_crypto_sha256_hex(req->body, req->body_len, a.sha256);
	a.public = true;
	a.created_at = req->now;
	rc = sf_store_attachment_insert(c, &a, req->body, &a.id);
	if (rc)
		goto db;
	o.updated_at = req->now;
	rc = sf_store_order_update(c, &o);
	if (rc == SF_ECONFLICT) {
		rc = sf_req_fail(req, SF_ECONFLICT, "stale_version", "",
				 "the order changed; try again");
		goto out;
	}
	if (rc)
		goto db;
	sf_jw_init(&w, &body);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "attachment");
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", a.id);
	sf_jw_kstr(&w, "mime", a.mime);
	sf_jw_kint(&w, "size", a.size);
	sf_jw_kbool(&w, "public", true);
	sf_jw_obj_end(&w);
	sf_jw_obj_end(&w);
	ev.order_id = o.id;
	ev.action = sf_order_action_name(SF_ORDER_ACTION_ATTACH);
	ev.from_state = sf_order_state_name(o.state);
	ev.to_state = ev.from_state;
	ev.actor_name = sf_role_label_zh(SF_ROLE_PUBLIC);
	ev.actor_role = sf_role_name(SF_ROLE_PUBLIC);
	ev.at = req->now;
	ev.public = true;
	ev.body = body.data;
	rc = sf_store_order_event_append(c, &ev);
	if (!rc)
		rc = sf_store_attachment_set_event(c, a.id, ev.id);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc)
		goto db;
	*id = a.id;
	goto done;
db:
	rc = db_fail(req);
out:
	sf_conn_rollback(c);
done:
	sf_order_row_release(&o);
	sf_buf_release(&body);
	return rc;
}

int sf_api_portal_photo(struct sf_req *req)
{
	struct sf_order_row o;
	char code[CODE_MAX + 1];
	const char *key = limit_key(req, "photo");
	const char *mime;
	struct sf_jw w;
	int64_t id = 0;
	int rc;

	if (!code_param(req, code))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "%s", not_found_msg);
	rc = load_tracked(req, code, sf_req_query(req, "secret"), &o);
	if (rc)
		return rc;
	if (req->body_len == 0) {
		rc = sf_req_fail(req, SF_EINVAL, "empty_body", "", "send the image as the body");
		goto out;
	}
	mime = image_type(req);
	if (!mime) {
		rc = sf_req_fail(req, SF_EMEDIA, "unsupported_media_type", "Content-Type",
				 "只接受 JPEG、PNG、WebP 或 GIF 图片。"
				 "Only JPEG, PNG, WebP or GIF images are accepted.");
		goto out;
	}
	rc = check_limit(req, key, (int64_t)req->app->cfg.public_rate * PHOTO_RATE_FACTOR);
	if (rc)
		goto out;
	rc = store_photo(req, o.id, mime, &id);
	if (rc)
		goto out;
	(void)sf_store_ratelimit_add(sf_req_conn(req), key, req->now, WINDOW);
	sf_req_reply_json(req, 201, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", id);
	sf_jw_kstr(&w, "mime", mime);
	sf_jw_kint(&w, "size", (int64_t)req->body_len);
	sf_jw_obj_end(&w);
out:
	sf_order_row_release(&o);
	return rc;
}

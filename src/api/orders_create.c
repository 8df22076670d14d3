/* Creating work orders (validation, the daily code, sealing the phone,
 * tracking codes for public submissions, search terms, auto-routing),
 * attaching files, and the audited reveal of a requester's phone. */
#include "api/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/orders_impl.h"
#include "domain/search.h"
#include "store/audit.h"
#include "store/unit.h"
#include "util/crypto.h"
#include "util/jw.h"
#include "util/mem.h"
#include "util/timefmt.h"

/* ---- creating an order ---- */

/* The most changes a create makes after "create" itself: accept, assign. */
#define CREATE_CHANGES 2

static bool role_is_staff(enum sf_role r)
{
	return (unsigned)r < SF_ROLE_COUNT && (SF_ROLES_STAFF & SF_ROLE_BIT(r));
}

static const char *const channels[] = { "visit", "phone", "window", "web", "open311" };
static const char *const requester_kinds[] = { "person", "enterprise", "anonymous" };

static bool one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* 10 characters from 32 that cannot be misread (no 0/O, 1/I). */
static void tracking_code(char out[16])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[10];

	sf_crypto_random(r, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++)
		out[i] = alphabet[r[i] & 31];
	out[sizeof(r)] = '\0';
}

static int check_input(struct sf_conn *c, const struct sf_principal *who,
		       const struct sf_order_input *in, struct sf_order_category *cat,
		       struct sf_error *err)
{
	bool staff = role_is_staff(who->role);
	struct sf_unit u;
	int rc;

	if (who->role == SF_ROLE_SYSTEM || (who->role == SF_ROLE_PUBLIC && !in->public_submission))
		return sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				    "sign in to file an order");
	rc = sf_orders_check_text(in->title, "title", TITLE_MAX, true, false, err);
	if (!rc)
		rc = sf_orders_check_text(in->description, "description", DESCRIPTION_MAX, true,
					  true, err);
	if (!rc && !one_of(in->channel, channels, sizeof(channels) / sizeof(channels[0])))
		rc = sf_error_set(err, SF_EINVAL, in->channel ? "invalid_field" : "missing_field",
				  "channel",
				  "channel must be visit, phone, window, web or open311");
	if (!rc && in->requester_kind &&
	    !one_of(in->requester_kind, requester_kinds,
		    sizeof(requester_kinds) / sizeof(requester_kinds[0])))
		rc = sf_error_set(err, SF_EINVAL, "invalid_field", "requester.kind",
				  "requester.kind must be person, enterprise or anonymous");
	if (!rc)
		rc = sf_orders_check_text(in->requester_name, "requester.name", PERSON_NAME_MAX,
					  false, false, err);
	if (!rc)
		rc = sf_orders_check_text(in->requester_org, "requester.org", ORG_MAX, false, false,
					  err);
	if (!rc)
		rc = sf_orders_check_text(in->address, "address", ADDRESS_MAX, false, false, err);
	if (!rc)
		rc = sf_orders_check_text(in->media_url, "media_url", URL_MAX, false, false, err);
	if (!rc && in->attrs_json && strlen(in->attrs_json) > ATTRS_MAX)
		rc = sf_error_set(err, SF_EINVAL, "too_long", "attributes",
				  "attributes are longer than %d bytes", ATTRS_MAX);
	if (!rc && in->has_geo && !(in->lat >= -90 && in->lat <= 90))
		rc = sf_error_set(err, SF_EINVAL, "out_of_range", "lat", "lat must be -90 to 90");
	if (!rc && in->has_geo && !(in->lng >= -180 && in->lng <= 180))
		rc = sf_error_set(err, SF_EINVAL, "out_of_range", "lng", "lng must be -180 to 180");
	if (rc)
		return rc;
	if (!sf_orders_present(in->category_code) && in->category_id <= 0)
		return sf_error_set(err, SF_EINVAL, "missing_field", "category",
				    "category is required");
	rc = sf_store_order_category(c, in->category_id, in->category_code, cat);
	if (rc == SF_ENOTFOUND || (rc == 0 && !cat->active))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "category",
				    "no active category %s",
				    in->category_code ? in->category_code : "");
	if (rc)
		return sf_error_set(err, rc, "storage_error", "", "cannot read the category");
	if (!staff && !cat->public)
		return sf_error_set(err, SF_EINVAL, "invalid_field", "category",
				    "category %s is not open to the public", cat->code);
	if (in->area_unit_id < 0 ||
	    (in->area_unit_id > 0 && sf_store_unit_get(c, in->area_unit_id, &u) != 0))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "area_unit_id",
				    "no unit with id %lld", (long long)in->area_unit_id);
	if (in->dept_unit_id < 0 ||
	    (in->dept_unit_id > 0 && sf_store_unit_get(c, in->dept_unit_id, &u) != 0))
		return sf_error_set(err, SF_EINVAL, "invalid_field", "dept_unit_id",
				    "no unit with id %lld", (long long)in->dept_unit_id);
	return 0;
}

static void index_terms(const struct sf_order_row *o, struct sf_search_terms *t)
{
	const char *parts[] = { o->title, o->address, o->code, o->requester_org };

	sf_search_terms_add(t, o->description, o->description ? strlen(o->description) : 0,
			    TERMS_DESCRIPTION_CHARS);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i])
			sf_search_terms_add(t, parts[i], strlen(parts[i]), 0);
	sf_search_terms_finish(t);
}

/* The body of the "create" event: the order as it is created, before a
 * routing moves its deadline. */
static void create_body(const struct sf_order_row *o, struct sf_buf *body)
{
	struct sf_jw w;

	sf_jw_init(&w, body);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "channel", o->channel);
	sf_jw_kstr(&w, "category", o->category_code);
	sf_jw_kstr(&w, "requester_kind", o->requester_kind);
	sf_jw_ktime(&w, "deadline", o->deadline);
	sf_jw_obj_end(&w);
}

/* Append the "create" event of a freshly inserted order (body, in state
 * initial) and the events of the n changes that routed it, in order. */
static int create_events(struct sf_orders_step *s, const struct sf_order_row *o, const char *body,
			 enum sf_order_state initial, const struct sf_orders_change *ch, size_t n)
{
	struct sf_order_event ev[1 + CREATE_CHANGES];
	int rc;

	memset(&ev[0], 0, sizeof(ev[0]));
	ev[0].order_id = o->id;
	ev[0].action = sf_order_action_name(SF_ORDER_ACTION_CREATE);
	ev[0].from_state = NULL;
	ev[0].to_state = sf_order_state_name(initial);
	ev[0].actor_user_id = s->actor.user_id;
	ev[0].actor_name = s->actor.name;
	ev[0].actor_role = sf_role_name(s->actor.role);
	ev[0].at = s->now;
	ev[0].public = true;
	ev[0].body = body;
	for (size_t i = 0; i < n; i++)
		sf_orders_change_event(s, o, &ch[i], &ev[1 + i]);
	rc = sf_store_order_events_append(s->c, ev, 1 + n);
	if (!rc && n)
		s->event_id = ev[n].id;
	return rc;
}

int sf_orders_create(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     const struct sf_order_input *in, bool auto_route, int64_t now,
		     struct sf_order_created *out, struct sf_error *err)
{
	struct sf_orders_step s = { app, c, sf_orders_actor_of(who), now, NULL, 0, err };
	struct sf_order_category cat;
	struct sf_order_row o;
	struct sf_orders_change ch[CREATE_CHANGES];
	struct sf_order_act acts[CREATE_CHANGES];
	struct sf_search_terms terms;
	struct sf_time_parts p;
	struct sf_buf body;
	char phone[SF_PHONE_MAX], counter[32];
	enum sf_order_state initial;
	int64_t seq = 0, dept;
	size_t nch = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	memset(acts, 0, sizeof(acts));
	for (size_t i = 0; i < CREATE_CHANGES; i++)
		sf_orders_change_init(&ch[i]);
	sf_buf_init(&body, 0);
	sf_search_terms_init(&terms);
	rc = check_input(c, who, in, &cat, err);
	if (rc)
		goto done;
	if (sf_orders_present(in->requester_phone)) {
		if (strlen(in->requester_phone) > 40 ||
		    sf_phone_normalise(in->requester_phone, phone, sizeof(phone)) != 0) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_field", "requester.phone",
					  "requester.phone is not a phone number");
			goto done;
		}
		rc = sf_crypto_seal(&app->key, phone, &o.requester_phone_sealed);
		if (rc) {
			sf_error_set(err, rc, "internal", "", "cannot seal the phone number");
			goto done;
		}
		sf_crypto_index(&app->key, phone, o.requester_phone_index);
		explicit_bzero(phone, sizeof(phone));
	}
	o.title = sf_xstrdup(in->title);
	o.description = sf_xstrdup(in->description);
	o.category_id = cat.id;
	snprintf(o.category_code, sizeof(o.category_code), "%s", cat.code);
	snprintf(o.channel, sizeof(o.channel), "%s", in->channel);
	o.state = sf_order_initial_state();
	snprintf(o.requester_kind, sizeof(o.requester_kind), "%s",
		 in->requester_kind ? in->requester_kind : "person");
	o.requester_name =
		sf_orders_present(in->requester_name) ? sf_xstrdup(in->requester_name) : NULL;
	o.requester_org =
		sf_orders_present(in->requester_org) ? sf_xstrdup(in->requester_org) : NULL;
	o.enterprise_id = in->enterprise_id > 0 ? in->enterprise_id : 0;
	o.address = sf_xstrdup(sf_orders_present(in->address) ? in->address : "");
	o.has_geo = in->has_geo;
	o.lat = in->lat;
	o.lng = in->lng;
	o.area_unit_id = in->area_unit_id;
	o.dept_unit_id = 0; /* set by "assign": a unit handles an order once it is routed */
	o.created_by = who->user_id > 0 ? who->user_id : 0;
	o.created_at = o.updated_at = o.stage_start = now;
	o.deadline = sf_orders_deadline_after(app, now, cat.accept_days);
	o.media_url = sf_orders_present(in->media_url) ? sf_xstrdup(in->media_url) : NULL;
	o.attrs = sf_xstrdup(in->attrs_json ? in->attrs_json : "{}");
	o.accepted_on_time = o.resolved_on_time = o.feedback_on_time = -1;
	o.rating = SF_RATING_NONE;
	o.accept_days = cat.accept_days;
	o.handle_days = cat.handle_days;
	o.feedback_days = cat.feedback_days;
	if (in->public_submission) {
		tracking_code(o.tracking_code);
		sf_crypto_token(out->tracking_secret, sizeof(out->tracking_secret));
		sf_crypto_token_hash(out->tracking_secret, o.tracking_secret_hash);
		snprintf(out->tracking_code, sizeof(out->tracking_code), "%s", o.tracking_code);
	}
	sf_time_local_parts(now, &p);
	snprintf(counter, sizeof(counter), "order:%04d%02d%02d", p.year, p.month, p.day);

	rc = sf_conn_begin(c, true);
	if (rc) {
		sf_error_set(err, rc, NULL, "", "the database is busy; try again");
		goto fail;
	}
	rc = sf_store_counter_next(c, counter, &seq);
	if (rc)
		goto db;
	snprintf(o.code, sizeof(o.code), "SF%04d%02d%02d-%04lld", p.year, p.month, p.day,
		 (long long)seq);
	/* Routed at once: accepted and assigned in memory first, so the row is
	 * written once, in the state the routing leaves it in, rather than
	 * inserted, read back and updated twice; the events come out as the
	 * steps one by one would write them. */
	initial = o.state;
	create_body(&o, &body);
	if (auto_route && (who->role == SF_ROLE_DISPATCHER || who->role == SF_ROLE_ADMIN)) {
		acts[nch].action = SF_ORDER_ACTION_ACCEPT;
		rc = sf_orders_change_apply(&s, &o, &acts[nch], &ch[nch]);
		nch++;
		dept = in->dept_unit_id > 0 ? in->dept_unit_id : cat.dept_unit_id;
		if (!rc && dept > 0) {
			acts[nch].action = SF_ORDER_ACTION_ASSIGN;
			acts[nch].unit_id = dept;
			rc = sf_orders_change_apply(&s, &o, &acts[nch], &ch[nch]);
			nch++;
		}
		if (rc)
			goto fail;
	}
	o.version = 1 + (int64_t)nch;
	rc = sf_store_order_insert(c, &o, &o.id);
	if (rc)
		goto db;
	rc = create_events(&s, &o, body.data, initial, ch, nch);
	if (rc)
		goto db;
	index_terms(&o, &terms);
	rc = sf_store_order_terms_put(c, o.id, o.created_at, &terms);
	if (rc)
		goto db;
	for (size_t i = 0; i < nch; i++) {
		rc = sf_orders_change_after(&s, &o, &acts[i], &ch[i]);
		if (rc)
			goto fail;
	}
	rc = sf_conn_commit(c);
	if (rc)
		goto db;
	out->id = o.id;
	snprintf(out->code, sizeof(out->code), "%s", o.code);
	out->deadline = o.deadline;
	goto done;
db:
	sf_error_set(err, rc, rc == SF_ECONFLICT ? "conflict" : "storage_error", "",
		     "cannot save the order");
fail:
	sf_conn_rollback(c);
	memset(out, 0, sizeof(*out));
done:
	sf_search_terms_release(&terms);
	for (size_t i = 0; i < CREATE_CHANGES; i++)
		sf_orders_change_release(&ch[i]);
	sf_buf_release(&body);
	sf_order_row_release(&o);
	return rc;
}

/* ---- attachments and reveals ---- */

int sf_orders_attach(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     int64_t order_id, const void *data, size_t size, const char *mime,
		     bool is_public, int64_t now, int64_t *id, struct sf_error *err)
{
	struct sf_order_act act = { .action = SF_ORDER_ACTION_ATTACH, .public_note = is_public };
	struct sf_orders_step s = { app, c, sf_orders_actor_of(who), now, NULL, 0, err };
	struct sf_attachment a;
	struct sf_order_row o;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	*id = 0;
	if (!data || size == 0)
		return sf_error_set(err, SF_EINVAL, "empty_body", "", "the file is empty");
	rc = sf_conn_begin(c, true);
	if (rc)
		return sf_error_set(err, rc, NULL, "", "the database is busy; try again");
	rc = sf_orders_load_scoped(c, who, order_id, &o, err);
	if (rc)
		goto out;
	if (!sf_orders_can_act(who, &o, SF_ORDER_ACTION_ATTACH)) {
		rc = sf_error_set(err, SF_EFORBIDDEN, "out_of_scope", "",
				  "not your order to change");
		goto out;
	}
	a.order_id = o.id;
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	a.size = (int64_t)size;
	sf_crypto_sha256_hex(data, size, a.sha256);
	a.public = is_public;
	a.created_by = who->user_id;
	a.created_at = now;
	rc = sf_store_attachment_insert(c, &a, data, &a.id);
	if (rc) {
		sf_error_set(err, rc, "storage_error", "", "cannot store the file");
		goto out;
	}
	s.att = &a;
	rc = sf_orders_transition(&s, &o, &act);
	if (rc)
		goto out;
	rc = sf_store_attachment_set_event(c, a.id, s.event_id);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_error_set(err, rc, "storage_error", "", "cannot store the file");
		goto out;
	}
	*id = a.id;
out:
	if (rc)
		sf_conn_rollback(c);
	sf_order_row_release(&o);
	return rc;
}

int sf_orders_reveal(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
		     int64_t order_id, const char *reason, const char *ip, int64_t now,
		     char phone[SF_PHONE_MAX], struct sf_error *err)
{
	struct sf_audit_entry ae = { 0 };
	struct sf_order_row o;
	char target[40];
	char *plain = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	phone[0] = '\0';
	if (!sf_orders_role_sees_all(who->role))
		return sf_error_set(err, SF_EFORBIDDEN, "role_not_allowed", "",
				    "only admin, leader and dispatcher may reveal a phone number");
	rc = sf_orders_check_text(reason, "reason", REASON_MAX, true, false, err);
	if (rc)
		return rc;
	rc = sf_conn_begin(c, true);
	if (rc)
		return sf_error_set(err, rc, NULL, "", "the database is busy; try again");
	rc = sf_orders_load_scoped(c, who, order_id, &o, err);
	if (rc)
		goto out;
	if (o.requester_phone_sealed) {
		rc = sf_crypto_unseal(&app->key, o.requester_phone_sealed, &plain, err);
		if (rc)
			goto out;
		snprintf(phone, SF_PHONE_MAX, "%s", plain);
	}
	snprintf(target, sizeof(target), "order:%lld", (long long)o.id);
	ae.at = now;
	ae.user_id = who->user_id;
	ae.actor_name = who->name;
	ae.action = "reveal";
	ae.target = target;
	ae.reason = reason;
	ae.ip = ip;
	rc = sf_store_audit_append(c, &ae);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc)
		sf_error_set(err, rc, "storage_error", "", "cannot write the audit log");
out:
	if (rc) {
		sf_conn_rollback(c);
		phone[0] = '\0';
	}
	if (plain) {
		explicit_bzero(plain, strlen(plain));
		free(plain);
	}
	sf_order_row_release(&o);
	return rc;
}

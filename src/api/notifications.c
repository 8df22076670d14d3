/* The signed-in person's notifications (an order assigned to their unit,
 * supervised, escalated to them): list newest first, mark read. They are
 * written by the work-order transitions (api/orders.c). */
#include "api/orders.h"

#include "api/common.h"
#include "api/orders_impl.h"
#include "store/order.h"
#include "util/jw.h"

struct notif_ctx {
	struct sf_jw *w;
};

static int write_notification(const struct sf_notification *n, void *vctx)
{
	struct sf_jw *w = ((struct notif_ctx *)vctx)->w;

	sf_jw_obj_begin(w);
	sf_jw_kint(w, "id", n->id);
	if (n->order_id > 0) {
		sf_jw_key(w, "order");
		sf_jw_obj_begin(w);
		sf_jw_kint(w, "id", n->order_id);
		sf_jw_kstr(w, "code", n->order_code);
		sf_jw_obj_end(w);
	} else {
		sf_jw_knull(w, "order");
	}
	sf_jw_kstr(w, "kind", n->kind);
	sf_jw_kstr(w, "message", n->message);
	sf_jw_ktime(w, "created_at", n->created_at);
	sf_jw_kbool(w, "read", n->read_at > 0);
	sf_jw_ktime(w, "read_at", n->read_at);
	sf_jw_obj_end(w);
	return 0;
}

int sf_api_notifications_list(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_jw w;
	struct notif_ctx ctx = { &w };
	bool unread = false;
	int64_t count = 0;
	int limit;
	int rc = sf_orders_query_flag(req, "unread", &unread);

	if (!rc)
		rc = sf_api_limit(req, &limit);
	if (rc)
		return rc;
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_key(&w, "items");
	sf_jw_arr_begin(&w);
	rc = sf_store_notify_each(c, req->who.user_id, unread, limit, write_notification, &ctx);
	sf_jw_arr_end(&w);
	if (!rc)
		rc = sf_store_notify_unread(c, req->who.user_id, &count);
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "", "cannot read notifications");
	sf_jw_kint(&w, "unread", count);
	sf_jw_obj_end(&w);
	return 0;
}

int sf_api_notifications_read(struct sf_req *req)
{
	struct sf_jw w;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_store_notify_read(sf_req_conn(req), req->who.user_id, id, req->now);
	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, rc, "not_found", "", "no such notification");
	if (rc)
		return sf_req_fail(req, SF_EDB, "storage_error", "",
				   "cannot update the notification");
	sf_req_reply_json(req, 200, &w);
	sf_jw_obj_begin(&w);
	sf_jw_kint(&w, "id", id);
	sf_jw_kbool(&w, "read", true);
	sf_jw_obj_end(&w);
	return 0;
}

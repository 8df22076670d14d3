/* Work orders in the database: the order row, its append-only hash-chained
 * events, the bigram search terms, the daily code counter, notifications
 * and attachments. Plain reads and writes; which change is allowed, and
 * who may see what, is decided above (domain/order.h, api/orders.c), which
 * also owns the transaction around each change. */
#ifndef SF_STORE_ORDER_H
#define SF_STORE_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/order.h"
#include "domain/search.h"
#include "store/db.h"
#include "util/buf.h"

/* One order as stored, with the names the screens need joined in. Times
 * are UTC seconds, 0 for SQL NULL; ids 0 for none. The char * members are
 * malloc'd (NULL for SQL NULL) and freed by sf_order_row_release; a row
 * read by the list holds only the list's columns (see sf_store_order_list). */
struct sf_order_row {
	int64_t id;
	char code[32];
	char *title;
	char *description;
	int64_t category_id;
	char category_code[48];
	char category_zh[128];
	char category_en[128];
	int accept_days, handle_days, feedback_days; /* the category's limits */
	char channel[16];
	enum sf_order_state state;
	char requester_kind[16];
	char *requester_name;
	char *requester_phone_sealed;
	char requester_phone_index[65];
	char *requester_org;
	int64_t enterprise_id;
	char *address;
	bool has_geo;
	double lat, lng;
	int64_t area_unit_id;
	char area_name[128];
	char area_path[128];
	int64_t dept_unit_id; /* the handling unit */
	char dept_name[128];
	char dept_path[128];
	int64_t dept_head_user_id;
	int64_t handler_user_id;
	char handler_name[64];
	int64_t created_by;
	int64_t created_at, updated_at;
	int64_t accepted_at, assigned_at, resolved_at, feedback_at, closed_at;
	int64_t stage_start;
	int64_t deadline;        /* of the current stage; 0 = none */
	int64_t handle_deadline; /* of the handling stage, extensions included */
	bool warned, overdue, ever_overdue;
	int escalation, reopen_count, transfer_count;
	bool problem, supervised;
	int extension_pending; /* working days requested and not yet decided; 0 = none */
	int extension_days;    /* working days granted in total */
	enum sf_rating rating;
	int64_t rated_at;
	char *result;
	int64_t merged_into;
	char merged_code[32];
	int accepted_on_time, resolved_on_time, feedback_on_time; /* 1, 0, or -1 = not yet */
	char tracking_code[16];
	char tracking_secret_hash[65];
	char *public_note;
	char *media_url;
	char *attrs;
	int64_t version;
};

/* Free the strings of a row and zero it. NULL is accepted. */
void sf_order_row_release(struct sf_order_row *o);

/* Read order id with everything (description, result, the category's
 * limits, the handling unit's head...). SF_ENOTFOUND when absent, SF_EDB. */
/* sf_store_order_get inside a write transaction that will change the
 * order: also locks its row until the transaction ends. */
int sf_store_order_get_for_update(struct sf_conn *c, int64_t id, struct sf_order_row *out);
int sf_store_order_get(struct sf_conn *c, int64_t id, struct sf_order_row *out);
/* The id of the order with this public tracking code. SF_ENOTFOUND. */
int sf_store_order_id_by_tracking(struct sf_conn *c, const char *tracking_code, int64_t *id);

/* Insert a new order from o: every stored column as given (so an order
 * routed as it is created is written once, in its final state), the
 * version o->version (1 when 0); id and the joined names are ignored. The
 * on-time marks of a new order are -1 and its rating SF_RATING_NONE.
 * *id receives its id. SF_ECONFLICT on a duplicate code or tracking code,
 * SF_EDB. */
int sf_store_order_insert(struct sf_conn *c, const struct sf_order_row *o, int64_t *id);
/* Write the mutable columns of o (state, units, handler, times, clock,
 * counters, flags, rating, result, merge, on-time flags, public note) where
 * the row still has version o->version, and raise the stored version by
 * one. SF_ECONFLICT (code "stale_version" for the caller) when the row has
 * another version or is gone; SF_EDB. The caller bumps o->version. */
int sf_store_order_update(struct sf_conn *c, const struct sf_order_row *o);

/* What an order adds to a cell of the dashboard's counters. */
struct sf_order_figures {
	int overdue, problem, rot, rotj, aot, aotj, sat, rated;
};
/* Where an order counts on the dashboard: its cell (units 0 for none,
 * category, state) with its figures, and its Shanghai days (resolved 0 =
 * not resolved). */
struct sf_order_cell {
	int64_t dept, area, category;
	char state[24];
	struct sf_order_figures f;
	int64_t created_day, resolved_day;
};
/* Where o counts, as its fields say. */
void sf_store_order_cell_of(const struct sf_order_row *o, struct sf_order_cell *cell);
/* sf_store_order_update for a row whose cell at version o->version the
 * caller knows (taken with sf_store_order_cell_of from the row as read in
 * this transaction, before changing it), which spares reading it again.
 * Errors as sf_store_order_update. */
int sf_store_order_update_from(struct sf_conn *c, const struct sf_order_cell *was,
			       const struct sf_order_row *o);

/* sf_store_order_insert and sf_store_order_update keep the dashboard's
 * counters (order_counts, order_day_counts; see store/stats.h) in the same
 * transaction. For rows written otherwise (sanfu gen's bulk load): add the
 * orders with ids first_id..last_id to the counters. SF_EDB. */
int sf_store_order_counts_add_range(struct sf_conn *c, int64_t first_id, int64_t last_id);

/* One event of an order's timeline. */
struct sf_order_event {
	int64_t id; /* set by append: the events chain's last id + 1 */
	int64_t order_id;
	int64_t seq; /* set by append: 1, 2, ... per order */
	const char *action;
	const char *from_state; /* NULL for "create" */
	const char *to_state;
	int64_t actor_user_id; /* 0 = the system or the public */
	const char *actor_name;
	const char *actor_role;
	int64_t at;
	bool public;
	const char *body; /* a JSON object text */
};

/* Append ev to its order's timeline and to the events hash chain, filling
 * ev->id and ev->seq. Call inside a write transaction (the chain head is
 * locked by it). Errors: SF_ECONFLICT, SF_EDB. */
int sf_store_order_event_append(struct sf_conn *c, struct sf_order_event *ev);
/* Append evs[0..n), all of one order, in this order: as n calls of
 * sf_store_order_event_append, reading and moving the chain's head once.
 * Errors as sf_store_order_event_append. */
int sf_store_order_events_append(struct sf_conn *c, struct sf_order_event *evs, size_t n);
/* The chain hash of ev (id, order_id and seq set) after the row whose hash
 * is prev: its columns as text in table order, as sf_store_chain_verify
 * recomputes them. For writers that append events in bulk. */
void sf_store_order_event_hash(const struct sf_order_event *ev, const char *prev, char out[65]);
/* Call cb with each event of order_id in seq order (only the public ones
 * when public_only); the strings are borrowed for the call. cb returning
 * non-zero stops the walk and is returned. */
int sf_store_order_event_each(struct sf_conn *c, int64_t order_id, bool public_only,
			      int (*cb)(const struct sf_order_event *ev, void *ctx), void *ctx);

/* Record the (finished, distinct) search terms of order_id, created at
 * created_at (the order's own, which the terms are keyed by). SF_EDB. */
int sf_store_order_terms_put(struct sf_conn *c, int64_t order_id, int64_t created_at,
			     const struct sf_search_terms *terms);

/* Add one to counter name (created at 1 when absent) and return the new
 * value in *value. Call inside the write transaction that uses it. */
int sf_store_counter_next(struct sf_conn *c, const char *name, int64_t *value);

/* What an order needs of its category. */
struct sf_order_category {
	int64_t id;
	char code[48];
	char name_zh[128];
	char name_en[128];
	int64_t dept_unit_id; /* default handling department; 0 = none */
	int accept_days, handle_days, feedback_days;
	bool public, active;
};

/* The category with this id (when id > 0) or else this code.
 * SF_ENOTFOUND when there is none; SF_EDB. */
int sf_store_order_category(struct sf_conn *c, int64_t id, const char *code,
			    struct sf_order_category *out);

/* ---- the list ---- */

enum sf_order_sort {
	SF_ORDER_SORT_CREATED_DESC, /* newest first (the default) */
	SF_ORDER_SORT_CREATED,      /* oldest first */
	SF_ORDER_SORT_DEADLINE,     /* soonest deadline first, orders without one last */
	SF_ORDER_SORT_UPDATED_DESC, /* most recently changed first */
};

/* Whose orders a list may show; DEPT and AREA also show the orders
 * scope_user created. */
enum sf_order_scope {
	SF_ORDER_SCOPE_ALL,  /* admin, leader, dispatcher */
	SF_ORDER_SCOPE_DEPT, /* handling unit within scope_path */
	SF_ORDER_SCOPE_AREA, /* area unit or handling unit within scope_path */
	SF_ORDER_SCOPE_OWN,  /* created by scope_user */
	SF_ORDER_SCOPE_NONE, /* nothing */
};

/* Most bigram terms one search uses: the LIKE that follows confirms the
 * whole text, so the rarest few are enough to narrow the rows. */
#define SF_ORDER_QUERY_TERMS 8

struct sf_order_filter {
	enum sf_order_scope scope;
	const char *scope_path; /* unit path with its trailing '/' */
	int64_t scope_user;
	unsigned state_mask;   /* SF_ORDER_BIT()s; 0 = any state */
	int64_t category_id;   /* 0 = any */
	const char *dept_path; /* handling unit in this subtree; NULL = any */
	const char *area_path; /* area unit in this subtree; NULL = any */
	bool only_overdue, only_warned, only_problem, only_supervised;
	bool has_from, has_to;
	int64_t from, to;                        /* created_at range, inclusive */
	const char *terms[SF_ORDER_QUERY_TERMS]; /* all must be indexed for the order */
	size_t nterms;
	const char *like;        /* a LIKE pattern with '\' as escape; NULL = none */
	bool like_title_only;    /* match like against the title alone */
	const char *phone_index; /* keyed index of the requester's phone; NULL = any */
	int64_t enterprise_id;   /* about this enterprise (orders.enterprise_id); 0 = any */
	enum sf_order_sort sort;
	bool has_cursor; /* continue after (cursor_key, cursor_id) in sort order */
	int64_t cursor_key, cursor_id;
	int limit; /* rows wanted, 1..1000 */
};

/* The sort key of row o under sort (what a cursor carries). */
int64_t sf_store_order_sort_key(const struct sf_order_row *o, enum sf_order_sort sort);

/* Call cb for each order matching f, in f->sort order, at most f->limit.
 * The row passed holds the list columns only (no description, address,
 * result, notes, on-time flags or handler) and is borrowed for the call.
 * cb returning non-zero stops the walk and is returned. SF_EDB. */
int sf_store_order_list(struct sf_conn *c, const struct sf_order_filter *f,
			int (*cb)(const struct sf_order_row *o, void *ctx), void *ctx);

/* ---- the deadline scan ---- */

/* What the scan reads of an open order. */
struct sf_order_scan_row {
	int64_t id;
	enum sf_order_state state;
	struct sf_order_clock clock;
};

/* Fill out[0..n) with the open orders of id > after_id that have a deadline
 * or may become problem orders, in id order, at most cap; *n gets the count
 * (fewer than cap means the end). SF_EDB. */
int sf_store_order_scan_batch(struct sf_conn *c, int64_t after_id, struct sf_order_scan_row *out,
			      size_t cap, size_t *n);

/* ---- notifications ---- */

struct sf_notification {
	int64_t id;
	int64_t user_id;
	int64_t order_id; /* 0 = none */
	char order_code[32];
	char kind[24];
	char message[512];
	int64_t created_at;
	int64_t read_at; /* 0 = unread */
};

/* Tell user_id about order_id (0 = none). Does nothing for user_id 0. SF_EDB. */
int sf_store_notify(struct sf_conn *c, int64_t user_id, int64_t order_id, const char *kind,
		    const char *message, int64_t now);
/* Call cb for user_id's notifications, newest first, at most limit (only
 * unread ones when unread_only); the item is borrowed for the call. */
int sf_store_notify_each(struct sf_conn *c, int64_t user_id, bool unread_only, int limit,
			 int (*cb)(const struct sf_notification *n, void *ctx), void *ctx);
/* Mark notification id of user_id read (once; reading again keeps the
 * first time). SF_ENOTFOUND when the user has no such notification. */
int sf_store_notify_read(struct sf_conn *c, int64_t user_id, int64_t id, int64_t now);
/* How many unread notifications user_id has. */
int sf_store_notify_unread(struct sf_conn *c, int64_t user_id, int64_t *count);

/* ---- attachments ---- */

struct sf_attachment {
	int64_t id;
	int64_t order_id;
	int64_t event_id; /* the "attach" event; 0 until linked */
	char filename[128];
	char mime[48];
	int64_t size;
	char sha256[65];
	bool public;
	int64_t created_by;
	int64_t created_at;
};

/* Store a->size bytes of data as a new attachment of a->order_id; *id gets
 * its id. SF_EDB. */
int sf_store_attachment_insert(struct sf_conn *c, const struct sf_attachment *a, const void *data,
			       int64_t *id);
/* Link attachment id to the event that recorded it. */
int sf_store_attachment_set_event(struct sf_conn *c, int64_t id, int64_t event_id);
/* cb for each attachment of order_id in id order (only public ones when
 * public_only); borrowed for the call. */
int sf_store_attachment_each(struct sf_conn *c, int64_t order_id, bool public_only,
			     int (*cb)(const struct sf_attachment *a, void *ctx), void *ctx);
/* Read attachment id of order_id: its metadata into *meta and its bytes
 * appended to out. SF_ENOTFOUND, SF_ETOOBIG when out's cap is too small. */
int sf_store_attachment_read(struct sf_conn *c, int64_t order_id, int64_t id,
			     struct sf_attachment *meta, struct sf_buf *out);

#endif

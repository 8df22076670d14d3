/* The deadline scan; see scan.h. It reads open orders in batches of 500 by
 * id without a transaction, asks the pure rule (sf_order_scan_step) what is
 * due for each, and applies the system actions of the due ones through the
 * one transition path (sf_orders_apply_due), which re-reads each order and
 * re-checks the rule inside the write transaction. So a second run at the
 * same time finds nothing due and changes nothing. Due orders are committed
 * a few dozen at a time: one fsync each would make the first scan after a
 * long stop take minutes, one per batch would hold the write lock too long. */
#include "api/scan.h"

#include <stdlib.h>
#include <string.h>

#include "api/orders.h"
#include "store/order.h"
#include "util/mem.h"

#define SCAN_BATCH 500
#define SCAN_PER_COMMIT 50

static void count(struct sf_scan_report *rep, enum sf_order_action a)
{
	switch (a) {
	case SF_ORDER_ACTION_WARN: rep->warned++; break;
	case SF_ORDER_ACTION_OVERDUE: rep->overdue++; break;
	case SF_ORDER_ACTION_ESCALATE: rep->escalated++; break;
	case SF_ORDER_ACTION_PROBLEM: rep->problems++; break;
	default: break;
	}
}

/* Counts of the orders changed in the open transaction, added to the
 * report only once it commits. */
struct pending {
	struct sf_scan_report rep;
	int orders;
	bool in_tx;
};

static void add(struct sf_scan_report *to, const struct sf_scan_report *from)
{
	to->warned += from->warned;
	to->overdue += from->overdue;
	to->escalated += from->escalated;
	to->problems += from->problems;
}

static int commit(struct sf_conn *c, struct pending *p, struct sf_scan_report *rep,
		  struct sf_error *err)
{
	int rc;

	if (!p->in_tx)
		return 0;
	rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		sf_error_set(err, rc, "storage_error", "", "cannot commit the scan's events: %s",
			     sf_conn_errmsg(c));
	} else {
		add(rep, &p->rep);
	}
	memset(p, 0, sizeof(*p));
	return rc;
}

static int apply(struct sf_app *app, struct sf_conn *c, int64_t id, int64_t now, struct pending *p,
		 struct sf_error *err)
{
	enum sf_order_action applied[8];
	size_t done = 0;
	int rc;

	if (!p->in_tx) {
		rc = sf_conn_begin(c, true);
		if (rc)
			return sf_error_set(err, rc, NULL, "", "the database is busy");
		p->in_tx = true;
	}
	rc = sf_orders_apply_due(app, c, id, now, applied, 8, &done, err);
	if (rc == SF_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	for (size_t k = 0; k < done; k++)
		count(&p->rep, applied[k]);
	if (done)
		p->orders++;
	return 0;
}

int sf_scan_run(struct sf_app *app, int64_t now, struct sf_scan_report *rep, struct sf_error *err)
{
	struct sf_order_scan_row *batch = sf_xcalloc(SCAN_BATCH, sizeof(*batch));
	struct sf_conn *c = sf_db_get(app->db);
	struct pending p;
	int64_t after = 0;
	int rc = 0;

	memset(rep, 0, sizeof(*rep));
	memset(&p, 0, sizeof(p));
	for (;;) {
		size_t n = 0;

		rc = sf_store_order_scan_batch(c, after, batch, SCAN_BATCH, &n);
		if (rc) {
			sf_error_set(err, rc, "storage_error", "", "cannot read open orders: %s",
				     sf_conn_errmsg(c));
			break;
		}
		for (size_t i = 0; i < n; i++) {
			enum sf_order_action due[SF_ORDER_SCAN_MAX];

			rep->checked++;
			if (sf_order_scan_step(&batch[i].clock, now, due, SF_ORDER_SCAN_MAX) == 0)
				continue;
			rc = apply(app, c, batch[i].id, now, &p, err);
			if (!rc && p.orders >= SCAN_PER_COMMIT)
				rc = commit(c, &p, rep, err);
			if (rc)
				goto out;
		}
		rc = commit(c, &p, rep, err);
		if (rc || n < SCAN_BATCH || atomic_load(&app->stopping))
			break;
		after = batch[n - 1].id;
	}
out:
	if (rc)
		sf_conn_rollback(c);
	free(batch);
	sf_db_put(app->db, c);
	return rc;
}

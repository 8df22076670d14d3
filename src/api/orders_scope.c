/* Data scope of work orders: who may see which order and act on it, and
 * the same rule as a list filter; see api/orders.h. */
#include "api/orders.h"

#include <string.h>

#include "api/orders_impl.h"

static bool under(const struct sf_principal *who, const char *path)
{
	size_t n = strlen(who->unit_path);

	return n > 0 && path && strncmp(path, who->unit_path, n) == 0;
}

bool sf_orders_can_see(const struct sf_principal *who, const struct sf_order_row *o)
{
	/* Whoever filed an order may follow it, whatever their unit. */
	if (who->user_id > 0 && o->created_by == who->user_id && who->role != SF_ROLE_PUBLIC)
		return true;
	switch (who->role) {
	case SF_ROLE_ADMIN:
	case SF_ROLE_LEADER:
	case SF_ROLE_DISPATCHER: return true;
	case SF_ROLE_DEPT: return o->dept_unit_id > 0 && under(who, o->dept_path);
	case SF_ROLE_COMMUNITY:
	case SF_ROLE_GRID:
		return (o->area_unit_id > 0 && under(who, o->area_path)) ||
		       (o->dept_unit_id > 0 && under(who, o->dept_path));
	case SF_ROLE_OPERATOR:
	case SF_ROLE_ENTERPRISE:
	case SF_ROLE_RESIDENT: return who->user_id > 0 && o->created_by == who->user_id;
	default: return false;
	}
}

bool sf_orders_can_act(const struct sf_principal *who, const struct sf_order_row *o,
		       enum sf_order_action action)
{
	if (!sf_orders_can_see(who, o))
		return false;
	if (who->role == SF_ROLE_DEPT || who->role == SF_ROLE_COMMUNITY ||
	    who->role == SF_ROLE_GRID) {
		switch (action) {
		case SF_ORDER_ACTION_START:
		case SF_ORDER_ACTION_RESOLVE:
		case SF_ORDER_ACTION_RETURN:
		case SF_ORDER_ACTION_REQUEST_EXTENSION:
			/* Handling is for the unit that holds the order, not the
			 * area's nor the one who filed it. */
			return o->dept_unit_id > 0 && under(who, o->dept_path);
		default: break;
		}
	}
	return true;
}

void sf_orders_scope_filter(const struct sf_principal *who, struct sf_order_filter *f)
{
	f->scope_path = who->unit_path;
	f->scope_user = who->user_id;
	switch (who->role) {
	case SF_ROLE_ADMIN:
	case SF_ROLE_LEADER:
	case SF_ROLE_DISPATCHER: f->scope = SF_ORDER_SCOPE_ALL; break;
	case SF_ROLE_DEPT: f->scope = SF_ORDER_SCOPE_DEPT; break;
	case SF_ROLE_COMMUNITY:
	case SF_ROLE_GRID: f->scope = SF_ORDER_SCOPE_AREA; break;
	case SF_ROLE_OPERATOR:
	case SF_ROLE_ENTERPRISE:
	case SF_ROLE_RESIDENT:
		f->scope = who->user_id > 0 ? SF_ORDER_SCOPE_OWN : SF_ORDER_SCOPE_NONE;
		break;
	default: f->scope = SF_ORDER_SCOPE_NONE;
	}
}

int sf_orders_load_scoped(struct sf_conn *c, const struct sf_principal *who, int64_t id,
			  struct sf_order_row *o, struct sf_error *err)
{
	int rc = sf_store_order_get_for_update(c, id, o);

	if (rc == 0 && !sf_orders_can_see(who, o)) {
		sf_order_row_release(o);
		rc = SF_ENOTFOUND;
	}
	if (rc == SF_ENOTFOUND)
		return sf_error_set(err, rc, "not_found", "", "no such order");
	if (rc)
		return sf_error_set(err, rc, "storage_error", "", "cannot read the order");
	return 0;
}

/* Private to src/store/order*.c and the bulk load (store/gen*.c): the
 * column lists every read of an order selects, in the order
 * sf_store_order_read_row expects them, and the statements that add to the
 * dashboard's counters. */
#ifndef SF_STORE_ORDER_IMPL_H
#define SF_STORE_ORDER_IMPL_H

#include <stdbool.h>

#include "store/order.h"

/* Columns 0..32: what a list item shows and what scope checks need. */
#define SF_ORDER_LIST_COLS                                                                   \
	"o.id, o.code, o.title, o.category_id, c.code, c.name_zh, c.name_en, o.channel, "    \
	"o.state, o.requester_kind, o.requester_name, o.requester_phone_sealed, "            \
	"o.requester_org, COALESCE(o.area_unit_id, 0), COALESCE(a.name_zh, ''), "            \
	"COALESCE(o.dept_unit_id, 0), COALESCE(d.name_zh, ''), o.created_at, o.updated_at, " \
	"COALESCE(o.deadline, 0), o.overdue, o.warned, o.escalation, o.problem, "            \
	"o.supervised, o.reopen_count, o.rating, o.version, o.stage_start, "                 \
	"o.transfer_count, COALESCE(o.created_by, 0), COALESCE(a.path, ''), "                \
	"COALESCE(d.path, '')"

/* Columns 33..65: the rest of the detail. */
#define SF_ORDER_FULL_COLS                                                                     \
	"o.description, COALESCE(o.requester_phone_index, ''), "                               \
	"COALESCE(o.enterprise_id, 0), o.address, o.lat, o.lng, "                              \
	"COALESCE(o.handler_user_id, 0), COALESCE(o.accepted_at, 0), "                         \
	"COALESCE(o.assigned_at, 0), COALESCE(o.resolved_at, 0), COALESCE(o.feedback_at, 0), " \
	"COALESCE(o.closed_at, 0), COALESCE(o.handle_deadline, 0), o.ever_overdue, "           \
	"o.extension_pending, o.extension_days, COALESCE(o.rated_at, 0), o.result, "           \
	"COALESCE(o.merged_into, 0), COALESCE(m.code, ''), o.accepted_on_time, "               \
	"o.resolved_on_time, o.feedback_on_time, COALESCE(o.tracking_code, ''), "              \
	"COALESCE(o.tracking_secret_hash, ''), o.public_note, o.media_url, o.attrs, "          \
	"c.accept_days, c.handle_days, c.feedback_days, COALESCE(d.head_user_id, 0), "         \
	"COALESCE(h.name, '')"

#define SF_ORDER_FROM                                               \
	" FROM orders o JOIN categories c ON c.id = o.category_id " \
	"LEFT JOIN units a ON a.id = o.area_unit_id "               \
	"LEFT JOIN units d ON d.id = o.dept_unit_id "

#define SF_ORDER_FULL_JOINS                           \
	"LEFT JOIN orders m ON m.id = o.merged_into " \
	"LEFT JOIN users h ON h.id = o.handler_user_id "

/* Fill o from the current row of st: the list columns, and the detail
 * columns too when full. */
void sf_store_order_read_row(struct sf_stmt *st, bool full, struct sf_order_row *o);

/* clang-format off */
/* The figures the dashboard's counters keep per cell and total (migration
 * 7), and adding the new row's to those of the row already there. */
#define SF_ORDER_FIGURES                                                          \
	"n, overdue, problem, resolved_on_time, resolved_judged, accepted_on_time, " \
	"accepted_judged, satisfied, rated"
#define SF_ORDER_ADD_FIGURES(t)                                                           \
	"DO UPDATE SET n = " t ".n + excluded.n, overdue = " t ".overdue + excluded.overdue, " \
	"problem = " t ".problem + excluded.problem, "                                       \
	"resolved_on_time = " t ".resolved_on_time + excluded.resolved_on_time, "            \
	"resolved_judged = " t ".resolved_judged + excluded.resolved_judged, "               \
	"accepted_on_time = " t ".accepted_on_time + excluded.accepted_on_time, "            \
	"accepted_judged = " t ".accepted_judged + excluded.accepted_judged, "               \
	"satisfied = " t ".satisfied + excluded.satisfied, rated = " t ".rated + excluded.rated"
/* Add a delta to a cell (dept, area, category, state, the 9 figures) and
 * to a total (dim, ref_id, state, the 9 figures). */
#define SF_ORDER_SQL_CELL_ADD                                                             \
	"INSERT INTO order_counts(dept_unit_id, area_unit_id, category_id, state, "          \
	SF_ORDER_FIGURES ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT("     \
	"dept_unit_id, area_unit_id, category_id, state) " SF_ORDER_ADD_FIGURES("order_counts")
#define SF_ORDER_SQL_TOTAL_ADD                                                            \
	"INSERT INTO order_totals(dim, ref_id, state, " SF_ORDER_FIGURES ") VALUES (?, ?, "  \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dim, ref_id, state) "                     \
	SF_ORDER_ADD_FIGURES("order_totals")
/* Add to the orders created or resolved on a day (kind, day, dept, area, n). */
#define SF_ORDER_SQL_DAY_ADD                                                              \
	"INSERT INTO order_day_counts(kind, day, dept_unit_id, area_unit_id, n) VALUES (?, ?, " \
	"?, ?, ?) ON CONFLICT(kind, day, dept_unit_id, area_unit_id) DO UPDATE SET n = "       \
	"order_day_counts.n + excluded.n"
/* clang-format on */

#endif

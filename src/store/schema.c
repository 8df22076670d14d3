/* Sanfu's numbered migrations and the runner that applies them. Each
 * migration is SQL written once for both engines, with the dialect tokens
 * of db.h ({{ID}}, {{BLOB}}, {{BIGINT}}); applied ones are recorded in
 * schema_version, so running them again changes nothing. */
#include "store/schema.h"

#include <stdlib.h>

#include "store/db_impl.h"

static const char m001_core[] =
	"CREATE TABLE units("
	" id {{ID}},"
	" parent_id {{BIGINT}} REFERENCES units(id),"
	" kind TEXT NOT NULL,"
	" code TEXT NOT NULL UNIQUE,"
	" name_zh TEXT NOT NULL,"
	" name_en TEXT NOT NULL DEFAULT '',"
	" path TEXT NOT NULL DEFAULT '',"
	" head_user_id {{BIGINT}},"
	" sort {{BIGINT}} NOT NULL DEFAULT 0,"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX units_parent ON units(parent_id);"
	"CREATE TABLE users("
	" id {{ID}},"
	" login TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" role TEXT NOT NULL,"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" title TEXT NOT NULL DEFAULT '',"
	" phone_sealed TEXT,"
	" phone_index TEXT,"
	" pw_hash TEXT NOT NULL,"
	" disabled {{BIGINT}} NOT NULL DEFAULT 0,"
	" failed_logins {{BIGINT}} NOT NULL DEFAULT 0,"
	" locked_until {{BIGINT}} NOT NULL DEFAULT 0,"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX users_unit ON users(unit_id);"
	"CREATE TABLE sessions("
	" id {{ID}},"
	" token_hash TEXT NOT NULL UNIQUE,"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" csrf TEXT NOT NULL,"
	" created_at {{BIGINT}} NOT NULL,"
	" last_seen {{BIGINT}} NOT NULL,"
	" expires_at {{BIGINT}} NOT NULL,"
	" ip TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE api_tokens("
	" id {{ID}},"
	" name TEXT NOT NULL UNIQUE,"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" token_hash TEXT NOT NULL UNIQUE,"
	" created_at {{BIGINT}} NOT NULL,"
	" revoked_at {{BIGINT}},"
	" last_used_at {{BIGINT}});"
	"CREATE TABLE calendar_days("
	" day {{BIGINT}} PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),"
	" name TEXT NOT NULL DEFAULT '',"
	" year {{BIGINT}} NOT NULL);"
	"CREATE TABLE categories("
	" id {{ID}},"
	" code TEXT NOT NULL UNIQUE,"
	" name_zh TEXT NOT NULL,"
	" name_en TEXT NOT NULL,"
	" grp TEXT NOT NULL DEFAULT '',"
	" description TEXT NOT NULL DEFAULT '',"
	" dept_unit_id {{BIGINT}} REFERENCES units(id),"
	" accept_days {{BIGINT}} NOT NULL DEFAULT 1,"
	" handle_days {{BIGINT}} NOT NULL DEFAULT 5,"
	" feedback_days {{BIGINT}} NOT NULL DEFAULT 2,"
	" public {{BIGINT}} NOT NULL DEFAULT 1,"
	" open311 {{BIGINT}} NOT NULL DEFAULT 0,"
	" o311_type TEXT NOT NULL DEFAULT 'realtime',"
	" keywords TEXT NOT NULL DEFAULT '',"
	" attributes TEXT NOT NULL DEFAULT '[]',"
	" sort {{BIGINT}} NOT NULL DEFAULT 0,"
	" active {{BIGINT}} NOT NULL DEFAULT 1,"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE TABLE orders("
	" id {{ID}},"
	" code TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" description TEXT NOT NULL,"
	" category_id {{BIGINT}} NOT NULL REFERENCES categories(id),"
	" channel TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" requester_kind TEXT NOT NULL,"
	" requester_name TEXT,"
	" requester_phone_sealed TEXT,"
	" requester_phone_index TEXT,"
	" requester_org TEXT,"
	" enterprise_id {{BIGINT}},"
	" address TEXT NOT NULL DEFAULT '',"
	" lat DOUBLE PRECISION,"
	" lng DOUBLE PRECISION,"
	" area_unit_id {{BIGINT}} REFERENCES units(id),"
	" dept_unit_id {{BIGINT}} REFERENCES units(id),"
	" handler_user_id {{BIGINT}} REFERENCES users(id),"
	" created_by {{BIGINT}} REFERENCES users(id),"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL,"
	" accepted_at {{BIGINT}},"
	" assigned_at {{BIGINT}},"
	" resolved_at {{BIGINT}},"
	" feedback_at {{BIGINT}},"
	" closed_at {{BIGINT}},"
	" stage_start {{BIGINT}} NOT NULL,"
	" deadline {{BIGINT}},"
	" handle_deadline {{BIGINT}},"
	" warned {{BIGINT}} NOT NULL DEFAULT 0,"
	" overdue {{BIGINT}} NOT NULL DEFAULT 0,"
	" ever_overdue {{BIGINT}} NOT NULL DEFAULT 0,"
	" escalation {{BIGINT}} NOT NULL DEFAULT 0,"
	" reopen_count {{BIGINT}} NOT NULL DEFAULT 0,"
	" transfer_count {{BIGINT}} NOT NULL DEFAULT 0,"
	" problem {{BIGINT}} NOT NULL DEFAULT 0,"
	" supervised {{BIGINT}} NOT NULL DEFAULT 0,"
	" extension_pending {{BIGINT}} NOT NULL DEFAULT 0,"
	" extension_days {{BIGINT}} NOT NULL DEFAULT 0,"
	" rating TEXT,"
	" rated_at {{BIGINT}},"
	" result TEXT,"
	" merged_into {{BIGINT}} REFERENCES orders(id),"
	" accepted_on_time {{BIGINT}},"
	" resolved_on_time {{BIGINT}},"
	" feedback_on_time {{BIGINT}},"
	" tracking_code TEXT UNIQUE,"
	" tracking_secret_hash TEXT,"
	" public_note TEXT,"
	" media_url TEXT,"
	" attrs TEXT NOT NULL DEFAULT '{}',"
	" version {{BIGINT}} NOT NULL DEFAULT 1);"
	"CREATE INDEX orders_state_cat ON orders(state, category_id);"
	"CREATE INDEX orders_dept ON orders(dept_unit_id, state, id);"
	"CREATE INDEX orders_area ON orders(area_unit_id, state, id);"
	"CREATE INDEX orders_created ON orders(created_at);"
	"CREATE INDEX orders_deadline ON orders(overdue, deadline);"
	"CREATE INDEX orders_phone ON orders(requester_phone_index);"
	"CREATE TABLE order_events("
	" id {{ID}},"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" seq {{BIGINT}} NOT NULL,"
	" action TEXT NOT NULL,"
	" from_state TEXT,"
	" to_state TEXT NOT NULL,"
	" actor_user_id {{BIGINT}},"
	" actor_name TEXT NOT NULL,"
	" actor_role TEXT NOT NULL,"
	" at {{BIGINT}} NOT NULL,"
	" public {{BIGINT}} NOT NULL DEFAULT 0,"
	" body TEXT NOT NULL DEFAULT '{}',"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL,"
	" UNIQUE(order_id, seq));"
	"CREATE TABLE chains("
	" name TEXT PRIMARY KEY,"
	" last_id {{BIGINT}} NOT NULL DEFAULT 0,"
	" last_hash TEXT NOT NULL);"
	"INSERT INTO chains(name, last_id, last_hash) VALUES ('events', 0, "
	" '0000000000000000000000000000000000000000000000000000000000000000');"
	"INSERT INTO chains(name, last_id, last_hash) VALUES ('audit', 0, "
	" '0000000000000000000000000000000000000000000000000000000000000000');"
	"CREATE TABLE audit_log("
	" id {{ID}},"
	" at {{BIGINT}} NOT NULL,"
	" user_id {{BIGINT}},"
	" actor_name TEXT NOT NULL DEFAULT '',"
	" action TEXT NOT NULL,"
	" target TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL DEFAULT '',"
	" ip TEXT NOT NULL DEFAULT '',"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE TABLE attachments("
	" id {{ID}},"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" event_id {{BIGINT}} REFERENCES order_events(id),"
	" filename TEXT NOT NULL DEFAULT '',"
	" mime TEXT NOT NULL,"
	" size {{BIGINT}} NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" public {{BIGINT}} NOT NULL DEFAULT 0,"
	" data {{BLOB}} NOT NULL,"
	" created_by {{BIGINT}},"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX attachments_order ON attachments(order_id);"
	"CREATE TABLE notifications("
	" id {{ID}},"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" order_id {{BIGINT}} REFERENCES orders(id),"
	" kind TEXT NOT NULL,"
	" message TEXT NOT NULL,"
	" created_at {{BIGINT}} NOT NULL,"
	" read_at {{BIGINT}});"
	"CREATE INDEX notifications_user ON notifications(user_id, read_at);"
	"CREATE TABLE order_terms("
	" term TEXT NOT NULL,"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" PRIMARY KEY(term, order_id));"
	"CREATE TABLE counters("
	" name TEXT PRIMARY KEY,"
	" value {{BIGINT}} NOT NULL);"
	"CREATE TABLE settings("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE rate_limits("
	" key TEXT PRIMARY KEY,"
	" window_start {{BIGINT}} NOT NULL,"
	" hits {{BIGINT}} NOT NULL);";

/* Open311: API keys (hashed) and what each POST sent beyond the order
 * (the key, sealed contact details). A batch service's token is the
 * order's tracking code, written with the order in its transaction. */
static const char m003_open311[] = "CREATE TABLE o311_keys("
				   " id {{ID}},"
				   " name TEXT NOT NULL UNIQUE,"
				   " key_hash TEXT NOT NULL UNIQUE,"
				   " created_at {{BIGINT}} NOT NULL,"
				   " revoked_at {{BIGINT}},"
				   " last_used_at {{BIGINT}},"
				   " requests {{BIGINT}} NOT NULL DEFAULT 0,"
				   " created {{BIGINT}} NOT NULL DEFAULT 0);"
				   "CREATE TABLE o311_submissions("
				   " order_id {{BIGINT}} PRIMARY KEY REFERENCES orders(id),"
				   " key_id {{BIGINT}} REFERENCES o311_keys(id),"
				   " email_sealed TEXT,"
				   " device_id_sealed TEXT,"
				   " account_id_sealed TEXT,"
				   " created_at {{BIGINT}} NOT NULL);";

/* Registers (places, enterprises with their pairing history, households,
 * residents, village groups), bigram search terms, and visits: checklist
 * templates, campaigns, visit records, hazards and the orders visits
 * raised. Owned by store/register*.c and store/visit*.c. */
static const char m004_registers[] =
	"CREATE TABLE places("
	" id {{ID}},"
	" kind TEXT NOT NULL,"
	" name TEXT NOT NULL UNIQUE,"
	" address TEXT NOT NULL DEFAULT '',"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" grid_unit_id {{BIGINT}} REFERENCES units(id),"
	" operator TEXT NOT NULL DEFAULT '',"
	" floors {{BIGINT}} NOT NULL DEFAULT 0,"
	" area_m2 {{BIGINT}} NOT NULL DEFAULT 0,"
	" notes TEXT NOT NULL DEFAULT '',"
	" last_visit_at {{BIGINT}},"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX places_unit ON places(unit_id);"
	"CREATE TABLE enterprises("
	" id {{ID}},"
	" credit_code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" industry_section TEXT NOT NULL DEFAULT '',"
	" industry_division TEXT NOT NULL DEFAULT '',"
	" above_scale {{BIGINT}} NOT NULL DEFAULT 0,"
	" key_info {{BIGINT}} NOT NULL DEFAULT 0,"
	" address TEXT NOT NULL DEFAULT '',"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" grid_unit_id {{BIGINT}} REFERENCES units(id),"
	" place_id {{BIGINT}} REFERENCES places(id),"
	" contact_name TEXT NOT NULL DEFAULT '',"
	" contact_phone_sealed TEXT,"
	" contact_phone_index TEXT,"
	" contact_phone_mask TEXT NOT NULL DEFAULT '',"
	" leader_user_id {{BIGINT}} REFERENCES users(id),"
	" liaison_user_id {{BIGINT}} REFERENCES users(id),"
	" tags TEXT NOT NULL DEFAULT '',"
	" last_visit_at {{BIGINT}},"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL,"
	" version {{BIGINT}} NOT NULL DEFAULT 1);"
	"CREATE INDEX enterprises_unit ON enterprises(unit_id, id);"
	"CREATE INDEX enterprises_leader ON enterprises(leader_user_id, id);"
	"CREATE INDEX enterprises_liaison ON enterprises(liaison_user_id, id);"
	"CREATE INDEX enterprises_phone ON enterprises(contact_phone_index);"
	"CREATE INDEX enterprises_place ON enterprises(place_id);"
	"CREATE TABLE enterprise_terms("
	" term TEXT NOT NULL,"
	" enterprise_id {{BIGINT}} NOT NULL REFERENCES enterprises(id),"
	" PRIMARY KEY(term, enterprise_id));"
	"CREATE INDEX enterprise_terms_ent ON enterprise_terms(enterprise_id);"
	"CREATE TABLE pairings("
	" id {{ID}},"
	" enterprise_id {{BIGINT}} NOT NULL REFERENCES enterprises(id),"
	" leader_user_id {{BIGINT}} REFERENCES users(id),"
	" liaison_user_id {{BIGINT}} REFERENCES users(id),"
	" started_at {{BIGINT}} NOT NULL,"
	" ended_at {{BIGINT}},"
	" assigned_by {{BIGINT}} REFERENCES users(id),"
	" reason TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX pairings_ent ON pairings(enterprise_id, id);"
	"CREATE INDEX pairings_leader ON pairings(leader_user_id);"
	"CREATE TABLE households("
	" id {{ID}},"
	" address TEXT NOT NULL UNIQUE,"
	" unit_id {{BIGINT}} NOT NULL REFERENCES units(id),"
	" group_unit_id {{BIGINT}} REFERENCES units(id),"
	" place_id {{BIGINT}} REFERENCES places(id),"
	" head_name TEXT NOT NULL DEFAULT '',"
	" members {{BIGINT}} NOT NULL DEFAULT 0,"
	" phone_sealed TEXT,"
	" phone_index TEXT,"
	" phone_mask TEXT NOT NULL DEFAULT '',"
	" id_no_sealed TEXT,"
	" id_no_index TEXT,"
	" id_no_mask TEXT NOT NULL DEFAULT '',"
	" tags TEXT NOT NULL DEFAULT '',"
	" notes TEXT NOT NULL DEFAULT '',"
	" last_visit_at {{BIGINT}},"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX households_unit ON households(unit_id, id);"
	"CREATE INDEX households_group ON households(group_unit_id);"
	"CREATE INDEX households_place ON households(place_id);"
	"CREATE INDEX households_phone ON households(phone_index);"
	"CREATE INDEX households_id_no ON households(id_no_index);"
	"CREATE TABLE household_terms("
	" term TEXT NOT NULL,"
	" household_id {{BIGINT}} NOT NULL REFERENCES households(id),"
	" PRIMARY KEY(term, household_id));"
	"CREATE INDEX household_terms_hh ON household_terms(household_id);"
	"CREATE TABLE residents("
	" id {{ID}},"
	" household_id {{BIGINT}} NOT NULL REFERENCES households(id),"
	" name TEXT NOT NULL,"
	" relation TEXT NOT NULL DEFAULT '',"
	" phone_sealed TEXT,"
	" phone_index TEXT,"
	" phone_mask TEXT NOT NULL DEFAULT '',"
	" id_no_sealed TEXT,"
	" id_no_index TEXT,"
	" id_no_mask TEXT NOT NULL DEFAULT '',"
	" notes TEXT NOT NULL DEFAULT '',"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX residents_hh ON residents(household_id);"
	"CREATE INDEX residents_phone ON residents(phone_index);"
	"CREATE INDEX residents_id_no ON residents(id_no_index);"
	"CREATE TABLE village_groups("
	" unit_id {{BIGINT}} PRIMARY KEY REFERENCES units(id),"
	" leader_name TEXT NOT NULL DEFAULT '',"
	" households {{BIGINT}} NOT NULL DEFAULT 0,"
	" population {{BIGINT}} NOT NULL DEFAULT 0,"
	" notes TEXT NOT NULL DEFAULT '',"
	" last_visit_at {{BIGINT}});"
	"CREATE TABLE checklist_templates("
	" id {{ID}},"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" line TEXT NOT NULL,"
	" target_kinds TEXT NOT NULL DEFAULT '',"
	" items TEXT NOT NULL,"
	" active {{BIGINT}} NOT NULL DEFAULT 1,"
	" sort {{BIGINT}} NOT NULL DEFAULT 0,"
	" created_at {{BIGINT}} NOT NULL,"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE TABLE campaigns("
	" id {{ID}},"
	" name TEXT NOT NULL,"
	" theme TEXT NOT NULL,"
	" target_kind TEXT NOT NULL,"
	" starts_at {{BIGINT}} NOT NULL,"
	" ends_at {{BIGINT}} NOT NULL,"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" templates TEXT NOT NULL DEFAULT '',"
	" notes TEXT NOT NULL DEFAULT '',"
	" created_by {{BIGINT}} REFERENCES users(id),"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE TABLE campaign_targets("
	" campaign_id {{BIGINT}} NOT NULL REFERENCES campaigns(id),"
	" target_id {{BIGINT}} NOT NULL,"
	" assignee_user_id {{BIGINT}} REFERENCES users(id),"
	" team TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(campaign_id, target_id));"
	"CREATE TABLE campaign_members("
	" campaign_id {{BIGINT}} NOT NULL REFERENCES campaigns(id),"
	" user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" team TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(campaign_id, user_id));"
	"CREATE TABLE visits("
	" id {{ID}},"
	" campaign_id {{BIGINT}} REFERENCES campaigns(id),"
	" target_kind TEXT NOT NULL,"
	" target_id {{BIGINT}} NOT NULL,"
	" target_name TEXT NOT NULL DEFAULT '',"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" visitor_user_id {{BIGINT}} NOT NULL REFERENCES users(id),"
	" companions TEXT NOT NULL DEFAULT '',"
	" method TEXT NOT NULL,"
	" visited_at {{BIGINT}} NOT NULL,"
	" notes TEXT NOT NULL DEFAULT '',"
	" created_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX visits_target ON visits(target_kind, target_id, visited_at);"
	"CREATE INDEX visits_campaign ON visits(campaign_id, target_id);"
	"CREATE INDEX visits_unit ON visits(unit_id, id);"
	"CREATE INDEX visits_visitor ON visits(visitor_user_id, id);"
	"CREATE TABLE visit_checks("
	" visit_id {{BIGINT}} NOT NULL REFERENCES visits(id),"
	" template_id {{BIGINT}} NOT NULL REFERENCES checklist_templates(id),"
	" answers TEXT NOT NULL,"
	" PRIMARY KEY(visit_id, template_id));"
	"CREATE TABLE visit_orders("
	" visit_id {{BIGINT}} NOT NULL REFERENCES visits(id),"
	" order_id {{BIGINT}} NOT NULL UNIQUE REFERENCES orders(id),"
	" PRIMARY KEY(visit_id, order_id));"
	"CREATE TABLE hazards("
	" id {{ID}},"
	" visit_id {{BIGINT}} REFERENCES visits(id),"
	" target_kind TEXT NOT NULL,"
	" target_id {{BIGINT}} NOT NULL,"
	" target_name TEXT NOT NULL DEFAULT '',"
	" unit_id {{BIGINT}} REFERENCES units(id),"
	" type TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" description TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open',"
	" found_at {{BIGINT}} NOT NULL,"
	" found_by {{BIGINT}} REFERENCES users(id),"
	" days {{BIGINT}} NOT NULL,"
	" deadline {{BIGINT}} NOT NULL,"
	" rectified_at {{BIGINT}},"
	" rectified_by {{BIGINT}} REFERENCES users(id),"
	" rectify_note TEXT NOT NULL DEFAULT '',"
	" verified_at {{BIGINT}},"
	" verified_by {{BIGINT}} REFERENCES users(id),"
	" verify_note TEXT NOT NULL DEFAULT '',"
	" order_id {{BIGINT}} REFERENCES orders(id),"
	" updated_at {{BIGINT}} NOT NULL);"
	"CREATE INDEX hazards_unit ON hazards(unit_id, id);"
	"CREATE INDEX hazards_state ON hazards(state, deadline);"
	"CREATE INDEX hazards_visit ON hazards(visit_id);"
	"CREATE TABLE hazard_photos("
	" hazard_id {{BIGINT}} PRIMARY KEY REFERENCES hazards(id),"
	" mime TEXT NOT NULL,"
	" size {{BIGINT}} NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" data {{BLOB}} NOT NULL,"
	" created_by {{BIGINT}} REFERENCES users(id),"
	" created_at {{BIGINT}} NOT NULL);"
	/* The work lines a visit covers at once (多线融合); admins add more. */
	"INSERT INTO checklist_templates(code, name, line, target_kinds, items, active, sort, "
	" created_at, updated_at) VALUES ('household_survey', '民情大排摸', "
	" 'livelihood', 'household,village', "
	" '[{\"key\":\"members_home\",\"label\":\"在家人数\",\"type\":\"num"
	"ber\"},{\"key\":\"elderly\",\"label\":\"80岁以上老人数\",\"type"
	"\":\"number\"},{\"key\":\"need\",\"label\":\"主要诉求\",\"type\":"
	"\"choice\",\"options\":[\"无\",\"交通出行\",\"子女就学\",\""
	"计生咨询\",\"就业\",\"医疗\",\"住房\",\"其他\"]},{\"key\":"
	"\"satisfaction\",\"label\":\"对街道工作满意度\",\"type\":\"cho"
	"ice\",\"options\":[\"满意\",\"基本满意\",\"不满意\"]},{\"key"
	"\":\"notes\",\"label\":\"备注\",\"type\":\"text\"}]', 1, 10, 0, 0);"
	"INSERT INTO checklist_templates(code, name, line, target_kinds, items, active, sort, "
	" created_at, updated_at) VALUES ('fire_highrise', '高层消防', "
	" 'fire_safety', 'place,enterprise', "
	" '[{\"key\":\"exits_clear\",\"label\":\"消防通道、安全出口畅"
	"通\",\"type\":\"bool\"},{\"key\":\"extinguishers_ok\",\"label\":\"灭"
	"火器在有效期内\",\"type\":\"bool\"},{\"key\":\"alarms_ok\",\"la"
	"bel\":\"烟感、喷淋系统正常\",\"type\":\"bool\"},{\"key\":\"eb"
	"ike_indoor\",\"label\":\"电动车违规室内充电\",\"type\":\"bool"
	"\"},{\"key\":\"drill\",\"label\":\"本季度消防演练\",\"type\":\""
	"choice\",\"options\":[\"已演练\",\"未演练\"]},{\"key\":\"notes\""
	",\"label\":\"备注\",\"type\":\"text\"}]', 1, 20, 0, 0);"
	"INSERT INTO checklist_templates(code, name, line, target_kinds, items, active, sort, "
	" created_at, updated_at) VALUES ('party_building', '楼宇党建', "
	" 'party_building', 'enterprise,place', "
	" '[{\"key\":\"party_org\",\"label\":\"党组织建设\",\"type\":\"cho"
	"ice\",\"options\":[\"已建独立党组织\",\"联合党支部\",\"未"
	"建\"]},{\"key\":\"party_members\",\"label\":\"党员人数\",\"type\""
	":\"number\"},{\"key\":\"activities\",\"label\":\"本季度开展党建"
	"活动\",\"type\":\"bool\"},{\"key\":\"notes\",\"label\":\"备注\",\""
	"type\":\"text\"}]', 1, 30, 0, 0);"
	"INSERT INTO checklist_templates(code, name, line, target_kinds, items, active, sort, "
	" created_at, updated_at) VALUES ('talent_survey', '人才排摸', "
	" 'talent', 'enterprise', "
	" '[{\"key\":\"high_level\",\"label\":\"高层次人才数\",\"type\":"
	"\"number\"},{\"key\":\"graduates\",\"label\":\"应届毕业生需求"
	"数\",\"type\":\"number\"},{\"key\":\"housing_need\",\"label\":\"人"
	"才住房需求\",\"type\":\"bool\"},{\"key\":\"notes\",\"label\":\""
	"备注\",\"type\":\"text\"}]', 1, 40, 0, 0);"
	"INSERT INTO checklist_templates(code, name, line, target_kinds, items, active, sort, "
	" created_at, updated_at) VALUES ('project_matching', '项目对接', "
	" 'project', 'enterprise', "
	" '[{\"key\":\"project\",\"label\":\"在谈或在建项目\",\"type\":"
	"\"text\"},{\"key\":\"approval_need\",\"label\":\"需要项目报批协"
	"调\",\"type\":\"bool\"},{\"key\":\"space_need\",\"label\":\"需要厂"
	"房或办公空间\",\"type\":\"bool\"},{\"key\":\"customs_need\",\"la"
	"bel\":\"需要海关对接\",\"type\":\"bool\"},{\"key\":\"notes\",\"l"
	"abel\":\"备注\",\"type\":\"text\"}]', 1, 50, 0, 0);";

static const char m002_orders_indexes[] =
	"CREATE INDEX orders_updated ON orders(updated_at, id);"
	"CREATE INDEX orders_due ON orders(COALESCE(deadline, 9000000000000000000), id);"
	"CREATE INDEX orders_cat_created ON orders(category_id, created_at);"
	"CREATE INDEX order_events_order ON order_events(order_id, seq);";

/* Work orders at a million rows and more (bench/, docs/performance.md).
 * The dashboard's counters, kept by store/order.c in the transaction that
 * changes an order, so the dashboard reads a few hundred rows rather than
 * grouping every order: order_counts holds, per handling unit, area,
 * category and state (units 0 for none), the orders and their figures
 * (overdue and problem flags, on-time marks judged and met, ratings);
 * order_totals the same per category, per handling unit and per area alone
 * (dim 'category', 'dept', 'area'), for the dashboard of everything; and
 * order_day_counts the orders created and resolved per Shanghai day, per
 * handling unit and area (-1 and -1: all of them). Filled here from the
 * orders there are. Besides: the search terms become one b-tree on SQLite
 * (the table is all key), the second index on (order_id, seq) goes (the
 * unique constraint has one), the deadline scan reads open orders through
 * a partial index, and a person's own orders are found through created_by. */
#define FIGURES_COLS                                                                        \
	" n {{BIGINT}} NOT NULL, overdue {{BIGINT}} NOT NULL, problem {{BIGINT}} NOT NULL," \
	" resolved_on_time {{BIGINT}} NOT NULL, resolved_judged {{BIGINT}} NOT NULL,"       \
	" accepted_on_time {{BIGINT}} NOT NULL, accepted_judged {{BIGINT}} NOT NULL,"       \
	" satisfied {{BIGINT}} NOT NULL, rated {{BIGINT}} NOT NULL,"
#define FIGURES_NAMES                                                                \
	"n, overdue, problem, resolved_on_time, resolved_judged, accepted_on_time, " \
	"accepted_judged, satisfied, rated"
#define FIGURES_SUMS                                                                        \
	"SUM(n), SUM(overdue), SUM(problem), SUM(resolved_on_time), SUM(resolved_judged), " \
	"SUM(accepted_on_time), SUM(accepted_judged), SUM(satisfied), SUM(rated)"
static const char m007_orders_scale[] =
	"CREATE TABLE order_counts("
	" dept_unit_id {{BIGINT}} NOT NULL,"
	" area_unit_id {{BIGINT}} NOT NULL,"
	" category_id {{BIGINT}} NOT NULL,"
	" state TEXT NOT NULL," FIGURES_COLS
	" PRIMARY KEY(dept_unit_id, area_unit_id, category_id, state)){{WITHOUT_ROWID}};"
	"CREATE INDEX order_counts_area ON order_counts(area_unit_id);"
	"INSERT INTO order_counts(dept_unit_id, area_unit_id, category_id, state, " FIGURES_NAMES
	")"
	" SELECT COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), category_id, state,"
	" COUNT(*), SUM(overdue), SUM(problem),"
	" SUM(CASE WHEN resolved_on_time = 1 THEN 1 ELSE 0 END), COUNT(resolved_on_time),"
	" SUM(CASE WHEN accepted_on_time = 1 THEN 1 ELSE 0 END), COUNT(accepted_on_time),"
	" SUM(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END),"
	" SUM(CASE WHEN rating IN ('satisfied', 'basic', 'unsatisfied') THEN 1 ELSE 0 END)"
	" FROM orders GROUP BY COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), category_id,"
	" state;"
	"CREATE TABLE order_totals("
	" dim TEXT NOT NULL,"
	" ref_id {{BIGINT}} NOT NULL,"
	" state TEXT NOT NULL," FIGURES_COLS " PRIMARY KEY(dim, ref_id, state)){{WITHOUT_ROWID}};"
	"INSERT INTO order_totals(dim, ref_id, state, " FIGURES_NAMES ")"
	" SELECT 'category', category_id, state, " FIGURES_SUMS
	" FROM order_counts GROUP BY category_id, state;"
	"INSERT INTO order_totals(dim, ref_id, state, " FIGURES_NAMES ")"
	" SELECT 'dept', dept_unit_id, state, " FIGURES_SUMS
	" FROM order_counts GROUP BY dept_unit_id, state;"
	"INSERT INTO order_totals(dim, ref_id, state, " FIGURES_NAMES ")"
	" SELECT 'area', area_unit_id, state, " FIGURES_SUMS
	" FROM order_counts GROUP BY area_unit_id, state;"
	"CREATE TABLE order_day_counts("
	" kind TEXT NOT NULL,"
	" day {{BIGINT}} NOT NULL,"
	" dept_unit_id {{BIGINT}} NOT NULL,"
	" area_unit_id {{BIGINT}} NOT NULL,"
	" n {{BIGINT}} NOT NULL,"
	" PRIMARY KEY(kind, dept_unit_id, day, area_unit_id)){{WITHOUT_ROWID}};"
	"INSERT INTO order_day_counts(kind, day, dept_unit_id, area_unit_id, n)"
	" SELECT 'created', (created_at + 28800) / 86400 * 86400 - 28800,"
	" COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), COUNT(*) FROM orders"
	" GROUP BY (created_at + 28800) / 86400 * 86400 - 28800, COALESCE(dept_unit_id, 0),"
	" COALESCE(area_unit_id, 0);"
	"INSERT INTO order_day_counts(kind, day, dept_unit_id, area_unit_id, n)"
	" SELECT 'resolved', (resolved_at + 28800) / 86400 * 86400 - 28800,"
	" COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), COUNT(*) FROM orders"
	" WHERE resolved_at IS NOT NULL"
	" GROUP BY (resolved_at + 28800) / 86400 * 86400 - 28800, COALESCE(dept_unit_id, 0),"
	" COALESCE(area_unit_id, 0);"
	"INSERT INTO order_day_counts(kind, day, dept_unit_id, area_unit_id, n)"
	" SELECT kind, day, -1, -1, SUM(n) FROM order_day_counts GROUP BY kind, day;"
	"CREATE TABLE order_terms_new("
	" term TEXT NOT NULL,"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" PRIMARY KEY(term, order_id)){{WITHOUT_ROWID}};"
	"INSERT INTO order_terms_new(term, order_id) SELECT term, order_id FROM order_terms"
	" ORDER BY term, order_id;"
	"DROP TABLE order_terms;"
	"ALTER TABLE order_terms_new RENAME TO order_terms;"
	"DROP INDEX order_events_order;"
	"CREATE INDEX orders_open ON orders(id) WHERE state NOT IN ('closed', 'rejected', 'merged');"
	"CREATE INDEX orders_creator ON orders(created_by, state);";
#undef FIGURES_COLS
#undef FIGURES_NAMES
#undef FIGURES_SUMS

/* Registers: archiving instead of deleting (who, when, why) for
 * enterprises, households, residents and places; campaigns are closed. */
static const char m006_archive[] =
	"ALTER TABLE enterprises ADD COLUMN archived_at {{BIGINT}};"
	"ALTER TABLE enterprises ADD COLUMN archived_by {{BIGINT}} REFERENCES users(id);"
	"ALTER TABLE enterprises ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE households ADD COLUMN archived_at {{BIGINT}};"
	"ALTER TABLE households ADD COLUMN archived_by {{BIGINT}} REFERENCES users(id);"
	"ALTER TABLE households ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE residents ADD COLUMN archived_at {{BIGINT}};"
	"ALTER TABLE residents ADD COLUMN archived_by {{BIGINT}} REFERENCES users(id);"
	"ALTER TABLE residents ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE places ADD COLUMN archived_at {{BIGINT}};"
	"ALTER TABLE places ADD COLUMN archived_by {{BIGINT}} REFERENCES users(id);"
	"ALTER TABLE places ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE campaigns ADD COLUMN closed_at {{BIGINT}};"
	"ALTER TABLE campaigns ADD COLUMN closed_by {{BIGINT}} REFERENCES users(id);";

/* The order list's drives (store/order_list.c) pick a page from the
 * (created_at, id) these indexes hold, without reading the rows: a
 * department's, an area's, a state's and a person's own orders by state and
 * time. They take the place of the (unit, state, id) ones. */
static const char m008_orders_lists[] =
	"CREATE INDEX orders_dept_created ON orders(dept_unit_id, state, created_at);"
	"CREATE INDEX orders_area_created ON orders(area_unit_id, state, created_at);"
	"CREATE INDEX orders_state_created ON orders(state, created_at);"
	"DROP INDEX orders_dept;"
	"DROP INDEX orders_area;"
	"DROP INDEX orders_creator;"
	"CREATE INDEX orders_creator ON orders(created_by, state, created_at);";

static const char m009_orders_enterprise[] =
	"CREATE INDEX orders_enterprise ON orders(enterprise_id, state, created_at);";

/* Search terms keyed by the order's creation time: the list's search walks a
 * term's orders newest first straight from this key and probes the other
 * terms by their exact (term, created_at, order_id) without reading orders. */
static const char m010_order_terms_created[] =
	"CREATE TABLE order_terms_created("
	" term TEXT NOT NULL,"
	" created_at {{BIGINT}} NOT NULL,"
	" order_id {{BIGINT}} NOT NULL REFERENCES orders(id),"
	" PRIMARY KEY(term, created_at, order_id)){{WITHOUT_ROWID}};"
	"INSERT INTO order_terms_created(term, created_at, order_id)"
	" SELECT t.term, o.created_at, t.order_id FROM order_terms t"
	" JOIN orders o ON o.id = t.order_id"
	" ORDER BY t.term, o.created_at, t.order_id;"
	"DROP TABLE order_terms;"
	"ALTER TABLE order_terms_created RENAME TO order_terms;";

/* Version numbers are reserved per area so work can land independently:
 * 2 orders and dashboard, 3 Open311, 4 registers and visits, 5 scores,
 * 6 archived registers and closed campaigns, 7 and 8 orders at scale, 9 an
 * enterprise's orders, 10 search terms by creation time, 11 and up: next
 * free. Append entries in order. */
static const struct sf_migration migrations[] = {
	{ 1, "core: units, users, sessions, calendar, catalogue, orders, events", m001_core },
	{ 2, "orders: indexes for the inbox sorts", m002_orders_indexes },
	{ 3, "open311: API keys, submissions", m003_open311 },
	{ 4, "registers and visits: enterprises, households, places, pairing, campaigns, hazards",
	  m004_registers },
	{ 7, "orders at scale: dashboard counters, one-tree search terms, open-order index",
	  m007_orders_scale },
	{ 6, "registers: archived records, closed campaigns", m006_archive },
	{ 8, "orders: indexes for the list's drives", m008_orders_lists },
	{ 9, "orders: an enterprise's orders", m009_orders_enterprise },
	{ 10, "orders: search terms keyed by creation time", m010_order_terms_created },
};

const struct sf_migration *sf_schema_migrations(size_t *n)
{
	*n = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

int sf_schema_version(struct sf_conn *c, int64_t *out)
{
	int rc;

	*out = 0;
	rc = sf_conn_run(
		c,
		"CREATE TABLE IF NOT EXISTS schema_version("
		" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
		"");
	if (rc < 0)
		return rc;
	rc = sf_conn_int(c, out, "SELECT COALESCE(MAX(version), 0) FROM schema_version", "");
	return rc < 0 ? rc : 0;
}

int sf_schema_migrate(struct sf_db *db, int64_t now, int *applied, struct sf_error *err)
{
	struct sf_conn *c = sf_db_get(db);
	size_t n;
	const struct sf_migration *m = sf_schema_migrations(&n);
	int64_t have = 0;
	int rc;

	*applied = 0;
	rc = sf_conn_begin(c, true);
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "cannot start migration: %s",
			     sf_conn_errmsg(c));
		goto out;
	}
	rc = sf_schema_version(c, &have);
	if (rc) {
		sf_error_set(err, rc, "db_error", "", "cannot read schema version: %s",
			     sf_conn_errmsg(c));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *sql;

		int64_t done = 0;

		/* Each version on its own: one that landed later with a lower
		 * number than an applied one still runs. */
		rc = sf_conn_int(c, &done, "SELECT COUNT(*) FROM schema_version WHERE version = ?",
				 "d", m[i].version);
		if (rc) {
			sf_error_set(err, rc, "db_error", "", "%s", sf_conn_errmsg(c));
			goto out;
		}
		if (done)
			continue;
		sql = sf_db_dialect_sql(sf_db_engine(db), m[i].sql);
		rc = sf_conn_exec_script(c, sql, err);
		free(sql);
		if (rc)
			goto out;
		rc = sf_conn_run(
			c, "INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)",
			"dsi", m[i].version, m[i].name, now);
		if (rc < 0) {
			sf_error_set(err, rc, "db_error", "", "%s", sf_conn_errmsg(c));
			goto out;
		}
		(*applied)++;
	}
	rc = sf_conn_commit(c);
	if (rc)
		sf_error_set(err, rc, "db_error", "", "cannot commit migration: %s",
			     sf_conn_errmsg(c));
out:
	sf_db_put(db, c);
	return rc;
}

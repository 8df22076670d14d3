/* The route table: every URL the server answers, with its checks. The
 * OpenAPI document (data/openapi.json) lists the same routes; a test keeps
 * the two equal. */
#include "api/route.h"

#include "api/auth.h"
#include "api/admin.h"
#include "api/catalog.h"
#include "api/orders.h"
#include "api/open311.h"
#include "api/portal.h"
#include "api/pairing.h"
#include "api/registers.h"
#include "api/stats.h"
#include "api/system.h"
#include "domain/role.h"

#define STAFF SF_ROLES_STAFF
#define ADMIN SF_ROLE_BIT(SF_ROLE_ADMIN)
/* registers (issue 3) */
#define PRIVILEGED (ADMIN | SF_ROLE_BIT(SF_ROLE_LEADER) | SF_ROLE_BIT(SF_ROLE_DISPATCHER))
#define REG_WRITE (PRIVILEGED | SF_ROLE_BIT(SF_ROLE_DEPT))
#define AREA_WRITE                                                                         \
	(ADMIN | SF_ROLE_BIT(SF_ROLE_DISPATCHER) | SF_ROLE_BIT(SF_ROLE_COMMUNITY) |         \
	 SF_ROLE_BIT(SF_ROLE_GRID))

const struct sf_route sf_routes[] = {
	{ "GET", "/healthz", sf_api_healthz, SF_R_PUBLIC, 0, "healthz" },
	{ "GET", "/metrics", sf_api_metrics, SF_R_PUBLIC | SF_R_RAW, 0, "metrics" },
	{ "GET", "/api/v1/openapi.json", sf_api_openapi, SF_R_PUBLIC | SF_R_RAW, 0, "openapi" },
	{ "POST", "/api/v1/auth/login", sf_api_login, SF_R_NOCSRF, 0, "auth.login" },
	{ "POST", "/api/v1/auth/logout", sf_api_logout, SF_R_NOCSRF, 0, "auth.logout" },
	{ "GET", "/api/v1/me", sf_api_me, SF_R_AUTH, 0, "me.get" },
	{ "POST", "/api/v1/me/password", sf_api_password, SF_R_AUTH, 0, "me.password" },
	{ "GET", "/api/v1/categories", sf_api_categories_list, SF_R_AUTH, 0, "categories.list" },
	{ "GET", "/api/v1/categories/{id}", sf_api_categories_get, SF_R_AUTH, 0, "categories.get" },
	{ "POST", "/api/v1/categories", sf_api_categories_create, SF_R_AUTH, ADMIN,
	  "categories.create" },
	{ "PATCH", "/api/v1/categories/{id}", sf_api_categories_update, SF_R_AUTH, ADMIN,
	  "categories.update" },
	{ "GET", "/api/v1/public/categories", sf_api_public_categories, SF_R_PUBLIC, 0,
	  "public.categories" },
	{ "GET", "/api/v1/units", sf_api_units_list, SF_R_AUTH, 0, "units.list" },
	{ "POST", "/api/v1/units", sf_api_units_create, SF_R_AUTH, ADMIN, "units.create" },
	{ "PATCH", "/api/v1/units/{id}", sf_api_units_update, SF_R_AUTH, ADMIN, "units.update" },
	{ "GET", "/api/v1/users", sf_api_users_list, SF_R_AUTH,
	  ADMIN | SF_ROLE_BIT(SF_ROLE_LEADER), "users.list" },
	{ "POST", "/api/v1/users", sf_api_users_create, SF_R_AUTH, ADMIN, "users.create" },
	{ "PATCH", "/api/v1/users/{id}", sf_api_users_update, SF_R_AUTH, ADMIN, "users.update" },
	{ "GET", "/api/v1/calendar", sf_api_calendar_get, SF_R_AUTH, 0, "calendar.get" },
	{ "GET", "/api/v1/calendar/deadline", sf_api_calendar_deadline, SF_R_AUTH, 0,
	  "calendar.deadline" },
	{ "POST", "/api/v1/calendar/import", sf_api_calendar_import, SF_R_AUTH | SF_R_RAW, ADMIN,
	  "calendar.import" },
	{ "GET", "/api/v1/stats/overview", sf_api_stats_overview, SF_R_AUTH, STAFF,
	  "stats.overview" },
	{ "GET", "/api/v1/public/stats", sf_api_public_stats, SF_R_PUBLIC, 0, "public.stats" },
	{ "POST", "/api/v1/public/orders", sf_api_portal_submit, SF_R_NOCSRF, 0,
	  "public.orders.create" },
	{ "GET", "/api/v1/public/orders/{code}", sf_api_portal_track, SF_R_PUBLIC, 0,
	  "public.orders.get" },
	{ "POST", "/api/v1/public/orders/{code}/rate", sf_api_portal_rate, SF_R_NOCSRF, 0,
	  "public.orders.rate" },
	{ "POST", "/api/v1/public/orders/{code}/photo", sf_api_portal_photo,
	  SF_R_NOCSRF | SF_R_UPLOAD | SF_R_RAW, 0, "public.orders.photo" },
	{ "POST", "/api/v1/orders", sf_api_orders_create, SF_R_AUTH, STAFF, "orders.create" },
	{ "GET", "/api/v1/orders", sf_api_orders_list, SF_R_AUTH, 0, "orders.list" },
	{ "GET", "/api/v1/orders/{id}", sf_api_orders_get, SF_R_AUTH, 0, "orders.get" },
	{ "GET", "/api/v1/orders/{id}/events", sf_api_orders_events, SF_R_AUTH, 0, "orders.events" },
	{ "POST", "/api/v1/orders/{id}/actions/{action}", sf_api_orders_action, SF_R_AUTH, 0,
	  "orders.action" },
	{ "POST", "/api/v1/orders/{id}/attachments", sf_api_orders_attach, SF_R_AUTH | SF_R_UPLOAD,
	  STAFF, "orders.attach" },
	{ "GET", "/api/v1/orders/{id}/attachments/{aid}", sf_api_orders_attachment,
	  SF_R_AUTH | SF_R_RAW, 0, "orders.attachment" },
	{ "POST", "/api/v1/orders/{id}/reveal", sf_api_orders_reveal, SF_R_AUTH,
	  ADMIN | SF_ROLE_BIT(SF_ROLE_LEADER) | SF_ROLE_BIT(SF_ROLE_DISPATCHER), "orders.reveal" },
	{ "GET", "/api/v1/notifications", sf_api_notifications_list, SF_R_AUTH, 0,
	  "notifications.list" },
	{ "POST", "/api/v1/notifications/{id}/read", sf_api_notifications_read, SF_R_AUTH, 0,
	  "notifications.read" },
	{ "GET", "/open311/v2/{resource}", sf_api_o311_get, SF_R_PUBLIC | SF_R_RAW, 0,
	  "open311.get" },
	{ "POST", "/open311/v2/{resource}", sf_api_o311_post,
	  SF_R_PUBLIC | SF_R_RAW | SF_R_FORM | SF_R_NOCSRF, 0, "open311.post" },
	{ "GET", "/open311/v2/{kind}/{item}", sf_api_o311_item, SF_R_PUBLIC | SF_R_RAW, 0,
	  "open311.item" },
	{ "POST", "/api/v1/open311/services/import", sf_api_o311_import, SF_R_AUTH, ADMIN,
	  "open311.import" },
	/* registers (issue 3): literal paths before {id} */
	{ "GET", "/api/v1/enterprises", sf_api_enterprises_list, SF_R_AUTH, STAFF,
	  "enterprises.list" },
	{ "POST", "/api/v1/enterprises", sf_api_enterprises_create, SF_R_AUTH, REG_WRITE,
	  "enterprises.create" },
	{ "GET", "/api/v1/enterprises/export", sf_api_enterprises_export, SF_R_AUTH | SF_R_RAW, STAFF,
	  "enterprises.export" },
	{ "POST", "/api/v1/enterprises/import", sf_api_enterprises_import,
	  SF_R_AUTH | SF_R_UPLOAD | SF_R_RAW, PRIVILEGED, "enterprises.import" },
	{ "GET", "/api/v1/enterprises/{id}", sf_api_enterprises_get, SF_R_AUTH, STAFF,
	  "enterprises.get" },
	{ "PATCH", "/api/v1/enterprises/{id}", sf_api_enterprises_update, SF_R_AUTH, REG_WRITE,
	  "enterprises.update" },
	{ "POST", "/api/v1/enterprises/{id}/reveal", sf_api_enterprises_reveal, SF_R_AUTH,
	  PRIVILEGED, "enterprises.reveal" },
	{ "GET", "/api/v1/households", sf_api_households_list, SF_R_AUTH, STAFF, "households.list" },
	{ "POST", "/api/v1/households", sf_api_households_create, SF_R_AUTH, AREA_WRITE,
	  "households.create" },
	{ "GET", "/api/v1/households/export", sf_api_households_export, SF_R_AUTH | SF_R_RAW, STAFF,
	  "households.export" },
	{ "POST", "/api/v1/households/import", sf_api_households_import,
	  SF_R_AUTH | SF_R_UPLOAD | SF_R_RAW, AREA_WRITE, "households.import" },
	{ "GET", "/api/v1/households/{id}", sf_api_households_get, SF_R_AUTH, STAFF,
	  "households.get" },
	{ "PATCH", "/api/v1/households/{id}", sf_api_households_update, SF_R_AUTH, AREA_WRITE,
	  "households.update" },
	{ "POST", "/api/v1/households/{id}/reveal", sf_api_households_reveal, SF_R_AUTH, PRIVILEGED,
	  "households.reveal" },
	{ "POST", "/api/v1/households/{id}/residents", sf_api_residents_create, SF_R_AUTH,
	  AREA_WRITE, "residents.create" },
	{ "POST", "/api/v1/residents/{id}/reveal", sf_api_residents_reveal, SF_R_AUTH, PRIVILEGED,
	  "residents.reveal" },
	{ "GET", "/api/v1/places", sf_api_places_list, SF_R_AUTH, STAFF, "places.list" },
	{ "POST", "/api/v1/places", sf_api_places_create, SF_R_AUTH, REG_WRITE | AREA_WRITE,
	  "places.create" },
	{ "GET", "/api/v1/places/{id}", sf_api_places_get, SF_R_AUTH, STAFF, "places.get" },
	{ "PATCH", "/api/v1/places/{id}", sf_api_places_update, SF_R_AUTH, REG_WRITE | AREA_WRITE,
	  "places.update" },
	{ "GET", "/api/v1/village-groups", sf_api_village_groups_list, SF_R_AUTH, STAFF,
	  "village_groups.list" },
	{ "POST", "/api/v1/village-groups", sf_api_village_groups_create, SF_R_AUTH, AREA_WRITE,
	  "village_groups.create" },
	{ "PATCH", "/api/v1/village-groups/{id}", sf_api_village_groups_update, SF_R_AUTH,
	  AREA_WRITE, "village_groups.update" },
	{ "PUT", "/api/v1/enterprises/{id}/pairing", sf_api_pairing_set, SF_R_AUTH,
	  ADMIN | SF_ROLE_BIT(SF_ROLE_LEADER), "pairing.set" },
	{ "GET", "/api/v1/enterprises/{id}/pairings", sf_api_pairing_history, SF_R_AUTH, STAFF,
	  "pairing.history" },
	{ "GET", "/api/v1/pairing/leaders", sf_api_pairing_coverage, SF_R_AUTH, PRIVILEGED,
	  "pairing.coverage" },
	{ "GET", "/api/v1/pairing/leaders/{id}", sf_api_pairing_leader, SF_R_AUTH, STAFF,
	  "pairing.leader" },
	{ "GET", "/api/v1/pairing/mine", sf_api_pairing_mine, SF_R_AUTH, STAFF, "pairing.mine" },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/* The route table: every URL the server answers, with its checks. The
 * OpenAPI document (docs/openapi.json) lists the same routes; a test keeps
 * the two equal. */
#include "api/route.h"

#include "api/auth.h"
#include "api/system.h"
#include "domain/role.h"

#define STAFF SF_ROLES_STAFF
#define ADMIN SF_ROLE_BIT(SF_ROLE_ADMIN)

const struct sf_route sf_routes[] = {
	{ "GET", "/healthz", sf_api_healthz, SF_R_PUBLIC, 0, "healthz" },
	{ "GET", "/metrics", sf_api_metrics, SF_R_PUBLIC | SF_R_RAW, 0, "metrics" },
	{ "POST", "/api/v1/auth/login", sf_api_login, SF_R_NOCSRF, 0, "auth.login" },
	{ "POST", "/api/v1/auth/logout", sf_api_logout, SF_R_NOCSRF, 0, "auth.logout" },
	{ "GET", "/api/v1/me", sf_api_me, SF_R_AUTH, 0, "me.get" },
	{ "POST", "/api/v1/me/password", sf_api_password, SF_R_AUTH, 0, "me.password" },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

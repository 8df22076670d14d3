/* Roles of DESIGN.md and their names. A role says what a person may do;
 * data scope (which units' records) is checked separately by the API. */
#ifndef SF_ROLE_H
#define SF_ROLE_H

#include <stdbool.h>

enum sf_role {
	SF_ROLE_PUBLIC = 0, /* not signed in (portal, Open311) */
	SF_ROLE_ADMIN,      /* 系统管理员 */
	SF_ROLE_LEADER,     /* 班子成员 */
	SF_ROLE_DISPATCHER, /* 受理/指挥室 */
	SF_ROLE_DEPT,       /* 科室 */
	SF_ROLE_COMMUNITY,  /* 社区/村 */
	SF_ROLE_GRID,       /* 网格员/楼宇专员 */
	SF_ROLE_OPERATOR,   /* 楼宇运营商 */
	SF_ROLE_ENTERPRISE, /* 企业联系人 */
	SF_ROLE_RESIDENT,   /* 居民 */
	SF_ROLE_SYSTEM,     /* the deadline scan and other jobs */
	SF_ROLE_COUNT
};

#define SF_ROLE_BIT(r) (1u << (r))
#define SF_ROLES_STAFF                                                 \
	(SF_ROLE_BIT(SF_ROLE_ADMIN) | SF_ROLE_BIT(SF_ROLE_LEADER) |    \
	 SF_ROLE_BIT(SF_ROLE_DISPATCHER) | SF_ROLE_BIT(SF_ROLE_DEPT) | \
	 SF_ROLE_BIT(SF_ROLE_COMMUNITY) | SF_ROLE_BIT(SF_ROLE_GRID))

/* "dispatcher" etc.; NULL for an out-of-range value. */
const char *sf_role_name(enum sf_role r);
/* Chinese label, e.g. "受理员". */
const char *sf_role_label_zh(enum sf_role r);
/* Parse a role name; false when unknown. */
bool sf_role_parse(const char *s, enum sf_role *out);

#endif

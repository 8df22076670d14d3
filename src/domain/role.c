/* Role names and labels. */
#include "domain/role.h"

#include <string.h>

static const struct {
	const char *name;
	const char *zh;
} roles[SF_ROLE_COUNT] = {
	[SF_ROLE_PUBLIC] = { "public", "公众" },
	[SF_ROLE_ADMIN] = { "admin", "系统管理员" },
	[SF_ROLE_LEADER] = { "leader", "班子成员" },
	[SF_ROLE_DISPATCHER] = { "dispatcher", "受理员" },
	[SF_ROLE_DEPT] = { "dept", "科室人员" },
	[SF_ROLE_COMMUNITY] = { "community", "社区/村工作人员" },
	[SF_ROLE_GRID] = { "grid", "网格员/楼宇专员" },
	[SF_ROLE_OPERATOR] = { "operator", "楼宇运营商" },
	[SF_ROLE_ENTERPRISE] = { "enterprise", "企业联系人" },
	[SF_ROLE_RESIDENT] = { "resident", "居民" },
	[SF_ROLE_SYSTEM] = { "system", "系统" },
};

const char *sf_role_name(enum sf_role r)
{
	return (unsigned)r < SF_ROLE_COUNT ? roles[r].name : NULL;
}

const char *sf_role_label_zh(enum sf_role r)
{
	return (unsigned)r < SF_ROLE_COUNT ? roles[r].zh : NULL;
}

bool sf_role_parse(const char *s, enum sf_role *out)
{
	for (int i = 0; i < SF_ROLE_COUNT; i++) {
		if (s && strcmp(s, roles[i].name) == 0) {
			*out = (enum sf_role)i;
			return true;
		}
	}
	return false;
}

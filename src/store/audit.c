/* Audit log appends; see audit.h. */
#include "store/audit.h"

#include <stdio.h>

#include "store/chain.h"

int sf_store_audit_append(struct sf_conn *c, const struct sf_audit_entry *e)
{
	char prev[65], hash[65], idt[24], att[24], uidt[24];
	const char *fields[8];
	int64_t last = 0;
	int rc = sf_store_chain_head(c, "audit", &last, prev);

	if (rc)
		return rc;
	snprintf(idt, sizeof(idt), "%lld", (long long)(last + 1));
	snprintf(att, sizeof(att), "%lld", (long long)e->at);
	snprintf(uidt, sizeof(uidt), "%lld", (long long)e->user_id);
	fields[0] = idt;
	fields[1] = att;
	fields[2] = e->user_id ? uidt : NULL;
	fields[3] = e->actor_name ? e->actor_name : "";
	fields[4] = e->action;
	fields[5] = e->target ? e->target : "";
	fields[6] = e->reason ? e->reason : "";
	fields[7] = e->ip ? e->ip : "";
	sf_store_chain_hash(prev, fields, 8, hash);
	rc = sf_conn_run(
		c,
		"INSERT INTO audit_log(id, at, user_id, actor_name, action, target, reason, "
		"ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"iizsssssss", last + 1, e->at, e->user_id, fields[3], fields[4], fields[5],
		fields[6], fields[7], prev, hash);
	if (rc < 0)
		return rc;
	return sf_store_chain_advance(c, "audit", last + 1, hash);
}

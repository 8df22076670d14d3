/* The registers in the database: places (buildings, parks, estates),
 * enterprises with their pairing (结对) history, households and their
 * residents, village groups, and the bigram terms that make Chinese
 * substring search fast. Personal data arrives here already sealed,
 * indexed and masked (struct sf_pii); this file never sees it in clear.
 * Who may see or change what is decided above, in src/api. */
#ifndef SF_STORE_REGISTER_H
#define SF_STORE_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* One personal datum (a phone or an ID number) as stored: sealed text,
 * keyed index hex and the masked form that lists show. sealed[0] == '\0'
 * means none (stored as NULL). */
struct sf_pii {
	char sealed[192];
	char index[65];
	char mask[40];
};

/* Most rows one list call returns (exports pass a larger limit). */
#define SF_REG_EXPORT_MAX 1048575

/* An archived (soft-deleted) record: gone from lists, search, exports and
 * new visits, kept with its history and links, restorable. at 0 = live. */
struct sf_archived {
	int64_t at;
	int64_t by;
	char by_name[64];
	char reason[604];
};

/* Which rows a list returns: the live ones (0, the default), the archived
 * ones (1) or both (-1). */
enum { SF_REG_LIVE = 0, SF_REG_ARCHIVED = 1, SF_REG_ANY = -1 };

/* Archive (archive true: at now, by, with reason) or restore one row of a
 * register: kind "enterprise", "household", "resident" or "place". Call
 * inside a write transaction. SF_ENOTFOUND when there is no such row,
 * SF_ECONFLICT when it is already archived (or, to restore, not archived),
 * SF_EINVAL for an unknown kind. */
int sf_store_register_archive(struct sf_conn *c, const char *kind, int64_t id, bool archive,
			      int64_t by, const char *reason, int64_t now);

/* ---- places: buildings (楼宇), parks (园区), residential estates (小区) ---- */

struct sf_place {
	int64_t id;
	char kind[16]; /* building, park, estate */
	char name[304];
	char address[604];
	int64_t unit_id;      /* community or village; 0 = none */
	int64_t grid_unit_id; /* grid or workstation; 0 = none */
	char operator_name[304];
	int64_t floors;
	int64_t area_m2;
	char notes[1204];
	int64_t last_visit_at;
	int64_t created_at, updated_at;
	/* read only, joined */
	char unit_name[128];
	char unit_path[128];
	char grid_name[128];
	char grid_path[128];
	int64_t enterprises; /* live enterprises at the place */
	int64_t households;  /* live households at the place */
	struct sf_archived archived;
};

/* Insert p (id ignored). SF_ECONFLICT when the name is taken, SF_EINVAL
 * when a unit does not exist. */
int sf_store_place_insert(struct sf_conn *c, const struct sf_place *p, int64_t now, int64_t *id);
/* Update every editable field of p->id. SF_ENOTFOUND, SF_ECONFLICT. */
int sf_store_place_update(struct sf_conn *c, const struct sf_place *p, int64_t now);
/* A place by id, archived or not. SF_ENOTFOUND. */
int sf_store_place_get(struct sf_conn *c, int64_t id, struct sf_place *out);
/* The id of the place of that name, archived or not. SF_ENOTFOUND. */
int sf_store_place_id_by_name(struct sf_conn *c, const char *name, int64_t *id);
/* cb for each place of kind (NULL = all) whose unit is under unit_path
 * (NULL = all), whose name or address holds q (NULL = any) and whose
 * archive state is `archived` (SF_REG_LIVE, SF_REG_ARCHIVED, SF_REG_ANY),
 * by name; at most limit. cb returning non-zero stops. */
int sf_store_place_each(struct sf_conn *c, const char *kind, const char *unit_path, const char *q,
			int archived, int limit, int (*cb)(const struct sf_place *p, void *ctx),
			void *ctx);

/* ---- enterprises ---- */

struct sf_enterprise {
	int64_t id;
	char credit_code[24];
	char name[304];
	char industry_section[4];
	char industry_division[4];
	bool above_scale; /* 规上 */
	bool key_info;    /* 重点信息经济 */
	char address[604];
	int64_t unit_id;      /* community or village */
	int64_t grid_unit_id; /* grid or building workstation */
	int64_t place_id;     /* building or park */
	char contact_name[100];
	struct sf_pii contact_phone;
	int64_t leader_user_id;  /* paired leader 包联领导, 0 = none */
	int64_t liaison_user_id; /* liaison 联系员, 0 = none */
	char tags[304];          /* "a,b,c" */
	int64_t last_visit_at;
	int64_t created_at, updated_at, version;
	/* read only, joined */
	char unit_name[128];
	char unit_path[128];
	char grid_name[128];
	char grid_path[128];
	char place_name[304];
	char leader_name[64];
	char liaison_name[64];
	struct sf_archived archived;
};

/* Which enterprises a list returns. Scope first: everything when
 * scope_all, otherwise those whose unit or grid is under scope_path (may
 * be "") or whose leader or liaison is scope_user. Then the filters, each
 * ignored when zero / NULL / negative as noted. */
struct sf_enterprise_filter {
	bool scope_all;
	const char *scope_path;
	int64_t scope_user;
	const char *unit_path;  /* under this unit */
	int64_t leader_user_id; /* paired with */
	int64_t liaison_user_id;
	int64_t place_id;
	int above_scale;     /* -1 any, 0, 1 */
	int key_info;        /* -1 any, 0, 1 */
	int paired;          /* -1 any, 0 no leader, 1 a leader */
	const char *section; /* industry section letter */
	const char *tag;
	const char *q;           /* substring of name or address, or a credit code */
	const char *phone_index; /* exact contact phone */
	int64_t visited_since;   /* > 0: last visit at or after */
	int64_t unvisited_since; /* > 0: never visited or last visit before */
	int archived;            /* SF_REG_LIVE (0: the default), SF_REG_ARCHIVED, SF_REG_ANY */
	int64_t before_id;       /* paging: ids below this; 0 = from the newest */
	int limit;
};

/* Insert e (id, version, pairing and last visit ignored) with its search
 * terms. SF_ECONFLICT when the credit code is taken, SF_EINVAL when a
 * referenced unit or place does not exist. */
int sf_store_enterprise_insert(struct sf_conn *c, const struct sf_enterprise *e, int64_t now,
			       int64_t *id);
/* Update the editable fields of e->id (not the pairing) and its terms; the
 * contact phone is replaced only when keep_phone is false. Bumps version.
 * SF_ENOTFOUND, SF_ECONFLICT (code taken), SF_EINVAL (bad reference). */
int sf_store_enterprise_update(struct sf_conn *c, const struct sf_enterprise *e, bool keep_phone,
			       int64_t now);
/* An enterprise by id, archived or not. SF_ENOTFOUND. */
int sf_store_enterprise_get(struct sf_conn *c, int64_t id, struct sf_enterprise *out);
/* The id of the enterprise with that code, archived or not. SF_ENOTFOUND. */
int sf_store_enterprise_id_by_code(struct sf_conn *c, const char *credit_code, int64_t *id);
/* cb for each enterprise matching f, newest first, at most f->limit. */
int sf_store_enterprise_list(struct sf_conn *c, const struct sf_enterprise_filter *f,
			     int (*cb)(const struct sf_enterprise *e, void *ctx), void *ctx);
/* Number of enterprises matching f (paging and limit ignored). */
int sf_store_enterprise_count(struct sf_conn *c, const struct sf_enterprise_filter *f, int64_t *n);
/* Record a visit at `at` (keeps the latest). */
int sf_store_enterprise_visited(struct sf_conn *c, int64_t id, int64_t at);

/* ---- pairing (结对): a leader and a liaison per enterprise, with history ---- */

struct sf_pairing {
	int64_t id;
	int64_t enterprise_id;
	int64_t leader_user_id, liaison_user_id;
	char leader_name[64], liaison_name[64];
	int64_t started_at, ended_at; /* ended_at 0 = current */
	int64_t assigned_by;
	char assigned_by_name[64];
	char reason[604];
};

/* Make leader/liaison (0 = none) the enterprise's pairing from now: the
 * current history row is ended and a new one started, and the enterprise
 * row updated. Nothing changes (and *changed is false) when both are
 * already so. Call inside a write transaction. SF_ENOTFOUND (enterprise),
 * SF_EINVAL (unknown user). */
int sf_store_pairing_set(struct sf_conn *c, int64_t enterprise_id, int64_t leader_user_id,
			 int64_t liaison_user_id, int64_t by_user_id, const char *reason,
			 int64_t now, bool *changed);
/* cb for each pairing of an enterprise, newest first. */
int sf_store_pairing_each(struct sf_conn *c, int64_t enterprise_id,
			  int (*cb)(const struct sf_pairing *p, void *ctx), void *ctx);

/* One row of the pairing coverage: a leader (or liaison) and how many of
 * their enterprises were visited since a time. */
struct sf_pairing_cover {
	int64_t user_id;
	char name[64];
	char login[64];
	char title[64];
	int64_t enterprises;
	int64_t visited;
	int64_t open_orders;
};
/* cb for each user of role leader (all of them, paired or not), by name,
 * with counts of their paired live enterprises, those visited at or after
 * since, and the open orders of their enterprises. */
int sf_store_pairing_coverage(struct sf_conn *c, int64_t since,
			      int (*cb)(const struct sf_pairing_cover *r, void *ctx), void *ctx);
/* One open order of a leader's enterprises. */
struct sf_pairing_order {
	int64_t id;
	char code[32];
	char title[304];
	char state[16];
	int64_t enterprise_id;
	char enterprise_name[304];
	int64_t created_at, deadline;
	bool overdue;
};
/* cb for each open order (not resolved, closed, rejected or merged) of an
 * enterprise paired with leader_user_id (or whose liaison it is, when
 * as_liaison), newest first, at most limit. */
int sf_store_pairing_orders(struct sf_conn *c, int64_t user_id, bool as_liaison, int limit,
			    int (*cb)(const struct sf_pairing_order *o, void *ctx), void *ctx);

/* ---- households (户) and residents ---- */

struct sf_household {
	int64_t id;
	char address[604];     /* the natural key */
	int64_t unit_id;       /* community or village */
	int64_t group_unit_id; /* village group, 0 = none */
	int64_t place_id;      /* estate or building, 0 = none */
	char head_name[100];
	int64_t members;
	struct sf_pii phone;
	struct sf_pii id_no;
	char tags[304];
	char notes[1204];
	int64_t last_visit_at;
	int64_t created_at, updated_at;
	/* read only, joined */
	char unit_name[128];
	char unit_path[128];
	char group_name[128];
	char group_path[128];
	char place_name[304];
	char place_grid_path[128]; /* the grid of its place, "" = none */
	struct sf_archived archived;
};

struct sf_household_filter {
	bool scope_all;
	const char *scope_path; /* unit subtree the person may see (the household's
				 * unit, village group or its place's grid) */
	const char *unit_path;  /* under this unit (community, village or group) */
	int64_t place_id;
	const char *tag;
	const char *q;           /* substring of address or head's name */
	const char *phone_index; /* exact phone of the household or a resident */
	const char *id_no_index; /* exact ID number of the head or a resident */
	int64_t visited_since;
	int64_t unvisited_since;
	int archived; /* SF_REG_LIVE (0: the default), SF_REG_ARCHIVED, SF_REG_ANY */
	int64_t before_id;
	int limit;
};

/* Insert h with its terms. SF_ECONFLICT when the address is taken,
 * SF_EINVAL on a bad reference. */
int sf_store_household_insert(struct sf_conn *c, const struct sf_household *h, int64_t now,
			      int64_t *id);
/* Update h->id; phone and ID number kept when keep_pii. */
int sf_store_household_update(struct sf_conn *c, const struct sf_household *h, bool keep_pii,
			      int64_t now);
/* A household by id, archived or not. SF_ENOTFOUND. */
int sf_store_household_get(struct sf_conn *c, int64_t id, struct sf_household *out);
/* The id of the household at that address, archived or not. SF_ENOTFOUND. */
int sf_store_household_id_by_address(struct sf_conn *c, const char *address, int64_t *id);
int sf_store_household_list(struct sf_conn *c, const struct sf_household_filter *f,
			    int (*cb)(const struct sf_household *h, void *ctx), void *ctx);
int sf_store_household_count(struct sf_conn *c, const struct sf_household_filter *f, int64_t *n);
int sf_store_household_visited(struct sf_conn *c, int64_t id, int64_t at);

struct sf_resident {
	int64_t id;
	int64_t household_id;
	char name[100];
	char relation[64];
	struct sf_pii phone;
	struct sf_pii id_no;
	char notes[604];
	int64_t created_at;
	struct sf_archived archived;
};

int sf_store_resident_insert(struct sf_conn *c, const struct sf_resident *r, int64_t now,
			     int64_t *id);
/* Replace name, relation, phone, ID number and notes of r->id with r's
 * (the sealed values as they are in r). SF_ENOTFOUND. */
int sf_store_resident_update(struct sf_conn *c, const struct sf_resident *r);
/* A resident by id, archived or not. SF_ENOTFOUND. */
int sf_store_resident_get(struct sf_conn *c, int64_t id, struct sf_resident *out);
/* cb for each resident of a household whose archive state is `archived`
 * (SF_REG_LIVE, SF_REG_ARCHIVED, SF_REG_ANY), by id. */
int sf_store_resident_each(struct sf_conn *c, int64_t household_id, int archived,
			   int (*cb)(const struct sf_resident *r, void *ctx), void *ctx);

/* ---- village groups (村民小组): units of kind village_group, with their facts ---- */

struct sf_village_group {
	int64_t unit_id;
	char code[48];
	char name[128];
	int64_t village_unit_id;
	char village_name[128];
	char path[128];
	char leader_name[100]; /* 组长 */
	int64_t households;
	int64_t population;
	char notes[604];
	int64_t last_visit_at;
};

/* Insert or update the facts of a village-group unit. SF_EINVAL when the
 * unit does not exist or is not a village group. */
int sf_store_village_group_put(struct sf_conn *c, const struct sf_village_group *g);
int sf_store_village_group_get(struct sf_conn *c, int64_t unit_id, struct sf_village_group *out);
/* cb for each village-group unit under unit_path (NULL = all), in tree order. */
int sf_store_village_group_each(struct sf_conn *c, const char *unit_path, const char *q,
				int (*cb)(const struct sf_village_group *g, void *ctx), void *ctx);

/* Which village groups a paged list returns, each filter ignored when
 * NULL / 0. */
struct sf_village_group_filter {
	const char *unit_path;   /* under this unit */
	int64_t village_unit_id; /* groups of this village */
	const char *q;           /* substring of the group's or its village's name */
	int64_t after_id;        /* paging: unit ids above this */
	int limit;               /* at most this many (0: 50) */
};
/* cb for each village group matching f, by unit id. */
int sf_store_village_group_list(struct sf_conn *c, const struct sf_village_group_filter *f,
				int (*cb)(const struct sf_village_group *g, void *ctx), void *ctx);
/* How many village groups match f (paging and limit ignored). */
int sf_store_village_group_count(struct sf_conn *c, const struct sf_village_group_filter *f,
				 int64_t *n);
int sf_store_village_group_visited(struct sf_conn *c, int64_t unit_id, int64_t at);

/* ---- personal data for an audited reveal ---- */

/* Which sealed value: "enterprise" contact_phone, "household" phone or
 * id_no, "resident" phone or id_no. Copies the sealed text into out
 * ("" when none). SF_ENOTFOUND when the row does not exist, SF_EINVAL for
 * an unknown kind or field. */
int sf_store_register_sealed(struct sf_conn *c, const char *kind, int64_t id, const char *field,
			     char *out, size_t cap);

#endif

/* The column tables, the duplicate-key set and the reference lookups that
 * the register import and export share (not for other layers): which
 * header names which field, and units, people and places resolved by
 * code, login or name without a query per row. */
#ifndef SF_API_REGISTERS_CSV_H
#define SF_API_REGISTERS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/role.h"
#include "store/db.h"

/* One column of a register's file: the field it fills and the headers
 * that name it (the first is what an export writes). */
struct sf_regio_col {
	const char *key;
	const char *names[6];
	bool required;
};

#define SF_REGIO_ENT_COLS 15
#define SF_REGIO_HH_COLS 10
#define SF_REGIO_PLACE_COLS 9
#define SF_REGIO_VG_COLS 7
#define SF_REGIO_MAX_COLS 16 /* the most columns of any register */
extern const struct sf_regio_col sf_regio_ent_cols[SF_REGIO_ENT_COLS];
extern const struct sf_regio_col sf_regio_hh_cols[SF_REGIO_HH_COLS];
extern const struct sf_regio_col sf_regio_place_cols[SF_REGIO_PLACE_COLS];
extern const struct sf_regio_col sf_regio_vg_cols[SF_REGIO_VG_COLS];
/* Columns an export adds that an import skips; NULL-ended. */
extern const char *const sf_regio_readonly_cols[];

/* A set of natural keys with the row that had each first. */
struct sf_regio_keyset {
	char **key;
	size_t *row;
	size_t n, cap;
};
/* Add key; returns the row that had it before, or 0 when it is new. */
size_t sf_regio_keyset_add(struct sf_regio_keyset *ks, const char *key, size_t row);
void sf_regio_keyset_release(struct sf_regio_keyset *ks);

struct sf_regio_unit {
	int64_t id, parent_id;
	char kind[24];
	char code[48];
	char name[128];
	char path[128];
};

struct sf_regio_user {
	int64_t id;
	enum sf_role role;
	bool disabled;
	char login[64];
	char name[64];
};

struct sf_regio_place {
	int64_t id;
	bool archived;
	char name[304];
};

/* Every unit, user and place, loaded once per import. */
struct sf_regio_refs {
	struct sf_regio_unit *units;
	size_t nunits, cunits;
	struct sf_regio_user *users;
	size_t nusers, cusers;
	struct sf_regio_place *places;
	size_t nplaces, cplaces;
};

int sf_regio_refs_load(struct sf_conn *c, struct sf_regio_refs *r);
void sf_regio_refs_release(struct sf_regio_refs *r);
/* A unit by code, else by name, among kinds (NULL-ended); parent limits to
 * children of a unit (0 = any). NULL when none; *ambiguous when several
 * share the name. */
const struct sf_regio_unit *sf_regio_find_unit(const struct sf_regio_refs *r, const char *s,
					       const char *const *kinds, int64_t parent,
					       bool *ambiguous);
const struct sf_regio_unit *sf_regio_unit_by_id(const struct sf_regio_refs *r, int64_t id);
/* A user by login, else by name. */
const struct sf_regio_user *sf_regio_find_user(const struct sf_regio_refs *r, const char *s,
					       bool *ambiguous);
/* A place by name (archived ones too), NULL when none. */
const struct sf_regio_place *sf_regio_find_place(const struct sf_regio_refs *r, const char *s);
/* Whether a unit (of any kind) has code s. */
bool sf_regio_code_taken(const struct sf_regio_refs *r, const char *s);
/* Place kinds: "building", "park", "estate" from themselves or 楼宇, 园区,
 * 小区 (NULL when neither); and the Chinese label of a kind. */
const char *sf_regio_place_kind(const char *s);
const char *sf_regio_place_kind_label(const char *kind);

#endif

/* The enterprise and household rows of a register import: each cell read,
 * checked as the API checks it (credit code, industry, references, phones,
 * ID numbers, caps, the importer's area), and on the writing pass the row
 * inserted or updated by its natural key (credit code, address). Masked
 * cells of an export ("138****8000", "李**") leave the stored value. */
#include "api/registers_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registers_impl.h"
#include "domain/credit.h"
#include "domain/industry.h"
#include "domain/mask.h"
#include "util/mem.h"

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "是", "1", "y", "yes", "true", "√", "✓", "规上" };
	static const char *const no[] = { "否", "0", "n", "no", "false", "", "×" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return true;
		}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return true;
		}
	return false;
}

/* A cell of a personal datum or name exported masked ("138****8000",
 * "张*") means "unchanged". */
static bool is_masked(const char *s)
{
	return strchr(s, '*') != NULL;
}

static const char *const area_kinds[] = { "community", "village", NULL };
static const char *const grid_kinds[] = { "grid", "workstation", NULL };
static const char *const group_kinds[] = { "village_group", NULL };

static int64_t user_cell(struct sf_regimp *im, const struct sf_csv_record *rec, const char *key,
			 bool leader, bool *bad)
{
	char buf[256];
	const char *v = sf_regimp_cell(im, rec, key, buf, sizeof(buf));
	const struct sf_regio_user *u;
	bool amb;

	if (!v || !*v)
		return 0;
	u = sf_regio_find_user(&im->refs, v, &amb);
	if (!u || u->disabled) {
		sf_regimp_error(im, rec->row, key, "unknown_reference",
				"%s \"%.60s\" is not an active user (give the login or the name)",
				sf_regimp_col_name(im, key), v);
		*bad = true;
		return 0;
	}
	if (amb) {
		sf_regimp_error(im, rec->row, key, "ambiguous_reference",
				"several users are named \"%.60s\"; give the login", v);
		*bad = true;
		return 0;
	}
	if (leader && u->role != SF_ROLE_LEADER) {
		sf_regimp_error(im, rec->row, key, "invalid_reference", "%s (%s) is not a leader",
				u->name, u->login);
		*bad = true;
		return 0;
	}
	if (!leader && !(SF_ROLES_STAFF & SF_ROLE_BIT(u->role))) {
		sf_regimp_error(im, rec->row, key, "invalid_reference",
				"%s (%s) is not a staff member", u->name, u->login);
		*bad = true;
		return 0;
	}
	return u->id;
}

/* One enterprise row: fill, check, and (second pass) write. */
int sf_regimp_enterprise_row(struct sf_regimp *im, const struct sf_csv_record *rec)
{
	struct sf_enterprise *e = sf_xcalloc(1, sizeof(*e));
	struct sf_error ce = { 0 };
	char buf[256], code[sizeof(e->credit_code)];
	const char *v;
	int64_t id = 0, leader, liaison;
	bool bad = false, given, b, phone_kept = true, changed;
	size_t prev, pos;
	enum sf_credit_fault f;
	int rc = 0;

	v = sf_regimp_cell(im, rec, "credit_code", buf, sizeof(buf));
	sf_credit_normalise(v, code, sizeof(code));
	f = sf_credit_check(code, &pos);
	if (f != SF_CREDIT_OK) {
		if (f == SF_CREDIT_CHECK)
			sf_regimp_error(
				im, rec->row, "credit_code", "invalid_credit_code",
				"%s: the check character (18th) should be %c; the code is mistyped",
				code, sf_credit_check_char(code));
		else
			sf_regimp_error(im, rec->row, "credit_code", "invalid_credit_code",
					"%s%s%s", code, code[0] ? ": " : "",
					sf_credit_fault_text(f, false));
		bad = true;
	} else if ((prev = sf_regio_keyset_add(&im->keys, code, rec->row)) != 0 && !im->writing) {
		sf_regimp_error(im, rec->row, "credit_code", "duplicate_credit_code",
				"credit code %s is also on row %zu", code, prev);
		bad = true;
	}
	if (!bad && sf_store_enterprise_id_by_code(im->c, code, &id) == 0) {
		rc = sf_store_enterprise_get(im->c, id, e);
		if (rc) {
			rc = sf_regimp_db_fail(im, rec->row, rc);
			goto out;
		}
		if (e->archived.at) {
			sf_regimp_error(
				im, rec->row, "credit_code", "archived",
				"enterprise %lld with credit code %s is archived; restore it "
				"before importing it",
				(long long)id, code);
			bad = true;
		}
	}
	snprintf(e->credit_code, sizeof(e->credit_code), "%s", code);
	sf_regimp_text(im, rec, "name", SF_REG_NAME_MAX, false, e->name, sizeof(e->name), &bad);
	if (sf_regimp_cell(im, rec, "name", buf, sizeof(buf)) && !*buf) {
		sf_regimp_error(im, rec->row, "name", "missing_field", "企业名称 (name) is empty");
		bad = true;
	}
	sf_regimp_text(im, rec, "industry_section", 2, false, e->industry_section,
		       sizeof(e->industry_section), &bad);
	sf_regimp_text(im, rec, "industry_division", 3, false, e->industry_division,
		       sizeof(e->industry_division), &bad);
	if ((v = sf_regimp_cell(im, rec, "industry_section", buf, sizeof(buf))) && *v &&
	    !sf_industry_section_name(v)) {
		sf_regimp_error(im, rec->row, "industry_section", "invalid_industry",
				"\"%.20s\" is not a GB/T 4754 section letter A-T", v);
		bad = true;
	}
	if ((v = sf_regimp_cell(im, rec, "industry_division", buf, sizeof(buf))) && *v &&
	    !sf_industry_section_of(v)) {
		sf_regimp_error(im, rec->row, "industry_division", "invalid_industry",
				"\"%.20s\" is not a GB/T 4754 division 01-97", v);
		bad = true;
	}
	if ((v = sf_regimp_cell(im, rec, "above_scale", buf, sizeof(buf)))) {
		if (parse_bool(v, &b))
			e->above_scale = b;
		else {
			sf_regimp_error(im, rec->row, "above_scale", "invalid_field",
					"规上企业 must be 是 or 否, not \"%.20s\"", v);
			bad = true;
		}
	}
	if ((v = sf_regimp_cell(im, rec, "key_info", buf, sizeof(buf)))) {
		if (parse_bool(v, &b))
			e->key_info = b;
		else {
			sf_regimp_error(im, rec->row, "key_info", "invalid_field",
					"重点信息经济企业 must be 是 or 否, not \"%.20s\"", v);
			bad = true;
		}
	}
	sf_regimp_text(im, rec, "address", SF_REG_ADDRESS_MAX, false, e->address,
		       sizeof(e->address), &bad);
	{
		int64_t u = sf_regimp_unit(im, rec, "unit", area_kinds, 0, &given, &bad);

		if (given)
			e->unit_id = u;
		u = sf_regimp_unit(im, rec, "grid", grid_kinds, 0, &given, &bad);
		if (given)
			e->grid_unit_id = u;
		u = sf_regimp_place(im, rec, "place", e->place_id, &given, &bad);
		if (given)
			e->place_id = u;
	}
	if (!((v = sf_regimp_cell(im, rec, "contact_name", buf, sizeof(buf))) && is_masked(v)))
		sf_regimp_text(im, rec, "contact_name", SF_REG_PERSON_MAX, false, e->contact_name,
			       sizeof(e->contact_name), &bad);
	if ((v = sf_regimp_cell(im, rec, "contact_phone", buf, sizeof(buf))) && *v &&
	    !is_masked(v)) {
		char norm[SF_PHONE_MAX];

		if (strlen(v) > 40 || sf_phone_normalise(v, norm, sizeof(norm)) != 0) {
			sf_regimp_error(im, rec->row, "contact_phone", "invalid_phone",
					"联系电话 \"%.30s\" is not a phone number", v);
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_phone(im->app, v, "contact_phone", &e->contact_phone, &ce);
			if (rc)
				goto out;
			phone_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = sf_regimp_cell(im, rec, "tags", buf, sizeof(buf)))) {
		if (sf_regapi_tags_text(v, "tags", e->tags, sizeof(e->tags), &ce)) {
			sf_regimp_check_error(im, rec->row, &ce, "tags");
			bad = true;
		}
	}
	leader = user_cell(im, rec, "leader", true, &bad);
	liaison = user_cell(im, rec, "liaison", false, &bad);
	if (!bad && sf_regapi_enterprise_check(im->c, e, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "name");
		bad = true;
	}
	if (bad)
		goto out;
	if (!im->writing) {
		if (id)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (id) {
		rc = sf_store_enterprise_update(im->c, e, phone_kept, im->now);
		im->updated++;
	} else {
		rc = sf_store_enterprise_insert(im->c, e, im->now, &id);
		im->inserted++;
	}
	if (!rc && (leader || liaison))
		rc = sf_store_pairing_set(im->c, id, leader ? leader : e->leader_user_id,
					  liaison ? liaison : e->liaison_user_id, im->who->user_id,
					  "import", im->now, &changed);
	if (rc)
		rc = sf_regimp_db_fail(im, rec->row, rc);
out:
	free(e);
	return rc;
}

/* One household row. */
int sf_regimp_household_row(struct sf_regimp *im, const struct sf_csv_record *rec)
{
	struct sf_household *h = sf_xcalloc(1, sizeof(*h));
	struct sf_error ce = { 0 };
	char buf[700], addr[700];
	const char *v;
	int64_t id = 0, unit_id, group_id, place_id;
	bool bad = false, given_unit, given_group, given_place, pii_kept = true;
	size_t prev;
	int rc = 0;

	v = sf_regimp_cell(im, rec, "address", addr, sizeof(addr));
	if (!v || !*v) {
		sf_regimp_error(im, rec->row, "address", "missing_field",
				"地址 (address) is empty");
		bad = true;
	} else if (sf_regapi_text(v, "address", SF_REG_ADDRESS_MAX, true, false, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "address");
		bad = true;
	} else if ((prev = sf_regio_keyset_add(&im->keys, v, rec->row)) != 0 && !im->writing) {
		sf_regimp_error(im, rec->row, "address", "duplicate_address",
				"address \"%.60s\" is also on row %zu", v, prev);
		bad = true;
	}
	if (!bad && sf_store_household_id_by_address(im->c, addr, &id) == 0) {
		rc = sf_store_household_get(im->c, id, h);
		if (rc) {
			rc = sf_regimp_db_fail(im, rec->row, rc);
			goto out;
		}
		if (h->archived.at) {
			sf_regimp_error(im, rec->row, "address", "archived",
					"household %lld at this address is archived; restore it "
					"before importing it",
					(long long)id);
			bad = true;
		}
	}
	if (!bad)
		snprintf(h->address, sizeof(h->address), "%.*s", (int)sizeof(h->address) - 1, addr);
	unit_id = sf_regimp_unit(im, rec, "unit", area_kinds, 0, &given_unit, &bad);
	if (given_unit && unit_id) {
		h->unit_id = unit_id;
		if (h->group_unit_id) {
			const struct sf_regio_unit *g =
				sf_regio_unit_by_id(&im->refs, h->group_unit_id);

			if (!g || g->parent_id != unit_id)
				h->group_unit_id = 0;
		}
	}
	group_id = sf_regimp_unit(im, rec, "group", group_kinds, unit_id, &given_group, &bad);
	if (given_group)
		h->group_unit_id = group_id;
	place_id = sf_regimp_place(im, rec, "place", h->place_id, &given_place, &bad);
	if (given_place)
		h->place_id = place_id;
	if (!((v = sf_regimp_cell(im, rec, "head_name", buf, sizeof(buf))) && is_masked(v)))
		sf_regimp_text(im, rec, "head_name", SF_REG_PERSON_MAX, false, h->head_name,
			       sizeof(h->head_name), &bad);
	if ((v = sf_regimp_cell(im, rec, "members", buf, sizeof(buf))) && *v) {
		char *end = NULL;
		long n = strtol(v, &end, 10);

		if (!end || *end || n < 0 || n > 99) {
			sf_regimp_error(im, rec->row, "members", "invalid_field",
					"人数 must be a whole number 0-99, not \"%.20s\"", v);
			bad = true;
		} else {
			h->members = n;
		}
	}
	if ((v = sf_regimp_cell(im, rec, "phone", buf, sizeof(buf))) && *v && !is_masked(v)) {
		char norm[SF_PHONE_MAX];

		if (strlen(v) > 40 || sf_phone_normalise(v, norm, sizeof(norm)) != 0) {
			sf_regimp_error(im, rec->row, "phone", "invalid_phone",
					"联系电话 \"%.30s\" is not a phone number", v);
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_phone(im->app, v, "phone", &h->phone, &ce);
			if (rc)
				goto out;
			pii_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = sf_regimp_cell(im, rec, "id_no", buf, sizeof(buf))) && *v && !is_masked(v)) {
		char norm[32];

		sf_resident_id_normalise(v, norm, sizeof(norm));
		if (!sf_resident_id_valid(norm)) {
			/* never echo an ID number into a report */
			sf_regimp_error(
				im, rec->row, "id_no", "invalid_id_no",
				"身份证号 is not a valid resident identity number (18 characters, "
				"check digit)");
			bad = true;
		} else if (im->writing) {
			rc = sf_regapi_id_no(im->app, v, "id_no", &h->id_no, &ce);
			if (rc)
				goto out;
			pii_kept = false;
		}
		explicit_bzero(norm, sizeof(norm));
	}
	if ((v = sf_regimp_cell(im, rec, "tags", buf, sizeof(buf)))) {
		if (sf_regapi_tags_text(v, "tags", h->tags, sizeof(h->tags), &ce)) {
			sf_regimp_check_error(im, rec->row, &ce, "tags");
			bad = true;
		}
	}
	sf_regimp_text(im, rec, "notes", SF_REG_NOTES_MAX, true, h->notes, sizeof(h->notes), &bad);
	if (!bad && sf_regapi_household_check(im->c, h, &ce)) {
		sf_regimp_check_error(im, rec->row, &ce, "address");
		bad = true;
	}
	if (!bad && !sf_regapi_privileged(im->who)) {
		const struct sf_regio_unit *u = sf_regio_unit_by_id(
			&im->refs, h->group_unit_id ? h->group_unit_id : h->unit_id);

		if (!u || !sf_regapi_sees_path(im->who, u->path)) {
			sf_regimp_error(im, rec->row, "unit", "out_of_scope",
					"the household is outside your community or village");
			bad = true;
		}
	}
	if (bad)
		goto out;
	if (!im->writing) {
		if (id)
			im->updated++;
		else
			im->inserted++;
		goto out;
	}
	if (id) {
		rc = sf_store_household_update(im->c, h, pii_kept, im->now);
		im->updated++;
	} else {
		rc = sf_store_household_insert(im->c, h, im->now, &id);
		im->inserted++;
	}
	if (rc)
		rc = sf_regimp_db_fail(im, rec->row, rc);
out:
	free(h);
	return rc;
}

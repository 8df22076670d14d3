/* Residents (居民) of a household over HTTP: add one, read one, change one
 * (with the checks of adding: names capped, phones and ID numbers
 * normalised, GB 11643 check digit, sealed), archive and restore one, and
 * the audited reveal. A resident is in the scope of its household. */
#include "api/registers.h"

#include <stdio.h>
#include <string.h>

#include "api/registers_impl.h"
#include "util/json.h"
#include "util/jw.h"

static const struct sf_jfield create_spec[] = {
	{ "name", SF_JT_STRING, true, SF_REG_PERSON_MAX, 0, 0 },
	{ "relation", SF_JT_STRING, false, 20, 0, 0 },
	{ "phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "id_no", SF_JT_STRING, false, 40, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static const struct sf_jfield update_spec[] = {
	{ "name", SF_JT_STRING, false, SF_REG_PERSON_MAX, 0, 0 },
	{ "relation", SF_JT_STRING, false, 20, 0, 0 },
	{ "phone", SF_JT_STRING, false, 40, 0, 0 },
	{ "id_no", SF_JT_STRING, false, 40, 0, 0 },
	{ "notes", SF_JT_TEXT, false, SF_REG_NOTES_MAX, 0, 0 },
	{ 0 },
};

static void copy_str(const struct sf_json *b, const char *key, char *dst, size_t cap)
{
	const char *s = sf_json_str(b, key);

	if (s || sf_json_has(b, key))
		snprintf(dst, cap, "%s", s ? s : "");
}

/* Apply the body onto r (what is absent stays) with the checks of a new
 * resident; a phone or ID number given blank clears it. */
static int apply_body(struct sf_req *req, const struct sf_json *b, struct sf_resident *r)
{
	int rc;

	copy_str(b, "name", r->name, sizeof(r->name));
	copy_str(b, "relation", r->relation, sizeof(r->relation));
	copy_str(b, "notes", r->notes, sizeof(r->notes));
	rc = sf_regapi_text(r->name, "name", SF_REG_PERSON_MAX, true, false, &req->err);
	if (!rc)
		rc = sf_regapi_text(r->relation, "relation", 20, false, false, &req->err);
	if (!rc)
		rc = sf_regapi_text(r->notes, "notes", SF_REG_NOTES_MAX, false, true, &req->err);
	if (!rc && sf_json_has(b, "phone"))
		rc = sf_regapi_phone(req->app, sf_json_str(b, "phone"), "phone", &r->phone,
				     &req->err);
	if (!rc && sf_json_has(b, "id_no"))
		rc = sf_regapi_id_no(req->app, sf_json_str(b, "id_no"), "id_no", &r->id_no,
				     &req->err);
	if (!rc) {
		char name[sizeof(r->name)];

		sf_regapi_trim(r->name, name, sizeof(name));
		memcpy(r->name, name, sizeof(name));
	}
	return rc;
}

int sf_api_residents_create(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_household h;
	struct sf_resident r;
	int64_t hid, rid = 0;
	int rc = sf_req_param_id(req, 0, "id", &hid);

	if (rc)
		return rc;
	rc = sf_req_json(req, create_spec, &b);
	if (rc)
		return rc;
	memset(&r, 0, sizeof(r));
	rc = sf_regapi_household_load(req, hid, false, &h);
	if (!rc && h.archived.at)
		rc = sf_regapi_archived_fail(req, "household", hid);
	if (!rc)
		rc = sf_regapi_household_may_write(req, &h);
	if (!rc) {
		r.household_id = hid;
		rc = apply_body(req, b, &r);
	}
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_resident_insert(c, &r, req->now, &rid);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the resident");
		goto out;
	}
	rc = sf_regapi_household_reply(req, 201, &h);
out:
	sf_json_free(b);
	return rc;
}

/* Load a resident and its household, both in the person's scope; an
 * archived resident (or one of an archived household) only for admin and
 * leaders, or for anyone in scope when any_archived. */
static int load_scoped(struct sf_req *req, int64_t id, bool any_archived, struct sf_resident *r,
		       struct sf_household *h)
{
	int rc = sf_store_resident_get(sf_req_conn(req), id, r);

	if (rc == SF_ENOTFOUND)
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no resident %lld",
				   (long long)id);
	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the resident");
	rc = sf_regapi_household_load(req, r->household_id, any_archived, h);
	if (rc) {
		if (rc == SF_ENOTFOUND)
			sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no resident %lld",
				    (long long)id);
		return rc;
	}
	if (r->archived.at && !any_archived && !sf_regapi_sees_archived(&req->who))
		return sf_req_fail(req, SF_ENOTFOUND, "not_found", "", "no resident %lld",
				   (long long)id);
	return 0;
}

static int reply_resident(struct sf_req *req, int64_t id)
{
	struct sf_resident r;
	struct sf_jw w;
	int rc = sf_store_resident_get(sf_req_conn(req), id, &r);

	if (rc)
		return sf_regapi_store_fail(req, rc, "", "cannot read the resident back");
	sf_req_reply_json(req, 200, &w);
	sf_regapi_resident_write(&w, &r, sf_regapi_privileged(&req->who), true);
	return 0;
}

int sf_api_residents_get(struct sf_req *req)
{
	struct sf_resident r;
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, false, &r, &h);
	return rc ? rc : reply_resident(req, id);
}

int sf_api_residents_update(struct sf_req *req)
{
	struct sf_conn *c = sf_req_conn(req);
	struct sf_json *b = NULL;
	struct sf_resident r;
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (rc)
		return rc;
	rc = sf_req_json(req, update_spec, &b);
	if (rc)
		return rc;
	rc = load_scoped(req, id, false, &r, &h);
	if (!rc && (r.archived.at || h.archived.at))
		rc = r.archived.at ? sf_regapi_archived_fail(req, "resident", id)
				   : sf_regapi_archived_fail(req, "household", h.id);
	if (!rc)
		rc = sf_regapi_household_may_write(req, &h);
	if (!rc)
		rc = apply_body(req, b, &r);
	if (rc)
		goto out;
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_resident_update(c, &r);
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		sf_conn_rollback(c);
		rc = sf_regapi_store_fail(req, rc, "", "cannot save the resident");
		goto out;
	}
	rc = reply_resident(req, id);
out:
	sf_json_free(b);
	return rc;
}

int sf_api_residents_reveal(struct sf_req *req)
{
	static const char *const fields[] = { "phone", "id_no", NULL };
	struct sf_resident r;
	struct sf_household h;
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, false, &r, &h);
	if (rc)
		return rc;
	return sf_regapi_reveal(req, "resident", id, fields);
}

/* DELETE archives a resident (moved away, deceased): admin or the staff of
 * the household's community; restore brings them back. */
static int archive_http(struct sf_req *req, bool archive)
{
	struct sf_resident r;
	struct sf_household h = { 0 };
	int64_t id;
	int rc = sf_req_param_id(req, 0, "id", &id);

	if (!rc)
		rc = load_scoped(req, id, !archive, &r, &h);
	if (!rc && h.archived.at)
		rc = sf_regapi_archived_fail(req, "household", h.id);
	if (!rc)
		rc = sf_regapi_household_may_write(req, &h);
	if (!rc)
		rc = sf_regapi_archive(req, "resident", id, archive);
	return rc ? rc : reply_resident(req, id);
}

int sf_api_residents_archive(struct sf_req *req)
{
	return archive_http(req, true);
}

int sf_api_residents_restore(struct sf_req *req)
{
	return archive_http(req, false);
}

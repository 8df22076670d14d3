/* Rules shared by the register, pairing and visit handlers (not for other
 * layers): text caps, sealing a phone or ID number, tags, unit references,
 * data scope for a principal, the masked/clear JSON of names, the audited
 * reveal, and turning a store error into the one error shape. */
#ifndef SF_API_REGISTERS_IMPL_H
#define SF_API_REGISTERS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "store/register.h"
#include "store/unit.h"
#include "util/json.h"
#include "util/jw.h"

#define SF_REG_NAME_MAX 100 /* enterprise, place names (characters) */
#define SF_REG_ADDRESS_MAX 200
#define SF_REG_PERSON_MAX 30 /* a person's name */
#define SF_REG_NOTES_MAX 400
#define SF_REG_TAG_MAX 20     /* one tag */
#define SF_REG_TAGS_MAX 10    /* tags of one row */
#define SF_REG_REASON_MAX 200 /* reason of a reveal */

/* admin, leader or dispatcher: sees every row and personal data on reveal. */
bool sf_regapi_privileged(const struct sf_principal *who);
/* Whether who's unit covers path (privileged: always). */
bool sf_regapi_sees_path(const struct sf_principal *who, const char *path);
/* Whether who may see the enterprise: privileged, its unit or its grid
 * (网格, 楼宇工作站) in who's scope, or who is its leader or liaison. */
bool sf_regapi_sees_enterprise(const struct sf_principal *who, const struct sf_enterprise *e);
/* Whether who may see the household (its unit, village group or the grid
 * of its place in scope). */
bool sf_regapi_sees_household(const struct sf_principal *who, const struct sf_household *h);
/* Whether the place is in who's area (its unit or grid in scope). Every
 * staff member reads places; this is the area a visit to one belongs to. */
bool sf_regapi_sees_place(const struct sf_principal *who, const struct sf_place *p);
/* Whether who reads archived records (by id, and lists with archived=1):
 * admin and leaders. */
bool sf_regapi_sees_archived(const struct sf_principal *who);

/* A text input: NULL/blank allowed unless required; valid UTF-8 without
 * control characters (line breaks allowed when multiline); at most max
 * characters. SF_EINVAL "missing_field", "invalid_field", "too_long"
 * naming field. */
int sf_regapi_text(const char *s, const char *field, size_t max, bool required, bool multiline,
		   struct sf_error *err);
/* Whether s is NULL or blank (ASCII or ideographic spaces). */
bool sf_regapi_blank(const char *s);
/* Trim ASCII and ideographic spaces at both ends into out. */
void sf_regapi_trim(const char *s, char *out, size_t cap);

/* Seal a phone (normalised first) or a resident ID number (checked) under
 * the app key into *out with its keyed index and mask; blank input gives an
 * empty sf_pii. SF_EINVAL "invalid_field" naming field. */
int sf_regapi_phone(struct sf_app *app, const char *clear, const char *field, struct sf_pii *out,
		    struct sf_error *err);
int sf_regapi_id_no(struct sf_app *app, const char *clear, const char *field, struct sf_pii *out,
		    struct sf_error *err);
/* The keyed index of a phone or ID number to look up (false when it is not
 * one). */
bool sf_regapi_phone_index(struct sf_app *app, const char *clear, char out[65]);
bool sf_regapi_id_no_index(struct sf_app *app, const char *clear, char out[65]);

/* Tags from text ("a,b、c；d") or a JSON string array at key, trimmed,
 * deduplicated and joined with ",". SF_EINVAL naming field. */
int sf_regapi_tags_text(const char *in, const char *field, char *out, size_t cap,
			struct sf_error *err);
int sf_regapi_tags_json(const struct sf_json *o, const char *key, char *out, size_t cap,
			struct sf_error *err);

/* Check that unit id exists and is of one of kinds (NULL-ended; NULL = any
 * kind); fills *out. SF_EINVAL naming field otherwise. */
int sf_regapi_unit(struct sf_conn *c, int64_t id, const char *field, const char *const *kinds,
		   struct sf_unit *out, struct sf_error *err);

/* JSON pieces (times: sf_jw_ktime): {id, name} or null when id is 0; an
 * array of the tags; a person's name, masked unless clear; the archive
 * members archived_at, archived_by and archive_reason of a record. */
void sf_regapi_kref(struct sf_jw *w, const char *k, int64_t id, const char *name);
void sf_regapi_ktags(struct sf_jw *w, const char *k, const char *tags);
void sf_regapi_kname(struct sf_jw *w, const char *k, const char *name, bool clear);
void sf_regapi_karchived(struct sf_jw *w, const struct sf_archived *a);

/* Fail the request for a store error: SF_ECONFLICT as 409 "conflict" with
 * msg, SF_ENOTFOUND as 404, anything else as a storage error. */
int sf_regapi_store_fail(struct sf_req *req, int rc, const char *field, const char *msg);

/* Archive (archive true) or restore the row (kind, id): read the JSON body
 * {reason} (required, at most SF_REG_REASON_MAX characters) and, in one
 * write transaction, change the row and append the audit entry "archive"
 * or "restore" (target "kind:id") with the reason. The caller has checked
 * that the row exists and that the person may do it; it answers the
 * request afterwards. Errors (nothing changed): 400 missing_field /
 * too_long naming reason, 409 "archived" (already archived) or
 * "not_archived" (nothing to restore), storage errors. */
int sf_regapi_archive(struct sf_req *req, const char *kind, int64_t id, bool archive);
/* Fail with 409 code naming field: the what (enterprise, ...) other
 * (" (archived)" when archived) already has has ("this name", ...); an
 * archived one is to be restored rather than added again. */
int sf_regapi_duplicate_fail(struct sf_req *req, const char *code, const char *field,
			     const char *what, int64_t other, bool archived, const char *has);
/* Fail with 409 "archived": the what (enterprise, household, ...) id is
 * archived and takes no change until restored. */
int sf_regapi_archived_fail(struct sf_req *req, const char *what, int64_t id);
/* Read ?archived=0|1 into *out (SF_REG_LIVE or SF_REG_ARCHIVED); asking
 * for archived rows is for admin and leaders (403 naming archived). */
int sf_regapi_query_archived(struct sf_req *req, int *out);
/* A link to place_id made or kept by a write: an archived place may stay
 * where it was (old_place_id) but not be newly chosen. SF_EINVAL
 * "archived_reference" naming field; SF_EDB. */
int sf_regapi_place_link(struct sf_conn *c, int64_t place_id, int64_t old_place_id,
			 const char *field, struct sf_error *err);

/* The audited reveal: read the JSON body {reason, field?}, take field (or
 * the only one in fields), and in one write transaction fetch the sealed
 * value of (kind, id), append the audit entry "reveal" with the reason, and
 * commit; then reply {id, field, value}. The caller has checked that the
 * row exists and is in scope. */
int sf_regapi_reveal(struct sf_req *req, const char *kind, int64_t id, const char *const *fields);

/* Households and residents (registers_household.c, registers_resident.c):
 * load a household the person may see (404 otherwise; an archived one only
 * for admin and leaders, or for anyone in scope when any_archived); whether
 * the person may write it (403 out_of_scope naming unit_id); answer with
 * the household and its residents; write one resident (detail adds
 * household_id). */
int sf_regapi_household_load(struct sf_req *req, int64_t id, bool any_archived,
			     struct sf_household *h);
int sf_regapi_household_may_write(struct sf_req *req, const struct sf_household *h);
int sf_regapi_household_reply(struct sf_req *req, int status, const struct sf_household *h);
void sf_regapi_resident_write(struct sf_jw *w, const struct sf_resident *r, bool clear,
			      bool detail);

/* Check and normalise a filled enterprise before it is written: credit
 * code (normalised in place, GB 32100 check), name, industry section and
 * division (GB/T 4754), text caps, that unit_id is a community or village,
 * grid_unit_id a grid or workstation, place_id an existing place. Errors
 * name the JSON field (credit_code, name, ...). */
int sf_regapi_enterprise_check(struct sf_conn *c, struct sf_enterprise *e, struct sf_error *err);
/* The same for a household: address, unit_id (community or village),
 * group_unit_id (a village group under that village), place_id, caps. */
int sf_regapi_household_check(struct sf_conn *c, struct sf_household *h, struct sf_error *err);
/* A pairing: leader (0 or a user of role leader) and liaison (0 or a staff
 * user). Errors name leader_user_id / liaison_user_id. */
int sf_regapi_pairing_check(struct sf_conn *c, int64_t leader, int64_t liaison,
			    struct sf_error *err);

/* Fill a filter from the query string (q, unit_id, leader_id, liaison_id,
 * place_id, above_scale, key_info, paired, section, tag, phone,
 * visited_since, unvisited_since, before), the person's scope first.
 * unit_path and phone_index are the caller's storage the filter points
 * into. Shared by lists and exports. */
int sf_regapi_enterprise_filter(struct sf_req *req, struct sf_enterprise_filter *f,
				char unit_path[128], char phone_index[65]);
/* The same for households (q, unit_id, place_id, tag, phone, id_no,
 * visited_since, unvisited_since, before). */
int sf_regapi_household_filter(struct sf_req *req, struct sf_household_filter *f,
			       char unit_path[128], char phone_index[65], char id_index[65]);

/* Export the rows matching f (scope included) as CSV or .xlsx into out;
 * *rows receives their number. Errors as sf_registers_export. */
int sf_regapi_export_enterprises(struct sf_conn *c, const struct sf_enterprise_filter *f, bool xlsx,
				 struct sf_buf *out, int64_t *rows, struct sf_error *err);
int sf_regapi_export_households(struct sf_conn *c, const struct sf_household_filter *f, bool xlsx,
				struct sf_buf *out, int64_t *rows, struct sf_error *err);
/* Live places of kind (NULL = all) under unit_path (NULL = all) whose name
 * or address holds q (NULL = any); village groups under unit_path. */
int sf_regapi_export_places(struct sf_conn *c, const char *kind, const char *unit_path,
			    const char *q, bool xlsx, struct sf_buf *out, int64_t *rows,
			    struct sf_error *err);
int sf_regapi_export_village_groups(struct sf_conn *c, const char *unit_path, const char *q,
				    bool xlsx, struct sf_buf *out, int64_t *rows,
				    struct sf_error *err);

/* A list's parameters ?limit and ?count=0|1 (*count true when 1). */
int sf_regapi_list_params(struct sf_req *req, int *limit, bool *count);
/* A list's reply: answer 200 and open {"items": [ ... */
void sf_regapi_items_begin(struct sf_req *req, struct sf_jw *w);
/* ... and close the items, then "next": last when the page is full (more
 * may follow), null otherwise; the caller closes the object. */
void sf_regapi_items_next(struct sf_jw *w, bool full, int64_t last);

/* Read ?name=0|1|true|false into *out (-1 when absent). */
int sf_regapi_query_flag(struct sf_req *req, const char *name, int *out);
/* Read ?name=ID of a unit as its path into out ("" when absent). */
int sf_regapi_query_unit_path(struct sf_req *req, const char *name, char *out, size_t cap);

#endif

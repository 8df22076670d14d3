/* The registers over HTTP: enterprises (with credit-code checks, sealed
 * contact phones and bigram search), households and residents, places
 * (buildings, parks, estates) and village groups; the audited reveal of
 * personal data; archiving (soft delete) and restoring, audited with a
 * reason; CSV import (UTF-8 with or without BOM, UTF-16, GBK) with a dry
 * run, and export to CSV and .xlsx, of all four registers. The import and
 * export services are also what `sanfu import` and `sanfu export` run, so
 * both paths apply the same rules. Scope: admin, leader and dispatcher see
 * everything (archived records: admin and leaders); others see the live
 * rows of their unit's subtree, and enterprises they pair or liaise. */
#ifndef SF_API_REGISTERS_H
#define SF_API_REGISTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/app.h"
#include "api/req.h"
#include "util/buf.h"

/* Which register an import or export is about. */
enum sf_register_kind {
	SF_REGISTER_ENTERPRISES,
	SF_REGISTER_HOUSEHOLDS,
	SF_REGISTER_PLACES,
	SF_REGISTER_VILLAGE_GROUPS,
};

/* Parse "enterprises", "households", "places", "village-groups"; false
 * when unknown. */
bool sf_register_kind_parse(const char *s, enum sf_register_kind *out);
/* The name sf_register_kind_parse reads ("village-groups"). */
const char *sf_register_kind_name(enum sf_register_kind kind);

#define SF_IMPORT_MAX_BYTES ((size_t)64 << 20) /* a file given to the CLI */
#define SF_IMPORT_MAX_ROWS 200000              /* data rows of one file */
#define SF_IMPORT_MAX_ERRORS 1000              /* errors listed; all are counted */

/* The outcome of an import or a dry run: a JSON object (kind, dry_run,
 * encoding, rows, inserted, updated, errors[{row, column, field, code,
 * message}], errors_total, ok) written into json, which the caller
 * initialised; and the counts. */
struct sf_import_report {
	struct sf_buf json;
	int64_t rows, inserted, updated, errors;
	bool ok;
};

/* Import text (a CSV file's bytes) into the register as who. Every row is
 * checked first; a dry run stops there; a real run writes all rows in one
 * transaction (upsert by the natural key: credit code, address, place name,
 * village and group name) only when none had an error. A row whose key is
 * an archived record is an error (restore it first). Enterprises and
 * places are imported by admin, leaders and dispatchers; households and
 * village groups by whoever has every row in their area. The report is
 * filled in both cases. Returns 0 when the import (or dry run) found no
 * error; SF_EINVAL "invalid_rows" (or the file's own error:
 * "undecodable_text", "csv_quote", "missing_column", ...) with the first
 * problem in err when it did; SF_ETOOBIG for too many rows or bytes;
 * SF_EFORBIDDEN when who may not import; SF_EDB. Nothing is written unless
 * 0 is returned from a real run. */
int sf_registers_import(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
			enum sf_register_kind kind, const char *text, size_t len, size_t max_bytes,
			bool dry_run, const char *ip, int64_t now, struct sf_import_report *rep,
			struct sf_error *err);

/* Export every live row who may see as CSV (UTF-8 with a byte order mark,
 * CRLF, what Excel opens) or .xlsx into out. Phones and ID numbers are
 * masked; archived records are left out.
 * Errors: SF_ETOOBIG (too many rows for the format or out's cap), SF_EDB,
 * SF_EIO. */
int sf_registers_export(struct sf_app *app, struct sf_conn *c, const struct sf_principal *who,
			enum sf_register_kind kind, bool xlsx, int64_t now, struct sf_buf *out,
			int64_t *rows, struct sf_error *err);

/* HTTP handlers (see routes.c). */
int sf_api_enterprises_list(struct sf_req *req);
int sf_api_enterprises_get(struct sf_req *req);
int sf_api_enterprises_create(struct sf_req *req);
int sf_api_enterprises_update(struct sf_req *req);
int sf_api_enterprises_reveal(struct sf_req *req);
int sf_api_enterprises_archive(struct sf_req *req);
int sf_api_enterprises_restore(struct sf_req *req);
int sf_api_enterprises_import(struct sf_req *req);
int sf_api_enterprises_export(struct sf_req *req);
int sf_api_households_list(struct sf_req *req);
int sf_api_households_get(struct sf_req *req);
int sf_api_households_create(struct sf_req *req);
int sf_api_households_update(struct sf_req *req);
int sf_api_households_reveal(struct sf_req *req);
int sf_api_households_archive(struct sf_req *req);
int sf_api_households_restore(struct sf_req *req);
int sf_api_households_import(struct sf_req *req);
int sf_api_households_export(struct sf_req *req);
int sf_api_residents_create(struct sf_req *req);
int sf_api_residents_get(struct sf_req *req);
int sf_api_residents_update(struct sf_req *req);
int sf_api_residents_reveal(struct sf_req *req);
int sf_api_residents_archive(struct sf_req *req);
int sf_api_residents_restore(struct sf_req *req);
int sf_api_places_list(struct sf_req *req);
int sf_api_places_get(struct sf_req *req);
int sf_api_places_create(struct sf_req *req);
int sf_api_places_update(struct sf_req *req);
int sf_api_places_archive(struct sf_req *req);
int sf_api_places_restore(struct sf_req *req);
int sf_api_places_import(struct sf_req *req);
int sf_api_places_export(struct sf_req *req);
int sf_api_village_groups_list(struct sf_req *req);
int sf_api_village_groups_get(struct sf_req *req);
int sf_api_village_groups_create(struct sf_req *req);
int sf_api_village_groups_update(struct sf_req *req);
int sf_api_village_groups_import(struct sf_req *req);
int sf_api_village_groups_export(struct sf_req *req);

#endif

/* Archiving (soft delete) and restoring register rows; see register.h.
 * An archived row keeps everything it had (history, pairing, visits,
 * orders); lists, search, exports and new visits skip it. Who may archive
 * and the audit entry are the API's. */
#include "store/register.h"

#include <string.h>

/* Set or clear the archive columns of one row: the UPDATE changes nothing
 * when the row is missing or already in the wanted state; tell which. */
static int settle(struct sf_conn *c, int changed, const char *kind, int64_t id)
{
	int64_t n = 0;
	int rc;

	if (changed < 0)
		return changed;
	if (changed > 0)
		return 0;
	if (!strcmp(kind, "enterprise"))
		rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM enterprises WHERE id = ?", "i", id);
	else if (!strcmp(kind, "household"))
		rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM households WHERE id = ?", "i", id);
	else if (!strcmp(kind, "resident"))
		rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM residents WHERE id = ?", "i", id);
	else
		rc = sf_conn_int(c, &n, "SELECT COUNT(*) FROM places WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return n ? SF_ECONFLICT : SF_ENOTFOUND;
}

static int set_archived(struct sf_conn *c, const char *kind, int64_t id, int64_t by,
			const char *reason, int64_t now)
{
	const char *why = reason ? reason : "";

	if (!strcmp(kind, "enterprise"))
		return sf_conn_run(c,
				   "UPDATE enterprises SET archived_at = ?, archived_by = ?, "
				   "archive_reason = ?, updated_at = ?, version = version + 1 "
				   "WHERE id = ? AND archived_at IS NULL",
				   "izsii", now, by, why, now, id);
	if (!strcmp(kind, "household"))
		return sf_conn_run(c,
				   "UPDATE households SET archived_at = ?, archived_by = ?, "
				   "archive_reason = ?, updated_at = ? WHERE id = ? "
				   "AND archived_at IS NULL",
				   "izsii", now, by, why, now, id);
	if (!strcmp(kind, "resident"))
		return sf_conn_run(c,
				   "UPDATE residents SET archived_at = ?, archived_by = ?, "
				   "archive_reason = ? WHERE id = ? AND archived_at IS NULL",
				   "izsi", now, by, why, id);
	return sf_conn_run(
		c,
		"UPDATE places SET archived_at = ?, archived_by = ?, archive_reason = ?, "
		"updated_at = ? WHERE id = ? AND archived_at IS NULL",
		"izsii", now, by, why, now, id);
}

static int clear_archived(struct sf_conn *c, const char *kind, int64_t id, int64_t now)
{
	if (!strcmp(kind, "enterprise"))
		return sf_conn_run(c,
				   "UPDATE enterprises SET archived_at = NULL, archived_by = NULL, "
				   "archive_reason = '', updated_at = ?, version = version + 1 "
				   "WHERE id = ? AND archived_at IS NOT NULL",
				   "ii", now, id);
	if (!strcmp(kind, "household"))
		return sf_conn_run(c,
				   "UPDATE households SET archived_at = NULL, archived_by = NULL, "
				   "archive_reason = '', updated_at = ? WHERE id = ? "
				   "AND archived_at IS NOT NULL",
				   "ii", now, id);
	if (!strcmp(kind, "resident"))
		return sf_conn_run(c,
				   "UPDATE residents SET archived_at = NULL, archived_by = NULL, "
				   "archive_reason = '' WHERE id = ? AND archived_at IS NOT NULL",
				   "i", id);
	return sf_conn_run(c,
			   "UPDATE places SET archived_at = NULL, archived_by = NULL, "
			   "archive_reason = '', updated_at = ? WHERE id = ? "
			   "AND archived_at IS NOT NULL",
			   "ii", now, id);
}

int sf_store_register_archive(struct sf_conn *c, const char *kind, int64_t id, bool archive,
			      int64_t by, const char *reason, int64_t now)
{
	if (!kind || (strcmp(kind, "enterprise") && strcmp(kind, "household") &&
		      strcmp(kind, "resident") && strcmp(kind, "place")))
		return SF_EINVAL;
	return settle(c,
		      archive ? set_archived(c, kind, id, by, reason, now)
			      : clear_archived(c, kind, id, now),
		      kind, id);
}

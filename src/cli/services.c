/* Open311 from the command line: `sanfu services import FILE` loads a
 * catalogue in the shape of GET services plus the service definitions
 * (see docs/open311.md), and `sanfu apikey add|revoke|list` manages the
 * keys clients send with POST requests (shown once, stored hashed). */
#include <stdio.h>
#include <string.h>

#include "api/open311.h"
#include "cli/cli.h"
#include "store/open311.h"
#include "util/crypto.h"
#include "util/json.h"
#include "util/timefmt.h"

#define IMPORT_FILE_MAX ((size_t)4 << 20)

static void print_service(const char *code, const char *name, bool added, void *ctx)
{
	(void)ctx;
	printf("%-8s %-24s %s\n", added ? "added" : "updated", code, name);
}

int sf_cli_services(struct sf_app *app, int argc, char **argv)
{
	struct sf_error err = { 0 };
	struct sf_json *doc = NULL;
	struct sf_conn *c;
	int added = 0, updated = 0;
	int rc;

	if (argc != 3 || strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "usage: sanfu services import FILE.json\n");
		return 2;
	}
	rc = sf_json_load_file(argv[2], IMPORT_FILE_MAX, &doc, &err);
	if (rc)
		return sf_cli_fail(&err);
	c = sf_db_get(app->db);
	rc = sf_o311_import(app, c, NULL, "", doc, sf_time_now(), print_service, NULL, &added,
			    &updated, &err);
	sf_db_put(app->db, c);
	sf_json_free(doc);
	if (rc)
		return sf_cli_fail(&err);
	printf("%d added, %d updated from %s\n", added, updated, argv[2]);
	return 0;
}

static bool key_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static int print_key(const struct sf_o311_key *k, void *ctx)
{
	char created[32], used[32];

	(void)ctx;
	sf_time_iso(k->created_at, created);
	if (k->last_used_at)
		sf_time_iso(k->last_used_at, used);
	else
		snprintf(used, sizeof(used), "never");
	printf("%-24s %-8s requests %-8lld created %-8lld since %s, last used %s\n", k->name,
	       k->revoked_at ? "revoked" : "live", (long long)k->requests, (long long)k->created,
	       created, used);
	return 0;
}

int sf_cli_apikey(struct sf_app *app, int argc, char **argv)
{
	struct sf_conn *c;
	char key[SF_CRYPTO_TOKEN_SIZE], hash[SF_CRYPTO_HEX_SIZE];
	int64_t id;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		c = sf_db_get(app->db);
		rc = sf_store_o311_key_each(c, print_key, NULL);
		sf_db_put(app->db, c);
		if (rc) {
			fprintf(stderr, "sanfu: cannot read the keys\n");
			return 1;
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "add") == 0) {
		if (!key_name_ok(argv[2])) {
			fprintf(stderr,
				"sanfu: a key name is 1 to 63 letters, digits, '_', '.' or '-'\n");
			return 2;
		}
		sf_crypto_token(key, sizeof(key));
		sf_crypto_token_hash(key, hash);
		c = sf_db_get(app->db);
		rc = sf_store_o311_key_add(c, argv[2], hash, sf_time_now(), &id);
		sf_db_put(app->db, c);
		if (rc == SF_ECONFLICT) {
			fprintf(stderr,
				"sanfu: an Open311 key named '%s' exists (names are not reused)\n",
				argv[2]);
			return 1;
		}
		if (rc) {
			fprintf(stderr, "sanfu: cannot store the key\n");
			return 1;
		}
		printf("%s\n", key);
		fprintf(stderr,
			"Open311 api_key '%s' is shown only now; the client sends it as the "
			"api_key field of POST requests.\n",
			argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
		c = sf_db_get(app->db);
		rc = sf_store_o311_key_revoke(c, argv[2], sf_time_now());
		sf_db_put(app->db, c);
		if (rc == SF_ENOTFOUND) {
			fprintf(stderr, "sanfu: no live Open311 key named '%s'\n", argv[2]);
			return 1;
		}
		if (rc) {
			fprintf(stderr, "sanfu: cannot revoke the key\n");
			return 1;
		}
		printf("revoked %s\n", argv[2]);
		return 0;
	}
	fprintf(stderr,
		"usage: sanfu apikey add NAME | sanfu apikey revoke NAME | sanfu apikey list\n");
	return 2;
}

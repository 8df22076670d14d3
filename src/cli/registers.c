/* `sanfu import` and `sanfu export` of the registers (enterprises,
 * households, places, village groups): the same services as the API
 * (api/registers.h), run as the operator with every row in scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registers.h"
#include "cli/cli.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/timefmt.h"

/* The operator at the console: an administrator of everything. */
static void operator_principal(struct sf_principal *who, const char *name)
{
	memset(who, 0, sizeof(*who));
	who->role = SF_ROLE_ADMIN;
	snprintf(who->unit_path, sizeof(who->unit_path), "/");
	snprintf(who->login, sizeof(who->login), "console");
	snprintf(who->name, sizeof(who->name), "%s", name);
}

static bool has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], flag))
			return true;
	return false;
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sf_buf b;
	char chunk[65536];
	size_t n;

	*out = NULL;
	if (!f) {
		fprintf(stderr, "sanfu: cannot open %s\n", path);
		return 1;
	}
	sf_buf_init(&b, SF_IMPORT_MAX_BYTES + 1);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && sf_buf_ok(&b))
		sf_buf_add(&b, chunk, n);
	fclose(f);
	if (!sf_buf_ok(&b)) {
		sf_buf_release(&b);
		fprintf(stderr, "sanfu: %s is larger than %zu bytes\n", path,
			(size_t)SF_IMPORT_MAX_BYTES);
		return 1;
	}
	*out = sf_buf_detach(&b, len);
	return 0;
}

int sf_cli_import(struct sf_app *app, int argc, char **argv)
{
	enum sf_register_kind kind;
	struct sf_principal who;
	struct sf_import_report rep;
	struct sf_error err = { 0 };
	bool dry = has_flag(argc, argv, "--dry-run"), json = has_flag(argc, argv, "--json");
	const char *path = NULL;
	struct sf_conn *c;
	char *text = NULL;
	size_t len = 0;
	int rc;

	for (int i = 2; i < argc; i++)
		if (argv[i][0] != '-')
			path = argv[i];
	if (argc < 3 || !sf_register_kind_parse(argv[1], &kind) || !path) {
		fprintf(stderr, "usage: sanfu import enterprises|households|places|village-groups "
				"FILE.csv [--dry-run] [--json]\n");
		return 2;
	}
	if (read_file(path, &text, &len))
		return 1;
	operator_principal(&who, "sanfu import");
	memset(&rep, 0, sizeof(rep));
	sf_buf_init(&rep.json, 8u << 20);
	c = sf_db_get(app->db);
	rc = sf_registers_import(app, c, &who, kind, text, len, SF_IMPORT_MAX_BYTES, dry, "console",
				 sf_time_now(), &rep, &err);
	sf_db_put(app->db, c);
	free(text);
	if (json && rep.json.len) {
		printf("%s\n", rep.json.data);
	} else if (rep.json.len) {
		printf("%s%s: %lld rows, %lld %s, %lld %s, %lld error%s\n", dry ? "dry run: " : "",
		       path, (long long)rep.rows, (long long)rep.inserted,
		       dry ? "to insert" : "inserted", (long long)rep.updated,
		       dry ? "to update" : "updated", (long long)rep.errors,
		       rep.errors == 1 ? "" : "s");
	}
	sf_buf_release(&rep.json);
	if (rc) {
		if (!json)
			sf_cli_fail(&err);
		if (!json && rep.errors > 1)
			fprintf(stderr, "sanfu: run with --dry-run --json to see every bad row\n");
		return 1;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int sf_cli_export(struct sf_app *app, int argc, char **argv)
{
	enum sf_register_kind kind;
	struct sf_principal who;
	struct sf_error err = { 0 };
	struct sf_buf out;
	struct sf_conn *c;
	int64_t rows = 0;
	bool xlsx;
	FILE *f;
	char tmp[1100];
	int rc;

	if (argc != 3 || !sf_register_kind_parse(argv[1], &kind) ||
	    !(ends_with(argv[2], ".xlsx") || ends_with(argv[2], ".csv"))) {
		fprintf(stderr, "usage: sanfu export enterprises|households|places|village-groups "
				"FILE.xlsx|FILE.csv\n");
		return 2;
	}
	if (strlen(argv[2]) > 1000) {
		fprintf(stderr, "sanfu: the file name is too long\n");
		return 2;
	}
	xlsx = ends_with(argv[2], ".xlsx");
	operator_principal(&who, "sanfu export");
	sf_buf_init(&out, (size_t)2 << 30);
	c = sf_db_get(app->db);
	rc = sf_registers_export(app, c, &who, kind, xlsx, sf_time_now(), &out, &rows, &err);
	sf_db_put(app->db, c);
	if (rc) {
		sf_buf_release(&out);
		return sf_cli_fail(&err);
	}
	/* write beside the target and rename, so a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	f = fopen(tmp, "wb");
	if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0 ||
	    rename(tmp, argv[2]) != 0) {
		fprintf(stderr, "sanfu: cannot write %s\n", argv[2]);
		remove(tmp);
		sf_buf_release(&out);
		return 1;
	}
	sf_buf_release(&out);
	printf("exported %lld %s to %s\n", (long long)rows, sf_register_kind_name(kind), argv[2]);
	return 0;
}

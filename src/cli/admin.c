/* Operator commands: init, migrate, user, token, backup, audit verify,
 * calendar import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "api/scan.h"
#include "cli/cli.h"
#include "domain/role.h"
#include "store/audit.h"
#include "store/chain.h"
#include "store/schema.h"
#include "store/unit.h"
#include "store/user.h"
#include "util/crypto.h"
#include "util/timefmt.h"

int sf_cli_fail(const struct sf_error *err)
{
	fprintf(stderr, "sanfu: %s%s%s%s\n", err->message[0] ? err->message : sf_err_name(err->rc),
		err->field[0] ? " [" : "", err->field[0] ? err->field : "",
		err->field[0] ? "]" : "");
	return 1;
}

static int dbfail(struct sf_conn *c, const char *what)
{
	fprintf(stderr, "sanfu: %s: %s\n", what, sf_conn_errmsg(c));
	return 1;
}

int sf_cli_init(struct sf_app *app, int argc, char **argv)
{
	int64_t v = 0;
	struct sf_conn *c = sf_db_get(app->db);

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "sanfu init: unexpected argument '%s'\n", argv[1]);
		sf_db_put(app->db, c);
		return 2;
	}
	sf_schema_version(c, &v);
	sf_db_put(app->db, c);
	printf("database %s ready (schema version %lld); no demo data.\n"
	       "Add the first administrator with: sanfu user add LOGIN --name NAME --role admin\n",
	       app->cfg.db, (long long)v);
	return 0;
}

int sf_cli_migrate(struct sf_app *app, int argc, char **argv)
{
	int64_t v = 0;
	struct sf_conn *c = sf_db_get(app->db);

	(void)argc;
	(void)argv;
	sf_schema_version(c, &v);
	sf_db_put(app->db, c);
	printf("schema version %lld\n", (long long)v);
	return 0;
}

static int read_password(const char *prompt, char *out, size_t cap)
{
	const char *env = getenv("SANFU_PASSWORD");
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (env && *env) {
		snprintf(out, cap, "%s", env);
		return 0;
	}
	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(out, (int)cap, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return n ? 0 : -1;
}

static const char *opt(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], name) && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	}
	return NULL;
}

static bool password_ok(const char *pw)
{
	bool letter = false, digit = false;

	for (const char *p = pw; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			letter = true;
		if (*p >= '0' && *p <= '9')
			digit = true;
	}
	return strlen(pw) >= 8 && letter && digit;
}

static int print_user(const struct sf_user *u, void *ctx)
{
	(void)ctx;
	printf("%-20s %-12s %-10s %-24s %s\n", u->login, u->name, sf_role_name(u->role),
	       u->unit_name[0] ? u->unit_name : "-", u->disabled ? "disabled" : "active");
	return 0;
}

static int user_add(struct sf_app *app, int argc, char **argv)
{
	struct sf_user u;
	const char *name = opt(argc, argv, "--name");
	const char *role = opt(argc, argv, "--role");
	const char *unit = opt(argc, argv, "--unit");
	const char *title = opt(argc, argv, "--title");
	char pw[256];
	struct sf_conn *c;
	int64_t id = 0;
	int rc;

	memset(&u, 0, sizeof(u));
	if (argc < 3 || argv[2][0] == '-') {
		fprintf(stderr,
			"usage: sanfu user add LOGIN --name NAME --role ROLE [--unit CODE]\n");
		return 2;
	}
	if (strlen(argv[2]) >= sizeof(u.login) || !role || !sf_role_parse(role, &u.role) ||
	    u.role == SF_ROLE_PUBLIC || u.role == SF_ROLE_SYSTEM) {
		fprintf(stderr, "sanfu: --role must be one of admin, leader, dispatcher, dept, "
				"community, grid, operator, enterprise, resident\n");
		return 2;
	}
	snprintf(u.login, sizeof(u.login), "%s", argv[2]);
	snprintf(u.name, sizeof(u.name), "%s", name ? name : argv[2]);
	snprintf(u.title, sizeof(u.title), "%s", title ? title : "");
	if (read_password("password: ", pw, sizeof(pw)) != 0 || !password_ok(pw)) {
		fprintf(stderr, "sanfu: a password needs at least 8 characters with letters and "
				"digits (give it on stdin or in SANFU_PASSWORD)\n");
		return 2;
	}
	if (sf_crypto_password_hash(pw, u.pw_hash) != 0) {
		fprintf(stderr, "sanfu: cannot hash the password\n");
		return 1;
	}
	c = sf_db_get(app->db);
	if (unit) {
		rc = sf_store_unit_id_by_code(c, unit, &u.unit_id);
		if (rc) {
			fprintf(stderr, "sanfu: no unit with code '%s'\n", unit);
			sf_db_put(app->db, c);
			return 2;
		}
	}
	rc = sf_conn_begin(c, true);
	if (!rc)
		rc = sf_store_user_insert(c, &u, NULL, NULL, sf_time_now(), &id);
	if (!rc) {
		struct sf_audit_entry ae = { .at = sf_time_now(),
					     .actor_name = "sanfu user add",
					     .action = "user_add",
					     .target = u.login };
		rc = sf_store_audit_append(c, &ae);
	}
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		if (rc == SF_ECONFLICT)
			fprintf(stderr, "sanfu: login '%s' is taken\n", u.login);
		else
			dbfail(c, "cannot add the user");
		sf_db_put(app->db, c);
		return 1;
	}
	sf_db_put(app->db, c);
	printf("added %s (%s, %s), id %lld\n", u.login, u.name, sf_role_name(u.role),
	       (long long)id);
	return 0;
}

static int user_cmd_on(struct sf_app *app, int argc, char **argv, bool passwd)
{
	struct sf_user u;
	struct sf_conn *c;
	char pw[256];
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: sanfu user %s LOGIN\n", passwd ? "passwd" : argv[1]);
		return 2;
	}
	c = sf_db_get(app->db);
	rc = sf_store_user_by_login(c, argv[2], &u);
	if (rc) {
		fprintf(stderr, "sanfu: no user '%s'\n", argv[2]);
		sf_db_put(app->db, c);
		return 1;
	}
	if (passwd) {
		if (read_password("new password: ", pw, sizeof(pw)) != 0 || !password_ok(pw)) {
			fprintf(stderr,
				"sanfu: a password needs at least 8 characters with letters "
				"and digits\n");
			sf_db_put(app->db, c);
			return 2;
		}
		sf_crypto_password_hash(pw, u.pw_hash);
		rc = sf_conn_begin(c, true);
		if (!rc)
			rc = sf_store_user_set_password(c, u.id, u.pw_hash, sf_time_now());
		/* A new password ends every session made with the old one. */
		if (!rc)
			rc = sf_store_session_delete_user(c, u.id);
	} else {
		rc = sf_conn_begin(c, true);
		if (!rc)
			rc = sf_store_user_set_disabled(c, u.id, !strcmp(argv[1], "disable"),
							sf_time_now());
	}
	if (!rc) {
		struct sf_audit_entry ae = { .at = sf_time_now(),
					     .actor_name = "sanfu user",
					     .action = passwd ? "user_passwd"
						       : !strcmp(argv[1], "disable")
							       ? "user_disable"
							       : "user_enable",
					     .target = u.login };
		rc = sf_store_audit_append(c, &ae);
	}
	if (!rc)
		rc = sf_conn_commit(c);
	if (rc) {
		dbfail(c, "cannot change the user");
		sf_db_put(app->db, c);
		return 1;
	}
	sf_db_put(app->db, c);
	printf("%s: %s\n", u.login,
	       passwd                       ? "password changed"
	       : strcmp(argv[1], "disable") ? "enabled"
					    : "disabled");
	return 0;
}

int sf_cli_user(struct sf_app *app, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return user_add(app, argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "passwd"))
		return user_cmd_on(app, argc, argv, true);
	if (argc >= 2 && (!strcmp(argv[1], "disable") || !strcmp(argv[1], "enable")))
		return user_cmd_on(app, argc, argv, false);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		struct sf_conn *c = sf_db_get(app->db);
		int rc;

		printf("%-20s %-12s %-10s %-24s %s\n", "LOGIN", "NAME", "ROLE", "UNIT", "STATE");
		rc = sf_store_user_each(c, NULL, print_user, NULL);
		sf_db_put(app->db, c);
		return rc ? 1 : 0;
	}
	fprintf(stderr, "usage: sanfu user add|passwd|list|disable|enable ...\n");
	return 2;
}

int sf_cli_token(struct sf_app *app, int argc, char **argv)
{
	struct sf_conn *c;
	struct sf_user u;
	char token[SF_CRYPTO_TOKEN_SIZE], hash[SF_CRYPTO_HEX_SIZE];
	const char *as = opt(argc, argv, "--user");
	int rc;

	if (argc >= 3 && !strcmp(argv[1], "add")) {
		if (!as) {
			fprintf(stderr, "usage: sanfu token add NAME --user LOGIN\n");
			return 2;
		}
		c = sf_db_get(app->db);
		rc = sf_store_user_by_login(c, as, &u);
		if (rc) {
			fprintf(stderr, "sanfu: no user '%s'\n", as);
			sf_db_put(app->db, c);
			return 1;
		}
		sf_crypto_token(token, sizeof(token));
		sf_crypto_token_hash(token, hash);
		rc = sf_store_token_create(c, argv[2], u.id, hash, sf_time_now());
		sf_db_put(app->db, c);
		if (rc == SF_ECONFLICT) {
			fprintf(stderr, "sanfu: a token named '%s' exists\n", argv[2]);
			return 1;
		}
		if (rc) {
			fprintf(stderr, "sanfu: cannot store the token\n");
			return 1;
		}
		printf("%s\n", token);
		fprintf(stderr,
			"token '%s' acts as %s; it is shown only now. Send it as "
			"'Authorization: Bearer TOKEN'.\n",
			argv[2], u.login);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "revoke")) {
		c = sf_db_get(app->db);
		rc = sf_store_token_revoke(c, argv[2], sf_time_now());
		sf_db_put(app->db, c);
		if (rc) {
			fprintf(stderr, "sanfu: no live token named '%s'\n", argv[2]);
			return 1;
		}
		printf("revoked %s\n", argv[2]);
		return 0;
	}
	fprintf(stderr, "usage: sanfu token add NAME --user LOGIN | sanfu token revoke NAME\n");
	return 2;
}

int sf_cli_backup(struct sf_app *app, int argc, char **argv)
{
	struct sf_error err = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: sanfu backup FILE\n");
		return 2;
	}
	if (access(argv[1], F_OK) == 0) {
		fprintf(stderr, "sanfu: %s exists; pick a new file\n", argv[1]);
		return 1;
	}
	if (sf_db_backup(app->db, argv[1], &err) != 0)
		return sf_cli_fail(&err);
	printf("backed up %s to %s\n", app->cfg.db, argv[1]);
	return 0;
}

int sf_cli_audit(struct sf_app *app, int argc, char **argv)
{
	static const char *const chains[] = { "events", "audit" };
	struct sf_conn *c;
	int bad = 0;

	if (argc != 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "usage: sanfu audit verify\n");
		return 2;
	}
	c = sf_db_get(app->db);
	for (size_t i = 0; i < 2; i++) {
		struct sf_chain_report r;
		int rc = sf_store_chain_verify(c, chains[i], &r);

		if (rc) {
			dbfail(c, "cannot read the chain");
			sf_db_put(app->db, c);
			return 1;
		}
		if (r.bad_id) {
			printf("%s: BROKEN at %s %lld: %s\n", chains[i],
			       i == 0 ? "event" : "audit entry", (long long)r.bad_id, r.what);
			bad = 1;
		} else {
			printf("%s: ok, %lld %s verified\n", chains[i], (long long)r.checked,
			       i == 0 ? "events" : "audit entries");
		}
	}
	sf_db_put(app->db, c);
	return bad ? 3 : 0;
}

int sf_cli_calendar(struct sf_app *app, int argc, char **argv)
{
	struct sf_error err = { 0 };
	int year = 0;

	if (argc != 3 || strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "usage: sanfu calendar import FILE.csv\n");
		return 2;
	}
	if (sf_app_import_calendar_file(app, argv[2], &year, &err) != 0)
		return sf_cli_fail(&err);
	printf("calendar %d loaded from %s\n", year, argv[2]);
	return 0;
}

int sf_cli_scan(struct sf_app *app, int argc, char **argv)
{
	struct sf_scan_report rep = { 0 };
	struct sf_error err = { 0 };
	const char *at = opt(argc, argv, "--now");
	int64_t now = sf_time_now();

	if (argc != 1 && !(at && argc == 3)) {
		fprintf(stderr, "usage: sanfu scan [--now ISO-TIME]\n");
		return 2;
	}
	/* --now runs the scan as of another moment: to see what it would do
	 * tomorrow, or to catch up after the server was down. */
	if (at && sf_time_parse_iso(at, &now) != 0) {
		fprintf(stderr, "sanfu: --now must be an ISO 8601 time with offset, e.g. "
				"2026-12-01T09:00:00+08:00\n");
		return 2;
	}
	if (sf_scan_run(app, now, &rep, &err) != 0)
		return sf_cli_fail(&err);
	printf("checked %d open orders: %d warned, %d overdue, %d escalated, %d problem orders\n",
	       rep.checked, rep.warned, rep.overdue, rep.escalated, rep.problems);
	return 0;
}

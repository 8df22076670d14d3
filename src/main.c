/* sanfu: the one binary. Picks the subcommand, reads the configuration,
 * opens the application when the command needs the database, and runs it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Sanfu %s - 三服务 work orders, registers and scores for a sub-district\n\n"
		"usage: sanfu COMMAND [options]\n\ncommands:\n",
		SF_VERSION);
	for (const struct sf_cli_cmd *c = sf_cli_cmds; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\n'sanfu COMMAND --help' tells more; 'sanfu --version' the version.\n");
}

int main(int argc, char **argv)
{
	const struct sf_cli_cmd *cmd = NULL;
	struct sf_app app;
	struct sf_error err = { 0 };
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("sanfu %s\n", SF_VERSION);
		return 0;
	}
	for (const struct sf_cli_cmd *c = sf_cli_cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			cmd = c;
	if (!cmd) {
		fprintf(stderr, "sanfu: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s", cmd->usage);
			sf_cli_config_help();
			return 0;
		}
	}
	memset(&app, 0, sizeof(app));
	rc = sf_cli_config(&app.cfg, &argc, argv, &err);
	if (rc)
		return sf_cli_fail(&err);
	if (cmd->open_db) {
		rc = sf_app_open(&app, &err);
		if (rc) {
			sf_app_close(&app);
			return sf_cli_fail(&err);
		}
	}
	rc = cmd->run(&app, argc, argv);
	if (cmd->open_db)
		sf_app_close(&app);
	return rc;
}

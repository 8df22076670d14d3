/* The subcommands of the sanfu binary. Each takes the opened application
 * (or none, when it needs no database) and its own arguments, prints what it
 * did, and returns a process exit code. */
#ifndef SF_CLI_H
#define SF_CLI_H

#include <stdbool.h>

#include "api/app.h"

struct sf_cli_cmd {
	const char *name;
	const char *summary;
	const char *usage; /* full --help text */
	int (*run)(struct sf_app *app, int argc, char **argv);
	bool open_db; /* main opens the database (and migrates) first */
};

/* The command table, ended by a NULL name. */
extern const struct sf_cli_cmd sf_cli_cmds[];

int sf_cli_serve(struct sf_app *app, int argc, char **argv);
int sf_cli_init(struct sf_app *app, int argc, char **argv);
int sf_cli_migrate(struct sf_app *app, int argc, char **argv);
int sf_cli_user(struct sf_app *app, int argc, char **argv);
int sf_cli_token(struct sf_app *app, int argc, char **argv);
int sf_cli_backup(struct sf_app *app, int argc, char **argv);
int sf_cli_audit(struct sf_app *app, int argc, char **argv);
int sf_cli_calendar(struct sf_app *app, int argc, char **argv);
int sf_cli_scan(struct sf_app *app, int argc, char **argv);
int sf_cli_seed_demo(struct sf_app *app, int argc, char **argv);
int sf_cli_gen(struct sf_app *app, int argc, char **argv);
int sf_cli_import(struct sf_app *app, int argc, char **argv);
int sf_cli_export(struct sf_app *app, int argc, char **argv);
/* Load the demo's registers and visit work (data/demo/registers.json) on a
 * database seed-demo has filled with cangqian.json; prints a summary line.
 * Errors: SF_ECONFLICT when enterprises exist, SF_EINVAL for a bad file,
 * SF_EDB; what a visit or order service returned. */
int sf_demo_registers(struct sf_app *app, struct sf_error *err);
int sf_cli_services(struct sf_app *app, int argc, char **argv);
int sf_cli_apikey(struct sf_app *app, int argc, char **argv);
int sf_cli_copy_db(struct sf_app *app, int argc, char **argv);

/* Print err as "sanfu: message" on stderr and return exit code 1. */
int sf_cli_fail(const struct sf_error *err);

#endif

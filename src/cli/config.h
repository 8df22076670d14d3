/* Configuration from a file, SANFU_* environment variables and flags, in
 * that order of strength (flags win). Keys are documented in
 * docs/configuration.md. */
#ifndef SF_CLI_CONFIG_H
#define SF_CLI_CONFIG_H

#include "api/app.h"

/* Fill cfg: defaults, then the file named by --config or SANFU_CONFIG, then
 * the environment, then flags. Recognised flags are removed from argv;
 * the rest (subcommand arguments) stay in order. Errors: SF_EINVAL naming
 * the key, SF_EIO when the file cannot be read. */
int sf_cli_config(struct sf_config *cfg, int *argc, char **argv, struct sf_error *err);
/* Print the recognised keys and flags (for --help). */
void sf_cli_config_help(void);

#endif

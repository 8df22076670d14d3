/* The table of subcommands with their help texts. */
#include "cli/cli.h"

const struct sf_cli_cmd sf_cli_cmds[] = {
	{ "serve", "run the HTTP server (API, console, portal, Open311)",
	  "usage: sanfu serve [--listen HOST:PORT] [--db DB] [--config FILE]\n"
	  "Serves until SIGTERM or SIGINT, then finishes requests in flight. Applies\n"
	  "migrations first and runs the deadline scan every scan_interval seconds.\n",
	  sf_cli_serve, true },
	{ "init", "create an empty database (no demo data)",
	  "usage: sanfu init [--db DB]\nCreates the database, its schema and the shipped calendar.\n",
	  sf_cli_init, true },
	{ "migrate", "apply pending schema migrations",
	  "usage: sanfu migrate [--db DB]\nApplies every migration not yet applied and prints "
	  "the schema version.\n",
	  sf_cli_migrate, true },
	{ "user", "add, list, disable users, set passwords",
	  "usage: sanfu user add LOGIN --name NAME --role ROLE [--unit CODE] [--title TITLE]\n"
	  "       sanfu user passwd LOGIN\n"
	  "       sanfu user list\n"
	  "       sanfu user disable|enable LOGIN\n"
	  "The password is read from stdin (or SANFU_PASSWORD). Roles: admin, leader,\n"
	  "dispatcher, dept, community, grid, operator, enterprise, resident.\n",
	  sf_cli_user, true },
	{ "token", "add or revoke API tokens for machines",
	  "usage: sanfu token add NAME --user LOGIN   (prints the token once)\n"
	  "       sanfu token revoke NAME\n",
	  sf_cli_token, true },
	{ "backup", "copy the SQLite database safely while serving",
	  "usage: sanfu backup FILE\nUses SQLite's online backup; FILE must not exist.\n",
	  sf_cli_backup, true },
	{ "scan", "run the deadline scan once",
	  "usage: sanfu scan [--db DB] [--now ISO-TIME]\nWarns, marks breaches, escalates, flags "
	  "problem orders; --now scans as of another moment.\n",
	  sf_cli_scan, true },
	{ "audit", "verify the hash chains of the event and audit logs",
	  "usage: sanfu audit verify\nExit status 3 and the first bad row when history was "
	  "changed.\n",
	  sf_cli_audit, true },
	{ "calendar", "load a year of holidays and make-up working days",
	  "usage: sanfu calendar import FILE.csv\nFormat: data/calendar/README.md.\n",
	  sf_cli_calendar, true },
	{ "import", "import a register (enterprises, households, places, village groups) from CSV",
	  "usage: sanfu import enterprises|households|places|village-groups FILE.csv [--dry-run] "
	  "[--json]\n"
	  "The file is CSV as Excel saves it: UTF-8 (with or without BOM) or GBK. Every row\n"
	  "is checked first; a dry run stops there and reports every bad row and field.\n"
	  "A real run writes all rows in one transaction, or none when any row is bad;\n"
	  "rows are matched by credit code (enterprises), address (households), name\n"
	  "(places) or village and name (village groups); archived records are refused.\n"
	  "Columns: docs/registers.md.\n",
	  sf_cli_import, true },
	{ "export", "export a register to .xlsx or CSV",
	  "usage: sanfu export enterprises|households|places|village-groups FILE.xlsx|FILE.csv\n"
	  "Phones and ID numbers are masked, archived records left out; the file can be\n"
	  "imported again.\n",
	  sf_cli_export, true },
	{ "seed-demo", "load the Cangqian demo data and print the demo logins",
	  "usage: sanfu seed-demo [--db DB]\nOnly on a database without orders.\n",
	  sf_cli_seed_demo, true },
	{ "gen", "add generated work orders to a demo database, for benchmarks",
	  "usage: sanfu gen --orders N [--seed S] [--days D] [--batch B] [--db DB]\n"
	  "Adds N orders (10000, 100k, 1M...) spread over the last D days (default 1095)\n"
	  "to a database the demo was loaded into (sanfu seed-demo): Chinese text by\n"
	  "category, areas, requesters and whole timelines cut at now, with hash-chained\n"
	  "events and search terms. On SQLite the whole load is one transaction (an\n"
	  "error leaves the database as it was); on PostgreSQL B orders go in each\n"
	  "(default 50000). The same seed gives the same orders. Stop the server\n"
	  "first. See bench/README.md.\n",
	  sf_cli_gen, true },
	{ "services", "import an Open311 service catalogue (with attributes)",
	  "usage: sanfu services import FILE.json\n"
	  "FILE is an array of services in the shape of Open311 GET services, each\n"
	  "optionally with \"attributes\" as in a service definition (docs/open311.md).\n"
	  "Existing codes are updated in place; the file's order becomes the catalogue's.\n",
	  sf_cli_services, true },
	{ "apikey", "add, revoke or list Open311 API keys",
	  "usage: sanfu apikey add NAME      (prints the key once; stored hashed)\n"
	  "       sanfu apikey revoke NAME\n"
	  "       sanfu apikey list\n",
	  sf_cli_apikey, true },
	{ "copy-db", "copy a database to another engine and verify the copy",
	  "usage: sanfu copy-db --from sqlite:FILE --to postgres://USER@HOST/DB\n"
	  "Copies every table (history and hash chains included) into the migrated\n"
	  "target, replacing what it holds, then compares every table and verifies\n"
	  "the hash chains. Stop the servers first.\n",
	  sf_cli_copy_db, false },
	{ NULL, NULL, NULL, NULL, false },
};

/* Configuration loading; see config.h. */
#include "cli/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ktype { K_STR, K_SIZE, K_INT, K_BOOL };

static const struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t size;
	const char *help;
} keys[] = {
#define S(f, h)                                                                                 \
	{                                                                                       \
#f, K_STR, offsetof(struct sf_config, f), sizeof(((struct sf_config *)0)->f), h \
	}
#define Z(f, h)                                                 \
	{                                                       \
#f, K_SIZE, offsetof(struct sf_config, f), 0, h \
	}
#define I(f, h)                                                \
	{                                                      \
#f, K_INT, offsetof(struct sf_config, f), 0, h \
	}
#define B(f, h)                                                 \
	{                                                       \
#f, K_BOOL, offsetof(struct sf_config, f), 0, h \
	}
	S(listen, "address to serve on, HOST:PORT (default 127.0.0.1:8080)"),
	S(db, "database: a SQLite path, sqlite:PATH or postgres://... (default var/sanfu.db)"),
	S(data_dir, "shipped data: calendar, demo, openapi.json (default data)"),
	S(web_dir, "console and portal files (default web)"),
	S(key_file, "sealing key for personal data (default DB path + .key)"),
	S(jurisdiction, "Open311 jurisdiction_id to require (default: not checked)"),
	S(public_url, "base URL people reach the server at, for links"),
	Z(body_max, "largest JSON body in bytes (default 1048576)"),
	Z(upload_max, "largest photo upload in bytes (default 8388608)"),
	I(threads, "worker threads (default: one per core)"),
	I(conn_timeout, "seconds an idle connection is kept (default 30)"),
	I(session_ttl, "seconds a session lives at most (default 43200)"),
	I(session_idle, "seconds of inactivity that end a session (default 7200)"),
	I(lockout_attempts, "failed sign-ins before a lockout (default 5)"),
	I(lockout_secs, "seconds an account stays locked (default 900)"),
	I(scan_interval, "seconds between deadline scans, 0 = off (default 60)"),
	I(public_rate, "portal submissions per IP per hour (default 10)"),
	B(secure_cookie, "mark the session cookie Secure (behind HTTPS)"),
	B(trust_proxy, "behind nginx: the client address is X-Forwarded-For's last hop"),
	B(log_requests, "one JSON log line per request (default true)"),
	B(fast_hash, "cheap password hashing, for tests only"),
#undef S
#undef Z
#undef I
#undef B
};

static const struct key *find_key(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *k = keys[i].name;
		size_t j;

		if (strlen(k) != n)
			continue;
		for (j = 0; j < n; j++) {
			char a = name[j] == '-' ? '_' : (char)tolower((unsigned char)name[j]);
			if (a != k[j])
				break;
		}
		if (j == n)
			return &keys[i];
	}
	return NULL;
}

static int set_key(struct sf_config *cfg, const struct key *k, const char *val, const char *from,
		   struct sf_error *err)
{
	char *p = (char *)cfg + k->off;
	char *end = NULL;

	switch (k->type) {
	case K_STR:
		if (strlen(val) >= k->size)
			return sf_error_set(err, SF_EINVAL, "invalid_config", k->name,
					    "%s: %s is too long", from, k->name);
		memcpy(p, val, strlen(val) + 1);
		return 0;
	case K_SIZE: {
		unsigned long long v;

		errno = 0;
		v = strtoull(val, &end, 10);
		/* strtoull quietly wraps "-5" into a huge number */
		if (errno || end == val || *end || v == 0 || strchr(val, '-'))
			goto bad;
		*(size_t *)(void *)p = (size_t)v;
		return 0;
	}
	case K_INT: {
		long v;

		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < 0 || v > 100000000)
			goto bad;
		*(int *)(void *)p = (int)v;
		return 0;
	}
	case K_BOOL:
		if (!strcmp(val, "1") || !strcmp(val, "true") || !strcmp(val, "yes") ||
		    !strcmp(val, "on"))
			*(bool *)(void *)p = true;
		else if (!strcmp(val, "0") || !strcmp(val, "false") || !strcmp(val, "no") ||
			 !strcmp(val, "off"))
			*(bool *)(void *)p = false;
		else
			goto bad;
		return 0;
	}
bad:
	return sf_error_set(err, SF_EINVAL, "invalid_config", k->name, "%s: bad value for %s: '%s'",
			    from, k->name, val);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (e - s >= 2 && ((*s == '"' && e[-1] == '"') || (*s == '\'' && e[-1] == '\''))) {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static int load_file(struct sf_config *cfg, const char *path, struct sf_error *err)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int lineno = 0;
	int rc = 0;

	if (!f)
		return sf_error_set(err, SF_EIO, "config_unreadable", "config",
				    "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;
		const struct key *k;
		char where[1100];

		lineno++;
		if (!*s || *s == '#' || *s == ';' || *s == '[')
			continue;
		eq = strchr(s, '=');
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (!eq) {
			rc = sf_error_set(err, SF_EINVAL, "invalid_config", "config",
					  "%s: expected key = value", where);
			break;
		}
		*eq = '\0';
		{
			char *name = trim(s);

			k = find_key(name, strlen(name));
			if (!k) {
				rc = sf_error_set(err, SF_EINVAL, "invalid_config", name,
						  "%s: unknown key '%s'", where, name);
				break;
			}
		}
		rc = set_key(cfg, k, trim(eq + 1), where, err);
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

int sf_cli_config(struct sf_config *cfg, int *argc, char **argv, struct sf_error *err)
{
	const char *file = getenv("SANFU_CONFIG");
	int out = 1;
	int rc;

	sf_config_defaults(cfg);
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < *argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
	}
	if (file && *file) {
		rc = load_file(cfg, file, err);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char env[64];
		const char *v;
		size_t j;

		snprintf(env, sizeof(env), "SANFU_%s", keys[i].name);
		for (j = 6; env[j]; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		v = getenv(env);
		if (v && *v) {
			rc = set_key(cfg, &keys[i], v, env, err);
			if (rc)
				return rc;
		}
	}
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *eq;
		const struct key *k;

		if (!strcmp(a, "--config")) {
			i++;
			continue;
		}
		if (!strncmp(a, "--config=", 9))
			continue;
		if (strncmp(a, "--", 2) != 0 || !a[2]) {
			argv[out++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		k = find_key(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!k) {
			argv[out++] = argv[i];
			continue;
		}
		if (eq) {
			rc = set_key(cfg, k, eq + 1, a, err);
		} else if (k->type == K_BOOL) {
			rc = set_key(cfg, k, "true", a, err);
		} else if (i + 1 < *argc) {
			rc = set_key(cfg, k, argv[++i], a, err);
		} else {
			rc = sf_error_set(err, SF_EINVAL, "invalid_config", k->name,
					  "%s needs a value", a);
		}
		if (rc)
			return rc;
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

void sf_cli_config_help(void)
{
	printf("\nSettings (file key = value, env SANFU_KEY, flag --key VALUE; flags win):\n");
	printf("  --config FILE         read settings from FILE (or SANFU_CONFIG)\n");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char flag[40];
		size_t j;

		snprintf(flag, sizeof(flag), "--%s", keys[i].name);
		for (j = 2; flag[j]; j++)
			if (flag[j] == '_')
				flag[j] = '-';
		printf("  %-21s %s\n", flag, keys[i].help);
	}
}

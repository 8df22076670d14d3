/* Static file lookup; see static.h. Paths with "..", backslashes or NUL
 * never reach the file system. */
#include "http/static.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static bool safe(const char *url)
{
	if (url[0] != '/' || strstr(url, "..") || strchr(url, '\\') || strstr(url, "//"))
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p < 0x20)
			return false;
	return true;
}

static int try_open(const char *path, struct sf_static_reply *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return SF_ENOTFOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SF_ENOTFOUND;
	}
	out->fd = fd;
	out->size = st.st_size;
	out->type = type_of(path);
	out->cache = strstr(path, ".html") ? "no-cache" : "public, max-age=300";
	return 0;
}

int sf_static_open(const char *web_dir, const char *url, struct sf_static_reply *out)
{
	char path[1024];
	int n;

	if (!safe(url))
		return SF_ENOTFOUND;
	if (strncmp(url, "/vendor/echarts", 15) == 0) {
		/* ECharts comes from npm, installed beside web/ by the setup script. */
		n = snprintf(path, sizeof(path), "%s/../node_modules/echarts/dist%s", web_dir,
			     url + 15);
		if (n > 0 && (size_t)n < sizeof(path) && try_open(path, out) == 0)
			return 0;
		return SF_ENOTFOUND;
	}
	if (strcmp(url, "/") == 0 || strncmp(url, "/app/", 5) == 0 || strcmp(url, "/app") == 0)
		url = "/index.html";
	else if (strcmp(url, "/portal") == 0 || strcmp(url, "/portal/") == 0 ||
		 strncmp(url, "/portal/t/", 10) == 0)
		url = "/portal/index.html";
	n = snprintf(path, sizeof(path), "%s%s", web_dir, url);
	if (n < 0 || (size_t)n >= sizeof(path))
		return SF_ENOTFOUND;
	return try_open(path, out);
}

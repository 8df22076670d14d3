/* Static files of the console and portal (web/) and the browser packages
 * installed by npm (node_modules/), with traversal refused. */
#ifndef SF_STATIC_H
#define SF_STATIC_H

#include <sys/types.h>

struct sf_static_reply {
	int fd;
	off_t size;
	const char *type;
	const char *cache;
};

/* Open the file for url under web_dir: "/" is the console, "/portal/" the
 * public portal, "/vendor/echarts.min.js" the npm-installed ECharts.
 * Returns 0 with an open fd (the caller hands it to the response), or
 * SF_ENOTFOUND. */
int sf_static_open(const char *web_dir, const char *url, struct sf_static_reply *out);

#endif

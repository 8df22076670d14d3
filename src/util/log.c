/* JSON-lines logging to stderr; see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/jw.h"
#include "util/timefmt.h"

static atomic_int level = SF_LOG_INFO;

void sf_log_set_level(enum sf_log_level lvl)
{
	atomic_store(&level, lvl);
}

void sf_log_json_line(const char *json, size_t len)
{
	struct sf_buf b;

	sf_buf_init(&b, 0);
	sf_buf_add(&b, json, len);
	sf_buf_addch(&b, '\n');
	/* One write per line so lines from threads do not interleave. */
	if (write(STDERR_FILENO, b.data, b.len) < 0) {
		/* nowhere left to report it */
	}
	sf_buf_release(&b);
}

void sf_log(enum sf_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	struct sf_buf msg, line;
	struct sf_jw w;
	char ts[32];
	va_list ap;

	if ((int)lvl < atomic_load(&level))
		return;
	sf_buf_init(&msg, 8192);
	va_start(ap, fmt);
	sf_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	sf_buf_init(&line, 0);
	sf_jw_init(&w, &line);
	sf_time_iso(sf_time_now(), ts);
	sf_jw_obj_begin(&w);
	sf_jw_kstr(&w, "ts", ts);
	sf_jw_kstr(&w, "level", names[lvl]);
	sf_jw_kstr(&w, "msg", msg.data);
	sf_jw_obj_end(&w);
	sf_log_json_line(line.data, line.len);
	sf_buf_release(&line);
	sf_buf_release(&msg);
}

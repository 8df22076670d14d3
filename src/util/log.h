/* Logging: one JSON object per line on stderr. The only mutable global in
 * Sanfu is the log level. */
#ifndef SF_LOG_H
#define SF_LOG_H

#include <stddef.h>

enum sf_log_level { SF_LOG_DEBUG, SF_LOG_INFO, SF_LOG_WARN, SF_LOG_ERROR };

void sf_log_set_level(enum sf_log_level lvl);
/* {"ts":"...","level":"info","msg":"..."} with msg formatted and escaped. */
void sf_log(enum sf_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write an already-built JSON object as one line (no level filtering). */
void sf_log_json_line(const char *json, size_t len);

#endif

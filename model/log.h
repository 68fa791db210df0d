#ifndef TRUNKCTL_MODEL_LOG_H
#define TRUNKCTL_MODEL_LOG_H

#include <stdbool.h>

/*
 * Diagnostics on stderr: a verbosity level (-q, -v, -vv) and a trace
 * switch per component (--trace http,plan,git,apply) that adds
 * timestamps. main() calls log_configure() once before any thread starts;
 * after that the settings are only read, so logging is thread-safe.
 * The level is checked before a message is formatted.
 *
 * Nothing logged may contain a secret: callers redact the Authorization
 * header, tokens and client secrets before they log.
 */

enum log_level {
	LOG_ERROR = -1, /* shown even with -q */
	LOG_WARN = 0,
	LOG_INFO = 0,   /* shown unless -q */
	LOG_VERBOSE = 1,
	LOG_DEBUG = 2,
};

enum log_area {
	LOG_AREA_GENERAL = 0,
	LOG_AREA_HTTP = 1 << 0,
	LOG_AREA_PLAN = 1 << 1,
	LOG_AREA_GIT = 1 << 2,
	LOG_AREA_APPLY = 1 << 3,
};

void log_configure(int level, unsigned trace_areas);

/* Parses "http,plan" into area bits; returns -1 on an unknown name. */
int log_parse_areas(const char *list, unsigned *areas);

bool log_enabled(int level, unsigned area);

void log_write(int level, unsigned area, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_at(level, area, ...)                              \
	do {                                                  \
		if (log_enabled((level), (area)))             \
			log_write((level), (area), __VA_ARGS__); \
	} while (0)

#define log_error(...) log_at(LOG_ERROR, LOG_AREA_GENERAL, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, LOG_AREA_GENERAL, __VA_ARGS__)
#define log_verbose(area, ...) log_at(LOG_VERBOSE, (area), __VA_ARGS__)
#define log_debug(area, ...) log_at(LOG_DEBUG, (area), __VA_ARGS__)

#endif

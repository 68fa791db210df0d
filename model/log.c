#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/log.h"

static int configured_level = LOG_INFO;
static unsigned configured_areas;

void log_configure(int level, unsigned trace_areas)
{
	configured_level = level;
	configured_areas = trace_areas;
}

int log_parse_areas(const char *list, unsigned *areas)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "http", LOG_AREA_HTTP },
		{ "plan", LOG_AREA_PLAN },
		{ "git", LOG_AREA_GIT },
		{ "apply", LOG_AREA_APPLY },
	};
	const char *p = list;

	*areas = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		if (len == 3 && strncmp(p, "all", 3) == 0)
			*areas |= ~0u;
		else {
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strlen(names[i].name) == len &&
				    strncmp(p, names[i].name, len) == 0)
					break;
			if (i == sizeof(names) / sizeof(names[0]))
				return -1;
			*areas |= names[i].bit;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool log_enabled(int level, unsigned area)
{
	if (area && (configured_areas & area))
		return true;
	return level <= configured_level;
}

void log_write(int level, unsigned area, const char *fmt, ...)
{
	char line[8192];
	size_t used = 0;
	va_list ap;

	if (area && (configured_areas & area)) {
		struct timespec now;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		used = strftime(line, sizeof(line), "%H:%M:%S", &tm);
		used += snprintf(line + used, sizeof(line) - used, ".%06ld ",
				 now.tv_nsec / 1000);
	}
	if (level == LOG_ERROR)
		used += snprintf(line + used, sizeof(line) - used,
				 "trunkctl: error: ");

	va_start(ap, fmt);
	vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	va_end(ap);

	/* One fputs per line keeps lines from threads whole. */
	used = strlen(line);
	if (used + 1 < sizeof(line) && (used == 0 || line[used - 1] != '\n')) {
		line[used] = '\n';
		line[used + 1] = '\0';
	}
	fputs(line, stderr);
}

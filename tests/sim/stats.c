/*
 * Request counts by method and route template, and the request log that
 * GET /__sim/requests?log=1 returns. Admin routes are not counted.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/trunksim.h"

/* The log keeps the first entries after a reset, up to this many. */
#define LOG_MAX 200000

static const char *const templates[ROUTE_COUNT] = {
	"/oauth/token",
	EDGES_PATH,
	EDGES_PATH "/{edgeId}",
	EDGES_PATH "/{edgeId}/trunks",
	EDGES_PATH "/{edgeId}/trunks/{trunkId}",
	EDGES_PATH "/{edgeId}/trunks/{trunkId}/activate",
	EDGES_PATH "/{edgeId}/trunks/{trunkId}/deactivate",
	EDGES_PATH "/{edgeId}/diagnostics",
};

static const char *const methods[METHOD_COUNT] = {"GET",    "POST",
						  "PUT",    "DELETE",
						  "PATCH",  "OTHER"};

const char *route_template(enum route route)
{
	return route >= 0 && route < ROUTE_COUNT ? templates[route] : NULL;
}

static int method_index(const char *method)
{
	for (int i = 0; i < METHOD_COUNT - 1; i++) {
		if (strcmp(method, methods[i]) == 0)
			return i;
	}
	return METHOD_COUNT - 1;
}

void stats_init(struct stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_init(&stats->lock, NULL);
}

static void log_clear(struct stats *stats)
{
	for (size_t i = 0; i < stats->log_count; i++)
		free(stats->log[i].path);
	free(stats->log);
	stats->log = NULL;
	stats->log_count = 0;
	stats->log_cap = 0;
	stats->log_dropped = 0;
}

void stats_release(struct stats *stats)
{
	log_clear(stats);
	pthread_mutex_destroy(&stats->lock);
}

/* Counts a request; unknown routes count only in the total. */
void stats_count(struct stats *stats, const char *method, enum route route)
{
	pthread_mutex_lock(&stats->lock);
	stats->total++;
	if (route != ROUTE_NONE)
		stats->counts[route][method_index(method)]++;
	pthread_mutex_unlock(&stats->lock);
}

static bool log_grow(struct stats *stats)
{
	size_t cap = stats->log_cap ? 2 * stats->log_cap : 256;
	struct log_entry *grown;

	if (cap > LOG_MAX)
		cap = LOG_MAX;
	if (stats->log_count < stats->log_cap)
		return true;
	if (stats->log_cap >= LOG_MAX)
		return false;
	grown = realloc(stats->log, cap * sizeof(*grown));
	if (!grown)
		return false;
	stats->log = grown;
	stats->log_cap = cap;
	return true;
}

/* Records a handled request; status 0 is a dropped connection. */
void stats_log(struct server *srv, const char *method, const char *path,
	       int status)
{
	struct stats *stats = &srv->stats;
	double t = clock_mono_ms_exact() - srv->started;
	struct log_entry *entry;

	pthread_mutex_lock(&stats->lock);
	if (!log_grow(stats)) {
		stats->log_dropped++;
		goto done;
	}
	entry = &stats->log[stats->log_count];
	entry->path = strdup(path);
	if (!entry->path) {
		stats->log_dropped++;
		goto done;
	}
	entry->t = t;
	snprintf(entry->method, sizeof(entry->method), "%s", method);
	entry->status = status;
	stats->log_count++;
done:
	pthread_mutex_unlock(&stats->lock);
}

void stats_reset(struct stats *stats)
{
	pthread_mutex_lock(&stats->lock);
	stats->total = 0;
	memset(stats->counts, 0, sizeof(stats->counts));
	log_clear(stats);
	pthread_mutex_unlock(&stats->lock);
}

static void add_log(struct stats *stats, cJSON *obj)
{
	cJSON *log = cJSON_AddArrayToObject(obj, "log");

	for (size_t i = 0; i < stats->log_count; i++) {
		const struct log_entry *entry = &stats->log[i];
		cJSON *item = cJSON_CreateObject();

		/* Microseconds are precision enough. */
		cJSON_AddNumberToObject(item, "t",
					round(entry->t * 1000) / 1000);
		cJSON_AddStringToObject(item, "method", entry->method);
		cJSON_AddStringToObject(item, "path", entry->path);
		cJSON_AddNumberToObject(item, "status", entry->status);
		cJSON_AddItemToArray(log, item);
	}
	if (stats->log_dropped)
		cJSON_AddNumberToObject(obj, "logDropped",
					(double)stats->log_dropped);
}

/* Renders {"total", "routes": [{"method", "route", "count"}], "log"}. */
cJSON *stats_to_json(struct stats *stats, bool with_log)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *routes;

	pthread_mutex_lock(&stats->lock);
	cJSON_AddNumberToObject(obj, "total", (double)stats->total);
	routes = cJSON_AddArrayToObject(obj, "routes");
	for (int r = 0; r < ROUTE_COUNT; r++) {
		for (int m = 0; m < METHOD_COUNT; m++) {
			cJSON *item;

			if (!stats->counts[r][m])
				continue;
			item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "method", methods[m]);
			cJSON_AddStringToObject(item, "route", templates[r]);
			cJSON_AddNumberToObject(item, "count",
						(double)stats->counts[r][m]);
			cJSON_AddItemToArray(routes, item);
		}
	}
	if (with_log)
		add_log(stats, obj);
	pthread_mutex_unlock(&stats->lock);
	return obj;
}

#ifndef TRUNKCTL_HTTP_METRICS_H
#define TRUNKCTL_HTTP_METRICS_H

/*
 * Figures per endpoint (method and route template) of one client: calls,
 * requests, outcomes, retries, 429s and call latency. The client records
 * every call; http_client_metrics() takes a consistent snapshot.
 */

#include <stddef.h>

struct http_client;
struct http_metrics;

struct http_endpoint_stats {
	char method[8];
	char route[192];    /* e.g. "/api/v2/.../edges/{edgeId}/trunks" */
	long calls;
	long requests;      /* HTTP requests, retries included */
	long successes;
	long failures;
	long retries;
	long throttled;     /* 429 responses */
	long latency_p50_ms; /* of whole calls, retries and waits included */
	long latency_p95_ms;
	long latency_max_ms;
	long latency_sum_ms;
};

/*
 * Copies the figures of every endpoint used so far into a new array,
 * ordered by route then method; the caller frees *stats with free().
 * Percentiles are nearest-rank over all recorded calls.
 */
int http_client_metrics(struct http_client *client,
			struct http_endpoint_stats **stats, size_t *count);

#endif

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "model/error.h"

/* One endpoint's counters and every call's latency. */
struct endpoint {
	struct http_endpoint_stats stats;
	long *latencies;
	size_t latency_count;
	size_t latency_alloc;
};

struct http_metrics {
	pthread_mutex_t lock;
	struct endpoint *endpoints;
	size_t count;
	size_t alloc;
};

int http_metrics_new(struct http_metrics **out)
{
	struct http_metrics *metrics = calloc(1, sizeof(*metrics));

	*out = NULL;
	if (!metrics)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (pthread_mutex_init(&metrics->lock, NULL)) {
		free(metrics);
		return error_set(TRUNKCTL_ERROR, "cannot create a mutex");
	}
	*out = metrics;
	return 0;
}

void http_metrics_free(struct http_metrics *metrics)
{
	size_t i;

	if (!metrics)
		return;
	for (i = 0; i < metrics->count; i++)
		free(metrics->endpoints[i].latencies);
	free(metrics->endpoints);
	pthread_mutex_destroy(&metrics->lock);
	free(metrics);
}

static struct endpoint *find_endpoint(struct http_metrics *metrics,
				      const char *method, const char *route)
{
	struct endpoint *endpoint;
	size_t i;

	for (i = 0; i < metrics->count; i++) {
		endpoint = &metrics->endpoints[i];
		if (strcmp(endpoint->stats.method, method) == 0 &&
		    strcmp(endpoint->stats.route, route) == 0)
			return endpoint;
	}
	if (metrics->count == metrics->alloc) {
		size_t alloc = metrics->alloc ? metrics->alloc * 2 : 16;

		endpoint = realloc(metrics->endpoints,
				   alloc * sizeof(*endpoint));
		if (!endpoint)
			return NULL;
		metrics->endpoints = endpoint;
		metrics->alloc = alloc;
	}
	endpoint = &metrics->endpoints[metrics->count++];
	memset(endpoint, 0, sizeof(*endpoint));
	snprintf(endpoint->stats.method, sizeof(endpoint->stats.method), "%s",
		 method);
	snprintf(endpoint->stats.route, sizeof(endpoint->stats.route), "%s",
		 route);
	return endpoint;
}

static void add_latency(struct endpoint *endpoint, long ms)
{
	if (endpoint->latency_count == endpoint->latency_alloc) {
		size_t alloc = endpoint->latency_alloc ?
				       endpoint->latency_alloc * 2 : 64;
		long *grown = realloc(endpoint->latencies,
				      alloc * sizeof(*grown));

		if (!grown)
			return; /* the sample is lost, the counts stay right */
		endpoint->latencies = grown;
		endpoint->latency_alloc = alloc;
	}
	endpoint->latencies[endpoint->latency_count++] = ms;
}

void http_metrics_record(struct http_metrics *metrics, const char *method,
			 const char *route, const struct api_call_info *info,
			 bool success)
{
	struct endpoint *endpoint;

	pthread_mutex_lock(&metrics->lock);
	endpoint = find_endpoint(metrics, method, route ? route : "?");
	if (endpoint) {
		endpoint->stats.calls++;
		endpoint->stats.requests += info->attempts;
		endpoint->stats.retries += info->retries;
		endpoint->stats.throttled += info->throttled;
		if (success)
			endpoint->stats.successes++;
		else
			endpoint->stats.failures++;
		add_latency(endpoint, info->latency_ms);
	}
	pthread_mutex_unlock(&metrics->lock);
}

static int compare_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int compare_stats(const void *a, const void *b)
{
	const struct http_endpoint_stats *x = a, *y = b;
	int order = strcmp(x->route, y->route);

	return order ? order : strcmp(x->method, y->method);
}

/* Nearest-rank percentile of sorted samples. */
static long percentile(const long *sorted, size_t count, int pct)
{
	size_t rank;

	if (!count)
		return 0;
	rank = (count * (size_t)pct + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

static int summarize(const struct endpoint *endpoint,
		     struct http_endpoint_stats *out)
{
	size_t n = endpoint->latency_count;
	long *sorted = n ? malloc(n * sizeof(*sorted)) : NULL;

	*out = endpoint->stats;
	if (n && !sorted)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (n) {
		memcpy(sorted, endpoint->latencies, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), compare_long);
	}
	out->latency_p50_ms = percentile(sorted, n, 50);
	out->latency_p95_ms = percentile(sorted, n, 95);
	out->latency_max_ms = n ? sorted[n - 1] : 0;
	out->latency_sum_ms = 0;
	for (size_t i = 0; i < n; i++)
		out->latency_sum_ms += sorted[i];
	free(sorted);
	return 0;
}

int http_client_metrics(struct http_client *client,
			struct http_endpoint_stats **stats, size_t *count)
{
	struct http_metrics *metrics = client->metrics;
	struct http_endpoint_stats *copy = NULL;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&metrics->lock);
	if (metrics->count)
		copy = calloc(metrics->count, sizeof(*copy));
	if (metrics->count && !copy)
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; !rc && i < metrics->count; i++)
		rc = summarize(&metrics->endpoints[i], &copy[i]);
	*count = rc ? 0 : metrics->count;
	pthread_mutex_unlock(&metrics->lock);

	if (rc) {
		free(copy);
		copy = NULL;
	}
	if (copy)
		qsort(copy, *count, sizeof(*copy), compare_stats);
	*stats = copy;
	return rc;
}

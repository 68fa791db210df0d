#ifndef TRUNKCTL_RECONCILE_METRICS_H
#define TRUNKCTL_RECONCILE_METRICS_H

/*
 * Run metrics: per action kind ("create", ...) and per endpoint
 * ("POST /trunks", ...), the count, successes, failures, latency p50,
 * p95 and max, retries and HTTP 429 responses. Samples are plain numbers,
 * so the executor and the HTTP client can record without sharing types.
 * All functions are safe to call from several threads at once.
 */

#include <stdbool.h>
#include <stddef.h>

enum metrics_dimension {
	METRICS_ACTION = 0,
	METRICS_ENDPOINT,
};

struct metrics_summary {
	long count;
	long successes;
	long failures;
	long retries;
	long rate_limited;      /* responses with HTTP status 429 */
	double p50_ms;          /* nearest-rank quantiles */
	double p95_ms;
	double max_ms;
	double sum_ms;
};

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *metrics);

/*
 * Records one sample under the action kind `action` and under the
 * endpoint `endpoint`; either may be NULL to record under the other
 * only. `latency_ms` is the wall time of the whole action or request,
 * retries included.
 */
int metrics_record(struct metrics *metrics, const char *action,
		   const char *endpoint, bool ok, double latency_ms,
		   int retries, int rate_limited);

/*
 * Stores a summary computed elsewhere, such as the HTTP client's figures
 * for one endpoint, under `label`. It replaces the samples recorded
 * there, and later samples under that label are ignored.
 */
int metrics_put_summary(struct metrics *metrics,
			enum metrics_dimension dimension, const char *label,
			const struct metrics_summary *summary);

/* Fills `out` for one label; TRUNKCTL_ENOTFOUND when nothing was
 * recorded under it. */
int metrics_summary_get(struct metrics *metrics,
			enum metrics_dimension dimension, const char *label,
			struct metrics_summary *out);

/* A table for the end of apply, one row per label, sorted by label. */
int metrics_render_text(struct metrics *metrics, char **out);

/* The Prometheus text exposition format (version 0.0.4). */
int metrics_render_prometheus(struct metrics *metrics, char **out);

/* Writes the Prometheus rendering to `path` (mode 0600) through a
 * temporary file PATH.tmp.XXXXXX and a rename. */
int metrics_write_prometheus(struct metrics *metrics, const char *path);

#endif

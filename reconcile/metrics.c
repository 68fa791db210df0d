/* Run metrics: samples per action kind and endpoint, and their reports. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/internal.h"
#include "reconcile/metrics.h"

struct series {
	char *label;
	long successes;
	long failures;
	long retries;
	long rate_limited;
	double *latencies;      /* ms, in recording order */
	size_t count;
	size_t cap;
	bool fixed;             /* metrics_put_summary() set `summary` */
	struct metrics_summary summary;
};

struct series_set {
	struct series *items;
	size_t count;
	size_t cap;
};

struct metrics {
	pthread_mutex_t lock;
	struct series_set sets[2];  /* by enum metrics_dimension */
};

struct metrics *metrics_new(void)
{
	struct metrics *metrics = calloc(1, sizeof(*metrics));

	if (!metrics) {
		error_set(TRUNKCTL_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&metrics->lock, NULL);
	return metrics;
}

void metrics_free(struct metrics *metrics)
{
	size_t d, i;

	if (!metrics)
		return;
	for (d = 0; d < 2; d++) {
		for (i = 0; i < metrics->sets[d].count; i++) {
			free(metrics->sets[d].items[i].label);
			free(metrics->sets[d].items[i].latencies);
		}
		free(metrics->sets[d].items);
	}
	pthread_mutex_destroy(&metrics->lock);
	free(metrics);
}

static struct series *find_series(struct series_set *set, const char *label,
				  bool create)
{
	struct series *grown;
	size_t i;

	for (i = 0; i < set->count; i++)
		if (strcmp(set->items[i].label, label) == 0)
			return &set->items[i];
	if (!create)
		return NULL;
	if (set->count == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		grown = realloc(set->items, set->cap * sizeof(*grown));
		if (!grown)
			return NULL;
		set->items = grown;
	}
	memset(&set->items[set->count], 0, sizeof(set->items[0]));
	set->items[set->count].label = strdup(label);
	if (!set->items[set->count].label)
		return NULL;
	return &set->items[set->count++];
}

static int add_sample(struct series_set *set, const char *label, bool ok,
		      double latency_ms, int retries, int rate_limited)
{
	struct series *s = find_series(set, label, true);
	double *grown;

	if (!s)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (s->fixed)
		return 0;
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		grown = realloc(s->latencies, s->cap * sizeof(*grown));
		if (!grown)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		s->latencies = grown;
	}
	s->latencies[s->count++] = latency_ms;
	if (ok)
		s->successes++;
	else
		s->failures++;
	s->retries += retries > 0 ? retries : 0;
	s->rate_limited += rate_limited > 0 ? rate_limited : 0;
	return 0;
}

int metrics_record(struct metrics *metrics, const char *action,
		   const char *endpoint, bool ok, double latency_ms,
		   int retries, int rate_limited)
{
	int rc = 0;

	pthread_mutex_lock(&metrics->lock);
	if (action)
		rc = add_sample(&metrics->sets[METRICS_ACTION], action, ok,
				latency_ms, retries, rate_limited);
	if (rc == 0 && endpoint)
		rc = add_sample(&metrics->sets[METRICS_ENDPOINT], endpoint, ok,
				latency_ms, retries, rate_limited);
	pthread_mutex_unlock(&metrics->lock);
	return rc;
}

int metrics_put_summary(struct metrics *metrics,
			enum metrics_dimension dimension, const char *label,
			const struct metrics_summary *summary)
{
	struct series *s;

	pthread_mutex_lock(&metrics->lock);
	s = find_series(&metrics->sets[dimension], label, true);
	if (s) {
		s->fixed = true;
		s->summary = *summary;
	}
	pthread_mutex_unlock(&metrics->lock);
	return s ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least q of all at or below. */
static double quantile(const double *sorted, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	if (n == 0)
		return 0;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static int summarize(const struct series *s, struct metrics_summary *out)
{
	double *sorted;
	size_t i;

	if (s->fixed) {
		*out = s->summary;
		return 0;
	}
	sorted = malloc((s->count + 1) * sizeof(*sorted));
	if (!sorted)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	memset(out, 0, sizeof(*out));
	memcpy(sorted, s->latencies, s->count * sizeof(*sorted));
	qsort(sorted, s->count, sizeof(*sorted), compare_doubles);
	out->count = (long)s->count;
	out->successes = s->successes;
	out->failures = s->failures;
	out->retries = s->retries;
	out->rate_limited = s->rate_limited;
	out->p50_ms = quantile(sorted, s->count, 0.50);
	out->p95_ms = quantile(sorted, s->count, 0.95);
	out->max_ms = s->count ? sorted[s->count - 1] : 0;
	for (i = 0; i < s->count; i++)
		out->sum_ms += sorted[i];
	free(sorted);
	return 0;
}

int metrics_summary_get(struct metrics *metrics,
			enum metrics_dimension dimension, const char *label,
			struct metrics_summary *out)
{
	struct series *s;
	int rc;

	pthread_mutex_lock(&metrics->lock);
	s = find_series(&metrics->sets[dimension], label, false);
	rc = s ? summarize(s, out)
	       : error_set(TRUNKCTL_ENOTFOUND, "no metrics for '%s'", label);
	pthread_mutex_unlock(&metrics->lock);
	return rc;
}

static int compare_labels(const void *a, const void *b)
{
	const struct series *x = *(const struct series *const *)a;
	const struct series *y = *(const struct series *const *)b;

	return strcmp(x->label, y->label);
}

/* The series of one dimension sorted by label; the caller holds the
 * lock and frees the array. */
static const struct series **sorted_series(const struct series_set *set)
{
	const struct series **list = calloc(set->count + 1, sizeof(*list));
	size_t i;

	if (!list) {
		error_set(TRUNKCTL_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < set->count; i++)
		list[i] = &set->items[i];
	qsort(list, set->count, sizeof(*list), compare_labels);
	return list;
}

static int text_table(struct textbuf *buf, const struct series_set *set,
		      const char *title)
{
	const struct series **list = sorted_series(set);
	struct metrics_summary s;
	int width = (int)strlen(title);
	size_t i;
	int rc = 0;

	if (!list)
		return TRUNKCTL_ENOMEM;
	for (i = 0; i < set->count; i++)
		if ((int)strlen(list[i]->label) > width)
			width = (int)strlen(list[i]->label);
	textbuf_printf(buf, "%-*s %6s %9s %6s %8s %8s %8s %7s %5s\n", width,
		       title, "count", "succeeded", "failed", "p50 ms",
		       "p95 ms", "max ms", "retries", "429s");
	for (i = 0; i < set->count && rc == 0; i++) {
		rc = summarize(list[i], &s);
		if (rc == 0)
			textbuf_printf(buf, "%-*s %6ld %9ld %6ld %8.0f %8.0f "
				       "%8.0f %7ld %5ld\n", width,
				       list[i]->label, s.count, s.successes,
				       s.failures, s.p50_ms, s.p95_ms,
				       s.max_ms, s.retries, s.rate_limited);
	}
	free(list);
	return rc;
}

int metrics_render_text(struct metrics *metrics, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&metrics->lock);
	if (metrics->sets[METRICS_ACTION].count > 0)
		rc = text_table(&buf, &metrics->sets[METRICS_ACTION], "action");
	if (rc == 0 && metrics->sets[METRICS_ENDPOINT].count > 0) {
		if (buf.len > 0)
			textbuf_puts(&buf, "\n");
		rc = text_table(&buf, &metrics->sets[METRICS_ENDPOINT],
				"endpoint");
	}
	pthread_mutex_unlock(&metrics->lock);
	if (rc < 0) {
		textbuf_release(&buf);
		return rc;
	}
	return textbuf_detach(&buf, out);
}

/* The names of one dimension's metric families. */
struct family_names {
	const char *label;      /* "action" or "endpoint" */
	const char *total;
	const char *latency;
	const char *latency_max;
	const char *retries;
	const char *rate_limited;
	const char *noun;       /* for HELP lines */
};

static const struct family_names families[2] = {
	{ "action", "trunkctl_actions_total",
	  "trunkctl_action_latency_seconds",
	  "trunkctl_action_latency_max_seconds",
	  "trunkctl_action_retries_total",
	  "trunkctl_action_rate_limited_total", "actions" },
	{ "endpoint", "trunkctl_requests_total",
	  "trunkctl_request_latency_seconds",
	  "trunkctl_request_latency_max_seconds",
	  "trunkctl_request_retries_total",
	  "trunkctl_request_rate_limited_total", "API requests" },
};

static void sample(struct textbuf *buf, const char *name, const char *key,
		   const char *value, const char *extra, double number)
{
	textbuf_printf(buf, "%s{%s=\"", name, key);
	textbuf_put_label_value(buf, value);
	textbuf_printf(buf, "\"%s} %.9g\n", extra ? extra : "", number);
}

static void family_header(struct textbuf *buf, const char *name,
			   const char *help, const char *type)
{
	textbuf_printf(buf, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		       type);
}

static int prometheus_dimension(struct textbuf *buf,
				const struct series_set *set,
				const struct family_names *f)
{
	const struct series **list = sorted_series(set);
	struct metrics_summary *s = calloc(set->count + 1, sizeof(*s));
	char help[128];
	size_t i;
	int rc = 0;

	if (!list || !s) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < set->count && rc == 0; i++)
		rc = summarize(list[i], &s[i]);
	if (rc < 0)
		goto done;

	snprintf(help, sizeof(help), "Finished %s, by outcome.", f->noun);
	family_header(buf, f->total, help, "counter");
	for (i = 0; i < set->count; i++) {
		sample(buf, f->total, f->label, list[i]->label,
		       ",outcome=\"succeeded\"", (double)s[i].successes);
		sample(buf, f->total, f->label, list[i]->label,
		       ",outcome=\"failed\"", (double)s[i].failures);
	}
	snprintf(help, sizeof(help), "Latency of %s, retries included.",
		 f->noun);
	family_header(buf, f->latency, help, "summary");
	for (i = 0; i < set->count; i++) {
		sample(buf, f->latency, f->label, list[i]->label,
		       ",quantile=\"0.5\"", s[i].p50_ms / 1000);
		sample(buf, f->latency, f->label, list[i]->label,
		       ",quantile=\"0.95\"", s[i].p95_ms / 1000);
		textbuf_printf(buf, "%s_sum", f->latency);
		sample(buf, "", f->label, list[i]->label, NULL,
		       s[i].sum_ms / 1000);
		textbuf_printf(buf, "%s_count", f->latency);
		sample(buf, "", f->label, list[i]->label, NULL,
		       (double)s[i].count);
	}
	snprintf(help, sizeof(help), "Slowest of the %s.", f->noun);
	family_header(buf, f->latency_max, help, "gauge");
	for (i = 0; i < set->count; i++)
		sample(buf, f->latency_max, f->label, list[i]->label, NULL,
		       s[i].max_ms / 1000);
	snprintf(help, sizeof(help), "Retried requests of %s.", f->noun);
	family_header(buf, f->retries, help, "counter");
	for (i = 0; i < set->count; i++)
		sample(buf, f->retries, f->label, list[i]->label, NULL,
		       (double)s[i].retries);
	snprintf(help, sizeof(help), "HTTP 429 responses to %s.", f->noun);
	family_header(buf, f->rate_limited, help, "counter");
	for (i = 0; i < set->count; i++)
		sample(buf, f->rate_limited, f->label, list[i]->label, NULL,
		       (double)s[i].rate_limited);

done:
	free(list);
	free(s);
	return rc;
}

int metrics_render_prometheus(struct metrics *metrics, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	size_t d;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&metrics->lock);
	for (d = 0; d < 2 && rc == 0; d++)
		if (metrics->sets[d].count > 0)
			rc = prometheus_dimension(&buf, &metrics->sets[d],
						  &families[d]);
	pthread_mutex_unlock(&metrics->lock);
	if (rc < 0) {
		textbuf_release(&buf);
		return rc;
	}
	return textbuf_detach(&buf, out);
}

int metrics_write_prometheus(struct metrics *metrics, const char *path)
{
	char *text;
	int rc = metrics_render_prometheus(metrics, &text);

	if (rc < 0)
		return rc;
	rc = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return rc;
}

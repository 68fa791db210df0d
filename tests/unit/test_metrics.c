/* Run metrics: quantiles, the text table and the Prometheus format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/error.h"
#include "reconcile/metrics.h"

static void test_metrics_quantiles(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_summary s;
	int i;

	(void)state;
	assert_non_null(m);
	/* 1..100 ms in a shuffled order. */
	for (i = 0; i < 100; i++)
		assert_int_equal(metrics_record(m, "create", NULL, i % 10 != 0,
						(double)((i * 37) % 100 + 1),
						i % 3 == 0, i == 5), 0);
	assert_int_equal(metrics_summary_get(m, METRICS_ACTION, "create", &s),
			 0);
	assert_int_equal(s.count, 100);
	assert_int_equal(s.successes, 90);
	assert_int_equal(s.failures, 10);
	assert_int_equal(s.retries, 34);
	assert_int_equal(s.rate_limited, 1);
	assert_true(s.p50_ms == 50);
	assert_true(s.p95_ms == 95);
	assert_true(s.max_ms == 100);
	assert_true(s.sum_ms == 5050);
	metrics_free(m);
}

static void test_metrics_single_sample(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_summary s;

	(void)state;
	assert_int_equal(metrics_record(m, NULL, "GET /trunks", true, 7, 0, 0),
			 0);
	assert_int_equal(metrics_summary_get(m, METRICS_ENDPOINT,
					     "GET /trunks", &s), 0);
	assert_true(s.p50_ms == 7 && s.p95_ms == 7 && s.max_ms == 7);
	assert_int_equal(metrics_summary_get(m, METRICS_ACTION, "GET /trunks",
					     &s), TRUNKCTL_ENOTFOUND);
	metrics_free(m);
}

static void test_metrics_text_table(void **state)
{
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	metrics_record(m, "create", "POST /trunks", true, 120, 1, 0);
	metrics_record(m, "activate", NULL, false, 30, 0, 2);
	assert_int_equal(metrics_render_text(m, &text), 0);
	assert_string_equal(text,
		"action    count succeeded failed   p50 ms   p95 ms   max ms "
		"retries  429s\n"
		"activate      1         0      1       30       30       30 "
		"      0     2\n"
		"create        1         1      0      120      120      120 "
		"      1     0\n"
		"\n"
		"endpoint      count succeeded failed   p50 ms   p95 ms   "
		"max ms retries  429s\n"
		"POST /trunks      1         1      0      120      120      "
		"120       1     0\n");
	free(text);
	metrics_free(m);
}

static void test_metrics_prometheus(void **state)
{
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	metrics_record(m, "create", NULL, true, 100, 0, 0);
	metrics_record(m, "create", NULL, true, 300, 2, 1);
	metrics_record(m, "create", NULL, false, 200, 0, 0);
	assert_int_equal(metrics_render_prometheus(m, &text), 0);
	assert_non_null(strstr(text, "# TYPE trunkctl_actions_total "
			       "counter\n"));
	assert_non_null(strstr(text, "trunkctl_actions_total{action=\"create\","
			       "outcome=\"succeeded\"} 2\n"));
	assert_non_null(strstr(text, "trunkctl_actions_total{action=\"create\","
			       "outcome=\"failed\"} 1\n"));
	assert_non_null(strstr(text, "trunkctl_action_latency_seconds{action="
			       "\"create\",quantile=\"0.5\"} 0.2\n"));
	assert_non_null(strstr(text, "trunkctl_action_latency_seconds{action="
			       "\"create\",quantile=\"0.95\"} 0.3\n"));
	assert_non_null(strstr(text, "trunkctl_action_latency_seconds_sum{"
			       "action=\"create\"} 0.6\n"));
	assert_non_null(strstr(text, "trunkctl_action_latency_seconds_count{"
			       "action=\"create\"} 3\n"));
	assert_non_null(strstr(text, "trunkctl_action_latency_max_seconds{"
			       "action=\"create\"} 0.3\n"));
	assert_non_null(strstr(text, "trunkctl_action_retries_total{action="
			       "\"create\"} 2\n"));
	assert_non_null(strstr(text, "trunkctl_action_rate_limited_total{"
			       "action=\"create\"} 1\n"));
	assert_null(strstr(text, "trunkctl_requests_total"));
	free(text);
	metrics_free(m);
}

static void test_metrics_label_escaping(void **state)
{
	struct metrics *m = metrics_new();
	char *text;

	(void)state;
	metrics_record(m, NULL, "GET /a\\b \"q\"\nx", true, 1, 0, 0);
	assert_int_equal(metrics_render_prometheus(m, &text), 0);
	assert_non_null(strstr(text, "trunkctl_requests_total{endpoint="
			       "\"GET /a\\\\b \\\"q\\\"\\nx\",outcome="
			       "\"succeeded\"} 1\n"));
	free(text);
	metrics_free(m);
}

static void test_metrics_write_file(void **state)
{
	char folder[] = "/tmp/trunkctl-metrics-XXXXXX";
	char path[512], buf[64];
	struct metrics *m = metrics_new();
	struct stat st;
	FILE *file;

	(void)state;
	assert_non_null(mkdtemp(folder));
	snprintf(path, sizeof(path), "%s/metrics.prom", folder);
	metrics_record(m, "delete", NULL, true, 5, 0, 0);
	assert_int_equal(metrics_write_prometheus(m, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	file = fopen(path, "r");
	assert_non_null(file);
	assert_non_null(fgets(buf, sizeof(buf), file));
	assert_string_equal(buf, "# HELP trunkctl_actions_total Finished "
			    "actions, by outcome.\n");
	fclose(file);
	unlink(path);
	assert_int_equal(rmdir(folder), 0);
	metrics_free(m);
}

static void *record_many(void *arg)
{
	int i;

	for (i = 0; i < 1000; i++)
		metrics_record(arg, "verify", "GET /trunk", true, i, 0, 0);
	return NULL;
}

static void test_metrics_threads(void **state)
{
	struct metrics *m = metrics_new();
	struct metrics_summary s;
	pthread_t threads[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, record_many, m);
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(metrics_summary_get(m, METRICS_ENDPOINT, "GET /trunk",
					     &s), 0);
	assert_int_equal(s.count, 4000);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_quantiles),
		cmocka_unit_test(test_metrics_single_sample),
		cmocka_unit_test(test_metrics_text_table),
		cmocka_unit_test(test_metrics_prometheus),
		cmocka_unit_test(test_metrics_label_escaping),
		cmocka_unit_test(test_metrics_write_file),
		cmocka_unit_test(test_metrics_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The API client against trunksim on 127.0.0.1: token caching and
 * refresh, 429 pauses, 503 retries and the circuit breaker, dropped
 * connections, broken bodies, rejected credentials, the rate limiter,
 * logging without secrets, and metrics. Figures are in milliseconds.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/client.h"
#include "http/metrics.h"
#include "model/error.h"
#include "model/log.h"
#include "test_http_fixture.h"

static const char seed_json[] =
	"{\"edges\": ["
	"{\"id\": \"edge-a\", \"name\": \"Dublin Edge 1\", \"trunks\": ["
	"  {\"id\": \"t-1\", \"name\": \"Alpha\","
	"   \"sipEndpoints\": [\"198.51.100.1:5060\"]}]},"
	"{\"id\": \"edge-b\", \"name\": \"Cork Edge\"}]}";

static const char edge_path[] = EDGES_PATH "/edge-a";

static const struct http_request get_edge = {
	.method = "GET", .path = edge_path, .route = EDGE_TEMPLATE,
};

/* Calls GET edge-a and expects success. */
static void *call_edge(void *arg)
{
	struct http_fixture *f = arg;
	struct api_call_info info;
	cJSON *json = NULL;
	int rc;

	rc = http_client_send_json(f->client, &get_edge, &json, &info);
	if (rc)
		fprintf(stderr, "call failed: %s\n", error_message());
	assert_int_equal(rc, 0);
	assert_non_null(json);
	cJSON_Delete(json);
	return NULL;
}

static void *call_edge_many(void *arg)
{
	int i;

	for (i = 0; i < 20; i++)
		call_edge(arg);
	return NULL;
}

static int setup(void **state)
{
	*state = fixture_start_seed(seed_json, NULL);
	return 0;
}

static int setup_slow(void **state)
{
	static const char *const extra[] = { "--latency-ms", "5", NULL };

	*state = fixture_start_seed(seed_json, extra);
	return 0;
}

static int teardown(void **state)
{
	fixture_stop(*state);
	return 0;
}

static void token_cached(void **state)
{
	struct http_fixture *f = *state;
	int i;

	fixture_client(f);
	for (i = 0; i < 25; i++)
		call_edge(f);
	fixture_threads(8, call_edge_many, f);
	assert_int_equal(sim_count(&f->sim, "POST", TOKEN_TEMPLATE), 1);
	assert_int_equal(sim_count(&f->sim, "GET", EDGE_TEMPLATE), 25 + 8 * 20);
	assert_int_equal(http_token_requests(f->client), 1);
}

struct expiry_run {
	struct http_fixture *f;
	pthread_mutex_t lock;
	pthread_cond_t started;
	int running;
};

static void *call_edge_signalled(void *arg)
{
	struct expiry_run *run = arg;

	pthread_mutex_lock(&run->lock);
	run->running++;
	pthread_cond_broadcast(&run->started);
	pthread_mutex_unlock(&run->lock);
	call_edge_many(run->f);
	return NULL;
}

static void token_expiry_refreshes_once(void **state)
{
	struct expiry_run run = { .f = *state };
	pthread_t threads[10];
	int i;

	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.started, NULL);
	fixture_client(run.f);
	call_edge(run.f);
	for (i = 0; i < 10; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						call_edge_signalled, &run), 0);

	/* Expire the token while all ten workers are sending. */
	pthread_mutex_lock(&run.lock);
	while (run.running < 10)
		pthread_cond_wait(&run.started, &run.lock);
	pthread_mutex_unlock(&run.lock);
	while (sim_count(&run.f->sim, "GET", EDGE_TEMPLATE) < 30)
		usleep(1000);
	assert_int_equal(sim_fault(&run.f->sim, "{\"kind\":\"expire_tokens\"}"),
			 0);

	for (i = 0; i < 10; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_true(sim_count(&run.f->sim, "GET", EDGE_TEMPLATE) > 1 + 200);
	assert_int_equal(sim_count(&run.f->sim, "POST", TOKEN_TEMPLATE), 2);
	assert_int_equal(http_token_requests(run.f->client), 2);
	pthread_cond_destroy(&run.started);
	pthread_mutex_destroy(&run.lock);
}

static void token_refresh_after_401(void **state)
{
	struct http_fixture *f = *state;
	struct api_call_info info;
	struct http_response response;

	fixture_client(f);
	call_edge(f);
	assert_int_equal(sim_fault(&f->sim, "{\"kind\":\"expire_tokens\"}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), 0);
	http_response_release(&response);
	assert_int_equal(info.status, 200);
	assert_int_equal(info.attempts, 2);
	assert_int_equal(sim_count(&f->sim, "POST", TOKEN_TEMPLATE), 2);
}

static void wrong_secret_rejected(void **state)
{
	struct http_fixture *f = *state;
	struct api_call_info info;
	struct http_response response;

	free(f->config.client_secret);
	f->config.client_secret = strdup("not-the-secret-4b2a");
	fixture_client(f);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), TRUNKCTL_EAUTH);
	http_response_release(&response);
	assert_non_null(strstr(error_message(), "client credentials"));
	assert_non_null(strstr(error_message(), "/oauth/token"));
	assert_non_null(strstr(error_message(), "GENESYSCLOUD_OAUTHCLIENT_ID"));
	assert_null(strstr(error_message(), "not-the-secret-4b2a"));
	/* Rejected credentials are not retried, and no API call is sent. */
	assert_int_equal(sim_count(&f->sim, "POST", TOKEN_TEMPLATE), 1);
	assert_int_equal(sim_count(&f->sim, "GET", EDGE_TEMPLATE), 0);
}

/* Waits until the client has paused for a 429. */
static void wait_for_pause(struct http_fixture *f)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (http_rate_limiter_paused_for(&f->client->limiter,
						 http_now_ms()) > 0)
			return;
		usleep(1000);
	}
	fail_msg("the client never paused");
}

static void *call_edge_thread(void *arg)
{
	return call_edge(arg);
}

/*
 * Sends a 429 with `retry_after` to one worker, starts nine more during
 * the pause, and checks the request log: nothing for `min_gap_ms`.
 */
static void check_429_pause(struct http_fixture *f, const char *retry_after,
			    double min_gap_ms)
{
	struct logged_request *log;
	char fault[256];
	pthread_t first;
	double paused_at = -1;
	size_t n, i, after = 0;

	snprintf(fault, sizeof(fault), "{\"route\":\"GET %s\",\"kind\":\"429\","
		 "\"count\":1,\"retryAfter\":\"%s\"}", EDGE_TEMPLATE,
		 retry_after);
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, fault), 0);
	assert_int_equal(pthread_create(&first, NULL, call_edge_thread, f), 0);
	wait_for_pause(f);
	fixture_threads(9, call_edge_thread, f);
	assert_int_equal(pthread_join(first, NULL), 0);

	n = fixture_log(f, &log);
	for (i = 0; i < n; i++) {
		if (strncmp(log[i].path, "/api/", 5) != 0)
			continue;
		if (log[i].status == 429) {
			paused_at = log[i].t;
			continue;
		}
		if (paused_at < 0)
			continue;
		/* The log's times are whole-request times, to 1 ms. */
		assert_true(log[i].t >= paused_at + min_gap_ms - 2);
		after++;
	}
	assert_true(paused_at >= 0);
	assert_int_equal(after, 10);
	free(log);
}

static void throttled_pauses_every_worker(void **state)
{
	check_429_pause(*state, "1", 1000);
}

static void throttled_until_http_date(void **state)
{
	char date[64];
	time_t when = time(NULL) + 2;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* A date two seconds ahead, to the second, is at least 1 s away. */
	check_429_pause(*state, date, 1000);
}

static void retry_after_beyond_limit(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;

	f->config.retry_after_max_ms = 1000;
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"429\",\"count\":1,"
				   "\"retryAfter\":\"5\"}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), TRUNKCTL_EHTTP);
	http_response_release(&response);
	assert_non_null(strstr(error_message(), "status 429"));
	assert_non_null(strstr(error_message(), "retry after 5 s"));
	assert_non_null(strstr(error_message(), "--retry-after-max"));
	assert_int_equal(info.throttled, 1);
	assert_int_equal(info.attempts, 1);
}

static void five_503s_then_success(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;

	/* The fifth 503 opens the breaker; the probe after it succeeds. */
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"503\",\"count\":5,"
				   "\"retryAfter\":\"0\"}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), 0);
	http_response_release(&response);
	assert_int_equal(info.status, 200);
	assert_int_equal(info.attempts, 6);
	assert_int_equal(info.retries, 5);
	assert_int_equal(sim_count(&f->sim, "GET", EDGE_TEMPLATE), 6);
	assert_false(http_breaker_is_open(&f->client->breaker));
}

static void breaker_opens_on_503s(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;
	struct logged_request *log;
	size_t n;

	f->config.breaker_cooldown_ms = 300;
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"503\",\"count\":10,"
				   "\"retryAfter\":\"0\"}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), TRUNKCTL_EHTTP);
	http_response_release(&response);
	assert_non_null(strstr(error_message(), "GET http://127.0.0.1:"));
	assert_non_null(strstr(error_message(), "/edges/edge-a: status 503"));
	assert_non_null(strstr(error_message(), "gave up after 6 attempts"));
	assert_non_null(strstr(error_message(), "circuit breaker is open"));
	assert_non_null(strstr(error_message(), "correlation id "));

	/* Five quick failures, nothing for the cool-down, then one probe. */
	n = fixture_log(f, &log);
	assert_int_equal(n, 6);
	assert_int_equal(log[4].status, 503);
	assert_true(log[5].t - log[4].t >= 300 - 2);
	assert_int_equal(log[5].status, 503);
	assert_int_equal(f->client->breaker.opened_count, 2);
	free(log);
}

static void *call_edge_after_pause(void *arg)
{
	return call_edge(arg);
}

static void breaker_lets_one_probe(void **state)
{
	struct http_fixture *f = *state;
	struct logged_request *log;
	double probe_at = -1;
	pthread_t first;
	size_t n, i;

	f->config.breaker_threshold = 2;
	f->config.breaker_cooldown_ms = 300;
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"503\",\"count\":2,"
				   "\"retryAfter\":\"0\"}"), 0);
	assert_int_equal(pthread_create(&first, NULL, call_edge_after_pause,
					f), 0);
	while (!http_breaker_is_open(&f->client->breaker))
		usleep(500);
	fixture_threads(6, call_edge_after_pause, f);
	assert_int_equal(pthread_join(first, NULL), 0);

	n = fixture_log(f, &log);
	assert_int_equal(n, 2 + 1 + 6);
	assert_int_equal(log[1].status, 503);
	probe_at = log[2].t;
	assert_true(probe_at - log[1].t >= 300 - 2);
	/* The others wait for the probe's response (5 ms of latency). */
	for (i = 3; i < n; i++) {
		assert_int_equal(log[i].status, 200);
		assert_true(log[i].t - probe_at >= 4);
	}
	free(log);
}

static void dropped_get_retried(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;

	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"drop\",\"count\":1}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), 0);
	http_response_release(&response);
	assert_int_equal(info.status, 200);
	assert_false(info.outcome_unknown);
	/* libcurl itself resends a GET once on a reused connection. */
	assert_int_equal(sim_count(&f->sim, "GET", EDGE_TEMPLATE), 2);
}

static const char create_body[] =
	"{\"name\":\"Carrier-B\",\"maxConcurrentCalls\":10,"
	"\"codecs\":[\"PCMU\"],\"sipEndpoints\":[\"198.51.100.7:5060\"]}";

static const struct http_request create_trunk = {
	.method = "POST", .path = EDGES_PATH "/edge-b/trunks",
	.route = TRUNKS_TEMPLATE, .body = create_body,
};

static void dropped_create_not_retried(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;

	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"POST "
				   TRUNKS_TEMPLATE "\",\"kind\":"
				   "\"drop_after_commit\",\"count\":1}"), 0);
	assert_int_equal(http_client_send(f->client, &create_trunk, &response,
					  &info), TRUNKCTL_EIO);
	assert_true(response.outcome_unknown);
	assert_true(info.outcome_unknown);
	http_response_release(&response);
	assert_non_null(strstr(error_message(), "POST http://127.0.0.1:"));
	assert_non_null(strstr(error_message(), "not resent"));
	assert_int_equal(info.attempts, 1);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_TEMPLATE), 1);
}

static void dropped_safe_create_retried(void **state)
{
	struct http_fixture *f = *state;
	struct http_request request = create_trunk;
	struct http_response response;
	struct api_call_info info;

	request.retry_safe = true;
	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"POST "
				   TRUNKS_TEMPLATE "\",\"kind\":"
				   "\"drop_before_commit\",\"count\":1}"), 0);
	assert_int_equal(http_client_send(f->client, &request, &response,
					  &info), 0);
	assert_int_equal(response.status, 201);
	http_response_release(&response);
	assert_false(info.outcome_unknown);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_TEMPLATE), 2);
}

static void invalid_json_reported(void **state)
{
	struct http_fixture *f = *state;
	cJSON *json = NULL;

	fixture_client(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"invalid_json\",\"count\":1}"),
			 0);
	assert_int_equal(http_client_send_json(f->client, &get_edge, &json,
					       NULL), TRUNKCTL_EINVALID);
	assert_null(json);
	assert_non_null(strstr(error_message(), "GET http://127.0.0.1:"));
	assert_non_null(strstr(error_message(), "/edges/edge-a"));
	assert_non_null(strstr(error_message(), "not valid JSON"));
	assert_int_equal(sim_count(&f->sim, "GET", EDGE_TEMPLATE), 1);
}

static void truncated_body_reported(void **state)
{
	struct http_fixture *f = *state;
	struct api_call_info info;
	cJSON *json = NULL;

	fixture_client(f);
	/* One truncated response is retried like a dropped connection. */
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"truncate\",\"count\":1}"), 0);
	assert_int_equal(http_client_send_json(f->client, &get_edge, &json,
					       &info), 0);
	cJSON_Delete(json);
	assert_int_equal(info.attempts, 2);

	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"truncate\",\"count\":10}"),
			 0);
	assert_int_equal(http_client_send_json(f->client, &get_edge, &json,
					       &info), TRUNKCTL_EIO);
	assert_null(json);
	assert_non_null(strstr(error_message(), "/edges/edge-a: "));
	assert_non_null(strstr(error_message(), "gave up after 6 attempts"));
	assert_int_equal(info.attempts, 6);
}

static void not_found_not_retried(void **state)
{
	struct http_fixture *f = *state;
	struct http_request request = get_edge;
	struct http_response response;
	struct api_call_info info;

	request.path = EDGES_PATH "/no-such-edge";
	fixture_client(f);
	assert_int_equal(http_client_send(f->client, &request, &response,
					  &info), TRUNKCTL_ENOTFOUND);
	http_response_release(&response);
	assert_int_equal(info.attempts, 1);
	assert_int_equal(info.status, 404);
	assert_true(*info.correlation_id);
	assert_non_null(strstr(error_message(), "status 404 (not.found)"));
	assert_non_null(strstr(error_message(), info.correlation_id));
}

static void bad_request_not_retried(void **state)
{
	struct http_fixture *f = *state;
	struct http_request request = create_trunk;
	struct http_response response;
	struct api_call_info info;

	request.body = "{\"name\":\"\"}";
	fixture_client(f);
	assert_int_equal(http_client_send(f->client, &request, &response,
					  &info), TRUNKCTL_EINVALID);
	http_response_release(&response);
	assert_int_equal(info.attempts, 1);
	assert_int_equal(info.status, 400);
	assert_non_null(strstr(error_message(), "status 400"));
}

static void request_timeout_applies(void **state)
{
	struct http_fixture *f = *state;
	struct http_response response;
	struct api_call_info info;

	f->config.request_timeout_ms = 100;
	f->config.retry_attempts = 1;
	fixture_client(f);
	call_edge(f); /* the token, before the delays */
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"delay\",\"count\":2,"
				   "\"delayMs\":400}"), 0);
	assert_int_equal(http_client_send(f->client, &get_edge, &response,
					  &info), TRUNKCTL_ETIMEOUT);
	http_response_release(&response);
	assert_int_equal(info.attempts, 2);
	assert_true(info.latency_ms >= 200);
	assert_true(info.latency_ms < 800);
}

static void rate_limit_spaces_requests(void **state)
{
	struct http_fixture *f = *state;
	struct logged_request *log;
	long started;
	size_t n;

	/* 600 a minute: a burst of 10, then one every 101.7 ms. */
	f->config.max_requests_per_minute = 600;
	fixture_client(f);
	started = http_now_ms();
	fixture_threads(4, call_edge_many, f); /* 80 calls */
	assert_true(http_now_ms() - started >= (80 - 10) * 101 - 50);

	n = fixture_log(f, &log);
	assert_int_equal(n, 80);
	/* No window of 1 s contains more than 20 requests: the burst of 10
	 * plus 10 of refill. */
	for (size_t i = 20; i < n; i++)
		assert_true(log[i].t - log[i - 20].t >= 1000 - 5);
	free(log);
}

/* Runs `body` with stderr going to a file; returns the file's text. */
static char *capture_stderr(void (*body)(struct http_fixture *),
			    struct http_fixture *f)
{
	char path[] = "/tmp/trunkctl-trace-XXXXXX";
	int fd = mkstemp(path), saved;
	char *text = calloc(1, 1 << 20);
	FILE *file;

	assert_true(fd >= 0);
	assert_non_null(text);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	body(f);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);

	file = fopen(path, "r");
	assert_non_null(file);
	fread(text, 1, (1 << 20) - 1, file);
	fclose(file);
	unlink(path);
	return text;
}

static void traced_calls(struct http_fixture *f)
{
	log_configure(LOG_DEBUG, LOG_AREA_HTTP);
	call_edge(f);
	assert_int_equal(sim_fault(&f->sim, "{\"kind\":\"expire_tokens\"}"), 0);
	call_edge(f);
	log_configure(LOG_INFO, 0);
}

static void trace_hides_secrets(void **state)
{
	struct http_fixture *f = *state;
	char token[4096];
	unsigned long generation;
	char *trace;

	fixture_client(f);
	trace = capture_stderr(traced_calls, f);
	assert_int_equal(http_token_get(f->client, token, sizeof(token),
					&generation), 0);

	assert_non_null(strstr(trace, "http: GET " EDGES_PATH
			       "/edge-a -> 200"));
	assert_non_null(strstr(trace, "http: GET " EDGES_PATH
			       "/edge-a -> 401"));
	assert_non_null(strstr(trace, "http: POST /oauth/token -> 200"));
	assert_non_null(strstr(trace, "Authorization: [redacted]"));
	assert_non_null(strstr(trace, "User-Agent: trunkctl/"));
	assert_non_null(strstr(trace, "ININ-Correlation-Id"));
	assert_null(strstr(trace, SIM_CLIENT_SECRET));
	assert_null(strstr(trace, token));
	assert_null(strstr(trace, "access_token"));
	assert_null(strstr(trace, "Bearer"));
	assert_null(strstr(trace, "Basic"));
	free(trace);
}

static void metrics_per_endpoint(void **state)
{
	struct http_fixture *f = *state;
	struct http_endpoint_stats *stats = NULL;
	struct http_response response;
	size_t count = 0, i;
	const struct http_endpoint_stats *edge = NULL, *token = NULL;

	fixture_client(f);
	for (i = 0; i < 9; i++)
		call_edge(f);
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"GET " EDGE_TEMPLATE
				   "\",\"kind\":\"429\",\"count\":1,"
				   "\"retryAfter\":\"0\"}"), 0);
	call_edge(f);
	assert_int_equal(http_client_send(f->client, &(struct http_request){
		.method = "GET", .path = EDGES_PATH "/nope",
		.route = EDGE_TEMPLATE }, &response, NULL), TRUNKCTL_ENOTFOUND);
	http_response_release(&response);

	assert_int_equal(http_client_metrics(f->client, &stats, &count), 0);
	for (i = 0; i < count; i++) {
		if (strcmp(stats[i].route, EDGE_TEMPLATE) == 0)
			edge = &stats[i];
		if (strcmp(stats[i].route, TOKEN_TEMPLATE) == 0)
			token = &stats[i];
	}
	assert_non_null(edge);
	assert_non_null(token);
	assert_string_equal(edge->method, "GET");
	assert_int_equal(edge->calls, 11);
	assert_int_equal(edge->requests, 12);
	assert_int_equal(edge->successes, 10);
	assert_int_equal(edge->failures, 1);
	assert_int_equal(edge->retries, 1);
	assert_int_equal(edge->throttled, 1);
	assert_true(edge->latency_p50_ms <= edge->latency_p95_ms);
	assert_true(edge->latency_p95_ms <= edge->latency_max_ms);
	assert_int_equal(token->calls, 1);
	free(stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(token_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(token_expiry_refreshes_once,
						setup_slow, teardown),
		cmocka_unit_test_setup_teardown(token_refresh_after_401, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wrong_secret_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(throttled_pauses_every_worker,
						setup, teardown),
		cmocka_unit_test_setup_teardown(throttled_until_http_date,
						setup, teardown),
		cmocka_unit_test_setup_teardown(retry_after_beyond_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(five_503s_then_success, setup,
						teardown),
		cmocka_unit_test_setup_teardown(breaker_opens_on_503s, setup,
						teardown),
		cmocka_unit_test_setup_teardown(breaker_lets_one_probe,
						setup_slow, teardown),
		cmocka_unit_test_setup_teardown(dropped_get_retried, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dropped_create_not_retried,
						setup, teardown),
		cmocka_unit_test_setup_teardown(dropped_safe_create_retried,
						setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_json_reported, setup,
						teardown),
		cmocka_unit_test_setup_teardown(truncated_body_reported, setup,
						teardown),
		cmocka_unit_test_setup_teardown(not_found_not_retried, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_request_not_retried, setup,
						teardown),
		cmocka_unit_test_setup_teardown(request_timeout_applies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rate_limit_spaces_requests,
						setup, teardown),
		cmocka_unit_test_setup_teardown(trace_hides_secrets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(metrics_per_endpoint, setup,
						teardown),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}

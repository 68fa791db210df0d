/*
 * The pure parts of the retry policy: backoff with full jitter,
 * Retry-After in both forms, the token bucket's arithmetic, the circuit
 * breaker's states, the platform's error body and JSON parse errors.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/errors.h"
#include "http/profile.h"
#include "http/profile_internal.h"
#include "http/ratelimit.h"
#include "http/retry.h"
#include "model/error.h"

static void backoff_doubles_to_cap(void **state)
{
	(void)state;
	/* With random01 just below 1 the delay is the ceiling. */
	assert_int_equal(http_backoff_ms(500, 30000, 1, 0.9999999), 499);
	assert_int_equal(http_backoff_ms(500, 30000, 2, 0.9999999), 999);
	assert_int_equal(http_backoff_ms(500, 30000, 3, 0.9999999), 1999);
	assert_int_equal(http_backoff_ms(500, 30000, 7, 0.9999999), 29999);
	assert_int_equal(http_backoff_ms(500, 30000, 60, 0.9999999), 29999);
	assert_int_equal(http_backoff_ms(500, 30000, 3, 0.5), 1000);
	assert_int_equal(http_backoff_ms(500, 30000, 3, 0.0), 0);
	assert_int_equal(http_backoff_ms(0, 0, 3, 0.7), 0);
}

static void jitter_is_uniform(void **state)
{
	double sum = 0, low = 1, high = 0;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		double r = http_random01();

		assert_true(r >= 0 && r < 1);
		sum += r;
		low = r < low ? r : low;
		high = r > high ? r : high;
	}
	assert_true(sum / 10000 > 0.45 && sum / 10000 < 0.55);
	assert_true(low < 0.01);
	assert_true(high > 0.99);
}

static void retry_after_seconds(void **state)
{
	long ms = -1;

	(void)state;
	assert_int_equal(http_retry_after_parse("1", 0, &ms), 0);
	assert_int_equal(ms, 1000);
	assert_int_equal(http_retry_after_parse(" 120 ", 0, &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(http_retry_after_parse("0", 0, &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(http_retry_after_parse("1.5", 0, &ms),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_retry_after_parse("-3", 0, &ms),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_retry_after_parse("soon", 0, &ms),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_retry_after_parse("", 0, &ms),
			 TRUNKCTL_EINVALID);
}

static void retry_after_http_date(void **state)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT */
	const time_t when = 1445412480;
	long ms = -1;

	(void)state;
	assert_int_equal(http_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT",
						when - 3, &ms), 0);
	assert_int_equal(ms, 3000);
	/* RFC 850 and asctime forms, which HTTP dates may also take. */
	assert_int_equal(http_retry_after_parse("Wednesday, 21-Oct-15 "
						"07:28:00 GMT", when - 2, &ms),
			 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(http_retry_after_parse("Wed Oct 21 07:28:00 2015",
						when - 1, &ms), 0);
	assert_int_equal(ms, 1000);
	/* A date in the past means now. */
	assert_int_equal(http_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT",
						when + 100, &ms), 0);
	assert_int_equal(ms, 0);
}

static void bucket_burst_then_rate(void **state)
{
	struct http_rate_limiter limiter;
	int i;

	(void)state;
	/* 300 a minute: a burst of 10, then 290 a minute. */
	assert_int_equal(http_rate_limiter_init(&limiter, 300, 1000), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(http_rate_limiter_reserve(&limiter, 1000), 0);
	/* Each token takes 60000 / 290 = 206.9 ms to come back. */
	assert_in_range(http_rate_limiter_reserve(&limiter, 1000), 206, 208);
	assert_in_range(http_rate_limiter_reserve(&limiter, 1000), 413, 415);
	/* Reserved tokens are paid back before new callers are served. */
	assert_in_range(http_rate_limiter_reserve(&limiter, 1414), 206, 208);
	http_rate_limiter_release(&limiter);
}

static void bucket_never_exceeds_limit(void **state)
{
	struct http_rate_limiter limiter;
	long now = 0, sent_in_first_minute = 0;
	int i;

	(void)state;
	/* Callers that always send as soon as allowed, for 61 s. */
	assert_int_equal(http_rate_limiter_init(&limiter, 300, 0), 0);
	for (i = 0; i < 400; i++) {
		now += http_rate_limiter_reserve(&limiter, now);
		if (now < 60000)
			sent_in_first_minute++;
	}
	assert_true(sent_in_first_minute <= 300);
	assert_true(sent_in_first_minute >= 295);
	http_rate_limiter_release(&limiter);
}

static void bucket_zero_is_unlimited(void **state)
{
	struct http_rate_limiter limiter;
	int i;

	(void)state;
	assert_int_equal(http_rate_limiter_init(&limiter, 0, 0), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(http_rate_limiter_reserve(&limiter, 0), 0);
	http_rate_limiter_release(&limiter);
}

static void bucket_small_limits(void **state)
{
	struct http_rate_limiter limiter;

	(void)state;
	/* 60 a minute: burst 2, then one every 60000 / 58 ms. */
	assert_int_equal(http_rate_limiter_init(&limiter, 60, 0), 0);
	assert_int_equal(http_rate_limiter_reserve(&limiter, 0), 0);
	assert_int_equal(http_rate_limiter_reserve(&limiter, 0), 0);
	assert_in_range(http_rate_limiter_reserve(&limiter, 0), 1034, 1036);
	http_rate_limiter_release(&limiter);

	/* 1 a minute still refills. */
	assert_int_equal(http_rate_limiter_init(&limiter, 1, 0), 0);
	assert_int_equal(http_rate_limiter_reserve(&limiter, 0), 0);
	assert_in_range(http_rate_limiter_reserve(&limiter, 0), 59999, 60001);
	http_rate_limiter_release(&limiter);
}

static void pause_applies_until_time(void **state)
{
	struct http_rate_limiter limiter;

	(void)state;
	assert_int_equal(http_rate_limiter_init(&limiter, 0, 0), 0);
	assert_int_equal(http_rate_limiter_paused_for(&limiter, 100), 0);
	http_rate_limiter_pause(&limiter, 1100);
	assert_int_equal(http_rate_limiter_paused_for(&limiter, 100), 1000);
	/* An earlier end does not shorten a pause. */
	http_rate_limiter_pause(&limiter, 500);
	assert_int_equal(http_rate_limiter_paused_for(&limiter, 600), 500);
	assert_int_equal(http_rate_limiter_paused_for(&limiter, 1100), 0);
	http_rate_limiter_release(&limiter);
}

static void breaker_opens_at_threshold(void **state)
{
	struct http_breaker breaker;
	bool probe;
	int i;

	(void)state;
	assert_int_equal(http_breaker_init(&breaker, 3, 10000), 0);
	for (i = 0; i < 2; i++) {
		http_breaker_enter(&breaker, &probe);
		assert_false(probe);
		assert_false(http_breaker_record(&breaker, BREAKER_FAILURE,
						 probe));
	}
	/* A 429 neither counts nor resets. */
	assert_false(http_breaker_record(&breaker, BREAKER_NEUTRAL, false));
	assert_true(http_breaker_record(&breaker, BREAKER_FAILURE, false));
	assert_true(http_breaker_is_open(&breaker));
	assert_int_equal(breaker.opened_count, 1);
	/* Failures of requests already in flight do not extend it. */
	assert_false(http_breaker_record(&breaker, BREAKER_FAILURE, false));
	assert_int_equal(breaker.opened_count, 1);
	http_breaker_release(&breaker);
}

static void breaker_success_resets(void **state)
{
	struct http_breaker breaker;

	(void)state;
	assert_int_equal(http_breaker_init(&breaker, 2, 10000), 0);
	assert_false(http_breaker_record(&breaker, BREAKER_FAILURE, false));
	assert_false(http_breaker_record(&breaker, BREAKER_SUCCESS, false));
	assert_false(http_breaker_record(&breaker, BREAKER_FAILURE, false));
	assert_false(http_breaker_is_open(&breaker));
	http_breaker_release(&breaker);
}

static void breaker_probe_after_cooldown(void **state)
{
	struct http_breaker breaker;
	long started;
	bool probe;

	(void)state;
	assert_int_equal(http_breaker_init(&breaker, 1, 50), 0);
	assert_true(http_breaker_record(&breaker, BREAKER_FAILURE, false));

	started = http_now_ms();
	http_breaker_enter(&breaker, &probe);
	assert_true(probe);
	assert_true(http_now_ms() - started >= 45);
	/* The probe failed: open again for a whole cool-down. */
	assert_true(http_breaker_record(&breaker, BREAKER_FAILURE, probe));
	assert_int_equal(breaker.opened_count, 2);

	started = http_now_ms();
	http_breaker_enter(&breaker, &probe);
	assert_true(probe);
	assert_true(http_now_ms() - started >= 45);
	assert_false(http_breaker_record(&breaker, BREAKER_SUCCESS, probe));
	assert_false(http_breaker_is_open(&breaker));

	http_breaker_enter(&breaker, &probe);
	assert_false(probe);
	http_breaker_release(&breaker);
}

static void response_with(struct http_response *response, long status,
			  const char *body)
{
	memset(response, 0, sizeof(*response));
	response->status = status;
	response->body = (char *)body;
	response->body_len = strlen(body);
	snprintf(response->correlation_id, sizeof(response->correlation_id),
		 "corr-123");
}

static void error_body_parsed(void **state)
{
	struct http_response response;
	struct api_error error;

	(void)state;
	response_with(&response, 400,
		      "{\"message\":\"Invalid value\","
		      "\"code\":\"invalid.value\","
		      "\"status\":400,\"contextId\":\"ctx-9\","
		      "\"details\":[{\"errorCode\":\"x\","
		      "\"fieldName\":\"codecs\"}],"
		      "\"errors\":[{\"message\":\"codecs: unknown G711\"}]}");
	api_error_parse(&response, &error);
	assert_int_equal(error.status, 400);
	assert_string_equal(error.code, "invalid.value");
	assert_string_equal(error.message, "Invalid value");
	assert_string_equal(error.context_id, "ctx-9");
	assert_string_equal(error.correlation_id, "corr-123");
	assert_string_equal(error.details, "codecs: unknown G711");
	assert_int_equal(api_error_code(&error), TRUNKCTL_EINVALID);

	assert_int_equal(api_error_report("PUT", "http://127.0.0.1:1/x",
					  &response, NULL),
			 TRUNKCTL_EINVALID);
	assert_string_equal(error_message(),
			    "PUT http://127.0.0.1:1/x: status 400 "
			    "(invalid.value): Invalid value (codecs: unknown "
			    "G711); correlation id corr-123, context id ctx-9");
}

static void error_body_not_json(void **state)
{
	struct http_response response;
	struct api_error error;

	(void)state;
	response_with(&response, 502, "<html>\nBad gateway</html>");
	api_error_parse(&response, &error);
	assert_string_equal(error.code, "");
	assert_string_equal(error.message, "<html> Bad gateway</html>");
	assert_int_equal(api_error_code(&error), TRUNKCTL_EHTTP);

	response_with(&response, 500, "[1, 2]");
	api_error_parse(&response, &error);
	assert_string_equal(error.message, "[1, 2]");
}

static void version_conflict_forms(void **state)
{
	struct http_response response;
	struct api_error error;

	(void)state;
	response_with(&response, 409, "{\"message\":\"conflict\","
		      "\"code\":\"conflict\"}");
	api_error_parse(&response, &error);
	assert_true(api_error_is_version_conflict(&error));
	assert_int_equal(api_error_code(&error), TRUNKCTL_ECONFLICT);

	response_with(&response, 400, "{\"message\":\"The VERSION does not "
		      "match the current version\",\"code\":\"bad.request\"}");
	api_error_parse(&response, &error);
	assert_true(api_error_is_version_conflict(&error));
	assert_int_equal(api_error_code(&error), TRUNKCTL_ECONFLICT);

	response_with(&response, 400, "{\"message\":\"name is required\","
		      "\"code\":\"bad.request\"}");
	api_error_parse(&response, &error);
	assert_false(api_error_is_version_conflict(&error));

	response_with(&response, 404, "{\"code\":\"not.found\"}");
	api_error_parse(&response, &error);
	assert_int_equal(api_error_code(&error), TRUNKCTL_ENOTFOUND);
	response_with(&response, 403, "{\"code\":\"missing.permissions\"}");
	api_error_parse(&response, &error);
	assert_int_equal(api_error_code(&error), TRUNKCTL_EAUTH);
}

static void json_parse_errors(void **state)
{
	const char *body = "{\"entities\": [1, 2,}";
	cJSON *json = (cJSON *)1;

	(void)state;
	assert_int_equal(http_json_parse(body, strlen(body), "GET",
					 "http://127.0.0.1:1/list", &json),
			 TRUNKCTL_EINVALID);
	assert_null(json);
	assert_non_null(strstr(error_message(), "GET http://127.0.0.1:1/list"));
	assert_non_null(strstr(error_message(), "not valid JSON"));
	assert_non_null(strstr(error_message(), "byte 19"));

	assert_int_equal(http_json_parse("", 0, "GET", "u", &json),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_json_parse("{\"a\":1} x", 9, "GET", "u", &json),
			 TRUNKCTL_EINVALID);
	assert_int_equal(http_json_parse("{\"a\":1}", 7, "GET", "u", &json), 0);
	cJSON_Delete(json);
}

static void escape_path_segments(void **state)
{
	char *escaped;

	(void)state;
	escaped = api_escape("Dublin Edge/1?&=%");
	assert_string_equal(escaped, "Dublin%20Edge%2F1%3F%26%3D%25");
	free(escaped);
	escaped = api_escape("6f9619ff-8b86_d011.b42d~");
	assert_string_equal(escaped, "6f9619ff-8b86_d011.b42d~");
	free(escaped);
}

static void diagnostics_decoded(void **state)
{
	cJSON *json = cJSON_Parse(
		"{\"trunkId\":\"t-1\",\"sipInvite\":{\"responseCode\":200,"
		"\"reason\":\"OK\",\"latencyMs\":14},\"natTraversal\":"
		"{\"status\":\"OK\"},\"keepAlive\":{\"status\":\"UP\","
		"\"intervalSeconds\":30}}");
	struct api_trunk_diagnostics diag;

	(void)state;
	assert_int_equal(api_diagnostics_from_json(json, &diag), 0);
	assert_string_equal(diag.trunk_id, "t-1");
	assert_int_equal(diag.invite_code, 200);
	assert_string_equal(diag.invite_reason, "OK");
	assert_int_equal(diag.invite_latency_ms, 14);
	assert_string_equal(diag.nat_status, "OK");
	assert_string_equal(diag.keepalive_status, "UP");
	assert_int_equal(diag.keepalive_interval, 30);
	api_trunk_diagnostics_release(&diag);

	cJSON_DeleteItemFromObject(json, "keepAlive");
	assert_int_equal(api_diagnostics_from_json(json, &diag),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "keepAlive"));
	cJSON_Delete(json);
}

static void edge_decoded(void **state)
{
	cJSON *json = cJSON_Parse("{\"id\":\"e-1\",\"name\":\"Cork\","
				  "\"maxTrunks\":12}");
	struct edge_ref edge;

	(void)state;
	assert_int_equal(api_edge_from_json(json, &edge), 0);
	assert_string_equal(edge.id, "e-1");
	assert_string_equal(edge.name, "Cork");
	assert_int_equal(edge.max_trunks, 12);
	edge_ref_release(&edge);
	cJSON_DeleteItemFromObject(json, "name");
	assert_int_equal(api_edge_from_json(json, &edge), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'name'"));
	cJSON_Delete(json);
}

/* A number too large for the field is an error, not a conversion with
 * undefined behaviour. */
static void huge_numbers_rejected(void **state)
{
	cJSON *edge = cJSON_Parse("{\"id\":\"e-1\",\"name\":\"Cork\","
				  "\"maxTrunks\":5e66}");
	cJSON *diag_json = cJSON_Parse(
		"{\"sipInvite\":{\"responseCode\":1e20},\"natTraversal\":"
		"{\"status\":\"OK\"},\"keepAlive\":{\"status\":\"UP\","
		"\"intervalSeconds\":-1e300}}");
	struct api_trunk_diagnostics diag;
	struct edge_ref ref;

	(void)state;
	assert_int_equal(api_edge_from_json(edge, &ref), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'maxTrunks'"));
	assert_null(ref.id);
	assert_int_equal(api_diagnostics_from_json(diag_json, &diag),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'responseCode'"));
	assert_null(diag.nat_status);
	cJSON_Delete(edge);
	cJSON_Delete(diag_json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_to_cap),
		cmocka_unit_test(jitter_is_uniform),
		cmocka_unit_test(retry_after_seconds),
		cmocka_unit_test(retry_after_http_date),
		cmocka_unit_test(bucket_burst_then_rate),
		cmocka_unit_test(bucket_never_exceeds_limit),
		cmocka_unit_test(bucket_zero_is_unlimited),
		cmocka_unit_test(bucket_small_limits),
		cmocka_unit_test(pause_applies_until_time),
		cmocka_unit_test(breaker_opens_at_threshold),
		cmocka_unit_test(breaker_success_resets),
		cmocka_unit_test(breaker_probe_after_cooldown),
		cmocka_unit_test(error_body_parsed),
		cmocka_unit_test(error_body_not_json),
		cmocka_unit_test(version_conflict_forms),
		cmocka_unit_test(json_parse_errors),
		cmocka_unit_test(escape_path_segments),
		cmocka_unit_test(diagnostics_decoded),
		cmocka_unit_test(edge_decoded),
		cmocka_unit_test(huge_numbers_rejected),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}

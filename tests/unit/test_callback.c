/* Callbacks: body, HMAC signature, URL checks, and delivery to a
 * loopback server started by the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "model/error.h"
#include "reconcile/callback.h"
#include "tests/support/script_server.h"

/*
 * Each test scripts the statuses of the loopback server's replies. Every
 * reply has a Location header, which a redirect must not follow.
 */
static struct script_reply replies[SCRIPT_SERVER_MAX_REPLIES];

static void server_start(struct script_server *s, const int *statuses,
			 int count)
{
	int i;

	for (i = 0; i < count; i++)
		replies[i] = (struct script_reply){
			statuses[i],
			"Location: http://127.0.0.1:9/elsewhere\r\n", NULL,
		};
	assert_int_equal(script_server_start(s, replies, count), 0);
}

static void test_hmac_rfc4231_case2(void **state)
{
	const char *data = "what do ya want for nothing?";
	char hex[65];

	(void)state;
	assert_int_equal(callback_sign("Jefe", 4, data, strlen(data), hex), 0);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
				 "5a003f089d2739839dec58b964ec3843");
}

static void test_delivery_id_is_uuid4(void **state)
{
	char a[37], b[37];
	int i;

	(void)state;
	assert_int_equal(callback_delivery_id_new(a), 0);
	assert_int_equal(callback_delivery_id_new(b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static void test_body_fields(void **state)
{
	const struct callback_outcome outcomes[] = {
		{ "create", "succeeded" }, { "activate", "succeeded" },
		{ "verify", "failed" },
	};
	const struct plan_source source = { NULL, "repo.git", "main",
					    "abc123", false };
	struct callback_event event = { 0 };
	char *body, id[37];

	(void)state;
	event.delivery_id = "11111111-2222-4333-8444-555555555555";
	event.time_ms = 1796401200000LL;
	event.run_id = "run-1";
	event.source = &source;
	event.edge_id = "edge-1";
	event.edge_name = "Dublin Edge 1";
	event.trunk_name = "Carrier-A";
	event.trunk_id = "t-1";
	event.actions = outcomes;
	event.action_count = 3;
	assert_int_equal(callback_body_build(&event, &body, id), 0);
	assert_string_equal(id, event.delivery_id);
	assert_string_equal(body,
		"{\"event\":\"trunk.reconciled\","
		"\"deliveryId\":\"11111111-2222-4333-8444-555555555555\","
		"\"timestamp\":\"2026-12-04T16:20:00.000Z\","
		"\"runId\":\"run-1\","
		"\"source\":{\"repo\":\"repo.git\",\"ref\":\"main\","
		"\"commit\":\"abc123\",\"dirty\":false},"
		"\"edge\":{\"id\":\"edge-1\",\"name\":\"Dublin Edge 1\"},"
		"\"trunk\":{\"name\":\"Carrier-A\",\"id\":\"t-1\"},"
		"\"actions\":[{\"action\":\"create\","
		"\"outcome\":\"succeeded\"},"
		"{\"action\":\"activate\",\"outcome\":\"succeeded\"},"
		"{\"action\":\"verify\",\"outcome\":\"failed\"}]}");
	free(body);
}

static void test_url_check(void **state)
{
	(void)state;
	assert_int_equal(callback_check_url("https://portal.example/hook"), 0);
	assert_int_equal(callback_check_url("http://127.0.0.1:8080/hook"), 0);
	assert_int_equal(callback_check_url("http://localhost/hook"), 0);
	assert_int_equal(callback_check_url("http://[::1]:9/hook"), 0);
	assert_int_equal(callback_check_url("http://portal.example/hook"),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "must use https"));
	assert_int_equal(callback_check_url("http://127.0.0.1.evil.example/"),
			 TRUNKCTL_EINVALID);
	assert_int_equal(callback_check_url("ftp://127.0.0.1/x"),
			 TRUNKCTL_EINVALID);
	assert_int_equal(callback_check_url("not a url"), TRUNKCTL_EINVALID);
}

static void fast_options(struct callback_send_options *options)
{
	callback_send_options_init(options);
	options->backoff_ms = 5;
	options->timeout_ms = 5000;
}

static void test_send_signed_after_retry(void **state)
{
	const int script[] = { 503, 200 };
	const char *body = "{\"event\":\"trunk.reconciled\"}";
	struct callback_send_options options;
	struct callback_request request = { 0 };
	struct callback_result result;
	struct script_server server;
	char url[64], hex[65], header[128];

	(void)state;
	server_start(&server, script, 2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", server.port);
	fast_options(&options);
	request.url = url;
	request.body = body;
	request.delivery_id = "11111111-2222-4333-8444-555555555555";
	request.key = "secret";
	request.key_len = 6;
	assert_int_equal(callback_send(&request, &options, &result), 0);
	script_server_stop(&server);

	assert_int_equal(result.attempts, 2);
	assert_int_equal(result.http_status, 200);
	assert_int_equal(server.served, 2);
	assert_int_equal(callback_sign("secret", 6, body, strlen(body), hex),
			 0);
	snprintf(header, sizeof(header), "X-Trunkctl-Signature: sha256=%s\r\n",
		 hex);
	assert_non_null(strstr(server.requests[1], header));
	assert_non_null(strstr(server.requests[1], "X-Trunkctl-Delivery: "
			       "11111111-2222-4333-8444-555555555555\r\n"));
	assert_non_null(strstr(server.requests[1], "POST /hook HTTP/1.1"));
	assert_non_null(strstr(server.requests[1], body));
}

static void test_send_unsigned(void **state)
{
	const int script[] = { 204 };
	struct callback_request request = { 0 };
	struct callback_send_options options;
	struct callback_result result;
	struct script_server server;
	char url[64];

	(void)state;
	server_start(&server, script, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", server.port);
	fast_options(&options);
	request.url = url;
	request.body = "{}";
	assert_int_equal(callback_send(&request, &options, &result), 0);
	script_server_stop(&server);
	assert_null(strstr(server.requests[0], "X-Trunkctl-Signature"));
}

static void test_send_gives_up(void **state)
{
	const int script[] = { 500, 502, 503 };
	struct callback_request request = { 0 };
	struct callback_send_options options;
	struct callback_result result;
	struct script_server server;
	char url[64];

	(void)state;
	server_start(&server, script, 3);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", server.port);
	fast_options(&options);
	request.url = url;
	request.body = "{}";
	assert_int_equal(callback_send(&request, &options, &result),
			 TRUNKCTL_EHTTP);
	script_server_stop(&server);
	assert_int_equal(result.attempts, 3);
	assert_int_equal(result.http_status, 503);
	assert_non_null(strstr(error_message(), "after 3 attempts"));
}

static void test_send_no_redirect(void **state)
{
	const int script[] = { 302 };
	struct callback_request request = { 0 };
	struct callback_send_options options;
	struct callback_result result;
	struct script_server server;
	char url[64];

	(void)state;
	server_start(&server, script, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", server.port);
	fast_options(&options);
	request.url = url;
	request.body = "{}";
	assert_int_equal(callback_send(&request, &options, &result),
			 TRUNKCTL_EHTTP);
	script_server_stop(&server);
	assert_int_equal(result.attempts, 1);
	assert_int_equal(server.served, 1);
	assert_non_null(strstr(result.error, "redirects are not followed"));
}

static void test_send_rejects_plain_http(void **state)
{
	struct callback_request request = { 0 };
	struct callback_result result;

	(void)state;
	request.url = "http://portal.example/hook";
	request.body = "{}";
	assert_int_equal(callback_send(&request, NULL, &result),
			 TRUNKCTL_EINVALID);
	assert_int_equal(result.attempts, 0);
}

static int global_setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int global_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231_case2),
		cmocka_unit_test(test_delivery_id_is_uuid4),
		cmocka_unit_test(test_body_fields),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_send_signed_after_retry),
		cmocka_unit_test(test_send_unsigned),
		cmocka_unit_test(test_send_gives_up),
		cmocka_unit_test(test_send_no_redirect),
		cmocka_unit_test(test_send_rejects_plain_http),
	};

	return cmocka_run_group_tests(tests, global_setup, global_teardown);
}

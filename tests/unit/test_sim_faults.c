/*
 * trunksim's faults: each runtime fault of POST /__sim/faults and each
 * fault flag has its documented effect, and the request log records it.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "tests/support/sim.h"

#define EDGES "/api/v2/telephony/providers/edges"
#define TRUNKS EDGES "/edge-a/trunks"
#define TRUNKS_ROUTE EDGES "/{edgeId}/trunks"

static const char seed_json[] =
	"{\"edges\": [{\"id\": \"edge-a\", \"name\": \"Edge A\", \"trunks\": ["
	"  {\"id\": \"t-b\", \"name\": \"bravo\"},"
	"  {\"id\": \"t-c\", \"name\": \"charlie\"},"
	"  {\"id\": \"t-d\", \"name\": \"delta\"}]}]}";

static const char payload[] =
	"{\"name\": \"echo\", \"maxConcurrentCalls\": 5,"
	" \"sipEndpoints\": [\"198.51.100.5:5060\"]}";

struct fixture {
	struct sim sim;
	char token[128];
};

static struct fixture *fixture_start(const char *const *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *args[32] = {"--activation-delay-ms", "50"};
	size_t n = 2;
	char seed[512];

	assert_non_null(f);
	assert_int_equal(sim_write_file(&f->sim, "seed.json", seed_json,
					seed, sizeof(seed)),
			 0);
	args[n++] = "--seed";
	args[n++] = seed;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(sim_start(&f->sim, args), 0);
	assert_int_equal(sim_token(&f->sim, f->token, sizeof(f->token)), 0);
	assert_int_equal(sim_reset_counts(&f->sim), 0);
	return f;
}

static int setup(void **state)
{
	*state = fixture_start(NULL);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_stop(&f->sim), 0);
	free(f);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static long get(struct fixture *f, const char *path, struct sim_response *res)
{
	return sim_call(&f->sim, f->token, "GET", path, NULL, res);
}

static long get_status(struct fixture *f, const char *path)
{
	struct sim_response res;
	long status = get(f, path, &res);

	sim_response_release(&res);
	return status;
}

/* The request log; the caller deletes it. */
static cJSON *request_log(struct fixture *f)
{
	char *body = NULL;
	cJSON *json;

	assert_int_equal(sim_request(&f->sim, "GET", "/__sim/requests?log=1",
				     NULL, &body),
			 200);
	json = cJSON_Parse(body);
	free(body);
	assert_non_null(json);
	return json;
}

/* The status the log records for its `index`th entry. */
static long logged_status(struct fixture *f, int index, const char *path)
{
	cJSON *json = request_log(f);
	const cJSON *entry =
		cJSON_GetArrayItem(cJSON_GetObjectItem(json, "log"), index);
	long status;

	assert_non_null(entry);
	assert_string_equal(
		cJSON_GetStringValue(cJSON_GetObjectItem(entry, "path")), path);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(entry, "t")) > 0);
	status = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(entry,
								"status"));
	cJSON_Delete(json);
	return status;
}

/* Names of the entities of one listing page, joined with commas. */
static void page_names(struct fixture *f, const char *path, char *out,
		       size_t size)
{
	struct sim_response res;
	cJSON *json;
	const cJSON *item;

	assert_int_equal(get(f, path, &res), 200);
	json = cJSON_Parse(res.body);
	out[0] = '\0';
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(json, "entities"))
	{
		const char *name =
			cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));

		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 out[0] ? "," : "", name);
	}
	cJSON_Delete(json);
	sim_response_release(&res);
}

static void fault_429(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim,
				   "{\"route\": \"GET " TRUNKS_ROUTE "\","
				   " \"kind\": \"429\", \"count\": 2,"
				   " \"retryAfter\": \"2\"}"),
			 0);
	assert_int_equal(get_status(f, EDGES), 200);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(get(f, TRUNKS, &res), 429);
		assert_string_equal(res.retry_after, "2");
		assert_int_equal(strlen(res.correlation_id), 36);
		assert_non_null(
			strstr(res.body, "\"too.many.requests.retry.after\""));
		sim_response_release(&res);
	}
	assert_int_equal(get_status(f, TRUNKS), 200);
	assert_int_equal(logged_status(f, 1, TRUNKS), 429);
	assert_int_equal(logged_status(f, 3, TRUNKS), 200);
}

static void fault_503_with_date(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim,
				   "{\"route\": \"*\", \"kind\": \"503\","
				   " \"retryAfter\":"
				   " \"Wed, 21 Oct 2015 07:28:00 GMT\"}"),
			 0);
	assert_int_equal(get(f, EDGES "/edge-a", &res), 503);
	assert_string_equal(res.retry_after, "Wed, 21 Oct 2015 07:28:00 GMT");
	assert_non_null(strstr(res.body, "\"service.unavailable\""));
	sim_response_release(&res);
	assert_int_equal(get_status(f, EDGES "/edge-a"), 200);
	assert_int_equal(logged_status(f, 0, EDGES "/edge-a"), 503);
}

static void fault_star_skips_token(void **state)
{
	struct fixture *f = *state;
	char token[128];

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"*\","
					    " \"kind\": \"503\"}"),
			 0);
	assert_int_equal(sim_token(&f->sim, token, sizeof(token)), 0);
	assert_int_equal(get_status(f, EDGES), 503);
	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"POST /oauth/token\","
					    " \"kind\": \"503\"}"),
			 0);
	assert_int_equal(sim_token(&f->sim, token, sizeof(token)), -1);
	assert_int_equal(sim_token(&f->sim, token, sizeof(token)), 0);
}

static void fault_drop(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET " TRUNKS_ROUTE
					    "\", \"kind\": \"drop\"}"),
			 0);
	assert_int_equal(get(f, TRUNKS, &res), -1);
	assert_int_equal(res.curl_code, CURLE_GOT_NOTHING);
	sim_response_release(&res);
	assert_int_equal(logged_status(f, 0, TRUNKS), 0);
	assert_int_equal(get_status(f, TRUNKS), 200);
}

static void fault_truncate(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET " TRUNKS_ROUTE
					    "\", \"kind\": \"truncate\"}"),
			 0);
	assert_int_equal(get(f, TRUNKS, &res), -1);
	assert_int_equal(res.curl_code, CURLE_PARTIAL_FILE);
	assert_true(res.body_len > 0);
	assert_null(cJSON_Parse(res.body));
	sim_response_release(&res);
	assert_int_equal(logged_status(f, 0, TRUNKS), 200);
}

static void fault_invalid_json(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;
	cJSON *json;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET " TRUNKS_ROUTE
					    "\", \"kind\": \"invalid_json\"}"),
			 0);
	assert_int_equal(get(f, TRUNKS, &res), 200);
	json = cJSON_Parse(res.body);
	assert_null(json);
	sim_response_release(&res);
	assert_int_equal(logged_status(f, 0, TRUNKS), 200);
}

static void fault_delay(void **state)
{
	struct fixture *f = *state;
	double started;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET " TRUNKS_ROUTE
					    "\", \"kind\": \"delay\","
					    " \"delayMs\": 300}"),
			 0);
	started = now_ms();
	assert_int_equal(get_status(f, TRUNKS), 200);
	assert_true(now_ms() - started >= 300);
	started = now_ms();
	assert_int_equal(get_status(f, TRUNKS), 200);
	assert_true(now_ms() - started < 300);
	assert_int_equal(logged_status(f, 0, TRUNKS), 200);
}

/* A request sleeping in a long delay does not hold up the stop. */
static void stop_during_delay(void **state)
{
	struct fixture *f = *state;
	CURL *curl = curl_easy_init();
	char url[256];
	char auth[256];
	struct curl_slist *headers;
	double started;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"*\", \"kind\":"
					    " \"delay\", \"delayMs\": 60000}"),
			 0);
	snprintf(url, sizeof(url), "%s" EDGES, f->sim.url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->token);
	headers = curl_slist_append(NULL, auth);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 300L);
	assert_int_equal(curl_easy_perform(curl), CURLE_OPERATION_TIMEDOUT);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	started = now_ms();
	assert_int_equal(sim_stop(&f->sim), 0);
	assert_true(now_ms() - started < 2000);
	free(f);
}

static bool listed(struct fixture *f, const char *name)
{
	char names[1024];

	page_names(f, TRUNKS, names, sizeof(names));
	return strstr(names, name) != NULL;
}

static void fault_drop_before_commit(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"POST " TRUNKS_ROUTE
					    "\", \"kind\":"
					    " \"drop_before_commit\"}"),
			 0);
	assert_int_equal(sim_call(&f->sim, f->token, "POST", TRUNKS, payload,
				  &res),
			 -1);
	sim_response_release(&res);
	assert_false(listed(f, "echo"));
	assert_int_equal(logged_status(f, 0, TRUNKS), 0);
}

static void fault_drop_after_commit(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"POST " TRUNKS_ROUTE
					    "\", \"kind\":"
					    " \"drop_after_commit\"}"),
			 0);
	assert_int_equal(sim_call(&f->sim, f->token, "POST", TRUNKS, payload,
				  &res),
			 -1);
	assert_int_equal(res.curl_code, CURLE_GOT_NOTHING);
	sim_response_release(&res);
	assert_true(listed(f, "echo"));
	assert_int_equal(logged_status(f, 0, TRUNKS), 0);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_ROUTE), 1);
}

static void fault_endless(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;
	cJSON *json;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET " TRUNKS_ROUTE
					    "\", \"kind\": \"endless\"}"),
			 0);
	for (int page = 1; page <= 5; page++) {
		char path[256];
		char expected[256];

		snprintf(path, sizeof(path),
			 TRUNKS "?pageSize=25&pageNumber=%d", page);
		snprintf(expected, sizeof(expected),
			 TRUNKS "?pageSize=25&pageNumber=%d", page + 1);
		assert_int_equal(get(f, path, &res), 200);
		json = cJSON_Parse(res.body);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
					    json, "nextUri")),
				    expected);
		assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(
				    json, "pageCount")) > page);
		cJSON_Delete(json);
		sim_response_release(&res);
	}
	assert_int_equal(sim_clear_faults(&f->sim), 0);
	assert_int_equal(get(f, TRUNKS, &res), 200);
	assert_null(strstr(res.body, "nextUri"));
	sim_response_release(&res);
}

static void fault_route_specific(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"PUT " EDGES
					    "/{edgeId}/trunks/{trunkId}\","
					    " \"kind\": \"503\"}"),
			 0);
	assert_int_equal(get_status(f, TRUNKS "/t-b"), 200);
	assert_int_equal(sim_api(&f->sim, f->token, "PUT", TRUNKS "/t-b",
				 "{\"name\": \"bravo\", \"version\": 1,"
				 " \"maxConcurrentCalls\": 5,"
				 " \"sipEndpoints\": [\"a:1\"]}",
				 NULL),
			 503);
	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"GET /nowhere\","
					    " \"kind\": \"503\"}"),
			 -1);
	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"*\","
					    " \"kind\": \"boom\"}"),
			 -1);
}

static void fault_insert_trunk(void **state)
{
	struct fixture *f = *state;
	char names[1024];

	assert_int_equal(sim_fault(&f->sim,
				   "{\"kind\": \"insert_trunk\","
				   " \"edgeId\": \"edge-a\","
				   " \"afterRequests\": 1,"
				   " \"trunk\": {\"name\": \"alpha\"}}"),
			 0);
	page_names(f, TRUNKS "?pageSize=2&pageNumber=1", names, sizeof(names));
	assert_string_equal(names, "bravo,charlie");
	page_names(f, TRUNKS "?pageSize=2&pageNumber=2", names, sizeof(names));
	assert_string_equal(names, "charlie,delta");
}

static void fault_lag(void **state)
{
	struct fixture *f = *state;
	char *body = NULL;
	cJSON *json;
	char path[256];

	assert_int_equal(sim_fault(&f->sim, "{\"kind\": \"lag\", \"ms\": 300}"),
			 0);
	assert_int_equal(sim_api(&f->sim, f->token, "POST", TRUNKS, payload,
				 &body),
			 201);
	json = cJSON_Parse(body);
	snprintf(path, sizeof(path), TRUNKS "/%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(json, "id")));
	cJSON_Delete(json);
	free(body);
	assert_false(listed(f, "echo"));
	assert_int_equal(get_status(f, path), 200);
	sleep_ms(350);
	assert_true(listed(f, "echo"));
}

static void fault_set_trunk(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_fault(&f->sim,
				   "{\"kind\": \"set_trunk\", \"edgeId\":"
				   " \"edge-a\", \"trunkId\": \"t-c\","
				   " \"fields\": {\"maxConcurrentCalls\": 9,"
				   " \"status\": \"FAILED\"}}"),
			 0);
	assert_int_equal(get(f, TRUNKS "/t-c", &res), 200);
	assert_non_null(strstr(res.body, "\"maxConcurrentCalls\":9"));
	assert_non_null(strstr(res.body, "\"version\":2"));
	assert_non_null(strstr(res.body, "\"status\":\"FAILED\""));
	sim_response_release(&res);
	assert_int_equal(sim_fault(&f->sim,
				   "{\"kind\": \"set_trunk\", \"edgeId\":"
				   " \"edge-a\", \"trunkId\": \"t-x\","
				   " \"fields\": {}}"),
			 -1);
}

static void faults_cleared(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_fault(&f->sim, "{\"route\": \"*\", \"kind\":"
					    " \"503\", \"count\": 0}"),
			 0);
	assert_int_equal(get_status(f, EDGES), 503);
	assert_int_equal(get_status(f, EDGES), 503);
	assert_int_equal(sim_clear_faults(&f->sim), 0);
	assert_int_equal(get_status(f, EDGES), 200);
}

static void request_counts_and_reset(void **state)
{
	struct fixture *f = *state;
	cJSON *json;

	assert_int_equal(get_status(f, EDGES), 200);
	assert_int_equal(get_status(f, TRUNKS "?pageSize=1"), 200);
	assert_int_equal(get_status(f, TRUNKS), 200);
	assert_int_equal(get_status(f, "/api/v2/elsewhere"), 404);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_ROUTE), 2);
	assert_int_equal(sim_count(&f->sim, NULL, EDGES), 1);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_ROUTE), 0);
	assert_int_equal(sim_count(&f->sim, NULL, NULL), 4);
	json = request_log(f);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "log")),
			 4);
	cJSON_Delete(json);
	assert_int_equal(logged_status(f, 1, TRUNKS "?pageSize=1"), 200);
	assert_int_equal(sim_reset_counts(&f->sim), 0);
	assert_int_equal(sim_count(&f->sim, NULL, NULL), 0);
	json = request_log(f);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "log")),
			 0);
	cJSON_Delete(json);
}

static void flag_rate_limit(void **state)
{
	const char *args[] = {"--rate-limit", "5", NULL};
	struct fixture *f = fixture_start(args);
	struct sim_response res;
	long retry;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(get_status(f, EDGES), 200);
	assert_int_equal(get(f, EDGES, &res), 429);
	retry = atol(res.retry_after);
	assert_true(retry >= 1 && retry <= 60);
	assert_non_null(strstr(res.body, "\"too.many.requests.retry.after\""));
	sim_response_release(&res);
	teardown((void **)&f);
}

static void flag_fail_and_drop_rates(void **state)
{
	const char *fail[] = {"--fail-rate", "1", NULL};
	const char *drop[] = {"--drop-rate", "1", NULL};
	struct fixture *f = fixture_start(fail);
	struct sim_response res;

	(void)state;
	assert_int_equal(get(f, EDGES, &res), 503);
	assert_string_equal(res.retry_after, "1");
	sim_response_release(&res);
	teardown((void **)&f);
	f = fixture_start(drop);
	assert_int_equal(get(f, EDGES, &res), -1);
	sim_response_release(&res);
	assert_int_equal(logged_status(f, 0, EDGES), 0);
	teardown((void **)&f);
}

static void flag_latency(void **state)
{
	const char *args[] = {"--latency-ms", "100", "--latency-jitter-ms",
			      "20", NULL};
	struct fixture *f = fixture_start(args);
	double started = now_ms();

	(void)state;
	assert_int_equal(get_status(f, EDGES), 200);
	assert_true(now_ms() - started >= 100);
	teardown((void **)&f);
}

#define SIM_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(fault_429),
		SIM_TEST(fault_503_with_date),
		SIM_TEST(fault_star_skips_token),
		SIM_TEST(fault_drop),
		SIM_TEST(fault_truncate),
		SIM_TEST(fault_invalid_json),
		SIM_TEST(fault_delay),
		cmocka_unit_test_setup(stop_during_delay, setup),
		SIM_TEST(fault_drop_before_commit),
		SIM_TEST(fault_drop_after_commit),
		SIM_TEST(fault_endless),
		SIM_TEST(fault_route_specific),
		SIM_TEST(fault_insert_trunk),
		SIM_TEST(fault_lag),
		SIM_TEST(fault_set_trunk),
		SIM_TEST(faults_cleared),
		SIM_TEST(request_counts_and_reset),
		cmocka_unit_test(flag_rate_limit),
		cmocka_unit_test(flag_fail_and_drop_rates),
		cmocka_unit_test(flag_latency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * trunksim's routes against the contract: status codes, listing
 * envelopes, error bodies, headers, tokens, activation and paging. Each
 * test starts its own simulator on 127.0.0.1 with millisecond delays.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "tests/support/sim.h"

#define EDGES "/api/v2/telephony/providers/edges"

static const char seed_json[] =
	"{\"edges\": ["
	"{\"id\": \"edge-a\", \"name\": \"Dublin Edge 1\", \"maxTrunks\": 3,"
	" \"trunks\": ["
	"  {\"id\": \"t-1\", \"name\": \"Alpha\","
	"   \"sipEndpoints\": [\"198.51.100.1:5060\"]},"
	"  {\"id\": \"t-2\", \"name\": \"bravo\", \"status\": \"DISABLED\","
	"   \"sipEndpoints\": [\"203.0.113.9:5060\"]}]},"
	"{\"id\": \"edge-b\", \"name\": \"Cork Edge\"}]}";

static const char payload[] =
	"{\"name\": \"Carrier-Primary\", \"description\": \"primary\","
	" \"maxConcurrentCalls\": 500, \"codecs\": [\"PCMU\", \"G729\"],"
	" \"sipEndpoints\": [\"198.51.100.10:5060\", \"carrier.example:5061\"],"
	" \"natTraversal\": \"ENABLED\", \"keepAliveInterval\": 60,"
	" \"keepAliveProtocol\": \"OPTIONS\", \"sipInviteTimeout\": 10,"
	" \"rtpTimeout\": 20}";

struct fixture {
	struct sim sim;
	char token[128];
};

/* Starts a simulator on the seed above with extra arguments. */
static struct fixture *fixture_start(const char *const *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *args[32] = {"--activation-delay-ms", "50",
				"--fail-endpoints", "203.0.113.0/24"};
	size_t n = 4;
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

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Calls the API with the fixture's token and parses the JSON response. */
static cJSON *call(struct fixture *f, const char *method, const char *path,
		   const char *body, long expected_status)
{
	struct sim_response res;
	cJSON *json;

	sim_call(&f->sim, f->token, method, path, body, &res);
	if (res.status != expected_status)
		fprintf(stderr, "%s %s: %ld %s\n", method, path, res.status,
			res.body);
	assert_int_equal(res.status, expected_status);
	assert_string_equal(res.content_type, "application/json");
	assert_int_equal(strlen(res.correlation_id), 36);
	json = cJSON_Parse(res.body);
	sim_response_release(&res);
	return json;
}

static const char *text(const cJSON *json, const char *key)
{
	const char *value = cJSON_GetStringValue(cJSON_GetObjectItem(json,
								     key));

	return value ? value : "(missing)";
}

static double number(const cJSON *json, const char *key)
{
	const cJSON *item = cJSON_GetObjectItem(json, key);

	assert_true(cJSON_IsNumber(item));
	return item->valuedouble;
}

/* Checks that the response is the contract's error body with `code`. */
static void check_error(struct fixture *f, const char *method,
			const char *path, const char *body, long status,
			const char *code)
{
	cJSON *json = call(f, method, path, body, status);

	assert_non_null(json);
	assert_string_equal(text(json, "code"), code);
	assert_int_equal((long)number(json, "status"), status);
	assert_true(strlen(text(json, "message")) > 0);
	assert_int_equal(strlen(text(json, "contextId")), 36);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(json, "details")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(json, "errors")));
	cJSON_Delete(json);
}

static long token_status(struct sim *sim, const char *user,
			 const char *password, const char *body,
			 char **answer)
{
	CURL *curl = curl_easy_init();
	char url[128];
	long status = -1;
	FILE *out;
	size_t size = 0;

	*answer = NULL;
	out = open_memstream(answer, &size);
	snprintf(url, sizeof(url), "%s/oauth/token", sim->url);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	if (user) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	}
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	fclose(out);
	return status;
}

static void token_issued(void **state)
{
	struct fixture *f = *state;
	char *answer;
	cJSON *json;

	assert_int_equal(token_status(&f->sim, SIM_CLIENT_ID,
				      SIM_CLIENT_SECRET,
				      "grant_type=client_credentials",
				      &answer),
			 200);
	json = cJSON_Parse(answer);
	assert_int_equal(strlen(text(json, "access_token")), 64);
	assert_string_equal(text(json, "token_type"), "bearer");
	assert_int_equal((long)number(json, "expires_in"), 86400);
	assert_string_not_equal(text(json, "access_token"), f->token);
	cJSON_Delete(json);
	free(answer);
}

static void token_wrong_secret(void **state)
{
	struct fixture *f = *state;
	char *answer;
	cJSON *json;

	assert_int_equal(token_status(&f->sim, SIM_CLIENT_ID, "wrong",
				      "grant_type=client_credentials",
				      &answer),
			 401);
	json = cJSON_Parse(answer);
	assert_string_equal(text(json, "code"), "bad.credentials");
	cJSON_Delete(json);
	free(answer);
	assert_int_equal(token_status(&f->sim, NULL, NULL,
				      "grant_type=client_credentials",
				      &answer),
			 401);
	free(answer);
	assert_int_equal(token_status(&f->sim, SIM_CLIENT_ID,
				      SIM_CLIENT_SECRET, "grant_type=password",
				      &answer),
			 400);
	free(answer);
}

static void bearer_missing_or_unknown(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	assert_int_equal(sim_call(&f->sim, NULL, "GET", EDGES, NULL, &res),
			 401);
	assert_non_null(strstr(res.body, "\"bad.credentials\""));
	assert_int_equal(strlen(res.correlation_id), 36);
	sim_response_release(&res);
	assert_int_equal(sim_call(&f->sim, "0123abcd", "GET", EDGES, NULL,
				  &res),
			 401);
	sim_response_release(&res);
	assert_int_equal(sim_fault(&f->sim, "{\"kind\": \"expire_tokens\"}"),
			 0);
	assert_int_equal(sim_call(&f->sim, f->token, "GET", EDGES, NULL, &res),
			 401);
	assert_non_null(strstr(res.body, "expired"));
	sim_response_release(&res);
}

static void token_ttl_expiry(void **state)
{
	const char *args[] = {"--token-ttl", "1", NULL};
	struct fixture *f = fixture_start(args);
	struct sim_response res;

	(void)state;
	assert_int_equal(sim_call(&f->sim, f->token, "GET", EDGES, NULL, &res),
			 200);
	sim_response_release(&res);
	sleep_ms(1100);
	assert_int_equal(sim_call(&f->sim, f->token, "GET", EDGES, NULL, &res),
			 401);
	assert_non_null(strstr(res.body, "expired"));
	sim_response_release(&res);
	teardown((void **)&f);
}

static void edges_listing(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "GET", EDGES "?pageSize=1", NULL, 200);
	const cJSON *entities = cJSON_GetObjectItem(json, "entities");

	assert_int_equal(cJSON_GetArraySize(entities), 1);
	assert_string_equal(text(cJSON_GetArrayItem(entities, 0), "name"),
			    "Cork Edge");
	assert_int_equal((long)number(json, "pageSize"), 1);
	assert_int_equal((long)number(json, "pageNumber"), 1);
	assert_int_equal((long)number(json, "total"), 2);
	assert_int_equal((long)number(json, "pageCount"), 2);
	assert_string_equal(text(json, "selfUri"),
			    EDGES "?pageSize=1&pageNumber=1");
	assert_string_equal(text(json, "firstUri"),
			    EDGES "?pageSize=1&pageNumber=1");
	assert_string_equal(text(json, "lastUri"),
			    EDGES "?pageSize=1&pageNumber=2");
	assert_string_equal(text(json, "nextUri"),
			    EDGES "?pageSize=1&pageNumber=2");
	assert_null(cJSON_GetObjectItem(json, "previousUri"));
	cJSON_Delete(json);

	json = call(f, "GET", EDGES "?pageSize=1&pageNumber=2", NULL, 200);
	assert_null(cJSON_GetObjectItem(json, "nextUri"));
	assert_string_equal(text(json, "previousUri"),
			    EDGES "?pageSize=1&pageNumber=1");
	cJSON_Delete(json);
}

static void edges_name_filter(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "GET", EDGES "?name=dublin%20edge%201", NULL,
			   200);
	const cJSON *entities = cJSON_GetObjectItem(json, "entities");

	assert_int_equal(cJSON_GetArraySize(entities), 1);
	assert_string_equal(text(cJSON_GetArrayItem(entities, 0), "id"),
			    "edge-a");
	assert_int_equal((long)number(cJSON_GetArrayItem(entities, 0),
				      "maxTrunks"),
			 3);
	assert_string_equal(text(json, "selfUri"),
			    EDGES "?pageSize=25&pageNumber=1"
				  "&name=dublin%20edge%201");
	cJSON_Delete(json);
	json = call(f, "GET", EDGES "?name=Dublin", NULL, 200);
	assert_int_equal((long)number(json, "total"), 0);
	assert_int_equal((long)number(json, "pageCount"), 0);
	cJSON_Delete(json);
}

static void page_arguments_checked(void **state)
{
	struct fixture *f = *state;
	cJSON *json;

	check_error(f, "GET", EDGES "?pageSize=101", NULL, 400, "bad.request");
	check_error(f, "GET", EDGES "?pageSize=0", NULL, 400, "bad.request");
	check_error(f, "GET", EDGES "?pageNumber=0", NULL, 400, "bad.request");
	check_error(f, "GET", EDGES "?pageSize=x", NULL, 400, "bad.request");
	check_error(f, "GET", EDGES "/edge-a/trunks?pageSize=101", NULL, 400,
		    "bad.request");
	json = call(f, "GET", EDGES "?pageNumber=9", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json,
								"entities")),
			 0);
	assert_int_equal((long)number(json, "total"), 2);
	cJSON_Delete(json);
}

static void edge_get(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "GET", EDGES "/edge-a", NULL, 200);

	assert_string_equal(text(json, "name"), "Dublin Edge 1");
	assert_string_equal(text(json, "selfUri"), EDGES "/edge-a");
	cJSON_Delete(json);
	check_error(f, "GET", EDGES "/nope", NULL, 404, "not.found");
	check_error(f, "GET", EDGES "/nope/trunks", NULL, 404, "not.found");
}

static void unknown_route_and_method(void **state)
{
	struct fixture *f = *state;

	check_error(f, "GET", "/api/v2/nothing", NULL, 404, "not.found");
	check_error(f, "GET", EDGES "/edge-a/trunks/t-1/x", NULL, 404,
		    "not.found");
	check_error(f, "PATCH", EDGES "/edge-a", NULL, 405,
		    "method.not.allowed");
	check_error(f, "DELETE", EDGES "/edge-a/trunks", NULL, 405,
		    "method.not.allowed");
}

static void seeded_trunk_defaults(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "GET", EDGES "/edge-a/trunks/t-1", NULL, 200);
	const cJSON *codecs = cJSON_GetObjectItem(json, "codecs");

	assert_string_equal(text(json, "name"), "Alpha");
	assert_string_equal(text(json, "description"), "");
	assert_int_equal((long)number(json, "maxConcurrentCalls"), 100);
	assert_int_equal(cJSON_GetArraySize(codecs), 2);
	assert_string_equal(cJSON_GetArrayItem(codecs, 0)->valuestring, "PCMU");
	assert_string_equal(text(json, "natTraversal"), "DISABLED");
	assert_int_equal((long)number(json, "keepAliveInterval"), 30);
	assert_string_equal(text(json, "keepAliveProtocol"), "SIP");
	assert_int_equal((long)number(json, "sipInviteTimeout"), 15);
	assert_int_equal((long)number(json, "rtpTimeout"), 30);
	assert_int_equal((long)number(json, "version"), 1);
	assert_string_equal(text(json, "status"), "ENABLED");
	assert_string_equal(text(json, "state"), "active");
	assert_string_equal(text(cJSON_GetObjectItem(json, "edge"), "id"),
			    "edge-a");
	assert_int_equal(strlen(text(json, "dateCreated")), 24);
	assert_string_equal(text(json, "selfUri"),
			    EDGES "/edge-a/trunks/t-1");
	cJSON_Delete(json);
}

static void trunk_create_and_conflict(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "POST", EDGES "/edge-b/trunks", payload, 201);

	assert_int_equal(strlen(text(json, "id")), 36);
	assert_string_equal(text(json, "status"), "PENDING");
	assert_int_equal((long)number(json, "version"), 1);
	assert_string_equal(text(json, "natTraversal"), "ENABLED");
	assert_string_equal(text(json, "keepAliveProtocol"), "OPTIONS");
	assert_string_equal(
		cJSON_GetArrayItem(cJSON_GetObjectItem(json, "sipEndpoints"), 1)
			->valuestring,
		"carrier.example:5061");
	cJSON_Delete(json);
	check_error(f, "POST", EDGES "/edge-b/trunks",
		    "{\"name\": \"carrier-PRIMARY\", \"maxConcurrentCalls\": 1,"
		    " \"sipEndpoints\": [\"[2001:db8::1]:5060\"]}",
		    409, "conflict");
	check_error(f, "POST", EDGES "/nope/trunks", payload, 404, "not.found");
}

static void trunk_limit(void **state)
{
	struct fixture *f = *state;
	struct sim_response res;

	cJSON_Delete(call(f, "POST", EDGES "/edge-a/trunks", payload, 201));
	sim_call(&f->sim, f->token, "POST", EDGES "/edge-a/trunks",
		 "{\"name\": \"Fourth\", \"maxConcurrentCalls\": 1,"
		 " \"sipEndpoints\": [\"198.51.100.4:5060\"]}",
		 &res);
	assert_int_equal(res.status, 400);
	assert_non_null(strstr(res.body, "\"bad.request\""));
	assert_non_null(strstr(res.body, "maxTrunks 3"));
	sim_response_release(&res);
	/* A deleted trunk no longer counts, and its name is free again. */
	assert_int_equal(sim_api(&f->sim, f->token, "DELETE",
				 EDGES "/edge-a/trunks/t-1", NULL, NULL),
			 204);
	cJSON_Delete(call(f, "POST", EDGES "/edge-a/trunks",
			  "{\"name\": \"ALPHA\", \"maxConcurrentCalls\": 1,"
			  " \"sipEndpoints\": [\"198.51.100.4:5060\"]}",
			  201));
}

static void trunk_update_versions(void **state)
{
	struct fixture *f = *state;
	cJSON *json;
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"name\": \"Alpha-2\", \"maxConcurrentCalls\": 7,"
		 " \"sipEndpoints\": [\"198.51.100.1:5060\"], \"version\": 1}");
	json = call(f, "PUT", EDGES "/edge-a/trunks/t-1", body, 200);
	assert_int_equal((long)number(json, "version"), 2);
	assert_string_equal(text(json, "name"), "Alpha-2");
	assert_string_equal(text(json, "status"), "PENDING");
	assert_int_equal((long)number(json, "maxConcurrentCalls"), 7);
	cJSON_Delete(json);
	json = call(f, "PUT", EDGES "/edge-a/trunks/t-1", body, 409);
	assert_string_equal(text(json, "code"), "conflict");
	assert_non_null(strstr(text(json, "message"), "does not match"));
	cJSON_Delete(json);
	check_error(f, "PUT", EDGES "/edge-a/trunks/t-1",
		    "{\"name\": \"BRAVO\", \"maxConcurrentCalls\": 7,"
		    " \"sipEndpoints\": [\"198.51.100.1:5060\"],"
		    " \"version\": 2}",
		    409, "conflict");
	check_error(f, "PUT", EDGES "/edge-a/trunks/t-1",
		    "{\"name\": \"x\", \"maxConcurrentCalls\": 7,"
		    " \"sipEndpoints\": [\"198.51.100.1:5060\"]}",
		    400, "bad.request");
	check_error(f, "PUT", EDGES "/edge-a/trunks/t-9", body, 404,
		    "not.found");
	sleep_ms(80);
	json = call(f, "GET", EDGES "/edge-a/trunks/t-1", NULL, 200);
	assert_string_equal(text(json, "status"), "ENABLED");
	cJSON_Delete(json);
}

static void trunk_delete_soft(void **state)
{
	struct fixture *f = *state;
	cJSON *json;
	const cJSON *entities;

	assert_int_equal(sim_api(&f->sim, f->token, "DELETE",
				 EDGES "/edge-a/trunks/t-2", NULL, NULL),
			 204);
	json = call(f, "GET", EDGES "/edge-a/trunks/t-2", NULL, 200);
	assert_string_equal(text(json, "state"), "deleted");
	assert_int_equal((long)number(json, "version"), 1);
	cJSON_Delete(json);
	json = call(f, "GET", EDGES "/edge-a/trunks", NULL, 200);
	entities = cJSON_GetObjectItem(json, "entities");
	assert_int_equal(cJSON_GetArraySize(entities), 2);
	assert_string_equal(text(cJSON_GetArrayItem(entities, 1), "state"),
			    "deleted");
	cJSON_Delete(json);
	check_error(f, "DELETE", EDGES "/edge-a/trunks/t-2", NULL, 404,
		    "not.found");
	check_error(f, "POST", EDGES "/edge-a/trunks/t-2/activate", NULL, 404,
		    "not.found");
	check_error(f, "GET", EDGES "/edge-a/diagnostics?trunkId=t-2", NULL,
		    404, "not.found");
}

struct invalid_case {
	const char *body;
	const char *code;
	const char *field;
};

static const struct invalid_case invalid_cases[] = {
	{"{\"name\": ", "bad.request", NULL},
	{"[1, 2]", "bad.request", NULL},
	{"{\"maxConcurrentCalls\": 1, \"sipEndpoints\": [\"a:1\"]}",
	 "bad.request", "name"},
	{"{\"name\": \"n\", \"sipEndpoints\": [\"a:1\"]}", "bad.request",
	 "maxConcurrentCalls"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1}", "bad.request",
	 "sipEndpoints"},
	{"{\"name\": \"\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "name"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1001,"
	 " \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "maxConcurrentCalls"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": \"5\","
	 " \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "maxConcurrentCalls"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1, \"codecs\": [\"OPUS\"],"
	 " \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "codecs"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1, \"codecs\": [],"
	 " \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "codecs"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"codecs\": [\"PCMU\", \"pcmu\"], \"sipEndpoints\": [\"a:1\"]}",
	 "invalid.value", "codecs"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"198.51.100.300:5060\"]}",
	 "invalid.value", "sipEndpoints"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"host:0\"]}",
	 "invalid.value", "sipEndpoints"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\", \"A:1\"]}",
	 "invalid.value", "sipEndpoints"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"], \"keepAliveProtocol\": \"TCP\"}",
	 "invalid.value", "keepAliveProtocol"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"], \"natTraversal\": true}",
	 "invalid.value", "natTraversal"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"], \"keepAliveInterval\": 0}",
	 "invalid.value", "keepAliveInterval"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"], \"sipInviteTimeout\": 3601}",
	 "invalid.value", "sipInviteTimeout"},
	{"{\"name\": \"n\", \"maxConcurrentCalls\": 1,"
	 " \"sipEndpoints\": [\"a:1\"], \"rtpTimeout\": 1.5}",
	 "invalid.value", "rtpTimeout"},
};

static void check_invalid(struct fixture *f, const struct invalid_case *c)
{
	cJSON *json = call(f, "POST", EDGES "/edge-b/trunks", c->body, 400);
	const cJSON *detail =
		cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0);

	if (strcmp(text(json, "code"), c->code) != 0)
		fprintf(stderr, "case %s: %s\n", c->body, text(json, "code"));
	assert_string_equal(text(json, "code"), c->code);
	if (c->field)
		assert_string_equal(text(detail, "fieldName"), c->field);
	cJSON_Delete(json);
}

static void payload_validation(void **state)
{
	struct fixture *f = *state;
	char body[1024];
	char name[300];

	for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]);
	     i++)
		check_invalid(f, &invalid_cases[i]);
	memset(name, 'n', 256);
	name[256] = '\0';
	snprintf(body, sizeof(body),
		 "{\"name\": \"%s\", \"maxConcurrentCalls\": 1,"
		 " \"sipEndpoints\": [\"a:1\"]}",
		 name);
	check_error(f, "POST", EDGES "/edge-b/trunks", body, 400,
		    "invalid.value");
	name[255] = '\0';
	snprintf(body, sizeof(body),
		 "{\"name\": \"%s\", \"maxConcurrentCalls\": 1,"
		 " \"sipEndpoints\": [\"a:1\"]}",
		 name);
	cJSON_Delete(call(f, "POST", EDGES "/edge-b/trunks", body, 201));
}

static void activation_and_diagnostics(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "POST", EDGES "/edge-b/trunks", payload, 201);
	char path[256];
	char id[64];
	const cJSON *invite;

	snprintf(id, sizeof(id), "%s", text(json, "id"));
	cJSON_Delete(json);
	snprintf(path, sizeof(path), EDGES "/edge-b/trunks/%s/activate", id);
	json = call(f, "POST", path, NULL, 202);
	assert_string_equal(text(json, "status"), "PENDING");
	cJSON_Delete(json);
	sleep_ms(80);
	snprintf(path, sizeof(path), EDGES "/edge-b/diagnostics?trunkId=%s",
		 id);
	json = call(f, "GET", path, NULL, 200);
	invite = cJSON_GetObjectItem(json, "sipInvite");
	assert_string_equal(text(json, "trunkId"), id);
	assert_int_equal((long)number(invite, "responseCode"), 200);
	assert_string_equal(text(invite, "reason"), "OK");
	assert_true(number(invite, "latencyMs") > 0);
	assert_string_equal(text(cJSON_GetObjectItem(json, "natTraversal"),
				 "status"),
			    "OK");
	assert_string_equal(text(cJSON_GetObjectItem(json, "keepAlive"),
				 "status"),
			    "UP");
	assert_int_equal((long)number(cJSON_GetObjectItem(json, "keepAlive"),
				      "intervalSeconds"),
			 60);
	cJSON_Delete(json);
	snprintf(path, sizeof(path), EDGES "/edge-b/trunks/%s/deactivate", id);
	json = call(f, "POST", path, NULL, 202);
	assert_string_equal(text(json, "status"), "DISABLED");
	assert_int_equal((long)number(json, "version"), 1);
	cJSON_Delete(json);
	check_error(f, "GET", EDGES "/edge-b/diagnostics", NULL, 400,
		    "bad.request");
}

static void activation_fails_in_range(void **state)
{
	struct fixture *f = *state;
	cJSON *json = call(f, "POST", EDGES "/edge-a/trunks/t-2/activate", NULL,
			   202);
	const cJSON *invite;

	assert_string_equal(text(json, "status"), "PENDING");
	cJSON_Delete(json);
	sleep_ms(80);
	json = call(f, "GET", EDGES "/edge-a/trunks/t-2", NULL, 200);
	assert_string_equal(text(json, "status"), "FAILED");
	cJSON_Delete(json);
	json = call(f, "GET", EDGES "/edge-a/diagnostics?trunkId=t-2", NULL,
		    200);
	invite = cJSON_GetObjectItem(json, "sipInvite");
	assert_int_equal((long)number(invite, "responseCode"), 503);
	assert_string_equal(text(cJSON_GetObjectItem(json, "natTraversal"),
				 "status"),
			    "FAILED");
	assert_string_equal(text(cJSON_GetObjectItem(json, "keepAlive"),
				 "status"),
			    "DOWN");
	cJSON_Delete(json);
}

static void invite_response_flag(void **state)
{
	const char *args[] = {"--invite-response", "407", NULL};
	struct fixture *f = fixture_start(args);
	cJSON *json = call(f, "GET", EDGES "/edge-a/diagnostics?trunkId=t-1",
			   NULL, 200);
	const cJSON *invite = cJSON_GetObjectItem(json, "sipInvite");

	(void)state;
	assert_int_equal((long)number(invite, "responseCode"), 407);
	assert_string_equal(text(invite, "reason"),
			    "Proxy Authentication Required");
	cJSON_Delete(json);
	teardown((void **)&f);
}

static struct fixture *generated_start(const char *const *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *args[16] = {"--edges",      "1",   "--trunks-per-edge",
				"250",          "--max-trunks", "300"};
	size_t n = 6;

	assert_non_null(f);
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(sim_start(&f->sim, args), 0);
	assert_int_equal(sim_token(&f->sim, f->token, sizeof(f->token)), 0);
	return f;
}

static void first_edge_id(struct fixture *f, char *id, size_t size)
{
	cJSON *json = call(f, "GET", EDGES, NULL, 200);
	const cJSON *edge =
		cJSON_GetArrayItem(cJSON_GetObjectItem(json, "entities"), 0);

	assert_non_null(edge);
	snprintf(id, size, "%s", text(edge, "id"));
	cJSON_Delete(json);
}

/* Follows nextUri from page 1; checks each trunk comes exactly once. */
static void page_through(struct fixture *f, const char *edge_id, int size,
			 int expected_pages)
{
	static char seen[251];
	char path[512];
	int pages = 0;
	int count = 0;

	memset(seen, 0, sizeof(seen));
	snprintf(path, sizeof(path), EDGES "/%s/trunks?pageSize=%d", edge_id,
		 size);
	for (;;) {
		cJSON *json = call(f, "GET", path, NULL, 200);
		const cJSON *item;
		const cJSON *next = cJSON_GetObjectItem(json, "nextUri");

		pages++;
		assert_int_equal((long)number(json, "total"), 250);
		assert_int_equal((long)number(json, "pageCount"),
				 expected_pages);
		cJSON_ArrayForEach(item, cJSON_GetObjectItem(json, "entities"))
		{
			int n = atoi(text(item, "name") + strlen("trunk-"));

			assert_true(n >= 1 && n <= 250);
			assert_int_equal(seen[n], 0);
			seen[n] = 1;
			count++;
		}
		if (next)
			snprintf(path, sizeof(path), "%s", next->valuestring);
		cJSON_Delete(json);
		if (!next)
			break;
		assert_true(pages < 300);
	}
	assert_int_equal(pages, expected_pages);
	assert_int_equal(count, 250);
}

static void paging_250_trunks(void **state)
{
	struct fixture *f = generated_start(NULL);
	char edge_id[64];
	char path[256];

	(void)state;
	first_edge_id(f, edge_id, sizeof(edge_id));
	page_through(f, edge_id, 1, 250);
	page_through(f, edge_id, 25, 10);
	page_through(f, edge_id, 100, 3);
	snprintf(path, sizeof(path), EDGES "/%s/trunks?pageSize=101", edge_id);
	check_error(f, "GET", path, NULL, 400, "bad.request");
	assert_int_equal(sim_count(&f->sim, "GET",
				   EDGES "/{edgeId}/trunks"),
			 250 + 10 + 3 + 1);
	teardown((void **)&f);
}

static void max_page_size_caps(void **state)
{
	const char *args[] = {"--max-page-size", "25", NULL};
	struct fixture *f = generated_start(args);
	char edge_id[64];
	char path[256];
	cJSON *json;

	(void)state;
	first_edge_id(f, edge_id, sizeof(edge_id));
	snprintf(path, sizeof(path), EDGES "/%s/trunks?pageSize=100", edge_id);
	json = call(f, "GET", path, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json,
								"entities")),
			 25);
	assert_int_equal((long)number(json, "pageSize"), 25);
	assert_int_equal((long)number(json, "pageCount"), 10);
	cJSON_Delete(json);
	page_through(f, edge_id, 100, 10);
	teardown((void **)&f);
}

static void dump_on_stop(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char dump[512];
	const char *args[] = {"--edges", "2", "--trunks-per-edge", "3",
			      "--dump", dump, NULL};
	FILE *file;
	char text_buf[65536];
	size_t len;
	cJSON *json;
	const cJSON *edges;
	const cJSON *trunks;

	(void)state;
	assert_int_equal(sim_prepare(&f->sim), 0);
	/* Outside the folder, which sim_stop removes. */
	snprintf(dump, sizeof(dump), "%.*s/trunksim-dump-%d.json",
		 (int)(strrchr(f->sim.dir, '/') - f->sim.dir), f->sim.dir,
		 (int)getpid());
	assert_int_equal(sim_start(&f->sim, args), 0);
	assert_int_equal(sim_stop(&f->sim), 0);
	file = fopen(dump, "r");
	assert_non_null(file);
	len = fread(text_buf, 1, sizeof(text_buf) - 1, file);
	fclose(file);
	unlink(dump);
	text_buf[len] = '\0';
	json = cJSON_Parse(text_buf);
	edges = cJSON_GetObjectItem(json, "edges");
	assert_int_equal(cJSON_GetArraySize(edges), 2);
	trunks = cJSON_GetObjectItem(cJSON_GetArrayItem(edges, 1), "trunks");
	assert_int_equal(cJSON_GetArraySize(trunks), 3);
	cJSON_Delete(json);
	free(f);
}

static void state_route(void **state)
{
	struct fixture *f = *state;
	char *body = NULL;
	cJSON *json;

	assert_int_equal(sim_request(&f->sim, "GET", "/__sim/state", NULL,
				     &body),
			 200);
	json = cJSON_Parse(body);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "edges")),
			 2);
	cJSON_Delete(json);
	free(body);
	assert_int_equal(sim_count(&f->sim, NULL, NULL), 1); /* the token */
}

#define SIM_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(token_issued),
		SIM_TEST(token_wrong_secret),
		SIM_TEST(bearer_missing_or_unknown),
		cmocka_unit_test(token_ttl_expiry),
		SIM_TEST(edges_listing),
		SIM_TEST(edges_name_filter),
		SIM_TEST(page_arguments_checked),
		SIM_TEST(edge_get),
		SIM_TEST(unknown_route_and_method),
		SIM_TEST(seeded_trunk_defaults),
		SIM_TEST(trunk_create_and_conflict),
		SIM_TEST(trunk_limit),
		SIM_TEST(trunk_update_versions),
		SIM_TEST(trunk_delete_soft),
		SIM_TEST(payload_validation),
		SIM_TEST(activation_and_diagnostics),
		SIM_TEST(activation_fails_in_range),
		cmocka_unit_test(invite_response_flag),
		cmocka_unit_test(paging_250_trunks),
		cmocka_unit_test(max_page_size_caps),
		cmocka_unit_test(dump_on_stop),
		SIM_TEST(state_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

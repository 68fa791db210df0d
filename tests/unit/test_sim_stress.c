/*
 * trunksim under 64 concurrent clients for SIM_STRESS_SECONDS (default
 * 10): each client reads a trunk and updates it with its version,
 * retrying on 409, and lists trunks now and then. Afterwards every
 * successful update must have returned a distinct version, and each
 * trunk's final version must be 1 + its successful updates.
 */

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
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

#define TRUNKS_PATH "/api/v2/telephony/providers/edges/edge-s/trunks"
#define CLIENTS 64
#define TRUNK_COUNT 16
#define VERSION_MAX 65536

struct shared {
	struct sim sim;
	char token[128];
	double deadline;
	atomic_long successes[TRUNK_COUNT];
	atomic_long conflicts;
	atomic_long requests;
	atomic_long failures;
	atomic_char (*seen)[VERSION_MAX]; /* versions returned by PUT */
};

struct client {
	struct shared *shared;
	int number;
	CURL *curl;
	struct curl_slist *headers;
	char *body;
	size_t body_len;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *cls)
{
	struct client *c = cls;
	size_t n = size * nmemb;
	char *grown = realloc(c->body, c->body_len + n + 1);

	if (!grown)
		return 0;
	memcpy(grown + c->body_len, ptr, n);
	c->body = grown;
	c->body_len += n;
	c->body[c->body_len] = '\0';
	return n;
}

/* One request on the client's own connection; returns the status. */
static long client_call(struct client *c, const char *method,
			const char *path, const char *json)
{
	char url[512];
	long status = -1;

	c->body_len = 0;
	if (c->body)
		c->body[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", c->shared->sim.url, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (json)
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, json);
	else
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	if (curl_easy_perform(c->curl) == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	atomic_fetch_add(&c->shared->requests, 1);
	return status;
}

static long json_version(const char *body)
{
	cJSON *json = cJSON_Parse(body);
	long version = (long)cJSON_GetNumberValue(
		cJSON_GetObjectItem(json, "version"));

	cJSON_Delete(json);
	return version;
}

/* Reads trunk `t` and updates it; returns false on an unexpected response. */
static bool update_once(struct client *c, int t, int iteration)
{
	struct shared *s = c->shared;
	char path[256];
	char json[512];
	long version;
	long status;

	snprintf(path, sizeof(path), TRUNKS_PATH "/s-%02d", t);
	if (client_call(c, "GET", path, NULL) != 200)
		return false;
	version = json_version(c->body);
	snprintf(json, sizeof(json),
		 "{\"name\": \"stress-%02d\", \"maxConcurrentCalls\": %d,"
		 " \"sipEndpoints\": [\"198.51.100.%d:5060\"],"
		 " \"version\": %ld}",
		 t, (c->number * 7 + iteration) % 1000 + 1, c->number + 1,
		 version);
	status = client_call(c, "PUT", path, json);
	if (status == 409) {
		atomic_fetch_add(&s->conflicts, 1);
		return true;
	}
	if (status != 200)
		return false;
	version = json_version(c->body);
	if (version < 2 || version >= VERSION_MAX ||
	    atomic_exchange(&s->seen[t][version], 1) != 0)
		return false;
	atomic_fetch_add(&s->successes[t], 1);
	return true;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct shared *s = c->shared;
	unsigned int seed = (unsigned int)c->number * 2654435761U;
	char auth[256];

	c->curl = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->token);
	c->headers = curl_slist_append(NULL, auth);
	c->headers = curl_slist_append(c->headers,
				       "Content-Type: application/json");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	for (int i = 0; now_ms() < s->deadline; i++) {
		bool ok = i % 8 == 7
				  ? client_call(c, "GET", TRUNKS_PATH
						"?pageSize=100", NULL) == 200
				  : update_once(c, (int)(rand_r(&seed) %
							 TRUNK_COUNT), i);

		if (!ok)
			atomic_fetch_add(&s->failures, 1);
	}
	curl_slist_free_all(c->headers);
	curl_easy_cleanup(c->curl);
	free(c->body);
	return NULL;
}

static char *seed_text(void)
{
	size_t size = 64 + TRUNK_COUNT * 128;
	char *text = malloc(size);
	size_t len;

	assert_non_null(text);
	len = (size_t)snprintf(text, size,
			       "{\"edges\": [{\"id\": \"edge-s\","
			       " \"name\": \"stress\", \"trunks\": [");
	for (int t = 0; t < TRUNK_COUNT; t++)
		len += (size_t)snprintf(text + len, size - len,
					"%s{\"id\": \"s-%02d\","
					" \"name\": \"stress-%02d\"}",
					t ? ", " : "", t, t);
	snprintf(text + len, size - len, "]}]}");
	return text;
}

static void check_final_versions(struct shared *s)
{
	for (int t = 0; t < TRUNK_COUNT; t++) {
		char path[256];
		char *body = NULL;
		long version;
		long successes = atomic_load(&s->successes[t]);

		snprintf(path, sizeof(path), TRUNKS_PATH "/s-%02d", t);
		assert_int_equal(sim_api(&s->sim, s->token, "GET", path, NULL,
					 &body),
				 200);
		version = json_version(body);
		free(body);
		assert_int_equal(version, 1 + successes);
		for (long v = 2; v <= version; v++)
			assert_int_equal(atomic_load(&s->seen[t][v]), 1);
	}
}

static long stress_seconds(void)
{
	const char *text = getenv("SIM_STRESS_SECONDS");
	long seconds = text ? atol(text) : 10;

	return seconds > 0 && seconds <= 600 ? seconds : 10;
}

static void concurrent_updates(void **state)
{
	struct shared *s = calloc(1, sizeof(*s));
	static struct client clients[CLIENTS];
	pthread_t threads[CLIENTS];
	const char *args[] = {"--seed", NULL, "--activation-delay-ms", "5",
			      NULL};
	char seed_path[512];
	char *seed = seed_text();
	long seconds = stress_seconds();
	long updates = 0;

	(void)state;
	assert_non_null(s);
	s->seen = calloc(TRUNK_COUNT, sizeof(*s->seen));
	assert_non_null(s->seen);
	assert_int_equal(sim_write_file(&s->sim, "seed.json", seed, seed_path,
					sizeof(seed_path)),
			 0);
	free(seed);
	args[1] = seed_path;
	assert_int_equal(sim_start(&s->sim, args), 0);
	assert_int_equal(sim_token(&s->sim, s->token, sizeof(s->token)), 0);
	s->deadline = now_ms() + (double)seconds * 1000.0;
	for (int i = 0; i < CLIENTS; i++) {
		clients[i] = (struct client){.shared = s, .number = i};
		assert_int_equal(pthread_create(&threads[i], NULL, client_run,
						&clients[i]),
				 0);
	}
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(threads[i], NULL);
	for (int t = 0; t < TRUNK_COUNT; t++)
		updates += atomic_load(&s->successes[t]);
	printf("%ld requests in %ld s: %ld updates, %ld conflicts, "
	       "%ld failures\n",
	       atomic_load(&s->requests), seconds, updates,
	       atomic_load(&s->conflicts), atomic_load(&s->failures));
	assert_int_equal(atomic_load(&s->failures), 0);
	assert_true(updates > 0);
	assert_true(atomic_load(&s->conflicts) > 0);
	check_final_versions(s);
	assert_int_equal(sim_stop(&s->sim), 0);
	free(s->seen);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_updates),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

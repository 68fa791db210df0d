#ifndef TRUNKCTL_TESTS_UNIT_TEST_HTTP_FIXTURE_H
#define TRUNKCTL_TESTS_UNIT_TEST_HTTP_FIXTURE_H

/*
 * Shared by the tests of http/ that run against trunksim: a simulator
 * started on 127.0.0.1 with its own arguments, a client with
 * millisecond-scale retry figures, and readers of the simulator's
 * request log. Include after <cmocka.h>.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http/client.h"
#include "http/internal.h"
#include "http/profile.h"
#include "tests/support/sim.h"

#define EDGES_PATH "/api/v2/telephony/providers/edges"
#define EDGE_TEMPLATE EDGES_PATH "/{edgeId}"
#define TRUNKS_TEMPLATE EDGES_PATH "/{edgeId}/trunks"
#define TOKEN_TEMPLATE "/oauth/token"

struct http_fixture {
	struct sim sim;
	struct http_config config;
	struct http_client *client;
};

/* One line of GET /__sim/requests?log=1. */
struct logged_request {
	double t; /* ms since the simulator started */
	char method[8];
	char path[512];
	long status;
};

/* Millisecond-scale figures; tests change them before fixture_client(). */
static inline void fixture_config(struct http_fixture *f)
{
	http_config_init(&f->config);
	f->config.api_url = strdup(f->sim.url);
	f->config.login_url = strdup(f->sim.url);
	f->config.client_id = strdup(SIM_CLIENT_ID);
	f->config.client_secret = strdup(SIM_CLIENT_SECRET);
	f->config.request_timeout_ms = 5000;
	f->config.connect_timeout_ms = 2000;
	f->config.retry_base_ms = 1;
	f->config.retry_cap_ms = 20;
	f->config.retry_after_max_ms = 5000;
	f->config.breaker_cooldown_ms = 200;
	f->config.max_requests_per_minute = 0;
}

/* Starts trunksim with `args` (NULL-terminated) and sets the figures. */
static inline struct http_fixture *fixture_start(const char *const *args)
{
	struct http_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(sim_start(&f->sim, args), 0);
	fixture_config(f);
	return f;
}

/* Starts trunksim on a seed document and sets the figures. */
static inline struct http_fixture *fixture_start_seed(const char *seed_json,
						      const char *const *extra)
{
	struct http_fixture *f = calloc(1, sizeof(*f));
	const char *args[32] = { "--seed" };
	char seed[512];
	size_t n = 2;

	assert_non_null(f);
	assert_int_equal(sim_write_file(&f->sim, "seed.json", seed_json, seed,
					sizeof(seed)), 0);
	args[1] = seed;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(sim_start(&f->sim, args), 0);
	fixture_config(f);
	return f;
}

static inline struct http_client *fixture_client(struct http_fixture *f)
{
	assert_int_equal(http_client_new(&f->config, &f->client), 0);
	return f->client;
}

static inline void fixture_stop(struct http_fixture *f)
{
	http_client_free(f->client);
	http_config_release(&f->config);
	assert_int_equal(sim_stop(&f->sim), 0);
	free(f);
}

/*
 * Reads the entries of the simulator's request log whose path starts
 * with "/api/" (token requests left out); returns their number.
 */
static inline size_t fixture_log(struct http_fixture *f,
				 struct logged_request **out)
{
	char *body = NULL;
	cJSON *json, *log, *entry;
	struct logged_request *entries;
	size_t n = 0;

	assert_int_equal(sim_request(&f->sim, "GET", "/__sim/requests?log=1",
				     NULL, &body), 200);
	json = cJSON_Parse(body);
	free(body);
	assert_non_null(json);
	log = cJSON_GetObjectItemCaseSensitive(json, "log");
	assert_true(cJSON_IsArray(log));
	entries = calloc((size_t)cJSON_GetArraySize(log) + 1,
			 sizeof(*entries));
	assert_non_null(entries);
	cJSON_ArrayForEach(entry, log) {
		const char *path = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(entry, "path"));
		struct logged_request *r = &entries[n];

		if (!path || strncmp(path, "/api/", 5) != 0)
			continue;
		n++;
		r->t = cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(entry, "t"));
		snprintf(r->method, sizeof(r->method), "%s",
			 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				 entry, "method")));
		snprintf(r->path, sizeof(r->path), "%s", path);
		r->status = (long)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(entry, "status"));
	}
	cJSON_Delete(json);
	*out = entries;
	return n;
}

/* Runs `run(arg)` on `count` threads at once and joins them. */
static inline void fixture_threads(int count, void *(*run)(void *),
				   void *arg)
{
	pthread_t threads[64];
	int i;

	assert_true(count <= 64);
	for (i = 0; i < count; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, run, arg),
				 0);
	for (i = 0; i < count; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
}

#endif

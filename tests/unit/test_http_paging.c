/*
 * Reading whole listings from trunksim: empty, one page, page
 * boundaries, 5,000 trunks, a trunk inserted while the listing is read,
 * soft-deleted trunks, a server that caps the page size, and a server
 * whose listing never ends. A scripted server sends one page that the
 * trunk page decoder takes and one that it leaves to cJSON.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/paging.h"
#include "model/error.h"
#include "test_http_fixture.h"
#include "tests/support/script_server.h"

/*
 * Starts trunksim with one generated edge of `trunks` trunks, and pages
 * of at most `max_page_size` when it is not NULL.
 */
static struct http_fixture *start_generated(int trunks,
					    const char *max_page_size)
{
	char count[16], max[16];
	const char *args[] = { "--edges", "1", "--trunks-per-edge", count,
			       "--max-trunks", max, "--random-seed", "7",
			       max_page_size ? "--max-page-size" : NULL,
			       max_page_size, NULL };
	struct http_fixture *f;

	snprintf(count, sizeof(count), "%d", trunks);
	snprintf(max, sizeof(max), "%d", trunks > 50 ? trunks : 50);
	f = fixture_start(args);
	fixture_client(f);
	return f;
}

/* Returns the id of the only edge, which the caller frees. */
static char *only_edge_id(struct http_fixture *f)
{
	struct edge_ref *edges = NULL;
	size_t count = 0;
	char *id;

	assert_int_equal(api_profile_trunks.list_edges(f->client, NULL, &edges,
						       &count, NULL), 0);
	assert_int_equal(count, 1);
	id = strdup(edges[0].id);
	api_edges_release(edges, count);
	assert_int_equal(sim_reset_counts(&f->sim), 0);
	return id;
}

/* Lists the edge's trunks and checks names are unique and sorted. */
static size_t list_and_check(struct http_fixture *f, const char *edge_id,
			     struct api_call_info *info)
{
	struct live_trunk *trunks = NULL;
	size_t count = 0, i;

	assert_int_equal(api_profile_trunks.list_trunks(f->client, edge_id,
							&trunks, &count, info),
			 0);
	for (i = 1; i < count; i++)
		assert_true(strcmp(trunks[i - 1].spec.name,
				   trunks[i].spec.name) < 0);
	for (i = 0; i < count; i++) {
		assert_false(trunks[i].deleted);
		assert_string_equal(trunks[i].edge_id, edge_id);
	}
	api_trunks_release(trunks, count);
	return count;
}

static void check_listing_size(int trunks, long pages)
{
	struct http_fixture *f = start_generated(trunks, NULL);
	struct api_call_info info;
	char *edge_id = only_edge_id(f);

	assert_int_equal(list_and_check(f, edge_id, &info), trunks);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), pages);
	assert_int_equal(info.attempts, pages);
	assert_int_equal(info.status, 200);
	free(edge_id);
	fixture_stop(f);
}

static void listing_empty(void **state)
{
	(void)state;
	check_listing_size(0, 1);
}

static void listing_one(void **state)
{
	(void)state;
	check_listing_size(1, 1);
}

static void listing_one_full_page(void **state)
{
	(void)state;
	check_listing_size(100, 1);
}

static void listing_page_and_one(void **state)
{
	(void)state;
	check_listing_size(101, 2);
}

static void listing_5000(void **state)
{
	(void)state;
	check_listing_size(5000, 50);
}

static void listing_capped_page_size(void **state)
{
	struct http_fixture *f = start_generated(50, "7");
	char *edge_id = only_edge_id(f);
	struct logged_request *log;
	size_t n, i;

	(void)state;
	/* The server sends 7 a page, whatever size the client asks for. */
	assert_int_equal(list_and_check(f, edge_id, NULL), 50);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 8);
	n = fixture_log(f, &log);
	assert_int_equal(n, 8);
	assert_non_null(strstr(log[0].path, "pageSize=100"));
	for (i = 1; i < n; i++)
		assert_non_null(strstr(log[i].path, "pageSize=7"));
	free(log);
	free(edge_id);
	fixture_stop(f);
}

static void listing_never_ends(void **state)
{
	struct http_fixture *f = start_generated(3, NULL);
	char *edge_id = only_edge_id(f), fault[256];
	struct live_trunk *trunks = NULL;
	size_t count = 0;

	(void)state;
	http_client_free(f->client);
	f->config.max_pages = 25;
	fixture_client(f);
	snprintf(fault, sizeof(fault), "{\"route\":\"GET %s\",\"kind\":"
		 "\"endless\"}", TRUNKS_TEMPLATE);
	assert_int_equal(sim_fault(&f->sim, fault), 0);
	assert_int_equal(api_profile_trunks.list_trunks(f->client, edge_id,
							&trunks, &count, NULL),
			 TRUNKCTL_EINVALID);
	assert_null(trunks);
	assert_non_null(strstr(error_message(), "did not end after 25 pages"));
	assert_non_null(strstr(error_message(), edge_id));
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 25);
	free(edge_id);
	fixture_stop(f);
}

/* A seed of one edge with `count` trunks named trunk-000 and up. */
static char *seed_of(int count, const char *deleted_state_every)
{
	size_t size = 200 + (size_t)count * 160;
	char *seed = malloc(size);
	size_t used;
	int i;

	assert_non_null(seed);
	used = (size_t)snprintf(seed, size, "{\"edges\": [{\"id\": \"edge-p\", "
				"\"name\": \"Paging Edge\", \"maxTrunks\": "
				"1000, \"trunks\": [");
	for (i = 0; i < count; i++)
		used += (size_t)snprintf(seed + used, size - used,
					 "%s{\"id\": \"id-%03d\", \"name\": "
					 "\"trunk-%03d\", \"sipEndpoints\": "
					 "[\"198.51.100.1:5060\"]%s}",
					 i ? "," : "", i, i,
					 deleted_state_every && i % 3 == 0
						 ? deleted_state_every : "");
	snprintf(seed + used, size - used, "]}]}");
	return seed;
}

static struct http_fixture *start_seeded(int count, const char *deleted)
{
	char *seed = seed_of(count, deleted);
	struct http_fixture *f = fixture_start_seed(seed, NULL);

	free(seed);
	fixture_client(f);
	return f;
}

static void insert_trunk_after(struct http_fixture *f, int listings,
			       const char *name)
{
	char fault[512];

	snprintf(fault, sizeof(fault), "{\"kind\":\"insert_trunk\",\"edgeId\":"
		 "\"edge-p\",\"afterRequests\":%d,\"trunk\":{\"id\":\"new-%s\","
		 "\"name\":\"%s\",\"sipEndpoints\":[\"198.51.100.2:5060\"]}}",
		 listings, name, name);
	assert_int_equal(sim_fault(&f->sim, fault), 0);
}

static void insert_during_listing(void **state)
{
	struct http_fixture *f = start_seeded(150, NULL);
	struct live_trunk *trunks = NULL;
	size_t count = 0, i, j;

	(void)state;
	/* After page 1, a trunk lands before it: page 2 repeats trunk-099. */
	insert_trunk_after(f, 1, "a-early");
	assert_int_equal(api_profile_trunks.list_trunks(f->client, "edge-p",
							&trunks, &count, NULL),
			 0);
	assert_int_equal(count, 151);
	assert_string_equal(trunks[0].spec.name, "a-early");
	for (i = 0; i < count; i++)
		for (j = i + 1; j < count; j++)
			assert_string_not_equal(trunks[i].id, trunks[j].id);
	/* Two pages, then the restart's two. */
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 4);
	api_trunks_release(trunks, count);
	fixture_stop(f);
}

static void insert_after_page_counted(void **state)
{
	struct http_fixture *f = start_seeded(150, NULL);
	struct api_call_info info;

	(void)state;
	/* A trunk added past the page being read changes only `total`. */
	insert_trunk_after(f, 1, "zz-late");
	assert_int_equal(list_and_check(f, "edge-p", &info), 151);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 4);
	assert_int_equal(info.attempts, 4);
	fixture_stop(f);
}

static void listing_keeps_changing(void **state)
{
	struct http_fixture *f = start_seeded(150, NULL);
	struct live_trunk *trunks = NULL;
	size_t count = 0;

	(void)state;
	/* Each pass of two pages finds one more trunk, so four passes fail. */
	insert_trunk_after(f, 1, "a-1");
	insert_trunk_after(f, 3, "a-2");
	insert_trunk_after(f, 5, "a-3");
	insert_trunk_after(f, 7, "a-4");
	assert_int_equal(api_profile_trunks.list_trunks(f->client, "edge-p",
							&trunks, &count, NULL),
			 TRUNKCTL_EINVALID);
	assert_null(trunks);
	assert_non_null(strstr(error_message(), "changed while it was read"));
	assert_non_null(strstr(error_message(), "/edges/edge-p/trunks"));
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 8);
	fixture_stop(f);
}

static void deleted_trunks_skipped(void **state)
{
	struct http_fixture *f = start_seeded(250, ", \"state\": \"deleted\"");
	struct live_trunk trunk;

	(void)state;
	/* Every third of 250 is deleted: 84 deleted, 166 live. */
	assert_int_equal(list_and_check(f, "edge-p", NULL), 166);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 3);

	/* Fetched by id, a deleted trunk is reported as deleted. */
	assert_int_equal(api_profile_trunks.get_trunk(f->client, "edge-p",
						      "id-003", &trunk, NULL),
			 0);
	assert_true(trunk.deleted);
	assert_string_equal(trunk.spec.name, "trunk-003");
	live_trunk_release(&trunk);
	fixture_stop(f);
}

static void listing_not_an_envelope(void **state)
{
	struct http_fixture *f = start_seeded(3, NULL);
	struct live_trunk *trunks = NULL;
	size_t count = 0;
	char fault[256];

	(void)state;
	snprintf(fault, sizeof(fault), "{\"route\":\"GET %s\",\"kind\":"
		 "\"invalid_json\",\"count\":1}", TRUNKS_TEMPLATE);
	assert_int_equal(sim_fault(&f->sim, fault), 0);
	assert_int_equal(api_profile_trunks.list_trunks(f->client, "edge-p",
							&trunks, &count, NULL),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "/edges/edge-p/trunks"));
	assert_non_null(strstr(error_message(), "not valid JSON"));
	fixture_stop(f);
}

#define TRUNK_JSON(n, extra)                                               \
	"{\"id\":\"id-" #n "\",\"name\":\"trunk-" #n "\",\"codecs\":"  \
	"[\"pcmu\"],\"version\":1,\"status\":\"ENABLED\"" extra "}"

/*
 * The first page decodes directly; the second has a key with an escape,
 * which only cJSON's path reads. Both end up in one listing, in order.
 */
static void listing_mixes_both_decoders(void **state)
{
	static const struct script_reply script[] = {
		{ 200, NULL, "{\"access_token\":\"scripted\","
			     "\"token_type\":\"bearer\",\"expires_in\":3600}" },
		{ 200, NULL, "{\"entities\":[" TRUNK_JSON(1, "") ","
			     TRUNK_JSON(2, ",\"state\":\"deleted\"") ","
			     TRUNK_JSON(3, "") "],\"pageSize\":3,"
			     "\"pageNumber\":1,\"pageCount\":2,\"total\":5}" },
		{ 200, NULL, "{\"entities\":[" TRUNK_JSON(4, "") ","
			     TRUNK_JSON(5, ",\"rtp\\u0054imeout\":90") "],"
			     "\"pageSize\":3,\"pageNumber\":2,"
			     "\"pageCount\":2,\"total\":5}" },
	};
	struct http_listed_trunk *listed = NULL;
	struct script_server server;
	struct http_fixture f = { 0 };
	char url[64];
	size_t count = 0;

	(void)state;
	assert_int_equal(script_server_start(&server, script, 3), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", server.port);
	strcpy(f.sim.url, url);
	fixture_config(&f);
	f.config.page_size = 3;
	fixture_client(&f);
	assert_int_equal(http_list_trunks(f.client, "/edges/e/trunks",
					  "/edges/{edgeId}/trunks", &listed,
					  &count, NULL),
			 0);
	script_server_stop(&server);
	assert_int_equal(server.served, 3);
	assert_non_null(strstr(server.requests[2], "pageNumber=2"));

	assert_int_equal(count, 4);
	assert_null(listed[0].json);
	assert_string_equal(listed[0].trunk.spec.name, "trunk-1");
	assert_string_equal(listed[0].trunk.spec.codecs[0], "PCMU");
	assert_null(listed[1].json);
	assert_string_equal(listed[1].trunk.id, "id-3");
	assert_non_null(listed[2].json);
	assert_non_null(listed[3].json);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    listed[3].json, "name")), "trunk-5");
	http_listed_trunks_release(listed, count);
	http_client_free(f.client);
	http_config_release(&f.config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listing_empty),
		cmocka_unit_test(listing_one),
		cmocka_unit_test(listing_one_full_page),
		cmocka_unit_test(listing_page_and_one),
		cmocka_unit_test(listing_5000),
		cmocka_unit_test(listing_capped_page_size),
		cmocka_unit_test(listing_never_ends),
		cmocka_unit_test(insert_during_listing),
		cmocka_unit_test(insert_after_page_counted),
		cmocka_unit_test(listing_keeps_changing),
		cmocka_unit_test(deleted_trunks_skipped),
		cmocka_unit_test(listing_not_an_envelope),
		cmocka_unit_test(listing_mixes_both_decoders),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}

/*
 * The trunk API profile against trunksim: every call of the contract,
 * its errors (not found, name exists, stale version), the figures each
 * call reports, and how many requests reading an org takes.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/profile.h"
#include "model/error.h"
#include "test_http_fixture.h"

static const struct api_profile *api = &api_profile_trunks;

static const char seed_json[] =
	"{\"edges\": ["
	"{\"id\": \"edge-a\", \"name\": \"Dublin Edge 1\", \"maxTrunks\": 5,"
	" \"trunks\": ["
	"  {\"id\": \"t-1\", \"name\": \"Alpha\","
	"   \"sipEndpoints\": [\"198.51.100.1:5060\"]},"
	"  {\"id\": \"t-2\", \"name\": \"Bravo\", \"status\": \"DISABLED\","
	"   \"sipEndpoints\": [\"198.51.100.2:5060\"]}]},"
	"{\"id\": \"edge-b\", \"name\": \"Cork Edge\"},"
	"{\"id\": \"edge c1\", \"name\": \"Galway & Co\"}]}";

static int setup(void **state)
{
	static const char *const extra[] = { "--activation-delay-ms", "30",
					     NULL };

	*state = fixture_start_seed(seed_json, extra);
	fixture_client(*state);
	return 0;
}

static int teardown(void **state)
{
	fixture_stop(*state);
	return 0;
}

/* A valid spec; the caller releases it. */
static void make_spec(struct trunk_spec *spec, const char *name)
{
	trunk_spec_init(spec);
	spec->name = strdup(name);
	spec->description = strdup("test trunk");
	spec->sip_endpoints = calloc(1, sizeof(char *));
	spec->sip_endpoints[0] = strdup("198.51.100.20:5060");
	spec->sip_endpoint_count = 1;
	spec->codecs = calloc(2, sizeof(char *));
	spec->codecs[0] = strdup("PCMU");
	spec->codecs[1] = strdup("G729");
	spec->codec_count = 2;
	spec->max_concurrent_calls = 40;
	spec->nat_traversal = true;
	spec->keepalive_interval = 30;
	spec->sip_invite_timeout = 15;
	spec->rtp_timeout = 30;
}

static void edges_listed(void **state)
{
	struct http_fixture *f = *state;
	struct edge_ref *edges = NULL;
	struct api_call_info info;
	size_t count = 0;

	assert_int_equal(api->list_edges(f->client, NULL, &edges, &count,
					  &info), 0);
	assert_int_equal(count, 3);
	assert_string_equal(edges[0].name, "Cork Edge");
	assert_string_equal(edges[0].id, "edge-b");
	assert_int_equal(info.status, 200);
	assert_int_equal(info.attempts, 1);
	api_edges_release(edges, count);

	/* The name filter matches whole names, ignoring case. */
	assert_int_equal(api->list_edges(f->client, "dublin edge 1", &edges,
					  &count, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(edges[0].id, "edge-a");
	assert_int_equal(edges[0].max_trunks, 5);
	api_edges_release(edges, count);

	assert_int_equal(api->list_edges(f->client, "Galway & Co", &edges,
					  &count, NULL), 0);
	assert_int_equal(count, 1);
	api_edges_release(edges, count);

	assert_int_equal(api->list_edges(f->client, "Nowhere", &edges, &count,
					  NULL), 0);
	assert_int_equal(count, 0);
	api_edges_release(edges, count);
}

static void edge_fetched(void **state)
{
	struct http_fixture *f = *state;
	struct api_call_info info;
	struct edge_ref edge;

	assert_int_equal(api->get_edge(f->client, "edge-a", &edge, &info), 0);
	assert_string_equal(edge.name, "Dublin Edge 1");
	assert_true(*info.correlation_id);
	edge_ref_release(&edge);

	/* Ids are percent-encoded in the path. */
	assert_int_equal(api->get_edge(f->client, "edge c1", &edge, NULL), 0);
	assert_string_equal(edge.name, "Galway & Co");
	edge_ref_release(&edge);

	assert_int_equal(api->get_edge(f->client, "edge-x", &edge, &info),
			 TRUNKCTL_ENOTFOUND);
	assert_int_equal(info.status, 404);
	assert_non_null(strstr(error_message(), "GET http://127.0.0.1:"));
	assert_non_null(strstr(error_message(), "/edges/edge-x: status 404"));
	assert_non_null(strstr(error_message(), info.correlation_id));
}

static void trunks_listed(void **state)
{
	struct http_fixture *f = *state;
	struct live_trunk *trunks = NULL;
	size_t count = 0;

	assert_int_equal(api->list_trunks(f->client, "edge-a", &trunks, &count,
					   NULL), 0);
	assert_int_equal(count, 2);
	assert_string_equal(trunks[0].id, "t-1");
	assert_string_equal(trunks[0].spec.name, "Alpha");
	assert_string_equal(trunks[0].edge_id, "edge-a");
	assert_int_equal(trunks[1].status, TRUNK_STATUS_DISABLED);
	api_trunks_release(trunks, count);

	assert_int_equal(api->list_trunks(f->client, "edge-b", &trunks, &count,
					   NULL), 0);
	assert_int_equal(count, 0);
	api_trunks_release(trunks, count);

	assert_int_equal(api->list_trunks(f->client, "edge-x", &trunks, &count,
					   NULL), TRUNKCTL_ENOTFOUND);
}

/* Polls the trunk until it has `status`, for at most about 2 s. */
static void wait_for_status(struct http_fixture *f, const char *trunk_id,
			    enum trunk_status status)
{
	struct live_trunk trunk;
	int i;

	for (i = 0; i < 200; i++) {
		assert_int_equal(api->get_trunk(f->client, "edge-b", trunk_id,
						&trunk, NULL), 0);
		if (trunk.status == status) {
			live_trunk_release(&trunk);
			return;
		}
		live_trunk_release(&trunk);
		usleep(10000);
	}
	fail_msg("trunk %s never reached %s", trunk_id,
		 trunk_status_name(status));
}

static void trunk_lifecycle(void **state)
{
	struct http_fixture *f = *state;
	struct api_trunk_diagnostics diag;
	struct api_call_info info;
	struct live_trunk created, updated, fetched;
	struct trunk_spec spec;

	make_spec(&spec, "Carrier-Primary");
	assert_int_equal(api->create_trunk(f->client, "edge-b", &spec, false,
					    &created, &info), 0);
	assert_int_equal(info.status, 201);
	assert_int_equal(created.status, TRUNK_STATUS_PENDING);
	assert_string_equal(created.spec.name, "Carrier-Primary");
	assert_string_equal(created.edge_id, "edge-b");
	assert_int_equal(created.spec.codec_count, 2);
	assert_true(created.spec.nat_traversal);

	/* The same name, in another case, exists. */
	free(spec.name);
	spec.name = strdup("carrier-primary");
	assert_int_equal(api->create_trunk(f->client, "edge-b", &spec, false,
					    &fetched, &info),
			 TRUNKCTL_ECONFLICT);
	assert_int_equal(info.status, 409);

	spec.max_concurrent_calls = 80;
	assert_int_equal(api->update_trunk(f->client, "edge-b", created.id,
					    &spec, created.version, &updated,
					    &info), 0);
	assert_int_equal(updated.version, created.version + 1);
	assert_int_equal(updated.spec.max_concurrent_calls, 80);

	/* The version it was read at is stale now. */
	assert_int_equal(api->update_trunk(f->client, "edge-b", created.id,
					    &spec, created.version, &fetched,
					    &info), TRUNKCTL_ECONFLICT);
	assert_non_null(strstr(error_message(), "PUT http://127.0.0.1:"));

	assert_int_equal(api->activate_trunk(f->client, "edge-b", created.id,
					      &info), 0);
	assert_int_equal(info.status, 202);
	wait_for_status(f, created.id, TRUNK_STATUS_ENABLED);

	assert_int_equal(api->trunk_diagnostics(f->client, "edge-b",
						 created.id, &diag, &info), 0);
	assert_string_equal(diag.trunk_id, created.id);
	assert_true(diag.invite_code >= 200);
	assert_string_equal(diag.nat_status, "OK");
	assert_string_equal(diag.keepalive_status, "UP");
	assert_int_equal(diag.keepalive_interval, 30);
	api_trunk_diagnostics_release(&diag);

	assert_int_equal(api->deactivate_trunk(f->client, "edge-b", created.id,
						&info), 0);
	wait_for_status(f, created.id, TRUNK_STATUS_DISABLED);

	assert_int_equal(api->delete_trunk(f->client, "edge-b", created.id,
					    &info), 0);
	assert_int_equal(info.status, 204);
	assert_int_equal(api->get_trunk(f->client, "edge-b", created.id,
					 &fetched, NULL), 0);
	assert_true(fetched.deleted);
	live_trunk_release(&fetched);

	live_trunk_release(&updated);
	live_trunk_release(&created);
	trunk_spec_release(&spec);
}

static void create_lost_answer(void **state)
{
	struct http_fixture *f = *state;
	struct live_trunk trunk, *trunks = NULL;
	struct api_call_info info;
	struct trunk_spec spec;
	size_t count = 0;

	make_spec(&spec, "Carrier-Lost");
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"POST "
				   TRUNKS_TEMPLATE "\",\"kind\":"
				   "\"drop_after_commit\",\"count\":1}"), 0);
	assert_int_equal(api->create_trunk(f->client, "edge-b", &spec, false,
					    &trunk, &info), TRUNKCTL_EIO);
	assert_true(info.outcome_unknown);
	assert_int_equal(info.attempts, 1);

	/* The trunk was made: a lookup finds it. */
	assert_int_equal(api->list_trunks(f->client, "edge-b", &trunks, &count,
					   NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(trunks[0].spec.name, "Carrier-Lost");
	api_trunks_release(trunks, count);
	trunk_spec_release(&spec);
}

static void create_not_resent(void **state)
{
	struct http_fixture *f = *state;
	struct live_trunk trunk;
	struct api_call_info info;
	struct trunk_spec spec;

	/* A drop before the server acts: the caller still cannot know. */
	make_spec(&spec, "Carrier-Dropped");
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"POST "
				   TRUNKS_TEMPLATE "\",\"kind\":\"drop\","
				   "\"count\":1}"), 0);
	assert_int_equal(api->create_trunk(f->client, "edge-b", &spec, false,
					    &trunk, &info), TRUNKCTL_EIO);
	assert_true(info.outcome_unknown);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_TEMPLATE), 1);

	/* Marked safe, the create is resent and succeeds. */
	assert_int_equal(sim_fault(&f->sim, "{\"route\":\"POST "
				   TRUNKS_TEMPLATE "\",\"kind\":\"drop\","
				   "\"count\":1}"), 0);
	assert_int_equal(api->create_trunk(f->client, "edge-b", &spec, true,
					    &trunk, &info), 0);
	assert_false(info.outcome_unknown);
	assert_int_equal(sim_count(&f->sim, "POST", TRUNKS_TEMPLATE), 3);
	live_trunk_release(&trunk);
	trunk_spec_release(&spec);
}

static void update_needs_version(void **state)
{
	struct http_fixture *f = *state;
	struct live_trunk trunk;
	struct trunk_spec spec;

	make_spec(&spec, "Alpha");
	assert_int_equal(api->update_trunk(f->client, "edge-a", "t-1", &spec,
					    0, &trunk, NULL),
			 TRUNKCTL_EINVALID);
	assert_int_equal(sim_count(&f->sim, "PUT", NULL), 0);
	trunk_spec_release(&spec);
}

static void org_read_request_count(void **state)
{
	static const char *const args[] = { "--edges", "7",
					    "--trunks-per-edge", "30",
					    "--random-seed", "3", NULL };
	struct http_fixture *f = fixture_start(args);
	struct edge_ref *edges = NULL;
	struct live_trunk *trunks = NULL;
	size_t edge_count = 0, count = 0, i, total = 0;

	(void)state;
	fixture_client(f);
	assert_int_equal(api->list_edges(f->client, NULL, &edges, &edge_count,
					  NULL), 0);
	assert_int_equal(edge_count, 7);
	for (i = 0; i < edge_count; i++) {
		assert_int_equal(api->list_trunks(f->client, edges[i].id,
						   &trunks, &count, NULL), 0);
		total += count;
		api_trunks_release(trunks, count);
	}
	assert_int_equal(total, 7 * 30);
	assert_int_equal(sim_count(&f->sim, "GET", TRUNKS_TEMPLATE), 7);
	assert_int_equal(sim_count(&f->sim, "GET", EDGES_PATH), 1);
	assert_int_equal(sim_count(&f->sim, "POST", TOKEN_TEMPLATE), 1);
	assert_int_equal(sim_count(&f->sim, NULL, NULL), 7 + 1 + 1);
	api_edges_release(edges, edge_count);
	fixture_stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(edges_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(edge_fetched, setup, teardown),
		cmocka_unit_test_setup_teardown(trunks_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(trunk_lifecycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(create_lost_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(create_not_resent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(update_needs_version, setup,
						teardown),
		cmocka_unit_test(org_read_request_count),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}

/* Drift: the comparison of live trunks with manifests, and its renderings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "model/error.h"
#include "model/manifest.h"
#include "reconcile/drift.h"

#define MANIFEST_HEAD                                                   \
	"apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"

/* Two edges: edge-a without prune, edge-b with prune. */
static const char manifests[] =
	MANIFEST_HEAD
	"edge: {id: edge-a}\n"
	"trunks:\n"
	"  - {name: Same, sipEndpoints: ['203.0.113.1:5060'], codecs: [PCMU],\n"
	"     maxConcurrentCalls: 10}\n"
	"  - {name: Fields, sipEndpoints: ['203.0.113.2:5060'],\n"
	"     codecs: [PCMU, PCMA], maxConcurrentCalls: 20}\n"
	"  - {name: Disabled, sipEndpoints: ['203.0.113.3:5060'],\n"
	"     codecs: [PCMU], maxConcurrentCalls: 10}\n"
	"  - {name: Off, sipEndpoints: ['203.0.113.4:5060'], codecs: [PCMU],\n"
	"     maxConcurrentCalls: 10, state: inactive}\n"
	"  - {name: Missing, sipEndpoints: ['203.0.113.5:5060'],\n"
	"     codecs: [PCMU], maxConcurrentCalls: 10}\n"
	"  - {name: Gone, sipEndpoints: ['203.0.113.6:5060'], codecs: [PCMU],\n"
	"     maxConcurrentCalls: 10, state: absent}\n"
	"---\n" MANIFEST_HEAD
	"edge: {id: edge-b, prune: true}\n"
	"trunks:\n"
	"  - {name: Owned, sipEndpoints: ['198.51.100.1:5060'],\n"
	"     codecs: [PCMU], maxConcurrentCalls: 10}\n";

/* Live trunks as the API returns them; `status` varies per case. */
static void live(struct live_trunk *out, const char *id, const char *name,
		 const char *endpoint, int calls, const char *codecs,
		 const char *status)
{
	char text[1024];
	cJSON *json;

	snprintf(text, sizeof(text),
		 "{\"id\": \"%s\", \"name\": \"%s\", \"version\": 1, "
		 "\"sipEndpoints\": [\"%s\"], \"codecs\": %s, "
		 "\"maxConcurrentCalls\": %d, \"status\": \"%s\", "
		 "\"state\": \"active\"}", id, name, endpoint, codecs, calls,
		 status);
	json = cJSON_Parse(text);
	assert_non_null(json);
	assert_int_equal(live_trunk_from_json(json, out), 0);
	cJSON_Delete(json);
}

static void load_model(const char *text, struct desired_model *model)
{
	struct manifest_loader *loader = manifest_loader_new();

	assert_non_null(loader);
	assert_int_equal(manifest_load_buffer(loader, "test.yaml", text,
					      strlen(text)), 0);
	assert_int_equal(manifest_loader_finish(loader, model), 0);
	manifest_loader_free(loader);
}

struct fixture {
	struct desired_model model;
	struct live_trunk a[8];
	size_t a_count;
	struct live_trunk b[4];
	size_t b_count;
	struct plan_edge_input edges[2];
	struct drift_report report;
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	load_model(manifests, &f->model);
	live(&f->a[0], "t-1", "same", "203.0.113.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	live(&f->a[1], "t-2", "Fields", "203.0.113.2:5060", 25, "[\"PCMA\"]",
	     "ENABLED");
	live(&f->a[2], "t-3", "Disabled", "203.0.113.3:5060", 10,
	     "[\"PCMU\"]", "DISABLED");
	live(&f->a[3], "t-4", "Off", "203.0.113.4:5060", 10, "[\"PCMU\"]",
	     "PENDING");
	live(&f->a[4], "t-6", "Gone", "203.0.113.6:5060", 10, "[\"PCMU\"]",
	     "DISABLED");
	live(&f->a[5], "t-7", "Hand-Made", "203.0.113.7:5060", 10,
	     "[\"PCMU\"]", "ENABLED");
	live(&f->a[6], "t-8", "Missing", "203.0.113.5:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	f->a[6].deleted = true;  /* deleted: does not count as present */
	f->a_count = 7;
	live(&f->b[0], "t-9", "Owned", "198.51.100.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	live(&f->b[1], "t-10", "Stray", "198.51.100.2:5060", 10, "[\"PCMU\"]",
	     "DISABLED");
	f->b_count = 2;
	f->edges[0] = (struct plan_edge_input){ &f->model.edges[0], "edge-a",
						"Edge \"A\"\\1\n", f->a,
						f->a_count, NULL };
	f->edges[1] = (struct plan_edge_input){ &f->model.edges[1], "edge-b",
						NULL, f->b, f->b_count, NULL };
	return f;
}

static void fixture_free(struct fixture *f)
{
	size_t i;

	drift_report_release(&f->report);
	for (i = 0; i < f->a_count; i++)
		live_trunk_release(&f->a[i]);
	for (i = 0; i < f->b_count; i++)
		live_trunk_release(&f->b[i]);
	desired_model_release(&f->model);
	free(f);
}

static const struct drift_trunk *find(const struct drift_edge *edge,
				      const char *name)
{
	size_t i;

	for (i = 0; i < edge->trunk_count; i++)
		if (strcmp(edge->trunks[i].name, name) == 0)
			return &edge->trunks[i];
	return NULL;
}

static void drift_each_problem(void **state)
{
	struct fixture *f = fixture_new();
	const struct drift_edge *a, *b;
	const struct drift_trunk *t;
	struct drift_counts counts;

	(void)state;
	assert_int_equal(drift_compute(f->edges, 2, NULL, 1000, &f->report),
			 0);
	a = &f->report.edges[0];
	b = &f->report.edges[1];
	assert_null(find(a, "Same"));   /* a name case change is no drift */

	t = find(a, "Fields");
	assert_non_null(t);
	assert_int_equal(t->problems, DRIFT_FIELDS);
	assert_int_equal(t->change_count, 2);
	assert_string_equal(t->changes[0].field, "maxConcurrentCalls");
	assert_string_equal(t->changes[0].before, "25");
	assert_string_equal(t->changes[0].after, "20");
	assert_string_equal(t->changes[1].field, "codecs");

	t = find(a, "Disabled");
	assert_non_null(t);
	assert_int_equal(t->problems, DRIFT_STATUS);
	t = find(a, "Off");
	assert_non_null(t);
	assert_int_equal(t->problems, DRIFT_STATUS);
	assert_int_equal(t->state, TRUNK_STATE_INACTIVE);
	t = find(a, "Missing");
	assert_non_null(t);
	assert_int_equal(t->problems, DRIFT_MISSING);
	assert_null(t->id);
	t = find(a, "Gone");
	assert_non_null(t);
	assert_int_equal(t->problems, DRIFT_EXTRA);
	assert_true(t->declared);

	assert_int_equal(a->unmanaged_count, 1);
	assert_string_equal(a->unmanaged[0].name, "Hand-Made");
	assert_int_equal(a->live_count, 6);

	assert_int_equal(b->trunk_count, 1);
	assert_string_equal(b->trunks[0].name, "Stray");
	assert_int_equal(b->trunks[0].problems, DRIFT_EXTRA);
	assert_false(b->trunks[0].declared);
	assert_int_equal(b->unmanaged_count, 0);

	drift_count(&f->report, &counts);
	assert_int_equal(counts.drifted, 6);
	assert_int_equal(counts.drifted_edges, 2);
	assert_int_equal(counts.missing, 1);
	assert_int_equal(counts.fields, 1);
	assert_int_equal(counts.status, 2);
	assert_int_equal(counts.extra, 2);
	assert_int_equal(counts.unmanaged, 1);
	assert_int_equal(counts.failed_edges, 0);
	fixture_free(f);
}

static void drift_in_sync(void **state)
{
	struct desired_model model;
	struct live_trunk one;
	struct plan_edge_input edge;
	struct drift_report report;
	struct drift_counts counts;
	char *text = NULL;

	(void)state;
	load_model(MANIFEST_HEAD "edge: {id: e}\ntrunks:\n"
		   "  - {name: T, sipEndpoints: ['203.0.113.1:5060'],\n"
		   "     codecs: [pcmu], maxConcurrentCalls: 10,\n"
		   "     keepAlive: {interval: 30}}\n", &model);
	live(&one, "t", "T", "203.0.113.1:5060", 10, "[\"PCMU\"]", "ENABLED");
	edge = (struct plan_edge_input){ &model.edges[0], "e", "E", &one, 1,
					 NULL };
	assert_int_equal(drift_compute(&edge, 1, NULL, 0, &report), 0);
	drift_count(&report, &counts);
	assert_int_equal(counts.drifted, 0);
	assert_int_equal(drift_render_text(&report, &text), 0);
	assert_string_equal(text, "No drift. The live trunks match the "
			    "manifests.\n");
	free(text);
	drift_report_release(&report);
	live_trunk_release(&one);
	desired_model_release(&model);
}

/* A declared trunk finds its live trunk whatever the case and listing
 * order; on a pruned edge only the undeclared one drifts. */
static void drift_pairs_names_ignoring_case(void **state)
{
	struct desired_model model;
	struct live_trunk three[3];
	struct plan_edge_input edge;
	struct drift_report report;

	(void)state;
	load_model(MANIFEST_HEAD "edge: {id: e, prune: true}\ntrunks:\n"
		   "  - {name: Beta, sipEndpoints: ['203.0.113.1:5060'],\n"
		   "     codecs: [pcmu], maxConcurrentCalls: 10,\n"
		   "     keepAlive: {interval: 30}}\n"
		   "  - {name: alpha, sipEndpoints: ['203.0.113.1:5060'],\n"
		   "     codecs: [pcmu], maxConcurrentCalls: 10,\n"
		   "     keepAlive: {interval: 30}}\n", &model);
	live(&three[0], "t-z", "Zeta", "203.0.113.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	live(&three[1], "t-b", "BETA", "203.0.113.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	live(&three[2], "t-a", "Alpha", "203.0.113.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	edge = (struct plan_edge_input){ &model.edges[0], "e", NULL, three, 3,
					 NULL };
	assert_int_equal(drift_compute(&edge, 1, NULL, 0, &report), 0);
	assert_null(report.edges[0].error);
	assert_int_equal(report.edges[0].trunk_count, 1);
	assert_string_equal(report.edges[0].trunks[0].id, "t-z");
	assert_int_equal(report.edges[0].trunks[0].problems, DRIFT_EXTRA);
	drift_report_release(&report);

	live_trunk_release(&three[0]);
	live_trunk_release(&three[1]);
	live_trunk_release(&three[2]);
	desired_model_release(&model);
}

/* An empty manifest never prunes, and duplicate live names fail. */
static void drift_empty_and_duplicates(void **state)
{
	struct desired_model model;
	struct live_trunk two[2];
	struct plan_edge_input edge;
	struct drift_report report;

	(void)state;
	load_model(MANIFEST_HEAD "edge: {id: e, prune: true}\ntrunks: []\n",
		   &model);
	live(&two[0], "t-1", "Dup", "203.0.113.1:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	live(&two[1], "t-2", "DUP", "203.0.113.2:5060", 10, "[\"PCMU\"]",
	     "ENABLED");
	edge = (struct plan_edge_input){ &model.edges[0], "e", NULL, two, 1,
					 NULL };
	assert_int_equal(drift_compute(&edge, 1, NULL, 0, &report), 0);
	assert_int_equal(report.edges[0].trunk_count, 0);
	assert_int_equal(report.edges[0].unmanaged_count, 1);
	assert_false(report.edges[0].prune);
	drift_report_release(&report);

	edge.live_count = 2;
	assert_int_equal(drift_compute(&edge, 1, NULL, 0, &report), 0);
	assert_non_null(report.edges[0].error);
	assert_non_null(strstr(report.edges[0].error, "(id t-1)"));
	assert_non_null(strstr(report.edges[0].error, "(id t-2)"));
	assert_int_equal(report.edges[0].unmanaged_count, 0);
	drift_report_release(&report);

	live_trunk_release(&two[0]);
	live_trunk_release(&two[1]);
	desired_model_release(&model);
}

static void drift_prometheus_labels(void **state)
{
	struct fixture *f = fixture_new();
	char *text = NULL;

	(void)state;
	assert_int_equal(drift_compute(f->edges, 2, NULL, 1000, &f->report),
			 0);
	assert_int_equal(drift_render_prometheus(&f->report, 1796400000123LL,
						 true, &text), 0);
	assert_non_null(strstr(text, "trunkctl_drift_trunks{edge=\"Edge "
				     "\\\"A\\\"\\\\1\\n\",edge_id=\"edge-a\"} 5\n"));
	assert_non_null(strstr(text, "trunkctl_drift_trunks{edge=\"edge-b\","
				     "edge_id=\"edge-b\"} 1\n"));
	assert_non_null(strstr(text, "# TYPE trunkctl_drift_trunks gauge\n"));
	assert_non_null(strstr(text, "trunkctl_drift_check_timestamp_seconds "
				     "1796400000.123\n"));
	assert_non_null(strstr(text, "trunkctl_drift_check_success 1\n"));
	free(text);

	assert_int_equal(drift_render_prometheus(NULL, 5, false, &text), 0);
	assert_null(strstr(text, "trunkctl_drift_trunks"));
	assert_non_null(strstr(text, "trunkctl_drift_check_timestamp_seconds "
				     "0.005\n"));
	assert_non_null(strstr(text, "trunkctl_drift_check_success 0\n"));
	free(text);
	fixture_free(f);
}

static void drift_json_and_markdown(void **state)
{
	struct fixture *f = fixture_new();
	struct plan_source source = { .path = "manifests/" };
	cJSON *json, *edge, *trunk;
	char *text = NULL;

	(void)state;
	assert_int_equal(drift_compute(f->edges, 2, &source, 1000, &f->report),
			 0);
	assert_int_equal(drift_render_json(&f->report, false, &text), 0);
	assert_null(strchr(text, '\n'));
	json = cJSON_Parse(text);
	assert_non_null(json);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(json, "inSync")));
	assert_string_equal(cJSON_GetObjectItem(
		cJSON_GetObjectItem(json, "source"), "path")->valuestring,
		"manifests/");
	edge = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "edges"), 0);
	trunk = cJSON_GetArrayItem(cJSON_GetObjectItem(edge, "drifted"), 0);
	assert_string_equal(cJSON_GetObjectItem(trunk, "name")->valuestring,
			    "Fields");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(
		trunk, "problems"), 0)->valuestring, "fields");
	cJSON_Delete(json);
	free(text);

	assert_int_equal(drift_render_markdown(&f->report, &text), 0);
	assert_non_null(strstr(text, "## trunkctl drift\n"));
	assert_non_null(strstr(text, "| ~ | Fields | t-2 | ENABLED | 2 fields "
				     "differ<br>maxConcurrentCalls: 25 -\\> "
				     "20"));
	assert_non_null(strstr(text, "- Hand-Made (id t-7, ENABLED)\n"));
	free(text);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drift_each_problem),
		cmocka_unit_test(drift_in_sync),
		cmocka_unit_test(drift_pairs_names_ignoring_case),
		cmocka_unit_test(drift_empty_and_duplicates),
		cmocka_unit_test(drift_prometheus_labels),
		cmocka_unit_test(drift_json_and_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The manifest diff of two desired models and its renderings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "model/error.h"
#include "model/manifest.h"
#include "reconcile/manifest_diff.h"

#define HEAD "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
#define TRUNK(name, calls)                                              \
	"  - {name: " name ", sipEndpoints: ['203.0.113.1:5060'],\n"    \
	"     codecs: [PCMU], maxConcurrentCalls: " calls "}\n"

static const char base_text[] =
	HEAD "edge: {id: EDGE-A, maxTrunks: 10}\ntrunks:\n"
	TRUNK("Keep", "10") TRUNK("Change", "10") TRUNK("Drop", "10")
	"  - {name: Spelt, sipEndpoints: ['203.0.113.9:5060'],\n"
	"     codecs: [pcmu, PCMA], maxConcurrentCalls: 5}\n"
	"---\n" HEAD "edge: {name: Old Edge}\ntrunks:\n" TRUNK("Old", "1")
	"---\n" HEAD "edge: {name: Pruned, prune: true}\ntrunks:\n"
	TRUNK("P1", "1") TRUNK("P2", "1");

static const char head_text[] =
	HEAD "edge: {id: edge-a, maxTrunks: 12}\ntrunks:\n"
	TRUNK("Keep", "10")
	"  - {name: change, sipEndpoints: ['203.0.113.1:5060'],\n"
	"     codecs: [PCMU], maxConcurrentCalls: 20, state: inactive}\n"
	TRUNK("Add", "3")
	"  - {name: Spelt, sipEndpoints: ['203.0.113.9:5060'],\n"
	"     codecs: [PCMU, pcma], maxConcurrentCalls: 5,\n"
	"     keepAlive: {interval: 30, protocol: SIP}, rtpTimeout: 30}\n"
	"---\n" HEAD "edge: {name: New Edge}\ntrunks:\n" TRUNK("Fresh", "2")
	"---\n" HEAD "edge: {name: pruned, prune: true}\ntrunks:\n"
	TRUNK("P1", "1");

static void load(const char *name, const char *text,
		 struct desired_model *model)
{
	struct manifest_loader *loader = manifest_loader_new();

	assert_non_null(loader);
	assert_int_equal(manifest_load_buffer(loader, name, text, strlen(text)),
			 0);
	assert_int_equal(manifest_loader_finish(loader, model), 0);
	manifest_loader_free(loader);
}

static const struct manifest_edge_change *
find_edge(const struct manifest_diff *diff, const char *title)
{
	size_t i;

	for (i = 0; i < diff->edge_count; i++) {
		const struct manifest_edge_change *e = &diff->edges[i];

		if ((e->name && strcmp(e->name, title) == 0) ||
		    (e->id && strcmp(e->id, title) == 0))
			return e;
	}
	return NULL;
}

static const struct manifest_trunk_change *
find_trunk(const struct manifest_edge_change *edge, const char *name)
{
	size_t i;

	for (i = 0; edge && i < edge->trunk_count; i++)
		if (strcmp(edge->trunks[i].name, name) == 0)
			return &edge->trunks[i];
	return NULL;
}

struct fixture {
	struct desired_model base, head;
	struct manifest_diff diff;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	load("base.yaml", base_text, &f->base);
	load("head.yaml", head_text, &f->head);
	assert_int_equal(manifest_diff_compute(&f->base, &f->head, &f->diff),
			 0);
	f->diff.revisions.base_ref = strdup("origin/main");
	f->diff.revisions.head_ref = strdup("HEAD");
	f->diff.revisions.merge_base = strdup("0123456789abcdef");
	f->diff.revisions.head_commit = strdup("fedcba9876543210");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	manifest_diff_release(&f->diff);
	desired_model_release(&f->base);
	desired_model_release(&f->head);
	free(f);
	return 0;
}

static void diff_edges_and_trunks(void **state)
{
	struct fixture *f = *state;
	const struct manifest_edge_change *a, *e;
	const struct manifest_trunk_change *t;
	struct manifest_diff_counts c;

	a = find_edge(&f->diff, "edge-a");
	assert_non_null(a);
	assert_int_equal(a->kind, MANIFEST_CHANGED);
	/* Ids match ignoring case, so only maxTrunks changed. */
	assert_int_equal(a->change_count, 1);
	assert_string_equal(a->changes[0].field, "maxTrunks");
	assert_string_equal(a->changes[0].before, "10");
	assert_string_equal(a->changes[0].after, "12");
	assert_null(find_trunk(a, "Keep"));
	assert_null(find_trunk(a, "Spelt"));  /* same once normalised */

	t = find_trunk(a, "change");
	assert_non_null(t);
	assert_int_equal(t->kind, MANIFEST_CHANGED);
	assert_int_equal(t->change_count, 2);
	assert_string_equal(t->changes[0].field, "maxConcurrentCalls");
	assert_string_equal(t->changes[0].before, "10");
	assert_string_equal(t->changes[0].after, "20");
	assert_string_equal(t->changes[1].field, "state");
	assert_string_equal(t->changes[1].before, "active");
	assert_string_equal(t->changes[1].after, "inactive");
	assert_string_equal(t->where, "head.yaml:7");

	t = find_trunk(a, "Add");
	assert_non_null(t);
	assert_int_equal(t->kind, MANIFEST_ADDED);
	t = find_trunk(a, "Drop");
	assert_non_null(t);
	assert_int_equal(t->kind, MANIFEST_REMOVED);
	assert_string_equal(t->where, "base.yaml:9");

	e = find_edge(&f->diff, "New Edge");
	assert_non_null(e);
	assert_int_equal(e->kind, MANIFEST_ADDED);
	assert_int_equal(e->trunk_count, 1);
	assert_int_equal(e->trunks[0].kind, MANIFEST_ADDED);
	e = find_edge(&f->diff, "Old Edge");
	assert_non_null(e);
	assert_int_equal(e->kind, MANIFEST_REMOVED);
	assert_int_equal(e->trunks[0].kind, MANIFEST_REMOVED);
	e = find_edge(&f->diff, "pruned");
	assert_non_null(e);
	assert_true(e->prune);
	assert_int_equal(e->trunk_count, 1);
	assert_string_equal(e->trunks[0].name, "P2");

	manifest_diff_count(&f->diff, &c);
	assert_int_equal(c.edges[MANIFEST_ADDED], 1);
	assert_int_equal(c.edges[MANIFEST_CHANGED], 2);
	assert_int_equal(c.edges[MANIFEST_REMOVED], 1);
	assert_int_equal(c.trunks[MANIFEST_ADDED], 2);
	assert_int_equal(c.trunks[MANIFEST_CHANGED], 1);
	assert_int_equal(c.trunks[MANIFEST_REMOVED], 3);
}

static void diff_identical_models(void **state)
{
	struct fixture *f = *state;
	struct manifest_diff diff;
	char *text = NULL;

	assert_int_equal(manifest_diff_compute(&f->head, &f->head, &diff), 0);
	assert_int_equal(diff.edge_count, 0);
	assert_int_equal(manifest_diff_render_text(&diff, &text), 0);
	assert_non_null(strstr(text, "No changes to the manifests."));
	free(text);
	manifest_diff_release(&diff);
}

static void diff_text(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;

	assert_int_equal(manifest_diff_render_text(&f->diff, &text), 0);
	assert_non_null(strstr(text, "Manifest changes from the merge base of "
				     "origin/main and HEAD (commit "
				     "0123456789ab) to HEAD (commit "
				     "fedcba987654):\n"));
	assert_non_null(strstr(text, "~ edge \"edge-a\" changed "
				     "(head.yaml:3)\n"
				     "      maxTrunks: 10 -> 12\n"));
	assert_non_null(strstr(text, "  ~ trunk change changed\n"
				     "        maxConcurrentCalls: 10 -> 20\n"
				     "        state: active -> inactive\n"));
	assert_non_null(strstr(text, "  - trunk P2 removed\n        the edge "
				     "has prune: apply deletes the live "
				     "trunk\n"));
	assert_non_null(strstr(text, "Manifests: 1 edge added, 2 changed, 1 "
				     "removed; 2 trunks added, 1 changed, 3 "
				     "removed.\n"));
	free(text);
}

static void diff_markdown_limit(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;

	assert_int_equal(manifest_diff_render_markdown(&f->diff, 65000,
						       &text), 0);
	assert_non_null(strstr(text, "## Manifest changes\n"));
	assert_non_null(strstr(text, "| edge-a | change | ~ changed | "
				     "maxConcurrentCalls: 10 -\\> 20<br>state: "
				     "active -\\> inactive |\n"));
	assert_non_null(strstr(text, "| Old Edge | (edge) | - removed | no "
				     "manifest declares the edge now"));
	assert_null(strstr(text, "left out"));
	free(text);

	assert_int_equal(manifest_diff_render_markdown(&f->diff, 900, &text),
			 0);
	assert_true(strlen(text) <= 900);
	assert_non_null(strstr(text, "rows were left out"));
	free(text);
}

/* manifestChanges goes in before planSha256, which covers it. */
static void diff_plan_json(void **state)
{
	struct fixture *f = *state;
	const char *plan = "{\"formatVersion\": 1, \"actions\": [], "
			   "\"planSha256\": \"00\"}";
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char hex[65], *text = NULL, *body;
	cJSON *json, *last, *changes;
	int i;

	assert_int_equal(manifest_diff_add_to_plan_json(&f->diff, plan, &text),
			 0);
	json = cJSON_Parse(text);
	assert_non_null(json);
	changes = cJSON_GetObjectItem(json, "manifestChanges");
	assert_non_null(changes);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(
		changes, "summary"), "trunksRemoved")->valueint, 3);
	assert_string_equal(cJSON_GetObjectItem(changes, "mergeBase")
				    ->valuestring, "0123456789abcdef");
	last = cJSON_DetachItemFromObject(json, "planSha256");
	assert_non_null(last);
	body = cJSON_PrintUnformatted(json);
	SHA256((const unsigned char *)body, strlen(body), digest);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	assert_string_equal(last->valuestring, hex);
	cJSON_Delete(last);
	cJSON_Delete(json);
	free(body);
	free(text);

	assert_int_equal(manifest_diff_add_to_plan_json(&f->diff, "{", &text),
			 TRUNKCTL_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diff_edges_and_trunks),
		cmocka_unit_test(diff_identical_models),
		cmocka_unit_test(diff_text),
		cmocka_unit_test(diff_markdown_limit),
		cmocka_unit_test(diff_plan_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * libFuzzer target for the manifest loader: each input is one manifest
 * buffer, loaded, validated and (when valid) checked against the rules
 * the loader promises and rendered to JSON. Every diagnostic is printed
 * to /dev/null so that the printing code runs too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/manifest.h"
#include "model/manifest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static bool in_range(int value, int min, int max)
{
	return value >= min && value <= max;
}

/* Aborts when a trunk of a valid model breaks a validation rule. */
static void check_trunk(const struct desired_trunk *trunk)
{
	const struct trunk_spec *spec = &trunk->spec;
	char reason[400];
	size_t i;

	if (!spec->name || !spec->description || !trunk->where.file ||
	    !in_range((int)strlen(spec->name), 1, TRUNK_NAME_MAX) ||
	    !in_range((int)spec->codec_count, 1, 4) ||
	    spec->sip_endpoint_count < 1 ||
	    !in_range(spec->max_concurrent_calls, 1, 1000) ||
	    !in_range(spec->keepalive_interval, 1, 3600) ||
	    !in_range(spec->sip_invite_timeout, 1, 3600) ||
	    !in_range(spec->rtp_timeout, 1, 3600))
		abort();
	for (i = 0; i < spec->codec_count; i++)
		if (strcmp(spec->codecs[i], "PCMU") != 0 &&
		    strcmp(spec->codecs[i], "PCMA") != 0 &&
		    strcmp(spec->codecs[i], "G729") != 0 &&
		    strcmp(spec->codecs[i], "G722") != 0)
			abort();
	for (i = 0; i < spec->sip_endpoint_count; i++)
		if (manifest_check_endpoint(spec->sip_endpoints[i], reason,
					    sizeof(reason), NULL, 0) != 0)
			abort();
}

static void check_model(const struct desired_model *model)
{
	size_t i, j;

	for (i = 0; i < model->edge_count; i++) {
		const struct desired_edge *edge = &model->edges[i];

		if ((!edge->edge.id && !edge->edge.name) ||
		    edge->edge.max_trunks < 1 || !edge->where.file)
			abort();
		for (j = 0; j < edge->trunk_count; j++)
			check_trunk(&edge->trunks[j]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_loader *loader = manifest_loader_new();
	struct desired_model model;
	cJSON *json;
	char *text;

	if (!loader)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");

	manifest_load_buffer(loader, "fuzz.yaml", (const char *)data, size);
	if (manifest_loader_finish(loader, &model) == 0) {
		check_model(&model);
		json = manifest_model_to_json(&model);
		text = json ? cJSON_PrintUnformatted(json) : NULL;
		free(text);
		cJSON_Delete(json);
		desired_model_release(&model);
	}
	if (sink)
		diag_list_print(manifest_loader_diagnostics(loader), sink);
	manifest_loader_free(loader);
	return 0;
}

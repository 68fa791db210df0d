/*
 * libFuzzer target for the manifest loader: each input is one manifest
 * buffer, loaded, validated and (when valid) rendered to JSON, and every
 * diagnostic is printed to /dev/null so the printing code runs too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

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

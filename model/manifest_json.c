/* The normalised model as JSON, for `trunkctl validate --format json`. */
#include <stdio.h>

#include "model/error.h"
#include "model/manifest.h"

static cJSON *source_string(const struct source_location *where)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s:%d", where->file ? where->file : "",
		 where->line);
	return cJSON_CreateString(text);
}

static cJSON *trunk_to_json(const struct desired_trunk *trunk)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *payload = trunk_spec_to_payload(&trunk->spec, 0);
	char digest[65];
	bool ok;

	if (!json || !payload || trunk_spec_digest(&trunk->spec, digest) < 0)
		goto fail;
	ok = cJSON_AddStringToObject(json, "state",
				     trunk_state_name(trunk->state)) &&
	     cJSON_AddStringToObject(json, "sha256", digest) &&
	     cJSON_AddItemToObject(json, "source",
				   source_string(&trunk->where));
	if (!ok || !cJSON_AddItemToObject(json, "payload", payload))
		goto fail;
	return json;

fail:
	cJSON_Delete(payload);
	cJSON_Delete(json);
	return NULL;
}

static cJSON *string_or_null(const char *text)
{
	return text ? cJSON_CreateString(text) : cJSON_CreateNull();
}

static cJSON *edge_to_json(const struct desired_edge *edge)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *trunks = cJSON_CreateArray();
	size_t i;
	bool ok;

	if (!json || !trunks)
		goto fail;
	ok = cJSON_AddItemToObject(json, "id", string_or_null(edge->edge.id)) &&
	     cJSON_AddItemToObject(json, "name",
				   string_or_null(edge->edge.name)) &&
	     cJSON_AddNumberToObject(json, "maxTrunks",
				     edge->edge.max_trunks) &&
	     cJSON_AddBoolToObject(json, "prune", edge->edge.prune) &&
	     cJSON_AddItemToObject(json, "source",
				   source_string(&edge->where));
	for (i = 0; ok && i < edge->trunk_count; i++) {
		cJSON *trunk = trunk_to_json(&edge->trunks[i]);

		ok = trunk && cJSON_AddItemToArray(trunks, trunk);
	}
	if (!ok || !cJSON_AddItemToObject(json, "trunks", trunks))
		goto fail;
	return json;

fail:
	cJSON_Delete(trunks);
	cJSON_Delete(json);
	return NULL;
}

cJSON *manifest_model_to_json(const struct desired_model *model)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *files = cJSON_CreateArray();
	cJSON *edges = cJSON_CreateArray();
	size_t i;
	bool ok = json && files && edges;

	for (i = 0; ok && i < model->file_count; i++)
		ok = cJSON_AddItemToArray(files,
					  cJSON_CreateString(model->files[i]));
	for (i = 0; ok && i < model->edge_count; i++) {
		cJSON *edge = edge_to_json(&model->edges[i]);

		ok = edge && cJSON_AddItemToArray(edges, edge);
	}
	if (ok && cJSON_AddItemToObject(json, "files", files)) {
		files = NULL;
		if (cJSON_AddItemToObject(json, "edges", edges))
			return json;
	}

	cJSON_Delete(files);
	cJSON_Delete(edges);
	cJSON_Delete(json);
	error_set(TRUNKCTL_ENOMEM, "out of memory rendering the model");
	return NULL;
}

/*
 * libFuzzer target for the decoders of API responses: each input is one
 * response body. As an error response it goes through api_error_parse()
 * and api_error_report(). Parsed as JSON, the root and every entity of
 * its "entities" (a listing page) are decoded as a Trunk, an Edge and a
 * diagnostics object. A trunk that decodes must render a payload and
 * show no difference from itself. A body that json_parse_strict() takes
 * must give cJSON's tree, and a body that trunk_page_decode() takes
 * must give the trunks and figures of the general path.
 *
 * The pager's envelope handling (http/paging.c) and the token response
 * (http/token.c) are static helpers behind a network call, so this
 * target reaches them only through the entity decoders they use.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http/errors.h"
#include "http/json_strict.h"
#include "http/profile_internal.h"
#include "model/trunk.h"
#include "tests/support/json_compare.h"
#include "tests/support/trunk_page_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Status codes the error decoder is tried with, one per input. */
static const long statuses[] = { 400, 401, 403, 404, 409, 429, 503, 200 };

static void check_trunk(const struct live_trunk *trunk)
{
	cJSON *payload;
	char *canonical;
	int changes;

	payload = trunk_spec_to_payload(&trunk->spec, trunk->version);
	canonical = trunk_spec_canonical_json(&trunk->spec);
	changes = trunk_spec_diff(&trunk->spec, &trunk->spec, NULL, 0);
	if (!payload || !canonical || changes != 0)
		abort();
	cJSON_Delete(payload);
	free(canonical);
}

static void decode_entity(const cJSON *json)
{
	struct live_trunk trunk;
	struct edge_ref edge;
	struct api_trunk_diagnostics diag;

	memset(&trunk, 0, sizeof(trunk));
	if (live_trunk_from_json(json, &trunk) == 0) {
		check_trunk(&trunk);
		live_trunk_release(&trunk);
	}
	memset(&edge, 0, sizeof(edge));
	if (api_edge_from_json(json, &edge) == 0) {
		if (!edge.id || !edge.name)
			abort();
		edge_ref_release(&edge);
	}
	memset(&diag, 0, sizeof(diag));
	if (api_diagnostics_from_json(json, &diag) == 0)
		api_trunk_diagnostics_release(&diag);
}

static void decode_error(char *body, size_t len, uint8_t selector)
{
	struct http_response response = { 0 };
	struct api_error error;

	response.status = statuses[selector % (sizeof(statuses) /
					       sizeof(statuses[0]))];
	response.body = body;
	response.body_len = len;
	strcpy(response.correlation_id, "fuzz-correlation-id");
	api_error_parse(&response, &error);
	if (strlen(error.message) >= sizeof(error.message) ||
	    strlen(error.details) >= sizeof(error.details))
		abort();
	(void)api_error_is_version_conflict(&error);
	(void)api_error_code(&error);
	(void)api_error_report("GET", "https://api.example.invalid/x",
			       &response, selector & 1 ? "; a note" : NULL);
}

/* Aborts when the strict parser takes `body` and builds another tree. */
static void check_strict(const char *body, size_t size)
{
	cJSON *fast = json_parse_strict(body, size);
	cJSON *reference;

	if (!fast)
		return;
	reference = cJSON_ParseWithOpts(body, NULL, 1);
	if (!reference || strlen(body) != size ||
	    !json_same_tree(fast, reference))
		abort();
	cJSON_Delete(fast);
	cJSON_Delete(reference);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size + 1);
	const cJSON *entities, *entity;
	const char *difference;
	cJSON *json;

	if (!body)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';

	decode_error(body, size, size ? data[0] : 0);
	check_strict(body, size);
	if (trunk_page_check(body, size, &difference) < 0)
		abort();
	json = cJSON_ParseWithLength(body, size);
	if (json) {
		decode_entity(json);
		entities = cJSON_GetObjectItemCaseSensitive(json, "entities");
		cJSON_ArrayForEach(entity, entities)
			decode_entity(entity);
		cJSON_Delete(json);
	}
	free(body);
	return 0;
}

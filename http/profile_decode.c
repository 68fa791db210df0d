/*
 * Decoding of the entities the trunk profile reads that model/ does not
 * own: edges and diagnostics. Trunks are decoded by live_trunk_from_json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/profile.h"
#include "http/profile_internal.h"
#include "model/error.h"

char *api_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(text) * 3 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '%';
		*p++ = hex[c >> 4];
		*p++ = hex[c & 15];
	}
	*p = '\0';
	return out;
}

void api_edges_release(struct edge_ref *edges, size_t count)
{
	size_t i;

	for (i = 0; edges && i < count; i++)
		edge_ref_release(&edges[i]);
	free(edges);
}

void api_trunks_release(struct live_trunk *trunks, size_t count)
{
	size_t i;

	for (i = 0; trunks && i < count; i++)
		live_trunk_release(&trunks[i]);
	free(trunks);
}

void api_trunk_diagnostics_release(struct api_trunk_diagnostics *diag)
{
	if (!diag)
		return;
	free(diag->trunk_id);
	free(diag->invite_reason);
	free(diag->nat_status);
	free(diag->keepalive_status);
	memset(diag, 0, sizeof(*diag));
}

/* Copies a string member; a missing one is an error when `required`. */
static int take_string(const cJSON *object, const char *name, bool required,
		       const char *what, char **out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	*out = NULL;
	if (!cJSON_IsString(item))
		return required ? error_set(TRUNKCTL_EINVALID, "invalid %s: "
					    "'%s' is missing or not a string",
					    what, name)
				: 0;
	*out = strdup(item->valuestring);
	return *out ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static double number_or(const cJSON *object, const char *name, double value)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

	return cJSON_IsNumber(item) ? item->valuedouble : value;
}

int api_edge_from_json(const cJSON *json, struct edge_ref *edge)
{
	int rc;

	memset(edge, 0, sizeof(*edge));
	if (!cJSON_IsObject(json))
		return error_set(TRUNKCTL_EINVALID, "invalid edge: expected a "
				 "JSON object");
	rc = take_string(json, "id", true, "edge", &edge->id);
	if (!rc)
		rc = take_string(json, "name", true, "edge", &edge->name);
	if (rc) {
		edge_ref_release(edge);
		return rc;
	}
	edge->max_trunks = (int)number_or(json, "maxTrunks", 0);
	return 0;
}

int api_diagnostics_from_json(const cJSON *json,
			      struct api_trunk_diagnostics *diag)
{
	const cJSON *invite = cJSON_GetObjectItemCaseSensitive(json,
							       "sipInvite");
	const cJSON *nat = cJSON_GetObjectItemCaseSensitive(json,
							    "natTraversal");
	const cJSON *keepalive = cJSON_GetObjectItemCaseSensitive(json,
								  "keepAlive");
	int rc;

	memset(diag, 0, sizeof(*diag));
	if (!cJSON_IsObject(invite) || !cJSON_IsObject(nat) ||
	    !cJSON_IsObject(keepalive))
		return error_set(TRUNKCTL_EINVALID, "invalid diagnostics: "
				 "expected the objects sipInvite, natTraversal "
				 "and keepAlive");

	rc = take_string(json, "trunkId", false, "diagnostics",
			 &diag->trunk_id);
	if (!rc)
		rc = take_string(invite, "reason", false, "sipInvite",
				 &diag->invite_reason);
	if (!rc)
		rc = take_string(nat, "status", true, "natTraversal",
				 &diag->nat_status);
	if (!rc)
		rc = take_string(keepalive, "status", true, "keepAlive",
				 &diag->keepalive_status);
	if (rc) {
		api_trunk_diagnostics_release(diag);
		return rc;
	}
	diag->invite_code = (int)number_or(invite, "responseCode", 0);
	diag->invite_latency_ms = (long)number_or(invite, "latencyMs", 0);
	diag->keepalive_interval = (int)number_or(keepalive,
						  "intervalSeconds", 0);
	return 0;
}

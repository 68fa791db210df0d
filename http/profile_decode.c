/*
 * Decoding of the entities the trunk profile reads that model/ does not
 * own: edges and diagnostics. Trunks are decoded by live_trunk_from_json.
 */
#include <limits.h>
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

/*
 * Reads a number member as a whole number into `*out`, which keeps its
 * value when the member is missing or not a number. A number outside
 * [min, max] is an error: converting it would be undefined behaviour.
 */
static int whole_number(const cJSON *object, const char *name, long min,
			long max, const char *what, long *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
	double value;

	if (!cJSON_IsNumber(item))
		return 0;
	value = item->valuedouble;
	if (!(value >= (double)min && value <= (double)max))
		return error_set(TRUNKCTL_EINVALID, "invalid %s: '%s' is %g, "
				 "not a number from %ld to %ld", what, name,
				 value, min, max);
	*out = (long)value;
	return 0;
}

int api_edge_from_json(const cJSON *json, struct edge_ref *edge)
{
	long max_trunks = 0;
	int rc;

	memset(edge, 0, sizeof(*edge));
	if (!cJSON_IsObject(json))
		return error_set(TRUNKCTL_EINVALID, "invalid edge: expected a "
				 "JSON object");
	rc = take_string(json, "id", true, "edge", &edge->id);
	if (!rc)
		rc = take_string(json, "name", true, "edge", &edge->name);
	if (!rc)
		rc = whole_number(json, "maxTrunks", INT_MIN, INT_MAX, "edge",
				  &max_trunks);
	if (rc) {
		edge_ref_release(edge);
		return rc;
	}
	edge->max_trunks = (int)max_trunks;
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
	long code = 0, interval = 0;
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
	if (!rc)
		rc = whole_number(invite, "responseCode", INT_MIN, INT_MAX,
				  "sipInvite", &code);
	if (!rc)
		rc = whole_number(invite, "latencyMs", -(1L << 53), 1L << 53,
				  "sipInvite", &diag->invite_latency_ms);
	if (!rc)
		rc = whole_number(keepalive, "intervalSeconds", INT_MIN,
				  INT_MAX, "keepAlive", &interval);
	if (rc) {
		api_trunk_diagnostics_release(diag);
		return rc;
	}
	diag->invite_code = (int)code;
	diag->keepalive_interval = (int)interval;
	return 0;
}

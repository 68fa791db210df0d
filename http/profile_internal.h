#ifndef TRUNKCTL_HTTP_PROFILE_INTERNAL_H
#define TRUNKCTL_HTTP_PROFILE_INTERNAL_H

/* Decoders of the trunk profile, shared with its unit tests. */

#include <cjson/cJSON.h>

#include "http/profile.h"

/* Decodes an Edge entity: id and name required, maxTrunks optional. */
int api_edge_from_json(const cJSON *json, struct edge_ref *edge);

/* Decodes the diagnostics of one trunk. */
int api_diagnostics_from_json(const cJSON *json,
			      struct api_trunk_diagnostics *diag);

#endif

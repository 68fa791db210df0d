/*
 * The first API profile: the trunk API of the trunkctl design, with the
 * platform's conventions for tokens, listings, errors and headers.
 *
 * NOTE: the real platform has no trunk write endpoints under an edge; it
 * creates trunks from trunk base settings. That second profile is not
 * built, so these calls work against trunksim, not against Genesys Cloud.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_arena.h"
#include "http/paging.h"
#include "http/profile.h"
#include "http/profile_internal.h"
#include "model/error.h"

#define EDGES_ROUTE "/api/v2/telephony/providers/edges"
#define EDGE_ROUTE EDGES_ROUTE "/{edgeId}"
#define TRUNKS_ROUTE EDGE_ROUTE "/trunks"
#define TRUNK_ROUTE TRUNKS_ROUTE "/{trunkId}"
#define ACTIVATE_ROUTE TRUNK_ROUTE "/activate"
#define DEACTIVATE_ROUTE TRUNK_ROUTE "/deactivate"
#define DIAGNOSTICS_ROUTE EDGE_ROUTE "/diagnostics"

#define PATH_SIZE 2048

/*
 * Builds EDGES_ROUTE/{edge}[/trunks/{trunk}]`tail` with the ids
 * percent-encoded. A NULL `trunk_id` stops at the edge.
 */
static int build_path(char *path, const char *edge_id, const char *trunk_id,
		      const char *tail)
{
	char *edge = api_escape(edge_id);
	char *trunk = trunk_id ? api_escape(trunk_id) : NULL;
	int len = -1;

	if (edge && (trunk || !trunk_id))
		len = snprintf(path, PATH_SIZE, "%s/%s%s%s%s", EDGES_ROUTE,
			       edge, trunk ? "/trunks/" : "",
			       trunk ? trunk : "", tail);
	free(edge);
	free(trunk);
	if (len < 0)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (len >= PATH_SIZE)
		return error_set(TRUNKCTL_EINVALID, "edge or trunk id too "
				 "long: '%.100s'",
				 trunk_id ? trunk_id : edge_id);
	return 0;
}

static void clear_info(struct api_call_info *info)
{
	if (info)
		memset(info, 0, sizeof(*info));
}

/* Prefixes the decoder's message with the endpoint. */
static int decode_failed(struct http_client *client, const char *method,
			 const char *path, int rc)
{
	char message[1024];

	snprintf(message, sizeof(message), "%s", error_message());
	return error_set(rc, "%s %s%s: %s", method,
			 http_client_config(client)->api_url, path, message);
}

/* Sends a request and decodes its Trunk response into `trunk`. */
static int call_for_trunk(struct http_client *client,
			  const struct http_request *request,
			  const char *edge_id, struct live_trunk *trunk,
			  struct api_call_info *info)
{
	struct live_trunk decoded;
	cJSON *json = NULL;
	int rc;

	rc = http_client_send_json(client, request, &json, info);
	if (rc)
		return rc;
	rc = live_trunk_from_json(json, &decoded);
	cJSON_Delete(json);
	if (rc)
		return decode_failed(client, request->method, request->path,
				     rc);
	if (!decoded.edge_id && !(decoded.edge_id = strdup(edge_id))) {
		live_trunk_release(&decoded);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	*trunk = decoded;
	return 0;
}

static int list_edges(struct http_client *client, const char *name,
		      struct edge_ref **edges_out, size_t *count_out,
		      struct api_call_info *info)
{
	char path[PATH_SIZE] = EDGES_ROUTE;
	struct edge_ref *edges = NULL;
	cJSON *entities = NULL;
	size_t count = 0;
	int rc;

	clear_info(info);
	if (name) {
		char *escaped = api_escape(name);

		if (!escaped)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		snprintf(path, sizeof(path), "%s?name=%s", EDGES_ROUTE,
			 escaped);
		free(escaped);
	}
	rc = http_list(client, path, EDGES_ROUTE, &entities, info);
	if (!rc && cJSON_GetArraySize(entities) > 0) {
		edges = calloc((size_t)cJSON_GetArraySize(entities),
			       sizeof(*edges));
		if (!edges)
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	for (const cJSON *entity = entities ? entities->child : NULL;
	     !rc && entity; entity = entity->next) {
		rc = api_edge_from_json(entity, &edges[count]);
		if (rc)
			rc = decode_failed(client, "GET", path, rc);
		else
			count++;
	}
	cJSON_Delete(entities);
	if (rc) {
		api_edges_release(edges, count);
		return rc;
	}
	*edges_out = edges;
	*count_out = count;
	return 0;
}

static int get_edge(struct http_client *client, const char *edge_id,
		    struct edge_ref *edge, struct api_call_info *info)
{
	char path[PATH_SIZE];
	struct http_request request = {
		.method = "GET", .path = path, .route = EDGE_ROUTE,
	};
	cJSON *json = NULL;
	int rc;

	clear_info(info);
	rc = build_path(path, edge_id, NULL, "");
	if (!rc)
		rc = http_client_send_json(client, &request, &json, info);
	if (!rc && (rc = api_edge_from_json(json, edge)))
		rc = decode_failed(client, "GET", path, rc);
	cJSON_Delete(json);
	return rc;
}

static int list_trunks(struct http_client *client, const char *edge_id,
		       struct live_trunk **trunks_out, size_t *count_out,
		       struct api_call_info *info)
{
	struct http_listed_trunk *listed = NULL;
	struct live_trunk *trunks = NULL;
	size_t listed_count = 0, count = 0, i;
	char path[PATH_SIZE];
	int rc;

	clear_info(info);
	rc = build_path(path, edge_id, NULL, "/trunks");
	http_json_arena_begin();
	if (!rc)
		rc = http_list_trunks(client, path, TRUNKS_ROUTE, &listed,
				      &listed_count, info);
	if (!rc && listed_count > 0 &&
	    !(trunks = calloc(listed_count, sizeof(*trunks))))
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; !rc && i < listed_count; i++) {
		struct live_trunk *trunk = &trunks[count];

		if (!listed[i].json) {
			*trunk = listed[i].trunk;
			memset(&listed[i].trunk, 0, sizeof(listed[i].trunk));
		} else if ((rc = live_trunk_from_json(listed[i].json, trunk))) {
			rc = decode_failed(client, "GET", path, rc);
			break;
		}
		count++;
		if (!trunk->edge_id && !(trunk->edge_id = strdup(edge_id)))
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	http_listed_trunks_release(listed, listed_count);
	http_json_arena_end();
	if (rc) {
		api_trunks_release(trunks, count);
		return rc;
	}
	*trunks_out = trunks;
	*count_out = count;
	return 0;
}

static int get_trunk(struct http_client *client, const char *edge_id,
		     const char *trunk_id, struct live_trunk *trunk,
		     struct api_call_info *info)
{
	char path[PATH_SIZE];
	struct http_request request = {
		.method = "GET", .path = path, .route = TRUNK_ROUTE,
	};
	int rc;

	clear_info(info);
	rc = build_path(path, edge_id, trunk_id, "");
	return rc ? rc : call_for_trunk(client, &request, edge_id, trunk, info);
}

/* Sends the create or update payload of `spec`. */
static int write_trunk(struct http_client *client,
		       struct http_request *request, const char *edge_id,
		       const struct trunk_spec *spec, long version,
		       struct live_trunk *trunk, struct api_call_info *info)
{
	cJSON *payload = trunk_spec_to_payload(spec, version);
	char *body = payload ? cJSON_PrintUnformatted(payload) : NULL;
	int rc;

	cJSON_Delete(payload);
	if (!body)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	request->body = body;
	rc = call_for_trunk(client, request, edge_id, trunk, info);
	free(body);
	return rc;
}

static int create_trunk(struct http_client *client, const char *edge_id,
			const struct trunk_spec *spec, bool retry_safe,
			struct live_trunk *trunk, struct api_call_info *info)
{
	char path[PATH_SIZE];
	struct http_request request = {
		.method = "POST", .path = path, .route = TRUNKS_ROUTE,
		.retry_safe = retry_safe,
	};
	int rc;

	clear_info(info);
	rc = build_path(path, edge_id, NULL, "/trunks");
	return rc ? rc : write_trunk(client, &request, edge_id, spec, 0, trunk,
				     info);
}

static int update_trunk(struct http_client *client, const char *edge_id,
			const char *trunk_id, const struct trunk_spec *spec,
			long version, struct live_trunk *trunk,
			struct api_call_info *info)
{
	char path[PATH_SIZE];
	struct http_request request = {
		.method = "PUT", .path = path, .route = TRUNK_ROUTE,
	};
	int rc;

	clear_info(info);
	if (version < 1)
		return error_set(TRUNKCTL_EINVALID, "cannot update trunk '%s': "
				 "version %ld is not positive", trunk_id,
				 version);
	rc = build_path(path, edge_id, trunk_id, "");
	return rc ? rc : write_trunk(client, &request, edge_id, spec, version,
				     trunk, info);
}

/* Sends a request whose response body is not needed the caller needs. */
static int call_without_body(struct http_client *client,
			       const char *method, const char *route,
			       const char *edge_id, const char *trunk_id,
			       const char *tail, struct api_call_info *info)
{
	char path[PATH_SIZE];
	struct http_request request = {
		.method = method, .path = path, .route = route,
		/* Activating or deactivating twice has the effect of once. */
		.retry_safe = true,
	};
	struct http_response response;
	int rc;

	clear_info(info);
	rc = build_path(path, edge_id, trunk_id, tail);
	if (rc)
		return rc;
	rc = http_client_send(client, &request, &response, info);
	http_response_release(&response);
	return rc;
}

static int delete_trunk(struct http_client *client, const char *edge_id,
			const char *trunk_id, struct api_call_info *info)
{
	return call_without_body(client, "DELETE", TRUNK_ROUTE, edge_id,
				   trunk_id, "", info);
}

static int activate_trunk(struct http_client *client, const char *edge_id,
			  const char *trunk_id, struct api_call_info *info)
{
	return call_without_body(client, "POST", ACTIVATE_ROUTE, edge_id,
				   trunk_id, "/activate", info);
}

static int deactivate_trunk(struct http_client *client, const char *edge_id,
			    const char *trunk_id, struct api_call_info *info)
{
	return call_without_body(client, "POST", DEACTIVATE_ROUTE, edge_id,
				   trunk_id, "/deactivate", info);
}

static int trunk_diagnostics(struct http_client *client, const char *edge_id,
			     const char *trunk_id,
			     struct api_trunk_diagnostics *diagnostics,
			     struct api_call_info *info)
{
	char path[PATH_SIZE], tail[PATH_SIZE];
	struct http_request request = {
		.method = "GET", .path = path, .route = DIAGNOSTICS_ROUTE,
	};
	char *trunk = api_escape(trunk_id);
	cJSON *json = NULL;
	int rc;

	clear_info(info);
	if (!trunk)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	snprintf(tail, sizeof(tail), "/diagnostics?trunkId=%s", trunk);
	free(trunk);
	rc = build_path(path, edge_id, NULL, tail);
	if (!rc)
		rc = http_client_send_json(client, &request, &json, info);
	if (!rc && (rc = api_diagnostics_from_json(json, diagnostics)))
		rc = decode_failed(client, "GET", path, rc);
	cJSON_Delete(json);
	return rc;
}

const struct api_profile api_profile_trunks = {
	.name = "trunks",
	.description = "the trunk API of the trunkctl design, as trunksim "
		       "implements it",
	.list_edges = list_edges,
	.get_edge = get_edge,
	.list_trunks = list_trunks,
	.get_trunk = get_trunk,
	.create_trunk = create_trunk,
	.update_trunk = update_trunk,
	.delete_trunk = delete_trunk,
	.activate_trunk = activate_trunk,
	.deactivate_trunk = deactivate_trunk,
	.trunk_diagnostics = trunk_diagnostics,
};

/*
 * The read routes: edge listing and lookup, trunk listing, diagnostics.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/sim/trunksim.h"

static bool edge_matches(const struct edge *edge, const char *name)
{
	return !name || strcasecmp(edge->name, name) == 0;
}

/* GET /edges: the name filter matches whole names, ignoring case. */
void api_edges(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	const char *name = request_arg(req, "name");
	char *encoded = name ? url_encode(name) : NULL;
	char *extra = text_printf("%s%s", name ? "&name=" : "",
				  encoded ? encoded : "");
	long size, number, total = 0, first;
	cJSON *obj, *entities;

	if (!page_args(req, rep, &size, &number))
		goto done;
	first = (number - 1) * size;
	pthread_mutex_lock(&store->lock);
	for (size_t i = 0; i < store->edge_count; i++)
		total += edge_matches(store->edges[i], name);
	obj = listing_new(req, total, size, number, extra ? extra : "");
	entities = cJSON_GetObjectItem(obj, "entities");
	for (size_t i = 0, seen = 0; i < store->edge_count; i++) {
		if (!edge_matches(store->edges[i], name))
			continue;
		if ((long)seen >= first && (long)seen < first + size)
			cJSON_AddItemToArray(entities,
					     edge_to_json(store->edges[i]));
		seen++;
	}
	pthread_mutex_unlock(&store->lock);
	reply_json(rep, 200, obj);
done:
	free(encoded);
	free(extra);
}

void api_edge(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	struct edge *edge;
	cJSON *obj = NULL;

	pthread_mutex_lock(&store->lock);
	edge = store_find_edge(store, req->edge_id);
	if (edge)
		obj = edge_to_json(edge);
	pthread_mutex_unlock(&store->lock);
	if (obj)
		reply_json(rep, 200, obj);
	else
		reply_error(req, rep, 404, "not.found", "edge '%s' not found",
			    req->edge_id);
}

static bool trunk_listed(const struct trunk *trunk, int64_t now)
{
	return trunk->visible_at <= now;
}

static cJSON *trunk_page(struct request *req, struct edge *edge, long size,
			 long number)
{
	int64_t now = clock_mono_ms();
	long total = 0;
	long first = (number - 1) * size;
	long seen = 0;
	cJSON *obj;
	cJSON *entities;

	for (size_t i = 0; i < edge->trunk_count; i++)
		total += trunk_listed(edge->trunks[i], now);
	obj = listing_new(req, total, size, number, "");
	entities = cJSON_GetObjectItem(obj, "entities");
	for (size_t i = 0; i < edge->trunk_count && seen < first + size; i++) {
		struct trunk *trunk = edge->trunks[i];

		if (!trunk_listed(trunk, now))
			continue;
		if (seen >= first)
			cJSON_AddItemToArray(entities, trunk_to_json(req->srv,
								     edge,
								     trunk,
								     now));
		seen++;
	}
	return obj;
}

/* GET /edges/{id}/trunks, sorted by name, soft-deleted trunks included. */
void api_trunks_list(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	struct edge *edge;
	cJSON *obj = NULL;
	long size, number;

	if (!page_args(req, rep, &size, &number))
		return;
	pthread_mutex_lock(&store->lock);
	edge = store_find_edge(store, req->edge_id);
	if (edge)
		obj = trunk_page(req, edge, size, number);
	pthread_mutex_unlock(&store->lock);
	if (!obj) {
		reply_error(req, rep, 404, "not.found", "edge '%s' not found",
			    req->edge_id);
		return;
	}
	reply_json(rep, 200, obj);
	faults_after_listing(req->srv, req->edge_id);
}

static const char *sip_reason(int code)
{
	static const struct {
		int code;
		const char *reason;
	} reasons[] = {
		{100, "Trying"},
		{180, "Ringing"},
		{183, "Session Progress"},
		{200, "OK"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{407, "Proxy Authentication Required"},
		{408, "Request Timeout"},
		{480, "Temporarily Unavailable"},
		{486, "Busy Here"},
		{500, "Server Internal Error"},
		{503, "Service Unavailable"},
		{603, "Decline"},
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (reasons[i].code == code)
			return reasons[i].reason;
	}
	return "Unknown";
}

static void add_invite(cJSON *obj, int code, const char *reason,
		       int latency_ms)
{
	cJSON *invite = cJSON_AddObjectToObject(obj, "sipInvite");

	cJSON_AddNumberToObject(invite, "responseCode", code);
	cJSON_AddStringToObject(invite, "reason", reason);
	cJSON_AddNumberToObject(invite, "latencyMs", latency_ms);
}

/*
 * ENABLED: the INVITE gets --invite-response, NAT traversal is OK (or
 * DISABLED), keepalive UP. FAILED: 503, NAT traversal FAILED, keepalive
 * DOWN. PENDING and DISABLED trunks are not tested: response code 0,
 * keepalive DOWN.
 */
static cJSON *diagnostics_json(struct server *srv, const struct trunk *trunk,
			       int64_t now)
{
	enum trunk_status status = trunk_status(srv, trunk, now);
	cJSON *obj = cJSON_CreateObject();
	const char *nat = trunk->f.nat_traversal ? "OK" : "DISABLED";
	bool up = status == STATUS_ENABLED;
	cJSON *keepalive;

	cJSON_AddStringToObject(obj, "trunkId", trunk->id);
	if (status == STATUS_ENABLED)
		add_invite(obj, srv->cfg.invite_response,
			   sip_reason(srv->cfg.invite_response),
			   12 + (int)(trunk->id[0] % 16));
	else if (status == STATUS_FAILED)
		add_invite(obj, 503, sip_reason(503), trunk->f.invite_timeout *
							      1000);
	else
		add_invite(obj, 0, "not tested: the trunk is not enabled", 0);
	if (status == STATUS_FAILED)
		nat = "FAILED";
	cJSON_AddObjectToObject(obj, "natTraversal");
	cJSON_AddStringToObject(cJSON_GetObjectItem(obj, "natTraversal"),
				"status", nat);
	keepalive = cJSON_AddObjectToObject(obj, "keepAlive");
	cJSON_AddStringToObject(keepalive, "status", up ? "UP" : "DOWN");
	cJSON_AddNumberToObject(keepalive, "intervalSeconds",
				trunk->f.keepalive_interval);
	return obj;
}

/* GET /edges/{id}/diagnostics?trunkId=: one trunk's test results. */
void api_diagnostics(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	const char *trunk_id = request_arg(req, "trunkId");
	struct edge *edge;
	struct trunk *trunk = NULL;
	cJSON *obj = NULL;

	if (!trunk_id || !*trunk_id) {
		reply_error(req, rep, 400, "bad.request",
			    "missing required query parameter 'trunkId'");
		return;
	}
	pthread_mutex_lock(&store->lock);
	edge = store_find_edge(store, req->edge_id);
	if (edge)
		trunk = edge_find_trunk(edge, trunk_id);
	if (trunk && !trunk->deleted)
		obj = diagnostics_json(req->srv, trunk, clock_mono_ms());
	pthread_mutex_unlock(&store->lock);
	if (obj)
		reply_json(rep, 200, obj);
	else if (!edge)
		reply_error(req, rep, 404, "not.found", "edge '%s' not found",
			    req->edge_id);
	else
		reply_error(req, rep, 404, "not.found",
			    "trunk '%s' not found on edge '%s'", trunk_id,
			    req->edge_id);
}

/*
 * The admin API under /__sim/: faults, request counts and the state.
 * Admin routes need no token and are not counted.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/trunksim.h"

/* {"kind": "lag", "ms": N}: later creates stay out of listings N ms. */
bool admin_lag(struct request *req, struct reply *rep, const cJSON *json)
{
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(json, "ms");

	if (!cJSON_IsNumber(ms) || ms->valuedouble < 0) {
		reply_error(req, rep, 400, "bad.request",
			    "lag needs a number \"ms\" of 0 or more");
		return false;
	}
	pthread_mutex_lock(&req->srv->store.lock);
	req->srv->store.lag_ms = (long)ms->valuedouble;
	pthread_mutex_unlock(&req->srv->store.lock);
	return true;
}

/* Applies "status" and "state", which a payload cannot change. */
static bool set_run_state(struct trunk *trunk, const cJSON *fields)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(fields,
							       "status");
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(fields, "state");
	enum trunk_status parsed = trunk->status;

	if (status && (!cJSON_IsString(status) ||
		       status_parse(status->valuestring, &parsed) < 0))
		return false;
	if (state && (!cJSON_IsString(state) ||
		      (strcmp(state->valuestring, "active") &&
		       strcmp(state->valuestring, "deleted"))))
		return false;
	if (status) {
		trunk->status = parsed;
		trunk->activate_at = 0;
	}
	if (state)
		trunk->deleted = strcmp(state->valuestring, "deleted") == 0;
	return true;
}

static void set_trunk_stored(struct request *req, struct reply *rep,
			     const cJSON *fields, struct trunk *trunk,
			     struct edge *edge)
{
	struct field_error err = {0};
	struct trunk_fields f;
	int64_t now = clock_mono_ms();

	trunk_settle(req->srv, trunk, now);
	if (trunk_fields_copy(&f, &trunk->f) < 0) {
		trunk_fields_release(&f);
		reply_error(req, rep, 500, "internal.error", "out of memory");
		return;
	}
	if (trunk_fields_decode(fields, FIELDS_MERGE, &f, &err) < 0) {
		trunk_fields_release(&f);
		reply_field_error(req, rep, &err);
		return;
	}
	if (!set_run_state(trunk, fields)) {
		trunk_fields_release(&f);
		reply_error(req, rep, 400, "bad.request",
			    "invalid \"status\" or \"state\" in set_trunk");
		return;
	}
	trunk_fields_release(&trunk->f);
	trunk->f = f;
	trunk->version++;
	trunk->modified = clock_real_ms();
	edge_resort_trunk(edge, trunk);
	reply_json(rep, 201, trunk_to_json(req->srv, edge, trunk, now));
}

/*
 * {"kind": "set_trunk", "edgeId", "trunkId", "fields": {...}} changes a
 * trunk as another client would: the given fields, version + 1. No name
 * or limit check is made.
 */
bool admin_set_trunk(struct request *req, struct reply *rep,
		     const cJSON *json)
{
	struct store *store = &req->srv->store;
	const char *edge_id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "edgeId"));
	const char *trunk_id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "trunkId"));
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(json, "fields");
	struct edge *edge = NULL;
	struct trunk *trunk = NULL;

	if (!edge_id || !trunk_id || !cJSON_IsObject(fields)) {
		reply_error(req, rep, 400, "bad.request",
			    "set_trunk needs \"edgeId\", \"trunkId\" and an "
			    "object \"fields\"");
		return false;
	}
	pthread_mutex_lock(&store->lock);
	edge = store_find_edge(store, edge_id);
	if (edge)
		trunk = edge_find_trunk(edge, trunk_id);
	if (trunk)
		set_trunk_stored(req, rep, fields, trunk, edge);
	else
		reply_error(req, rep, 404, "not.found",
			    "trunk '%s' not found on edge '%s'", trunk_id,
			    edge_id);
	pthread_mutex_unlock(&store->lock);
	return false; /* the response, the trunk, is already set */
}

static void method_not_allowed(struct request *req, struct reply *rep)
{
	reply_error(req, rep, 405, "method.not.allowed",
		    "%s is not allowed on %s", req->method, req->url);
}

/* Handles a /__sim/ route; returns false for any other path. */
bool admin_route(struct request *req, struct reply *rep)
{
	const char *method = req->method;
	const char *log;

	if (strncmp(req->url, "/__sim/", 7) != 0)
		return false;
	if (strcmp(req->url, "/__sim/faults") == 0) {
		if (strcmp(method, "POST") && strcmp(method, "DELETE"))
			method_not_allowed(req, rep);
		else
			admin_faults(req, rep);
	} else if (strcmp(req->url, "/__sim/requests") == 0) {
		log = request_arg(req, "log");
		if (strcmp(method, "GET"))
			method_not_allowed(req, rep);
		else
			reply_json(rep, 200,
				   stats_to_json(&req->srv->stats,
						 log && strcmp(log, "0")));
	} else if (strcmp(req->url, "/__sim/requests/reset") == 0) {
		if (strcmp(method, "POST")) {
			method_not_allowed(req, rep);
		} else {
			stats_reset(&req->srv->stats);
			rep->status = 204;
		}
	} else if (strcmp(req->url, "/__sim/state") == 0) {
		reply_json(rep, 200, store_dump(req->srv));
	} else if (strcmp(req->url, "/__sim/tokens") == 0) {
		reply_json(rep, 200, tokens_to_json(&req->srv->tokens));
	} else {
		reply_error(req, rep, 404, "not.found", "no admin route %s",
			    req->url);
	}
	return true;
}

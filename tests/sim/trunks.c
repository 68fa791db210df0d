/*
 * The trunk routes: get, create, update, delete, activate, deactivate.
 * Only an update changes a trunk's version. A deleted trunk stays listed
 * with state "deleted" and GET still returns it, but every change to it
 * is 404 not.found.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/sim/trunksim.h"

/*
 * Finds the request's edge and trunk with store.lock held, or sets a
 * 404 response and returns false. A deleted trunk is found only with
 * `allow_deleted`.
 */
static bool lookup(struct request *req, struct reply *rep,
		   struct edge **edge, struct trunk **trunk,
		   bool allow_deleted)
{
	*edge = store_find_edge(&req->srv->store, req->edge_id);
	if (!*edge) {
		reply_error(req, rep, 404, "not.found", "edge '%s' not found",
			    req->edge_id);
		return false;
	}
	*trunk = edge_find_trunk(*edge, req->trunk_id);
	if (!*trunk || ((*trunk)->deleted && !allow_deleted)) {
		reply_error(req, rep, 404, "not.found",
			    "trunk '%s' not found on edge '%s'%s",
			    req->trunk_id, req->edge_id,
			    *trunk ? " (it is deleted)" : "");
		return false;
	}
	return true;
}

void api_trunk_get(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	struct edge *edge;
	struct trunk *trunk;

	pthread_mutex_lock(&store->lock);
	if (lookup(req, rep, &edge, &trunk, true))
		reply_json(rep, 200, trunk_to_json(req->srv, edge, trunk,
						   clock_mono_ms()));
	pthread_mutex_unlock(&store->lock);
}

/* Checks the name and the edge's limit, else sets the error response. */
static bool create_allowed(struct request *req, struct reply *rep,
			   struct edge *edge, const struct trunk *trunk)
{
	struct trunk *same = edge_find_active_name(edge, trunk->f.name, NULL);
	size_t active = edge_active_count(edge);

	if (same) {
		reply_error(req, rep, 409, "conflict",
			    "a trunk named '%s' already exists on edge '%s' "
			    "(id %s)",
			    same->f.name, edge->id, same->id);
		return false;
	}
	if (active >= (size_t)edge->max_trunks) {
		reply_error(req, rep, 400, "bad.request",
			    "edge '%s' already has %zu trunks, its limit "
			    "(maxTrunks %d)",
			    edge->id, active, edge->max_trunks);
		return false;
	}
	return true;
}

static void create_stored(struct request *req, struct reply *rep,
			  struct trunk **trunk)
{
	struct store *store = &req->srv->store;
	struct edge *edge = store_find_edge(store, req->edge_id);
	int64_t now = clock_mono_ms();

	if (!edge) {
		reply_error(req, rep, 404, "not.found", "edge '%s' not found",
			    req->edge_id);
		return;
	}
	if (!create_allowed(req, rep, edge, *trunk))
		return;
	uuid_random((*trunk)->id);
	(*trunk)->version = 1;
	(*trunk)->status = STATUS_PENDING;
	(*trunk)->created = clock_real_ms();
	(*trunk)->modified = (*trunk)->created;
	(*trunk)->visible_at = store->lag_ms > 0 ? now + store->lag_ms : 0;
	if (edge_insert_trunk(edge, *trunk) < 0) {
		reply_error(req, rep, 500, "internal.error", "out of memory");
		return;
	}
	reply_json(rep, 201, trunk_to_json(req->srv, edge, *trunk, now));
	*trunk = NULL;
}

/* POST /edges/{id}/trunks: 201 with status PENDING and version 1. */
void api_trunk_create(struct request *req, struct reply *rep)
{
	struct field_error err = {0};
	cJSON *json = request_json(req, rep);
	struct trunk *trunk = NULL;

	if (!json)
		return;
	trunk = trunk_new();
	if (!trunk) {
		reply_error(req, rep, 500, "internal.error", "out of memory");
		goto done;
	}
	if (trunk_fields_decode(json, FIELDS_PAYLOAD, &trunk->f, &err) < 0) {
		reply_field_error(req, rep, &err);
		goto done;
	}
	pthread_mutex_lock(&req->srv->store.lock);
	create_stored(req, rep, &trunk);
	pthread_mutex_unlock(&req->srv->store.lock);
done:
	trunk_free(trunk);
	cJSON_Delete(json);
}

/* Checks the version and the new name, else sets the error response. */
static bool update_allowed(struct request *req, struct reply *rep,
			   struct edge *edge, struct trunk *trunk,
			   const struct trunk_fields *f, long version)
{
	struct trunk *same = edge_find_active_name(edge, f->name, trunk);

	if (version != trunk->version) {
		reply_error(req, rep, 409, "conflict",
			    "version %ld does not match the current version "
			    "%ld of trunk '%s'",
			    version, trunk->version, trunk->id);
		return false;
	}
	if (same) {
		reply_error(req, rep, 409, "conflict",
			    "a trunk named '%s' already exists on edge '%s' "
			    "(id %s)",
			    same->f.name, edge->id, same->id);
		return false;
	}
	return true;
}

static void update_stored(struct request *req, struct reply *rep,
			  struct trunk_fields *f, long version)
{
	const struct server *srv = req->srv;
	int64_t now = clock_mono_ms();
	struct edge *edge;
	struct trunk *trunk;
	struct trunk_fields old;
	bool renamed;

	if (!lookup(req, rep, &edge, &trunk, false) ||
	    !update_allowed(req, rep, edge, trunk, f, version))
		return;
	trunk_settle(srv, trunk, now);
	renamed = strcmp(trunk->f.name, f->name) != 0;
	old = trunk->f;
	trunk->f = *f;
	*f = old; /* the caller releases the old fields */
	trunk->version++;
	trunk->modified = clock_real_ms();
	if (trunk->status == STATUS_ENABLED) {
		trunk->status = STATUS_PENDING;
		trunk->activate_at = now + srv->cfg.activation_delay_ms;
	}
	if (renamed)
		edge_resort_trunk(edge, trunk);
	reply_json(rep, 200, trunk_to_json(srv, edge, trunk, now));
}

/*
 * PUT /edges/{id}/trunks/{id}: replaces the payload fields when
 * `version` is current; an ENABLED trunk goes back to PENDING and is
 * re-enabled after the activation delay.
 */
void api_trunk_update(struct request *req, struct reply *rep)
{
	struct field_error err = {0};
	struct trunk_fields f;
	cJSON *json = request_json(req, rep);
	const cJSON *version;

	trunk_fields_init(&f);
	if (!json)
		goto done;
	if (trunk_fields_decode(json, FIELDS_PAYLOAD, &f, &err) < 0) {
		reply_field_error(req, rep, &err);
		goto done;
	}
	version = cJSON_GetObjectItemCaseSensitive(json, "version");
	if (!cJSON_IsNumber(version)) {
		reply_error(req, rep, 400, "bad.request",
			    "missing required field 'version' (a number)");
		goto done;
	}
	pthread_mutex_lock(&req->srv->store.lock);
	update_stored(req, rep, &f, (long)version->valuedouble);
	pthread_mutex_unlock(&req->srv->store.lock);
done:
	trunk_fields_release(&f);
	cJSON_Delete(json);
}

/* DELETE: 204; the trunk stays listed with state "deleted". */
void api_trunk_delete(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	struct edge *edge;
	struct trunk *trunk;

	pthread_mutex_lock(&store->lock);
	if (lookup(req, rep, &edge, &trunk, false)) {
		trunk->deleted = true;
		trunk->status = STATUS_DISABLED;
		trunk->activate_at = 0;
		trunk->modified = clock_real_ms();
		rep->status = 204;
	}
	pthread_mutex_unlock(&store->lock);
}

/* 202: PENDING now, ENABLED or FAILED after the activation delay. */
void api_trunk_activate(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	int64_t now = clock_mono_ms();
	struct edge *edge;
	struct trunk *trunk;

	pthread_mutex_lock(&store->lock);
	if (lookup(req, rep, &edge, &trunk, false)) {
		trunk_settle(req->srv, trunk, now);
		if (trunk->status != STATUS_ENABLED) {
			trunk->status = STATUS_PENDING;
			trunk->activate_at =
				now + req->srv->cfg.activation_delay_ms;
		}
		reply_json(rep, 202, trunk_to_json(req->srv, edge, trunk, now));
	}
	pthread_mutex_unlock(&store->lock);
}

/* 202: DISABLED at once; the version does not change. */
void api_trunk_deactivate(struct request *req, struct reply *rep)
{
	struct store *store = &req->srv->store;
	int64_t now = clock_mono_ms();
	struct edge *edge;
	struct trunk *trunk;

	pthread_mutex_lock(&store->lock);
	if (lookup(req, rep, &edge, &trunk, false)) {
		trunk->status = STATUS_DISABLED;
		trunk->activate_at = 0;
		reply_json(rep, 202, trunk_to_json(req->srv, edge, trunk, now));
	}
	pthread_mutex_unlock(&store->lock);
}

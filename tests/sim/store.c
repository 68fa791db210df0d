/*
 * The in-memory edges and trunks. Callers hold store.lock around every
 * function here. A trunk's status is computed from timestamps when it is
 * read, so activation needs no timer: a trunk activated at time T with
 * delay D reads PENDING before T + D and ENABLED (or FAILED) after it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/sim/trunksim.h"

int store_init(struct store *store)
{
	memset(store, 0, sizeof(*store));
	return pthread_mutex_init(&store->lock, NULL) ? -1 : 0;
}

static void edge_free(struct edge *edge)
{
	if (!edge)
		return;
	for (size_t i = 0; i < edge->trunk_count; i++)
		trunk_free(edge->trunks[i]);
	free(edge->trunks);
	free(edge->name);
	free(edge);
}

void store_release(struct store *store)
{
	for (size_t i = 0; i < store->edge_count; i++)
		edge_free(store->edges[i]);
	free(store->edges);
	free(store->by_id);
	pthread_mutex_destroy(&store->lock);
}

struct trunk *trunk_new(void)
{
	struct trunk *trunk = calloc(1, sizeof(*trunk));

	if (trunk)
		trunk_fields_init(&trunk->f);
	return trunk;
}

void trunk_free(struct trunk *trunk)
{
	if (!trunk)
		return;
	trunk_fields_release(&trunk->f);
	free(trunk);
}

static int trunk_compare(const struct trunk *a, const struct trunk *b)
{
	int order = strcasecmp(a->f.name, b->f.name);

	return order ? order : strcmp(a->id, b->id);
}

/* The index at which `trunk` sorts into the edge's list. */
static size_t trunk_position(const struct edge *edge,
			     const struct trunk *trunk)
{
	size_t low = 0;
	size_t high = edge->trunk_count;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (trunk_compare(edge->trunks[mid], trunk) < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

int edge_insert_trunk(struct edge *edge, struct trunk *trunk)
{
	size_t at;

	if (edge->trunk_count == edge->trunk_cap) {
		size_t cap = edge->trunk_cap ? 2 * edge->trunk_cap : 8;
		struct trunk **grown =
			realloc(edge->trunks, cap * sizeof(*grown));

		if (!grown)
			return -1;
		edge->trunks = grown;
		edge->trunk_cap = cap;
	}
	at = trunk_position(edge, trunk);
	memmove(edge->trunks + at + 1, edge->trunks + at,
		(edge->trunk_count - at) * sizeof(*edge->trunks));
	edge->trunks[at] = trunk;
	edge->trunk_count++;
	return 0;
}

/* Moves a renamed trunk to its sorted place. */
void edge_resort_trunk(struct edge *edge, struct trunk *trunk)
{
	for (size_t i = 0; i < edge->trunk_count; i++) {
		if (edge->trunks[i] != trunk)
			continue;
		memmove(edge->trunks + i, edge->trunks + i + 1,
			(edge->trunk_count - i - 1) * sizeof(*edge->trunks));
		edge->trunk_count--;
		break;
	}
	edge_insert_trunk(edge, trunk); /* cannot fail: capacity exists */
}

struct trunk *edge_find_trunk(struct edge *edge, const char *id)
{
	for (size_t i = 0; i < edge->trunk_count; i++) {
		if (strcmp(edge->trunks[i]->id, id) == 0)
			return edge->trunks[i];
	}
	return NULL;
}

/* A trunk not deleted whose name equals `name` ignoring case. */
struct trunk *edge_find_active_name(struct edge *edge, const char *name,
				    const struct trunk *except)
{
	for (size_t i = 0; i < edge->trunk_count; i++) {
		struct trunk *trunk = edge->trunks[i];

		if (trunk != except && !trunk->deleted &&
		    strcasecmp(trunk->f.name, name) == 0)
			return trunk;
	}
	return NULL;
}

size_t edge_active_count(const struct edge *edge)
{
	size_t count = 0;

	for (size_t i = 0; i < edge->trunk_count; i++)
		count += !edge->trunks[i]->deleted;
	return count;
}

struct edge *store_add_edge(struct store *store, const char *id,
			    const char *name, int max_trunks)
{
	struct edge *edge = calloc(1, sizeof(*edge));
	struct edge **grown =
		realloc(store->edges, (store->edge_count + 1) * sizeof(*grown));

	if (grown)
		store->edges = grown;
	if (!edge || !grown)
		goto fail;
	edge->name = strdup(name);
	if (!edge->name)
		goto fail;
	snprintf(edge->id, sizeof(edge->id), "%s", id);
	edge->max_trunks = max_trunks;
	store->edges[store->edge_count++] = edge;
	return edge;
fail:
	free(edge);
	return NULL;
}

static int edge_compare_name(const void *a, const void *b)
{
	const struct edge *x = *(struct edge *const *)a;
	const struct edge *y = *(struct edge *const *)b;
	int order = strcasecmp(x->name, y->name);

	return order ? order : strcmp(x->id, y->id);
}

static int edge_compare_id(const void *a, const void *b)
{
	const struct edge *x = *(struct edge *const *)a;
	const struct edge *y = *(struct edge *const *)b;

	return strcmp(x->id, y->id);
}

/*
 * Sorts the edges by name and builds the id index. Fails, with a
 * message, on a repeated edge id.
 */
int store_index(struct store *store)
{
	size_t size = store->edge_count * sizeof(struct edge *);

	free(store->by_id);
	store->by_id = malloc(size ? size : 1);
	if (!store->by_id)
		return -1;
	memcpy(store->by_id, store->edges, size);
	qsort(store->edges, store->edge_count, sizeof(struct edge *),
	      edge_compare_name);
	qsort(store->by_id, store->edge_count, sizeof(struct edge *),
	      edge_compare_id);
	for (size_t i = 1; i < store->edge_count; i++) {
		if (strcmp(store->by_id[i - 1]->id, store->by_id[i]->id) != 0)
			continue;
		fprintf(stderr, "trunksim: error: edge id '%s' appears twice "
				"in the initial state\n",
			store->by_id[i]->id);
		return -1;
	}
	return 0;
}

struct edge *store_find_edge(struct store *store, const char *id)
{
	struct edge key;
	struct edge *pointer = &key;
	struct edge **found;

	snprintf(key.id, sizeof(key.id), "%s", id);
	if (strlen(id) >= sizeof(key.id))
		return NULL;
	found = bsearch(&pointer, store->by_id, store->edge_count,
			sizeof(struct edge *), edge_compare_id);
	return found ? *found : NULL;
}

/* Copies the host part of "host:port" or "[v6]:port" into `out`. */
static void endpoint_host(const char *endpoint, char *out, size_t size)
{
	const char *colon = strrchr(endpoint, ':');
	size_t len = colon ? (size_t)(colon - endpoint) : strlen(endpoint);

	if (len >= size)
		len = size - 1;
	memcpy(out, endpoint, len);
	out[len] = '\0';
}

/* The status at monotonic time `now`, settling a finished activation. */
enum trunk_status trunk_status(const struct server *srv,
			       const struct trunk *trunk, int64_t now)
{
	char host[256];

	if (trunk->status != STATUS_PENDING || !trunk->activate_at ||
	    now < trunk->activate_at)
		return trunk->status;
	if (trunk->f.endpoint_count == 0)
		return STATUS_ENABLED;
	endpoint_host(trunk->f.endpoints[0], host, sizeof(host));
	if (cidr_contains(srv->cfg.fail_cidrs, srv->cfg.fail_cidr_count, host))
		return STATUS_FAILED;
	return STATUS_ENABLED;
}

/* Stores the computed status, before a change that depends on it. */
void trunk_settle(const struct server *srv, struct trunk *trunk, int64_t now)
{
	enum trunk_status status = trunk_status(srv, trunk, now);

	if (status != trunk->status) {
		trunk->status = status;
		trunk->activate_at = 0;
	}
}

cJSON *trunk_to_json(const struct server *srv, const struct edge *edge,
		     const struct trunk *trunk, int64_t now)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *edge_ref = cJSON_CreateObject();
	char created[32];
	char modified[32];
	char *uri = text_printf(EDGES_PATH "/%s", edge->id);

	format_iso8601(trunk->created, created);
	format_iso8601(trunk->modified, modified);
	cJSON_AddStringToObject(obj, "id", trunk->id);
	trunk_fields_to_json(&trunk->f, obj);
	cJSON_AddNumberToObject(obj, "version", (double)trunk->version);
	cJSON_AddStringToObject(obj, "status",
				status_name(trunk_status(srv, trunk, now)));
	cJSON_AddStringToObject(obj, "state",
				trunk->deleted ? "deleted" : "active");
	cJSON_AddStringToObject(edge_ref, "id", edge->id);
	cJSON_AddStringToObject(edge_ref, "selfUri", uri);
	cJSON_AddItemToObject(obj, "edge", edge_ref);
	cJSON_AddStringToObject(obj, "dateCreated", created);
	cJSON_AddStringToObject(obj, "dateModified", modified);
	free(uri);
	uri = text_printf(EDGES_PATH "/%s/trunks/%s", edge->id, trunk->id);
	cJSON_AddStringToObject(obj, "selfUri", uri);
	free(uri);
	return obj;
}

cJSON *edge_to_json(const struct edge *edge)
{
	cJSON *obj = cJSON_CreateObject();
	char *uri = text_printf(EDGES_PATH "/%s", edge->id);

	cJSON_AddStringToObject(obj, "id", edge->id);
	cJSON_AddStringToObject(obj, "name", edge->name);
	cJSON_AddNumberToObject(obj, "maxTrunks", edge->max_trunks);
	cJSON_AddStringToObject(obj, "state", "active");
	cJSON_AddStringToObject(obj, "selfUri", uri);
	free(uri);
	return obj;
}

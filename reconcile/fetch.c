#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/json_arena.h"
#include "model/error.h"
#include "model/log.h"
#include "reconcile/fetch.h"

void live_state_release(struct live_state *state)
{
	size_t i;

	if (!state)
		return;
	for (i = 0; i < state->edge_count; i++) {
		if (state->trunks)
			api_trunks_release(state->trunks[i],
					   state->edges[i].live_count);
		if (state->edge_ids)
			free(state->edge_ids[i]);
		if (state->edge_names)
			free(state->edge_names[i]);
	}
	free(state->edge_names);
	free(state->trunks);
	free(state->fingerprints);
	free(state->edge_ids);
	free(state->edges);
	memset(state, 0, sizeof(*state));
}

static int state_alloc(struct live_state *state, size_t count)
{
	memset(state, 0, sizeof(*state));
	state->edges = calloc(count ? count : 1, sizeof(*state->edges));
	state->edge_ids = calloc(count ? count : 1, sizeof(char *));
	state->edge_names = calloc(count ? count : 1, sizeof(char *));
	state->trunks = calloc(count ? count : 1, sizeof(*state->trunks));
	state->fingerprints = calloc(count ? count : 1,
				     sizeof(*state->fingerprints));
	if (!state->edges || !state->edge_ids || !state->edge_names ||
	    !state->trunks ||
	    !state->fingerprints) {
		live_state_release(state);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	return 0;
}

/*
 * Sets `*name` of an edge declared by id to its name in the listing, and
 * warns when the manifest gives that edge another name.
 */
static int name_id_edge(const struct desired_edge *edge,
			const struct edge_ref *edges, size_t count,
			char **name)
{
	size_t j;

	for (j = 0; j < count; j++)
		if (edges[j].id && strcmp(edges[j].id, edge->edge.id) == 0)
			break;
	/* An unknown id fails its trunk listing, which names the line. */
	if (j == count || !edges[j].name)
		return 0;
	if (edge->edge.name && strcasecmp(edge->edge.name, edges[j].name))
		log_warn("%s:%d: warning: edge '%s' is named '%s' in the org, "
			 "not '%s'; its id is used", edge->where.file,
			 edge->where.line, edge->edge.id, edges[j].name,
			 edge->edge.name);
	*name = strdup(edges[j].name);
	return *name ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

/*
 * Sets ids[i] for each edge declared by name only, and names[i] for each
 * edge declared by id, from `edges`, the listing of all edges of the
 * org.
 */
static int resolve_names(const struct desired_model *model,
			 const struct edge_ref *edges, size_t count,
			 char **ids, char **names)
{
	size_t i, j;
	int rc;

	for (i = 0; i < model->edge_count; i++) {
		const struct desired_edge *edge = &model->edges[i];

		if (edge->edge.id) {
			rc = name_id_edge(edge, edges, count, &names[i]);
			if (rc < 0)
				return rc;
			continue;
		}
		for (j = 0; j < count; j++)
			if (edges[j].name && strcasecmp(edges[j].name,
							edge->edge.name) == 0)
				break;
		if (j == count)
			return error_set(TRUNKCTL_ENOTFOUND,
					 "%s:%d: edge '%s' not found: no edge "
					 "of the org has that name",
					 edge->where.file, edge->where.line,
					 edge->edge.name);
		if (!(ids[i] = strdup(edges[j].id)))
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		log_verbose(LOG_AREA_PLAN, "edge '%s' is %s", edge->edge.name,
			    ids[i]);
	}
	return 0;
}

/* Whether the targets select an edge, by its id, its declared name, or
 * `name`, its name in the org's edge listing (NULL when not listed). */
static bool edge_selected(const struct desired_edge *edge, const char *id,
			  const char *name,
			  const struct fetch_options *options)
{
	size_t t;

	if (options->target_count == 0)
		return true;
	for (t = 0; t < options->target_count; t++) {
		const char *target = options->targets[t];

		if ((id && strcmp(id, target) == 0) ||
		    (edge->edge.name &&
		     strcasecmp(edge->edge.name, target) == 0) ||
		    (name && strcasecmp(name, target) == 0))
			return true;
	}
	return false;
}

/* Whether a target matches no declared id or name, so that it may name
 * an edge declared by id only, which the edge listing resolves. */
static bool targets_need_listing(const struct desired_model *model,
				 const struct fetch_options *options)
{
	size_t t, i;

	for (t = 0; t < options->target_count; t++) {
		struct fetch_options one = { &options->targets[t], 1, 1,
					     false };

		for (i = 0; i < model->edge_count; i++)
			if (edge_selected(&model->edges[i],
					  model->edges[i].edge.id, NULL, &one))
				break;
		if (i == model->edge_count)
			return true;
	}
	return false;
}

static int check_targets(const struct desired_model *model, char **ids,
			 char **names, const struct fetch_options *options)
{
	size_t t, i;

	for (t = 0; t < options->target_count; t++) {
		struct fetch_options one = { &options->targets[t], 1, 1,
					     false };

		for (i = 0; i < model->edge_count; i++)
			if (edge_selected(&model->edges[i], ids[i], names[i],
					  &one))
				break;
		if (i == model->edge_count)
			return error_set(TRUNKCTL_ENOTFOUND,
					 "unknown --target '%s': no declared "
					 "edge has that id or name",
					 options->targets[t]);
	}
	return 0;
}


#define MAX_THREADS 64
#define MESSAGE_SIZE 1024

/* One listing for the fetch threads: an edge's trunks, or all edges. */
struct fetch_item {
	bool all_edges;
	size_t index;                /* of the desired edge, for trunks */
	char *edge_id;               /* owned, for trunks */
	struct live_trunk *trunks;
	size_t trunk_count;
	char fingerprint[65];        /* "" when not computed */
	struct edge_ref *edges;
	size_t edge_count;
	int rc;
	bool done;                   /* listed, failed or skipped */
	char message[MESSAGE_SIZE];
};

/*
 * The listings queued so far and the threads that send them. Workers
 * take items in the order they were queued, waiting on `work`, and the
 * threads waiting for results wait on `changed`. `lock` guards the queue
 * and each item's `done`. A worker writes an item's results before it sets
 * `done`, so a reader that saw `done` under the lock may read them.
 */
struct live_prefetch {
	struct http_client *client;
	const struct api_profile *profile;
	struct fetch_options options;
	pthread_mutex_t lock;
	pthread_cond_t work;         /* an item queued, or closing */
	pthread_cond_t changed;      /* an item done */
	struct fetch_item **items;
	size_t count;
	size_t alloc;
	size_t next;                 /* the first item no worker took */
	size_t finished;
	struct fetch_item *all_edges;
	struct fetch_item *failed;   /* the first trunk listing that failed */
	bool closing;                /* no more items: workers may exit */
	bool cancelled;              /* skip every item not yet started */
	pthread_t threads[MAX_THREADS];
	int started;
	int max_threads;
};

static void item_free(struct fetch_item *item)
{
	if (!item)
		return;
	free(item->edge_id);
	api_trunks_release(item->trunks, item->trunk_count);
	api_edges_release(item->edges, item->edge_count);
	free(item);
}

static void run_item(struct live_prefetch *prefetch, struct fetch_item *item)
{
	const struct api_profile *profile = prefetch->profile;

	if (item->all_edges) {
		item->rc = profile->list_edges(prefetch->client, NULL,
					       &item->edges, &item->edge_count,
					       NULL);
		if (item->rc < 0)
			snprintf(item->message, sizeof(item->message), "%s",
				 error_message());
		return;
	}
	item->rc = profile->list_trunks(prefetch->client, item->edge_id,
					&item->trunks, &item->trunk_count,
					NULL);
	if (item->rc < 0) {
		/* A failed token request is about the credentials, not the
		 * edge whose listing happened to need the token first. */
		if (item->rc == TRUNKCTL_EAUTH &&
		    strstr(error_message(), "/oauth/token"))
			snprintf(item->message, sizeof(item->message), "%s",
				 error_message());
		else
			snprintf(item->message, sizeof(item->message),
				 "cannot list the trunks of edge '%s': %s",
				 item->edge_id, error_message());
		return;
	}
	/* Hashed here, where it overlaps other listings' network waits,
	 * not in plan_build(). On failure plan_build() tries again. */
	if (prefetch->options.fingerprints &&
	    plan_fingerprint(item->trunks, item->trunk_count,
			     item->fingerprint) < 0)
		item->fingerprint[0] = '\0';
}

/*
 * Takes items until the queue is closed and empty. One failed trunk
 * listing fails the fetch, so the trunk listings after it are skipped.
 * The listing of all edges still runs, because its errors (an edge name
 * not found) are reported first.
 */
static void *fetch_worker(void *arg)
{
	struct live_prefetch *prefetch = arg;
	struct fetch_item *item;

	pthread_mutex_lock(&prefetch->lock);
	for (;;) {
		while (prefetch->next == prefetch->count && !prefetch->closing)
			pthread_cond_wait(&prefetch->work, &prefetch->lock);
		if (prefetch->next == prefetch->count)
			break;
		item = prefetch->items[prefetch->next++];
		if (!prefetch->cancelled &&
		    (item->all_edges || !prefetch->failed)) {
			pthread_mutex_unlock(&prefetch->lock);
			run_item(prefetch, item);
			pthread_mutex_lock(&prefetch->lock);
			if (item->rc < 0 && !item->all_edges &&
			    !prefetch->failed)
				prefetch->failed = item;
		}
		item->done = true;
		prefetch->finished++;
		pthread_cond_broadcast(&prefetch->changed);
	}
	pthread_mutex_unlock(&prefetch->lock);
	return NULL;
}

/* Queues a listing and starts a thread for it while under the limit. */
static struct fetch_item *enqueue(struct live_prefetch *prefetch,
				  const char *edge_id, size_t index)
{
	struct fetch_item *item = calloc(1, sizeof(*item));
	struct fetch_item **grown;

	if (!item || (edge_id && !(item->edge_id = strdup(edge_id)))) {
		item_free(item);
		return NULL;
	}
	item->all_edges = !edge_id;
	item->index = index;

	pthread_mutex_lock(&prefetch->lock);
	if (prefetch->count == prefetch->alloc) {
		size_t alloc = prefetch->alloc ? prefetch->alloc * 2 : 64;

		grown = realloc(prefetch->items, alloc * sizeof(*grown));
		if (!grown) {
			pthread_mutex_unlock(&prefetch->lock);
			item_free(item);
			return NULL;
		}
		prefetch->items = grown;
		prefetch->alloc = alloc;
	}
	prefetch->items[prefetch->count++] = item;
	if (prefetch->started < prefetch->max_threads &&
	    pthread_create(&prefetch->threads[prefetch->started], NULL,
			   fetch_worker, prefetch) == 0)
		prefetch->started++;
	pthread_cond_signal(&prefetch->work);
	pthread_mutex_unlock(&prefetch->lock);
	return item;
}

/*
 * Waits until every queued item is done. Without a thread (none could
 * be started) this thread works through the queue itself.
 */
static void wait_all(struct live_prefetch *prefetch)
{
	pthread_mutex_lock(&prefetch->lock);
	if (prefetch->started == 0) {
		prefetch->closing = true;
		pthread_mutex_unlock(&prefetch->lock);
		fetch_worker(prefetch);
		pthread_mutex_lock(&prefetch->lock);
		prefetch->closing = false;
	}
	while (prefetch->finished < prefetch->count)
		pthread_cond_wait(&prefetch->changed, &prefetch->lock);
	pthread_mutex_unlock(&prefetch->lock);
}

int live_prefetch_new(struct http_client *client,
		      const struct api_profile *profile,
		      const struct fetch_options *options,
		      struct live_prefetch **out)
{
	struct live_prefetch *prefetch = calloc(1, sizeof(*prefetch));
	int n = options->parallelism;

	*out = NULL;
	if (!prefetch)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	/* Before any fetch thread starts, as install() requires. */
	http_json_arena_install();
	prefetch->client = client;
	prefetch->profile = profile;
	prefetch->options = *options;
	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	prefetch->max_threads = n;
	pthread_mutex_init(&prefetch->lock, NULL);
	pthread_cond_init(&prefetch->work, NULL);
	pthread_cond_init(&prefetch->changed, NULL);
	*out = prefetch;
	return 0;
}

void live_prefetch_free(struct live_prefetch *prefetch)
{
	size_t i;
	int t;

	if (!prefetch)
		return;
	pthread_mutex_lock(&prefetch->lock);
	prefetch->closing = true;
	prefetch->cancelled = true;
	pthread_cond_broadcast(&prefetch->work);
	pthread_mutex_unlock(&prefetch->lock);
	for (t = 0; t < prefetch->started; t++)
		pthread_join(prefetch->threads[t], NULL);
	for (i = 0; i < prefetch->count; i++)
		item_free(prefetch->items[i]);
	free(prefetch->items);
	pthread_cond_destroy(&prefetch->work);
	pthread_cond_destroy(&prefetch->changed);
	pthread_mutex_destroy(&prefetch->lock);
	free(prefetch);
}

void live_prefetch_edge(void *context, const struct desired_edge *edge,
			size_t index)
{
	struct live_prefetch *prefetch = context;

	/* An edge by name waits for the listing of all edges, which is
	 * started now, as the first edge by name is seen. */
	if (!edge->edge.id) {
		if (!prefetch->all_edges)
			prefetch->all_edges = enqueue(prefetch, NULL, 0);
		return;
	}
	/* A failure here only loses the head start: finish() queues every
	 * edge that has no listing yet. */
	if (edge_selected(edge, edge->edge.id, NULL, &prefetch->options))
		enqueue(prefetch, edge->edge.id, index);
}

/* Returns the queued trunk listing of each desired edge, or NULL. */
static struct fetch_item **items_by_edge(struct live_prefetch *prefetch,
					 size_t edge_count)
{
	struct fetch_item **by_edge = calloc(edge_count + 1,
					     sizeof(*by_edge));
	size_t i;

	if (!by_edge)
		return NULL;
	pthread_mutex_lock(&prefetch->lock);
	for (i = 0; i < prefetch->count; i++) {
		struct fetch_item *item = prefetch->items[i];

		if (!item->all_edges && item->index < edge_count)
			by_edge[item->index] = item;
	}
	pthread_mutex_unlock(&prefetch->lock);
	return by_edge;
}

/*
 * Lists all edges (or takes the listing queued during the load) and
 * resolves the edges declared by name, and names those declared by id.
 * The listing is skipped when every edge has an id and every target
 * matches a declared id or name, so an org declared by id costs one
 * listing per edge.
 */
static int resolve_with_listing(struct live_prefetch *prefetch,
				const struct desired_model *model, char **ids,
				char **names)
{
	struct fetch_item *item = prefetch->all_edges;
	size_t i;

	for (i = 0; i < model->edge_count; i++)
		if (!model->edges[i].edge.id)
			break;
	if (i == model->edge_count &&
	    !targets_need_listing(model, &prefetch->options))
		return 0;
	if (!item && !(item = prefetch->all_edges = enqueue(prefetch, NULL, 0)))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");

	pthread_mutex_lock(&prefetch->lock);
	if (prefetch->started == 0) {
		pthread_mutex_unlock(&prefetch->lock);
		wait_all(prefetch);
		pthread_mutex_lock(&prefetch->lock);
	}
	while (!item->done)
		pthread_cond_wait(&prefetch->changed, &prefetch->lock);
	pthread_mutex_unlock(&prefetch->lock);
	if (item->rc < 0)
		return error_set(item->rc, "%s", item->message);
	return resolve_names(model, item->edges, item->edge_count, ids,
			     names);
}

/* Moves each selected edge and its listed trunks into `out`. */
static void take_results(const struct desired_model *model, char **ids,
			 char **names, struct fetch_item **by_edge,
			 struct live_state *out)
{
	size_t i, n = 0;

	for (i = 0; i < model->edge_count; i++) {
		struct plan_edge_input *input = &out->edges[n];
		struct fetch_item *item = by_edge[i];

		if (!item)
			continue;
		input->desired = &model->edges[i];
		input->edge_id = out->edge_ids[n] = ids[i];
		/* The org's name when listed: the manifest's may be
		 * absent, or differ in case. */
		out->edge_names[n] = names[i];
		names[i] = NULL;
		input->edge_name = out->edge_names[n]
					   ? out->edge_names[n]
					   : model->edges[i].edge.name;
		input->live = out->trunks[n] = item->trunks;
		input->live_count = item->trunk_count;
		if (item->fingerprint[0]) {
			memcpy(out->fingerprints[n], item->fingerprint,
			       sizeof(item->fingerprint));
			input->fingerprint = out->fingerprints[n];
		}
		ids[i] = NULL;
		item->trunks = NULL;
		item->trunk_count = 0;
		n++;
	}
	out->edge_count = n;
}

/* Records the error of a failed listing; an edge the service does not
 * know is named with the place that declares it. */
static int report_failure(const struct desired_model *model,
			  const struct fetch_item *item)
{
	const struct desired_edge *edge;

	if (item->rc != TRUNKCTL_ENOTFOUND || item->all_edges ||
	    item->index >= model->edge_count)
		return error_set(item->rc, "%s", item->message);
	edge = &model->edges[item->index];
	return error_set(item->rc, "%s:%d: edge '%s' not found: no edge of "
			 "the org has that id; check the id in the manifest "
			 "(%s)", edge->where.file, edge->where.line,
			 item->edge_id, item->message);
}

int live_prefetch_finish(struct live_prefetch *prefetch,
			 const struct desired_model *model,
			 struct live_state *out)
{
	char **ids = calloc(model->edge_count + 1, sizeof(char *));
	char **names = calloc(model->edge_count + 1, sizeof(char *));
	struct fetch_item **by_edge = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ids || !names) {
		free(ids);
		free(names);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	if ((rc = resolve_with_listing(prefetch, model, ids, names)) < 0)
		goto done;
	for (i = 0; i < model->edge_count && rc == 0; i++)
		if (!ids[i] && !(ids[i] = strdup(model->edges[i].edge.id)))
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (rc < 0 || (rc = check_targets(model, ids, names,
						   &prefetch->options)) < 0)
		goto done;
	if (!(by_edge = items_by_edge(prefetch, model->edge_count))) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}

	/* Queue the selected edges that the load did not queue: those
	 * declared by name, and all of them without a prefetch. */
	for (i = 0; i < model->edge_count; i++) {
		if (!edge_selected(&model->edges[i], ids[i], names[i],
				   &prefetch->options)) {
			by_edge[i] = NULL;
			continue;
		}
		if (by_edge[i] && strcmp(by_edge[i]->edge_id, ids[i]) == 0)
			continue;
		if (!(by_edge[i] = enqueue(prefetch, ids[i], i))) {
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
			goto done;
		}
	}
	wait_all(prefetch);
	if (prefetch->failed) {
		rc = report_failure(model, prefetch->failed);
		goto done;
	}
	if ((rc = state_alloc(out, model->edge_count)) < 0)
		goto done;
	take_results(model, ids, names, by_edge, out);

done:
	for (i = 0; i < model->edge_count; i++) {
		free(ids[i]);
		free(names[i]);
	}
	free(ids);
	free(names);
	free(by_edge);
	return rc;
}

int live_state_fetch(struct http_client *client,
		     const struct api_profile *profile,
		     const struct desired_model *model,
		     const struct fetch_options *options,
		     struct live_state *out)
{
	struct live_prefetch *prefetch;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = live_prefetch_new(client, profile, options, &prefetch)) < 0)
		return rc;
	rc = live_prefetch_finish(prefetch, model, out);
	live_prefetch_free(prefetch);
	return rc;
}

int live_state_fetch_ids(struct http_client *client,
			 const struct api_profile *profile,
			 const char *const *edge_ids, size_t count,
			 int parallelism, struct live_state *out)
{
	struct fetch_options options = { .parallelism = parallelism };
	struct live_prefetch *prefetch;
	size_t i;
	int rc;

	if ((rc = state_alloc(out, count)) < 0)
		return rc;
	if ((rc = live_prefetch_new(client, profile, &options,
				    &prefetch)) < 0) {
		live_state_release(out);
		return rc;
	}
	for (i = 0; i < count && rc == 0; i++)
		if (!enqueue(prefetch, edge_ids[i], i))
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (rc == 0)
		wait_all(prefetch);
	if (rc == 0 && prefetch->failed)
		rc = error_set(prefetch->failed->rc, "%s",
			       prefetch->failed->message);
	for (i = 0; i < count && rc == 0; i++) {
		struct fetch_item *item = prefetch->items[i];

		out->edge_ids[i] = item->edge_id;
		out->edges[i].edge_id = item->edge_id;
		out->edges[i].live = out->trunks[i] = item->trunks;
		out->edges[i].live_count = item->trunk_count;
		if (item->fingerprint[0]) {
			memcpy(out->fingerprints[i], item->fingerprint,
			       sizeof(item->fingerprint));
			out->edges[i].fingerprint = out->fingerprints[i];
		}
		out->edge_count = i + 1;
		item->edge_id = NULL;
		item->trunks = NULL;
		item->trunk_count = 0;
	}
	live_prefetch_free(prefetch);
	if (rc < 0)
		live_state_release(out);
	return rc;
}

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	}
	free(state->trunks);
	free(state->edge_ids);
	free(state->edges);
	memset(state, 0, sizeof(*state));
}

static int state_alloc(struct live_state *state, size_t count)
{
	memset(state, 0, sizeof(*state));
	state->edges = calloc(count ? count : 1, sizeof(*state->edges));
	state->edge_ids = calloc(count ? count : 1, sizeof(char *));
	state->trunks = calloc(count ? count : 1, sizeof(*state->trunks));
	if (!state->edges || !state->edge_ids || !state->trunks) {
		live_state_release(state);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	return 0;
}

/* Finds the id of each edge declared by name only, in one listing. */
static int resolve_names(struct http_client *client,
			 const struct api_profile *profile,
			 const struct desired_model *model, char **ids)
{
	struct edge_ref *edges = NULL;
	size_t count = 0, i, j;
	bool needed = false;
	int rc;

	for (i = 0; i < model->edge_count; i++)
		if (!model->edges[i].edge.id)
			needed = true;
	if (!needed)
		return 0;

	rc = profile->list_edges(client, NULL, &edges, &count, NULL);
	if (rc < 0)
		return rc;
	for (i = 0; i < model->edge_count && rc == 0; i++) {
		const struct desired_edge *edge = &model->edges[i];

		if (edge->edge.id)
			continue;
		for (j = 0; j < count; j++)
			if (edges[j].name && strcasecmp(edges[j].name,
							edge->edge.name) == 0)
				break;
		if (j == count)
			rc = error_set(TRUNKCTL_ENOTFOUND,
				       "%s:%d: edge '%s' not found: no edge "
				       "of the org has that name",
				       edge->where.file, edge->where.line,
				       edge->edge.name);
		else if (!(ids[i] = strdup(edges[j].id)))
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		else
			log_verbose(LOG_AREA_PLAN, "edge '%s' is %s",
				    edge->edge.name, ids[i]);
	}
	api_edges_release(edges, count);
	return rc;
}

static bool edge_selected(const struct desired_edge *edge, const char *id,
			  const struct fetch_options *options)
{
	size_t t;

	if (options->target_count == 0)
		return true;
	for (t = 0; t < options->target_count; t++) {
		const char *target = options->targets[t];

		if (strcmp(id, target) == 0 ||
		    (edge->edge.name && strcasecmp(edge->edge.name,
						   target) == 0))
			return true;
	}
	return false;
}

static int check_targets(const struct desired_model *model, char **ids,
			 const struct fetch_options *options)
{
	size_t t, i;

	for (t = 0; t < options->target_count; t++) {
		struct fetch_options one = { &options->targets[t], 1, 1 };

		for (i = 0; i < model->edge_count; i++)
			if (edge_selected(&model->edges[i], ids[i], &one))
				break;
		if (i == model->edge_count)
			return error_set(TRUNKCTL_ENOTFOUND,
					 "unknown --target '%s': no declared "
					 "edge has that id or name",
					 options->targets[t]);
	}
	return 0;
}

/* Listing work shared by the fetch threads. */
struct fetch_job {
	struct http_client *client;
	const struct api_profile *profile;
	struct live_state *state;
	atomic_size_t next;
	atomic_int failed;
	pthread_mutex_t lock;
	int rc;
	char message[1024];
};

static void *fetch_worker(void *arg)
{
	struct fetch_job *job = arg;
	size_t i;

	while (!atomic_load(&job->failed) &&
	       (i = atomic_fetch_add(&job->next, 1)) < job->state->edge_count) {
		struct plan_edge_input *edge = &job->state->edges[i];
		size_t count = 0;
		int rc = job->profile->list_trunks(job->client, edge->edge_id,
						   &job->state->trunks[i],
						   &count, NULL);

		edge->live = job->state->trunks[i];
		edge->live_count = count;
		if (rc < 0) {
			pthread_mutex_lock(&job->lock);
			if (job->rc == 0) {
				job->rc = rc;
				snprintf(job->message, sizeof(job->message),
					 "cannot list the trunks of edge "
					 "'%s': %s", edge->edge_id,
					 error_message());
			}
			pthread_mutex_unlock(&job->lock);
			atomic_store(&job->failed, 1);
		}
	}
	return NULL;
}

/* Lists the trunks of every edge of `state` on up to `parallelism`
 * threads; the first failure stops the others from starting more. */
static int fetch_trunks(struct http_client *client,
			const struct api_profile *profile,
			struct live_state *state, int parallelism)
{
	struct fetch_job job = { .client = client, .profile = profile,
				 .state = state };
	pthread_t threads[64];
	int n = parallelism < 1 ? 1 : parallelism > 64 ? 64 : parallelism;
	int i, started = 0;

	atomic_init(&job.next, 0);
	atomic_init(&job.failed, 0);
	pthread_mutex_init(&job.lock, NULL);
	if ((size_t)n > state->edge_count)
		n = (int)state->edge_count;
	for (i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, fetch_worker, &job) == 0)
			started++;
	if (started == 0)
		fetch_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&job.lock);
	if (job.rc < 0)
		return error_set(job.rc, "%s", job.message);
	return 0;
}

int live_state_fetch(struct http_client *client,
		     const struct api_profile *profile,
		     const struct desired_model *model,
		     const struct fetch_options *options,
		     struct live_state *out)
{
	char **ids = calloc(model->edge_count + 1, sizeof(char *));
	size_t i, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ids)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if ((rc = resolve_names(client, profile, model, ids)) < 0)
		goto done;
	for (i = 0; i < model->edge_count && rc == 0; i++)
		if (!ids[i] && !(ids[i] = strdup(model->edges[i].edge.id)))
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (rc < 0 || (rc = check_targets(model, ids, options)) < 0 ||
	    (rc = state_alloc(out, model->edge_count)) < 0)
		goto done;

	for (i = 0; i < model->edge_count; i++) {
		const struct desired_edge *edge = &model->edges[i];

		if (!edge_selected(edge, ids[i], options))
			continue;
		out->edges[n].desired = edge;
		out->edges[n].edge_id = out->edge_ids[n] = ids[i];
		out->edges[n].edge_name = edge->edge.name;
		ids[i] = NULL;
		n++;
	}
	out->edge_count = n;
	rc = fetch_trunks(client, profile, out, options->parallelism);

done:
	for (i = 0; i < model->edge_count; i++)
		free(ids[i]);
	free(ids);
	if (rc < 0)
		live_state_release(out);
	return rc;
}

int live_state_fetch_ids(struct http_client *client,
			 const struct api_profile *profile,
			 const char *const *edge_ids, size_t count,
			 int parallelism, struct live_state *out)
{
	size_t i;
	int rc;

	if ((rc = state_alloc(out, count)) < 0)
		return rc;
	for (i = 0; i < count; i++) {
		out->edge_ids[i] = strdup(edge_ids[i]);
		if (!out->edge_ids[i]) {
			out->edge_count = i;
			live_state_release(out);
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		}
		out->edges[i].edge_id = out->edge_ids[i];
		out->edge_count = i + 1;
	}
	rc = fetch_trunks(client, profile, out, parallelism);
	if (rc < 0)
		live_state_release(out);
	return rc;
}

#ifndef TRUNKCTL_RECONCILE_FETCH_H
#define TRUNKCTL_RECONCILE_FETCH_H

/*
 * Reads the live state the planner compares against: resolves edges
 * declared by name with one paged listing of all edges, then fetches
 * every live trunk of each selected edge (all pages), edges in parallel.
 * Only GET requests are sent.
 */

#include <stddef.h>

#include "http/profile.h"
#include "reconcile/plan.h"

struct fetch_options {
	const char *const *targets;  /* edge ids or names; none for all */
	size_t target_count;
	int parallelism;             /* listing requests at once, >= 1 */
	bool fingerprints;           /* set plan_edge_input.fingerprint */
};

/*
 * The live state of the selected edges, as plan_build() takes it.
 * `edges[i].desired` points into the desired model, which must outlive
 * this struct; everything else is owned.
 */
struct live_state {
	struct plan_edge_input *edges;
	size_t edge_count;
	char **edge_ids;             /* owned copies behind edges[i].edge_id */
	char **edge_names;           /* owned names from the edge listing,
					behind edges[i].edge_name, or NULL */
	struct live_trunk **trunks;  /* owned arrays behind edges[i].live */
	char (*fingerprints)[65];    /* behind edges[i].fingerprint */
};

/*
 * Fetches the live state of the edges of `model` that the targets
 * select. Fails with TRUNKCTL_ENOTFOUND naming an edge name the service
 * does not know or a target that names no declared edge, or with the
 * client's error naming the edge whose listing failed.
 */
int live_state_fetch(struct http_client *client,
		     const struct api_profile *profile,
		     const struct desired_model *model,
		     const struct fetch_options *options,
		     struct live_state *out);

/*
 * A fetch that starts while the manifests still load. The loader hands
 * each edge to live_prefetch_edge() (a manifest_edge_fn). That queues
 * the trunk listing of an edge declared by id, or the listing of all
 * edges for the first edge declared by name. live_prefetch_finish()
 * then works on the loaded model as live_state_fetch() does and reuses
 * what was listed, so a successful fetch sends the same requests with
 * or without the head start. Listings run on up to `parallelism`
 * threads, started as listings are queued.
 *
 * NOTE: when a later input fails the load, the listings already sent
 * were sent for nothing (GET requests only). No listing is queued after
 * the loader records an error, and none before the first edge is read.
 */
struct live_prefetch;

int live_prefetch_new(struct http_client *client,
		      const struct api_profile *profile,
		      const struct fetch_options *options,
		      struct live_prefetch **out);

/* Queues the listing `edge` needs; `context` is the live_prefetch. Runs
 * on the loader's thread. A failure to queue is not an error: finish()
 * queues what is missing. */
void live_prefetch_edge(void *context, const struct desired_edge *edge,
			size_t index);

/*
 * Completes the fetch for the loaded `model` and fills `out`. The
 * model's edges must be those the loader handed over, in the same
 * order. Returns as live_state_fetch(). Call it once per prefetch.
 */
int live_prefetch_finish(struct live_prefetch *prefetch,
			 const struct desired_model *model,
			 struct live_state *out);

/* Skips the listings not yet started, waits for those under way (with
 * their retries), and frees everything. Accepts NULL. */
void live_prefetch_free(struct live_prefetch *prefetch);

/*
 * Fetches the edges of a saved plan by their ids, without name
 * resolution; `desired` stays NULL in each edge.
 */
int live_state_fetch_ids(struct http_client *client,
			 const struct api_profile *profile,
			 const char *const *edge_ids, size_t count,
			 int parallelism, struct live_state *out);

void live_state_release(struct live_state *state);

#endif

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
	struct live_trunk **trunks;  /* owned arrays behind edges[i].live */
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
 * Fetches the edges of a saved plan by their ids, without name
 * resolution; `desired` stays NULL in each edge.
 */
int live_state_fetch_ids(struct http_client *client,
			 const struct api_profile *profile,
			 const char *const *edge_ids, size_t count,
			 int parallelism, struct live_state *out);

void live_state_release(struct live_state *state);

#endif

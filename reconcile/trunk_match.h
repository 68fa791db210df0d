#ifndef TRUNKCTL_RECONCILE_TRUNK_MATCH_H
#define TRUNKCTL_RECONCILE_TRUNK_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"

/*
 * The pairing of an edge's declared trunks with its live trunks by name,
 * ignoring case, as the planner and drift detection compare them.
 * Deleted live trunks take no part.
 */
struct trunk_match {
	const struct live_trunk **live_of;  /* per declared trunk, or NULL */
	bool *matched;                      /* per live trunk: declared */
	const struct live_trunk *clash[2];  /* see trunk_match_build() */
};

/*
 * Pairs the trunks of `in`. Sorting the live names once keeps an edge of
 * n trunks at O(n log n) comparisons. When two live names match ignoring
 * case, nothing is paired and `clash` names them: the first listed trunk
 * that has such a namesake, and its next namesake in the listing.
 * Returns 0, or TRUNKCTL_ENOMEM.
 */
int trunk_match_build(const struct plan_edge_input *in,
		      struct trunk_match *out);
void trunk_match_release(struct trunk_match *match);

#endif

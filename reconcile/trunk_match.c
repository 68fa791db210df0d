/* Pairs declared and live trunks by name, as trunk_match.h describes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "reconcile/trunk_match.h"

/* A live trunk of the edge, for sorting by name. */
struct named {
	const char *name;
	size_t index;                   /* in the edge's live trunks */
};

/* By name ignoring case, then by position in the listing. */
static int compare_named(const void *pa, const void *pb)
{
	const struct named *a = pa, *b = pb;
	int c = strcasecmp(a->name, b->name);

	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* Returns the position in `sorted` of the first listed trunk that has a
 * namesake, or SIZE_MAX. Its next namesake follows it in `sorted`. */
static size_t find_clash(const struct named *sorted, size_t count)
{
	size_t k, first = SIZE_MAX;

	for (k = 0; k + 1 < count; k++) {
		if (first != SIZE_MAX && sorted[k].index > sorted[first].index)
			continue;
		if (k > 0 && strcasecmp(sorted[k - 1].name, sorted[k].name) == 0)
			continue;
		if (strcasecmp(sorted[k].name, sorted[k + 1].name) == 0)
			first = k;
	}
	return first;
}

/* Finds `name` ignoring case among the `count` sorted live trunks. */
static const struct named *search(const struct named *sorted, size_t count,
				  const char *name)
{
	size_t low = 0, high = count, mid;
	int c;

	while (low < high) {
		mid = low + (high - low) / 2;
		c = strcasecmp(sorted[mid].name, name);
		if (c == 0)
			return &sorted[mid];
		if (c < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return NULL;
}

int trunk_match_build(const struct plan_edge_input *in,
		      struct trunk_match *out)
{
	const struct desired_edge *desired = in->desired;
	size_t declared = desired ? desired->trunk_count : 0;
	struct named *sorted = calloc(in->live_count + 1, sizeof(*sorted));
	const struct named *found;
	size_t i, count = 0, clash;

	memset(out, 0, sizeof(*out));
	out->live_of = calloc(declared + 1, sizeof(*out->live_of));
	out->matched = calloc(in->live_count + 1, sizeof(*out->matched));
	if (!sorted || !out->live_of || !out->matched) {
		free(sorted);
		trunk_match_release(out);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	for (i = 0; i < in->live_count; i++) {
		if (in->live[i].deleted || !in->live[i].spec.name)
			continue;
		sorted[count].name = in->live[i].spec.name;
		sorted[count++].index = i;
	}
	qsort(sorted, count, sizeof(*sorted), compare_named);
	clash = find_clash(sorted, count);
	if (clash != SIZE_MAX) {
		out->clash[0] = &in->live[sorted[clash].index];
		out->clash[1] = &in->live[sorted[clash + 1].index];
		free(sorted);
		return 0;
	}
	for (i = 0; i < declared; i++) {
		if (!desired->trunks[i].spec.name)
			continue;
		found = search(sorted, count, desired->trunks[i].spec.name);
		if (found) {
			out->live_of[i] = &in->live[found->index];
			out->matched[found->index] = true;
		}
	}
	free(sorted);
	return 0;
}

void trunk_match_release(struct trunk_match *match)
{
	free(match->live_of);
	free(match->matched);
	memset(match, 0, sizeof(*match));
}

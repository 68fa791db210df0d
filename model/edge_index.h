#ifndef TRUNKCTL_MODEL_EDGE_INDEX_H
#define TRUNKCTL_MODEL_EDGE_INDEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash set of edge ids and names, compared ignoring ASCII case as
 * strcasecmp does in the C locale, mapping each to the position of the
 * first edge declared with it. The manifest loader checks every declared
 * edge against the earlier ones; a linear search made 10,000 edges cost
 * 50 million comparisons. The texts are borrowed and must outlive the
 * index.
 */
struct edge_index {
	struct edge_index_slot *slots;
	size_t alloc;           /* a power of two, or 0 */
	size_t count;
};

enum edge_index_kind { EDGE_INDEX_ID, EDGE_INDEX_NAME };

#define EDGE_INDEX_NONE SIZE_MAX

void edge_index_init(struct edge_index *index);
void edge_index_release(struct edge_index *index);

/* Returns the position stored for `text`, or EDGE_INDEX_NONE. */
size_t edge_index_find(const struct edge_index *index,
		       enum edge_index_kind kind, const char *text);

/*
 * Stores `position` for `text` unless the text is stored already (the
 * first declaration is kept). Returns 0, or TRUNKCTL_ENOMEM.
 */
int edge_index_add(struct edge_index *index, enum edge_index_kind kind,
		   const char *text, size_t position);

#endif

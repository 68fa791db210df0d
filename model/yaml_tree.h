#ifndef TRUNKCTL_MODEL_YAML_TREE_H
#define TRUNKCTL_MODEL_YAML_TREE_H

/*
 * A YAML stream parsed with libyaml's event API into a tree whose nodes
 * keep their 1-based line and column.
 *
 * Aliases are resolved to the anchored node itself, so the tree is a DAG
 * and a node may be reachable from several parents. Merge keys ("<<"
 * with a mapping or a list of mappings) are applied when their mapping
 * ends. Keys written in the mapping win over merged ones, and an earlier
 * mapping in a "<<" list wins over a later one. Duplicate keys are
 * reported and the first value is kept.
 *
 * Expansion is bounded: every node counts once per path that reaches
 * it through aliases and merges, and a stream whose documents together
 * expand past YAML_TREE_MAX_NODES is rejected, so an alias bomb stops
 * early without allocating its expansion. Nesting is bounded by
 * YAML_TREE_MAX_DEPTH.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"

/* A trunk with every field is about 30 nodes: 1,000 trunks use 30,000. */
#define YAML_TREE_MAX_NODES 250000
#define YAML_TREE_MAX_DEPTH 64

enum yaml_tree_kind {
	YAML_TREE_SCALAR,
	YAML_TREE_SEQUENCE,
	YAML_TREE_MAPPING,
};

struct yaml_tree_node {
	enum yaml_tree_kind kind;
	int line;               /* 1-based */
	int column;             /* 1-based, in characters */

	/* Scalars: the value, NUL-terminated (it may hold NUL bytes). */
	char *value;
	size_t length;
	bool plain;             /* unquoted and untagged: type is resolved */

	/*
	 * Sequences: items[0..count). Mappings: keys[i] maps to items[i],
	 * in document order, then the merged pairs.
	 */
	struct yaml_tree_node **keys;
	struct yaml_tree_node **items;
	size_t count;

	size_t weight;          /* nodes in the expanded subtree */
	bool complete;          /* its end event was seen */
};

struct yaml_tree_document {
	struct yaml_tree_node *root; /* NULL for an empty document */
	int line;
	int column;
};

struct yaml_tree_block;

/* Owns every node; release frees them all. */
struct yaml_tree {
	struct yaml_tree_document *documents;
	size_t document_count;
	/*
	 * Nodes, scalar values and lists of children, allocated in blocks
	 * and freed together.
	 */
	struct yaml_tree_block *blocks;
};

void yaml_tree_init(struct yaml_tree *tree);
void yaml_tree_release(struct yaml_tree *tree);

/*
 * Parses `text` (UTF-8) into `tree`. Problems are added to `diags` at
 * locations of `source`. Returns 0 when the stream parsed (duplicate
 * keys and bad merges are reported but do not stop it),
 * TRUNKCTL_EINVALID after a syntax error, invalid UTF-8 or a bound
 * exceeded (the tree then contains no documents), or TRUNKCTL_ENOMEM.
 */
int yaml_tree_parse(struct yaml_tree *tree, const char *text, size_t length,
		    struct diag_list *diags, struct diag_source *source);

/* Returns the value of scalar key `key` in `mapping`, or NULL. */
const struct yaml_tree_node *
yaml_tree_get(const struct yaml_tree_node *mapping, const char *key);

/* Returns true for a plain empty scalar, "~", "null", "Null" or "NULL". */
bool yaml_tree_is_null(const struct yaml_tree_node *node);

#endif

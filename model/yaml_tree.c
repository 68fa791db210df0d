#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "model/error.h"
#include "model/utf8.h"
#include "model/yaml_tree.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

/* Bytes of node and scalar storage per allocation. */
#define TREE_BLOCK_SIZE 65536

struct yaml_tree_block {
	struct yaml_tree_block *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct frame {
	struct yaml_tree_node *node;
	size_t first_child;     /* index of its first child in children */
};

struct anchor {
	char *name;
	struct yaml_tree_node *node;
};

/* The state of one parse: open containers and the document's anchors. */
struct builder {
	struct yaml_tree *tree;
	struct diag_list *diags;
	struct diag_source *source;
	struct yaml_tree_document *document;
	struct frame stack[YAML_TREE_MAX_DEPTH];
	size_t depth;
	/*
	 * Children of the open containers, innermost container last. A
	 * sequence pushes its items, and a mapping each key followed by its
	 * value. When a container ends, its children move to an array of
	 * their final size in the tree.
	 */
	struct yaml_tree_node **children;
	size_t child_count;
	size_t child_alloc;
	struct anchor *anchors;  /* open addressing, power-of-two size */
	size_t anchor_alloc;
	size_t anchor_count;
	size_t expanded;         /* nodes counted in the stream so far */
};

/* One key/value pair while a mapping's merges are applied. */
struct pair_ref {
	struct yaml_tree_node *key;
	struct yaml_tree_node *value;
	size_t position;
	bool written;            /* in the mapping itself, not merged */
	bool dropped;
};

static int report(struct builder *b, int line, int column, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static int report(struct builder *b, int line, int column, const char *fmt,
		  ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = diag_addv(b->diags, DIAG_ERROR, b->source, line, column, fmt,
		       ap);
	va_end(ap);
	return rc;
}

static int out_of_memory(void)
{
	return error_set(TRUNKCTL_ENOMEM, "out of memory parsing YAML");
}

void yaml_tree_init(struct yaml_tree *tree)
{
	memset(tree, 0, sizeof(*tree));
}

void yaml_tree_release(struct yaml_tree *tree)
{
	struct yaml_tree_block *block, *next;

	if (!tree)
		return;
	for (block = tree->blocks; block; block = next) {
		next = block->next;
		free(block);
	}
	free(tree->documents);
	yaml_tree_init(tree);
}

/* Starts a block of at least `size` bytes, or returns NULL. */
static struct yaml_tree_block *add_block(struct yaml_tree *tree, size_t size)
{
	size_t capacity = size > TREE_BLOCK_SIZE ? size : TREE_BLOCK_SIZE;
	struct yaml_tree_block *block;

	block = malloc(sizeof(*block) + capacity);
	if (!block)
		return NULL;
	block->size = capacity;
	block->used = 0;
	block->next = tree->blocks;
	tree->blocks = block;
	return block;
}

/*
 * Returns `size` bytes from the tree's current block, starting a new
 * block when it is full. A manifest has 25 to 30 nodes per trunk, so
 * one malloc per node, per scalar and per list of children was a large
 * share of the parse. add_block() starts blocks, so that this path
 * stays small enough to inline.
 */
static inline void *tree_alloc(struct yaml_tree *tree, size_t size)
{
	struct yaml_tree_block *block = tree->blocks;
	size_t align = sizeof(max_align_t);
	void *memory;

	size = (size + align - 1) / align * align;
	if (!block || block->size - block->used < size) {
		block = add_block(tree, size);
		if (!block)
			return NULL;
	}
	memory = (char *)block->data + block->used;
	block->used += size;
	return memory;
}

static size_t add_saturating(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Counts `n` more expanded nodes, and stops the parse past the bound. */
static int charge(struct builder *b, size_t n, const yaml_mark_t *mark)
{
	b->expanded = add_saturating(b->expanded, n);
	if (b->expanded <= YAML_TREE_MAX_NODES)
		return 0;

	report(b, (int)mark->line + 1, (int)mark->column + 1,
	       "more than %d YAML nodes, counting every use of an alias; "
	       "split the file, or look for an alias bomb",
	       YAML_TREE_MAX_NODES);
	return TRUNKCTL_EINVALID;
}

/*
 * Returns a node followed by `extra` bytes for a scalar's value, or NULL
 * when memory ran out.
 */
static struct yaml_tree_node *new_node(struct builder *b,
				       enum yaml_tree_kind kind,
				       const yaml_mark_t *mark, size_t extra)
{
	struct yaml_tree_node *node;

	node = tree_alloc(b->tree, sizeof(*node) + extra);
	if (!node)
		return NULL;
	memset(node, 0, sizeof(*node));

	node->kind = kind;
	node->line = (int)mark->line + 1;
	node->column = (int)mark->column + 1;
	node->weight = 1;
	return node;
}

static int grow_children(struct builder *b)
{
	size_t alloc = b->child_alloc ? b->child_alloc * 2 : 256;
	struct yaml_tree_node **children;

	children = realloc(b->children, alloc * sizeof(*children));
	if (!children)
		return out_of_memory();
	b->children = children;
	b->child_alloc = alloc;
	return 0;
}

/* Adds a finished node to the open container, or makes it the root. */
static inline int attach(struct builder *b, struct yaml_tree_node *node)
{
	if (b->depth == 0) {
		b->document->root = node;
		return 0;
	}
	if (b->child_count == b->child_alloc && grow_children(b) < 0)
		return TRUNKCTL_ENOMEM;
	b->children[b->child_count++] = node;
	return 0;
}

static size_t hash_name(const char *name)
{
	size_t hash = 14695981039346656037u & SIZE_MAX;

	while (*name)
		hash = (hash ^ (unsigned char)*name++) * 1099511628211u;
	return hash;
}

static struct anchor *anchor_slot(struct anchor *table, size_t alloc,
				  const char *name)
{
	size_t mask = alloc - 1;
	size_t i = hash_name(name) & mask;

	while (table[i].name && strcmp(table[i].name, name) != 0)
		i = (i + 1) & mask;
	return &table[i];
}

static int grow_anchors(struct builder *b)
{
	size_t alloc = b->anchor_alloc ? b->anchor_alloc * 2 : 16;
	struct anchor *table;
	size_t i;

	table = calloc(alloc, sizeof(*table));
	if (!table)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < b->anchor_alloc; i++)
		if (b->anchors[i].name)
			*anchor_slot(table, alloc, b->anchors[i].name) =
				b->anchors[i];
	free(b->anchors);
	b->anchors = table;
	b->anchor_alloc = alloc;
	return 0;
}

/* Binds `name` to `node`. A later anchor of the same name replaces it. */
static int set_anchor(struct builder *b, const char *name,
		      struct yaml_tree_node *node)
{
	struct anchor *slot;

	if ((b->anchor_count + 1) * 2 > b->anchor_alloc && grow_anchors(b) < 0)
		return TRUNKCTL_ENOMEM;
	slot = anchor_slot(b->anchors, b->anchor_alloc, name);
	if (!slot->name) {
		slot->name = strdup(name);
		if (!slot->name)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		b->anchor_count++;
	}
	slot->node = node;
	return 0;
}

static struct yaml_tree_node *find_anchor(struct builder *b,
					  const char *name)
{
	struct anchor *slot;

	if (!b->anchor_alloc)
		return NULL;
	slot = anchor_slot(b->anchors, b->anchor_alloc, name);
	return slot->name ? slot->node : NULL;
}

static void clear_anchors(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->anchor_alloc; i++)
		free(b->anchors[i].name);
	free(b->anchors);
	b->anchors = NULL;
	b->anchor_alloc = 0;
	b->anchor_count = 0;
}

/* Checks a tag that is not NULL, for check_tag(). */
static int check_tag_name(struct builder *b, const unsigned char *tag,
			  enum yaml_tree_kind kind, const yaml_mark_t *mark,
			  bool *string, bool *typed)
{
	static const char *const scalar_tags[] = {
		TAG_PREFIX "int", TAG_PREFIX "bool", TAG_PREFIX "null",
		TAG_PREFIX "float",
	};
	const char *t = (const char *)tag;
	const char *own = TAG_PREFIX "str";
	size_t count = sizeof(scalar_tags) / sizeof(scalar_tags[0]), i;
	char quoted[80];

	if (kind == YAML_TREE_SEQUENCE)
		own = TAG_PREFIX "seq";
	else if (kind == YAML_TREE_MAPPING)
		own = TAG_PREFIX "map";
	if (strcmp(t, "!") == 0 || strcmp(t, own) == 0) {
		*string = true;
		return 0;
	}
	for (i = 0; kind == YAML_TREE_SCALAR && i < count; i++) {
		if (strcmp(t, scalar_tags[i]) == 0) {
			*typed = true;
			return 0;
		}
	}
	return report(b, (int)mark->line + 1, (int)mark->column + 1,
		      "unsupported tag '%s'; manifests use plain YAML types",
		      diag_quote(quoted, sizeof(quoted), t, strlen(t)));
}

/*
 * Accepts no tag, the non-specific "!", and the core schema's tags for
 * the node's kind. `*string` is set for tags that make a scalar a string
 * whatever it looks like. Other tags are reported, and the node is kept.
 */
static inline int check_tag(struct builder *b, const unsigned char *tag,
			    enum yaml_tree_kind kind, const yaml_mark_t *mark,
			    bool *string, bool *typed)
{
	*string = false;
	*typed = false;
	if (!tag)
		return 0;
	return check_tag_name(b, tag, kind, mark, string, typed);
}

static int on_scalar(struct builder *b, const yaml_event_t *e)
{
	size_t length = e->data.scalar.length;
	struct yaml_tree_node *node;
	bool string, typed;
	int rc;

	rc = check_tag(b, e->data.scalar.tag, YAML_TREE_SCALAR,
		       &e->start_mark, &string, &typed);
	if (rc == 0)
		rc = charge(b, 1, &e->start_mark);
	if (rc < 0)
		return rc;

	node = new_node(b, YAML_TREE_SCALAR, &e->start_mark, length + 1);
	if (!node)
		return out_of_memory();
	node->value = (char *)(node + 1);
	if (length)
		memcpy(node->value, e->data.scalar.value, length);
	node->value[length] = '\0';
	node->length = length;
	node->plain = typed;
	if (!string && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		node->plain = true;
	node->complete = true;

	if (e->data.scalar.anchor) {
		rc = set_anchor(b, (const char *)e->data.scalar.anchor, node);
		if (rc < 0)
			return rc;
	}
	return attach(b, node);
}

static int on_start(struct builder *b, const yaml_event_t *e,
		    enum yaml_tree_kind kind)
{
	const yaml_char_t *anchor, *tag;
	struct yaml_tree_node *node;
	bool string, typed;
	int rc;

	anchor = kind == YAML_TREE_SEQUENCE ? e->data.sequence_start.anchor :
					      e->data.mapping_start.anchor;
	tag = kind == YAML_TREE_SEQUENCE ? e->data.sequence_start.tag :
					   e->data.mapping_start.tag;
	rc = check_tag(b, tag, kind, &e->start_mark, &string, &typed);
	if (rc == 0)
		rc = charge(b, 1, &e->start_mark);
	if (rc < 0)
		return rc;
	if (b->depth == YAML_TREE_MAX_DEPTH) {
		report(b, (int)e->start_mark.line + 1,
		       (int)e->start_mark.column + 1,
		       "nesting deeper than %d levels", YAML_TREE_MAX_DEPTH);
		return TRUNKCTL_EINVALID;
	}

	node = new_node(b, kind, &e->start_mark, 0);
	if (!node)
		return out_of_memory();
	if (anchor && (rc = set_anchor(b, (const char *)anchor, node)) < 0)
		return rc;
	b->stack[b->depth].node = node;
	b->stack[b->depth].first_child = b->child_count;
	b->depth++;
	return 0;
}

static bool is_merge_key(const struct yaml_tree_node *key)
{
	return key->kind == YAML_TREE_SCALAR && key->plain &&
	       key->length == 2 && memcmp(key->value, "<<", 2) == 0;
}

static int report_bad_merge(struct builder *b,
			    const struct yaml_tree_node *node, bool quiet)
{
	if (quiet)
		return 0;
	return report(b, node->line, node->column, "the merge key '<<' takes "
		      "a mapping or a list of mappings");
}

/*
 * Calls `visit` for each mapping that the merge key's value names.
 * Values that are not mappings are skipped, and reported unless `quiet`.
 */
static int for_each_merge_source(struct builder *b,
				 const struct yaml_tree_node *value, bool quiet,
				 int (*visit)(struct builder *,
					      const struct yaml_tree_node *,
					      void *),
				 void *data)
{
	size_t i;
	int rc = 0;

	if (value->kind == YAML_TREE_MAPPING)
		return visit(b, value, data);
	if (value->kind != YAML_TREE_SEQUENCE)
		return report_bad_merge(b, value, quiet);

	for (i = 0; i < value->count && rc == 0; i++) {
		const struct yaml_tree_node *item = value->items[i];

		if (item->kind == YAML_TREE_MAPPING)
			rc = visit(b, item, data);
		else
			rc = report_bad_merge(b, item, quiet);
	}
	return rc;
}

struct merge_count {
	size_t pairs;
	const yaml_mark_t *mark;
};

static int count_source(struct builder *b,
			const struct yaml_tree_node *source, void *data)
{
	struct merge_count *count = data;

	count->pairs += source->count;
	return charge(b, source->weight - 1, count->mark);
}

static int collect_source(struct builder *b,
			  const struct yaml_tree_node *source, void *data)
{
	struct pair_ref **cursor = data;
	size_t i;

	(void)b;
	for (i = 0; i < source->count; i++) {
		(*cursor)->key = source->keys[i];
		(*cursor)->value = source->items[i];
		(*cursor)++;
	}
	return 0;
}

/* Lists the mapping's own pairs, then the merged ones, in `refs`. */
static int collect_pairs(struct builder *b, struct yaml_tree_node *map,
			 struct pair_ref *refs, size_t *count)
{
	struct pair_ref *cursor = refs;
	size_t i;
	int rc;

	for (i = 0; i < map->count; i++) {
		if (is_merge_key(map->keys[i]))
			continue;
		cursor->key = map->keys[i];
		cursor->value = map->items[i];
		cursor->written = true;
		cursor++;
	}
	for (i = 0; i < map->count; i++) {
		if (!is_merge_key(map->keys[i]))
			continue;
		rc = for_each_merge_source(b, map->items[i], true,
					   collect_source, &cursor);
		if (rc < 0)
			return rc;
	}
	*count = (size_t)(cursor - refs);
	for (i = 0; i < *count; i++)
		refs[i].position = i;
	return 0;
}

/* Orders scalar keys by content, then by position, and other keys last. */
static int compare_keys(const void *pa, const void *pb)
{
	const struct pair_ref *a = pa, *b = pb;
	bool a_scalar = a->key->kind == YAML_TREE_SCALAR;
	bool b_scalar = b->key->kind == YAML_TREE_SCALAR;
	int c;

	if (a_scalar != b_scalar)
		return a_scalar ? -1 : 1;
	if (a_scalar) {
		if (a->key->length != b->key->length)
			return a->key->length < b->key->length ? -1 : 1;
		c = memcmp(a->key->value, b->key->value, a->key->length);
		if (c)
			return c;
	}
	return a->position < b->position ? -1 : a->position > b->position;
}

static int compare_positions(const void *pa, const void *pb)
{
	const struct pair_ref *a = pa, *b = pb;

	return a->position < b->position ? -1 : a->position > b->position;
}

static bool same_scalar(const struct yaml_tree_node *a,
			const struct yaml_tree_node *b)
{
	return a->kind == YAML_TREE_SCALAR && b->kind == YAML_TREE_SCALAR &&
	       a->length == b->length &&
	       memcmp(a->value, b->value, a->length) == 0;
}

static bool same_key(const struct pair_ref *a, const struct pair_ref *b)
{
	return same_scalar(a->key, b->key);
}

/*
 * Keeps the first pair of each key. A written key that repeats another
 * written key is an error; a merged key under a written one is the
 * point of merging.
 */
static int drop_duplicates(struct builder *b, struct pair_ref *refs,
			   size_t count)
{
	char quoted[80];
	size_t first = 0, i;
	int rc;

	qsort(refs, count, sizeof(*refs), compare_keys);
	for (i = 1; i < count; i++) {
		if (!same_key(&refs[first], &refs[i])) {
			first = i;
			continue;
		}
		refs[i].dropped = true;
		if (!refs[i].written)
			continue;
		rc = report(b, refs[i].key->line, refs[i].key->column,
			    "duplicate key '%s' (first defined at line %d, "
			    "column %d)",
			    diag_quote(quoted, sizeof(quoted),
				       refs[i].key->value, refs[i].key->length),
			    refs[first].key->line, refs[first].key->column);
		if (rc < 0)
			return rc;
	}
	qsort(refs, count, sizeof(*refs), compare_positions);
	return 0;
}

/* Replaces the mapping's pairs by the kept ones and sets its weight. */
static int store_pairs(struct builder *b, struct yaml_tree_node *map,
		       const struct pair_ref *refs, size_t count)
{
	struct yaml_tree_node **keys, **items;
	size_t i, kept = 0;

	keys = tree_alloc(b->tree, (count ? count : 1) * sizeof(*keys));
	items = tree_alloc(b->tree, (count ? count : 1) * sizeof(*items));
	if (!keys || !items)
		return out_of_memory();

	map->weight = 1;
	for (i = 0; i < count; i++) {
		if (refs[i].dropped)
			continue;
		keys[kept] = refs[i].key;
		items[kept++] = refs[i].value;
		map->weight = add_saturating(map->weight, refs[i].key->weight);
		map->weight = add_saturating(map->weight,
					     refs[i].value->weight);
	}
	map->keys = keys;
	map->items = items;
	map->count = kept;
	return 0;
}

/* Mappings up to this size are checked pairwise instead of sorted. */
#define SMALL_MAPPING 16

/*
 * Sets the weight of a small mapping that has no merge key and no
 * repeated key, and returns true. Otherwise returns false and leaves the
 * mapping to the general path, which reports duplicates in its own order.
 */
static bool finish_plain_mapping(struct yaml_tree_node *map)
{
	size_t weight = 1, i, j;
	uint64_t seen = 0, bit;

	if (map->count > SMALL_MAPPING)
		return false;
	for (i = 0; i < map->count; i++) {
		const struct yaml_tree_node *key = map->keys[i];

		if (is_merge_key(key))
			return false;
		if (key->kind != YAML_TREE_SCALAR)
			continue;
		/*
		 * Equal keys have the same length and first byte, so a key
		 * whose bit of `seen` is clear repeats no earlier key.
		 */
		bit = (uint64_t)1 << ((key->length * 7 +
				       (unsigned char)key->value[0]) & 63);
		for (j = 0; (seen & bit) && j < i; j++)
			if (same_scalar(key, map->keys[j]))
				return false;
		seen |= bit;
	}

	for (i = 0; i < map->count; i++) {
		weight = add_saturating(weight, map->keys[i]->weight);
		weight = add_saturating(weight, map->items[i]->weight);
	}
	map->weight = weight;
	return true;
}

static int finish_mapping(struct builder *b, struct yaml_tree_node *map,
			  const yaml_mark_t *mark)
{
	struct merge_count merged = { 0, mark };
	struct pair_ref *refs = NULL;
	size_t i, count;
	int rc = 0;

	if (finish_plain_mapping(map))
		return 0;

	for (i = 0; i < map->count && rc == 0; i++)
		if (is_merge_key(map->keys[i]))
			rc = for_each_merge_source(b, map->items[i], false,
						   count_source, &merged);
	if (rc < 0)
		goto done;

	refs = calloc(map->count + merged.pairs + 1, sizeof(*refs));
	if (!refs) {
		rc = out_of_memory();
		goto done;
	}
	rc = collect_pairs(b, map, refs, &count);
	if (rc == 0)
		rc = drop_duplicates(b, refs, count);
	if (rc == 0)
		rc = store_pairs(b, map, refs, count);

done:
	free(refs);
	return rc;
}

/*
 * Moves the children of the container that ends from the builder's
 * stack to the tree. A mapping's keys and values alternate on the stack,
 * and libyaml sends an empty scalar for a key written without a value.
 */
static int store_children(struct builder *b, struct yaml_tree_node *node,
			  size_t first)
{
	struct yaml_tree_node **children;
	size_t count = b->child_count - first, i;

	b->child_count = first;
	if (count == 0)
		return 0; /* and b->children may still be NULL */
	children = b->children + first;
	if (node->kind == YAML_TREE_SEQUENCE) {
		node->items = tree_alloc(b->tree, count * sizeof(*children));
		if (!node->items)
			return out_of_memory();
		memcpy(node->items, children, count * sizeof(*children));
		node->count = count;
		return 0;
	}

	count /= 2;
	node->keys = tree_alloc(b->tree, count * sizeof(*children));
	node->items = tree_alloc(b->tree, count * sizeof(*children));
	if (!node->keys || !node->items)
		return out_of_memory();
	for (i = 0; i < count; i++) {
		node->keys[i] = children[2 * i];
		node->items[i] = children[2 * i + 1];
	}
	node->count = count;
	return 0;
}

static int on_end(struct builder *b, const yaml_event_t *e)
{
	struct yaml_tree_node *node;
	size_t i;
	int rc;

	b->depth--;
	node = b->stack[b->depth].node;
	rc = store_children(b, node, b->stack[b->depth].first_child);
	if (rc < 0)
		return rc;
	if (node->kind == YAML_TREE_MAPPING) {
		rc = finish_mapping(b, node, &e->start_mark);
	} else {
		for (i = 0; i < node->count; i++)
			node->weight = add_saturating(node->weight,
						      node->items[i]->weight);
	}
	if (rc < 0)
		return rc;
	node->complete = true;
	return attach(b, node);
}

static int on_alias(struct builder *b, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	struct yaml_tree_node *target = find_anchor(b, name);
	int line = (int)e->start_mark.line + 1;
	int column = (int)e->start_mark.column + 1;
	char quoted[80];
	int rc;

	diag_quote(quoted, sizeof(quoted), name, strlen(name));
	if (!target) {
		report(b, line, column, "unknown alias '*%s'", quoted);
		return TRUNKCTL_EINVALID;
	}
	if (!target->complete) {
		report(b, line, column, "alias '*%s' refers to a node that "
		       "contains it", quoted);
		return TRUNKCTL_EINVALID;
	}
	rc = charge(b, target->weight, &e->start_mark);
	if (rc < 0)
		return rc;
	return attach(b, target);
}

static int on_document_start(struct builder *b, const yaml_event_t *e)
{
	struct yaml_tree *tree = b->tree;
	struct yaml_tree_document *documents;
	int rc;

	rc = charge(b, 1, &e->start_mark);
	if (rc < 0)
		return rc;
	documents = realloc(tree->documents,
			    (tree->document_count + 1) * sizeof(*documents));
	if (!documents)
		return out_of_memory();
	tree->documents = documents;

	b->document = &documents[tree->document_count++];
	b->document->root = NULL;
	b->document->line = (int)e->start_mark.line + 1;
	b->document->column = (int)e->start_mark.column + 1;
	b->depth = 0;
	b->child_count = 0;
	clear_anchors(b);
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		return on_document_start(b, e);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, e);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, e, YAML_TREE_SEQUENCE);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, e, YAML_TREE_MAPPING);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(b, e);
	case YAML_ALIAS_EVENT:
		return on_alias(b, e);
	default:
		return 0;
	}
}

/* Converts a byte offset into a 1-based line and character column. */
static void position_of(const char *text, size_t length, size_t offset,
			int *line, int *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	for (i = 0; i < offset && i < length; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static int report_parser_error(struct builder *b, const yaml_parser_t *p,
			       const char *text, size_t length)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	int line, column;

	if (p->error == YAML_MEMORY_ERROR)
		return out_of_memory();

	if (p->error == YAML_READER_ERROR) {
		position_of(text, length, p->problem_offset, &line, &column);
		if (p->problem_value >= 0)
			report(b, line, column, "%s (0x%02X)", problem,
			       (unsigned)p->problem_value);
		else
			report(b, line, column, "%s", problem);
		return TRUNKCTL_EINVALID;
	}

	line = (int)p->problem_mark.line + 1;
	column = (int)p->problem_mark.column + 1;
	if (p->context)
		report(b, line, column, "%s (%s at line %d, column %d)",
		       problem, p->context, (int)p->context_mark.line + 1,
		       (int)p->context_mark.column + 1);
	else
		report(b, line, column, "%s", problem);
	return TRUNKCTL_EINVALID;
}

static int check_utf8(struct builder *b, const char *text, size_t length)
{
	size_t offset;
	int line, column;

	if (utf8_validate(text, length, &offset) == 0)
		return 0;
	position_of(text, length, offset, &line, &column);
	report(b, line, column, "invalid UTF-8 (byte 0x%02X); manifests "
	       "must be UTF-8 text", (unsigned char)text[offset]);
	return TRUNKCTL_EINVALID;
}

static int run_events(struct builder *b, yaml_parser_t *parser,
		      const char *text, size_t length)
{
	yaml_event_t event;
	bool end;
	int rc;

	for (;;) {
		if (!yaml_parser_parse(parser, &event))
			return report_parser_error(b, parser, text, length);
		rc = on_event(b, &event);
		end = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		if (rc < 0 || end)
			return rc;
	}
}

int yaml_tree_parse(struct yaml_tree *tree, const char *text, size_t length,
		    struct diag_list *diags, struct diag_source *source)
{
	struct builder b;
	yaml_parser_t parser;
	int rc;

	memset(&b, 0, sizeof(b));
	b.tree = tree;
	b.diags = diags;
	b.source = source;

	rc = check_utf8(&b, text, length);
	if (rc < 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return out_of_memory();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     length);
	/*
	 * A file that starts with a UTF-8 byte order mark is left to
	 * libyaml's encoding detection, which drops the mark. With the
	 * encoding set, libyaml 0.2.5 counts the mark as a column, so the
	 * first key is indented and the second line fails to parse.
	 */
	if (length < 3 || memcmp(text, "\xef\xbb\xbf", 3) != 0)
		yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	rc = run_events(&b, &parser, text, length);
	yaml_parser_delete(&parser);
	clear_anchors(&b);
	free(b.children);
	if (rc < 0)
		tree->document_count = 0;
	return rc;
}

const struct yaml_tree_node *
yaml_tree_get(const struct yaml_tree_node *mapping, const char *key)
{
	size_t length = strlen(key), i;

	if (!mapping || mapping->kind != YAML_TREE_MAPPING)
		return NULL;
	for (i = 0; i < mapping->count; i++) {
		const struct yaml_tree_node *k = mapping->keys[i];

		if (k->kind == YAML_TREE_SCALAR && k->length == length &&
		    memcmp(k->value, key, length) == 0)
			return mapping->items[i];
	}
	return NULL;
}

bool yaml_tree_is_null(const struct yaml_tree_node *node)
{
	const char *value = node->value;

	if (node->kind != YAML_TREE_SCALAR || !node->plain)
		return false;
	/*
	 * The forms are "", "~", "null", "Null" and "NULL", up to the first
	 * NUL byte. Each test reads a byte only after the ones before it
	 * were not NUL.
	 */
	if (value[0] == '\0')
		return true;
	if (value[1] == '\0')
		return value[0] == '~';
	if (value[2] == '\0' || value[3] == '\0' || value[4] != '\0')
		return false;
	return memcmp(value, "null", 4) == 0 ||
	       memcmp(value, "Null", 4) == 0 ||
	       memcmp(value, "NULL", 4) == 0;
}

#include <stdbool.h>
#include <stdlib.h>

#include "model/edge_index.h"
#include "model/error.h"

struct edge_index_slot {
	const char *text;       /* NULL: empty slot */
	uint64_t hash;
	enum edge_index_kind kind;
	size_t position;
};

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* FNV-1a over the kind and the lower-cased text. */
static uint64_t hash_text(enum edge_index_kind kind, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	uint64_t hash = 14695981039346656037u;

	hash = (hash ^ (uint64_t)kind) * 1099511628211u;
	for (; *p; p++)
		hash = (hash ^ ascii_lower(*p)) * 1099511628211u;
	return hash;
}

static bool same_text(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; *x && ascii_lower(*x) == ascii_lower(*y); x++, y++)
		;
	return ascii_lower(*x) == ascii_lower(*y);
}

void edge_index_init(struct edge_index *index)
{
	index->slots = NULL;
	index->alloc = 0;
	index->count = 0;
}

void edge_index_release(struct edge_index *index)
{
	free(index->slots);
	edge_index_init(index);
}

/* Returns the slot of `text`, or the empty slot where it would go. */
static struct edge_index_slot *probe(struct edge_index_slot *slots,
				     size_t alloc, enum edge_index_kind kind,
				     const char *text, uint64_t hash)
{
	size_t i = (size_t)hash & (alloc - 1);

	while (slots[i].text &&
	       (slots[i].hash != hash || slots[i].kind != kind ||
		!same_text(slots[i].text, text)))
		i = (i + 1) & (alloc - 1);
	return &slots[i];
}

size_t edge_index_find(const struct edge_index *index,
		       enum edge_index_kind kind, const char *text)
{
	const struct edge_index_slot *slot;

	if (!index->alloc || !text)
		return EDGE_INDEX_NONE;
	slot = probe(index->slots, index->alloc, kind, text,
		     hash_text(kind, text));
	return slot->text ? slot->position : EDGE_INDEX_NONE;
}

/* Doubles the table, keeping it at most half full. */
static int grow(struct edge_index *index)
{
	size_t alloc = index->alloc ? index->alloc * 2 : 64, i;
	struct edge_index_slot *slots = calloc(alloc, sizeof(*slots));

	if (!slots)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < index->alloc; i++) {
		const struct edge_index_slot *old = &index->slots[i];

		if (old->text)
			*probe(slots, alloc, old->kind, old->text,
			       old->hash) = *old;
	}
	free(index->slots);
	index->slots = slots;
	index->alloc = alloc;
	return 0;
}

int edge_index_add(struct edge_index *index, enum edge_index_kind kind,
		   const char *text, size_t position)
{
	struct edge_index_slot *slot;
	uint64_t hash;
	int rc;

	if (!text)
		return 0;
	if ((index->count + 1) * 2 > index->alloc &&
	    (rc = grow(index)) < 0)
		return rc;
	hash = hash_text(kind, text);
	slot = probe(index->slots, index->alloc, kind, text, hash);
	if (slot->text)
		return 0;
	slot->text = text;
	slot->hash = hash;
	slot->kind = kind;
	slot->position = position;
	index->count++;
	return 0;
}

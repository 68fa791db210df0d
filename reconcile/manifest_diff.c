/* The comparison of two desired models, edge by edge and trunk by trunk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "reconcile/manifest_diff.h"

#define MAX_FIELD_CHANGES 16

static const char *const kind_names[] = { "added", "changed", "removed" };

const char *manifest_change_kind_name(enum manifest_change_kind kind)
{
	return kind_names[kind];
}

static void trunk_change_release(struct manifest_trunk_change *change)
{
	free(change->name);
	free(change->where);
	field_changes_release(change->changes, change->change_count);
	free(change->changes);
}

static void edge_change_release(struct manifest_edge_change *change)
{
	size_t i;

	for (i = 0; i < change->trunk_count; i++)
		trunk_change_release(&change->trunks[i]);
	free(change->trunks);
	field_changes_release(change->changes, change->change_count);
	free(change->changes);
	free(change->id);
	free(change->name);
	free(change->where);
}

void manifest_diff_release(struct manifest_diff *diff)
{
	struct manifest_diff_revisions *r;
	size_t i;

	if (!diff)
		return;
	r = &diff->revisions;
	for (i = 0; i < diff->edge_count; i++)
		edge_change_release(&diff->edges[i]);
	free(diff->edges);
	free(diff->unavailable);
	free(r->base_ref);
	free(r->base_commit);
	free(r->merge_base);
	free(r->head_ref);
	free(r->head_commit);
	free(r->path);
	memset(diff, 0, sizeof(*diff));
}

/* A growable list of field changes; the first failure sticks. */
struct changes {
	struct field_change items[MAX_FIELD_CHANGES];
	size_t count;
	int error;
};

static void add_change(struct changes *list, const char *field,
		       const char *before, const char *after)
{
	struct field_change *c;

	if (list->error || list->count == MAX_FIELD_CHANGES)
		return;
	c = &list->items[list->count];
	c->field = field;
	c->before = strdup(before ? before : "(none)");
	c->after = strdup(after ? after : "(none)");
	if (!c->before || !c->after) {
		free(c->before);
		free(c->after);
		list->error = TRUNKCTL_ENOMEM;
		return;
	}
	list->count++;
}

/* Moves the list into a new array; returns 0 or TRUNKCTL_ENOMEM. */
static int take_changes(struct changes *list, struct field_change **out,
			size_t *count)
{
	*out = NULL;
	*count = 0;
	if (list->error) {
		field_changes_release(list->items, list->count);
		return error_set(list->error, "out of memory");
	}
	if (list->count == 0)
		return 0;
	*out = malloc(list->count * sizeof(**out));
	if (!*out) {
		field_changes_release(list->items, list->count);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	memcpy(*out, list->items, list->count * sizeof(**out));
	*count = list->count;
	return 0;
}

static char *location(const struct source_location *where)
{
	char text[4200];

	snprintf(text, sizeof(text), "%s:%d", where->file ? where->file : "?",
		 where->line);
	return strdup(text);
}

static const struct desired_trunk *find_trunk(const struct desired_edge *edge,
					      const char *name)
{
	size_t i;

	for (i = 0; edge && i < edge->trunk_count; i++)
		if (trunk_name_equal(edge->trunks[i].spec.name, name))
			return &edge->trunks[i];
	return NULL;
}

static int push_trunk(struct manifest_edge_change *edge,
		      enum manifest_change_kind kind,
		      const struct desired_trunk *trunk, struct changes *list)
{
	struct manifest_trunk_change *c;
	void *grown;
	int rc;

	grown = realloc(edge->trunks, (edge->trunk_count + 1) * sizeof(*c));
	if (!grown) {
		field_changes_release(list->items, list->count);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	edge->trunks = grown;
	c = &edge->trunks[edge->trunk_count++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->state = trunk->state;
	c->name = strdup(trunk->spec.name);
	c->where = location(&trunk->where);
	rc = take_changes(list, &c->changes, &c->change_count);
	if (rc == 0 && (!c->name || !c->where))
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	return rc;
}

/* Compares one trunk of both revisions; no entry when they are equal. */
static int compare_trunk(struct manifest_edge_change *edge,
			 const struct desired_trunk *base,
			 const struct desired_trunk *head)
{
	struct changes list = { .count = 0 };
	struct field_change spec[MAX_FIELD_CHANGES];
	int n, i;

	n = trunk_spec_diff(&base->spec, &head->spec, spec,
			    MAX_FIELD_CHANGES - 1);
	if (n < 0)
		return n;
	if (n > MAX_FIELD_CHANGES - 1)
		n = MAX_FIELD_CHANGES - 1;
	for (i = 0; i < n; i++)
		list.items[list.count++] = spec[i];
	if (base->state != head->state)
		add_change(&list, "state", trunk_state_name(base->state),
			   trunk_state_name(head->state));
	if (list.count == 0 && !list.error)
		return 0;
	return push_trunk(edge, MANIFEST_CHANGED, head, &list);
}

static int compare_trunks(struct manifest_edge_change *change,
			  const struct desired_edge *base,
			  const struct desired_edge *head)
{
	struct changes none = { .count = 0 };
	const struct desired_trunk *other;
	size_t i;
	int rc = 0;

	for (i = 0; head && i < head->trunk_count && rc == 0; i++) {
		other = find_trunk(base, head->trunks[i].spec.name);
		if (other)
			rc = compare_trunk(change, other, &head->trunks[i]);
		else
			rc = push_trunk(change, MANIFEST_ADDED,
					&head->trunks[i], &none);
	}
	for (i = 0; base && i < base->trunk_count && rc == 0; i++)
		if (!find_trunk(head, base->trunks[i].spec.name))
			rc = push_trunk(change, MANIFEST_REMOVED,
					&base->trunks[i], &none);
	return rc;
}

static void compare_edge_fields(struct changes *list,
				const struct desired_edge *base,
				const struct desired_edge *head)
{
	const struct edge_ref *b = &base->edge, *h = &head->edge;
	char before[16], after[16];

	if ((b->id || h->id) &&
	    (!b->id || !h->id || strcasecmp(b->id, h->id) != 0))
		add_change(list, "id", b->id, h->id);
	if ((b->name || h->name) &&
	    (!b->name || !h->name || strcmp(b->name, h->name) != 0))
		add_change(list, "name", b->name, h->name);
	if (b->max_trunks != h->max_trunks) {
		snprintf(before, sizeof(before), "%d", b->max_trunks);
		snprintf(after, sizeof(after), "%d", h->max_trunks);
		add_change(list, "maxTrunks", before, after);
	}
	if (b->prune != h->prune)
		add_change(list, "prune", b->prune ? "true" : "false",
			   h->prune ? "true" : "false");
}

static bool edges_match(const struct edge_ref *a, const struct edge_ref *b)
{
	if (a->id && b->id)
		return strcasecmp(a->id, b->id) == 0;
	return a->name && b->name && strcasecmp(a->name, b->name) == 0;
}

static const struct desired_edge *find_edge(const struct desired_model *model,
					    const struct edge_ref *edge)
{
	size_t i;

	for (i = 0; i < model->edge_count; i++)
		if (edges_match(&model->edges[i].edge, edge))
			return &model->edges[i];
	return NULL;
}

/* Compares one edge; `base` or `head` is NULL for an added or removed
 * edge. Drops the entry again when nothing differs. */
static int compare_edge(struct manifest_diff *diff,
			const struct desired_edge *base,
			const struct desired_edge *head)
{
	const struct desired_edge *shown = head ? head : base;
	struct manifest_edge_change *c = &diff->edges[diff->edge_count++];
	struct changes list = { .count = 0 };
	int rc;

	memset(c, 0, sizeof(*c));
	c->kind = !base ? MANIFEST_ADDED
			: !head ? MANIFEST_REMOVED : MANIFEST_CHANGED;
	c->prune = shown->edge.prune;
	c->id = shown->edge.id ? strdup(shown->edge.id) : NULL;
	c->name = shown->edge.name ? strdup(shown->edge.name) : NULL;
	c->where = location(&shown->where);
	if ((shown->edge.id && !c->id) || (shown->edge.name && !c->name) ||
	    !c->where)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (base && head)
		compare_edge_fields(&list, base, head);
	if ((rc = take_changes(&list, &c->changes, &c->change_count)) < 0 ||
	    (rc = compare_trunks(c, base, head)) < 0)
		return rc;
	if (c->kind == MANIFEST_CHANGED && c->change_count == 0 &&
	    c->trunk_count == 0)
		edge_change_release(&diff->edges[--diff->edge_count]);
	return 0;
}

int manifest_diff_compute(const struct desired_model *base,
			  const struct desired_model *head,
			  struct manifest_diff *out)
{
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->edges = calloc(base->edge_count + head->edge_count + 1,
			    sizeof(*out->edges));
	if (!out->edges)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < head->edge_count && rc == 0; i++)
		rc = compare_edge(out, find_edge(base, &head->edges[i].edge),
				  &head->edges[i]);
	for (i = 0; i < base->edge_count && rc == 0; i++)
		if (!find_edge(head, &base->edges[i].edge))
			rc = compare_edge(out, &base->edges[i], NULL);
	if (rc < 0)
		manifest_diff_release(out);
	return rc;
}

void manifest_diff_count(const struct manifest_diff *diff,
			 struct manifest_diff_counts *counts)
{
	const struct manifest_edge_change *edge;
	size_t i, j;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < diff->edge_count; i++) {
		edge = &diff->edges[i];
		counts->edges[edge->kind]++;
		for (j = 0; j < edge->trunk_count; j++)
			counts->trunks[edge->trunks[j].kind]++;
	}
}

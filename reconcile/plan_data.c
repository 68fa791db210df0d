/*
 * The plan's storage: allocation, appending actions and edges, and the
 * read-only accessors.
 */
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/plan_internal.h"

static const char *const kind_names[PLAN_ACTION_KIND_COUNT] = {
	"create", "update", "activate", "deactivate", "verify", "delete",
};

const char *plan_action_kind_name(enum plan_action_kind kind)
{
	if ((unsigned)kind >= PLAN_ACTION_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

int plan_action_kind_parse(const char *name, enum plan_action_kind *out)
{
	size_t i;

	for (i = 0; i < PLAN_ACTION_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum plan_action_kind)i;
			return 0;
		}
	}
	return error_set(TRUNKCTL_EINVALID, "unknown action kind '%s'", name);
}

void plan_options_init(struct plan_options *options)
{
	memset(options, 0, sizeof(*options));
	options->max_deletes = PLAN_DEFAULT_MAX_DELETES;
	options->max_unavailable = PLAN_DEFAULT_MAX_UNAVAILABLE;
	options->fingerprints = true;
}

struct plan *plan_alloc(void)
{
	struct plan *plan = calloc(1, sizeof(*plan));

	if (!plan)
		error_set(TRUNKCTL_ENOMEM, "out of memory");
	return plan;
}

static void action_release(struct plan_action *action)
{
	free(action->trunk_name);
	free(action->trunk_id);
	free(action->depends_on);
	field_changes_release(action->changes, action->change_count);
	free(action->changes);
	trunk_spec_release(&action->spec);
}

static void edge_release(struct plan_edge *edge)
{
	size_t i;

	free(edge->id);
	free(edge->name);
	for (i = 0; i < edge->unmanaged_count; i++) {
		free(edge->unmanaged[i].id);
		free(edge->unmanaged[i].name);
	}
	free(edge->unmanaged);
	for (i = 0; i < edge->warning_count; i++)
		free(edge->warnings[i]);
	free(edge->warnings);
	free(edge->error);
}

void plan_free(struct plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->action_count; i++)
		action_release(&plan->actions[i]);
	free(plan->actions);
	for (i = 0; i < plan->edge_count; i++)
		edge_release(&plan->edges[i]);
	free(plan->edges);
	free((char *)plan->source.path);
	free((char *)plan->source.repo);
	free((char *)plan->source.ref);
	free((char *)plan->source.commit);
	free(plan);
}

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
	size_t new_cap;
	void *grown;

	if (count < *cap)
		return true;
	new_cap = *cap ? *cap * 2 : 16;
	grown = realloc(*items, new_cap * size);
	if (!grown) {
		error_set(TRUNKCTL_ENOMEM, "out of memory");
		return false;
	}
	*items = grown;
	*cap = new_cap;
	return true;
}

struct plan_action *plan_push_action(struct plan *plan)
{
	struct plan_action *action;

	if (!grow((void **)&plan->actions, &plan->action_cap,
		  plan->action_count, sizeof(*action)))
		return NULL;
	action = &plan->actions[plan->action_count];
	memset(action, 0, sizeof(*action));
	trunk_spec_init(&action->spec);
	action->id = plan->action_count++;
	return action;
}

struct plan_edge *plan_push_edge(struct plan *plan)
{
	struct plan_edge *edge;

	if (!grow((void **)&plan->edges, &plan->edge_cap, plan->edge_count,
		  sizeof(*edge)))
		return NULL;
	edge = &plan->edges[plan->edge_count++];
	memset(edge, 0, sizeof(*edge));
	return edge;
}

int plan_action_add_dependency(struct plan_action *action, size_t id)
{
	size_t *grown;
	size_t i;

	for (i = 0; i < action->depend_count; i++)
		if (action->depends_on[i] == id)
			return 0;
	grown = realloc(action->depends_on,
			(action->depend_count + 1) * sizeof(*grown));
	if (!grown)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	action->depends_on = grown;
	action->depends_on[action->depend_count++] = id;
	return 0;
}

int plan_edge_add_warning(struct plan_edge *edge, const char *text)
{
	char **grown = realloc(edge->warnings,
			       (edge->warning_count + 1) * sizeof(*grown));

	if (!grown)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	edge->warnings = grown;
	edge->warnings[edge->warning_count] = strdup(text);
	if (!edge->warnings[edge->warning_count])
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	edge->warning_count++;
	return 0;
}

static int copy_optional(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

int plan_set_source(struct plan *plan, const struct plan_source *source)
{
	int rc;

	plan->source.dirty = source->dirty;
	if ((rc = copy_optional(&plan->source.path, source->path)) < 0 ||
	    (rc = copy_optional(&plan->source.repo, source->repo)) < 0 ||
	    (rc = copy_optional(&plan->source.ref, source->ref)) < 0 ||
	    (rc = copy_optional(&plan->source.commit, source->commit)) < 0)
		return rc;
	return 0;
}

size_t plan_action_count(const struct plan *plan)
{
	return plan->action_count;
}

const struct plan_action *plan_action_at(const struct plan *plan, size_t i)
{
	return i < plan->action_count ? &plan->actions[i] : NULL;
}

size_t plan_edge_count(const struct plan *plan)
{
	return plan->edge_count;
}

const struct plan_edge *plan_edge_at(const struct plan *plan, size_t i)
{
	return i < plan->edge_count ? &plan->edges[i] : NULL;
}

size_t plan_failed_edges(const struct plan *plan)
{
	size_t i, failed = 0;

	for (i = 0; i < plan->edge_count; i++)
		if (plan->edges[i].error)
			failed++;
	return failed;
}

void plan_count(const struct plan *plan, struct plan_counts *counts)
{
	size_t i;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < plan->action_count; i++)
		counts->by_kind[plan->actions[i].kind]++;
	counts->total = plan->action_count;
}

long long plan_created_ms(const struct plan *plan)
{
	return plan->created_ms;
}

const struct plan_source *plan_source(const struct plan *plan)
{
	return &plan->source;
}

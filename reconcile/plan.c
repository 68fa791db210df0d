/*
 * The planner: compares each edge's desired trunks with its live trunks
 * and lists the actions, with their dependencies, that reconcile them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/log.h"
#include "reconcile/internal.h"
#include "reconcile/plan_internal.h"
#include "reconcile/trunk_match.h"

#define NO_ACTION SIZE_MAX

/* The actions of one trunk, which run as a chain. */
struct group {
	size_t first;
	size_t last;
	bool out_of_service;
};

/* One edge's planning state. */
struct edge_work {
	struct plan *plan;
	size_t edge;                    /* index in plan->edges */
	const struct plan_edge_input *input;
	struct trunk_match match;       /* declared and live trunks paired */
	struct group *groups;           /* in execution order */
	size_t group_count;
	size_t creates;
	size_t deletes;
};

/* The name messages use for an edge: its name, else its id. */
static const char *edge_label(const struct plan_edge *edge)
{
	return edge->name ? edge->name : edge->id;
}

/*
 * Appends one action of a trunk's chain: it depends on the previous
 * action of the same group.
 */
static struct plan_action *add_step(struct edge_work *work,
				    struct group *group,
				    enum plan_action_kind kind,
				    const char *name,
				    const struct live_trunk *live)
{
	struct plan_action *action = plan_push_action(work->plan);

	if (!action)
		return NULL;
	action->edge = work->edge;
	action->kind = kind;
	action->trunk_name = strdup(name);
	if (live) {
		action->trunk_id = strdup(live->id);
		action->live_status = live->status;
		action->live_version = live->version;
	}
	if (!action->trunk_name || (live && !action->trunk_id)) {
		error_set(TRUNKCTL_ENOMEM, "out of memory");
		return NULL;
	}
	if (group->last != NO_ACTION &&
	    plan_action_add_dependency(action, group->last) < 0)
		return NULL;
	if (group->first == NO_ACTION)
		group->first = action->id;
	group->last = action->id;
	return action;
}

static int add_activate_verify(struct edge_work *work, struct group *group,
			       const char *name, const struct live_trunk *live,
			       bool conditional)
{
	struct plan_action *action;

	action = add_step(work, group, PLAN_ACTIVATE, name, live);
	if (!action)
		return TRUNKCTL_ENOMEM;
	action->conditional = conditional;
	if (!add_step(work, group, PLAN_VERIFY, name, live))
		return TRUNKCTL_ENOMEM;
	return 0;
}

static int add_oos_step(struct edge_work *work, struct group *group,
			enum plan_action_kind kind, const char *name,
			const struct live_trunk *live)
{
	struct plan_action *action = add_step(work, group, kind, name, live);

	if (!action)
		return TRUNKCTL_ENOMEM;
	action->out_of_service = true;
	group->out_of_service = true;
	return 0;
}

static int plan_create(struct edge_work *work, struct group *group,
		       const struct desired_trunk *desired)
{
	const char *name = desired->spec.name;
	struct plan_action *action;

	action = add_step(work, group, PLAN_CREATE, name, NULL);
	if (!action)
		return TRUNKCTL_ENOMEM;
	action->has_spec = true;
	trunk_spec_release(&action->spec);
	if (trunk_spec_copy(&action->spec, &desired->spec) < 0)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (desired->state == TRUNK_STATE_ACTIVE)
		return add_activate_verify(work, group, name, NULL, false);
	/* The service creates trunks PENDING, and a PENDING trunk that is
	 * meant to be inactive would be planned for a deactivate on the
	 * next run: deactivate it now. It carries no calls yet, so this
	 * takes nothing out of service. */
	return add_step(work, group, PLAN_DEACTIVATE, name, NULL)
		       ? 0
		       : TRUNKCTL_ENOMEM;
}

static int plan_delete(struct edge_work *work, struct group *group,
		       const struct live_trunk *live)
{
	const char *name = live->spec.name;
	struct plan_action *action;
	int rc;

	if (live->status == TRUNK_STATUS_ENABLED) {
		rc = add_oos_step(work, group, PLAN_DEACTIVATE, name, live);
		if (rc < 0)
			return rc;
		return add_oos_step(work, group, PLAN_DELETE, name, live);
	}
	action = add_step(work, group, PLAN_DELETE, name, live);
	return action ? 0 : TRUNKCTL_ENOMEM;
}

static int plan_update(struct edge_work *work, struct group *group,
		       const struct desired_trunk *desired,
		       const struct live_trunk *live, int change_count)
{
	const char *name = desired->spec.name;
	enum trunk_status status = live->status;
	struct plan_action *action;
	int rc;

	action = add_step(work, group, PLAN_UPDATE, name, live);
	if (!action)
		return TRUNKCTL_ENOMEM;
	if (status == TRUNK_STATUS_ENABLED) {
		action->out_of_service = true;
		group->out_of_service = true;
	}
	action->has_spec = true;
	trunk_spec_release(&action->spec);
	if (trunk_spec_copy(&action->spec, &desired->spec) < 0)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	action->changes = calloc((size_t)change_count,
				 sizeof(*action->changes));
	if (!action->changes)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = trunk_spec_diff(&live->spec, &desired->spec, action->changes,
			     (size_t)change_count);
	if (rc < 0)
		return rc;
	action->change_count = (size_t)rc;

	if (desired->state == TRUNK_STATE_ACTIVE)
		return add_activate_verify(work, group, name, live, true);
	if (status == TRUNK_STATUS_ENABLED || status == TRUNK_STATUS_PENDING)
		return add_oos_step(work, group, PLAN_DEACTIVATE, name, live);
	return 0;
}

/* The actions for a declared trunk that is live, by the planning table. */
static int plan_existing(struct edge_work *work, struct group *group,
			 const struct desired_trunk *desired,
			 const struct live_trunk *live)
{
	const char *name = desired->spec.name;
	enum trunk_status status = live->status;
	int changes;

	if (desired->state == TRUNK_STATE_ABSENT)
		return plan_delete(work, group, live);

	changes = trunk_spec_diff(&live->spec, &desired->spec, NULL, 0);
	if (changes < 0)
		return changes;
	if (changes > 0)
		return plan_update(work, group, desired, live, changes);

	if (desired->state == TRUNK_STATE_INACTIVE) {
		if (status == TRUNK_STATUS_ENABLED ||
		    status == TRUNK_STATUS_PENDING)
			return add_oos_step(work, group, PLAN_DEACTIVATE, name,
					    live);
		return 0;
	}
	if (status == TRUNK_STATUS_ENABLED)
		return 0;
	/*
	 * DISABLED, FAILED, a status this version does not know, and
	 * PENDING: the service reports PENDING both for a trunk on its way
	 * to ENABLED and for one created but never activated (an apply
	 * killed between the two, or a failed activate), which stays
	 * PENDING for good. Activating a trunk on its way is harmless, so
	 * both get activate and verify, and a crashed apply converges.
	 */
	return add_activate_verify(work, group, name, live, false);
}

/* Pairs the edge's trunks by name. Fails the edge (not the plan) when
 * two live names differ only in case, and then returns 1. */
static int match_names(struct edge_work *work)
{
	struct plan_edge *edge = &work->plan->edges[work->edge];
	const struct live_trunk *a, *b;
	char message[1024];
	int rc;

	rc = trunk_match_build(work->input, &work->match);
	if (rc < 0 || !work->match.clash[0])
		return rc;
	a = work->match.clash[0];
	b = work->match.clash[1];
	snprintf(message, sizeof(message),
		 "edge \"%s\" has two live trunks whose names match ignoring "
		 "case: \"%s\" (id %s) and \"%s\" (id %s); rename or delete "
		 "one", edge_label(edge), a->spec.name, a->id, b->spec.name,
		 b->id);
	edge->error = strdup(message);
	log_error("%s", message);
	return edge->error ? 1 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static struct group *new_group(struct edge_work *work)
{
	struct group *group = &work->groups[work->group_count++];

	group->first = group->last = NO_ACTION;
	group->out_of_service = false;
	return group;
}

/* Makes the first action of `group` wait for the last action of each
 * group in [from, to). */
static int wait_for_groups(struct edge_work *work, const struct group *group,
			   size_t from, size_t to)
{
	struct plan_action *first;
	size_t i;
	int rc;

	if (group->first == NO_ACTION)
		return 0;
	first = &work->plan->actions[group->first];
	for (i = from; i < to; i++) {
		if (work->groups[i].last == NO_ACTION)
			continue;
		rc = plan_action_add_dependency(first, work->groups[i].last);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Limits the trunks out of service at once: the (k+N)-th out-of-service
 * chain starts only after the k-th chain, reactivation and verify
 * included, has completed.
 */
static int chain_out_of_service(struct edge_work *work, int max_unavailable)
{
	size_t *oos = calloc(work->group_count + 1, sizeof(*oos));
	size_t count = 0, i, n;
	int rc = 0;

	if (!oos)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	n = max_unavailable > 0 ? (size_t)max_unavailable : 1;
	for (i = 0; i < work->group_count; i++)
		if (work->groups[i].out_of_service)
			oos[count++] = i;
	for (i = n; i < count && rc == 0; i++) {
		const struct group *later = &work->groups[oos[i]];
		const struct group *earlier = &work->groups[oos[i - n]];

		rc = plan_action_add_dependency(
			&work->plan->actions[later->first], earlier->last);
	}
	free(oos);
	return rc;
}

/* The live trunks of the edge that the plan deletes, in order: the ones a
 * manifest marks absent, then the undeclared ones of a pruned edge. */
struct delete_list {
	const struct live_trunk **items;
	size_t count;
};

static int collect_deletes(struct edge_work *work, bool prune,
			   struct delete_list *deletes)
{
	const struct plan_edge_input *input = work->input;
	const struct desired_edge *desired = input->desired;
	const struct live_trunk *live;
	size_t i;

	deletes->items = calloc(input->live_count + 1,
				sizeof(*deletes->items));
	if (!deletes->items)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	deletes->count = 0;
	for (i = 0; i < desired->trunk_count; i++) {
		if (desired->trunks[i].state != TRUNK_STATE_ABSENT)
			continue;
		live = work->match.live_of[i];
		if (live)
			deletes->items[deletes->count++] = live;
	}
	for (i = 0; i < input->live_count && prune; i++)
		if (!input->live[i].deleted && !work->match.matched[i])
			deletes->items[deletes->count++] = &input->live[i];
	return 0;
}

static int add_unmanaged(struct edge_work *work)
{
	const struct plan_edge_input *input = work->input;
	struct plan_edge *edge = &work->plan->edges[work->edge];
	struct plan_unmanaged *item;
	size_t i;

	edge->unmanaged = calloc(input->live_count + 1,
				 sizeof(*edge->unmanaged));
	if (!edge->unmanaged)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < input->live_count; i++) {
		if (input->live[i].deleted || work->match.matched[i])
			continue;
		item = &edge->unmanaged[edge->unmanaged_count++];
		item->id = strdup(input->live[i].id);
		item->name = strdup(input->live[i].spec.name);
		item->status = input->live[i].status;
		if (!item->id || !item->name)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	return 0;
}

static int check_edge_limit(struct edge_work *work, size_t live_count)
{
	const struct plan_edge *edge = &work->plan->edges[work->edge];
	size_t after = live_count + work->creates - work->deletes;

	if (after <= (size_t)edge->max_trunks)
		return 0;
	return error_set(TRUNKCTL_EINVALID,
			 "edge \"%s\" would have %zu trunks, more than its "
			 "maxTrunks of %d (%zu live, %zu to create, %zu to "
			 "delete); raise maxTrunks in its manifest or "
			 "declare fewer trunks",
			 edge_label(edge), after, edge->max_trunks,
			 live_count, work->creates, work->deletes);
}

static size_t count_creates(struct edge_work *work)
{
	const struct desired_edge *desired = work->input->desired;
	size_t i, creates = 0;

	for (i = 0; i < desired->trunk_count; i++)
		if (desired->trunks[i].state != TRUNK_STATE_ABSENT &&
		    !work->match.live_of[i])
			creates++;
	return creates;
}

/*
 * Emits the edge's chains: deletes needed to stay within maxTrunks, then
 * creates, then the declared live trunks in manifest order, then the
 * other deletes, which wait for every create (make before break).
 */
static int emit_edge(struct edge_work *work, const struct delete_list *dl,
		     size_t early)
{
	const struct desired_edge *desired = work->input->desired;
	const struct desired_trunk *trunk;
	const struct live_trunk *live;
	size_t i, creates_from, creates_to;
	struct group *group;
	int rc = 0;

	for (i = 0; i < early && rc == 0; i++)
		rc = plan_delete(work, new_group(work), dl->items[i]);
	creates_from = work->group_count;
	for (i = 0; i < desired->trunk_count && rc == 0; i++) {
		trunk = &desired->trunks[i];
		if (trunk->state == TRUNK_STATE_ABSENT || work->match.live_of[i])
			continue;
		group = new_group(work);
		rc = plan_create(work, group, trunk);
		if (rc == 0)
			rc = wait_for_groups(work, group, 0, early);
	}
	creates_to = work->group_count;
	for (i = 0; i < desired->trunk_count && rc == 0; i++) {
		trunk = &desired->trunks[i];
		live = work->match.live_of[i];
		if (trunk->state != TRUNK_STATE_ABSENT && live)
			rc = plan_existing(work, new_group(work), trunk, live);
	}
	for (i = early; i < dl->count && rc == 0; i++) {
		group = new_group(work);
		rc = plan_delete(work, group, dl->items[i]);
		if (rc == 0)
			rc = wait_for_groups(work, group, creates_from,
					     creates_to);
	}
	return rc;
}

static int init_plan_edge(struct plan *plan, const struct plan_edge_input *in,
			  bool fingerprint, size_t *live_count)
{
	const struct edge_ref *ref = &in->desired->edge;
	struct plan_edge *edge = plan_push_edge(plan);
	size_t i;

	if (!edge)
		return TRUNKCTL_ENOMEM;
	edge->id = strdup(in->edge_id);
	edge->name = in->edge_name ? strdup(in->edge_name) : NULL;
	if (!edge->id || (in->edge_name && !edge->name))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	edge->max_trunks = ref->max_trunks > 0 ? ref->max_trunks
					       : EDGE_DEFAULT_MAX_TRUNKS;
	edge->prune = ref->prune;
	*live_count = 0;
	for (i = 0; i < in->live_count; i++)
		if (!in->live[i].deleted)
			(*live_count)++;
	edge->live_count = *live_count;
	if (!fingerprint)
		return 0;
	if (in->fingerprint) {
		snprintf(edge->fingerprint, sizeof(edge->fingerprint), "%s",
			 in->fingerprint);
		return 0;
	}
	return plan_fingerprint(in->live, in->live_count, edge->fingerprint);
}

/* An empty manifest never prunes: it is more likely a mistake than a
 * request to delete every trunk of the edge. */
static int edge_prunes(struct edge_work *work, bool *prune)
{
	struct plan_edge *edge = &work->plan->edges[work->edge];
	char message[512];

	*prune = edge->prune && work->input->desired->trunk_count > 0;
	if (!edge->prune || *prune)
		return 0;
	snprintf(message, sizeof(message),
		 "edge \"%s\" sets prune but its manifest declares no "
		 "trunks, so nothing is deleted; declare its trunks, or mark "
		 "trunks absent to delete them", edge_label(edge));
	log_warn("trunkctl: warning: %s", message);
	return plan_edge_add_warning(edge, message);
}

static int plan_one_edge(struct plan *plan, const struct plan_edge_input *in,
			 const struct plan_options *options)
{
	struct edge_work work = { plan, plan->edge_count, in, { 0 }, NULL, 0,
				  0, 0 };
	struct delete_list deletes = { NULL, 0 };
	size_t live_count = 0, max_trunks, early = 0;
	bool prune = false;
	int rc;

	rc = init_plan_edge(plan, in, options->fingerprints, &live_count);
	if (rc < 0)
		return rc;
	work.groups = calloc(in->desired->trunk_count + in->live_count + 1,
			     sizeof(*work.groups));
	if (!work.groups) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	rc = match_names(&work);
	if (rc != 0)
		goto done;

	rc = edge_prunes(&work, &prune);
	if (rc < 0)
		goto done;
	work.creates = count_creates(&work);
	rc = collect_deletes(&work, prune, &deletes);
	if (rc < 0)
		goto done;
	work.deletes = deletes.count;
	rc = check_edge_limit(&work, live_count);
	if (rc < 0)
		goto done;
	max_trunks = (size_t)plan->edges[work.edge].max_trunks;
	if (live_count + work.creates > max_trunks)
		early = live_count + work.creates - max_trunks;

	rc = emit_edge(&work, &deletes, early);
	if (rc == 0)
		rc = chain_out_of_service(&work, options->max_unavailable);
	if (rc == 0 && !prune)
		rc = add_unmanaged(&work);

done:
	free(deletes.items);
	trunk_match_release(&work.match);
	free(work.groups);
	return rc < 0 ? rc : 0;
}

static bool edge_matches_target(const struct plan_edge_input *in,
				const char *target)
{
	return strcmp(in->edge_id, target) == 0 ||
	       (in->edge_name && strcasecmp(in->edge_name, target) == 0);
}

static int check_targets(const struct plan_edge_input *edges,
			 size_t edge_count, const struct plan_options *options)
{
	size_t t, i;

	for (t = 0; t < options->target_count; t++) {
		for (i = 0; i < edge_count; i++)
			if (edge_matches_target(&edges[i],
						options->targets[t]))
				break;
		if (i == edge_count)
			return error_set(TRUNKCTL_EINVALID,
					 "unknown --target '%s': no declared "
					 "edge has that id or name",
					 options->targets[t]);
	}
	return 0;
}

static bool edge_targeted(const struct plan_edge_input *in,
			  const struct plan_options *options)
{
	size_t t;

	if (options->target_count == 0)
		return true;
	for (t = 0; t < options->target_count; t++)
		if (edge_matches_target(in, options->targets[t]))
			return true;
	return false;
}

/* The names of the first deleted trunks, "a, b, c and 4 more", so the
 * user sees what the plan would delete although no plan is printed. */
static void list_deletes(const struct plan *plan, struct textbuf *names)
{
	size_t i, listed = 0, more = 0;

	for (i = 0; i < plan->action_count; i++) {
		const struct plan_action *a = &plan->actions[i];

		if (a->kind != PLAN_DELETE)
			continue;
		if (listed == 10) {
			more++;
			continue;
		}
		textbuf_printf(names, "%s'%s'", listed ? ", " : "",
			       a->trunk_name);
		listed++;
	}
	if (more)
		textbuf_printf(names, " and %zu more", more);
}

static int check_max_deletes(const struct plan *plan,
			     const struct plan_options *options)
{
	struct textbuf names = TEXTBUF_INIT;
	size_t i, deletes = 0;
	int rc;

	for (i = 0; i < plan->action_count; i++)
		if (plan->actions[i].kind == PLAN_DELETE)
			deletes++;
	if (options->max_deletes < 0 ||
	    deletes <= (size_t)options->max_deletes)
		return 0;
	list_deletes(plan, &names);
	rc = error_set(TRUNKCTL_EINVALID,
		       "the plan deletes %zu trunks, more than the limit of "
		       "%d: %s; check that the manifests are complete, then "
		       "run again with --max-deletes %zu to allow it",
		       deletes, options->max_deletes,
		       names.data ? names.data : "", deletes);
	textbuf_release(&names);
	return rc;
}

int plan_build(const struct plan_edge_input *edges, size_t edge_count,
	       const struct plan_options *options, struct plan **out)
{
	struct plan *plan = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = check_targets(edges, edge_count, options);
	if (rc < 0)
		return rc;
	plan = plan_alloc();
	if (!plan)
		return TRUNKCTL_ENOMEM;
	plan->created_ms = options->created_ms ? options->created_ms
					       : clock_now_ms();
	rc = plan_set_source(plan, &options->source);

	for (i = 0; i < edge_count && rc == 0; i++) {
		if (!edges[i].edge_id || !edges[i].desired) {
			rc = error_set(TRUNKCTL_EINVALID,
				       "edge %zu has no resolved id", i);
			break;
		}
		if (edge_targeted(&edges[i], options))
			rc = plan_one_edge(plan, &edges[i], options);
	}
	if (rc == 0)
		rc = check_max_deletes(plan, options);
	if (rc < 0) {
		plan_free(plan);
		return rc;
	}
	log_verbose(LOG_AREA_PLAN, "plan: %zu actions on %zu edges",
		    plan->action_count, plan->edge_count);
	*out = plan;
	return 0;
}

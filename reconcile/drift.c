/* Drift: the comparison of live trunks with their manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/drift.h"
#include "reconcile/internal.h"
#include "reconcile/trunk_match.h"

#define MAX_CHANGES 16

static char *copy_or_null(const char *text, int *error)
{
	char *copy;

	if (!text)
		return NULL;
	copy = strdup(text);
	if (!copy)
		*error = TRUNKCTL_ENOMEM;
	return copy;
}

static void trunk_release(struct drift_trunk *trunk)
{
	free(trunk->name);
	free(trunk->id);
	field_changes_release(trunk->changes, trunk->change_count);
	free(trunk->changes);
}

static void edge_release(struct drift_edge *edge)
{
	size_t i;

	for (i = 0; i < edge->trunk_count; i++)
		trunk_release(&edge->trunks[i]);
	for (i = 0; i < edge->unmanaged_count; i++) {
		free(edge->unmanaged[i].id);
		free(edge->unmanaged[i].name);
	}
	free(edge->trunks);
	free(edge->unmanaged);
	free(edge->id);
	free(edge->name);
	free(edge->error);
}

void drift_report_release(struct drift_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->edge_count; i++)
		edge_release(&report->edges[i]);
	free(report->edges);
	free((char *)report->source.path);
	free((char *)report->source.repo);
	free((char *)report->source.ref);
	free((char *)report->source.commit);
	memset(report, 0, sizeof(*report));
}

/* Records the edge error for two live names that match ignoring case. */
static int report_clash(const struct trunk_match *match,
			struct drift_edge *edge)
{
	const struct live_trunk *a = match->clash[0], *b = match->clash[1];
	char text[1024];

	snprintf(text, sizeof(text),
		 "live trunks '%s' (id %s) and '%s' (id %s) have names that "
		 "match ignoring case; rename or delete one of them",
		 a->spec.name, a->id, b->spec.name, b->id);
	edge->error = strdup(text);
	return edge->error ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static bool status_drifts(enum trunk_state state, enum trunk_status status)
{
	if (state == TRUNK_STATE_ACTIVE)
		return status != TRUNK_STATUS_ENABLED;
	if (state == TRUNK_STATE_INACTIVE)
		return status == TRUNK_STATUS_ENABLED ||
		       status == TRUNK_STATUS_PENDING;
	return false;
}

/* Fills `out` for one declared trunk; problems 0 means in sync. */
static int compare_declared(const struct desired_trunk *want,
			    const struct live_trunk *live,
			    struct drift_trunk *out)
{
	struct field_change changes[MAX_CHANGES];
	int n, error = 0;

	memset(out, 0, sizeof(*out));
	out->declared = true;
	out->state = want->state;
	out->status = live ? live->status : TRUNK_STATUS_UNKNOWN;
	if (!live) {
		if (want->state != TRUNK_STATE_ABSENT)
			out->problems = DRIFT_MISSING;
	} else if (want->state == TRUNK_STATE_ABSENT) {
		out->problems = DRIFT_EXTRA;
	} else {
		n = trunk_spec_diff(&live->spec, &want->spec, changes,
				    MAX_CHANGES);
		if (n < 0)
			return n;
		if (n > MAX_CHANGES)
			n = MAX_CHANGES;
		if (n > 0) {
			out->problems |= DRIFT_FIELDS;
			out->changes = malloc((size_t)n * sizeof(*changes));
			if (!out->changes) {
				field_changes_release(changes, (size_t)n);
				return error_set(TRUNKCTL_ENOMEM,
						 "out of memory");
			}
			memcpy(out->changes, changes,
			       (size_t)n * sizeof(*changes));
			out->change_count = (size_t)n;
		}
		if (status_drifts(want->state, live->status))
			out->problems |= DRIFT_STATUS;
	}
	if (out->problems == 0)
		return 0;
	out->name = copy_or_null(want->spec.name, &error);
	out->id = live ? copy_or_null(live->id, &error) : NULL;
	return error ? error_set(error, "out of memory") : 0;
}

static int push_trunk(struct drift_edge *edge, const struct drift_trunk *t)
{
	struct drift_trunk *grown;

	grown = realloc(edge->trunks, (edge->trunk_count + 1) * sizeof(*t));
	if (!grown)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	edge->trunks = grown;
	edge->trunks[edge->trunk_count++] = *t;
	return 0;
}

static int compare_desired(const struct plan_edge_input *in,
			   const struct trunk_match *match,
			   struct drift_edge *edge)
{
	const struct desired_edge *desired = in->desired;
	struct drift_trunk trunk;
	size_t i;
	int rc;

	for (i = 0; i < desired->trunk_count; i++) {
		const struct desired_trunk *want = &desired->trunks[i];

		rc = compare_declared(want, match->live_of[i], &trunk);
		if (rc == 0 && trunk.problems)
			rc = push_trunk(edge, &trunk);
		if (rc < 0) {
			trunk_release(&trunk);
			return rc;
		}
	}
	return 0;
}

/* Live trunks no manifest declares: drift on a prune edge, else listed. */
static int compare_undeclared(const struct plan_edge_input *in,
			      const struct trunk_match *match,
			      struct drift_edge *edge)
{
	const struct live_trunk *live;
	struct drift_trunk trunk;
	struct drift_unmanaged *u;
	size_t i;
	int error = 0;

	edge->unmanaged = calloc(in->live_count + 1, sizeof(*edge->unmanaged));
	if (!edge->unmanaged)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < in->live_count && !error; i++) {
		live = &in->live[i];
		if (live->deleted || match->matched[i])
			continue;
		if (!edge->prune) {
			u = &edge->unmanaged[edge->unmanaged_count++];
			u->id = copy_or_null(live->id, &error);
			u->name = copy_or_null(live->spec.name, &error);
			u->status = live->status;
			continue;
		}
		memset(&trunk, 0, sizeof(trunk));
		trunk.state = TRUNK_STATE_ABSENT;
		trunk.status = live->status;
		trunk.problems = DRIFT_EXTRA;
		trunk.name = copy_or_null(live->spec.name, &error);
		trunk.id = copy_or_null(live->id, &error);
		if (error || push_trunk(edge, &trunk) < 0) {
			trunk_release(&trunk);
			error = TRUNKCTL_ENOMEM;
		}
	}
	return error ? error_set(error, "out of memory") : 0;
}

static int compare_edge(const struct plan_edge_input *in,
			struct drift_edge *edge)
{
	struct trunk_match match;
	int error = 0, rc;
	size_t i;

	edge->id = copy_or_null(in->edge_id, &error);
	edge->name = copy_or_null(in->edge_name, &error);
	if (error)
		return error_set(error, "out of memory");
	edge->prune = in->desired && in->desired->edge.prune;
	for (i = 0; i < in->live_count; i++)
		edge->live_count += !in->live[i].deleted;

	if ((rc = trunk_match_build(in, &match)) < 0)
		return rc;
	if (match.clash[0]) {
		rc = report_clash(&match, edge);
		goto done;
	}
	if (in->desired && (rc = compare_desired(in, &match, edge)) < 0)
		goto done;
	/* An empty manifest never prunes, as in the plan. */
	if (in->desired && in->desired->trunk_count == 0)
		edge->prune = false;
	rc = compare_undeclared(in, &match, edge);
done:
	trunk_match_release(&match);
	return rc;
}

static int copy_source(struct plan_source *dst, const struct plan_source *src)
{
	int error = 0;

	memset(dst, 0, sizeof(*dst));
	if (!src)
		return 0;
	dst->path = copy_or_null(src->path, &error);
	dst->repo = copy_or_null(src->repo, &error);
	dst->ref = copy_or_null(src->ref, &error);
	dst->commit = copy_or_null(src->commit, &error);
	dst->dirty = src->dirty;
	return error ? error_set(error, "out of memory") : 0;
}

int drift_compute(const struct plan_edge_input *edges, size_t edge_count,
		  const struct plan_source *source, long long checked_ms,
		  struct drift_report *out)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->checked_ms = checked_ms ? checked_ms : clock_now_ms();
	out->edges = calloc(edge_count + 1, sizeof(*out->edges));
	if (!out->edges)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = copy_source(&out->source, source);
	for (i = 0; rc == 0 && i < edge_count; i++) {
		out->edge_count++;
		rc = compare_edge(&edges[i], &out->edges[i]);
	}
	if (rc < 0)
		drift_report_release(out);
	return rc;
}

void drift_count(const struct drift_report *report,
		 struct drift_counts *counts)
{
	const struct drift_edge *edge;
	size_t i, j;
	unsigned p;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < report->edge_count; i++) {
		edge = &report->edges[i];
		counts->failed_edges += edge->error != NULL;
		counts->unmanaged += edge->unmanaged_count;
		counts->drifted += edge->trunk_count;
		counts->drifted_edges += edge->trunk_count > 0;
		for (j = 0; j < edge->trunk_count; j++) {
			p = edge->trunks[j].problems;
			counts->missing += (p & DRIFT_MISSING) != 0;
			counts->fields += (p & DRIFT_FIELDS) != 0;
			counts->status += (p & DRIFT_STATUS) != 0;
			counts->extra += (p & DRIFT_EXTRA) != 0;
		}
	}
}

const char *drift_problem_name(enum drift_problem problem)
{
	switch (problem) {
	case DRIFT_MISSING:
		return "missing";
	case DRIFT_FIELDS:
		return "fields";
	case DRIFT_STATUS:
		return "status";
	case DRIFT_EXTRA:
		return "extra";
	}
	return "unknown";
}

#ifndef TRUNKCTL_TEST_PLAN_FIXTURE_H
#define TRUNKCTL_TEST_PLAN_FIXTURE_H

/*
 * Builds desired and live trunks in memory for the planner tests: up to
 * four edges, each with its desired trunks and the live trunks a caller
 * would have fetched. Every trunk starts with the same managed fields,
 * so a test changes only what it is about.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/trunk.h"
#include "reconcile/plan.h"

#define FIXTURE_EDGES 4
#define FIXTURE_TRUNKS 600

/* A fixed creation time, 2026-12-04T16:20:00.000Z, for golden files. */
#define FIXTURE_TIME_MS 1796401200000LL

struct fixture_edge {
	struct desired_edge desired;
	struct live_trunk *live;
	size_t live_count;
};

struct fixture {
	struct fixture_edge edges[FIXTURE_EDGES];
	size_t edge_count;
	struct plan_options options;
	struct plan *plan;
};

static inline char **string_list(size_t count, const char *const *items)
{
	char **list = calloc(count + 1, sizeof(*list));
	size_t i;

	assert_non_null(list);
	for (i = 0; i < count; i++)
		assert_non_null(list[i] = strdup(items[i]));
	return list;
}

static inline void spec_fill(struct trunk_spec *spec, const char *name)
{
	static const char *const endpoints[] = { "203.0.113.10:5060",
						 "203.0.113.11:5060" };
	static const char *const codecs[] = { "PCMU", "PCMA" };

	trunk_spec_init(spec);
	assert_non_null(spec->name = strdup(name));
	assert_non_null(spec->description = strdup("carrier trunk"));
	spec->sip_endpoints = string_list(2, endpoints);
	spec->sip_endpoint_count = 2;
	spec->codecs = string_list(2, codecs);
	spec->codec_count = 2;
	spec->max_concurrent_calls = 100;
}

static inline struct fixture *fixture_new(size_t edge_count)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char id[64], name[64];
	size_t i;

	assert_non_null(fx);
	fx->edge_count = edge_count;
	for (i = 0; i < edge_count; i++) {
		struct fixture_edge *e = &fx->edges[i];

		snprintf(id, sizeof(id), "edge-%zu", i + 1);
		snprintf(name, sizeof(name), "Dublin Edge %zu", i + 1);
		e->desired.edge.id = strdup(id);
		e->desired.edge.name = strdup(name);
		e->desired.edge.max_trunks = EDGE_DEFAULT_MAX_TRUNKS;
		e->desired.trunks = calloc(FIXTURE_TRUNKS,
					   sizeof(*e->desired.trunks));
		e->live = calloc(FIXTURE_TRUNKS, sizeof(*e->live));
		assert_non_null(e->desired.trunks);
		assert_non_null(e->live);
	}
	plan_options_init(&fx->options);
	fx->options.created_ms = FIXTURE_TIME_MS;
	fx->options.source.path = "manifests/example";
	return fx;
}

static inline void fixture_free(struct fixture *fx)
{
	size_t i, j;

	if (!fx)
		return;
	for (i = 0; i < fx->edge_count; i++) {
		desired_edge_release(&fx->edges[i].desired);
		for (j = 0; j < fx->edges[i].live_count; j++)
			live_trunk_release(&fx->edges[i].live[j]);
		free(fx->edges[i].live);
	}
	plan_free(fx->plan);
	free(fx);
}

static inline struct desired_trunk *
fixture_desire(struct fixture *fx, size_t edge, const char *name,
	       enum trunk_state state)
{
	struct desired_edge *d = &fx->edges[edge].desired;
	struct desired_trunk *t = &d->trunks[d->trunk_count++];

	spec_fill(&t->spec, name);
	t->state = state;
	return t;
}

static inline struct live_trunk *fixture_live(struct fixture *fx,
					      size_t edge, const char *name,
					      const char *id,
					      enum trunk_status status)
{
	struct fixture_edge *e = &fx->edges[edge];
	struct live_trunk *t = &e->live[e->live_count++];

	spec_fill(&t->spec, name);
	assert_non_null(t->id = strdup(id));
	t->version = 1;
	t->status = status;
	return t;
}

static inline void fixture_inputs(struct fixture *fx,
				  struct plan_edge_input *inputs)
{
	size_t i;

	for (i = 0; i < fx->edge_count; i++) {
		inputs[i].desired = &fx->edges[i].desired;
		inputs[i].edge_id = fx->edges[i].desired.edge.id;
		inputs[i].edge_name = fx->edges[i].desired.edge.name;
		inputs[i].live = fx->edges[i].live;
		inputs[i].live_count = fx->edges[i].live_count;
		inputs[i].fingerprint = NULL;
	}
}

/* Builds the plan into fx->plan; returns plan_build()'s result. */
static inline int fixture_build(struct fixture *fx)
{
	struct plan_edge_input inputs[FIXTURE_EDGES];

	fixture_inputs(fx, inputs);
	plan_free(fx->plan);
	fx->plan = NULL;
	return plan_build(inputs, fx->edge_count, &fx->options, &fx->plan);
}

/* The kinds of the plan's actions as a string such as "cav" (create,
 * activate, verify): c u a d v x for create ... delete. */
static inline const char *fixture_kinds(const struct plan *plan)
{
	static char kinds[FIXTURE_TRUNKS * 4];
	static const char letters[] = "cuadvx";
	size_t i, n = plan_action_count(plan);

	for (i = 0; i < n && i + 1 < sizeof(kinds); i++)
		kinds[i] = letters[plan_action_at(plan, i)->kind];
	kinds[i] = '\0';
	return kinds;
}

static inline bool depends_on(const struct plan *plan, size_t action,
			      size_t dependency)
{
	const struct plan_action *a = plan_action_at(plan, action);
	size_t i;

	for (i = 0; i < a->depend_count; i++)
		if (a->depends_on[i] == dependency)
			return true;
	return false;
}

#endif

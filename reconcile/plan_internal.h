#ifndef TRUNKCTL_RECONCILE_PLAN_INTERNAL_H
#define TRUNKCTL_RECONCILE_PLAN_INTERNAL_H

/* The plan's layout, shared by the builder, the renderers and the file
 * reader of reconcile/. */

#include "reconcile/plan.h"

struct plan {
	struct plan_action *actions;
	size_t action_count;
	size_t action_cap;
	struct plan_edge *edges;
	size_t edge_count;
	size_t edge_cap;
	struct plan_source source;  /* strings owned by the plan */
	long long created_ms;
};

struct plan *plan_alloc(void);

/* Appends a zeroed action (id set) or edge; returns NULL when out of
 * memory. Pointers stay valid only until the next append. */
struct plan_action *plan_push_action(struct plan *plan);
struct plan_edge *plan_push_edge(struct plan *plan);

int plan_action_add_dependency(struct plan_action *action, size_t id);
int plan_edge_add_warning(struct plan_edge *edge, const char *text);
int plan_set_source(struct plan *plan, const struct plan_source *source);

/* Builds the JSON document that plan_render_json() prints and
 * plan_save() writes, planSha256 included. */
cJSON *plan_to_json(const struct plan *plan);

/* SHA-256 of the unformatted document, which must not hold planSha256
 * at that moment. */
int plan_body_digest(const cJSON *json, char hex[65]);

/* plan_render_markdown() with a byte limit of the caller's choice. */
int plan_render_markdown_limited(const struct plan *plan, size_t limit,
				 char **out);

#endif

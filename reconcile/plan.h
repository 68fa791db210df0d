#ifndef TRUNKCTL_RECONCILE_PLAN_H
#define TRUNKCTL_RECONCILE_PLAN_H

/*
 * The plan: the actions that bring the live trunks of some edges to the
 * state their manifests describe, with the dependencies between them.
 *
 * plan_build() is pure: it reads the desired model and the live trunks
 * the caller fetched and makes no request. A plan is immutable once built
 * or loaded, so several threads may read it at once. Actions are
 * numbered from 0 in an order that is also a valid execution order:
 * every dependency has a lower id than its dependant.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "model/trunk.h"

#define PLAN_FORMAT_VERSION 1
#define PLAN_DEFAULT_MAX_DELETES 5
#define PLAN_DEFAULT_MAX_UNAVAILABLE 1

/* Markdown renderings stay below this many bytes (GitHub's comment
 * limit is 65,536 characters). */
#define PLAN_MARKDOWN_MAX 65000

enum plan_action_kind {
	PLAN_CREATE = 0,
	PLAN_UPDATE,
	PLAN_ACTIVATE,
	PLAN_DEACTIVATE,
	PLAN_VERIFY,
	PLAN_DELETE,
};

#define PLAN_ACTION_KIND_COUNT 6

/* The origin of the manifests: a path, or a git revision. */
struct plan_source {
	const char *path;    /* set for manifests read from files */
	const char *repo;    /* the rest for manifests read from git */
	const char *ref;
	const char *commit;
	bool dirty;
};

struct plan_action {
	size_t id;                  /* index in the plan */
	size_t edge;                /* index of its plan_edge */
	enum plan_action_kind kind;
	char *trunk_name;
	char *trunk_id;             /* NULL until a create has run */
	size_t *depends_on;         /* ids of actions that must succeed first */
	size_t depend_count;
	struct field_change *changes;   /* an update's differing fields */
	size_t change_count;
	bool has_spec;              /* create and update carry the spec */
	struct trunk_spec spec;
	long live_version;          /* update: the version the PUT sends */
	enum trunk_status live_status;  /* at planning time; UNKNOWN if none */
	/* Update of an ENABLED trunk, deactivate, or delete of an ENABLED
	 * trunk: the trunk carries no calls until its chain completes. */
	bool out_of_service;
	/* An activate after an update: the executor skips it when the
	 * trunk is ENABLED once the update has run, or PENDING after it
	 * was ENABLED (the service re-enables an updated trunk itself). */
	bool conditional;
};

/* A live trunk that no manifest declares, on an edge without prune. */
struct plan_unmanaged {
	char *id;
	char *name;
	enum trunk_status status;
};

struct plan_edge {
	char *id;
	char *name;                 /* may be NULL */
	int max_trunks;
	bool prune;
	size_t live_count;          /* live trunks, deleted ones excluded */
	char fingerprint[65];       /* see plan_fingerprint() */
	struct plan_unmanaged *unmanaged;
	size_t unmanaged_count;
	char **warnings;
	size_t warning_count;
	/* Set when the edge cannot be planned (two live trunks whose names
	 * differ only in case); the edge then has no actions. */
	char *error;
};

/* The live state of one edge, as the caller fetched it. */
struct plan_edge_input {
	const struct desired_edge *desired; /* prune, maxTrunks, trunks */
	const char *edge_id;                /* resolved id, required */
	const char *edge_name;              /* resolved name, may be NULL */
	const struct live_trunk *live;      /* deleted entries are skipped */
	size_t live_count;
	const char *fingerprint;            /* plan_fingerprint() of live,
					     * or NULL to compute it */
};

struct plan_options {
	int max_deletes;          /* the plan fails past this many deletes;
				   * negative for no limit */
	int max_unavailable;      /* out-of-service trunks at once per edge */
	const char *const *targets;   /* edge ids or names; none for all */
	size_t target_count;
	struct plan_source source;    /* copied into the plan */
	long long created_ms;     /* creation time; 0 for the current time */
	bool fingerprints;        /* set plan_edge.fingerprint, which the
				   * JSON form needs (the default) */
};

struct plan_counts {
	size_t by_kind[PLAN_ACTION_KIND_COUNT];
	size_t total;
};

struct plan;

void plan_options_init(struct plan_options *options);

/*
 * Builds the plan for `edges`. On success `*out` is a new plan the caller
 * frees with plan_free(). Fails with TRUNKCTL_EINVALID and a message when
 * a target names no edge, an edge would exceed its maxTrunks, or the plan
 * deletes more than max_deletes trunks. Duplicate live names only fail
 * their edge (plan_edge.error); plan_failed_edges() counts such edges.
 */
int plan_build(const struct plan_edge_input *edges, size_t edge_count,
	       const struct plan_options *options, struct plan **out);

void plan_free(struct plan *plan);

size_t plan_action_count(const struct plan *plan);
const struct plan_action *plan_action_at(const struct plan *plan, size_t i);
size_t plan_edge_count(const struct plan *plan);
const struct plan_edge *plan_edge_at(const struct plan *plan, size_t i);
size_t plan_failed_edges(const struct plan *plan);
void plan_count(const struct plan *plan, struct plan_counts *counts);
long long plan_created_ms(const struct plan *plan);
const struct plan_source *plan_source(const struct plan *plan);

const char *plan_action_kind_name(enum plan_action_kind kind);
int plan_action_kind_parse(const char *name, enum plan_action_kind *out);

/* Renders a plan_source as {"path"} or {"repo","ref","commit","dirty"}. */
cJSON *plan_source_to_json(const struct plan_source *source);

/*
 * SHA-256, in hex, over the id, name, version and managed fields of each
 * non-deleted live trunk, sorted by id. Status is left out, so a trunk
 * coming up does not change it; any update (a new version) does.
 */
int plan_fingerprint(const struct live_trunk *live, size_t count,
		     char hex[65]);

/*
 * Compares each edge of the plan with freshly fetched live state. Fails
 * with TRUNKCTL_ECONFLICT naming the first edge whose fingerprint
 * differs (the plan is stale, or was applied already), or
 * TRUNKCTL_ENOTFOUND for an edge missing from `edges`.
 */
int plan_check_fingerprints(const struct plan *plan,
			    const struct plan_edge_input *edges,
			    size_t edge_count);

struct plan_render_options {
	bool color;               /* ANSI colours in the text rendering */
};

/* Each renderer stores a new NUL-terminated text in `*out` (free()). */
int plan_render_text(const struct plan *plan,
		     const struct plan_render_options *options, char **out);
int plan_render_json(const struct plan *plan, char **out);
int plan_render_markdown(const struct plan *plan, char **out);

/*
 * Writes the JSON rendering to `path` with mode 0600 through a temporary
 * file and a rename. A plan with a failed edge is rejected.
 */
int plan_save(const struct plan *plan, const char *path);

/*
 * Reads a file written by plan_save(). A file that is not JSON or is
 * truncated, has another formatVersion, or whose planSha256 does not
 * match its body is rejected with TRUNKCTL_EINVALID and a message.
 */
int plan_load(const char *path, struct plan **out);

#endif

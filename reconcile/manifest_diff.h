#ifndef TRUNKCTL_RECONCILE_MANIFEST_DIFF_H
#define TRUNKCTL_RECONCILE_MANIFEST_DIFF_H

/*
 * What the manifests change between two revisions: edges and trunks
 * added, changed (with each changed field) and removed in the files.
 * A pull request shows it above the plan, so a reviewer reads the intent
 * (the manifests) next to the effect (the actions on the live trunks).
 *
 * Edges match by id, else by name ignoring case; trunks match by name
 * ignoring case. Specs are compared normalised, with trunk_spec_diff(),
 * so a value spelt differently but equal (case, defaults) is no change.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/trunk.h"
#include "reconcile/plan.h"

enum manifest_change_kind {
	MANIFEST_ADDED = 0,
	MANIFEST_CHANGED,
	MANIFEST_REMOVED,
};

struct manifest_trunk_change {
	enum manifest_change_kind kind;
	char *name;               /* head's name; base's when removed */
	enum trunk_state state;   /* head's state; base's when removed */
	char *where;              /* "FILE:LINE" in head, or in base */
	/* Changed fields, base -> head; "state" is one of them. */
	struct field_change *changes;
	size_t change_count;
};

struct manifest_edge_change {
	enum manifest_change_kind kind;
	char *id;                 /* as declared; either may be NULL */
	char *name;
	bool prune;               /* head's, or base's when removed */
	char *where;
	/* maxTrunks, prune, id and name, base -> head. */
	struct field_change *changes;
	size_t change_count;
	struct manifest_trunk_change *trunks;
	size_t trunk_count;
};

/* The two revisions compared: head, and the merge base of base and head. */
struct manifest_diff_revisions {
	char *base_ref;           /* as given, such as "origin/main" */
	char *base_commit;        /* the tip of base_ref */
	char *merge_base;         /* the commit the diff starts from */
	char *head_ref;
	char *head_commit;
	char *path;               /* the folder read, or NULL */
};

struct manifest_diff {
	struct manifest_diff_revisions revisions;
	/* Set when the base's manifests cannot be compared (they do not
	 * load); the diff is then empty. */
	char *unavailable;
	struct manifest_edge_change *edges;   /* changed edges only */
	size_t edge_count;
};

struct manifest_diff_counts {
	size_t edges[3];          /* by enum manifest_change_kind */
	size_t trunks[3];
};

/*
 * Compares `base` with `head` into `out` (its revisions are left empty;
 * the caller fills them). Release with manifest_diff_release(). Returns
 * 0 or TRUNKCTL_ENOMEM.
 */
int manifest_diff_compute(const struct desired_model *base,
			  const struct desired_model *head,
			  struct manifest_diff *out);

void manifest_diff_release(struct manifest_diff *diff);

void manifest_diff_count(const struct manifest_diff *diff,
			 struct manifest_diff_counts *counts);

/* "added", "changed" or "removed". */
const char *manifest_change_kind_name(enum manifest_change_kind kind);

/*
 * Loads the manifests of `head_ref` and of the merge base of
 * `base_ref` and `head_ref` in `repo` (a folder or a file:// URL) under
 * `path` (NULL: the whole tree), and compares them into `out`. A base
 * without that folder or without any manifest counts as empty, so every
 * edge is added. A base whose manifests do not load leaves the diff
 * empty with `unavailable` set. Fails for an unknown revision (saying
 * to fetch more history in a shallow clone), revisions without a common
 * ancestor, and manifests of head that do not load.
 */
int manifest_diff_git(const char *repo, const char *base_ref,
		      const char *head_ref, const char *path,
		      struct manifest_diff *out);

/* Each renderer stores a new NUL-terminated text in `*out` (free()). */
int manifest_diff_render_text(const struct manifest_diff *diff, char **out);

/*
 * The Markdown section, at most `limit` bytes: past it, whole lines are
 * left out and a note gives their number.
 */
int manifest_diff_render_markdown(const struct manifest_diff *diff,
				  size_t limit, char **out);

/*
 * Renders the Markdown section followed by the plan's Markdown
 * rendering. Both are cut so that the whole stays below
 * PLAN_MARKDOWN_MAX bytes, and the section takes at most half of it.
 */
int manifest_diff_render_plan_markdown(const struct manifest_diff *diff,
				       const struct plan *plan, char **out);

/*
 * Adds {"manifestChanges": ...} to the plan document `plan_json` (as
 * plan_render_json() prints it) before its planSha256, recomputes that
 * digest over the new body, and prints the result into `*out`.
 */
int manifest_diff_add_to_plan_json(const struct manifest_diff *diff,
				   const char *plan_json, char **out);

#endif

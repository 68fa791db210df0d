#ifndef TRUNKCTL_CMD_PLANNING_H
#define TRUNKCTL_CMD_PLANNING_H

/*
 * The read-only half of plan and apply: load the manifests, fetch the
 * live state of the selected edges, and build the plan.
 */

#include "cmd/common.h"
#include "http/profile.h"
#include "reconcile/fetch.h"

/* Options of plan and apply that shape the plan. */
struct planning_options {
	struct manifest_source source;
	const char **targets;
	size_t target_count;
	long max_deletes;
	long max_unavailable;
	bool fingerprints;           /* the plan is printed as JSON or saved */
};

/* Everything a planned run holds; release with planning_release(). */
struct planning {
	struct loaded_manifests manifests;
	struct http_client *client;
	const struct api_profile *profile;
	struct live_state live;
	struct plan *plan;
};

void planning_options_init(struct planning_options *options, int argc);
void planning_options_release(struct planning_options *options);

/*
 * Handles an option shared by plan and apply (`id` from
 * PLANNING_OPTIONS) or a positional path. Returns 0, or -1 after
 * printing an error.
 */
int planning_option(struct planning_options *options, const char *command,
		    int id, const char *value);

/* Checks that a source was given; prints an error. */
int planning_options_check(const struct planning_options *options,
			   const char *command);

enum {
	OPT_GIT_REPO = 1000,
	OPT_REF,
	OPT_PATH,
	OPT_TARGET,
	OPT_MAX_DELETES,
	OPT_MAX_UNAVAILABLE,
};

#define PLANNING_OPTIONS                                          \
	{ "--git-repo", true, OPT_GIT_REPO },                     \
	{ "--ref", true, OPT_REF },                               \
	{ "--path", true, OPT_PATH },                             \
	{ "--target", true, OPT_TARGET },                         \
	{ "--max-deletes", true, OPT_MAX_DELETES },               \
	{ "--max-unavailable", true, OPT_MAX_UNAVAILABLE }

#define PLANNING_HELP                                                        \
	"Manifests:\n"                                                      \
	"  PATH...                  manifest files or folders\n"           \
	"  --git-repo REPO          read the manifests from a git "         \
	"repository\n"                                                      \
	"                           (a folder or a file:// URL) instead\n"  \
	"  --ref REV                the revision to read (default HEAD)\n" \
	"  --path SUBDIR            the folder of the tree to read\n"      \
	"\n"                                                                \
	"Planning:\n"                                                       \
	"  --target EDGE            plan only this edge (id or name; "     \
	"repeatable)\n"                                                     \
	"  --max-deletes N          fail when the plan deletes more than N "\
	"trunks\n"                                                          \
	"                           (default 5)\n"                          \
	"  --max-unavailable N      trunks taken out of service at once "   \
	"per edge\n"                                                        \
	"                           (default 1)\n"

/*
 * Loads, fetches and plans. Returns 0 or a negative code after printing
 * the error. `run` is filled as far as it got; release it either way.
 */
int planning_run(const struct global_options *global,
		 const struct planning_options *options,
		 struct planning *run);

void planning_release(struct planning *run);

/*
 * Ends `run` as the command's last step: frees the client, which closes
 * its connections, and leaves the rest to cmd_leave_at_exit().
 */
void planning_finish(struct planning *run);

#endif

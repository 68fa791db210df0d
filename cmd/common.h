#ifndef TRUNKCTL_CMD_COMMON_H
#define TRUNKCTL_CMD_COMMON_H

/*
 * What plan, apply and drift share: option scanning, loading manifests
 * from paths or a git revision, and opening the API client.
 */

#include <stdbool.h>
#include <stddef.h>

#include "cmd/commands.h"
#include "http/client.h"
#include "model/git_source.h"
#include "model/manifest.h"
#include "reconcile/plan.h"

/* One option of a command's table; `id` is returned when it matches. */
struct cmd_option {
	const char *name;      /* "--out" */
	bool has_value;
	int id;                /* > 0 */
};

enum {
	CMD_ARG_END = 0,       /* no more arguments */
	CMD_ARG_POSITIONAL = -1,
	CMD_ARG_ERROR = -2,    /* an error was printed */
};

/*
 * Scans argv from *index: returns the id of the option found (its value
 * in *value), CMD_ARG_POSITIONAL with the argument in *value, CMD_ARG_END
 * or CMD_ARG_ERROR. Accepts "--name value" and "--name=value"; after
 * "--" everything is positional.
 */
int cmd_next_arg(const char *command, int argc, char **argv, int *index,
		 const struct cmd_option *table, bool *rest_positional,
		 const char **value);

/* Checks a --format value: text, json or markdown. Prints an error. */
int cmd_check_format(const char *command, const char *format);

/*
 * Parses a whole number in [min, max] for `option`; prints an error,
 * prefixed with `command` unless it is NULL (a global option).
 */
int cmd_parse_int(const char *command, const char *option,
		  const char *text, long min, long max, long *out);

/* The source of the manifests: paths, or a git revision. */
struct manifest_source {
	const char **paths;
	size_t path_count;
	const char *git_repo;
	const char *ref;
	const char *git_path;
	manifest_edge_fn *on_edge;   /* optional, see manifest_loader_on_edge */
	void *on_edge_context;
	/*
	 * Skips the commit and dirty flag of a work tree around `paths`,
	 * for an output that shows neither.
	 */
	bool without_provenance;
};

struct loaded_manifests {
	struct desired_model model;
	struct git_source_info git;  /* set for git and work-tree sources */
	struct plan_source source;   /* points into `git` and `path_text` */
	char *path_text;             /* the paths joined with ", " */
};

/*
 * Loads and validates the manifests of `source`, printing every
 * diagnostic on stderr. Fills the provenance: the git revision, or for
 * paths inside a work tree its HEAD commit and dirty flag, unless
 * `without_provenance` is set. Returns 0 or
 * a negative code after printing an error.
 */
int manifests_load(const struct manifest_source *source,
		   struct loaded_manifests *out);
void loaded_manifests_release(struct loaded_manifests *loaded);

/* Opens the API client from the global options and the environment. */
int client_open(const struct global_options *global,
		struct http_client **out);

/* As client_open(), but leaves the error unprinted in error_message(). */
int client_open_quiet(const struct global_options *global,
		      struct http_client **out);

/* --parallelism, or the default of 10. Prints an error when invalid. */
int parallelism_get(const struct global_options *global, int *out);

/* Prints "trunkctl: error: MESSAGE" for the thread's last error. */
void print_error(void);

/* Whether to colour stdout: a terminal, and NO_COLOR unset or empty. */
bool use_color(void);

/*
 * Hands the structure of `size` bytes at `data` to the operating system,
 * which takes back the memory it owns when the process exits next. Call
 * it only from a command's last step, never from a loop such as the
 * drift service, whose memory would then grow with each round.
 * Freeing the desired model and the live state one allocation at a time
 * costs a plan of 50,000 trunks about a tenth of its user time, which
 * is why a command's last step leaves them. A copy of the structure
 * stays in a static list, so leak checkers find its memory reachable.
 * Returns false when the caller must release it itself: in builds with
 * TRUNKCTL_FREE_AT_EXIT (the sanitizer build, so that LeakSanitizer
 * checks every release function), and when no copy could be made.
 */
bool cmd_leave_at_exit(const void *data, size_t size);

#endif

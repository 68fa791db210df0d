#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/planning.h"
#include "model/error.h"

void planning_options_init(struct planning_options *options, int argc)
{
	memset(options, 0, sizeof(*options));
	options->source.paths = calloc((size_t)argc + 1, sizeof(char *));
	options->targets = calloc((size_t)argc + 1, sizeof(char *));
	options->max_deletes = PLAN_DEFAULT_MAX_DELETES;
	options->max_unavailable = PLAN_DEFAULT_MAX_UNAVAILABLE;
}

void planning_options_release(struct planning_options *options)
{
	free(options->source.paths);
	free(options->targets);
}

int planning_option(struct planning_options *options, const char *command,
		    int id, const char *value)
{
	switch (id) {
	case CMD_ARG_POSITIONAL:
		options->source.paths[options->source.path_count++] = value;
		return 0;
	case OPT_GIT_REPO:
		options->source.git_repo = value;
		return 0;
	case OPT_REF:
		options->source.ref = value;
		return 0;
	case OPT_PATH:
		options->source.git_path = value;
		return 0;
	case OPT_TARGET:
		options->targets[options->target_count++] = value;
		return 0;
	case OPT_MAX_DELETES:
		return cmd_parse_int(command, "--max-deletes", value, 0,
				     1000000, &options->max_deletes);
	case OPT_MAX_UNAVAILABLE:
		return cmd_parse_int(command, "--max-unavailable", value, 1,
				     1000000, &options->max_unavailable);
	}
	fprintf(stderr, "trunkctl: error: %s: unexpected option\n", command);
	return -1;
}

int planning_options_check(const struct planning_options *options,
			   const char *command)
{
	const struct manifest_source *s = &options->source;

	if (s->git_repo && s->path_count > 0) {
		fprintf(stderr, "trunkctl: error: %s: give PATH arguments or "
			"--git-repo, not both\n", command);
		return -1;
	}
	if (!s->git_repo && (s->ref || s->git_path)) {
		fprintf(stderr, "trunkctl: error: %s: --ref and --path need "
			"--git-repo\n", command);
		return -1;
	}
	if (!s->git_repo && s->path_count == 0) {
		fprintf(stderr, "trunkctl: error: %s: no manifests given: "
			"name a PATH or --git-repo; see 'trunkctl %s "
			"--help'\n", command, command);
		return -1;
	}
	return 0;
}

/*
 * Opens the client and the prefetch before the manifests load, so that
 * listings start while later files are still read. Nothing is printed:
 * when the --parallelism value or the client's configuration is
 * invalid, there is no prefetch, and planning_run() reports the error
 * after the load, as it does without one.
 */
static void start_prefetch(const struct global_options *global,
			   const struct fetch_options *fetch,
			   struct planning *run,
			   struct live_prefetch **prefetch)
{
	struct fetch_options options = *fetch;
	char *end;
	long value = 10;

	*prefetch = NULL;
	if (global->parallelism) {
		errno = 0;
		value = strtol(global->parallelism, &end, 10);
		if (errno || end == global->parallelism || *end ||
		    value < 1 || value > 256)
			return;
	}
	options.parallelism = (int)value;
	if (client_open_quiet(global, &run->client) < 0)
		return;
	if (live_prefetch_new(run->client, run->profile, &options,
			      prefetch) < 0) {
		http_client_free(run->client);
		run->client = NULL;
	}
}

int planning_run(const struct global_options *global,
		 const struct planning_options *options,
		 struct planning *run)
{
	struct manifest_source source = options->source;
	struct fetch_options fetch = {
		.targets = options->targets,
		.target_count = options->target_count,
		.fingerprints = options->fingerprints,
	};
	struct live_prefetch *prefetch = NULL;
	struct plan_options plan_options;
	int rc;

	memset(run, 0, sizeof(*run));
	run->profile = &api_profile_trunks;
	start_prefetch(global, &fetch, run, &prefetch);
	if (prefetch) {
		source.on_edge = live_prefetch_edge;
		source.on_edge_context = prefetch;
	}
	if ((rc = manifests_load(&source, &run->manifests)) < 0)
		goto done;
	if (!prefetch &&
	    ((rc = parallelism_get(global, &fetch.parallelism)) < 0 ||
	     (rc = client_open(global, &run->client)) < 0))
		goto done;
	if (!prefetch && (rc = live_prefetch_new(run->client, run->profile,
						 &fetch, &prefetch)) < 0) {
		print_error();
		goto done;
	}

	rc = live_prefetch_finish(prefetch, &run->manifests.model,
				  &run->live);
	if (rc < 0) {
		print_error();
		goto done;
	}

	plan_options_init(&plan_options);
	plan_options.max_deletes = (int)options->max_deletes;
	plan_options.max_unavailable = (int)options->max_unavailable;
	plan_options.targets = options->targets;
	plan_options.target_count = options->target_count;
	plan_options.source = run->manifests.source;
	plan_options.fingerprints = options->fingerprints;
	rc = plan_build(run->live.edges, run->live.edge_count, &plan_options,
			&run->plan);
	if (rc < 0)
		print_error();

done:
	live_prefetch_free(prefetch);
	return rc;
}

void planning_finish(struct planning *run)
{
	http_client_free(run->client);
	run->client = NULL;
	if (!cmd_leave_at_exit(run, sizeof(*run)))
		planning_release(run);
	memset(run, 0, sizeof(*run));
}

void planning_release(struct planning *run)
{
	plan_free(run->plan);
	live_state_release(&run->live);
	http_client_free(run->client);
	loaded_manifests_release(&run->manifests);
	memset(run, 0, sizeof(*run));
}

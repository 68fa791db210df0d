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

int planning_run(const struct global_options *global,
		 const struct planning_options *options,
		 struct planning *run)
{
	struct fetch_options fetch = { 0 };
	struct plan_options plan_options;
	int rc;

	memset(run, 0, sizeof(*run));
	run->profile = &api_profile_trunks;
	if ((rc = manifests_load(&options->source, &run->manifests)) < 0)
		return rc;
	if ((rc = parallelism_get(global, &fetch.parallelism)) < 0 ||
	    (rc = client_open(global, &run->client)) < 0)
		return rc;

	fetch.targets = options->targets;
	fetch.target_count = options->target_count;
	rc = live_state_fetch(run->client, run->profile,
			      &run->manifests.model, &fetch, &run->live);
	if (rc < 0) {
		print_error();
		return rc;
	}

	plan_options_init(&plan_options);
	plan_options.max_deletes = (int)options->max_deletes;
	plan_options.max_unavailable = (int)options->max_unavailable;
	plan_options.targets = options->targets;
	plan_options.target_count = options->target_count;
	plan_options.source = run->manifests.source;
	rc = plan_build(run->live.edges, run->live.edge_count, &plan_options,
			&run->plan);
	if (rc < 0)
		print_error();
	return rc;
}

void planning_release(struct planning *run)
{
	plan_free(run->plan);
	live_state_release(&run->live);
	http_client_free(run->client);
	loaded_manifests_release(&run->manifests);
	memset(run, 0, sizeof(*run));
}

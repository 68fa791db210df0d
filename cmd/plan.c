/*
 * trunkctl plan: shows what apply would change, reading only: one token
 * request and GETs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/planning.h"
#include "model/error.h"
#include "model/log.h"
#include "reconcile/manifest_diff.h"

enum {
	OPT_HELP = 1,
	OPT_FORMAT,
	OPT_OUT,
	OPT_DETAILED_EXITCODE,
	OPT_NO_COLOR,
	OPT_BASE_REF,
};

static const struct cmd_option plan_options[] = {
	{ "--help", false, OPT_HELP },
	{ "-h", false, OPT_HELP },
	{ "--format", true, OPT_FORMAT },
	{ "--out", true, OPT_OUT },
	{ "--detailed-exitcode", false, OPT_DETAILED_EXITCODE },
	{ "--no-color", false, OPT_NO_COLOR },
	{ "--base-ref", true, OPT_BASE_REF },
	PLANNING_OPTIONS,
	{ NULL, false, 0 },
};

static void print_plan_usage(FILE *out)
{
	fputs("usage: trunkctl plan [OPTIONS] PATH...\n"
	      "       trunkctl plan [OPTIONS] --git-repo REPO [--ref REV] "
	      "[--path SUBDIR]\n"
	      "\n"
	      "Compares the manifests with the live trunks of their edges and\n"
	      "prints the actions apply would run. Sends one token request "
	      "and\n"
	      "GET requests only; changes nothing.\n"
	      "\n"
	      PLANNING_HELP
	      "\n"
	      "Output:\n"
	      "  --format FORMAT          text (default), json, or markdown "
	      "(for a\n"
	      "                           pull-request comment)\n"
	      "  --out FILE               also save the plan for 'apply --plan'"
	      " (mode 0600)\n"
	      "  --detailed-exitcode      exit 2 when the plan has changes\n"
	      "  --base-ref REV           with --git-repo: first show what the"
	      " manifests\n"
	      "                           change from the merge base of REV "
	      "and --ref\n"
	      "                           (edges and trunks added, changed, "
	      "removed)\n"
	      "  --no-color               no colours even on a terminal "
	      "(NO_COLOR works too)\n"
	      "  -h, --help               print this help\n"
	      "\n"
	      "Exit status: 0 success, 1 error; with --detailed-exitcode 0 no\n"
	      "changes, 2 changes present, 1 error.\n",
	      out);
}

struct plan_command {
	struct planning_options planning;
	const char *format;
	const char *out;
	bool detailed_exitcode;
	bool no_color;
	const char *base_ref;
};

/* Returns 0, 1 after --help, or -1 after a usage error. */
static int parse(int argc, char **argv, struct plan_command *cmd)
{
	bool rest = false;
	const char *value;
	int i = 1, id;

	while ((id = cmd_next_arg("plan", argc, argv, &i, plan_options, &rest,
				  &value)) != CMD_ARG_END) {
		switch (id) {
		case CMD_ARG_ERROR:
			return -1;
		case OPT_HELP:
			print_plan_usage(stdout);
			return 1;
		case OPT_FORMAT:
			cmd->format = value;
			break;
		case OPT_OUT:
			cmd->out = value;
			break;
		case OPT_DETAILED_EXITCODE:
			cmd->detailed_exitcode = true;
			break;
		case OPT_NO_COLOR:
			cmd->no_color = true;
			break;
		case OPT_BASE_REF:
			cmd->base_ref = value;
			break;
		default:
			if (planning_option(&cmd->planning, "plan", id, value))
				return -1;
		}
	}
	if (cmd_check_format("plan", cmd->format) < 0)
		return -1;
	if (cmd->base_ref && !cmd->planning.source.git_repo) {
		fprintf(stderr, "trunkctl: error: plan: --base-ref needs "
			"--git-repo: the manifests must come from a git "
			"revision\n");
		return -1;
	}
	return planning_options_check(&cmd->planning, "plan");
}

/* Puts the text rendering of the manifest diff above the plan's text. */
static int prepend_diff(const struct manifest_diff *diff, char **text)
{
	char *section = NULL, *combined = NULL;
	int rc;

	rc = manifest_diff_render_text(diff, &section);
	if (rc == 0) {
		combined = malloc(strlen(section) + strlen(*text) + 1);
		if (!combined)
			rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	if (rc == 0)
		sprintf(combined, "%s%s", section, *text);
	free(section);
	free(*text);
	*text = combined;
	return rc;
}

/* Renders the plan in the chosen format; `diff` may be NULL. */
static int render(const struct plan *plan, const struct plan_command *cmd,
		  const struct manifest_diff *diff)
{
	struct plan_render_options options = { 0 };
	char *text = NULL, *plain = NULL;
	int rc;

	if (strcmp(cmd->format, "json") == 0) {
		rc = plan_render_json(plan, &plain);
		if (rc == 0 && diff) {
			rc = manifest_diff_add_to_plan_json(diff, plain, &text);
			free(plain);
		} else {
			text = plain;
		}
	} else if (strcmp(cmd->format, "markdown") == 0 && diff) {
		rc = manifest_diff_render_plan_markdown(diff, plan, &text);
	} else if (strcmp(cmd->format, "markdown") == 0) {
		rc = plan_render_markdown(plan, &text);
	} else {
		options.color = !cmd->no_color && use_color();
		rc = plan_render_text(plan, &options, &text);
		if (rc == 0 && diff)
			rc = prepend_diff(diff, &text);
	}
	if (rc < 0) {
		print_error();
		return rc;
	}
	fputs(text, stdout);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stdout);
	free(text);
	return 0;
}

int cmd_plan(int argc, char **argv, const struct global_options *global)
{
	struct plan_command cmd = { .format = "text" };
	struct planning run = { 0 };
	struct manifest_diff diff = { 0 };
	struct plan_counts counts;
	int status = EXIT_FAILURE_, rc;

	/* Line by line even into a pipe, so that a CI log that merges
	 * stdout and stderr keeps the order in which lines were written. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	planning_options_init(&cmd.planning, argc);
	rc = parse(argc, argv, &cmd);
	if (rc != 0) {
		status = rc > 0 ? EXIT_OK : EXIT_FAILURE_;
		goto done;
	}
	/* Only the JSON form contains the fingerprints, which hash every
	 * live trunk. The text form shows no provenance either, and reading
	 * a work tree's status starts libgit2. */
	cmd.planning.fingerprints = cmd.out || strcmp(cmd.format, "json") == 0;
	cmd.planning.source.without_provenance =
		!cmd.out && strcmp(cmd.format, "text") == 0;
	if (planning_run(global, &cmd.planning, &run) < 0)
		goto done;
	if (cmd.base_ref &&
	    manifest_diff_git(cmd.planning.source.git_repo, cmd.base_ref,
			      cmd.planning.source.ref,
			      cmd.planning.source.git_path, &diff) < 0) {
		print_error();
		goto done;
	}
	if (render(run.plan, &cmd, cmd.base_ref ? &diff : NULL) < 0)
		goto done;
	if (cmd.out && plan_save(run.plan, cmd.out) < 0) {
		print_error();
		goto done;
	}
	if (cmd.out)
		log_at(LOG_INFO, LOG_AREA_GENERAL, "Saved the plan to %s; run "
		       "'trunkctl apply --plan %s' to apply it.", cmd.out,
		       cmd.out);
	if (plan_failed_edges(run.plan) > 0)
		goto done;

	plan_count(run.plan, &counts);
	status = cmd.detailed_exitcode && counts.total > 0 ? EXIT_CHANGES
							   : EXIT_OK;

done:
	manifest_diff_release(&diff);
	planning_finish(&run);
	planning_options_release(&cmd.planning);
	return status;
}

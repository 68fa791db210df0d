/*
 * trunkctl validate: loads manifests, prints every problem, and on
 * success a summary or the normalised model as JSON.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "model/error.h"
#include "model/git_source.h"
#include "model/manifest.h"

static void print_validate_usage(FILE *out)
{
	fputs("usage: trunkctl validate [--format text|json] PATH...\n"
	      "       trunkctl validate [--format text|json] --git-repo REPO "
	      "[--ref REV]\n"
	      "                         [--path SUBDIR]\n"
	      "\n"
	      "Checks the manifests in each PATH: a file, or a folder\n"
	      "searched recursively for *.yaml and *.yml files (names\n"
	      "starting with '.' and symbolic links to folders are skipped).\n"
	      "Documents whose apiVersion is not trunkctl/... are skipped\n"
	      "with a warning. Every problem is printed to stderr as\n"
	      "FILE:LINE:COLUMN: error: MESSAGE with the line quoted, then\n"
	      "the number of errors. No request is sent to any API.\n"
	      "\n"
	      "Options:\n"
	      "  --format text   print a one-line summary (default)\n"
	      "  --format json   print the normalised model: each edge with\n"
	      "                  its trunks' payloads, states and SHA-256\n"
	      "                  digests\n"
	      "  --git-repo REPO read the manifests from a git repository (a\n"
	      "                  folder or a file:// URL) instead of PATHs;\n"
	      "                  problems then name REV:PATH:LINE:COLUMN\n"
	      "  --ref REV       the revision to read (default HEAD)\n"
	      "  --path SUBDIR   the folder of the tree to read\n"
	      "  -h, --help      print this help\n"
	      "\n"
	      "With the global option -q, warnings are not printed.\n"
	      "\n"
	      "Exit status: 0 when the manifests are valid (warnings\n"
	      "allowed), 1 on any error.\n",
	      out);
}

struct validate_options {
	bool json;
	bool quiet;             /* -q: no warnings */
	const char **paths;
	size_t path_count;
	struct git_source_options git;
};

/*
 * Matches "--NAME VALUE" and "--NAME=VALUE" at argv[*i] and stores the
 * value. Returns 1 on a match, 0 on none, -1 when the value is missing.
 */
static int value_option(const char *name, int argc, char **argv, int *i,
			const char **value)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len) != 0 || (arg[len] && arg[len] != '='))
		return 0;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return 1;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "trunkctl: error: validate: option '%s' "
			"requires a value\n", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

/* Handles --git-repo, --ref and --path; returns as value_option(). */
static int git_option(int argc, char **argv, int *i,
		      struct validate_options *o)
{
	int rc;

	if ((rc = value_option("--git-repo", argc, argv, i, &o->git.repo)))
		return rc;
	if ((rc = value_option("--ref", argc, argv, i, &o->git.ref)))
		return rc;
	return value_option("--path", argc, argv, i, &o->git.path);
}

static int check_sources(const struct validate_options *o)
{
	if (o->git.repo && o->path_count > 0) {
		fprintf(stderr, "trunkctl: error: validate: give PATH "
			"arguments or --git-repo, not both\n");
		return -1;
	}
	if (!o->git.repo && (o->git.ref || o->git.path)) {
		fprintf(stderr, "trunkctl: error: validate: --ref and --path "
			"need --git-repo\n");
		return -1;
	}
	if (!o->git.repo && o->path_count == 0) {
		fprintf(stderr, "trunkctl: error: validate: no PATH given\n");
		return -1;
	}
	return 0;
}

/* Returns 0, 1 after --help, or -1 after a usage error. */
static int parse_options(int argc, char **argv, struct validate_options *o)
{
	const char *format = "text";
	bool positional = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
			o->paths[o->path_count++] = arg;
		} else if (strcmp(arg, "--") == 0) {
			positional = true;
		} else if (strcmp(arg, "-h") == 0 ||
			   strcmp(arg, "--help") == 0) {
			print_validate_usage(stdout);
			return 1;
		} else if ((rc = git_option(argc, argv, &i, o)) != 0) {
			if (rc < 0)
				return -1;
		} else if (strncmp(arg, "--format=", 9) == 0) {
			format = arg + 9;
		} else if (strcmp(arg, "--format") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else {
			fprintf(stderr, "trunkctl: error: validate: unknown "
				"option '%s'\n", arg);
			return -1;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "trunkctl: error: validate: --format takes "
			"text or json, not '%s'\n", format);
		return -1;
	}
	o->json = strcmp(format, "json") == 0;
	return check_sources(o);
}

static const char *plural(size_t n, const char *singular,
			  const char *plural_form)
{
	return n == 1 ? singular : plural_form;
}

static void print_summary(const struct desired_model *model)
{
	size_t trunks = 0, i;

	for (i = 0; i < model->edge_count; i++)
		trunks += model->edges[i].trunk_count;
	printf("%zu %s, %zu %s: valid (%zu %s)\n", model->edge_count,
	       plural(model->edge_count, "edge", "edges"), trunks,
	       plural(trunks, "trunk", "trunks"), model->file_count,
	       plural(model->file_count, "file", "files"));
}

static int print_json(const struct desired_model *model)
{
	cJSON *json = manifest_model_to_json(model);
	char *text = json ? cJSON_Print(json) : NULL;

	cJSON_Delete(json);
	if (!text) {
		fprintf(stderr, "trunkctl: error: out of memory rendering "
			"the model\n");
		return EXIT_FAILURE_;
	}
	puts(text);
	free(text);
	return EXIT_OK;
}

/* Prints the diagnostics, or with -q only the errors. */
static void print_diagnostics(const struct diag_list *diags, bool quiet)
{
	size_t i;

	if (!quiet) {
		diag_list_print(diags, stderr);
		return;
	}
	for (i = 0; i < diags->count; i++)
		if (diags->items[i].severity == DIAG_ERROR)
			diag_print(&diags->items[i], stderr);
}

static int report(struct manifest_loader *loader, int rc,
		  const struct validate_options *options,
		  const struct desired_model *model)
{
	const struct diag_list *diags = manifest_loader_diagnostics(loader);

	print_diagnostics(diags, options->quiet);
	if (rc == TRUNKCTL_EINVALID && diags->errors) {
		fprintf(stderr, "%zu %s\n", diags->errors,
			plural(diags->errors, "error", "errors"));
		return EXIT_FAILURE_;
	}
	if (rc < 0) {
		fprintf(stderr, "trunkctl: error: %s\n", error_message());
		return EXIT_FAILURE_;
	}
	if (options->json)
		return print_json(model);
	print_summary(model);
	return EXIT_OK;
}

/* Loads the PATHs, or the tree of a git revision. */
static int load(struct manifest_loader *loader,
		const struct validate_options *options)
{
	struct git_source_info info;
	int rc;

	if (!options->git.repo)
		return manifest_load_paths(loader, options->paths,
					   options->path_count);
	git_libgit2_init();
	rc = git_source_load(loader, &options->git, &info);
	git_source_info_release(&info);
	git_libgit2_shutdown();
	return rc;
}

int cmd_validate(int argc, char **argv, const struct global_options *global)
{
	struct validate_options options = { 0 };
	struct manifest_loader *loader = NULL;
	struct desired_model model = { 0 };
	int rc, status = EXIT_FAILURE_;

	options.quiet = global->verbosity < 0;
	options.paths = calloc((size_t)argc, sizeof(*options.paths));
	if (!options.paths) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		return EXIT_FAILURE_;
	}
	rc = parse_options(argc, argv, &options);
	if (rc != 0) {
		if (rc < 0)
			print_validate_usage(stderr);
		status = rc > 0 ? EXIT_OK : EXIT_FAILURE_;
		goto done;
	}

	loader = manifest_loader_new();
	if (!loader) {
		fprintf(stderr, "trunkctl: error: %s\n", error_message());
		goto done;
	}
	rc = load(loader, &options);
	/* A git failure (an unknown revision, a --path outside the tree)
	 * is reported as it is. */
	if (rc == 0 ||
	    (rc == TRUNKCTL_EINVALID &&
	     manifest_loader_diagnostics(loader)->errors > 0) ||
	    (rc != TRUNKCTL_ENOMEM && !options.git.repo))
		rc = manifest_loader_finish(loader, &model);
	status = report(loader, rc, &options, &model);

done:
	if (!cmd_leave_at_exit(&model, sizeof(model)))
		desired_model_release(&model);
	manifest_loader_free(loader);
	free(options.paths);
	return status;
}

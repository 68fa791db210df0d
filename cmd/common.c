#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "cmd/common.h"
#include "model/error.h"
#include "model/manifest.h"

void print_error(void)
{
	fprintf(stderr, "trunkctl: error: %s\n", error_message());
}

bool use_color(void)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (!no_color || !*no_color);
}

int cmd_next_arg(const char *command, int argc, char **argv, int *index,
		 const struct cmd_option *table, bool *rest_positional,
		 const char **value)
{
	const char *arg;
	size_t name_len;

	if (*index >= argc)
		return CMD_ARG_END;
	arg = argv[(*index)++];
	if (*rest_positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
		*value = arg;
		return CMD_ARG_POSITIONAL;
	}
	if (strcmp(arg, "--") == 0) {
		*rest_positional = true;
		return cmd_next_arg(command, argc, argv, index, table,
				    rest_positional, value);
	}
	name_len = strcspn(arg, "=");
	for (; table->name; table++) {
		if (strlen(table->name) != name_len ||
		    strncmp(table->name, arg, name_len) != 0)
			continue;
		*value = NULL;
		if (!table->has_value && arg[name_len] == '=') {
			fprintf(stderr, "trunkctl: error: %s: option '%s' "
				"takes no value\n", command, table->name);
			return CMD_ARG_ERROR;
		}
		if (table->has_value && arg[name_len] == '=') {
			*value = arg + name_len + 1;
		} else if (table->has_value) {
			if (*index >= argc) {
				fprintf(stderr, "trunkctl: error: %s: option "
					"'%s' requires a value\n", command,
					table->name);
				return CMD_ARG_ERROR;
			}
			*value = argv[(*index)++];
		}
		return table->id;
	}
	fprintf(stderr, "trunkctl: error: %s: unknown option '%s'; see "
		"'trunkctl %s --help'\n", command, arg, command);
	return CMD_ARG_ERROR;
}

int cmd_check_format(const char *command, const char *format)
{
	if (strcmp(format, "text") == 0 || strcmp(format, "json") == 0 ||
	    strcmp(format, "markdown") == 0)
		return 0;
	fprintf(stderr, "trunkctl: error: %s: --format takes text, json or "
		"markdown, not '%s'\n", command, format);
	return -1;
}

int cmd_parse_int(const char *command, const char *option,
		  const char *text, long min, long max, long *out)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < min || value > max) {
		fprintf(stderr, "trunkctl: error: %s%s%s takes a whole "
			"number from %ld to %ld, not '%s'\n",
			command ? command : "", command ? ": " : "", option,
			min, max, text);
		return -1;
	}
	*out = value;
	return 0;
}

int parallelism_get(const struct global_options *global, int *out)
{
	long value = 10;

	if (global->parallelism &&
	    cmd_parse_int(NULL, "--parallelism", global->parallelism, 1, 256,
			  &value) < 0)
		return TRUNKCTL_EINVALID;
	*out = (int)value;
	return 0;
}

static char *join_paths(const char **paths, size_t count)
{
	size_t len = 1, i;
	char *text;

	for (i = 0; i < count; i++)
		len += strlen(paths[i]) + 2;
	text = malloc(len);
	if (!text)
		return NULL;
	text[0] = '\0';
	for (i = 0; i < count; i++) {
		if (i)
			strcat(text, ", ");
		strcat(text, paths[i]);
	}
	return text;
}

static int load_from(struct manifest_loader *loader,
		     const struct manifest_source *source,
		     struct loaded_manifests *out)
{
	if (source->git_repo) {
		struct git_source_options options = {
			source->git_repo, source->ref, source->git_path
		};

		return git_source_load(loader, &options, &out->git);
	}
	return manifest_load_paths(loader, source->paths, source->path_count);
}

static void fill_source(const struct manifest_source *source, bool use_git,
			struct loaded_manifests *out)
{
	if (use_git && !source->git_repo && source->path_count > 0 &&
	    git_source_describe_worktree(source->paths[0], &out->git) < 0)
		memset(&out->git, 0, sizeof(out->git));
	out->source.path = source->git_repo ? NULL : out->path_text;
	out->source.repo = out->git.repo;
	out->source.ref = out->git.ref;
	out->source.commit = out->git.commit;
	out->source.dirty = out->git.dirty;
}

int manifests_load(const struct manifest_source *source,
		   struct loaded_manifests *out)
{
	struct manifest_loader *loader = manifest_loader_new();
	const struct diag_list *diags;
	bool use_git;
	int rc;

	memset(out, 0, sizeof(*out));
	out->path_text = join_paths(source->paths, source->path_count);
	if (!loader || !out->path_text) {
		manifest_loader_free(loader);
		free(out->path_text);
		out->path_text = NULL;
		fprintf(stderr, "trunkctl: error: out of memory\n");
		return TRUNKCTL_ENOMEM;
	}
	if (source->on_edge)
		manifest_loader_on_edge(loader, source->on_edge,
					source->on_edge_context);
	/* libgit2 reads the system's CA certificates when it starts (55
	 * million instructions under callgrind), which paths outside a
	 * work tree skip. */
	use_git = source->git_repo ||
		  (!source->without_provenance && source->path_count > 0 &&
		   git_source_maybe_worktree(source->paths[0]));
	if (use_git)
		git_libgit2_init();
	rc = load_from(loader, source, out);
	/* An invalid source (a --path outside the tree) has no diagnostic:
	 * finishing would replace its message with "no manifest found". */
	if (rc == 0 || (rc == TRUNKCTL_EINVALID &&
			manifest_loader_diagnostics(loader)->errors > 0)) {
		int finish = manifest_loader_finish(loader, &out->model);

		if (rc == 0)
			rc = finish;
	}
	diags = manifest_loader_diagnostics(loader);
	diag_list_print(diags, stderr);
	if (rc == TRUNKCTL_EINVALID && diags->errors)
		fprintf(stderr, "trunkctl: error: the manifests have %zu "
			"%s\n", diags->errors,
			diags->errors == 1 ? "error" : "errors");
	else if (rc < 0)
		print_error();
	manifest_loader_free(loader);
	if (rc == 0)
		fill_source(source, use_git, out);
	if (use_git)
		git_libgit2_shutdown();
	if (rc < 0)
		loaded_manifests_release(out);
	return rc;
}

void loaded_manifests_release(struct loaded_manifests *loaded)
{
	if (!loaded)
		return;
	desired_model_release(&loaded->model);
	git_source_info_release(&loaded->git);
	free(loaded->path_text);
	memset(loaded, 0, sizeof(*loaded));
}

int client_open_quiet(const struct global_options *global,
		      struct http_client **out)
{
	struct http_options options = {
		.region = global->region,
		.api_url = global->api_url,
		.login_url = global->login_url,
		.client_secret_file = global->client_secret_file,
		.cacert = global->cacert,
		.max_requests_per_minute = global->max_requests_per_minute,
		.request_timeout = global->request_timeout,
		.retry_base = global->retry_base,
		.retry_cap = global->retry_cap,
		.retry_attempts = global->retry_attempts,
		.retry_after_max = global->retry_after_max,
		.breaker_threshold = global->breaker_threshold,
		.breaker_cooldown = global->breaker_cooldown,
	};
	struct http_config config;
	int rc;

	http_config_init(&config);
	rc = http_config_load(&config, &options);
	if (rc == 0)
		rc = http_client_new(&config, out);
	http_config_release(&config);
	return rc;
}

bool cmd_leave_at_exit(const void *data, size_t size)
{
#ifdef TRUNKCTL_FREE_AT_EXIT
	(void)data;
	(void)size;
	return false;
#else
	/* volatile, so that the compiler keeps the stores. */
	static void *volatile kept[8];
	static size_t kept_count;
	void *copy;

	if (kept_count == sizeof(kept) / sizeof(kept[0]) ||
	    !(copy = malloc(size)))
		return false;
	memcpy(copy, data, size);
	kept[kept_count++] = copy;
	return true;
#endif
}

int client_open(const struct global_options *global,
		struct http_client **out)
{
	int rc = client_open_quiet(global, out);

	if (rc < 0)
		print_error();
	return rc;
}

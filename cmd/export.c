/*
 * trunkctl export: writes one manifest per edge from its live trunks.
 * Reads only: one token request and GETs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd/common.h"
#include "http/profile.h"
#include "model/error.h"
#include "model/log.h"
#include "model/export.h"

enum {
	OPT_HELP = 1,
	OPT_EDGE,
	OPT_OUT,
	OPT_FORCE,
};

static const struct cmd_option export_options[] = {
	{ "--help", false, OPT_HELP },
	{ "-h", false, OPT_HELP },
	{ "--edge", true, OPT_EDGE },
	{ "--out", true, OPT_OUT },
	{ "--force", false, OPT_FORCE },
	{ NULL, false, 0 },
};

static void print_export_usage(FILE *out)
{
	fputs("usage: trunkctl export --edge ID_OR_NAME... [--out DIR] "
	      "[--force]\n"
	      "\n"
	      "Writes the live trunks of each edge as a trunkctl/v1 manifest:\n"
	      "the edge's id and name, then each trunk with the values that\n"
	      "differ from the defaults. A DISABLED trunk gets state: inactive;\n"
	      "ENABLED, PENDING and FAILED trunks are active. Sends one token\n"
	      "request and GET requests only; changes nothing.\n"
	      "\n"
	      "Options:\n"
	      "  --edge ID_OR_NAME        an edge id, or a name matched "
	      "ignoring case\n"
	      "                           (repeatable)\n"
	      "  --out DIR                write DIR/NAME.yaml per edge (mode "
	      "0600; DIR is\n"
	      "                           created with mode 0700 when "
	      "missing), NAME from\n"
	      "                           the edge name; without it, print "
	      "the manifests\n"
	      "                           to stdout, separated by ---\n"
	      "  --force                  replace files that exist in DIR\n"
	      "  -h, --help               print this help\n"
	      "\n"
	      "Exit status: 0 success, 1 error.\n",
	      out);
}

struct export_command {
	const char **edges;
	size_t edge_count;
	const char *out_dir;
	bool force;
};

/* Returns 0, 1 after --help, or -1 after a usage error. */
static int parse(int argc, char **argv, struct export_command *cmd)
{
	bool rest = false;
	const char *value;
	int i = 1, id;

	while ((id = cmd_next_arg("export", argc, argv, &i, export_options,
				  &rest, &value)) != CMD_ARG_END) {
		switch (id) {
		case CMD_ARG_ERROR:
			return -1;
		case OPT_HELP:
			print_export_usage(stdout);
			return 1;
		case OPT_EDGE:
			cmd->edges[cmd->edge_count++] = value;
			break;
		case OPT_OUT:
			cmd->out_dir = value;
			break;
		case OPT_FORCE:
			cmd->force = true;
			break;
		default:
			fprintf(stderr, "trunkctl: error: export: unexpected "
				"argument '%s'; name edges with --edge\n",
				value);
			return -1;
		}
	}
	if (cmd->edge_count == 0) {
		fprintf(stderr, "trunkctl: error: export: no edge given: name "
			"one with --edge ID_OR_NAME; see 'trunkctl export "
			"--help'\n");
		return -1;
	}
	return 0;
}

/*
 * Finds the edge a user named: by id first, then by name ignoring
 * case. Fails when nothing matches or several edges share the name.
 */
static int find_edge(const struct edge_ref *edges, size_t count,
		     const char *wanted, size_t *index)
{
	size_t i, found = count;

	for (i = 0; i < count; i++)
		if (edges[i].id && strcmp(edges[i].id, wanted) == 0) {
			*index = i;
			return 0;
		}
	for (i = 0; i < count; i++) {
		if (!edges[i].name || strcasecmp(edges[i].name, wanted) != 0)
			continue;
		if (found < count)
			return error_set(TRUNKCTL_EINVALID,
					 "edge name '%s' is ambiguous: edges "
					 "%s and %s have it; name the edge by "
					 "id", wanted, edges[found].id,
					 edges[i].id);
		found = i;
	}
	if (found == count)
		return error_set(TRUNKCTL_ENOTFOUND,
				 "edge '%s' not found: no edge of the org has "
				 "that id or name", wanted);
	*index = found;
	return 0;
}

/* Resolves every --edge to an index of `edges`, dropping repeats. */
static int select_edges(const struct export_command *cmd,
			const struct edge_ref *edges, size_t count,
			size_t *selected, size_t *selected_count)
{
	size_t i, j, index = 0;
	int rc;

	*selected_count = 0;
	for (i = 0; i < cmd->edge_count; i++) {
		if ((rc = find_edge(edges, count, cmd->edges[i], &index)) < 0)
			return rc;
		for (j = 0; j < *selected_count; j++)
			if (selected[j] == index)
				break;
		if (j == *selected_count)
			selected[(*selected_count)++] = index;
	}
	return 0;
}

/* The file name of each selected edge; a clash gets the id appended. */
static int file_names(const struct edge_ref *edges, const size_t *selected,
		      size_t count, char **names)
{
	char *alternative;
	size_t i, j;

	for (i = 0; i < count; i++) {
		const struct edge_ref *edge = &edges[selected[i]];

		names[i] = export_file_name(edge->name, edge->id);
		if (!names[i])
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		for (j = 0; j < i && strcmp(names[j], names[i]) != 0; j++)
			;
		if (j == i)
			continue;
		alternative = malloc(strlen(names[i]) + strlen(edge->id) + 2);
		if (!alternative)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		sprintf(alternative, "%.*s-%s", (int)(strlen(names[i]) - 5),
			names[i], edge->id);
		free(names[i]);
		names[i] = export_file_name(alternative, edge->id);
		free(alternative);
		if (!names[i])
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	return 0;
}

/* Creates `dir` and its missing parents with mode 0700, as mkdir -p. */
static int make_out_dir(const char *dir)
{
	char *path = strdup(dir);
	struct stat st;
	char *slash;
	int rc = 0;

	if (!path)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (slash = strchr(path + 1, '/'); rc == 0; slash = strchr(slash + 1,
								    '/')) {
		if (slash)
			*slash = '\0';
		if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
			rc = error_set(TRUNKCTL_EINVALID, "--out: '%s' is not "
				       "a folder", path);
		else if (mkdir(path, 0700) < 0 && errno != EEXIST)
			rc = error_set(TRUNKCTL_EIO, "cannot create the folder "
				       "'%s': %s", path, strerror(errno));
		if (!slash)
			break;
		*slash = '/';
	}
	free(path);
	return rc;
}

/* Fetches one edge's trunks and prints or writes its manifest. */
static int export_edge(struct http_client *client, const struct edge_ref *edge,
		       const struct export_command *cmd, const char *file,
		       bool first)
{
	struct live_trunk *trunks = NULL;
	size_t count = 0;
	char *text = NULL, *path = NULL;
	int rc;

	rc = api_profile_trunks.list_trunks(client, edge->id, &trunks, &count,
					     NULL);
	if (rc == 0)
		rc = export_render_manifest(edge, trunks, count, &text);
	if (rc < 0)
		goto done;
	if (!cmd->out_dir) {
		printf("%s%s", first ? "" : "---\n", text);
		goto done;
	}
	path = malloc(strlen(cmd->out_dir) + strlen(file) + 2);
	if (!path) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	sprintf(path, "%s/%s", cmd->out_dir, file);
	rc = export_write_file(path, text, cmd->force);
	if (rc == 0)
		log_at(LOG_INFO, LOG_AREA_GENERAL, "Wrote %zu %s of edge '%s' "
		       "to %s", count, count == 1 ? "trunk" : "trunks",
		       edge->name ? edge->name : edge->id, path);

done:
	api_trunks_release(trunks, count);
	free(text);
	free(path);
	return rc;
}

static int run(const struct export_command *cmd,
	       const struct global_options *global)
{
	struct http_client *client = NULL;
	struct edge_ref *edges = NULL;
	size_t count = 0, selected_count = 0, i;
	size_t *selected = calloc(cmd->edge_count, sizeof(*selected));
	char **names = calloc(cmd->edge_count, sizeof(*names));
	int rc;

	if (!selected || !names) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = client_open(global, &client)) < 0)
		goto done_printed;
	rc = api_profile_trunks.list_edges(client, NULL, &edges, &count,
					    NULL);
	if (rc == 0)
		rc = select_edges(cmd, edges, count, selected, &selected_count);
	if (rc == 0)
		rc = file_names(edges, selected, selected_count, names);
	if (rc == 0 && cmd->out_dir)
		rc = make_out_dir(cmd->out_dir);
	for (i = 0; rc == 0 && i < selected_count; i++)
		rc = export_edge(client, &edges[selected[i]], cmd, names[i],
				 i == 0);

done:
	if (rc < 0)
		print_error();
done_printed:
	for (i = 0; names && i < selected_count; i++)
		free(names[i]);
	free(names);
	free(selected);
	api_edges_release(edges, count);
	http_client_free(client);
	return rc;
}

int cmd_export(int argc, char **argv, const struct global_options *global)
{
	struct export_command cmd = { 0 };
	int rc, status;

	cmd.edges = calloc((size_t)argc + 1, sizeof(*cmd.edges));
	if (!cmd.edges) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		return EXIT_FAILURE_;
	}
	rc = parse(argc, argv, &cmd);
	if (rc != 0)
		status = rc > 0 ? EXIT_OK : EXIT_FAILURE_;
	else
		status = run(&cmd, global) < 0 ? EXIT_FAILURE_ : EXIT_OK;
	free(cmd.edges);
	return status;
}

/*
 * Manifests read from git revisions, against real repositories made with
 * the git command in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "model/error.h"
#include "model/git_source.h"

#define EDGE_ID "0d4c5b9e-3f1a-4c2b-9e8d-7a6b5c4d3e2f"

static char workdir[256];
static char repo[300];

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command in the repository and fails the test on error. */
static void run(const char *fmt, ...)
{
	char command[2048];
	char full[2600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
		 "cd '%s' && (%s) >/dev/null 2>&1", repo, command);
	if (system(full) != 0)
		fail_msg("command failed: %s", command);
}

static void write_manifest(const char *path, int trunks)
{
	char file[600];
	FILE *out;
	int i;

	snprintf(file, sizeof(file), "%s/%s", repo, path);
	out = fopen(file, "w");
	assert_non_null(out);
	fprintf(out,
		"apiVersion: trunkctl/v1\n"
		"kind: EdgeTrunks\n"
		"edge:\n"
		"  id: %s\n"
		"trunks:\n", EDGE_ID);
	for (i = 0; i < trunks; i++)
		fprintf(out,
			"  - name: Trunk-%d\n"
			"    sipEndpoints: [\"203.0.113.%d:5060\"]\n"
			"    codecs: [PCMU]\n"
			"    maxConcurrentCalls: 10\n", i + 1, i + 1);
	fclose(out);
}

static void commit_all(const char *message)
{
	run("git add -A && git -c user.name=Test -c user.email=t@example.net "
	    "commit -q -m '%s'", message);
}

static int setup(void **state)
{
	(void)state;
	snprintf(workdir, sizeof(workdir), "/tmp/trunkctl-git-test-XXXXXX");
	if (!mkdtemp(workdir))
		return -1;
	snprintf(repo, sizeof(repo), "%s/repo", workdir);
	if (mkdir(repo, 0700) != 0)
		return -1;
	run("git init -q -b main . && mkdir edges");
	write_manifest("edges/dublin.yaml", 1);
	commit_all("one trunk");
	write_manifest("edges/dublin.yaml", 2);
	commit_all("two trunks");
	git_libgit2_init();
	return 0;
}

static int teardown(void **state)
{
	char command[400];

	(void)state;
	git_libgit2_shutdown();
	snprintf(command, sizeof(command), "rm -rf '%s'", workdir);
	return system(command) == 0 ? 0 : -1;
}

/*
 * Loads REV[:PATH] of `location` and returns the loader's result; on
 * success `*trunks` is the number of trunks of the only edge.
 */
static int load(const char *location, const char *ref, const char *path,
		size_t *trunks, struct git_source_info *info)
{
	struct git_source_options options = { location, ref, path };
	struct manifest_loader *loader = manifest_loader_new();
	struct desired_model model = { 0 };
	int rc;

	assert_non_null(loader);
	rc = git_source_load(loader, &options, info);
	if (rc == 0)
		rc = manifest_loader_finish(loader, &model);
	if (rc != 0)
		git_source_info_release(info);
	*trunks = rc == 0 && model.edge_count == 1 ? model.edges[0].trunk_count
						    : 0;
	desired_model_release(&model);
	manifest_loader_free(loader);
	return rc;
}

static void head_commit(const char *rev, char out[41])
{
	char command[600];
	FILE *pipe;

	snprintf(command, sizeof(command), "git -C '%s' rev-parse '%s'", repo,
		 rev);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	assert_non_null(fgets(out, 41, pipe));
	pclose(pipe);
}

static void git_load_each_revision(void **state)
{
	struct git_source_info info;
	char expected[41];
	size_t trunks;

	(void)state;
	assert_int_equal(load(repo, NULL, NULL, &trunks, &info), 0);
	assert_int_equal(trunks, 2);
	head_commit("HEAD", expected);
	assert_string_equal(info.commit, expected);
	assert_string_equal(info.ref, "HEAD");
	assert_false(info.dirty);
	git_source_info_release(&info);

	assert_int_equal(load(repo, "HEAD~1", NULL, &trunks, &info), 0);
	assert_int_equal(trunks, 1);
	head_commit("HEAD~1", expected);
	assert_string_equal(info.commit, expected);
	git_source_info_release(&info);

	assert_int_equal(load(repo, "main", "edges", &trunks, &info), 0);
	assert_int_equal(trunks, 2);
	git_source_info_release(&info);
}

static void git_unknown_revision(void **state)
{
	struct git_source_info info;
	size_t trunks;

	(void)state;
	assert_int_equal(load(repo, "no-such-branch", NULL, &trunks, &info),
			 TRUNKCTL_ENOTFOUND);
	assert_non_null(strstr(error_message(),
			       "unknown revision 'no-such-branch'"));
}

static void git_not_a_repository(void **state)
{
	struct git_source_info info;
	size_t trunks;

	(void)state;
	assert_int_equal(load(workdir, NULL, NULL, &trunks, &info),
			 TRUNKCTL_ENOTFOUND);
	assert_non_null(strstr(error_message(), "is not a git repository"));
}

static void git_path_checks(void **state)
{
	struct git_source_info info;
	size_t trunks;

	(void)state;
	assert_int_equal(load(repo, NULL, "missing", &trunks, &info),
			 TRUNKCTL_ENOTFOUND);
	assert_non_null(strstr(error_message(),
			       "path 'missing' not found in the tree"));
	assert_int_equal(load(repo, NULL, "edges/../..", &trunks, &info),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "leaves the repository"));
	assert_int_equal(load(repo, NULL, "/etc", &trunks, &info),
			 TRUNKCTL_EINVALID);
	assert_int_equal(load(repo, NULL, "edges/dublin.yaml", &trunks, &info),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "is not a folder"));
}

static void git_uncommitted_edits_ignored(void **state)
{
	struct git_source_info info;
	size_t trunks;

	(void)state;
	write_manifest("edges/dublin.yaml", 5);
	assert_int_equal(load(repo, NULL, NULL, &trunks, &info), 0);
	assert_int_equal(trunks, 2);
	git_source_info_release(&info);

	assert_int_equal(git_source_describe_worktree(repo, &info), 0);
	assert_true(info.dirty);
	git_source_info_release(&info);

	run("git checkout -q -- edges/dublin.yaml");
	assert_int_equal(git_source_describe_worktree(repo, &info), 0);
	assert_false(info.dirty);
	assert_int_equal(strlen(info.commit), 40);
	git_source_info_release(&info);
}

static void git_worktree_outside(void **state)
{
	struct git_source_info info;

	(void)state;
	assert_int_equal(git_source_describe_worktree(workdir, &info),
			 TRUNKCTL_ENOTFOUND);
}

/* A ".git" entry in the path or a folder above marks a possible work
 * tree; a folder beside the repository has none. */
static void git_maybe_worktree(void **state)
{
	char path[600];

	(void)state;
	assert_false(git_source_maybe_worktree(workdir));
	snprintf(path, sizeof(path), "%s/repo/edges/dublin.yaml", workdir);
	assert_true(git_source_maybe_worktree(path));
	snprintf(path, sizeof(path), "%s/repo/edges", workdir);
	assert_true(git_source_maybe_worktree(path));
	snprintf(path, sizeof(path), "%s/repo/.git/refs", workdir);
	assert_true(git_source_maybe_worktree(path));
	/* A path that does not resolve is left to libgit2. */
	snprintf(path, sizeof(path), "%s/missing", workdir);
	assert_true(git_source_maybe_worktree(path));
}

static void git_file_url_clone(void **state)
{
	struct git_source_info info;
	char url[400];
	size_t trunks;

	(void)state;
	snprintf(url, sizeof(url), "file://%s", repo);
	assert_int_equal(load(url, "HEAD~1", "edges", &trunks, &info), 0);
	assert_int_equal(trunks, 1);
	assert_string_equal(info.repo, url);
	git_source_info_release(&info);
}

static void git_shallow_clone(void **state)
{
	struct git_source_info info;
	char shallow[400];
	size_t trunks;

	(void)state;
	snprintf(shallow, sizeof(shallow), "%s/shallow", workdir);
	run("git clone -q --depth 1 'file://%s' '%s'", repo, shallow);

	assert_int_equal(load(shallow, "HEAD", NULL, &trunks, &info), 0);
	assert_int_equal(trunks, 2);
	git_source_info_release(&info);

	assert_int_equal(load(shallow, "HEAD~1", NULL, &trunks, &info),
			 TRUNKCTL_ENOTFOUND);
	assert_non_null(strstr(error_message(), "fetch more history"));
}

static void git_manifest_error_names_revision(void **state)
{
	struct git_source_options options = { repo, "HEAD", NULL };
	struct manifest_loader *loader = manifest_loader_new();
	const struct diag_list *diags;
	struct git_source_info info;
	char path[600];
	FILE *out;

	(void)state;
	run("git checkout -q -b broken");
	snprintf(path, sizeof(path), "%s/edges/dublin.yaml", repo);
	out = fopen(path, "a");
	assert_non_null(out);
	fputs("    codec: [PCMU]\n", out);
	fclose(out);
	commit_all("typo");

	assert_int_equal(git_source_load(loader, &options, &info),
			 TRUNKCTL_EINVALID);
	diags = manifest_loader_diagnostics(loader);
	assert_true(diags->errors > 0);
	assert_string_equal(diags->items[0].file, "HEAD:edges/dublin.yaml");
	assert_int_equal(diags->items[0].line, 14);
	git_source_info_release(&info);
	manifest_loader_free(loader);
	run("git checkout -q main");
}

static void git_huge_blob_and_symlink(void **state)
{
	struct git_source_info info;
	size_t trunks;

	(void)state;
	run("git checkout -q -b huge && ln -s dublin.yaml edges/link.yaml");
	commit_all("symlink");
	assert_int_equal(load(repo, NULL, NULL, &trunks, &info), 0);
	assert_int_equal(trunks, 2);
	git_source_info_release(&info);

	run("head -c 17000000 /dev/zero | tr '\\\\0' '#' > edges/huge.yaml");
	commit_all("huge");
	assert_int_equal(load(repo, NULL, NULL, &trunks, &info),
			 TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "HEAD:edges/huge.yaml"));
	assert_non_null(strstr(error_message(), "over the limit"));
	run("git checkout -q main");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(git_load_each_revision),
		cmocka_unit_test(git_unknown_revision),
		cmocka_unit_test(git_not_a_repository),
		cmocka_unit_test(git_path_checks),
		cmocka_unit_test(git_uncommitted_edits_ignored),
		cmocka_unit_test(git_worktree_outside),
		cmocka_unit_test(git_maybe_worktree),
		cmocka_unit_test(git_file_url_clone),
		cmocka_unit_test(git_shallow_clone),
		cmocka_unit_test(git_manifest_error_names_revision),
		cmocka_unit_test(git_huge_blob_and_symlink),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

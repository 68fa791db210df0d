#ifndef TRUNKCTL_MODEL_GIT_SOURCE_H
#define TRUNKCTL_MODEL_GIT_SOURCE_H

/*
 * Manifests read straight from the tree of a git revision (libgit2), and
 * the provenance of manifests read from a work tree.
 *
 * git_source_load() never checks anything out: it resolves the revision,
 * walks its tree and hands each *.yaml / *.yml blob to the manifest
 * loader with the display name "REV:PATH", so uncommitted changes are
 * ignored. A file:// URL is cloned bare into a temporary folder that is
 * removed before the call returns.
 *
 * The caller runs git_libgit2_init() once before the first call and
 * git_libgit2_shutdown() at exit.
 */

#include <stdbool.h>

#include <git2.h>

#include "model/manifest.h"

struct git_source_options {
	const char *repo;   /* a repository folder or a file:// URL */
	const char *ref;    /* any revision git understands; NULL: HEAD */
	const char *path;   /* a folder of the tree; NULL: the whole tree */
};

/* Provenance, as recorded in plans, audit lines and callbacks. */
struct git_source_info {
	char *repo;
	char *ref;
	char *commit;       /* 40 hex digits */
	bool dirty;         /* the work tree has uncommitted changes */
};

void git_source_info_release(struct git_source_info *info);

/*
 * Opens a repository folder, or clones a file:// URL bare into `tmpdir`,
 * a mkdtemp() template such as "/tmp/trunkctl-clone-XXXXXX" that the
 * caller passes to git_source_remove_clone() once done, whether this
 * succeeded or not.
 */
int git_source_open(git_repository **repo, const char *location,
		    char *tmpdir);
void git_source_remove_clone(const char *tmpdir);

/*
 * Resolves `ref` to a commit. An unknown revision is TRUNKCTL_ENOTFOUND,
 * saying to fetch more history in a shallow clone.
 */
int git_source_resolve(git_commit **commit, git_repository *repo,
		       const char *ref);

/* Records libgit2's last error after `what` and returns `code`. */
int git_source_fail(int code, const char *what);

/*
 * Loads the manifests of REV[:PATH] of `options->repo` into `loader` and
 * fills `info` (dirty is false: a revision is never dirty). Fails with a
 * message for a folder that is not a repository, an unknown revision (in
 * a shallow clone, saying to fetch more history), a path that is not a
 * folder of the tree or that leaves it, and a blob over
 * MANIFEST_MAX_BYTES. Manifest problems go to the loader's diagnostics
 * and return TRUNKCTL_EINVALID as manifest_load_buffer() does.
 */
int git_source_load(struct manifest_loader *loader,
		    const struct git_source_options *options,
		    struct git_source_info *info);

/*
 * Describes the work tree that contains `path`: its HEAD commit and
 * whether it has uncommitted changes (untracked files count, ignored
 * ones do not). Returns TRUNKCTL_ENOTFOUND when `path` is not inside a
 * work tree, which is not an error for the caller.
 */
int git_source_describe_worktree(const char *path,
				 struct git_source_info *info);

/*
 * Returns whether `path` may be inside a git work tree: it or a folder
 * above it has a ".git" entry, without which libgit2 finds no work tree
 * there. On false a caller can skip git_libgit2_init(), which reads the
 * system's CA certificates. Needs no libgit2.
 */
bool git_source_maybe_worktree(const char *path);

#endif

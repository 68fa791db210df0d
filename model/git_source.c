/* nftw() is an X/Open function. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "model/error.h"
#include "model/git_source.h"
#include "model/log.h"

int git_source_fail(int code, const char *what)
{
	const git_error *last = git_error_last();

	return error_set(code, "%s: %s", what,
			 last && last->message ? last->message
					       : "unknown libgit2 error");
}

void git_source_info_release(struct git_source_info *info)
{
	if (!info)
		return;
	free(info->repo);
	free(info->ref);
	free(info->commit);
	memset(info, 0, sizeof(*info));
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void git_source_remove_clone(const char *tmpdir)
{
	/* mkdtemp() replaced the Xs only when it created the folder. */
	if (tmpdir[strlen(tmpdir) - 1] != 'X')
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Creates a local branch for each origin/NAME of the clone, so --ref
 * accepts the branch names that it accepts with the source folder.
 * git_clone() makes a local branch of the source's HEAD branch only.
 */
static int add_local_branches(git_repository *repo)
{
	git_branch_iterator *iterator;
	git_reference *remote_branch;
	git_branch_t type;
	int rc;

	if (git_branch_iterator_new(&iterator, repo, GIT_BRANCH_REMOTE) < 0)
		return git_source_fail(TRUNKCTL_EIO, "cannot list the branches "
				       "of the clone");
	while ((rc = git_branch_next(&remote_branch, &type, iterator)) == 0) {
		const char *name = git_reference_shorthand(remote_branch);
		const git_oid *target = git_reference_target(remote_branch);
		git_commit *commit = NULL;
		git_reference *local = NULL;

		if (target && strncmp(name, "origin/", 7) == 0 &&
		    strcmp(name + 7, "HEAD") != 0 &&
		    git_commit_lookup(&commit, repo, target) == 0) {
			git_branch_create(&local, repo, name + 7, commit, 0);
			git_reference_free(local);
			git_commit_free(commit);
		}
		git_reference_free(remote_branch);
	}
	git_branch_iterator_free(iterator);
	if (rc != GIT_ITEROVER)
		return git_source_fail(TRUNKCTL_EIO, "cannot list the branches "
				       "of the clone");
	return 0;
}

/* Clones a file:// URL bare into `tmpdir` (a mkdtemp template). */
static int clone_bare(git_repository **repo, const char *url, char *tmpdir)
{
	git_clone_options options;

	git_clone_options_init(&options, GIT_CLONE_OPTIONS_VERSION);
	if (!mkdtemp(tmpdir))
		return error_set(TRUNKCTL_EIO,
				 "cannot create a temporary folder: %s",
				 strerror(errno));
	options.bare = 1;
	log_verbose(LOG_AREA_GIT, "git: cloning '%s' into '%s'", url, tmpdir);
	if (git_clone(repo, url, tmpdir, &options) < 0) {
		char what[512];

		snprintf(what, sizeof(what), "cannot clone '%s'", url);
		return git_source_fail(TRUNKCTL_ENOTFOUND, what);
	}
	return add_local_branches(*repo);
}

int git_source_open(git_repository **repo, const char *location,
		    char *tmpdir)
{
	char what[512];

	if (strncmp(location, "file://", 7) == 0)
		return clone_bare(repo, location, tmpdir);
	if (strstr(location, "://"))
		return error_set(TRUNKCTL_EINVALID,
				 "unsupported repository URL '%s': use a "
				 "folder or a file:// URL", location);
	if (git_repository_open_ext(repo, location, 0, NULL) == 0)
		return 0;
	snprintf(what, sizeof(what), "'%s' is not a git repository",
		 location);
	return git_source_fail(TRUNKCTL_ENOTFOUND, what);
}

int git_source_resolve(git_commit **commit, git_repository *repo,
		       const char *ref)
{
	git_object *object = NULL;
	git_object *peeled = NULL;
	int rc;

	if (git_revparse_single(&object, repo, ref) < 0) {
		const git_error *last = git_error_last();
		char what[512], cause[256];

		/* Copied first: git_repository_is_shallow() clears it. */
		snprintf(cause, sizeof(cause), "%s",
			 last && last->message ? last->message : "not found");
		if (git_repository_is_shallow(repo)) {
			snprintf(what, sizeof(what),
				 "unknown revision '%s' in a shallow clone; "
				 "fetch more history (git fetch --unshallow, "
				 "or fetch-depth: 0 in CI)", ref);
			return error_set(TRUNKCTL_ENOTFOUND, "%s: %s", what,
					 cause);
		}
		return error_set(TRUNKCTL_ENOTFOUND,
				 "unknown revision '%s': %s", ref, cause);
	}
	rc = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
	git_object_free(object);
	if (rc < 0)
		return error_set(TRUNKCTL_EINVALID,
				 "revision '%s' does not name a commit", ref);
	*commit = (git_commit *)peeled;
	return 0;
}

/* Rejects absolute paths and ".." so --path cannot leave the tree. */
static int check_subpath(const char *path)
{
	const char *p = path;

	if (path[0] == '/')
		return error_set(TRUNKCTL_EINVALID,
				 "path '%s' must be relative to the top of "
				 "the repository", path);
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && strncmp(p, "..", 2) == 0)
			return error_set(TRUNKCTL_EINVALID,
					 "path '%s' leaves the repository "
					 "tree", path);
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

static int subtree(git_tree **out, git_repository *repo, git_tree *root,
		   const char *path, const char *ref)
{
	git_tree_entry *entry = NULL;
	char trimmed[4096];
	size_t len;
	int rc;

	if ((rc = check_subpath(path)) < 0)
		return rc;
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len == 0 || (len == 1 && path[0] == '.'))
		return git_tree_dup(out, root) < 0
			       ? git_source_fail(TRUNKCTL_ERROR, "git_tree_dup")
			       : 0;
	if (len >= sizeof(trimmed))
		return error_set(TRUNKCTL_EINVALID, "path too long");
	memcpy(trimmed, path, len);
	trimmed[len] = '\0';

	if (git_tree_entry_bypath(&entry, root, trimmed) < 0)
		return error_set(TRUNKCTL_ENOTFOUND,
				 "path '%s' not found in the tree of '%s'",
				 trimmed, ref);
	if (git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		git_tree_entry_free(entry);
		return error_set(TRUNKCTL_EINVALID,
				 "path '%s' in '%s' is not a folder", trimmed,
				 ref);
	}
	rc = git_tree_lookup(out, repo, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	return rc < 0 ? git_source_fail(TRUNKCTL_ERROR, "cannot read a tree") : 0;
}

/* The manifests of one tree walk, sorted by path before loading. */
struct blob {
	char *path;
	git_oid id;
};

struct blob_list {
	struct blob *items;
	size_t count;
	size_t alloc;
	int error;
};

static bool has_manifest_suffix(const char *name)
{
	size_t len = strlen(name);

	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

static int append_blob(struct blob_list *list, const char *root,
		       const git_tree_entry *entry)
{
	const char *name = git_tree_entry_name(entry);
	struct blob *blob;
	size_t len;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;
		struct blob *items =
			realloc(list->items, alloc * sizeof(*items));

		if (!items)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		list->items = items;
		list->alloc = alloc;
	}
	blob = &list->items[list->count];
	len = strlen(root) + strlen(name) + 1;
	blob->path = malloc(len);
	if (!blob->path)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	snprintf(blob->path, len, "%s%s", root, name);
	git_oid_cpy(&blob->id, git_tree_entry_id(entry));
	list->count++;
	return 0;
}

static int collect_blob(const char *root, const git_tree_entry *entry,
			void *payload)
{
	struct blob_list *list = payload;
	const char *name = git_tree_entry_name(entry);

	if (name[0] == '.')
		return 1; /* skip hidden files and folders */
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    !has_manifest_suffix(name))
		return 0;
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		log_warn("trunkctl: warning: skipping symbolic link '%s%s' "
			 "in the git tree", root, name);
		return 0;
	}
	list->error = append_blob(list, root, entry);
	return list->error < 0 ? -1 : 0;
}

static void blob_list_release(struct blob_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i].path);
	free(list->items);
}

static int compare_blobs(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->path,
		      ((const struct blob *)b)->path);
}

/*
 * Loads one blob. Returns a negative code when the blob cannot be read.
 * The loader's own result (TRUNKCTL_EINVALID for manifest problems) goes
 * to `*manifest_rc`, so the caller can go on with the other blobs.
 */
static int load_blob(struct manifest_loader *loader, git_repository *repo,
		     const struct blob *blob, const char *display_name,
		     int *manifest_rc)
{
	git_odb *odb = NULL;
	git_blob *object = NULL;
	git_object_t type;
	size_t size = 0;
	int rc;

	if (git_repository_odb(&odb, repo) < 0)
		return git_source_fail(TRUNKCTL_ERROR, "cannot open the object store");
	rc = git_odb_read_header(&size, &type, odb, &blob->id);
	git_odb_free(odb);
	if (rc < 0)
		return git_source_fail(TRUNKCTL_ERROR, display_name);
	/* Checked before the blob is read, so a huge blob costs nothing. */
	if (size > MANIFEST_MAX_BYTES)
		return error_set(TRUNKCTL_EINVALID,
				 "%s: file is %zu bytes, over the limit of "
				 "%u bytes", display_name, size,
				 MANIFEST_MAX_BYTES);

	if (git_blob_lookup(&object, repo, &blob->id) < 0)
		return git_source_fail(TRUNKCTL_ERROR, display_name);
	rc = manifest_load_buffer(loader, display_name,
				  git_blob_rawcontent(object),
				  (size_t)git_blob_rawsize(object));
	git_blob_free(object);
	if (rc == TRUNKCTL_EINVALID) {
		*manifest_rc = rc;
		rc = 0;
	}
	return rc;
}

static int load_tree(struct manifest_loader *loader, git_repository *repo,
		     git_tree *tree, const char *ref, const char *prefix)
{
	struct blob_list list = { 0 };
	char name[8192];
	size_t i;
	int rc = 0, manifest_rc = 0;

	if (git_tree_walk(tree, GIT_TREEWALK_PRE, collect_blob, &list) < 0) {
		rc = list.error;
		if (rc == 0)
			rc = git_source_fail(TRUNKCTL_ERROR, "cannot walk the tree");
		goto done;
	}
	qsort(list.items, list.count, sizeof(*list.items), compare_blobs);

	for (i = 0; i < list.count; i++) {
		snprintf(name, sizeof(name), "%s:%s%s%s", ref, prefix,
			 *prefix ? "/" : "", list.items[i].path);
		log_verbose(LOG_AREA_GIT, "git: loading %s", name);
		rc = load_blob(loader, repo, &list.items[i], name,
			       &manifest_rc);
		if (rc < 0)
			goto done;
	}
	rc = manifest_rc;

done:
	blob_list_release(&list);
	return rc;
}

static int fill_info(struct git_source_info *info, const char *repo,
		     const char *ref, const git_commit *commit)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	info->repo = strdup(repo);
	info->ref = strdup(ref);
	info->commit = strdup(hex);
	info->dirty = false;
	if (!info->repo || !info->ref || !info->commit) {
		git_source_info_release(info);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	return 0;
}

/* Strips trailing slashes and a lone ".", for display names. */
static void normalise_prefix(char *out, size_t size, const char *path)
{
	size_t len;

	snprintf(out, size, "%s", path ? path : "");
	len = strlen(out);
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
	if (strcmp(out, ".") == 0)
		out[0] = '\0';
}

int git_source_load(struct manifest_loader *loader,
		    const struct git_source_options *options,
		    struct git_source_info *info)
{
	const char *ref = options->ref ? options->ref : "HEAD";
	char tmpdir[] = "/tmp/trunkctl-clone-XXXXXX";
	char prefix[4096];
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *root = NULL, *tree = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	normalise_prefix(prefix, sizeof(prefix), options->path);
	if ((rc = git_source_open(&repo, options->repo, tmpdir)) < 0 ||
	    (rc = git_source_resolve(&commit, repo, ref)) < 0)
		goto done;
	if (git_commit_tree(&root, commit) < 0) {
		rc = git_source_fail(TRUNKCTL_ERROR, "cannot read the commit's tree");
		goto done;
	}
	if ((rc = subtree(&tree, repo, root, prefix, ref)) < 0)
		goto done;
	if ((rc = fill_info(info, options->repo, ref, commit)) < 0)
		goto done;
	log_verbose(LOG_AREA_GIT, "git: %s is commit %s", ref, info->commit);
	rc = load_tree(loader, repo, tree, ref, prefix);

done:
	git_tree_free(tree);
	git_tree_free(root);
	git_commit_free(commit);
	git_repository_free(repo);
	git_source_remove_clone(tmpdir);
	if (rc < 0 && rc != TRUNKCTL_EINVALID)
		git_source_info_release(info);
	return rc;
}

static int has_changes(git_repository *repo, bool *dirty)
{
	git_status_options options;
	git_status_list *status = NULL;

	git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
	options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
			GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&status, repo, &options) < 0)
		return git_source_fail(TRUNKCTL_ERROR, "cannot read the git status");
	*dirty = git_status_list_entrycount(status) > 0;
	git_status_list_free(status);
	return 0;
}

int git_source_describe_worktree(const char *path,
				 struct git_source_info *info)
{
	git_repository *repo = NULL;
	git_object *head = NULL;
	const char *workdir;
	int rc;

	memset(info, 0, sizeof(*info));
	if (git_repository_open_ext(&repo, path, 0, NULL) < 0)
		return TRUNKCTL_ENOTFOUND;
	workdir = git_repository_workdir(repo);
	if (!workdir || git_revparse_single(&head, repo, "HEAD^{commit}") < 0) {
		/* A bare repository, or one without commits yet. */
		rc = TRUNKCTL_ENOTFOUND;
		goto done;
	}
	rc = fill_info(info, workdir, "HEAD", (const git_commit *)head);
	if (rc == 0 && (rc = has_changes(repo, &info->dirty)) < 0)
		git_source_info_release(info);
	if (rc == 0)
		log_verbose(LOG_AREA_GIT, "git: %s is in a work tree at commit "
			    "%s%s", path, info->commit,
			    info->dirty ? ", with uncommitted changes" : "");

done:
	git_object_free(head);
	git_repository_free(repo);
	return rc;
}

bool git_source_maybe_worktree(const char *path)
{
	char *folder = realpath(path, NULL), *probe = NULL, *slash;
	struct stat st;
	bool found = false;

	/* Unresolved, the path is left to libgit2 to judge. */
	if (!folder || !(probe = malloc(strlen(folder) + sizeof("/.git")))) {
		free(folder);
		return true;
	}
	for (;;) {
		sprintf(probe, "%s/.git", strcmp(folder, "/") ? folder : "");
		if (stat(probe, &st) == 0) {
			found = true;
			break;
		}
		slash = strrchr(folder, '/');
		if (!slash || strcmp(folder, "/") == 0)
			break;
		if (slash == folder)
			folder[1] = '\0';      /* "/srv" becomes "/" */
		else
			*slash = '\0';
	}
	free(probe);
	free(folder);
	return found;
}

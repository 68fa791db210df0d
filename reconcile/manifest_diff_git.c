/*
 * The manifest diff of a git repository: head against the merge base of
 * base and head, found with libgit2 as `git merge-base` finds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "model/error.h"
#include "model/git_source.h"
#include "model/log.h"
#include "reconcile/manifest_diff.h"

/* The base is named by its commit id cut to 12 hex digits in
 * diagnostics. An ambiguous prefix fails to resolve (libgit2 returns
 * GIT_EAMBIGUOUS); it never picks the wrong commit. */
#define SHORT_ID 12

/* Resolves `ref` to the id of its commit. */
static int resolve(git_repository *repo, const char *ref, git_oid *oid)
{
	git_commit *commit = NULL;
	int rc = git_source_resolve(&commit, repo, ref);

	if (rc < 0)
		return rc;
	git_oid_cpy(oid, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

static char *oid_text(const git_oid *oid)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	return strdup(hex);
}

/* Fills the commits of the revisions: base tip, merge base, head. */
static int find_revisions(const char *location,
			  struct manifest_diff_revisions *r)
{
	char tmpdir[] = "/tmp/trunkctl-base-XXXXXX";
	git_repository *repo = NULL;
	git_oid base, head, merge;
	int rc;

	if ((rc = git_source_open(&repo, location, tmpdir)) < 0 ||
	    (rc = resolve(repo, r->base_ref, &base)) < 0 ||
	    (rc = resolve(repo, r->head_ref, &head)) < 0)
		goto done;
	rc = git_merge_base(&merge, repo, &base, &head);
	if (rc < 0) {
		rc = error_set(TRUNKCTL_ENOTFOUND, "%s",
			      git_repository_is_shallow(repo)
				      ? "no merge base in a shallow clone; "
					"fetch more history (git fetch "
					"--unshallow, or fetch-depth: 0 in CI)"
				      : "the base and head revisions have no "
					"common ancestor");
		goto done;
	}
	r->base_commit = oid_text(&base);
	r->merge_base = oid_text(&merge);
	r->head_commit = oid_text(&head);
	if (!r->base_commit || !r->merge_base || !r->head_commit)
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	else
		log_verbose(LOG_AREA_GIT, "git: merge base of %s and %s is %s",
			    r->base_ref, r->head_ref, r->merge_base);

done:
	git_repository_free(repo);
	git_source_remove_clone(tmpdir);
	return rc;
}

/* Whether the only problem of a load is that it found no manifest. */
static bool found_nothing(const struct diag_list *diags)
{
	return diags->errors == 1 && diags->count > 0 &&
	       diags->items[diags->count - 1].severity == DIAG_ERROR &&
	       !diags->items[diags->count - 1].file &&
	       strncmp(diags->items[diags->count - 1].message,
		       "no trunkctl manifest found", 26) == 0;
}

/*
 * Loads REV:PATH into `model`. With `empty_ok`, a missing folder or a
 * tree without manifests gives an empty model, and manifests that do
 * not load set `*unavailable` instead of failing.
 */
static int load_model(const char *repo, const char *rev, const char *path,
		      bool empty_ok, struct desired_model *model,
		      char **unavailable)
{
	struct git_source_options options = { repo, rev, path };
	struct manifest_loader *loader = manifest_loader_new();
	struct git_source_info info = { 0 };
	const struct diag_list *diags;
	char text[256];
	int rc;

	memset(model, 0, sizeof(*model));
	if (!loader)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = git_source_load(loader, &options, &info);
	if (rc == 0 || rc == TRUNKCTL_EINVALID) {
		int finish = manifest_loader_finish(loader, model);

		rc = rc == 0 ? finish : rc;
	}
	diags = manifest_loader_diagnostics(loader);
	if (rc == TRUNKCTL_ENOTFOUND && empty_ok && path) {
		log_verbose(LOG_AREA_GIT, "git: %s has no folder '%s'", rev,
			    path);
		rc = 0;
	} else if (rc == TRUNKCTL_EINVALID && empty_ok && found_nothing(diags)) {
		rc = 0;
	} else if (rc == TRUNKCTL_EINVALID && empty_ok && diags->errors) {
		snprintf(text, sizeof(text), "the manifests at %s have %zu "
			 "%s; run 'trunkctl validate --git-repo REPO --ref "
			 "%s' to see them", rev, diags->errors,
			 diags->errors == 1 ? "error" : "errors", rev);
		*unavailable = strdup(text);
		rc = *unavailable ? 0 : error_set(TRUNKCTL_ENOMEM,
						  "out of memory");
	} else if (rc == TRUNKCTL_EINVALID && diags->errors) {
		rc = error_set(rc, "the manifests at %s have %zu errors", rev,
			       diags->errors);
	}
	if (rc < 0 || *unavailable)
		desired_model_release(model);
	git_source_info_release(&info);
	manifest_loader_free(loader);
	return rc;
}

static int copy_revisions(struct manifest_diff_revisions *r,
			  const char *base_ref, const char *head_ref,
			  const char *path)
{
	memset(r, 0, sizeof(*r));
	r->base_ref = strdup(base_ref);
	r->head_ref = strdup(head_ref ? head_ref : "HEAD");
	r->path = path ? strdup(path) : NULL;
	if (!r->base_ref || !r->head_ref || (path && !r->path))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	return 0;
}

int manifest_diff_git(const char *repo, const char *base_ref,
		      const char *head_ref, const char *path,
		      struct manifest_diff *out)
{
	struct manifest_diff_revisions revisions;
	struct desired_model base = { 0 }, head = { 0 };
	char *unavailable = NULL;
	char short_base[SHORT_ID + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	git_libgit2_init();
	rc = copy_revisions(&revisions, base_ref, head_ref, path);
	if (rc == 0)
		rc = find_revisions(repo, &revisions);
	if (rc == 0)
		rc = load_model(repo, revisions.head_ref, path, false, &head,
				&unavailable);
	if (rc == 0) {
		snprintf(short_base, sizeof(short_base), "%s",
			 revisions.merge_base);
		rc = load_model(repo, short_base, path, true, &base,
				&unavailable);
	}
	if (rc == 0 && !unavailable)
		rc = manifest_diff_compute(&base, &head, out);
	if (rc == 0) {
		out->revisions = revisions;
		out->unavailable = unavailable;
	} else {
		out->revisions = revisions;
		free(unavailable);
		manifest_diff_release(out);
	}
	desired_model_release(&base);
	desired_model_release(&head);
	git_libgit2_shutdown();
	return rc;
}

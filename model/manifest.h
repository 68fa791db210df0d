#ifndef TRUNKCTL_MODEL_MANIFEST_H
#define TRUNKCTL_MODEL_MANIFEST_H

/*
 * Loads trunkctl/v1 manifests into the validated, normalised desired
 * model.
 *
 * A loader collects files, folders and memory buffers, one call each,
 * then finish() hands over the model. Every problem of every input is
 * recorded as a diagnostic (FILE:LINE:COLUMN, with the line quoted) and
 * loading goes on, so one run reports all of them. Not thread-safe: use
 * one loader per thread.
 *
 * The format:
 *   apiVersion: trunkctl/v1        documents with another apiVersion
 *   kind: EdgeTrunks               outside trunkctl/ are skipped with a
 *   edge: {id, name, maxTrunks, prune}          warning
 *   defaults: {any trunk field except name and state}
 *   trunks: [{name, description, sipEndpoints, codecs,
 *             maxConcurrentCalls, natTraversal,
 *             keepAlive: {interval, protocol},
 *             sipInviteTimeout, rtpTimeout, state}]
 *
 * A trunk field left out takes the document's `defaults`, then the
 * built-in default of model/trunk.h. keepAlive merges per sub-key, so a
 * trunk may set only `interval` and keep the protocol of `defaults`.
 * Lists (codecs, sipEndpoints) replace, they do not append. Booleans are
 * true or false only: YAML 1.1 words such as yes and off are errors.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "model/diag.h"
#include "model/trunk.h"

/* Larger files and buffers are rejected before they are read. */
#define MANIFEST_MAX_BYTES (16u * 1024 * 1024)

struct manifest_loader;

struct manifest_loader *manifest_loader_new(void);
void manifest_loader_free(struct manifest_loader *loader);

/*
 * A function called with each edge as soon as its document is read, while
 * the loader has recorded no error; `index` is the edge's position in
 * the model that finish() returns. The edge is valid only during the
 * call. It runs on the loader's thread and must not call the loader.
 */
typedef void manifest_edge_fn(void *context, const struct desired_edge *edge,
			      size_t index);

/*
 * Sets the function called for each edge; NULL stops the calls. A caller
 * can start work for an edge before the remaining inputs are read, but
 * a later input can still fail the load.
 */
void manifest_loader_on_edge(struct manifest_loader *loader,
			     manifest_edge_fn *callback, void *context);

/*
 * Loads the manifests of a memory buffer. `display_name` (such as
 * "REV:PATH") names it in diagnostics and in the model's files. Returns
 * 0, TRUNKCTL_EINVALID when this buffer added errors to the
 * diagnostics (loading may go on), or TRUNKCTL_ENOMEM.
 */
int manifest_load_buffer(struct manifest_loader *loader,
			 const char *display_name, const char *data,
			 size_t length);

/* Loads one file, whatever its name ends with. Returns as above. */
int manifest_load_file(struct manifest_loader *loader, const char *path);

/*
 * Loads files and folders. A folder is searched recursively for
 * *.yaml and *.yml files, which load in byte-wise order of their paths.
 * Entries whose names start with '.' are skipped, and so are symbolic
 * links to folders. Returns as above.
 */
int manifest_load_paths(struct manifest_loader *loader,
			const char *const *paths, size_t count);

/*
 * Runs the checks that need every input, sorts the diagnostics, and on
 * success moves the model into `out` (release it with
 * desired_model_release()). With no trunkctl document at all the load
 * fails: an empty manifest never means "no trunks". Returns 0, or
 * TRUNKCTL_EINVALID when any error was recorded (`out` is left empty).
 * Call it once.
 */
int manifest_loader_finish(struct manifest_loader *loader,
			   struct desired_model *out);

/* The diagnostics so far, sorted once finish() has run. */
const struct diag_list *
manifest_loader_diagnostics(const struct manifest_loader *loader);

/*
 * Renders the model as JSON: {"files": [...], "edges": [{"id", "name",
 * "maxTrunks", "prune", "source", "trunks": [{"state", "sha256",
 * "source", "payload"}]}]}. "id" and "name" are null when not given;
 * "source" is "FILE:LINE". Returns NULL on allocation failure.
 */
cJSON *manifest_model_to_json(const struct desired_model *model);

#endif

#ifndef TRUNKCTL_MODEL_EXPORT_H
#define TRUNKCTL_MODEL_EXPORT_H

/*
 * Export: the live trunks of an edge written as a trunkctl/v1 manifest
 * that loads back into the same desired state.
 *
 * Values equal to the built-in defaults of model/trunk.h are left out.
 * The status maps to `state`: DISABLED is inactive, and ENABLED, PENDING
 * and FAILED are active (the default, so left out). A string that YAML
 * could read as anything but the same string is written double-quoted
 * with JSON-style escapes.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/trunk.h"

/*
 * Returns `text` as a YAML scalar in a new string (free()): plain when
 * that is safe, else double-quoted. `flow` is for items of a flow
 * sequence, where a comma also needs quotes. Bytes that are not UTF-8
 * become U+FFFD and set `*replaced` (which may be NULL). Returns NULL
 * when out of memory.
 */
char *export_yaml_scalar(const char *text, bool flow, bool *replaced);

/*
 * Renders the manifest of `edge` (id, name, max_trunks when above 0)
 * with `trunks` in the given order into a new string in `*out`. A trunk
 * that will not load back as exported (no SIP endpoint, or text that is
 * not UTF-8) gets a warning on stderr.
 * Returns 0 or TRUNKCTL_ENOMEM.
 */
int export_render_manifest(const struct edge_ref *edge,
			   const struct live_trunk *trunks, size_t count,
			   char **out);

/*
 * Returns a file name for the edge's manifest (free()). It is the edge
 * name in lower case, or the id when the name leaves nothing. Every run
 * of characters other than a-z, 0-9, '.' and '_' becomes one '-', the
 * result is cut to 64 characters, and ".yaml" is appended.
 */
char *export_file_name(const char *edge_name, const char *edge_id);

/*
 * Writes `text` to `path` with mode 0600 through a temporary file in
 * the same folder. Without `overwrite`, an existing `path` is left as
 * it is and the call fails with TRUNKCTL_ECONFLICT.
 */
int export_write_file(const char *path, const char *text, bool overwrite);

#endif

#ifndef TRUNKCTL_MODEL_MANIFEST_INTERNAL_H
#define TRUNKCTL_MODEL_MANIFEST_INTERNAL_H

/*
 * Shared by the manifest loader (manifest.c), the document schema
 * (manifest_schema.c) and the value checks (manifest_values.c). Not a
 * public interface; unit tests include it to test the checks directly.
 *
 * The readers below report each problem at the node's location and
 * return TRUNKCTL_EINVALID, or TRUNKCTL_ENOMEM when memory ran out.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "model/trunk.h"
#include "model/yaml_tree.h"

#define EDGE_ID_MAX 128
#define EDGE_MAX_TRUNKS_LIMIT 100000

/* The origin of the document being read. */
struct manifest_context {
	struct diag_list *diags;
	struct diag_source *source;
	const char *file;       /* the model's copy of the name */
};

/* manifest_read_document() results besides 0 and the error codes. */
enum {
	MANIFEST_DOCUMENT_SKIPPED = 1, /* not trunkctl; a warning is out */
	MANIFEST_DOCUMENT_EMPTY = 2,   /* no content, or only comments */
};

/*
 * Reads one YAML document into `edge`. On TRUNKCTL_EINVALID the edge
 * keeps the identity it could read (id, name, location), so that
 * duplicate edges are still found. The caller releases `edge` whatever
 * the result.
 */
int manifest_read_document(struct manifest_context *ctx,
			   const struct yaml_tree_document *document,
			   struct desired_edge *edge);

int manifest_error(struct manifest_context *ctx,
		   const struct yaml_tree_node *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int manifest_warning(struct manifest_context *ctx,
		     const struct yaml_tree_node *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads a non-null scalar without NUL bytes as a string. */
int manifest_read_string(struct manifest_context *ctx,
			 const struct yaml_tree_node *node, const char *field,
			 char **out);

/* Reads a decimal integer within [min, max]. */
int manifest_read_int(struct manifest_context *ctx,
		      const struct yaml_tree_node *node, const char *field,
		      long min, long max, int *out);

/* Reads true or false. YAML 1.1 words (yes, off...) get a hint. */
int manifest_read_bool(struct manifest_context *ctx,
		       const struct yaml_tree_node *node, const char *field,
		       bool *out);

/* Reads a list of codecs, upper-cased, in order, without repeats. */
int manifest_read_codecs(struct manifest_context *ctx,
			 const struct yaml_tree_node *node, char ***codecs,
			 size_t *count);

/* Reads a list of SIP endpoints, as written, without repeats. */
int manifest_read_endpoints(struct manifest_context *ctx,
			    const struct yaml_tree_node *node,
			    char ***endpoints, size_t *count);

/*
 * Reports keys of `mapping` that are not in `known` (suggesting a close
 * one), and keys that are not scalars. `what` names the mapping in the
 * message ("trunk", "edge"). Unless `values` is NULL, sets values[i] to
 * yaml_tree_get(mapping, known[i]), so that callers look up each key
 * only once. Returns 0 when every key is known.
 */
int manifest_check_keys(struct manifest_context *ctx,
			const struct yaml_tree_node *mapping, const char *what,
			const char *const *known, size_t count,
			const struct yaml_tree_node **values);

/* Writes a description of the node for "expected X, got ..." messages. */
const char *manifest_describe(const struct yaml_tree_node *node,
			      char *buffer, size_t size);

/*
 * Checks a SIP endpoint: "IPv4:PORT", "[IPv6]:PORT" or "HOSTNAME:PORT"
 * (RFC 1123 labels), port 1-65535. Returns 0, or -1 with the reason in
 * `reason`. On success `key` (when not NULL) receives the form used to
 * find repeats: the host in lower case, an IPv6 address in its
 * RFC 5952 text form.
 */
int manifest_check_endpoint(const char *text, char *reason,
			    size_t reason_size, char *key, size_t key_size);

/* A value with the key that finds its repeats, for sorting. */
struct manifest_keyed_item {
	char *key;
	const struct yaml_tree_node *node;
	size_t index;           /* position in the document */
};

/*
 * Sorts `items` and reports each one whose key repeats an earlier one:
 * "duplicate WHAT 'VALUE' (first at line L, column C)". Returns 0, or
 * the last error.
 */
int manifest_report_repeats(struct manifest_context *ctx,
			    struct manifest_keyed_item *items, size_t count,
			    const char *what);

/*
 * Returns the known key closest to `key`: within edit distance 2
 * ignoring case, or one of the two a prefix of the other. NULL if none.
 */
const char *manifest_suggest_key(const char *key, const char *const *known,
				 size_t count);

#endif

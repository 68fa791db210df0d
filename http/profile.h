#ifndef TRUNKCTL_HTTP_PROFILE_H
#define TRUNKCTL_HTTP_PROFILE_H

/*
 * An API profile: the endpoint calls the reconciler needs, as a table of
 * functions over one http_client.
 *
 * Every call is thread-safe on a shared client. It returns 0 or a
 * negative code of model/error.h with the message recorded. It fills
 * `info` (which may be NULL) with the call's status, attempts, latency,
 * correlation id and 429 count, even when it fails. Output structs are
 * the caller's; they are filled only on success and released with the
 * model's _release functions or the ones below.
 */

#include <stdbool.h>
#include <stddef.h>

#include "http/client.h"
#include "model/trunk.h"

/* The test results of one trunk, as the diagnostics call reports them. */
struct api_trunk_diagnostics {
	char *trunk_id;
	int invite_code;          /* SIP response to the test INVITE; 0: none */
	char *invite_reason;
	long invite_latency_ms;
	char *nat_status;         /* "OK", "FAILED" or "DISABLED" */
	char *keepalive_status;   /* "UP" or "DOWN" */
	int keepalive_interval;   /* seconds */
};

struct api_profile {
	const char *name;
	const char *description;

	/*
	 * Lists all edges (every page), or those whose name matches `name`
	 * ignoring case when it is not NULL. Each edge_ref gets id, name
	 * and max_trunks (0 when the API does not report it).
	 */
	int (*list_edges)(struct http_client *client, const char *name,
			  struct edge_ref **edges, size_t *count,
			  struct api_call_info *info);
	/* TRUNKCTL_ENOTFOUND when the edge does not exist. */
	int (*get_edge)(struct http_client *client, const char *edge_id,
			struct edge_ref *edge, struct api_call_info *info);
	/* Every live trunk of an edge, all pages, deleted ones skipped. */
	int (*list_trunks)(struct http_client *client, const char *edge_id,
			   struct live_trunk **trunks, size_t *count,
			   struct api_call_info *info);
	/* A trunk, a deleted one included (trunk->deleted is then set). */
	int (*get_trunk)(struct http_client *client, const char *edge_id,
			 const char *trunk_id, struct live_trunk *trunk,
			 struct api_call_info *info);
	/*
	 * Creates a trunk. A name that exists is TRUNKCTL_ECONFLICT. A lost
	 * response is TRUNKCTL_EIO with info->outcome_unknown set, unless
	 * `retry_safe` lets the client resend the request.
	 */
	int (*create_trunk)(struct http_client *client, const char *edge_id,
			    const struct trunk_spec *spec, bool retry_safe,
			    struct live_trunk *trunk,
			    struct api_call_info *info);
	/* Updates a trunk at `version`; a stale one is TRUNKCTL_ECONFLICT. */
	int (*update_trunk)(struct http_client *client, const char *edge_id,
			    const char *trunk_id,
			    const struct trunk_spec *spec, long version,
			    struct live_trunk *trunk,
			    struct api_call_info *info);
	int (*delete_trunk)(struct http_client *client, const char *edge_id,
			    const char *trunk_id, struct api_call_info *info);
	int (*activate_trunk)(struct http_client *client, const char *edge_id,
			      const char *trunk_id,
			      struct api_call_info *info);
	int (*deactivate_trunk)(struct http_client *client,
				const char *edge_id, const char *trunk_id,
				struct api_call_info *info);
	int (*trunk_diagnostics)(struct http_client *client,
				 const char *edge_id, const char *trunk_id,
				 struct api_trunk_diagnostics *diagnostics,
				 struct api_call_info *info);
};

/*
 * The trunk API of the trunkctl design: trunk create, update, delete,
 * activate and diagnostics under an edge, which trunksim implements.
 * The real platform has no such write endpoints; it creates trunks from
 * trunk base settings, and a profile for that API is not built.
 */
extern const struct api_profile api_profile_trunks;

void api_edges_release(struct edge_ref *edges, size_t count);
void api_trunks_release(struct live_trunk *trunks, size_t count);
void api_trunk_diagnostics_release(struct api_trunk_diagnostics *diag);

/*
 * Percent-encodes `text` for a path segment or query value into a new
 * string (unreserved characters of RFC 3986 stay as they are).
 */
char *api_escape(const char *text);

#endif

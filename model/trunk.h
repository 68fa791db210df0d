#ifndef TRUNKCTL_MODEL_TRUNK_H
#define TRUNKCTL_MODEL_TRUNK_H

/*
 * The shared types: a trunk's managed fields (the API payload), the
 * desired trunk a manifest declares, the live trunk the API returns, and
 * the edge reference. http/ fills live trunks, model/ fills desired ones,
 * reconcile/ compares them.
 *
 * Strings in these structs are owned by the struct and released by its
 * _release function. A zeroed struct is a valid empty value.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define TRUNK_NAME_MAX 255

/* Built-in defaults for fields a manifest leaves out. */
#define TRUNK_DEFAULT_KEEPALIVE_INTERVAL 30
#define TRUNK_DEFAULT_SIP_INVITE_TIMEOUT 15
#define TRUNK_DEFAULT_RTP_TIMEOUT 30
#define EDGE_DEFAULT_MAX_TRUNKS 50

enum keepalive_protocol {
	KEEPALIVE_SIP = 0,
	KEEPALIVE_OPTIONS,
};

/* The state a manifest requests for a trunk. */
enum trunk_state {
	TRUNK_STATE_ACTIVE = 0,
	TRUNK_STATE_INACTIVE,
	TRUNK_STATE_ABSENT,
};

/* The service's run-time status of a live trunk. */
enum trunk_status {
	TRUNK_STATUS_UNKNOWN = 0,
	TRUNK_STATUS_PENDING,
	TRUNK_STATUS_ENABLED,
	TRUNK_STATUS_DISABLED,
	TRUNK_STATUS_FAILED,
};

/* The managed fields: exactly what the create and update payloads carry. */
struct trunk_spec {
	char *name;
	char *description;
	char **sip_endpoints;      /* "host:port", failover order */
	size_t sip_endpoint_count;
	char **codecs;             /* upper-case, preference order */
	size_t codec_count;
	int max_concurrent_calls;
	bool nat_traversal;
	int keepalive_interval;    /* seconds */
	enum keepalive_protocol keepalive_protocol;
	int sip_invite_timeout;    /* seconds */
	int rtp_timeout;           /* seconds */
};

/* The place a value was declared, for messages. `file` is borrowed. */
struct source_location {
	const char *file;
	int line;
	int column;
};

struct desired_trunk {
	struct trunk_spec spec;
	enum trunk_state state;
	struct source_location where;
};

struct live_trunk {
	struct trunk_spec spec;
	char *id;
	long version;
	enum trunk_status status;
	bool deleted;              /* state: deleted (soft-deleted) */
	char *edge_id;
};

/* An edge as a manifest names it: by id, by name, or both once resolved. */
struct edge_ref {
	char *id;
	char *name;
	int max_trunks;
	bool prune;
};

struct desired_edge {
	struct edge_ref edge;
	struct desired_trunk *trunks;
	size_t trunk_count;
	struct source_location where;
};

/* The validated, normalised desired state of every edge. */
struct desired_model {
	struct desired_edge *edges;
	size_t edge_count;
	char **files;              /* owned; source_location.file points here */
	size_t file_count;
};

/* One managed field that differs; `before` and `after` are rendered. */
struct field_change {
	const char *field;         /* the payload's field name, static */
	char *before;
	char *after;
};

void trunk_spec_init(struct trunk_spec *spec);
void trunk_spec_release(struct trunk_spec *spec);
int trunk_spec_copy(struct trunk_spec *dst, const struct trunk_spec *src);

void live_trunk_release(struct live_trunk *trunk);
void desired_trunk_release(struct desired_trunk *trunk);
void edge_ref_release(struct edge_ref *edge);
void desired_edge_release(struct desired_edge *edge);
void desired_model_release(struct desired_model *model);

/*
 * Renders the create/update payload. `version` > 0 adds "version" (the
 * update form). Keys come in a fixed order so the printed JSON is byte
 * for byte stable. Returns NULL on allocation failure.
 */
cJSON *trunk_spec_to_payload(const struct trunk_spec *spec, long version);

/* Prints the canonical payload (no version); the caller frees it. */
char *trunk_spec_canonical_json(const struct trunk_spec *spec);

/*
 * Appends the canonical payload to the NUL-terminated `*length` bytes at
 * `*data`, of `*size` allocated, growing them with realloc. On failure
 * `*length` is unchanged and TRUNKCTL_ENOMEM is returned.
 */
int trunk_spec_canonical_append(const struct trunk_spec *spec, char **data,
				size_t *length, size_t *size);

/* SHA-256 of the canonical payload, as 64 lower-case hex digits + NUL. */
int trunk_spec_digest(const struct trunk_spec *spec, char hex[65]);

/*
 * Decodes a Trunk entity of the API into `out`. Missing optional fields
 * take the contract's defaults. A missing name or id, or a field of the
 * wrong type, is TRUNKCTL_EINVALID with a message naming the field.
 */
int live_trunk_from_json(const cJSON *json, struct live_trunk *out);

/* Compares names as the service does: ASCII letters ignoring case. */
bool trunk_name_equal(const char *a, const char *b);

/*
 * Lists the managed fields in which `live` differs from `desired`, in
 * payload order, into `changes` (at most `max`). Returns the number of
 * differences, which may exceed `max`, or a negative error code. The
 * name is compared ignoring case, as keys are. Release with
 * field_changes_release().
 */
int trunk_spec_diff(const struct trunk_spec *live,
		    const struct trunk_spec *desired,
		    struct field_change *changes, size_t max);
void field_changes_release(struct field_change *changes, size_t count);

const char *trunk_status_name(enum trunk_status status);
int trunk_status_parse(const char *text, enum trunk_status *out);
const char *trunk_state_name(enum trunk_state state);
const char *keepalive_protocol_name(enum keepalive_protocol protocol);

#endif

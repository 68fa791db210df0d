/*
 * The trunkctl/v1 schema: reads one YAML document into a desired edge,
 * checking every field and applying the document's defaults, then the
 * built-in ones.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/manifest_internal.h"

#define API_VERSION "trunkctl/v1"
#define API_GROUP "trunkctl/"
#define KIND "EdgeTrunks"
#define TIMEOUT_MAX 3600
#define KEEPALIVE_INTERVAL_MAX 3600
#define MAX_CONCURRENT_CALLS_MAX 1000

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The trunk fields, as bits of trunk_fields.present and .invalid. */
enum {
	F_NAME = 1u << 0,
	F_DESCRIPTION = 1u << 1,
	F_ENDPOINTS = 1u << 2,
	F_CODECS = 1u << 3,
	F_MAX_CALLS = 1u << 4,
	F_NAT = 1u << 5,
	F_KEEPALIVE_INTERVAL = 1u << 6,
	F_KEEPALIVE_PROTOCOL = 1u << 7,
	F_INVITE_TIMEOUT = 1u << 8,
	F_RTP_TIMEOUT = 1u << 9,
	F_STATE = 1u << 10,
};

/* The fields one mapping (a trunk, or defaults) sets. */
struct trunk_fields {
	struct trunk_spec spec;
	enum trunk_state state;
	unsigned present;
	unsigned invalid;           /* set, but with an error reported */
	const struct yaml_tree_node *name_node;
};

struct field {
	const char *key;
	unsigned bits;
	int (*read)(struct manifest_context *ctx,
		    const struct yaml_tree_node *node, struct trunk_fields *f);
};

static const char *const document_keys[] = { "apiVersion", "kind", "edge",
					     "defaults", "trunks" };
static const char *const edge_keys[] = { "id", "name", "maxTrunks",
					 "prune" };
/* The keys of fields[] below, in the same order. */
static const char *const trunk_keys[] = {
	"name",         "description", "sipEndpoints",     "codecs",
	"maxConcurrentCalls", "natTraversal", "keepAlive",
	"sipInviteTimeout", "rtpTimeout",   "state",
};
static const char *const keepalive_keys[] = { "interval", "protocol" };

static bool has_control_character(const char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return true;
	return false;
}

/* Checks a trunk or edge name: 1 to 255 bytes, no control characters. */
static int check_name(struct manifest_context *ctx,
		      const struct yaml_tree_node *node, const char *field,
		      const char *name)
{
	size_t length = strlen(name);

	if (length == 0)
		return manifest_error(ctx, node, "%s: the name is empty",
				      field);
	if (length > TRUNK_NAME_MAX)
		return manifest_error(ctx, node, "%s: the name is %zu bytes "
				      "long; at most %d are allowed", field,
				      length, TRUNK_NAME_MAX);
	if (has_control_character(name))
		return manifest_error(ctx, node, "%s: the name contains a "
				      "control character", field);
	return 0;
}

static int read_name(struct manifest_context *ctx,
		     const struct yaml_tree_node *node, struct trunk_fields *f)
{
	int rc = manifest_read_string(ctx, node, "name", &f->spec.name);

	if (rc < 0)
		return rc;
	f->name_node = node;
	return check_name(ctx, node, "name", f->spec.name);
}

static int read_description(struct manifest_context *ctx,
			    const struct yaml_tree_node *node,
			    struct trunk_fields *f)
{
	return manifest_read_string(ctx, node, "description",
				    &f->spec.description);
}

static int read_endpoints(struct manifest_context *ctx,
			  const struct yaml_tree_node *node,
			  struct trunk_fields *f)
{
	return manifest_read_endpoints(ctx, node, &f->spec.sip_endpoints,
				       &f->spec.sip_endpoint_count);
}

static int read_codecs(struct manifest_context *ctx,
		       const struct yaml_tree_node *node,
		       struct trunk_fields *f)
{
	return manifest_read_codecs(ctx, node, &f->spec.codecs,
				    &f->spec.codec_count);
}

static int read_max_calls(struct manifest_context *ctx,
			  const struct yaml_tree_node *node,
			  struct trunk_fields *f)
{
	return manifest_read_int(ctx, node, "maxConcurrentCalls", 1,
				 MAX_CONCURRENT_CALLS_MAX,
				 &f->spec.max_concurrent_calls);
}

static int read_nat(struct manifest_context *ctx,
		    const struct yaml_tree_node *node, struct trunk_fields *f)
{
	return manifest_read_bool(ctx, node, "natTraversal",
				  &f->spec.nat_traversal);
}

static int read_invite_timeout(struct manifest_context *ctx,
			       const struct yaml_tree_node *node,
			       struct trunk_fields *f)
{
	return manifest_read_int(ctx, node, "sipInviteTimeout", 1,
				 TIMEOUT_MAX, &f->spec.sip_invite_timeout);
}

static int read_rtp_timeout(struct manifest_context *ctx,
			    const struct yaml_tree_node *node,
			    struct trunk_fields *f)
{
	return manifest_read_int(ctx, node, "rtpTimeout", 1, TIMEOUT_MAX,
				 &f->spec.rtp_timeout);
}

static int read_state(struct manifest_context *ctx,
		      const struct yaml_tree_node *node, struct trunk_fields *f)
{
	static const enum trunk_state states[] = {
		TRUNK_STATE_ACTIVE, TRUNK_STATE_INACTIVE, TRUNK_STATE_ABSENT
	};
	char what[96];
	size_t i;

	if (node->kind == YAML_TREE_SCALAR && !yaml_tree_is_null(node)) {
		for (i = 0; i < ARRAY_SIZE(states); i++) {
			if (strcasecmp(node->value,
				       trunk_state_name(states[i])) == 0) {
				f->state = states[i];
				return 0;
			}
		}
	}
	return manifest_error(ctx, node, "state: expected active, inactive "
			      "or absent, got %s",
			      manifest_describe(node, what, sizeof(what)));
}

static int read_keepalive_protocol(struct manifest_context *ctx,
				   const struct yaml_tree_node *node,
				   struct trunk_fields *f)
{
	char what[96];

	if (node->kind == YAML_TREE_SCALAR &&
	    strcasecmp(node->value, "SIP") == 0) {
		f->spec.keepalive_protocol = KEEPALIVE_SIP;
		return 0;
	}
	if (node->kind == YAML_TREE_SCALAR &&
	    strcasecmp(node->value, "OPTIONS") == 0) {
		f->spec.keepalive_protocol = KEEPALIVE_OPTIONS;
		return 0;
	}
	return manifest_error(ctx, node, "keepAlive.protocol: expected SIP "
			      "or OPTIONS, got %s",
			      manifest_describe(node, what, sizeof(what)));
}

/* Sets its own bits, because keepAlive's two fields merge separately. */
static int read_keepalive(struct manifest_context *ctx,
			  const struct yaml_tree_node *node,
			  struct trunk_fields *f)
{
	const struct yaml_tree_node *values[ARRAY_SIZE(keepalive_keys)];
	const struct yaml_tree_node *interval, *protocol;
	char what[96];
	int rc = 0, field_rc;

	if (node->kind != YAML_TREE_MAPPING)
		return manifest_error(ctx, node, "keepAlive: expected a "
				      "mapping, got %s",
				      manifest_describe(node, what,
							sizeof(what)));
	rc = manifest_check_keys(ctx, node, "keepAlive", keepalive_keys,
				 ARRAY_SIZE(keepalive_keys), values);

	interval = values[0];
	if (interval) {
		field_rc = manifest_read_int(ctx, interval,
					     "keepAlive.interval", 1,
					     KEEPALIVE_INTERVAL_MAX,
					     &f->spec.keepalive_interval);
		f->present |= field_rc == 0 ? F_KEEPALIVE_INTERVAL : 0;
		rc = field_rc < 0 ? field_rc : rc;
	}
	protocol = values[1];
	if (protocol) {
		field_rc = read_keepalive_protocol(ctx, protocol, f);
		f->present |= field_rc == 0 ? F_KEEPALIVE_PROTOCOL : 0;
		rc = field_rc < 0 ? field_rc : rc;
	}
	return rc;
}

static const struct field fields[] = {
	{ "name", F_NAME, read_name },
	{ "description", F_DESCRIPTION, read_description },
	{ "sipEndpoints", F_ENDPOINTS, read_endpoints },
	{ "codecs", F_CODECS, read_codecs },
	{ "maxConcurrentCalls", F_MAX_CALLS, read_max_calls },
	{ "natTraversal", F_NAT, read_nat },
	{ "keepAlive", F_KEEPALIVE_INTERVAL | F_KEEPALIVE_PROTOCOL,
	  read_keepalive },
	{ "sipInviteTimeout", F_INVITE_TIMEOUT, read_invite_timeout },
	{ "rtpTimeout", F_RTP_TIMEOUT, read_rtp_timeout },
	{ "state", F_STATE, read_state },
};

_Static_assert(ARRAY_SIZE(fields) == ARRAY_SIZE(trunk_keys),
	       "fields[] and trunk_keys[] list the same keys");

/*
 * Reads the trunk fields of a trunk or of `defaults`, from the values
 * that manifest_check_keys() found for trunk_keys.
 */
static int read_fields(struct manifest_context *ctx,
		       const struct yaml_tree_node *const *values,
		       bool defaults, struct trunk_fields *f)
{
	const struct yaml_tree_node *node;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		assert(strcmp(fields[i].key, trunk_keys[i]) == 0);
		node = values[i];
		if (!node)
			continue;
		if (defaults && (fields[i].bits & (F_NAME | F_STATE))) {
			rc = manifest_error(ctx, node, "'%s' cannot be set in "
					    "defaults; set it on each trunk",
					    fields[i].key);
		} else {
			rc = fields[i].read(ctx, node, f);
		}
		if (rc == TRUNKCTL_ENOMEM)
			return rc;
		if (rc < 0)
			f->invalid |= fields[i].bits;
		else if (fields[i].read != read_keepalive)
			f->present |= fields[i].bits;
	}
	return 0;
}

static int copy_strings(char ***dst, size_t *dst_count, char *const *src,
			size_t count)
{
	size_t i;

	*dst = calloc(count ? count : 1, sizeof(**dst));
	if (!*dst)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < count; i++) {
		(*dst)[i] = strdup(src[i]);
		if (!(*dst)[i])
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		*dst_count = i + 1;
	}
	return 0;
}

/* Returns the fields that set `bit`: the trunk's own, or the defaults. */
static const struct trunk_fields *pick(const struct trunk_fields *own,
				       const struct trunk_fields *defaults,
				       unsigned bit)
{
	if (own->present & bit)
		return own;
	if (defaults->present & bit)
		return defaults;
	return NULL;
}

static int report_missing(struct manifest_context *ctx,
			  const struct yaml_tree_node *node,
			  const struct trunk_fields *own,
			  const struct trunk_fields *defaults)
{
	static const struct {
		unsigned bit;
		const char *key;
	} required[] = {
		{ F_ENDPOINTS, "sipEndpoints" },
		{ F_CODECS, "codecs" },
		{ F_MAX_CALLS, "maxConcurrentCalls" },
	};
	unsigned known = own->present | own->invalid | defaults->present |
			 defaults->invalid;
	size_t i;
	int rc = 0;

	if (!((own->present | own->invalid) & F_NAME))
		rc = manifest_error(ctx, node, "trunk has no 'name'");
	for (i = 0; i < ARRAY_SIZE(required) && rc != TRUNKCTL_ENOMEM; i++)
		if (!(known & required[i].bit))
			rc = manifest_error(ctx, node, "trunk has no '%s'; set "
					    "it on the trunk or in defaults",
					    required[i].key);
	return rc;
}

static void move_strings(char ***dst, size_t *dst_count, char ***src,
			 size_t *src_count)
{
	*dst = *src;
	*dst_count = *src_count;
	*src = NULL;
	*src_count = 0;
}

/*
 * Combines a trunk's fields with the defaults into `out`. The strings
 * that the trunk sets itself move to `out`, and those of the defaults,
 * which every trunk shares, are copied.
 */
static int build_trunk(struct trunk_fields *own,
		       const struct trunk_fields *defaults,
		       struct trunk_spec *out)
{
	const struct trunk_fields *s;
	int rc = 0;

	out->name = own->spec.name;
	own->spec.name = NULL;
	if (own->present & F_DESCRIPTION) {
		out->description = own->spec.description;
		own->spec.description = NULL;
	} else {
		s = pick(own, defaults, F_DESCRIPTION);
		out->description = strdup(s ? s->spec.description : "");
		if (!out->description)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}

	if (own->present & F_ENDPOINTS)
		move_strings(&out->sip_endpoints, &out->sip_endpoint_count,
			     &own->spec.sip_endpoints,
			     &own->spec.sip_endpoint_count);
	else
		rc = copy_strings(&out->sip_endpoints,
				  &out->sip_endpoint_count,
				  defaults->spec.sip_endpoints,
				  defaults->spec.sip_endpoint_count);
	if (rc < 0)
		return rc;
	if (own->present & F_CODECS)
		move_strings(&out->codecs, &out->codec_count,
			     &own->spec.codecs, &own->spec.codec_count);
	else
		rc = copy_strings(&out->codecs, &out->codec_count,
				  defaults->spec.codecs,
				  defaults->spec.codec_count);
	if (rc < 0)
		return rc;

	out->max_concurrent_calls =
		pick(own, defaults, F_MAX_CALLS)->spec.max_concurrent_calls;
	s = pick(own, defaults, F_NAT);
	out->nat_traversal = s ? s->spec.nat_traversal : false;
	s = pick(own, defaults, F_KEEPALIVE_INTERVAL);
	out->keepalive_interval = s ? s->spec.keepalive_interval :
				      TRUNK_DEFAULT_KEEPALIVE_INTERVAL;
	s = pick(own, defaults, F_KEEPALIVE_PROTOCOL);
	out->keepalive_protocol = s ? s->spec.keepalive_protocol :
				      KEEPALIVE_SIP;
	s = pick(own, defaults, F_INVITE_TIMEOUT);
	out->sip_invite_timeout = s ? s->spec.sip_invite_timeout :
				      TRUNK_DEFAULT_SIP_INVITE_TIMEOUT;
	s = pick(own, defaults, F_RTP_TIMEOUT);
	out->rtp_timeout = s ? s->spec.rtp_timeout :
			       TRUNK_DEFAULT_RTP_TIMEOUT;
	return 0;
}

/* Adds a trunk name, in ASCII lower case, to the names to check. */
static int remember_name(const struct trunk_fields *own,
			 struct manifest_keyed_item *names, size_t *count)
{
	struct manifest_keyed_item *item = &names[*count];
	char *p;

	item->key = strdup(own->spec.name);
	if (!item->key)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (p = item->key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	item->node = own->name_node;
	item->index = *count;
	(*count)++;
	return 0;
}

/*
 * Reads one entry of `trunks`. Its name goes to `names` (when valid) so
 * that repeats are found even in trunks with other errors.
 */
static int read_trunk(struct manifest_context *ctx,
		      const struct yaml_tree_node *node,
		      const struct trunk_fields *defaults,
		      struct desired_edge *edge,
		      struct manifest_keyed_item *names, size_t *name_count)
{
	const struct yaml_tree_node *values[ARRAY_SIZE(trunk_keys)];
	struct trunk_fields own = { 0 };
	struct desired_trunk *trunk;
	char what[96];
	int rc;

	if (node->kind != YAML_TREE_MAPPING)
		return manifest_error(ctx, node, "trunks: expected a mapping "
				      "for each trunk, got %s",
				      manifest_describe(node, what,
							sizeof(what)));

	rc = manifest_check_keys(ctx, node, "trunk", trunk_keys,
				 ARRAY_SIZE(trunk_keys), values);
	if (rc != TRUNKCTL_ENOMEM)
		rc = read_fields(ctx, values, false, &own);
	if (rc == 0 && (own.present & F_NAME))
		rc = remember_name(&own, names, name_count);
	if (rc == 0)
		rc = report_missing(ctx, node, &own, defaults);
	if (rc < 0 || own.invalid || defaults->invalid)
		goto done;

	trunk = &edge->trunks[edge->trunk_count];
	rc = build_trunk(&own, defaults, &trunk->spec);
	trunk->state = (own.present & F_STATE) ? own.state :
						 TRUNK_STATE_ACTIVE;
	trunk->where.file = ctx->file;
	trunk->where.line = node->line;
	trunk->where.column = node->column;
	edge->trunk_count++;

done:
	trunk_spec_release(&own.spec);
	return rc;
}

static int read_trunks(struct manifest_context *ctx,
		       const struct yaml_tree_node *node,
		       const struct trunk_fields *defaults,
		       struct desired_edge *edge)
{
	struct manifest_keyed_item *names = NULL;
	size_t name_count = 0, i;
	char what[96];
	int rc = 0, trunk_rc;

	if (node->kind != YAML_TREE_SEQUENCE)
		return manifest_error(ctx, node, "trunks: expected a list, got "
				      "%s",
				      manifest_describe(node, what,
							sizeof(what)));

	edge->trunks = calloc(node->count + 1, sizeof(*edge->trunks));
	names = calloc(node->count + 1, sizeof(*names));
	if (!edge->trunks || !names) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < node->count; i++) {
		trunk_rc = read_trunk(ctx, node->items[i], defaults, edge,
				      names, &name_count);
		if (trunk_rc == TRUNKCTL_ENOMEM) {
			rc = trunk_rc;
			goto done;
		}
	}
	rc = manifest_report_repeats(ctx, names, name_count, "trunk name");

done:
	for (i = 0; i < name_count; i++)
		free(names[i].key);
	free(names);
	return rc == TRUNKCTL_ENOMEM ? rc : 0;
}

static int read_edge_id(struct manifest_context *ctx,
			const struct yaml_tree_node *node, char **id)
{
	int rc = manifest_read_string(ctx, node, "edge.id", id);
	size_t length;

	if (rc < 0)
		return rc;
	length = strlen(*id);
	if (length == 0 || length > EDGE_ID_MAX ||
	    strspn(*id, "0123456789abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") != length) {
		free(*id);
		*id = NULL;
		return manifest_error(ctx, node, "edge.id: expected 1 to %d "
				      "letters, digits, '-', '_' or '.', such "
				      "as a UUID", EDGE_ID_MAX);
	}
	return 0;
}

static int read_edge_name(struct manifest_context *ctx,
			  const struct yaml_tree_node *node, char **name)
{
	int rc = manifest_read_string(ctx, node, "edge.name", name);

	if (rc == 0)
		rc = check_name(ctx, node, "edge.name", *name);
	if (rc < 0) {
		free(*name);
		*name = NULL;
	}
	return rc;
}

static int read_edge(struct manifest_context *ctx,
		     const struct yaml_tree_node *node,
		     struct desired_edge *edge)
{
	const struct yaml_tree_node *id, *name, *max, *prune, *where;
	struct edge_ref *ref = &edge->edge;
	char what[96];
	int rc;

	if (node->kind != YAML_TREE_MAPPING)
		return manifest_error(ctx, node, "edge: expected a mapping, "
				      "got %s",
				      manifest_describe(node, what,
							sizeof(what)));
	manifest_check_keys(ctx, node, "edge", edge_keys,
			    ARRAY_SIZE(edge_keys), NULL);

	id = yaml_tree_get(node, "id");
	name = yaml_tree_get(node, "name");
	max = yaml_tree_get(node, "maxTrunks");
	prune = yaml_tree_get(node, "prune");
	if (!id && !name)
		manifest_error(ctx, node, "edge: give an 'id' or a 'name'");
	if (id && (rc = read_edge_id(ctx, id, &ref->id)) == TRUNKCTL_ENOMEM)
		return rc;
	if (name && (rc = read_edge_name(ctx, name, &ref->name)) ==
			    TRUNKCTL_ENOMEM)
		return rc;

	ref->max_trunks = EDGE_DEFAULT_MAX_TRUNKS;
	if (max)
		manifest_read_int(ctx, max, "edge.maxTrunks", 1,
				  EDGE_MAX_TRUNKS_LIMIT, &ref->max_trunks);
	if (prune)
		manifest_read_bool(ctx, prune, "edge.prune", &ref->prune);

	where = node;
	if (ref->id)
		where = id;
	else if (ref->name)
		where = name;
	edge->where.file = ctx->file;
	edge->where.line = where->line;
	edge->where.column = where->column;
	return 0;
}

/* Reports an edge that declares more trunks than its limit allows. */
static int check_trunk_limit(struct manifest_context *ctx,
			     const struct yaml_tree_node *edge_node,
			     const struct desired_edge *edge)
{
	const struct yaml_tree_node *max = yaml_tree_get(edge_node,
							 "maxTrunks");
	size_t kept = 0, i;

	for (i = 0; i < edge->trunk_count; i++)
		if (edge->trunks[i].state != TRUNK_STATE_ABSENT)
			kept++;
	if (kept <= (size_t)edge->edge.max_trunks)
		return 0;
	return manifest_error(ctx, max ? max : edge_node, "the edge declares "
			      "%zu trunks that are not absent, more than its "
			      "maxTrunks of %d", kept, edge->edge.max_trunks);
}

static int read_kind(struct manifest_context *ctx,
		     const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *kind = yaml_tree_get(root, "kind");
	char what[96];

	if (!kind)
		return manifest_error(ctx, root, "missing 'kind: " KIND "'");
	if (kind->kind == YAML_TREE_SCALAR && strcmp(kind->value, KIND) == 0)
		return 0;
	return manifest_error(ctx, kind, "kind: expected " KIND ", got %s",
			      manifest_describe(kind, what, sizeof(what)));
}

static int read_body(struct manifest_context *ctx,
		     const struct yaml_tree_node *root,
		     struct desired_edge *edge)
{
	const struct yaml_tree_node *values[ARRAY_SIZE(trunk_keys)];
	const struct yaml_tree_node *edge_node, *defaults_node, *trunks;
	struct trunk_fields defaults = { 0 };
	char what[96];
	int rc = 0;

	manifest_check_keys(ctx, root, "the document", document_keys,
			    ARRAY_SIZE(document_keys), NULL);
	read_kind(ctx, root);

	edge_node = yaml_tree_get(root, "edge");
	if (!edge_node)
		manifest_error(ctx, root, "missing 'edge'");
	else if ((rc = read_edge(ctx, edge_node, edge)) == TRUNKCTL_ENOMEM)
		goto done;

	defaults_node = yaml_tree_get(root, "defaults");
	if (defaults_node && defaults_node->kind != YAML_TREE_MAPPING) {
		manifest_error(ctx, defaults_node, "defaults: expected a "
			       "mapping, got %s",
			       manifest_describe(defaults_node, what,
						 sizeof(what)));
		defaults.invalid = ~0u;
	} else if (defaults_node) {
		manifest_check_keys(ctx, defaults_node, "defaults", trunk_keys,
				    ARRAY_SIZE(trunk_keys), values);
		rc = read_fields(ctx, values, true, &defaults);
		if (rc == TRUNKCTL_ENOMEM)
			goto done;
	}

	trunks = yaml_tree_get(root, "trunks");
	if (!trunks)
		manifest_error(ctx, root, "missing 'trunks'; write 'trunks: "
			       "[]' for an edge without trunks");
	else if ((rc = read_trunks(ctx, trunks, &defaults, edge)) < 0)
		goto done;
	if (edge_node && edge_node->kind == YAML_TREE_MAPPING)
		check_trunk_limit(ctx, edge_node, edge);

done:
	trunk_spec_release(&defaults.spec);
	return rc == TRUNKCTL_ENOMEM ? rc : 0;
}

static bool is_trunkctl(const struct yaml_tree_node *api)
{
	return api && api->kind == YAML_TREE_SCALAR &&
	       strncmp(api->value, API_GROUP, strlen(API_GROUP)) == 0;
}

static int warn_skipped(struct manifest_context *ctx,
			const struct yaml_tree_node *root,
			const struct yaml_tree_node *api)
{
	char what[96];

	if (!api)
		return manifest_warning(ctx, root, "skipping a document "
					"without apiVersion: not a trunkctl "
					"manifest");
	if (api->kind != YAML_TREE_SCALAR)
		return manifest_warning(ctx, api, "skipping a document whose "
					"apiVersion is %s: not a trunkctl "
					"manifest",
					manifest_describe(api, what,
							  sizeof(what)));
	return manifest_warning(ctx, api, "skipping a document of apiVersion "
				"'%s': not a trunkctl manifest",
				diag_quote(what, sizeof(what), api->value,
					   api->length));
}

/*
 * Decides whether the document is a trunkctl/v1 manifest. Returns 0 for
 * one, MANIFEST_DOCUMENT_SKIPPED for other YAML (after a warning), or
 * TRUNKCTL_EINVALID for a trunkctl document this version cannot read.
 */
static int check_api_version(struct manifest_context *ctx,
			     const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *api, *kind;
	char what[96];
	int rc;

	if (root->kind != YAML_TREE_MAPPING) {
		rc = manifest_warning(ctx, root, "skipping a document that is "
				      "not a mapping: not a trunkctl manifest");
		return rc < 0 ? rc : MANIFEST_DOCUMENT_SKIPPED;
	}
	api = yaml_tree_get(root, "apiVersion");
	kind = yaml_tree_get(root, "kind");
	if (!api && kind && kind->kind == YAML_TREE_SCALAR &&
	    strcmp(kind->value, KIND) == 0)
		return manifest_error(ctx, root, "missing 'apiVersion: "
				      API_VERSION "'");
	if (!is_trunkctl(api)) {
		rc = warn_skipped(ctx, root, api);
		return rc < 0 ? rc : MANIFEST_DOCUMENT_SKIPPED;
	}
	if (strcmp(api->value, API_VERSION) != 0)
		return manifest_error(ctx, api, "unsupported apiVersion '%s'; "
				      "this trunkctl reads " API_VERSION,
				      diag_quote(what, sizeof(what),
						 api->value, api->length));
	return 0;
}

int manifest_read_document(struct manifest_context *ctx,
			   const struct yaml_tree_document *document,
			   struct desired_edge *edge)
{
	const struct yaml_tree_node *root = document->root;
	size_t errors = ctx->diags->errors;
	int rc;

	if (!root || yaml_tree_is_null(root))
		return MANIFEST_DOCUMENT_EMPTY;
	rc = check_api_version(ctx, root);
	if (rc != 0)
		return rc;

	rc = read_body(ctx, root, edge);
	if (rc < 0)
		return rc;
	return ctx->diags->errors > errors ? TRUNKCTL_EINVALID : 0;
}

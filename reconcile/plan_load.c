/* Reading a plan file back, with checks of its version and digest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/error.h"
#include "reconcile/internal.h"
#include "reconcile/plan_internal.h"

/* Plan files hold a few thousand actions at most; anything far larger is
 * not a plan. */
#define PLAN_FILE_MAX (64u << 20)

/* Reading a plan file back. */
struct reader {
	const char *path;
	struct plan *plan;
};

static int invalid(const struct reader *r, const char *reason)
{
	return error_set(TRUNKCTL_EINVALID,
			 "plan file '%s' is invalid: %s; make a new plan",
			 r->path, reason);
}

/* Copies a string member; a missing or null member is NULL unless
 * `required`. */
static int read_text(const struct reader *r, const cJSON *object,
		     const char *key, bool required, char **out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	char reason[128];

	*out = NULL;
	if ((!item || cJSON_IsNull(item)) && !required)
		return 0;
	if (!cJSON_IsString(item)) {
		snprintf(reason, sizeof(reason), "\"%s\" is missing or not a "
			 "string", key);
		return invalid(r, reason);
	}
	*out = strdup(item->valuestring);
	return *out ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static int read_number(const struct reader *r, const cJSON *object,
		       const char *key, double min, double max, double *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	char reason[128];

	if (!cJSON_IsNumber(item) || item->valuedouble < min ||
	    item->valuedouble > max) {
		snprintf(reason, sizeof(reason), "\"%s\" is missing or out of "
			 "range", key);
		return invalid(r, reason);
	}
	*out = item->valuedouble;
	return 0;
}

static bool read_bool(const cJSON *object, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(object, key));
}

static int parse_time_ms(const char *text, long long *out)
{
	struct tm tm = { 0 };
	int ms = 0;

	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year,
		   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (long long)timegm(&tm) * 1000 + ms;
	return 0;
}

static int read_source(struct reader *r, const cJSON *json)
{
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(json, "source");
	struct plan *plan = r->plan;
	int rc;

	if (!cJSON_IsObject(source))
		return invalid(r, "\"source\" is missing");
	if ((rc = read_text(r, source, "path", false,
			    (char **)&plan->source.path)) < 0 ||
	    (rc = read_text(r, source, "repo", false,
			    (char **)&plan->source.repo)) < 0 ||
	    (rc = read_text(r, source, "ref", false,
			    (char **)&plan->source.ref)) < 0 ||
	    (rc = read_text(r, source, "commit", false,
			    (char **)&plan->source.commit)) < 0)
		return rc;
	plan->source.dirty = read_bool(source, "dirty");
	return 0;
}

static int read_unmanaged(struct reader *r, const cJSON *json,
			  struct plan_edge *edge)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(json,
							     "unmanaged");
	const cJSON *item;
	struct plan_unmanaged *u;
	char *status = NULL;
	int rc;

	if (!cJSON_IsArray(list))
		return invalid(r, "an edge has no \"unmanaged\" list");
	edge->unmanaged = calloc((size_t)cJSON_GetArraySize(list) + 1,
				 sizeof(*edge->unmanaged));
	if (!edge->unmanaged)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	cJSON_ArrayForEach(item, list) {
		u = &edge->unmanaged[edge->unmanaged_count++];
		if ((rc = read_text(r, item, "id", true, &u->id)) < 0 ||
		    (rc = read_text(r, item, "name", true, &u->name)) < 0 ||
		    (rc = read_text(r, item, "status", true, &status)) < 0)
			return rc;
		u->status = TRUNK_STATUS_UNKNOWN;
		trunk_status_parse(status, &u->status);
		free(status);
		status = NULL;
	}
	return 0;
}

static int read_edge(struct reader *r, const cJSON *json)
{
	struct plan_edge *edge = plan_push_edge(r->plan);
	const cJSON *warnings, *item;
	char *fingerprint = NULL;
	double number;
	int rc;

	if (!edge)
		return TRUNKCTL_ENOMEM;
	if ((rc = read_text(r, json, "id", true, &edge->id)) < 0 ||
	    (rc = read_text(r, json, "name", false, &edge->name)) < 0 ||
	    (rc = read_text(r, json, "error", false, &edge->error)) < 0 ||
	    (rc = read_number(r, json, "maxTrunks", 1, 1e9, &number)) < 0)
		return rc;
	edge->max_trunks = (int)number;
	edge->prune = read_bool(json, "prune");
	if ((rc = read_number(r, json, "liveTrunks", 0, 1e9, &number)) < 0)
		return rc;
	edge->live_count = (size_t)number;
	if ((rc = read_text(r, json, "fingerprint", true, &fingerprint)) < 0)
		return rc;
	if (!is_sha256_hex(fingerprint)) {
		free(fingerprint);
		return invalid(r, "an edge fingerprint is not a SHA-256");
	}
	memcpy(edge->fingerprint, fingerprint, 65);
	free(fingerprint);

	warnings = cJSON_GetObjectItemCaseSensitive(json, "warnings");
	cJSON_ArrayForEach(item, warnings) {
		if (cJSON_IsString(item) &&
		    (rc = plan_edge_add_warning(edge, item->valuestring)) < 0)
			return rc;
	}
	return read_unmanaged(r, json, edge);
}

static int find_edge(struct reader *r, const char *id, size_t *out)
{
	size_t i;

	for (i = 0; i < r->plan->edge_count; i++) {
		if (strcmp(r->plan->edges[i].id, id) == 0) {
			*out = i;
			return 0;
		}
	}
	return invalid(r, "an action names an edge the plan does not list");
}

static int read_dependencies(struct reader *r, const cJSON *json,
			     struct plan_action *action)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(json,
							     "dependsOn");
	const cJSON *item;
	int rc;

	if (!cJSON_IsArray(list))
		return invalid(r, "an action has no \"dependsOn\" list");
	cJSON_ArrayForEach(item, list) {
		/* Dependencies point backwards, so the plan has no cycle. */
		if (!cJSON_IsNumber(item) || item->valuedouble < 0 ||
		    item->valuedouble >= (double)action->id)
			return invalid(r, "an action depends on an action "
				       "that does not precede it");
		rc = plan_action_add_dependency(action,
						(size_t)item->valuedouble);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Decodes a payload with the API's Trunk decoder, which needs an id. */
static int read_payload(struct reader *r, const cJSON *json,
			struct plan_action *action)
{
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(json,
								"payload");
	struct live_trunk decoded;
	cJSON *copy;
	int rc;

	if (!cJSON_IsObject(payload))
		return invalid(r, "a create or update has no \"payload\"");
	copy = cJSON_Duplicate(payload, true);
	if (!copy || !cJSON_AddStringToObject(copy, "id", "plan")) {
		cJSON_Delete(copy);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	rc = live_trunk_from_json(copy, &decoded);
	cJSON_Delete(copy);
	if (rc < 0) {
		char reason[512];

		/* error_set() must not read the buffer it writes. */
		snprintf(reason, sizeof(reason), "%s", error_message());
		return invalid(r, reason);
	}
	trunk_spec_release(&action->spec);
	action->spec = decoded.spec;
	trunk_spec_init(&decoded.spec);
	live_trunk_release(&decoded);
	action->has_spec = true;
	return 0;
}

static int read_changes(struct reader *r, const cJSON *json,
			struct plan_action *action)
{
	static const char *const fields[] = {
		"name", "description", "maxConcurrentCalls", "codecs",
		"sipEndpoints", "natTraversal", "keepAliveInterval",
		"keepAliveProtocol", "sipInviteTimeout", "rtpTimeout",
	};
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "changes");
	const cJSON *item;
	struct field_change *change;
	char *field = NULL;
	size_t i;
	int rc;

	if (!cJSON_IsArray(list))
		return invalid(r, "an update has no \"changes\" list");
	action->changes = calloc((size_t)cJSON_GetArraySize(list) + 1,
				 sizeof(*action->changes));
	if (!action->changes)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	cJSON_ArrayForEach(item, list) {
		change = &action->changes[action->change_count++];
		if ((rc = read_text(r, item, "field", true, &field)) < 0)
			return rc;
		/* field_change.field points at a static name. */
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(fields[i], field) == 0)
				change->field = fields[i];
		free(field);
		if (!change->field)
			return invalid(r, "a change names an unknown field");
		if ((rc = read_text(r, item, "before", true,
				    &change->before)) < 0 ||
		    (rc = read_text(r, item, "after", true,
				    &change->after)) < 0)
			return rc;
	}
	return 0;
}

static int read_action_state(struct reader *r, const cJSON *json,
			     struct plan_action *action)
{
	char *status = NULL;
	double version;
	int rc;

	rc = read_text(r, json, "liveStatus", false, &status);
	if (rc < 0)
		return rc;
	action->live_status = TRUNK_STATUS_UNKNOWN;
	if (status)
		trunk_status_parse(status, &action->live_status);
	free(status);
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(json,
							    "liveVersion"))) {
		rc = read_number(r, json, "liveVersion", 0, 9007199254740992.0,
				 &version);
		if (rc < 0)
			return rc;
		action->live_version = (long)version;
	}
	action->out_of_service = read_bool(json, "outOfService");
	action->conditional = read_bool(json, "conditional");
	return 0;
}

static int read_kind(struct reader *r, const char *name,
		     enum plan_action_kind *kind)
{
	char reason[128];

	if (plan_action_kind_parse(name, kind) == 0)
		return 0;
	snprintf(reason, sizeof(reason), "unknown action kind \"%.64s\"",
		 name);
	return invalid(r, reason);
}

static int read_action(struct reader *r, const cJSON *json)
{
	struct plan_action *action = plan_push_action(r->plan);
	char *edge = NULL, *kind = NULL;
	double id;
	int rc;

	if (!action)
		return TRUNKCTL_ENOMEM;
	if ((rc = read_number(r, json, "id", 0, 1e9, &id)) < 0)
		return rc;
	if ((size_t)id != action->id)
		return invalid(r, "action ids are not in order");
	if ((rc = read_text(r, json, "edge", true, &edge)) < 0 ||
	    (rc = find_edge(r, edge, &action->edge)) < 0 ||
	    (rc = read_text(r, json, "kind", true, &kind)) < 0 ||
	    (rc = read_kind(r, kind, &action->kind)) < 0 ||
	    (rc = read_text(r, json, "trunk", true,
			    &action->trunk_name)) < 0 ||
	    (rc = read_text(r, json, "trunkId", false,
			    &action->trunk_id)) < 0 ||
	    (rc = read_dependencies(r, json, action)) < 0 ||
	    (rc = read_action_state(r, json, action)) < 0)
		goto done;
	if (action->kind == PLAN_UPDATE)
		rc = read_changes(r, json, action);
	if (rc == 0 &&
	    (action->kind == PLAN_CREATE || action->kind == PLAN_UPDATE))
		rc = read_payload(r, json, action);

done:
	free(edge);
	free(kind);
	return rc;
}

static int check_header(struct reader *r, cJSON *json)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(
		json, "formatVersion");
	cJSON *stored;
	char digest[65];
	int rc;

	if (!cJSON_IsNumber(version))
		return invalid(r, "it has no formatVersion");
	if (version->valuedouble != PLAN_FORMAT_VERSION)
		return error_set(TRUNKCTL_EINVALID,
				 "plan file '%s' has formatVersion %g, but "
				 "this trunkctl reads version %d; make the "
				 "plan again with this version",
				 r->path, version->valuedouble,
				 PLAN_FORMAT_VERSION);

	/* NOTE: planSha256 has no key: it finds edits made by hand or by a
	 * broken transfer, not a forger who recomputes it. */
	stored = cJSON_DetachItemFromObjectCaseSensitive(json, "planSha256");
	if (!cJSON_IsString(stored)) {
		cJSON_Delete(stored);
		return invalid(r, "it has no planSha256");
	}
	rc = plan_body_digest(json, digest);
	if (rc == 0 && strcmp(digest, stored->valuestring) != 0)
		rc = error_set(TRUNKCTL_EINVALID,
			       "plan file '%s' was modified after it was "
			       "saved: its SHA-256 does not match "
			       "planSha256; make a new plan", r->path);
	cJSON_Delete(stored);
	return rc;
}

static int read_plan(struct reader *r, const cJSON *json)
{
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(json,
								"createdAt");
	const cJSON *edges = cJSON_GetObjectItemCaseSensitive(json, "edges");
	const cJSON *actions = cJSON_GetObjectItemCaseSensitive(json,
								"actions");
	const cJSON *item;
	int rc;

	if (!cJSON_IsString(created) ||
	    parse_time_ms(created->valuestring, &r->plan->created_ms) < 0)
		return invalid(r, "\"createdAt\" is not an ISO 8601 time");
	rc = read_source(r, json);
	if (rc < 0)
		return rc;
	if (!cJSON_IsArray(edges) || !cJSON_IsArray(actions))
		return invalid(r, "\"edges\" or \"actions\" is missing");
	cJSON_ArrayForEach(item, edges) {
		if ((rc = read_edge(r, item)) < 0)
			return rc;
	}
	cJSON_ArrayForEach(item, actions) {
		if ((rc = read_action(r, item)) < 0)
			return rc;
	}
	return 0;
}

int plan_load(const char *path, struct plan **out)
{
	struct reader r = { path, NULL };
	const char *end = NULL;
	cJSON *json = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = read_file_limited(path, PLAN_FILE_MAX, &text, &len);
	if (rc < 0)
		return rc;
	json = cJSON_ParseWithLengthOpts(text, len + 1, &end, true);
	if (!json || !cJSON_IsObject(json)) {
		rc = error_set(TRUNKCTL_EINVALID,
			       "plan file '%s' is not a JSON object (error "
			       "at byte %zu of %zu): the file is truncated "
			       "or not a plan; make a new plan",
			       path, end ? (size_t)(end - text) : (size_t)0,
			       len);
		goto done;
	}
	rc = check_header(&r, json);
	if (rc < 0)
		goto done;
	r.plan = plan_alloc();
	if (!r.plan) {
		rc = TRUNKCTL_ENOMEM;
		goto done;
	}
	rc = read_plan(&r, json);

done:
	if (rc < 0)
		plan_free(r.plan);
	else
		*out = r.plan;
	cJSON_Delete(json);
	free(text);
	return rc;
}

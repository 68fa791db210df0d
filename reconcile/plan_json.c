/*
 * The plan's JSON form (the --format json rendering and the plan file),
 * and the fingerprints that tie a saved plan to the live state it was
 * made from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/internal.h"
#include "reconcile/plan_internal.h"
#include "version.h"

static int compare_by_id(const void *a, const void *b)
{
	const struct live_trunk *x = *(const struct live_trunk *const *)a;
	const struct live_trunk *y = *(const struct live_trunk *const *)b;

	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* Appends one line per trunk: id, name, version, managed fields. */
static void put_trunk(struct textbuf *text, const struct live_trunk *trunk)
{
	textbuf_puts(text, trunk->id);
	textbuf_append(text, "\n", 1);
	textbuf_puts(text, trunk->spec.name);
	textbuf_printf(text, "\n%ld\n", trunk->version);
	if (!text->error &&
	    trunk_spec_canonical_append(&trunk->spec, &text->data, &text->len,
					&text->cap) < 0)
		text->error = TRUNKCTL_ENOMEM;
	textbuf_append(text, "\n", 1);
}

/* The trunks are written out in one buffer and hashed at once, which
 * costs less than a digest update for each of their fields. */
int plan_fingerprint(const struct live_trunk *live, size_t count,
		     char hex[65])
{
	const struct live_trunk **sorted = calloc(count + 1, sizeof(*sorted));
	struct textbuf text = TEXTBUF_INIT;
	size_t i, n = 0;
	int rc;

	if (!sorted)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < count; i++)
		if (!live[i].deleted && live[i].id && live[i].spec.name)
			sorted[n++] = &live[i];
	qsort(sorted, n, sizeof(*sorted), compare_by_id);

	for (i = 0; i < n && !text.error; i++)
		put_trunk(&text, sorted[i]);
	if (text.error)
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	else
		rc = sha256_hex(text.data ? text.data : "", text.len, hex);
	textbuf_release(&text);
	free(sorted);
	return rc;
}

int plan_check_fingerprints(const struct plan *plan,
			    const struct plan_edge_input *edges,
			    size_t edge_count)
{
	const struct plan_edge *edge;
	char fresh[65];
	size_t i, j;
	int rc;

	for (i = 0; i < plan->edge_count; i++) {
		edge = &plan->edges[i];
		for (j = 0; j < edge_count; j++)
			if (edges[j].edge_id &&
			    strcmp(edges[j].edge_id, edge->id) == 0)
				break;
		if (j == edge_count)
			return error_set(TRUNKCTL_ENOTFOUND,
					 "edge \"%s\" of the plan was not "
					 "fetched", edge->id);
		rc = plan_fingerprint(edges[j].live, edges[j].live_count,
				      fresh);
		if (rc < 0)
			return rc;
		if (strcmp(fresh, edge->fingerprint) != 0)
			return error_set(TRUNKCTL_ECONFLICT,
					 "the trunks of edge \"%s\" (%s) "
					 "changed since the plan was made, or "
					 "the plan was applied already "
					 "(fingerprint %.12s, now %.12s); "
					 "run plan again",
					 edge->name ? edge->name : edge->id,
					 edge->id, edge->fingerprint, fresh);
	}
	return 0;
}

cJSON *plan_source_to_json(const struct plan_source *source)
{
	cJSON *json = cJSON_CreateObject();
	bool ok;

	if (!json)
		return NULL;
	/* Files in a work tree have both their path and the work tree's
	 * revision. A git revision has no path. */
	ok = (!source->path && source->repo) ||
	     json_add_text(json, "path", source->path);
	if (ok && source->repo)
		ok = json_add_text(json, "repo", source->repo) &&
		     json_add_text(json, "ref", source->ref) &&
		     json_add_text(json, "commit", source->commit) &&
		     cJSON_AddBoolToObject(json, "dirty", source->dirty);
	if (!ok) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *unmanaged_to_json(const struct plan_edge *edge)
{
	cJSON *list = cJSON_CreateArray();
	cJSON *item;
	size_t i;

	for (i = 0; list && i < edge->unmanaged_count; i++) {
		item = cJSON_CreateObject();
		if (!item || !cJSON_AddItemToArray(list, item) ||
		    !json_add_text(item, "id", edge->unmanaged[i].id) ||
		    !json_add_text(item, "name", edge->unmanaged[i].name) ||
		    !json_add_text(item, "status",
			      trunk_status_name(edge->unmanaged[i].status))) {
			cJSON_Delete(list);
			return NULL;
		}
	}
	return list;
}

static cJSON *edge_to_json(const struct plan_edge *edge)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *warnings = cJSON_CreateArray();
	cJSON *unmanaged = unmanaged_to_json(edge);
	size_t i;
	bool ok;

	for (i = 0; warnings && i < edge->warning_count; i++)
		if (!cJSON_AddItemToArray(warnings, cJSON_CreateString(
				edge->warnings[i])))
			break;
	if (!json || !warnings || !unmanaged || i < edge->warning_count) {
		cJSON_Delete(warnings);
		cJSON_Delete(unmanaged);
		cJSON_Delete(json);
		return NULL;
	}
	ok = json_add_text(json, "id", edge->id) &&
	     json_add_text(json, "name", edge->name) &&
	     cJSON_AddNumberToObject(json, "maxTrunks", edge->max_trunks) &&
	     cJSON_AddBoolToObject(json, "prune", edge->prune) &&
	     cJSON_AddNumberToObject(json, "liveTrunks",
				     (double)edge->live_count) &&
	     json_add_text(json, "fingerprint", edge->fingerprint) &&
	     cJSON_AddItemToObject(json, "unmanaged", unmanaged);
	if (!ok)
		cJSON_Delete(unmanaged);
	ok = ok && cJSON_AddItemToObject(json, "warnings", warnings);
	if (!ok) {
		cJSON_Delete(warnings);
		cJSON_Delete(json);
		return NULL;
	}
	if (!json_add_text(json, "error", edge->error)) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *changes_to_json(const struct plan_action *action)
{
	cJSON *list = cJSON_CreateArray();
	cJSON *item;
	size_t i;

	for (i = 0; list && i < action->change_count; i++) {
		item = cJSON_CreateObject();
		if (!item || !cJSON_AddItemToArray(list, item) ||
		    !json_add_text(item, "field", action->changes[i].field) ||
		    !json_add_text(item, "before", action->changes[i].before) ||
		    !json_add_text(item, "after", action->changes[i].after)) {
			cJSON_Delete(list);
			return NULL;
		}
	}
	return list;
}

static bool add_action_details(cJSON *json, const struct plan_action *action)
{
	cJSON *changes, *payload;

	if (action->kind == PLAN_UPDATE) {
		changes = changes_to_json(action);
		if (!changes)
			return false;
		if (!cJSON_AddItemToObject(json, "changes", changes)) {
			cJSON_Delete(changes);
			return false;
		}
	}
	if (!action->has_spec)
		return true;
	payload = trunk_spec_to_payload(&action->spec,
					action->kind == PLAN_UPDATE
						? action->live_version
						: 0);
	if (!payload)
		return false;
	if (!cJSON_AddItemToObject(json, "payload", payload)) {
		cJSON_Delete(payload);
		return false;
	}
	return true;
}

static cJSON *action_to_json(const struct plan *plan,
			     const struct plan_action *action)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *depends = cJSON_CreateArray();
	bool live = action->trunk_id != NULL;
	size_t i;
	bool ok;

	for (i = 0; depends && i < action->depend_count; i++)
		if (!cJSON_AddItemToArray(depends, cJSON_CreateNumber(
				(double)action->depends_on[i])))
			break;
	if (!json || !depends || i < action->depend_count) {
		cJSON_Delete(depends);
		cJSON_Delete(json);
		return NULL;
	}
	ok = cJSON_AddNumberToObject(json, "id", (double)action->id) &&
	     json_add_text(json, "edge", plan->edges[action->edge].id) &&
	     json_add_text(json, "kind", plan_action_kind_name(action->kind)) &&
	     json_add_text(json, "trunk", action->trunk_name) &&
	     json_add_text(json, "trunkId", action->trunk_id);
	if (ok && cJSON_AddItemToObject(json, "dependsOn", depends))
		depends = NULL;
	else
		ok = false;
	ok = ok &&
	     cJSON_AddBoolToObject(json, "outOfService",
				   action->out_of_service) &&
	     cJSON_AddBoolToObject(json, "conditional", action->conditional) &&
	     json_add_text(json, "liveStatus",
		      live ? trunk_status_name(action->live_status) : NULL) &&
	     (live ? cJSON_AddNumberToObject(json, "liveVersion",
					     (double)action->live_version)
		   : cJSON_AddNullToObject(json, "liveVersion")) &&
	     add_action_details(json, action);
	if (!ok) {
		cJSON_Delete(depends);
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *summary_to_json(const struct plan *plan)
{
	struct plan_counts counts;
	cJSON *json = cJSON_CreateObject();
	size_t k;

	plan_count(plan, &counts);
	for (k = 0; json && k < PLAN_ACTION_KIND_COUNT; k++) {
		const char *kind = plan_action_kind_name(
			(enum plan_action_kind)k);

		if (!cJSON_AddNumberToObject(json, kind,
					     (double)counts.by_kind[k])) {
			cJSON_Delete(json);
			return NULL;
		}
	}
	if (json && !cJSON_AddNumberToObject(json, "total",
					     (double)counts.total)) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static bool attach_list(cJSON *object, const char *key, const struct plan *plan,
			bool edges)
{
	cJSON *list = cJSON_CreateArray();
	cJSON *item;
	size_t i, n = edges ? plan->edge_count : plan->action_count;

	for (i = 0; list && i < n; i++) {
		item = edges ? edge_to_json(&plan->edges[i])
			     : action_to_json(plan, &plan->actions[i]);
		if (!item || !cJSON_AddItemToArray(list, item)) {
			cJSON_Delete(item);
			cJSON_Delete(list);
			return false;
		}
	}
	return json_attach(object, key, list);
}

/* SHA-256 of the unformatted document without its planSha256 member. */
int plan_body_digest(const cJSON *json, char hex[65])
{
	char *text = cJSON_PrintUnformatted(json);
	int rc;

	if (!text)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = sha256_hex(text, strlen(text), hex);
	free(text);
	return rc;
}

cJSON *plan_to_json(const struct plan *plan)
{
	cJSON *json = cJSON_CreateObject();
	char created[32], digest[65];
	bool ok;

	if (!json)
		goto fail;
	format_time_ms(plan->created_ms, created);
	ok = cJSON_AddNumberToObject(json, "formatVersion",
				     PLAN_FORMAT_VERSION) &&
	     json_add_text(json, "toolVersion", TRUNKCTL_VERSION) &&
	     json_add_text(json, "createdAt", created) &&
	     json_attach(json, "source", plan_source_to_json(&plan->source)) &&
	     attach_list(json, "edges", plan, true) &&
	     attach_list(json, "actions", plan, false) &&
	     json_attach(json, "summary", summary_to_json(plan));
	if (!ok || plan_body_digest(json, digest) < 0 ||
	    !json_add_text(json, "planSha256", digest))
		goto fail;
	return json;

fail:
	cJSON_Delete(json);
	error_set(TRUNKCTL_ENOMEM, "out of memory rendering the plan");
	return NULL;
}

int plan_render_json(const struct plan *plan, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	cJSON *json;
	char *text;
	size_t i;

	*out = NULL;
	for (i = 0; i < plan->edge_count; i++)
		if (!plan->edges[i].fingerprint[0])
			return error_set(TRUNKCTL_ERROR,
					 "the plan of edge \"%s\" was made "
					 "without a fingerprint, which its "
					 "JSON form needs", plan->edges[i].id);
	json = plan_to_json(plan);
	if (!json)
		return TRUNKCTL_ENOMEM;
	text = cJSON_Print(json);
	cJSON_Delete(json);
	if (!text)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	textbuf_puts(&buf, text);
	textbuf_puts(&buf, "\n");
	free(text);
	return textbuf_detach(&buf, out);
}

int plan_save(const struct plan *plan, const char *path)
{
	char *text;
	int rc;

	if (plan_failed_edges(plan) > 0)
		return error_set(TRUNKCTL_EINVALID,
				 "not saving a plan in which %zu edges "
				 "failed", plan_failed_edges(plan));
	rc = plan_render_json(plan, &text);
	if (rc < 0)
		return rc;
	rc = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return rc;
}

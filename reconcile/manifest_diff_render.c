/* The renderings of a manifest diff: text, Markdown and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/internal.h"
#include "reconcile/manifest_diff.h"
#include "reconcile/plan_internal.h"

static const char symbols[] = { '+', '~', '-' };

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *edge_title(const struct manifest_edge_change *edge)
{
	if (edge->name)
		return edge->name;
	return edge->id ? edge->id : "?";
}

/* "origin/main" and "HEAD (commit 0123456789ab)", for the header. */
static void revisions_line(struct textbuf *buf, const struct manifest_diff *d,
			   const char *quote)
{
	const struct manifest_diff_revisions *r = &d->revisions;

	textbuf_printf(buf, "from the merge base of %s%s%s and %s%s%s "
		       "(commit %s%.12s%s) to %s%s%s (commit %s%.12s%s)",
		       quote, r->base_ref ? r->base_ref : "?", quote, quote,
		       r->head_ref ? r->head_ref : "?", quote, quote,
		       r->merge_base ? r->merge_base : "?", quote, quote,
		       r->head_ref ? r->head_ref : "?", quote, quote,
		       r->head_commit ? r->head_commit : "?", quote);
	if (r->path)
		textbuf_printf(buf, ", folder %s%s%s", quote, r->path, quote);
}

static void summary_line(struct textbuf *buf, const struct manifest_diff *d)
{
	struct manifest_diff_counts c;

	manifest_diff_count(d, &c);
	textbuf_printf(buf, "Manifests: %zu %s added, %zu changed, %zu "
		       "removed; %zu %s added, %zu changed, %zu removed.",
		       c.edges[MANIFEST_ADDED],
		       plural(c.edges[MANIFEST_ADDED], "edge", "edges"),
		       c.edges[MANIFEST_CHANGED], c.edges[MANIFEST_REMOVED],
		       c.trunks[MANIFEST_ADDED],
		       plural(c.trunks[MANIFEST_ADDED], "trunk", "trunks"),
		       c.trunks[MANIFEST_CHANGED], c.trunks[MANIFEST_REMOVED]);
}

/* The effect of a removal on the live trunk. */
static const char *removal_note(const struct manifest_edge_change *edge)
{
	if (edge->kind == MANIFEST_REMOVED)
		return "no manifest declares the edge now: its live trunks "
		       "stay as they are, unmanaged";
	if (edge->prune)
		return "the edge has prune: apply deletes the live trunk";
	return "the edge has no prune: the live trunk stays, unmanaged";
}

/* The lines of one trunk's details, joined by `separator`. */
static void trunk_details(struct textbuf *buf,
			  const struct manifest_edge_change *edge,
			  const struct manifest_trunk_change *t,
			  const char *separator)
{
	size_t i;

	if (t->kind == MANIFEST_ADDED)
		textbuf_printf(buf, "state: %s", trunk_state_name(t->state));
	else if (t->kind == MANIFEST_REMOVED)
		textbuf_puts(buf, removal_note(edge));
	for (i = 0; i < t->change_count; i++)
		textbuf_printf(buf, "%s%s: %s -> %s", i ? separator : "",
			       t->changes[i].field, t->changes[i].before,
			       t->changes[i].after);
	if (t->kind != MANIFEST_REMOVED && t->state == TRUNK_STATE_ABSENT)
		textbuf_printf(buf, "%sstate absent: apply deletes the live "
			       "trunk", separator);
}

static void text_edge(struct textbuf *buf,
		      const struct manifest_edge_change *edge)
{
	const struct manifest_trunk_change *t;
	struct textbuf details = TEXTBUF_INIT;
	size_t i;

	textbuf_printf(buf, "%c edge \"%s\" %s (%s)\n", symbols[edge->kind],
		       edge_title(edge), manifest_change_kind_name(edge->kind),
		       edge->where);
	for (i = 0; i < edge->change_count; i++)
		textbuf_printf(buf, "      %s: %s -> %s\n",
			       edge->changes[i].field, edge->changes[i].before,
			       edge->changes[i].after);
	for (i = 0; i < edge->trunk_count; i++) {
		t = &edge->trunks[i];
		textbuf_printf(buf, "  %c trunk %s %s\n", symbols[t->kind],
			       t->name, manifest_change_kind_name(t->kind));
		trunk_details(&details, edge, t, "\n        ");
		if (details.len > 0)
			textbuf_printf(buf, "        %s\n", details.data);
		if (details.error)
			buf->error = details.error;
		textbuf_release(&details);
	}
}

int manifest_diff_render_text(const struct manifest_diff *diff, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	size_t i;

	textbuf_puts(&buf, "Manifest changes ");
	revisions_line(&buf, diff, "");
	textbuf_puts(&buf, ":\n\n");
	if (diff->unavailable)
		textbuf_printf(&buf, "Not available: %s\n\n",
			       diff->unavailable);
	else if (diff->edge_count == 0)
		textbuf_puts(&buf, "No changes to the manifests.\n\n");
	for (i = 0; i < diff->edge_count; i++)
		text_edge(&buf, &diff->edges[i]);
	if (!diff->unavailable && diff->edge_count > 0) {
		textbuf_puts(&buf, "\n");
		summary_line(&buf, diff);
		textbuf_puts(&buf, "\n\n");
	}
	return textbuf_detach(&buf, out);
}

/* One table row; `trunk` NULL for the edge's own row. */
static void md_row(struct textbuf *buf, const struct manifest_edge_change *e,
		   const struct manifest_trunk_change *trunk)
{
	struct textbuf cell = TEXTBUF_INIT;
	size_t i;

	textbuf_puts(buf, "| ");
	textbuf_put_markdown(buf, edge_title(e));
	textbuf_puts(buf, " | ");
	if (trunk) {
		textbuf_put_markdown(buf, trunk->name);
		textbuf_printf(buf, " | %c %s | ", symbols[trunk->kind],
			       manifest_change_kind_name(trunk->kind));
		trunk_details(&cell, e, trunk, "\n");
	} else {
		textbuf_printf(buf, "(edge) | %c %s | ", symbols[e->kind],
			       manifest_change_kind_name(e->kind));
		for (i = 0; i < e->change_count; i++)
			textbuf_printf(&cell, "%s%s: %s -> %s", i ? "\n" : "",
				       e->changes[i].field,
				       e->changes[i].before,
				       e->changes[i].after);
		if (e->kind == MANIFEST_REMOVED)
			textbuf_puts(&cell, removal_note(e));
	}
	if (cell.len > 0)
		textbuf_put_markdown(buf, cell.data);
	if (cell.error)
		buf->error = cell.error;
	textbuf_release(&cell);
	textbuf_puts(buf, " |\n");
}

/* Appends `line` to `buf` if it fits in `limit` with room for a note. */
static bool md_fit(struct textbuf *buf, struct textbuf *line, size_t limit,
		   size_t *left_out)
{
	const size_t note_room = 300;
	bool fits = *left_out == 0 && buf->len + line->len + note_room <= limit;

	if (line->error)
		buf->error = line->error;
	else if (fits)
		textbuf_append(buf, line->data ? line->data : "", line->len);
	else
		(*left_out)++;
	textbuf_release(line);
	return fits;
}

int manifest_diff_render_markdown(const struct manifest_diff *diff,
				  size_t limit, char **out)
{
	struct textbuf buf = TEXTBUF_INIT, line = TEXTBUF_INIT;
	const struct manifest_edge_change *e;
	size_t i, j, left_out = 0;

	textbuf_puts(&buf, "## Manifest changes\n\nChanges ");
	revisions_line(&buf, diff, "`");
	textbuf_puts(&buf, ".\n\n");
	if (diff->unavailable) {
		textbuf_puts(&buf, "**Not available:** ");
		textbuf_put_markdown(&buf, diff->unavailable);
		textbuf_puts(&buf, "\n\n");
		return textbuf_detach(&buf, out);
	}
	if (diff->edge_count == 0) {
		textbuf_puts(&buf, "**No changes to the manifests.**\n\n");
		return textbuf_detach(&buf, out);
	}
	textbuf_puts(&buf, "**");
	summary_line(&buf, diff);
	textbuf_puts(&buf, "**\n\n| edge | trunk | change | details "
		     "(before -> after) |\n| --- | --- | --- | --- |\n");
	for (i = 0; i < diff->edge_count; i++) {
		e = &diff->edges[i];
		if (e->kind != MANIFEST_CHANGED || e->change_count > 0) {
			md_row(&line, e, NULL);
			md_fit(&buf, &line, limit, &left_out);
		}
		for (j = 0; j < e->trunk_count; j++) {
			md_row(&line, e, &e->trunks[j]);
			md_fit(&buf, &line, limit, &left_out);
		}
	}
	if (left_out > 0)
		textbuf_printf(&buf, "\n_%zu more %s left out to keep the "
			       "comment short; run `trunkctl plan --format "
			       "json` for all of them._\n", left_out,
			       plural(left_out, "row was", "rows were"));
	textbuf_puts(&buf, "\n");
	return textbuf_detach(&buf, out);
}

static cJSON *changes_to_json(const struct field_change *changes,
			      size_t count)
{
	cJSON *list = cJSON_CreateArray();
	cJSON *item;
	bool ok = list != NULL;
	size_t i;

	for (i = 0; ok && i < count; i++) {
		item = cJSON_CreateObject();
		ok = cJSON_AddItemToArray(list, item) &&
		     json_add_text(item, "field", changes[i].field) &&
		     json_add_text(item, "before", changes[i].before) &&
		     json_add_text(item, "after", changes[i].after);
	}
	if (!ok) {
		cJSON_Delete(list);
		return NULL;
	}
	return list;
}

static cJSON *trunk_to_json(const struct manifest_trunk_change *t)
{
	cJSON *json = cJSON_CreateObject();
	bool ok;

	ok = json &&
	     json_add_text(json, "change", manifest_change_kind_name(t->kind)) &&
	     json_add_text(json, "name", t->name) &&
	     json_add_text(json, "state", trunk_state_name(t->state)) &&
	     json_add_text(json, "source", t->where) &&
	     json_attach(json, "fields", changes_to_json(t->changes,
						    t->change_count));
	if (!ok) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *edge_to_json(const struct manifest_edge_change *e)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *trunks = cJSON_CreateArray();
	bool ok = json && trunks;
	size_t i;

	for (i = 0; ok && i < e->trunk_count; i++)
		ok = cJSON_AddItemToArray(trunks, trunk_to_json(&e->trunks[i]));
	ok = ok &&
	     json_add_text(json, "change", manifest_change_kind_name(e->kind)) &&
	     json_add_text(json, "id", e->id) && json_add_text(json, "name", e->name) &&
	     cJSON_AddBoolToObject(json, "prune", e->prune) &&
	     json_add_text(json, "source", e->where) &&
	     json_attach(json, "fields", changes_to_json(e->changes,
						    e->change_count));
	if (ok)
		return json_attach(json, "trunks", trunks) ? json
						      : (cJSON_Delete(json),
							 NULL);
	cJSON_Delete(trunks);
	cJSON_Delete(json);
	return NULL;
}

static cJSON *summary_to_json(const struct manifest_diff *diff)
{
	static const char *const edge_keys[] = {
		"edgesAdded", "edgesChanged", "edgesRemoved",
	};
	static const char *const trunk_keys[] = {
		"trunksAdded", "trunksChanged", "trunksRemoved",
	};
	struct manifest_diff_counts c;
	cJSON *json = cJSON_CreateObject();
	bool ok = json != NULL;
	int k;

	manifest_diff_count(diff, &c);
	for (k = 0; ok && k < 3; k++)
		ok = cJSON_AddNumberToObject(json, edge_keys[k],
					     (double)c.edges[k]) != NULL;
	for (k = 0; ok && k < 3; k++)
		ok = cJSON_AddNumberToObject(json, trunk_keys[k],
					     (double)c.trunks[k]) != NULL;
	if (!ok) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *diff_to_json(const struct manifest_diff *diff)
{
	const struct manifest_diff_revisions *r = &diff->revisions;
	cJSON *json = cJSON_CreateObject();
	cJSON *edges = cJSON_CreateArray();
	bool ok = json && edges;
	size_t i;

	for (i = 0; ok && i < diff->edge_count; i++)
		ok = cJSON_AddItemToArray(edges, edge_to_json(&diff->edges[i]));
	ok = ok && json_add_text(json, "baseRef", r->base_ref) &&
	     json_add_text(json, "baseCommit", r->base_commit) &&
	     json_add_text(json, "mergeBase", r->merge_base) &&
	     json_add_text(json, "headRef", r->head_ref) &&
	     json_add_text(json, "headCommit", r->head_commit) &&
	     json_add_text(json, "path", r->path) &&
	     json_add_text(json, "unavailable", diff->unavailable) &&
	     json_attach(json, "summary", summary_to_json(diff));
	if (ok && json_attach(json, "edges", edges))
		return json;
	if (!ok)
		cJSON_Delete(edges);
	cJSON_Delete(json);
	return NULL;
}

int manifest_diff_add_to_plan_json(const struct manifest_diff *diff,
				   const char *plan_json, char **out)
{
	cJSON *json = cJSON_ParseWithOpts(plan_json, NULL, 1);
	char digest[65];
	int rc = 0;

	*out = NULL;
	if (!json)
		return error_set(TRUNKCTL_EINVALID, "the plan's JSON does not "
				 "parse");
	cJSON_DeleteItemFromObjectCaseSensitive(json, "planSha256");
	if (!json_attach(json, "manifestChanges", diff_to_json(diff)) ||
	    plan_body_digest(json, digest) < 0 ||
	    !json_add_text(json, "planSha256", digest) ||
	    !(*out = cJSON_Print(json)))
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	cJSON_Delete(json);
	return rc;
}

int manifest_diff_render_plan_markdown(const struct manifest_diff *diff,
				       const struct plan *plan, char **out)
{
	char *section = NULL, *rendered = NULL;
	struct textbuf buf = TEXTBUF_INIT;
	int rc;

	*out = NULL;
	rc = manifest_diff_render_markdown(diff, PLAN_MARKDOWN_MAX / 2,
					   &section);
	if (rc == 0)
		rc = plan_render_markdown_limited(
			plan, PLAN_MARKDOWN_MAX - strlen(section), &rendered);
	if (rc == 0) {
		textbuf_puts(&buf, section);
		textbuf_puts(&buf, rendered);
		rc = textbuf_detach(&buf, out);
	}
	free(section);
	free(rendered);
	return rc;
}

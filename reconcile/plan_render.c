/* The text and Markdown renderings of a plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/internal.h"
#include "reconcile/plan_internal.h"

#define RESET "\033[0m"
#define BOLD "\033[1m"

static const char symbols[PLAN_ACTION_KIND_COUNT] = {
	'+', '~', '>', '<', '?', '-',
};

static const char *const colors[PLAN_ACTION_KIND_COUNT] = {
	"\033[32m", "\033[33m", "\033[36m", "\033[35m", "\033[34m",
	"\033[31m",
};

static void summary_line(struct textbuf *buf, const struct plan_counts *c)
{
	textbuf_printf(buf,
		       "Plan: %zu to create, %zu to update, %zu to activate, "
		       "%zu to deactivate, %zu to delete.\n",
		       c->by_kind[PLAN_CREATE], c->by_kind[PLAN_UPDATE],
		       c->by_kind[PLAN_ACTIVATE], c->by_kind[PLAN_DEACTIVATE],
		       c->by_kind[PLAN_DELETE]);
}

static void dependencies(struct textbuf *buf, const struct plan_action *a)
{
	size_t i;

	for (i = 0; i < a->depend_count; i++)
		textbuf_printf(buf, "%s#%zu", i ? ", " : " after ",
			       a->depends_on[i]);
}

/* Notes on one action, as plain text: "(id X, ENABLED, version 3)". */
static void action_notes(struct textbuf *buf, const struct plan_action *a)
{
	if (a->trunk_id) {
		textbuf_printf(buf, " (id %s, %s", a->trunk_id,
			       trunk_status_name(a->live_status));
		if (a->kind == PLAN_UPDATE)
			textbuf_printf(buf, ", version %ld", a->live_version);
		textbuf_puts(buf, ")");
	}
	dependencies(buf, a);
	if (a->conditional)
		textbuf_puts(buf, "; not sent if the update leaves the trunk "
				  "ENABLED or re-enabling");
	if (a->out_of_service)
		textbuf_puts(buf, "; takes the trunk out of service");
}

/* Renders one payload member as the diff does: lists as [a, b], names
 * and descriptions quoted, other words bare. */
static void payload_value(struct textbuf *buf, const cJSON *item)
{
	const cJSON *entry;
	char *text;

	if (cJSON_IsArray(item)) {
		textbuf_puts(buf, "[");
		cJSON_ArrayForEach(entry, item) {
			if (entry != item->child)
				textbuf_puts(buf, ", ");
			if (cJSON_IsString(entry))
				textbuf_puts(buf, entry->valuestring);
		}
		textbuf_puts(buf, "]");
	} else if (cJSON_IsString(item) && strcmp(item->string, "name") &&
		   strcmp(item->string, "description")) {
		textbuf_puts(buf, item->valuestring);
	} else {
		text = cJSON_PrintUnformatted(item);
		textbuf_puts(buf, text ? text : "?");
		free(text);
	}
}

/* Lists a create's fields or an update's changes, one per line. */
static void action_details(struct textbuf *buf, const struct plan_action *a)
{
	cJSON *payload;
	const cJSON *item;
	size_t i;

	for (i = 0; a->kind == PLAN_UPDATE && i < a->change_count; i++)
		textbuf_printf(buf, "%s%s: %s -> %s", i ? "\n" : "",
			       a->changes[i].field, a->changes[i].before,
			       a->changes[i].after);
	if (a->kind != PLAN_CREATE)
		return;
	payload = trunk_spec_to_payload(&a->spec, 0);
	if (!payload) {
		buf->error = TRUNKCTL_ENOMEM;
		return;
	}
	cJSON_ArrayForEach(item, payload) {
		if (item != payload->child)
			textbuf_puts(buf, "\n");
		textbuf_printf(buf, "%s: ", item->string);
		payload_value(buf, item);
	}
	cJSON_Delete(payload);
}

static const char *edge_title(const struct plan_edge *edge)
{
	return edge->name ? edge->name : edge->id;
}

/* Whether a rendering has anything to say about an edge. */
static bool edge_has_news(const struct plan *plan, size_t index)
{
	const struct plan_edge *edge = &plan->edges[index];
	size_t i;

	if (edge->error || edge->warning_count || edge->unmanaged_count)
		return true;
	for (i = 0; i < plan->action_count; i++)
		if (plan->actions[i].edge == index)
			return true;
	return false;
}

static void text_action(struct textbuf *buf, const struct plan_action *a,
			bool color)
{
	struct textbuf details = TEXTBUF_INIT;
	const char *line, *end;

	textbuf_printf(buf, "  %s%c %s%s #%zu %s", color ? colors[a->kind] : "",
		       symbols[a->kind], plan_action_kind_name(a->kind),
		       color ? RESET : "", a->id, a->trunk_name);
	action_notes(buf, a);
	textbuf_puts(buf, "\n");

	action_details(&details, a);
	if (details.error)
		buf->error = details.error;
	for (line = details.data; line && *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end : line + strlen(line);
		textbuf_puts(buf, "        ");
		textbuf_append(buf, line, (size_t)(end - line));
		textbuf_puts(buf, "\n");
		if (*end)
			end++;
	}
	textbuf_release(&details);
}

static void text_edge(struct textbuf *buf, const struct plan *plan,
		      size_t index, bool color)
{
	const struct plan_edge *edge = &plan->edges[index];
	const struct plan_unmanaged *u;
	size_t i;

	if (!edge_has_news(plan, index))
		return;
	if (edge->name)
		textbuf_printf(buf, "%sEdge \"%s\" (%s)%s\n",
			       color ? BOLD : "", edge->name, edge->id,
			       color ? RESET : "");
	else
		textbuf_printf(buf, "%sEdge %s%s\n", color ? BOLD : "",
			       edge->id, color ? RESET : "");
	if (edge->error)
		textbuf_printf(buf, "  error: %s\n", edge->error);
	for (i = 0; i < edge->warning_count; i++)
		textbuf_printf(buf, "  warning: %s\n", edge->warnings[i]);
	for (i = 0; i < plan->action_count; i++)
		if (plan->actions[i].edge == index)
			text_action(buf, &plan->actions[i], color);
	for (i = 0; i < edge->unmanaged_count; i++) {
		u = &edge->unmanaged[i];
		textbuf_printf(buf, "  unmanaged: %s (id %s, %s), not in the "
			       "manifest\n", u->name, u->id,
			       trunk_status_name(u->status));
	}
	textbuf_puts(buf, "\n");
}

int plan_render_text(const struct plan *plan,
		     const struct plan_render_options *options, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	struct plan_counts counts;
	bool color = options && options->color;
	size_t i, failed = plan_failed_edges(plan);

	plan_count(plan, &counts);
	if (counts.total > 0)
		textbuf_puts(&buf, "trunkctl will perform the following "
			     "actions:\n\n");
	for (i = 0; i < plan->edge_count; i++)
		text_edge(&buf, plan, i, color);
	if (failed > 0)
		textbuf_printf(&buf, "Planning failed for %zu of %zu edges; "
			       "see the errors above.\n", failed,
			       plan->edge_count);
	if (counts.total > 0)
		summary_line(&buf, &counts);
	else if (failed == 0)
		textbuf_puts(&buf, "No changes. The edges match the "
			     "manifests.\n");
	return textbuf_detach(&buf, out);
}

/* The Markdown rendering is a list of lines, so it can be cut at a line
 * (table row) boundary. */
struct md_lines {
	char **items;
	bool *is_action;
	size_t count;
	size_t cap;
	int error;
};

static void md_add(struct md_lines *md, struct textbuf *line, bool action)
{
	char *text = NULL;
	void *grown;

	if (md->error || (md->error = textbuf_detach(line, &text)) < 0)
		return;
	if (md->count == md->cap) {
		md->cap = md->cap ? md->cap * 2 : 64;
		grown = realloc(md->items, md->cap * sizeof(*md->items));
		if (grown)
			md->items = grown;
		grown = grown ? realloc(md->is_action,
					md->cap * sizeof(*md->is_action))
			      : NULL;
		if (!grown) {
			free(text);
			md->error = error_set(TRUNKCTL_ENOMEM, "out of memory");
			return;
		}
		md->is_action = grown;
	}
	md->items[md->count] = text;
	md->is_action[md->count++] = action;
}

static void md_release(struct md_lines *md)
{
	size_t i;

	for (i = 0; i < md->count; i++)
		free(md->items[i]);
	free(md->items);
	free(md->is_action);
}

/* Maximum cell size in bytes. Longer text is cut at a UTF-8 boundary. */
#define MD_CELL_MAX 4000

/*
 * Appends `text` escaped for a table cell: Markdown punctuation gets a
 * backslash and a line break becomes <br>.
 */
static void md_escape(struct textbuf *buf, const char *text)
{
	size_t len = strlen(text), i;

	if (len > MD_CELL_MAX) {
		len = MD_CELL_MAX;
		/* Back up over UTF-8 continuation bytes (10xxxxxx). */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		if (text[i] == '\n')
			textbuf_puts(buf, "<br>");
		else if (strchr("\\`*_[]<>|#~&", text[i]))
			textbuf_printf(buf, "\\%c", text[i]);
		else
			textbuf_append(buf, &text[i], 1);
	}
	if (len < strlen(text))
		textbuf_puts(buf, " (cut)");
}

static void md_summary(struct md_lines *md, const struct plan *plan)
{
	struct textbuf line = TEXTBUF_INIT;
	const struct plan_edge *edge;
	size_t i, k, n[PLAN_ACTION_KIND_COUNT];

	textbuf_puts(&line, "| edge | create | update | activate | "
		     "deactivate | verify | delete | unmanaged |\n"
		     "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		     "\n");
	md_add(md, &line, false);
	for (i = 0; i < plan->edge_count; i++) {
		edge = &plan->edges[i];
		memset(n, 0, sizeof(n));
		for (k = 0; k < plan->action_count; k++)
			if (plan->actions[k].edge == i)
				n[plan->actions[k].kind]++;
		textbuf_puts(&line, "| ");
		md_escape(&line, edge_title(edge));
		if (edge->error)
			textbuf_puts(&line, " (failed)");
		textbuf_printf(&line, " | %zu | %zu | %zu | %zu | %zu | %zu "
			       "| %zu |\n", n[PLAN_CREATE], n[PLAN_UPDATE],
			       n[PLAN_ACTIVATE], n[PLAN_DEACTIVATE],
			       n[PLAN_VERIFY], n[PLAN_DELETE],
			       edge->unmanaged_count);
		md_add(md, &line, false);
	}
}

static void md_action(struct md_lines *md, const struct plan_action *a)
{
	struct textbuf line = TEXTBUF_INIT;
	struct textbuf cell = TEXTBUF_INIT;
	struct textbuf details = TEXTBUF_INIT;

	textbuf_printf(&line, "| %zu | %c %s | ", a->id, symbols[a->kind],
		       plan_action_kind_name(a->kind));
	md_escape(&line, a->trunk_name);
	textbuf_puts(&line, " | ");

	/* The notes start with a space; the details follow on new lines. */
	action_notes(&cell, a);
	action_details(&details, a);
	if (cell.len > 0 && details.len > 0)
		textbuf_puts(&cell, "\n");
	if (details.len > 0)
		textbuf_puts(&cell, details.data);
	if (cell.len > 0)
		md_escape(&line, cell.data + (cell.data[0] == ' '));
	if (cell.error || details.error)
		line.error = cell.error ? cell.error : details.error;
	textbuf_puts(&line, " |\n");
	textbuf_release(&cell);
	textbuf_release(&details);
	md_add(md, &line, true);
}

static void md_line(struct md_lines *md, const char *prefix,
		    const char *text, const char *suffix)
{
	struct textbuf line = TEXTBUF_INIT;

	textbuf_puts(&line, prefix);
	if (text)
		md_escape(&line, text);
	textbuf_puts(&line, suffix);
	md_add(md, &line, false);
}

static void md_edge(struct md_lines *md, const struct plan *plan,
		    size_t index)
{
	const struct plan_edge *edge = &plan->edges[index];
	const struct plan_unmanaged *u;
	struct textbuf line = TEXTBUF_INIT;
	bool table = false;
	size_t i;

	if (!edge_has_news(plan, index))
		return;
	textbuf_puts(&line, "\n### Edge ");
	md_escape(&line, edge_title(edge));
	if (edge->name) {
		textbuf_puts(&line, " (");
		md_escape(&line, edge->id);
		textbuf_puts(&line, ")");
	}
	textbuf_puts(&line, "\n\n");
	md_add(md, &line, false);
	if (edge->error)
		md_line(md, "**error:** ", edge->error, "\n\n");
	for (i = 0; i < edge->warning_count; i++)
		md_line(md, "**warning:** ", edge->warnings[i], "\n\n");
	for (i = 0; i < plan->action_count; i++) {
		if (plan->actions[i].edge != index)
			continue;
		if (!table)
			md_line(md, "| # | action | trunk | details |\n"
				"| ---: | --- | --- | --- |\n", NULL, "");
		table = true;
		md_action(md, &plan->actions[i]);
	}
	if (edge->unmanaged_count > 0)
		md_line(md, table ? "\n" : "", NULL,
			"Unmanaged trunks (not in the manifest):\n\n");
	for (i = 0; i < edge->unmanaged_count; i++) {
		u = &edge->unmanaged[i];
		textbuf_puts(&line, "- ");
		md_escape(&line, u->name);
		textbuf_puts(&line, " (id ");
		md_escape(&line, u->id);
		textbuf_printf(&line, ", %s)\n", trunk_status_name(u->status));
		md_add(md, &line, false);
	}
}

static void md_header(struct md_lines *md, const struct plan *plan)
{
	const struct plan_source *source = &plan->source;
	struct textbuf line = TEXTBUF_INIT;
	struct plan_counts counts;

	plan_count(plan, &counts);
	textbuf_puts(&line, "## trunkctl plan\n\n");
	if (source->repo) {
		textbuf_puts(&line, "Source: ");
		if (source->path) {
			md_escape(&line, source->path);
			textbuf_puts(&line, " in ");
		}
		md_escape(&line, source->repo);
		textbuf_puts(&line, " at ");
		md_escape(&line, source->ref ? source->ref : "HEAD");
		textbuf_printf(&line, " (commit %.12s%s)\n\n",
			       source->commit ? source->commit : "unknown",
			       source->dirty ? ", with uncommitted changes"
					     : "");
	} else if (source->path) {
		textbuf_puts(&line, "Source: ");
		md_escape(&line, source->path);
		textbuf_puts(&line, "\n\n");
	}
	textbuf_puts(&line, "**");
	if (counts.total > 0)
		summary_line(&line, &counts);
	else
		textbuf_puts(&line, "No changes. The edges match the "
			     "manifests.\n");
	/* summary_line ends with a newline; close the bold before it. */
	if (line.len > 0)
		line.data[--line.len] = '\0';
	textbuf_puts(&line, "**\n\n");
	if (plan_failed_edges(plan) > 0)
		textbuf_printf(&line, "**Planning failed for %zu of %zu "
			       "edges.**\n\n", plan_failed_edges(plan),
			       plan->edge_count);
	md_add(md, &line, false);
}

/*
 * Joins the lines while they fit in `limit` bytes, leaving room for a
 * note that states how many lines and actions were left out. Bytes are
 * counted, so the text has fewer than `limit` characters too.
 */
static int md_join(const struct md_lines *md, size_t limit, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	const size_t note_room = 400;
	size_t i, len, left_actions = 0;

	for (i = 0; i < md->count; i++) {
		len = strlen(md->items[i]);
		if (buf.len + len + note_room > limit)
			break;
		textbuf_append(&buf, md->items[i], len);
	}
	if (i < md->count) {
		size_t left_lines = md->count - i;

		for (; i < md->count; i++)
			left_actions += md->is_action[i];
		textbuf_printf(&buf, "\n_The plan was cut here to fit in a "
			       "comment of %zu characters: %zu more lines "
			       "(%zu actions) were left out. Run `trunkctl "
			       "plan --format json` for the whole plan._\n",
			       limit, left_lines, left_actions);
	}
	return textbuf_detach(&buf, out);
}

int plan_render_markdown_limited(const struct plan *plan, size_t limit,
				 char **out)
{
	struct md_lines md = { NULL, NULL, 0, 0, 0 };
	size_t i;
	int rc;

	*out = NULL;
	md_header(&md, plan);
	md_summary(&md, plan);
	for (i = 0; i < plan->edge_count; i++)
		md_edge(&md, plan, i);
	rc = md.error;
	if (rc == 0)
		rc = md_join(&md, limit, out);
	md_release(&md);
	return rc;
}

int plan_render_markdown(const struct plan *plan, char **out)
{
	return plan_render_markdown_limited(plan, PLAN_MARKDOWN_MAX, out);
}

/* The renderings of a drift report: text, Markdown, JSON, Prometheus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "reconcile/drift.h"
#include "reconcile/internal.h"

#define DRIFT_FORMAT_VERSION 1

static const enum drift_problem problems[] = {
	DRIFT_MISSING, DRIFT_FIELDS, DRIFT_STATUS, DRIFT_EXTRA,
};

#define PROBLEM_COUNT (sizeof(problems) / sizeof(problems[0]))

static const char *edge_title(const struct drift_edge *edge)
{
	return edge->name ? edge->name : edge->id;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* One sentence on a drifted trunk, without the field list. */
static void describe(struct textbuf *buf, const struct drift_trunk *t)
{
	const char *sep = "";

	if (t->problems & DRIFT_MISSING) {
		textbuf_printf(buf, "missing: the manifest declares it %s",
			       trunk_state_name(t->state));
		sep = "; ";
	}
	if (t->problems & DRIFT_FIELDS) {
		textbuf_printf(buf, "%s%zu %s differ%s", sep, t->change_count,
			       plural(t->change_count, "field", "fields"),
			       t->change_count == 1 ? "s" : "");
		sep = "; ";
	}
	if ((t->problems & DRIFT_STATUS) && t->state == TRUNK_STATE_ACTIVE) {
		textbuf_printf(buf, "%s%s, expected ENABLED (state active)",
			       sep, trunk_status_name(t->status));
		sep = "; ";
	} else if (t->problems & DRIFT_STATUS) {
		textbuf_printf(buf, "%s%s, expected DISABLED (state "
			       "inactive)", sep, trunk_status_name(t->status));
		sep = "; ";
	}
	if ((t->problems & DRIFT_EXTRA) && t->declared)
		textbuf_printf(buf, "%sstill live, but the manifest marks it "
			       "absent", sep);
	else if (t->problems & DRIFT_EXTRA)
		textbuf_printf(buf, "%slive, but not in the manifest of an "
			       "edge with prune", sep);
}

static char symbol(const struct drift_trunk *t)
{
	if (t->problems & DRIFT_MISSING)
		return '+';
	if (t->problems & DRIFT_EXTRA)
		return '-';
	if (t->problems & DRIFT_FIELDS)
		return '~';
	return '!';
}

static void text_trunk(struct textbuf *buf, const struct drift_trunk *t)
{
	size_t i;

	textbuf_printf(buf, "  %c %s", symbol(t), t->name);
	if (t->id)
		textbuf_printf(buf, " (id %s, %s)", t->id,
			       trunk_status_name(t->status));
	textbuf_puts(buf, ": ");
	describe(buf, t);
	textbuf_puts(buf, "\n");
	for (i = 0; i < t->change_count; i++)
		textbuf_printf(buf, "        %s: %s -> %s\n",
			       t->changes[i].field, t->changes[i].before,
			       t->changes[i].after);
}

static void text_edge(struct textbuf *buf, const struct drift_edge *edge)
{
	const struct drift_unmanaged *u;
	size_t i;

	if (!edge->error && edge->trunk_count == 0 &&
	    edge->unmanaged_count == 0)
		return;
	textbuf_printf(buf, "Edge \"%s\" (%s)\n", edge_title(edge), edge->id);
	if (edge->error)
		textbuf_printf(buf, "  error: %s\n", edge->error);
	for (i = 0; i < edge->trunk_count; i++)
		text_trunk(buf, &edge->trunks[i]);
	for (i = 0; i < edge->unmanaged_count; i++) {
		u = &edge->unmanaged[i];
		textbuf_printf(buf, "  unmanaged: %s (id %s, %s), not in the "
			       "manifest\n", u->name, u->id,
			       trunk_status_name(u->status));
	}
	textbuf_puts(buf, "\n");
}

static void summary(struct textbuf *buf, const struct drift_report *report)
{
	struct drift_counts c;

	drift_count(report, &c);
	if (c.failed_edges > 0)
		textbuf_printf(buf, "The check failed for %zu of %zu %s; see "
			       "the errors above.\n", c.failed_edges,
			       report->edge_count,
			       plural(report->edge_count, "edge", "edges"));
	if (c.drifted == 0 && c.failed_edges == 0) {
		textbuf_puts(buf, "No drift. The live trunks match the "
			     "manifests.\n");
		return;
	}
	if (c.drifted == 0)
		return;
	textbuf_printf(buf, "Drift: %zu %s on %zu of %zu %s: %zu missing, "
		       "%zu with other fields, %zu with the wrong status, "
		       "%zu to remove.\n", c.drifted,
		       plural(c.drifted, "trunk", "trunks"), c.drifted_edges,
		       report->edge_count,
		       plural(report->edge_count, "edge", "edges"), c.missing,
		       c.fields, c.status, c.extra);
}

int drift_render_text(const struct drift_report *report, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	size_t i;

	for (i = 0; i < report->edge_count; i++)
		text_edge(&buf, &report->edges[i]);
	summary(&buf, report);
	return textbuf_detach(&buf, out);
}

static void md_trunk(struct textbuf *buf, const struct drift_trunk *t)
{
	struct textbuf cell = TEXTBUF_INIT;
	size_t i;

	textbuf_printf(buf, "| %c | ", symbol(t));
	textbuf_put_markdown(buf, t->name);
	textbuf_puts(buf, " | ");
	textbuf_put_markdown(buf, t->id ? t->id : "-");
	textbuf_printf(buf, " | %s | ", trunk_status_name(t->status));
	describe(&cell, t);
	for (i = 0; i < t->change_count; i++)
		textbuf_printf(&cell, "\n%s: %s -> %s", t->changes[i].field,
			       t->changes[i].before, t->changes[i].after);
	if (cell.error)
		buf->error = cell.error;
	else
		textbuf_put_markdown(buf, cell.data);
	textbuf_release(&cell);
	textbuf_puts(buf, " |\n");
}

static void md_edge(struct textbuf *buf, const struct drift_edge *edge)
{
	const struct drift_unmanaged *u;
	size_t i;

	if (!edge->error && edge->trunk_count == 0 &&
	    edge->unmanaged_count == 0)
		return;
	textbuf_puts(buf, "### Edge ");
	textbuf_put_markdown(buf, edge_title(edge));
	textbuf_puts(buf, " (");
	textbuf_put_markdown(buf, edge->id);
	textbuf_puts(buf, ")\n\n");
	if (edge->error) {
		textbuf_puts(buf, "**error:** ");
		textbuf_put_markdown(buf, edge->error);
		textbuf_puts(buf, "\n\n");
	}
	if (edge->trunk_count > 0)
		textbuf_puts(buf, "| | trunk | id | status | drift "
			     "(live -> manifest) |\n"
			     "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < edge->trunk_count; i++)
		md_trunk(buf, &edge->trunks[i]);
	if (edge->trunk_count > 0)
		textbuf_puts(buf, "\n");
	if (edge->unmanaged_count > 0)
		textbuf_puts(buf, "Unmanaged trunks (not in the manifest):"
			     "\n\n");
	for (i = 0; i < edge->unmanaged_count; i++) {
		u = &edge->unmanaged[i];
		textbuf_puts(buf, "- ");
		textbuf_put_markdown(buf, u->name);
		textbuf_puts(buf, " (id ");
		textbuf_put_markdown(buf, u->id);
		textbuf_printf(buf, ", %s)\n", trunk_status_name(u->status));
	}
	if (edge->unmanaged_count > 0)
		textbuf_puts(buf, "\n");
}

int drift_render_markdown(const struct drift_report *report, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;
	struct textbuf line = TEXTBUF_INIT;
	size_t i;

	textbuf_puts(&buf, "## trunkctl drift\n\n**");
	summary(&line, report);
	if (line.len > 0 && line.data[line.len - 1] == '\n')
		line.data[--line.len] = '\0';
	if (line.data)
		textbuf_put_markdown(&buf, line.data);
	textbuf_release(&line);
	textbuf_puts(&buf, "**\n\n");
	for (i = 0; i < report->edge_count; i++)
		md_edge(&buf, &report->edges[i]);
	return textbuf_detach(&buf, out);
}

static cJSON *trunk_to_json(const struct drift_trunk *t)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(json, "problems");
	cJSON *changes = cJSON_AddArrayToObject(json, "changes");
	cJSON *item;
	bool ok = json && list && changes;
	size_t i;

	for (i = 0; ok && i < PROBLEM_COUNT; i++)
		if (t->problems & problems[i])
			ok = cJSON_AddItemToArray(list, cJSON_CreateString(
				drift_problem_name(problems[i])));
	for (i = 0; ok && i < t->change_count; i++) {
		item = cJSON_CreateObject();
		ok = cJSON_AddItemToArray(changes, item) &&
		     json_add_text(item, "field", t->changes[i].field) &&
		     json_add_text(item, "live", t->changes[i].before) &&
		     json_add_text(item, "desired", t->changes[i].after);
	}
	ok = ok && json_add_text(json, "name", t->name) &&
	     json_add_text(json, "id", t->id) &&
	     cJSON_AddBoolToObject(json, "declared", t->declared) &&
	     json_add_text(json, "state", trunk_state_name(t->state)) &&
	     json_add_text(json, "status", t->status == TRUNK_STATUS_UNKNOWN
					      ? NULL
					      : trunk_status_name(t->status));
	if (!ok) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *edge_to_json(const struct drift_edge *edge)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *trunks = cJSON_CreateArray();
	cJSON *unmanaged = cJSON_CreateArray();
	cJSON *item;
	bool ok = json && trunks && unmanaged;
	size_t i;

	for (i = 0; ok && i < edge->trunk_count; i++)
		ok = cJSON_AddItemToArray(trunks,
					  trunk_to_json(&edge->trunks[i]));
	for (i = 0; ok && i < edge->unmanaged_count; i++) {
		item = cJSON_CreateObject();
		ok = cJSON_AddItemToArray(unmanaged, item) &&
		     json_add_text(item, "id", edge->unmanaged[i].id) &&
		     json_add_text(item, "name", edge->unmanaged[i].name) &&
		     json_add_text(item, "status", trunk_status_name(
						      edge->unmanaged[i].status));
	}
	ok = ok && json_add_text(json, "id", edge->id) &&
	     json_add_text(json, "name", edge->name) &&
	     cJSON_AddBoolToObject(json, "prune", edge->prune) &&
	     cJSON_AddNumberToObject(json, "liveTrunks",
				     (double)edge->live_count) &&
	     cJSON_AddItemToObject(json, "drifted", trunks) &&
	     cJSON_AddItemToObject(json, "unmanaged", unmanaged) &&
	     json_add_text(json, "error", edge->error);
	if (!ok) {
		if (!cJSON_GetObjectItemCaseSensitive(json, "drifted"))
			cJSON_Delete(trunks);
		if (!cJSON_GetObjectItemCaseSensitive(json, "unmanaged"))
			cJSON_Delete(unmanaged);
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

static cJSON *counts_to_json(const struct drift_report *report)
{
	cJSON *json = cJSON_CreateObject();
	struct drift_counts c;
	bool ok;

	drift_count(report, &c);
	ok = json &&
	     cJSON_AddNumberToObject(json, "edges",
				     (double)report->edge_count) &&
	     cJSON_AddNumberToObject(json, "driftedEdges",
				     (double)c.drifted_edges) &&
	     cJSON_AddNumberToObject(json, "drifted", (double)c.drifted) &&
	     cJSON_AddNumberToObject(json, "missing", (double)c.missing) &&
	     cJSON_AddNumberToObject(json, "fields", (double)c.fields) &&
	     cJSON_AddNumberToObject(json, "status", (double)c.status) &&
	     cJSON_AddNumberToObject(json, "extra", (double)c.extra) &&
	     cJSON_AddNumberToObject(json, "unmanaged",
				     (double)c.unmanaged) &&
	     cJSON_AddNumberToObject(json, "failedEdges",
				     (double)c.failed_edges);
	if (!ok) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

int drift_render_json(const struct drift_report *report, bool pretty,
		      char **out)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *edges = cJSON_CreateArray();
	struct drift_counts c;
	char when[32];
	bool ok = json && edges;
	size_t i;

	*out = NULL;
	drift_count(report, &c);
	format_time_ms(report->checked_ms, when);
	for (i = 0; ok && i < report->edge_count; i++)
		ok = cJSON_AddItemToArray(edges,
					  edge_to_json(&report->edges[i]));
	ok = ok &&
	     cJSON_AddNumberToObject(json, "formatVersion",
				     DRIFT_FORMAT_VERSION) &&
	     json_add_text(json, "checkedAt", when) &&
	     json_attach(json, "source", plan_source_to_json(&report->source)) &&
	     cJSON_AddBoolToObject(json, "inSync",
				   c.drifted == 0 && c.failed_edges == 0) &&
	     json_attach(json, "summary", counts_to_json(report));
	if (ok) {
		ok = cJSON_AddItemToObject(json, "edges", edges);
		edges = ok ? NULL : edges;
	}
	if (ok)
		*out = pretty ? cJSON_Print(json) : cJSON_PrintUnformatted(json);
	cJSON_Delete(edges);
	cJSON_Delete(json);
	return *out ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static void prom_family(struct textbuf *buf, const char *name,
			const char *help)
{
	textbuf_printf(buf, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
		       name);
}

static void prom_edges(struct textbuf *buf, const struct drift_report *r,
		       const char *name, bool unmanaged)
{
	const struct drift_edge *edge;
	size_t i;

	for (i = 0; i < r->edge_count; i++) {
		edge = &r->edges[i];
		if (edge->error)
			continue;
		textbuf_printf(buf, "%s{edge=\"", name);
		textbuf_put_label_value(buf, edge_title(edge));
		textbuf_puts(buf, "\",edge_id=\"");
		textbuf_put_label_value(buf, edge->id);
		textbuf_printf(buf, "\"} %zu\n", unmanaged
							 ? edge->unmanaged_count
							 : edge->trunk_count);
	}
}

int drift_render_prometheus(const struct drift_report *report,
			    long long checked_ms, bool success, char **out)
{
	struct textbuf buf = TEXTBUF_INIT;

	if (report) {
		prom_family(&buf, "trunkctl_drift_trunks",
			    "Trunks whose live state differs from the "
			    "manifests, per edge.");
		prom_edges(&buf, report, "trunkctl_drift_trunks", false);
		prom_family(&buf, "trunkctl_drift_unmanaged_trunks",
			    "Live trunks that no manifest declares, on edges "
			    "without prune.");
		prom_edges(&buf, report, "trunkctl_drift_unmanaged_trunks",
			   true);
	}
	prom_family(&buf, "trunkctl_drift_check_timestamp_seconds",
		    "Time of the last drift check, in seconds since the Unix "
		    "epoch.");
	textbuf_printf(&buf, "trunkctl_drift_check_timestamp_seconds "
		       "%lld.%03lld\n", checked_ms / 1000, checked_ms % 1000);
	prom_family(&buf, "trunkctl_drift_check_success",
		    "1 when the last drift check compared every edge, 0 when "
		    "it failed.");
	textbuf_printf(&buf, "trunkctl_drift_check_success %d\n",
		       success ? 1 : 0);
	return textbuf_detach(&buf, out);
}

int drift_write_file(const char *path, const char *text, unsigned mode)
{
	return write_file_atomic(path, text, strlen(text), (mode_t)mode);
}

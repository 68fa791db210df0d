#ifndef TRUNKCTL_RECONCILE_DRIFT_H
#define TRUNKCTL_RECONCILE_DRIFT_H

/*
 * Drift: how the live trunks of some edges differ from their manifests,
 * without planning anything to run.
 *
 * drift_compute() is pure: it reads the live state the caller fetched
 * (reconcile/fetch.h) and the desired edges it points to. A trunk
 * drifts in four ways:
 *   - missing: declared active or inactive, but not live;
 *   - fields: its managed fields differ from the manifest's;
 *   - status: active but not ENABLED, or inactive but ENABLED or PENDING;
 *   - extra: live although its state is absent, or live on an edge with
 *     prune that no manifest of it declares.
 * Live trunks that no manifest declares on an edge without prune are
 * listed as unmanaged and are not drift.
 */

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"

/* The problems of one trunk; a trunk may have several. */
enum drift_problem {
	DRIFT_MISSING = 1 << 0,   /* declared, not live */
	DRIFT_FIELDS = 1 << 1,    /* managed fields differ */
	DRIFT_STATUS = 1 << 2,    /* status not the one its state requires */
	DRIFT_EXTRA = 1 << 3,     /* live, but absent or pruned */
};

struct drift_trunk {
	char *name;               /* the manifest's name, or the live one */
	char *id;                 /* NULL when missing */
	bool declared;            /* false: undeclared on a prune edge */
	enum trunk_state state;   /* desired; ABSENT when not declared */
	enum trunk_status status; /* live; UNKNOWN when missing */
	unsigned problems;        /* enum drift_problem bits */
	struct field_change *changes;  /* live -> desired, payload order */
	size_t change_count;
};

/* A live trunk that no manifest declares, on an edge without prune. */
struct drift_unmanaged {
	char *id;
	char *name;
	enum trunk_status status;
};

struct drift_edge {
	char *id;
	char *name;               /* may be NULL */
	bool prune;
	size_t live_count;        /* live trunks, deleted ones excluded */
	struct drift_trunk *trunks;
	size_t trunk_count;
	struct drift_unmanaged *unmanaged;
	size_t unmanaged_count;
	/* Set when the edge cannot be compared: two live trunks whose
	 * names match ignoring case. The edge then lists nothing. */
	char *error;
};

struct drift_report {
	struct drift_edge *edges;
	size_t edge_count;
	long long checked_ms;     /* when the check finished */
	struct plan_source source;    /* strings owned by the report */
};

/* Totals over a report. */
struct drift_counts {
	size_t drifted;           /* trunks with any problem */
	size_t drifted_edges;
	size_t missing;
	size_t fields;
	size_t status;
	size_t extra;
	size_t unmanaged;
	size_t failed_edges;
};

/*
 * Compares each edge of `edges` (desired set in each) and fills `out`,
 * which the caller releases with drift_report_release(). `source` is
 * copied and `checked_ms` 0 stands for the current time. Returns 0 or
 * TRUNKCTL_ENOMEM.
 */
int drift_compute(const struct plan_edge_input *edges, size_t edge_count,
		  const struct plan_source *source, long long checked_ms,
		  struct drift_report *out);

void drift_report_release(struct drift_report *report);

void drift_count(const struct drift_report *report,
		 struct drift_counts *counts);

/* The name of one problem bit: "missing", "fields", "status", "extra". */
const char *drift_problem_name(enum drift_problem problem);

/* Each renderer stores a new NUL-terminated text in `*out` (free()). */
int drift_render_text(const struct drift_report *report, char **out);
int drift_render_markdown(const struct drift_report *report, char **out);

/* `pretty` false prints one line, for a JSON Lines log of checks. */
int drift_render_json(const struct drift_report *report, bool pretty,
		      char **out);

/*
 * Renders the Prometheus text exposition format (version 0.0.4):
 * trunkctl_drift_trunks{edge,edge_id} and
 * trunkctl_drift_unmanaged_trunks{edge,edge_id} per edge of `report`
 * (NULL: no such series), trunkctl_drift_check_timestamp_seconds from
 * `checked_ms`, and trunkctl_drift_check_success (`success` as 1 or 0).
 */
int drift_render_prometheus(const struct drift_report *report,
			    long long checked_ms, bool success, char **out);

/*
 * Writes `text` to `path` with `mode` through a temporary file
 * PATH.tmp.XXXXXX in the same folder, fsynced and renamed over `path`,
 * so a reader sees the old file or the whole new one.
 */
int drift_write_file(const char *path, const char *text, unsigned mode);

#endif

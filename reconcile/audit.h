#ifndef TRUNKCTL_RECONCILE_AUDIT_H
#define TRUNKCTL_RECONCILE_AUDIT_H

/*
 * The audit log: an append-only file of JSON lines, one per action and
 * one at the start and end of each run, chained by SHA-256 so that a
 * deleted, reordered, edited or torn line is found by audit_verify().
 *
 * Each line is a JSON object whose members come in this order: time,
 * runId, source, edge, trunk, trunkId, action, outcome, httpStatus,
 * attempts, latencyMs, correlationId, requestSha256, totals (run-start
 * and run-end lines only), prev, hash. `prev` is the previous line's
 * hash, 64 zeros on the first line of the file. `hash` is the SHA-256,
 * in lower-case hex, of the line's unformatted JSON without `hash`, as
 * cJSON_PrintUnformatted() prints it.
 *
 * The chain proves order and integrity within the file but not that
 * lines are missing at its end: keep the final hash that apply prints.
 */

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"

#define AUDIT_HASH_ZERO \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* Counts that run-start and run-end lines carry. */
struct audit_totals {
	int actions;     /* planned */
	int succeeded;
	int failed;
	int skipped;
};

/* One line. Strings may be NULL (written as null); numbers below 0 are
 * written as null. */
struct audit_record {
	long long time_ms;          /* 0 for the current time */
	const char *edge;
	const char *trunk;          /* name */
	const char *trunk_id;
	const char *action;         /* "create", ..., "run-start", "run-end" */
	const char *outcome;        /* "succeeded", "failed", "skipped", ... */
	int http_status;
	int attempts;
	long latency_ms;
	const char *correlation_id;
	const char *request_body;   /* hashed, never stored */
	size_t request_len;
	const struct audit_totals *totals;
};

struct audit_log;

/*
 * Opens (or creates, mode 0600) the log at `path` for appending lines of
 * run `run_id` from `source`. An existing log must end with a whole line
 * whose hash is right. Otherwise the result is TRUNKCTL_EINVALID with a
 * message asking the user to run `trunkctl audit verify`. The strings
 * are copied.
 */
int audit_log_open(const char *path, const char *run_id,
		   const struct plan_source *source, struct audit_log **out);

/*
 * Appends one line with a single write() and fsyncs it before returning.
 * Safe to call from several threads. An advisory lock (flock) also keeps
 * other processes from interleaving, because the chain continues from
 * the file's actual last line, read under that lock.
 */
int audit_log_append(struct audit_log *log,
		     const struct audit_record *record);

/* Appends a run-start or run-end line carrying `totals`. */
int audit_log_run_start(struct audit_log *log,
			const struct audit_totals *totals);
int audit_log_run_end(struct audit_log *log,
		      const struct audit_totals *totals);

/* Copies the hash of the last line this log wrote (or found). */
void audit_log_last_hash(struct audit_log *log, char hex[65]);

void audit_log_free(struct audit_log *log);

struct audit_report {
	size_t lines;           /* whole lines read */
	size_t bad_line;        /* 1-based; 0 when the chain is intact */
	char problem[512];      /* what is wrong with bad_line */
	char final_hash[65];    /* hash of the last good line */
};

/*
 * Checks every line of the log at `path`. Returns 0 when the chain is
 * intact, TRUNKCTL_EINVALID with `report->bad_line` and `problem` set at
 * the first broken line, or another negative code when the file cannot
 * be read.
 */
int audit_verify(const char *path, struct audit_report *report);

#endif

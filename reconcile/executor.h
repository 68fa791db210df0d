#ifndef TRUNKCTL_RECONCILE_EXECUTOR_H
#define TRUNKCTL_RECONCILE_EXECUTOR_H

/*
 * The executor: runs the actions of a plan on a pool of worker threads,
 * each as soon as the actions it depends on have succeeded. A failed
 * action skips its dependants, transitively, and nothing else.
 *
 * Waiting between the steps of an action (verify polls, the lookups
 * after a lost create response) is a timer, not a sleeping worker, so a
 * worker is free for other actions meanwhile. The API client's own
 * retry backoff does sleep in the worker that made the call.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/profile.h"
#include "reconcile/plan.h"

#define EXECUTOR_DEFAULT_PARALLELISM 10
#define EXECUTOR_DEFAULT_VERIFY_TIMEOUT_MS 120000
#define EXECUTOR_DEFAULT_VERIFY_POLL_MS 1000
#define EXECUTOR_DEFAULT_VERIFY_POLL_MAX_MS 10000
#define EXECUTOR_DEFAULT_LOOKUP_BACKOFF_MS 250
#define EXECUTOR_DEFAULT_LOOKUP_ATTEMPTS 4
#define EXECUTOR_DEFAULT_INVITE_CODES "2xx,401,407"

/* SIP response codes a verify accepts, as ranges. */
struct invite_codes {
	struct {
		int low;
		int high;
	} ranges[16];
	size_t count;
};

/* Parses "2xx,401,407" (codes 100-699, or a digit followed by xx). */
int invite_codes_parse(const char *text, struct invite_codes *out);
bool invite_codes_match(const struct invite_codes *codes, int code);

struct executor_options {
	int parallelism;
	long verify_timeout_ms;   /* wait for ENABLED at most this long */
	long verify_poll_ms;      /* first poll; the wait doubles up to max */
	long verify_poll_max_ms;
	long lookup_backoff_ms;   /* first wait before a lookup by name */
	int lookup_attempts;      /* lookups before a create is re-sent */
	struct invite_codes invite_codes;
	/* Set by a signal handler: no action starts once it is non-zero. */
	volatile sig_atomic_t *interrupted;
};

void executor_options_init(struct executor_options *options);

enum action_outcome {
	ACTION_PENDING = 0,
	ACTION_SUCCEEDED,
	ACTION_FAILED,
	ACTION_SKIPPED,       /* an action it depends on did not succeed */
	ACTION_NOT_STARTED,   /* the run was interrupted first */
};

const char *action_outcome_name(enum action_outcome outcome);

/* The result of one action, with totals over every request it made. */
struct action_result {
	enum action_outcome outcome;
	const char *trunk_id;     /* NULL when no trunk exists */
	const char *note;         /* e.g. "adopted the existing trunk" */
	const char *message;      /* why it failed or was skipped */
	long http_status;         /* of the last request */
	int requests;
	int attempts;
	int retries;
	int throttled;
	long latency_ms;          /* first request to finish, waits included */
	char correlation_id[128];
	const char *request_body; /* the create or update payload sent */
};

/*
 * Receives results on the worker threads. action_done() runs after an
 * action finishes and before any of its dependants starts, so a record
 * it writes (an fsynced audit line) precedes theirs. trunk_done() runs
 * after the last action of a trunk. Calls are serialised by the
 * executor, so the callbacks need no lock of their own.
 */
struct executor_observer {
	void *data;
	void (*action_done)(void *data, const struct plan_action *action,
			    const struct action_result *result,
			    size_t done, size_t total);
	void (*trunk_done)(void *data, const struct plan_action *last,
			   const char *trunk_id, bool succeeded);
};

struct executor_summary {
	size_t succeeded;
	size_t failed;
	size_t skipped;
	size_t not_started;
	bool interrupted;
};

/*
 * Runs every action of `plan`. Returns 0 when the run completed, even
 * with failed actions (see `summary`), or a negative code when it could
 * not run at all.
 */
int executor_run(const struct plan *plan, struct http_client *client,
		 const struct api_profile *profile,
		 const struct executor_options *options,
		 const struct executor_observer *observer,
		 struct executor_summary *summary);

#endif

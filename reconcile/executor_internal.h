#ifndef TRUNKCTL_RECONCILE_EXECUTOR_INTERNAL_H
#define TRUNKCTL_RECONCILE_EXECUTOR_INTERNAL_H

/*
 * The executor's run-time state, shared by the scheduler (executor.c)
 * and the action steps (executor_steps.c).
 *
 * Threading: the scheduler fields are guarded by `lock`. A trunk slot
 * and an action's step fields are touched only by the worker running
 * that action. The actions of one trunk are chained by dependencies and
 * a dependant is handed over under `lock`, so their accesses are ordered.
 */

#include <pthread.h>

#include "reconcile/executor.h"

/* The known state of one trunk while its actions run. */
struct trunk_slot {
	char *trunk_id;
	long version;
	enum trunk_status status;
	size_t remaining;        /* actions of the trunk not finished */
	bool failed;
};

enum step_result {
	STEP_DONE,
	STEP_FAILED,
	STEP_WAIT,               /* call again once wake_ms has passed */
};

struct action_run {
	const struct plan_action *action;
	const char *edge_id;
	struct trunk_slot *slot;
	enum action_outcome outcome;
	size_t waiting_on;       /* dependencies not finished yet */
	size_t *dependants;
	size_t dependant_count;

	/* Step state. */
	int phase;
	int attempt;
	int sends;               /* times a create was sent */
	long long started_ms;
	long long wake_ms;
	long poll_ms;
	char *note;
	char *message;
	char *request_body;
	struct action_result result;
};

struct executor {
	const struct plan *plan;
	struct http_client *client;
	const struct api_profile *profile;
	const struct executor_options *options;
	const struct executor_observer *observer;

	struct action_run *runs;
	size_t count;
	struct trunk_slot *slots;
	size_t slot_count;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *ready;           /* a ring of run indices */
	size_t ready_head;
	size_t ready_len;
	size_t *waiting;         /* runs whose step asked to wait */
	size_t waiting_count;
	size_t *finish_list;     /* work list of finish() */
	size_t finished;
	bool interrupted;
};

/* Runs the next step of `run` without the lock held. */
enum step_result executor_step(struct executor *ex, struct action_run *run);

long long executor_now_ms(void);

/* Records a failure message for `run` (printf style). */
enum step_result step_fail(struct action_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

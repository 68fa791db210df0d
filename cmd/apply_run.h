#ifndef TRUNKCTL_CMD_APPLY_RUN_H
#define TRUNKCTL_CMD_APPLY_RUN_H

/*
 * The side effects of an apply around the executor: audit lines,
 * metrics, progress, and callbacks sent from a thread of their own so a
 * slow receiver never holds up the actions.
 */

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "reconcile/audit.h"
#include "reconcile/callback.h"
#include "reconcile/executor.h"
#include "reconcile/metrics.h"

/* One delivery; the strings but `body` point into the plan. */
struct callback_item {
	char *body;
	char delivery_id[37];
	const char *edge_id;
	const char *trunk_name;
};

struct apply_run {
	const struct plan *plan;
	struct audit_log *audit;
	struct metrics *metrics;
	const char *run_id;
	enum action_outcome *outcomes;   /* by action id */
	bool progress;                   /* redraw a progress line */
	volatile sig_atomic_t *stop;     /* set when the audit log fails */
	bool audit_failed;

	/* Callbacks. */
	const char **callback_urls;
	size_t callback_count;
	const char *callback_key;        /* NULL: unsigned */
	const char *cacert;
	long callback_backoff_ms;        /* 0: the callback module's default */
	pthread_t callback_thread;
	bool callback_thread_started;
	pthread_mutex_t callback_lock;
	pthread_cond_t callback_cond;
	struct callback_item *queue;     /* deliveries waiting to be sent */
	size_t queue_head;
	size_t queue_tail;
	size_t queue_alloc;
	bool queue_closed;
	size_t callbacks_failed;
	size_t callbacks_sent;
};

int apply_run_init(struct apply_run *run, const struct plan *plan);
int apply_run_start_callbacks(struct apply_run *run);
/* Waits for the queued callbacks to be sent, then stops the thread. */
void apply_run_finish_callbacks(struct apply_run *run);
void apply_run_release(struct apply_run *run);

/* The executor observer that writes to `run`. */
void apply_run_observer(struct apply_run *run,
			struct executor_observer *observer);

#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/apply_run.h"
#include "model/error.h"
#include "model/log.h"

static const char *action_symbol(enum plan_action_kind kind)
{
	static const char *symbols[] = { "+", "~", ">", "<", "?", "-" };

	return (size_t)kind < sizeof(symbols) / sizeof(symbols[0])
		       ? symbols[kind]
		       : " ";
}

int apply_run_init(struct apply_run *run, const struct plan *plan)
{
	memset(run, 0, sizeof(*run));
	run->plan = plan;
	run->outcomes = calloc(plan_action_count(plan) + 1,
			       sizeof(*run->outcomes));
	if (!run->outcomes)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	pthread_mutex_init(&run->callback_lock, NULL);
	pthread_cond_init(&run->callback_cond, NULL);
	return 0;
}

static void audit_action(struct apply_run *run, const struct plan_action *a,
			 const struct action_result *r)
{
	const struct plan_edge *edge = plan_edge_at(run->plan, a->edge);
	struct audit_record record = {
		.edge = edge->id,
		.trunk = a->trunk_name,
		.trunk_id = r->trunk_id,
		.action = plan_action_kind_name(a->kind),
		.outcome = action_outcome_name(r->outcome),
		.http_status = r->http_status ? (int)r->http_status : -1,
		.attempts = r->attempts,
		.latency_ms = r->outcome == ACTION_SUCCEEDED ||
				      r->outcome == ACTION_FAILED
			      ? r->latency_ms
			      : -1,
		.correlation_id = r->correlation_id[0] ? r->correlation_id
						       : NULL,
		.request_body = r->request_body,
		.request_len = r->request_body ? strlen(r->request_body) : 0,
	};

	if (!run->audit || run->audit_failed)
		return;
	if (audit_log_append(run->audit, &record) < 0) {
		/* Without its audit line an action must not be followed by
		 * more: stop starting actions. */
		fprintf(stderr, "\ntrunkctl: error: %s; stopping the run\n",
			error_message());
		run->audit_failed = true;
		if (run->stop)
			*run->stop = 1;
	}
}

static void print_action(struct apply_run *run, const struct plan_action *a,
			 const struct action_result *r, size_t done,
			 size_t total)
{
	const struct plan_edge *edge = plan_edge_at(run->plan, a->edge);
	const char *edge_label = edge->name ? edge->name : edge->id;

	if (run->progress)
		fputs("\r\033[K", stderr);
	printf("%s %s / %s: %s %s", action_symbol(a->kind), edge_label,
	       a->trunk_name, plan_action_kind_name(a->kind),
	       action_outcome_name(r->outcome));
	if (r->requests)
		printf(" (%d %s, %ld ms)", r->requests,
		       r->requests == 1 ? "request" : "requests",
		       r->latency_ms);
	if (r->note)
		printf(": %s", r->note);
	if (r->message)
		printf(": %s", r->message);
	putchar('\n');
	fflush(stdout);
	if (run->progress) {
		size_t failed = 0, i;

		for (i = 0; i < plan_action_count(run->plan); i++)
			failed += run->outcomes[i] == ACTION_FAILED;
		fprintf(stderr, "[%zu/%zu actions done, %zu failed]", done,
			total, failed);
		fflush(stderr);
	}
}

static void on_action_done(void *data, const struct plan_action *a,
			   const struct action_result *r, size_t done,
			   size_t total)
{
	struct apply_run *run = data;

	run->outcomes[a->id] = r->outcome;
	audit_action(run, a, r);
	if (run->metrics && (r->outcome == ACTION_SUCCEEDED ||
			     r->outcome == ACTION_FAILED))
		metrics_record(run->metrics, plan_action_kind_name(a->kind),
			       NULL, r->outcome == ACTION_SUCCEEDED,
			       (double)r->latency_ms, r->retries,
			       r->throttled);
	print_action(run, a, r, done, total);
}

/* Queues a delivery for the sender thread, which owns it from then. */
static void enqueue(struct apply_run *run, const struct callback_item *item)
{
	pthread_mutex_lock(&run->callback_lock);
	if (run->queue_tail == run->queue_alloc) {
		size_t alloc = run->queue_alloc ? run->queue_alloc * 2 : 16;
		struct callback_item *queue =
			realloc(run->queue, alloc * sizeof(*queue));

		if (!queue) {
			pthread_mutex_unlock(&run->callback_lock);
			free(item->body);
			run->callbacks_failed++;
			return;
		}
		run->queue = queue;
		run->queue_alloc = alloc;
	}
	run->queue[run->queue_tail++] = *item;
	pthread_cond_signal(&run->callback_cond);
	pthread_mutex_unlock(&run->callback_lock);
}

static void on_trunk_done(void *data, const struct plan_action *last,
			  const char *trunk_id, bool succeeded)
{
	struct apply_run *run = data;
	const struct plan_edge *edge = plan_edge_at(run->plan, last->edge);
	struct callback_outcome outcomes[8];
	struct callback_event event = { 0 };
	struct callback_item item = { 0 };
	size_t n = 0, i;

	(void)succeeded;
	if (run->callback_count == 0)
		return;
	for (i = 0; i < plan_action_count(run->plan) && n < 8; i++) {
		const struct plan_action *a = plan_action_at(run->plan, i);

		if (a->edge != last->edge ||
		    !trunk_name_equal(a->trunk_name, last->trunk_name))
			continue;
		outcomes[n].action = plan_action_kind_name(a->kind);
		outcomes[n].outcome = action_outcome_name(run->outcomes[i]);
		n++;
	}
	event.run_id = run->run_id;
	event.source = plan_source(run->plan);
	event.edge_id = edge->id;
	event.edge_name = edge->name;
	event.trunk_name = last->trunk_name;
	event.trunk_id = trunk_id;
	event.actions = outcomes;
	event.action_count = n;
	if (callback_body_build(&event, &item.body, item.delivery_id) < 0) {
		fprintf(stderr, "trunkctl: error: callback for '%s': %s\n",
			last->trunk_name, error_message());
		run->callbacks_failed++;
		return;
	}
	item.edge_id = edge->id;
	item.trunk_name = last->trunk_name;
	enqueue(run, &item);
}

void apply_run_observer(struct apply_run *run,
			struct executor_observer *observer)
{
	observer->data = run;
	observer->action_done = on_action_done;
	observer->trunk_done = on_trunk_done;
}

static void audit_callback(struct apply_run *run,
			   const struct callback_item *item,
			   const struct callback_result *result, int rc)
{
	struct audit_record record = {
		.edge = item->edge_id,
		.trunk = item->trunk_name,
		.action = "callback",
		.outcome = rc == 0 ? "succeeded" : "failed",
		.http_status = result->http_status ? result->http_status : -1,
		.attempts = result->attempts,
		.latency_ms = result->latency_ms,
		.correlation_id = item->delivery_id,
		.request_body = item->body,
		.request_len = strlen(item->body),
	};

	if (run->audit && !run->audit_failed &&
	    audit_log_append(run->audit, &record) < 0) {
		fprintf(stderr, "trunkctl: error: %s\n", error_message());
		run->audit_failed = true;
	}
}

static void send_one(struct apply_run *run, const struct callback_item *item)
{
	struct callback_send_options options;
	size_t i;

	callback_send_options_init(&options);
	options.cacert = run->cacert;
	if (run->callback_backoff_ms > 0)
		options.backoff_ms = run->callback_backoff_ms;
	for (i = 0; i < run->callback_count; i++) {
		struct callback_request request = {
			.url = run->callback_urls[i],
			.body = item->body,
			.delivery_id = item->delivery_id,
			.key = run->callback_key,
			.key_len = run->callback_key
					   ? strlen(run->callback_key)
					   : 0,
		};
		struct callback_result result;
		int rc = callback_send(&request, &options, &result);

		pthread_mutex_lock(&run->callback_lock);
		if (rc < 0) {
			run->callbacks_failed++;
			log_warn("trunkctl: warning: callback to %s failed: "
				 "%s", request.url, result.error);
		} else {
			run->callbacks_sent++;
		}
		audit_callback(run, item, &result, rc);
		pthread_mutex_unlock(&run->callback_lock);
	}
}

static void *callback_sender(void *arg)
{
	struct apply_run *run = arg;

	pthread_mutex_lock(&run->callback_lock);
	for (;;) {
		struct callback_item item;

		while (run->queue_head == run->queue_tail &&
		       !run->queue_closed)
			pthread_cond_wait(&run->callback_cond,
					  &run->callback_lock);
		if (run->queue_head == run->queue_tail)
			break;
		item = run->queue[run->queue_head++];
		pthread_mutex_unlock(&run->callback_lock);
		send_one(run, &item);
		free(item.body);
		pthread_mutex_lock(&run->callback_lock);
	}
	pthread_mutex_unlock(&run->callback_lock);
	return NULL;
}

int apply_run_start_callbacks(struct apply_run *run)
{
	if (run->callback_count == 0)
		return 0;
	if (pthread_create(&run->callback_thread, NULL, callback_sender,
			   run) != 0)
		return error_set(TRUNKCTL_ERROR, "cannot start the callback "
				 "thread");
	run->callback_thread_started = true;
	return 0;
}

void apply_run_finish_callbacks(struct apply_run *run)
{
	if (!run->callback_thread_started)
		return;
	pthread_mutex_lock(&run->callback_lock);
	run->queue_closed = true;
	pthread_cond_broadcast(&run->callback_cond);
	pthread_mutex_unlock(&run->callback_lock);
	pthread_join(run->callback_thread, NULL);
	run->callback_thread_started = false;
}

void apply_run_release(struct apply_run *run)
{
	size_t i;

	apply_run_finish_callbacks(run);
	for (i = run->queue_head; i < run->queue_tail; i++)
		free(run->queue[i].body);
	free(run->queue);
	free(run->outcomes);
	pthread_cond_destroy(&run->callback_cond);
	pthread_mutex_destroy(&run->callback_lock);
}

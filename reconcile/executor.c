#define _GNU_SOURCE /* asprintf */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "model/error.h"
#include "model/log.h"
#include "reconcile/executor_internal.h"

#define MAX_WORKERS 256

long long executor_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void executor_options_init(struct executor_options *options)
{
	memset(options, 0, sizeof(*options));
	options->parallelism = EXECUTOR_DEFAULT_PARALLELISM;
	options->verify_timeout_ms = EXECUTOR_DEFAULT_VERIFY_TIMEOUT_MS;
	options->verify_poll_ms = EXECUTOR_DEFAULT_VERIFY_POLL_MS;
	options->verify_poll_max_ms = EXECUTOR_DEFAULT_VERIFY_POLL_MAX_MS;
	options->lookup_backoff_ms = EXECUTOR_DEFAULT_LOOKUP_BACKOFF_MS;
	options->lookup_attempts = EXECUTOR_DEFAULT_LOOKUP_ATTEMPTS;
	invite_codes_parse(EXECUTOR_DEFAULT_INVITE_CODES,
			   &options->invite_codes);
}

const char *action_outcome_name(enum action_outcome outcome)
{
	switch (outcome) {
	case ACTION_SUCCEEDED:
		return "succeeded";
	case ACTION_FAILED:
		return "failed";
	case ACTION_SKIPPED:
		return "skipped";
	case ACTION_NOT_STARTED:
		return "not-started";
	case ACTION_PENDING:
		break;
	}
	return "pending";
}

int invite_codes_parse(const char *text, struct invite_codes *out)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[8];
		int low, high;

		if (len == 0 || len >= sizeof(item) ||
		    out->count == sizeof(out->ranges) / sizeof(out->ranges[0]))
			goto invalid;
		memcpy(item, p, len);
		item[len] = '\0';
		if (len == 3 && item[0] >= '1' && item[0] <= '6' &&
		    strcasecmp(item + 1, "xx") == 0) {
			low = (item[0] - '0') * 100;
			high = low + 99;
		} else if (len == 3 && strspn(item, "0123456789") == 3 &&
			   item[0] >= '1' && item[0] <= '6') {
			low = high = atoi(item);
		} else {
			goto invalid;
		}
		out->ranges[out->count].low = low;
		out->ranges[out->count].high = high;
		out->count++;
		p += len;
		if (*p == ',')
			p++;
	}
	if (out->count > 0)
		return 0;
invalid:
	return error_set(TRUNKCTL_EINVALID,
			 "invalid SIP response codes '%s': expected a comma "
			 "list of codes (100-699) or classes such as 2xx",
			 text);
}

bool invite_codes_match(const struct invite_codes *codes, int code)
{
	size_t i;

	for (i = 0; i < codes->count; i++)
		if (code >= codes->ranges[i].low &&
		    code <= codes->ranges[i].high)
			return true;
	return false;
}

/* Groups the actions of each trunk, keyed by edge and name. */
static int build_slots(struct executor *ex)
{
	size_t i, j;

	ex->slots = calloc(ex->count + 1, sizeof(*ex->slots));
	if (!ex->slots)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < ex->count; i++) {
		const struct plan_action *a = ex->runs[i].action;
		struct action_run *owner = NULL;

		/* The actions of one trunk form a chain of dependencies, so
		 * the trunk's earlier action is among this one's. */
		for (j = 0; j < a->depend_count && !owner; j++) {
			struct action_run *dep = &ex->runs[a->depends_on[j]];

			if (dep->action->edge == a->edge &&
			    trunk_name_equal(dep->action->trunk_name,
					     a->trunk_name))
				owner = dep;
		}
		if (owner) {
			ex->runs[i].slot = owner->slot;
		} else {
			struct trunk_slot *slot = &ex->slots[ex->slot_count++];

			if (a->trunk_id && !(slot->trunk_id = strdup(a->trunk_id)))
				return error_set(TRUNKCTL_ENOMEM,
						 "out of memory");
			slot->version = a->live_version;
			slot->status = a->live_status;
			ex->runs[i].slot = slot;
		}
		ex->runs[i].slot->remaining++;
	}
	return 0;
}

static int build_runs(struct executor *ex)
{
	size_t i, j;

	ex->runs = calloc(ex->count + 1, sizeof(*ex->runs));
	ex->ready = calloc(ex->count + 1, sizeof(size_t));
	ex->waiting = calloc(ex->count + 1, sizeof(size_t));
	if (!ex->runs || !ex->ready || !ex->waiting)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < ex->count; i++) {
		const struct plan_action *a = plan_action_at(ex->plan, i);

		ex->runs[i].action = a;
		ex->runs[i].edge_id = plan_edge_at(ex->plan, a->edge)->id;
		ex->runs[i].waiting_on = a->depend_count;
		for (j = 0; j < a->depend_count; j++)
			ex->runs[a->depends_on[j]].dependant_count++;
	}
	for (i = 0; i < ex->count; i++) {
		ex->runs[i].dependants =
			calloc(ex->runs[i].dependant_count + 1, sizeof(size_t));
		if (!ex->runs[i].dependants)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		ex->runs[i].dependant_count = 0;
	}
	for (i = 0; i < ex->count; i++) {
		const struct plan_action *a = ex->runs[i].action;

		for (j = 0; j < a->depend_count; j++) {
			struct action_run *dep = &ex->runs[a->depends_on[j]];

			dep->dependants[dep->dependant_count++] = i;
		}
	}
	return build_slots(ex);
}

/* Queues a run and wakes a worker for it (lock held). */
static void push_ready(struct executor *ex, size_t index)
{
	/* A ring: a run is queued at most once at a time, so `count`
	 * slots are enough. */
	ex->ready[(ex->ready_head + ex->ready_len) % ex->count] = index;
	ex->ready_len++;
	pthread_cond_signal(&ex->cond);
}

static void fill_result(struct action_run *run)
{
	run->result.outcome = run->outcome;
	run->result.trunk_id = run->slot->trunk_id;
	run->result.note = run->note;
	run->result.message = run->message;
	run->result.request_body = run->request_body;
	if (run->started_ms)
		run->result.latency_ms =
			(long)(executor_now_ms() - run->started_ms);
}

static void notify(struct executor *ex, struct action_run *run)
{
	const struct executor_observer *obs = ex->observer;
	bool trunk_ok;

	fill_result(run);
	ex->finished++;
	if (obs && obs->action_done)
		obs->action_done(obs->data, run->action, &run->result,
				 ex->finished, ex->count);
	if (run->outcome != ACTION_SUCCEEDED)
		run->slot->failed = true;
	trunk_ok = !run->slot->failed;
	if (--run->slot->remaining == 0 && obs && obs->trunk_done)
		obs->trunk_done(obs->data, run->action, run->slot->trunk_id,
				trunk_ok);
}

static void mark_skipped(struct action_run *dep, const struct action_run *run)
{
	dep->outcome = ACTION_SKIPPED;
	if (asprintf(&dep->message, "%s of '%s' did not succeed",
		     plan_action_kind_name(run->action->kind),
		     run->action->trunk_name) < 0)
		dep->message = NULL;
}

/*
 * Records the end of run `index` (lock held). It calls the observer, then
 * releases the dependants, or ends them without running when the run did
 * not succeed or the apply is interrupted. `list` has room for every
 * action because an action is added at most once: its outcome leaves
 * PENDING when it is added.
 */
static void finish(struct executor *ex, size_t index,
		   enum action_outcome outcome)
{
	size_t *list = ex->finish_list;
	size_t n = 0, i;

	ex->runs[index].outcome = outcome;
	list[n++] = index;
	while (n > 0) {
		struct action_run *run = &ex->runs[list[--n]];

		notify(ex, run);
		for (i = 0; i < run->dependant_count; i++) {
			size_t d = run->dependants[i];
			struct action_run *dep = &ex->runs[d];

			if (dep->outcome != ACTION_PENDING)
				continue;
			if (run->outcome == ACTION_NOT_STARTED) {
				/* Interrupted: the dependant did not start
				 * either, and nothing failed. */
				dep->outcome = ACTION_NOT_STARTED;
				list[n++] = d;
			} else if (run->outcome != ACTION_SUCCEEDED) {
				mark_skipped(dep, run);
				list[n++] = d;
			} else if (--dep->waiting_on > 0) {
				continue;
			} else if (ex->interrupted) {
				dep->outcome = ACTION_NOT_STARTED;
				list[n++] = d;
			} else {
				push_ready(ex, d);
			}
		}
	}
	pthread_cond_broadcast(&ex->cond);
}

/* Moves the runs whose wait is over to the ready queue (lock held). */
static long long wake_due(struct executor *ex)
{
	long long now = executor_now_ms(), next = 0;
	size_t i = 0;

	while (i < ex->waiting_count) {
		size_t index = ex->waiting[i];
		struct action_run *run = &ex->runs[index];

		if (run->wake_ms <= now) {
			ex->waiting[i] = ex->waiting[--ex->waiting_count];
			push_ready(ex, index);
			continue;
		}
		if (next == 0 || run->wake_ms < next)
			next = run->wake_ms;
		i++;
	}
	return next;
}

static void wait_until(struct executor *ex, long long wake_ms)
{
	struct timespec deadline;
	long long delta;

	if (wake_ms == 0) {
		/* Nothing is timed: wait for a finish, and look at the
		 * interrupt flag now and then. */
		wake_ms = executor_now_ms() + 200;
	}
	delta = wake_ms - executor_now_ms();
	if (delta < 0)
		delta = 0;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += delta / 1000;
	deadline.tv_nsec += (delta % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&ex->cond, &ex->lock, &deadline);
}

/* Takes the next ready run, waiting as needed (lock held). Returns
 * ex->count when every action has finished. */
static size_t take_ready(struct executor *ex)
{
	for (;;) {
		long long next;

		if (!ex->interrupted && ex->options->interrupted &&
		    *ex->options->interrupted) {
			ex->interrupted = true;
			log_warn("trunkctl: warning: interrupted: no new "
				 "action starts; waiting for the running ones "
				 "to finish");
		}
		if (ex->finished == ex->count)
			return ex->count;
		next = wake_due(ex);
		if (ex->ready_len > 0) {
			size_t index = ex->ready[ex->ready_head];

			ex->ready_head = (ex->ready_head + 1) % ex->count;
			ex->ready_len--;

			/* A run that waited is still running: it may go on
			 * after an interrupt. A new one may not. */
			if (ex->interrupted && ex->runs[index].phase == 0 &&
			    ex->runs[index].started_ms == 0) {
				finish(ex, index, ACTION_NOT_STARTED);
				continue;
			}
			return index;
		}
		wait_until(ex, next);
	}
}

static void *worker(void *arg)
{
	struct executor *ex = arg;

	pthread_mutex_lock(&ex->lock);
	for (;;) {
		size_t index = take_ready(ex);
		struct action_run *run;
		enum step_result step;

		if (index == ex->count)
			break;
		run = &ex->runs[index];
		if (!run->started_ms)
			run->started_ms = executor_now_ms();
		pthread_mutex_unlock(&ex->lock);

		step = executor_step(ex, run);

		pthread_mutex_lock(&ex->lock);
		if (step == STEP_WAIT) {
			ex->waiting[ex->waiting_count++] = index;
			pthread_cond_broadcast(&ex->cond);
		} else {
			finish(ex, index,
			       step == STEP_DONE ? ACTION_SUCCEEDED
						 : ACTION_FAILED);
		}
	}
	pthread_mutex_unlock(&ex->lock);
	return NULL;
}

static void executor_release(struct executor *ex)
{
	size_t i;

	for (i = 0; ex->runs && i < ex->count; i++) {
		free(ex->runs[i].dependants);
		free(ex->runs[i].note);
		free(ex->runs[i].message);
		free(ex->runs[i].request_body);
	}
	for (i = 0; ex->slots && i < ex->slot_count; i++)
		free(ex->slots[i].trunk_id);
	free(ex->slots);
	free(ex->runs);
	free(ex->ready);
	free(ex->waiting);
	free(ex->finish_list);
}

static void summarise(const struct executor *ex,
		      struct executor_summary *summary)
{
	size_t i;

	memset(summary, 0, sizeof(*summary));
	summary->interrupted = ex->interrupted;
	for (i = 0; i < ex->count; i++) {
		switch (ex->runs[i].outcome) {
		case ACTION_SUCCEEDED:
			summary->succeeded++;
			break;
		case ACTION_FAILED:
			summary->failed++;
			break;
		case ACTION_SKIPPED:
			summary->skipped++;
			break;
		default:
			summary->not_started++;
			break;
		}
	}
}

int executor_run(const struct plan *plan, struct http_client *client,
		 const struct api_profile *profile,
		 const struct executor_options *options,
		 const struct executor_observer *observer,
		 struct executor_summary *summary)
{
	struct executor ex = { .plan = plan, .client = client,
			       .profile = profile, .options = options,
			       .observer = observer };
	pthread_t threads[MAX_WORKERS];
	int workers = options->parallelism, started = 0, i, rc;
	size_t a;

	ex.count = plan_action_count(plan);
	memset(summary, 0, sizeof(*summary));
	if (ex.count == 0)
		return 0;
	ex.finish_list = calloc(ex.count + 1, sizeof(size_t));
	if (!ex.finish_list) {
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = build_runs(&ex)) < 0)
		goto done;
	for (a = 0; a < ex.count; a++)
		if (ex.runs[a].waiting_on == 0)
			push_ready(&ex, a);

	pthread_mutex_init(&ex.lock, NULL);
	pthread_cond_init(&ex.cond, NULL);
	if (workers < 1)
		workers = 1;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	for (i = 0; i < workers; i++)
		if (pthread_create(&threads[i], NULL, worker, &ex) == 0)
			started++;
	if (started == 0)
		worker(&ex);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&ex.cond);
	pthread_mutex_destroy(&ex.lock);
	summarise(&ex, summary);
	rc = 0;

done:
	executor_release(&ex);
	return rc;
}

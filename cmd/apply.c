/*
 * trunkctl apply: plans (or loads a saved plan) and runs the actions,
 * writing an audit line per action.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/apply_run.h"
#include "cmd/planning.h"
#include "http/config.h"
#include "http/metrics.h"
#include "model/error.h"

#define DEFAULT_AUDIT_LOG "trunkctl-audit.jsonl"

enum {
	OPT_HELP = 1,
	OPT_PLAN,
	OPT_AUTO_APPROVE,
	OPT_AUDIT_LOG,
	OPT_CALLBACK,
	OPT_CALLBACK_UNSIGNED,
	OPT_CALLBACKS_REQUIRED,
	OPT_CALLBACK_RETRY_BASE,
	OPT_METRICS_FILE,
	OPT_VERIFY_TIMEOUT,
	OPT_VERIFY_POLL,
	OPT_VERIFY_CODES,
	OPT_LOOKUP_BACKOFF,
	OPT_NO_COLOR,
};

static const struct cmd_option apply_options[] = {
	{ "--help", false, OPT_HELP },
	{ "-h", false, OPT_HELP },
	{ "--plan", true, OPT_PLAN },
	{ "--auto-approve", false, OPT_AUTO_APPROVE },
	{ "--audit-log", true, OPT_AUDIT_LOG },
	{ "--callback", true, OPT_CALLBACK },
	{ "--callback-unsigned", false, OPT_CALLBACK_UNSIGNED },
	{ "--callbacks-required", false, OPT_CALLBACKS_REQUIRED },
	{ "--callback-retry-base", true, OPT_CALLBACK_RETRY_BASE },
	{ "--metrics-file", true, OPT_METRICS_FILE },
	{ "--verify-timeout", true, OPT_VERIFY_TIMEOUT },
	{ "--verify-poll-interval", true, OPT_VERIFY_POLL },
	{ "--verify-invite-codes", true, OPT_VERIFY_CODES },
	{ "--lookup-backoff", true, OPT_LOOKUP_BACKOFF },
	{ "--no-color", false, OPT_NO_COLOR },
	PLANNING_OPTIONS,
	{ NULL, false, 0 },
};

static void print_apply_usage(FILE *out)
{
	fputs("usage: trunkctl apply [OPTIONS] PATH...\n"
	      "       trunkctl apply [OPTIONS] --git-repo REPO [--ref REV]\n"
	      "       trunkctl apply [OPTIONS] --plan FILE\n"
	      "\n"
	      "Plans as 'trunkctl plan' does, shows the plan, and runs its\n"
	      "actions: create, update, activate, deactivate, verify, delete.\n"
	      "On a terminal it asks for 'yes' first; elsewhere it needs\n"
	      "--auto-approve. With --plan it applies a saved plan after\n"
	      "refetching its edges, and rejects the plan when any edge changed\n"
	      "since it was made (or the plan was applied already).\n"
	      "\n"
	      PLANNING_HELP
	      "\n"
	      "Applying:\n"
	      "  --plan FILE              apply a plan saved by 'plan --out'\n"
	      "  --auto-approve           run without asking\n"
	      "  --audit-log FILE         hash-chained JSON lines, one per "
	      "action\n"
	      "                           (default " DEFAULT_AUDIT_LOG
	      ", mode 0600)\n"
	      "  --verify-timeout D       wait for ENABLED at most D "
	      "(default 120s)\n"
	      "  --verify-poll-interval D first status poll after D, then "
	      "doubling\n"
	      "                           up to 10s (default 1s)\n"
	      "  --verify-invite-codes L  SIP answers to the test INVITE that "
	      "pass\n"
	      "                           (default 2xx,401,407)\n"
	      "  --lookup-backoff D       first wait before looking up a "
	      "trunk whose\n"
	      "                           create answer was lost (default "
	      "250ms)\n"
	      "  --metrics-file FILE      write Prometheus text metrics to "
	      "FILE\n"
	      "  --callback URL           POST each finished trunk to URL "
	      "(repeatable;\n"
	      "                           https, or http on loopback)\n"
	      "  --callback-unsigned      allow callbacks without "
	      "TRUNKCTL_CALLBACK_SECRET\n"
	      "  --callbacks-required     a failed callback fails the run\n"
	      "  --callback-retry-base D  pause before the second of 3 tries "
	      "of a\n"
	      "                           callback, doubled before the third\n"
	      "                           (default 500ms)\n"
	      "  --no-color               no colours in the plan\n"
	      "  -h, --help               print this help\n"
	      "\n"
	      "Durations are seconds (\"1.5\") or carry a unit (\"250ms\", "
	      "\"2s\", \"5m\", \"1h\").\n"
	      "Callbacks are signed with HMAC-SHA256 of the body under\n"
	      "TRUNKCTL_CALLBACK_SECRET (header X-Trunkctl-Signature).\n"
	      "Exit status: 0 when every action succeeded, 1 otherwise.\n",
	      out);
}

struct apply_command {
	struct planning_options planning;
	const char *plan_file;
	bool auto_approve;
	const char *audit_log;
	const char **callbacks;
	size_t callback_count;
	bool callback_unsigned;
	bool callbacks_required;
	long callback_backoff_ms;     /* 0 for the default */
	const char *metrics_file;
	bool no_color;
	struct executor_options executor;
};

static int parse_duration(const char *option, const char *text, long *ms)
{
	if (http_duration_parse(text, ms) == 0 && *ms >= 0)
		return 0;
	fprintf(stderr, "trunkctl: error: apply: %s takes a duration such "
		"as 1.5, 250ms, 2s or 5m, not '%s'\n", option, text);
	return -1;
}

static int apply_option(struct apply_command *cmd, int id, const char *value)
{
	struct executor_options *e = &cmd->executor;

	switch (id) {
	case OPT_PLAN:
		cmd->plan_file = value;
		return 0;
	case OPT_AUTO_APPROVE:
		cmd->auto_approve = true;
		return 0;
	case OPT_AUDIT_LOG:
		cmd->audit_log = value;
		return 0;
	case OPT_CALLBACK:
		cmd->callbacks[cmd->callback_count++] = value;
		return callback_check_url(value) < 0 ? (print_error(), -1) : 0;
	case OPT_CALLBACK_UNSIGNED:
		cmd->callback_unsigned = true;
		return 0;
	case OPT_CALLBACKS_REQUIRED:
		cmd->callbacks_required = true;
		return 0;
	case OPT_CALLBACK_RETRY_BASE:
		return parse_duration("--callback-retry-base", value,
				      &cmd->callback_backoff_ms);
	case OPT_METRICS_FILE:
		cmd->metrics_file = value;
		return 0;
	case OPT_VERIFY_TIMEOUT:
		return parse_duration("--verify-timeout", value,
				      &e->verify_timeout_ms);
	case OPT_VERIFY_POLL:
		return parse_duration("--verify-poll-interval", value,
				      &e->verify_poll_ms);
	case OPT_LOOKUP_BACKOFF:
		return parse_duration("--lookup-backoff", value,
				      &e->lookup_backoff_ms);
	case OPT_VERIFY_CODES:
		return invite_codes_parse(value, &e->invite_codes) < 0
			       ? (print_error(), -1)
			       : 0;
	case OPT_NO_COLOR:
		cmd->no_color = true;
		return 0;
	}
	return planning_option(&cmd->planning, "apply", id, value);
}

/* Returns 0, 1 after --help, or -1 after a usage error. */
static int parse(int argc, char **argv, struct apply_command *cmd)
{
	bool rest = false;
	const char *value;
	int i = 1, id;

	while ((id = cmd_next_arg("apply", argc, argv, &i, apply_options,
				  &rest, &value)) != CMD_ARG_END) {
		if (id == CMD_ARG_ERROR)
			return -1;
		if (id == OPT_HELP) {
			print_apply_usage(stdout);
			return 1;
		}
		if (apply_option(cmd, id, value) < 0)
			return -1;
	}
	if (cmd->executor.verify_poll_ms < 1)
		cmd->executor.verify_poll_ms = 1;
	if (cmd->executor.verify_poll_max_ms < cmd->executor.verify_poll_ms)
		cmd->executor.verify_poll_max_ms = cmd->executor.verify_poll_ms;
	if (cmd->plan_file) {
		if (cmd->planning.source.path_count ||
		    cmd->planning.source.git_repo ||
		    cmd->planning.target_count) {
			fprintf(stderr, "trunkctl: error: apply: --plan takes "
				"no PATH, --git-repo or --target: the saved "
				"plan fixes them\n");
			return -1;
		}
		return 0;
	}
	return planning_options_check(&cmd->planning, "apply");
}

/* Loads a saved plan and checks it against the live state. */
static int load_saved_plan(const struct global_options *global,
			   const char *path, struct planning *run)
{
	const char **ids = NULL;
	size_t count, i;
	int parallelism, rc;

	memset(run, 0, sizeof(*run));
	run->profile = &api_profile_trunks;
	if ((rc = plan_load(path, &run->plan)) < 0) {
		print_error();
		return rc;
	}
	if ((rc = parallelism_get(global, &parallelism)) < 0 ||
	    (rc = client_open(global, &run->client)) < 0)
		return rc;
	count = plan_edge_count(run->plan);
	ids = calloc(count + 1, sizeof(*ids));
	if (!ids) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		return TRUNKCTL_ENOMEM;
	}
	for (i = 0; i < count; i++)
		ids[i] = plan_edge_at(run->plan, i)->id;
	rc = live_state_fetch_ids(run->client, run->profile, ids, count,
				  parallelism, &run->live);
	free(ids);
	if (rc == 0)
		rc = plan_check_fingerprints(run->plan, run->live.edges,
					     run->live.edge_count);
	if (rc == TRUNKCTL_ECONFLICT)
		fprintf(stderr, "trunkctl: error: %s; nothing was done with "
			"'%s'\n", error_message(), path);
	else if (rc < 0)
		fprintf(stderr, "trunkctl: error: %s\n", error_message());
	return rc;
}

/* Asks for "yes" on a terminal; elsewhere --auto-approve is required. */
static bool approved(const struct apply_command *cmd)
{
	char answer[16];

	if (cmd->auto_approve)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "trunkctl: error: apply: standard input is "
			"not a terminal, so nobody can confirm; pass "
			"--auto-approve to apply without asking\n");
		return false;
	}
	printf("\nDo you want to apply these actions?\n"
	       "  Only 'yes' will be accepted to approve.\n\n"
	       "  Enter a value: ");
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin) ||
	    strcmp(answer, "yes\n") != 0) {
		printf("\nApply cancelled.\n");
		return false;
	}
	return true;
}

static int show_plan(const struct plan *plan, const struct apply_command *cmd)
{
	struct plan_render_options options = { 0 };
	char *text = NULL;

	options.color = !cmd->no_color && use_color();
	if (plan_render_text(plan, &options, &text) < 0) {
		print_error();
		return -1;
	}
	fputs(text, stdout);
	free(text);
	fflush(stdout);
	return 0;
}

static volatile sig_atomic_t interrupted;
static struct timespec first_signal;

/*
 * The first SIGINT or SIGTERM stops new actions. A second one ends the
 * process at once, unless it comes within a second of the first. A
 * supervisor that signals both the process and its process group, as GNU
 * timeout does, delivers one request twice.
 */
static void on_signal(int signo)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!interrupted) {
		first_signal = now;
		interrupted = 1;
		return;
	}
	if (now.tv_sec - first_signal.tv_sec > 1 ||
	    (now.tv_sec - first_signal.tv_sec == 1 &&
	     now.tv_nsec >= first_signal.tv_nsec)) {
		signal(signo, SIG_DFL);
		raise(signo);
	}
}

static void handle_signals(void (*handler)(int))
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = handler;
	sigemptyset(&action.sa_mask);
	action.sa_flags = SA_RESTART;
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
}

/* The prefix of every trunk API route, left out of endpoint labels. */
#define API_ROUTE_PREFIX "/api/v2/telephony/providers"

/*
 * Copies the API client's figures per endpoint (the planning requests
 * included) into the run's metrics, labelled "METHOD ROUTE".
 */
static void record_endpoints(struct metrics *metrics,
			     struct http_client *client)
{
	struct http_endpoint_stats *stats = NULL;
	size_t count = 0, prefix = strlen(API_ROUTE_PREFIX), i;

	if (http_client_metrics(client, &stats, &count) < 0) {
		print_error();
		return;
	}
	for (i = 0; i < count; i++) {
		const struct http_endpoint_stats *e = &stats[i];
		struct metrics_summary summary = {
			.count = e->calls,
			.successes = e->successes,
			.failures = e->failures,
			.retries = e->retries,
			.rate_limited = e->throttled,
			.p50_ms = (double)e->latency_p50_ms,
			.p95_ms = (double)e->latency_p95_ms,
			.max_ms = (double)e->latency_max_ms,
			.sum_ms = (double)e->latency_sum_ms,
		};
		const char *route = e->route;
		char label[256];

		if (strncmp(route, API_ROUTE_PREFIX, prefix) == 0 &&
		    route[prefix] == '/')
			route += prefix;
		snprintf(label, sizeof(label), "%s %s", e->method, route);
		if (metrics_put_summary(metrics, METRICS_ENDPOINT, label,
					&summary) < 0)
			print_error();
	}
	free(stats);
}

static void print_report(struct apply_run *run,
			 const struct executor_summary *summary)
{
	char *table = NULL;

	printf("\nApply %s: %zu succeeded, %zu failed, %zu skipped, %zu not "
	       "started.\n",
	       summary->interrupted ? "interrupted" : "complete",
	       summary->succeeded, summary->failed, summary->skipped,
	       summary->not_started);
	if (run->callback_count)
		printf("Callbacks: %zu sent, %zu failed.\n", run->callbacks_sent,
		       run->callbacks_failed);
	if (metrics_render_text(run->metrics, &table) == 0 && table) {
		printf("\n%s", table);
		free(table);
	}
}

/*
 * Appends the run-end line. Its outcome is "interrupted" after SIGINT or
 * SIGTERM, "failed" when an action did not succeed, else "succeeded".
 */
static int append_run_end(struct audit_log *audit,
			  const struct audit_totals *totals,
			  const struct executor_summary *summary)
{
	struct audit_record record = {
		.action = "run-end",
		.http_status = -1,
		.attempts = -1,
		.latency_ms = -1,
		.totals = totals,
	};

	if (summary->interrupted)
		record.outcome = "interrupted";
	else if (summary->failed || summary->skipped || summary->not_started)
		record.outcome = "failed";
	else
		record.outcome = "succeeded";
	return audit_log_append(audit, &record);
}

static int run_actions(const struct global_options *global,
		       const struct apply_command *cmd,
		       struct planning *planned, struct apply_run *run)
{
	struct executor_options options = cmd->executor;
	struct executor_observer observer;
	struct executor_summary summary;
	struct audit_totals totals = { 0 };
	char hash[65];
	int rc;

	totals.actions = (int)plan_action_count(planned->plan);
	if ((rc = audit_log_run_start(run->audit, &totals)) < 0) {
		print_error();
		return rc;
	}
	options.interrupted = &interrupted;
	run->stop = &interrupted;
	if (parallelism_get(global, &options.parallelism) < 0)
		return TRUNKCTL_EINVALID;
	handle_signals(on_signal);
	if ((rc = apply_run_start_callbacks(run)) < 0) {
		print_error();
		return rc;
	}
	apply_run_observer(run, &observer);
	rc = executor_run(planned->plan, planned->client, planned->profile,
			  &options, &observer, &summary);
	if (run->progress)
		fputs("\r\033[K", stderr);
	apply_run_finish_callbacks(run);
	handle_signals(SIG_DFL);
	if (rc < 0) {
		print_error();
		return rc;
	}

	totals.succeeded = (int)summary.succeeded;
	totals.failed = (int)summary.failed;
	totals.skipped = (int)(summary.skipped + summary.not_started);
	if (append_run_end(run->audit, &totals, &summary) < 0) {
		print_error();
		run->audit_failed = true;
	}
	record_endpoints(run->metrics, planned->client);
	print_report(run, &summary);
	if (cmd->metrics_file &&
	    metrics_write_prometheus(run->metrics, cmd->metrics_file) < 0) {
		print_error();
		run->audit_failed = true;
	}
	audit_log_last_hash(run->audit, hash);
	printf("\nAudit log: %s (final hash %s)\n", cmd->audit_log, hash);
	if (summary.interrupted)
		fprintf(stderr, "trunkctl: error: apply was interrupted; "
			"%zu %s not start; run apply again to finish\n",
			summary.not_started,
			summary.not_started == 1 ? "action did"
						 : "actions did");
	else if (summary.failed)
		fprintf(stderr, "trunkctl: error: %zu %s failed and %zu %s "
			"skipped; the failures are listed above and in the "
			"audit log '%s'\n", summary.failed,
			summary.failed == 1 ? "action" : "actions",
			summary.skipped, summary.skipped == 1 ? "was" : "were",
			cmd->audit_log);
	if (run->callbacks_failed && cmd->callbacks_required)
		fprintf(stderr, "trunkctl: error: %zu %s failed and "
			"--callbacks-required is set\n", run->callbacks_failed,
			run->callbacks_failed == 1 ? "callback" : "callbacks");
	if (summary.failed || summary.skipped || summary.not_started ||
	    summary.interrupted || run->audit_failed ||
	    (cmd->callbacks_required && run->callbacks_failed))
		return TRUNKCTL_ERROR;
	return 0;
}

/* Opens what the run writes to: the audit log and the metrics. */
static int prepare_run(const struct apply_command *cmd,
		       const struct planning *planned, struct apply_run *run,
		       char run_id[37])
{
	int rc;

	if ((rc = apply_run_init(run, planned->plan)) < 0 ||
	    (rc = callback_delivery_id_new(run_id)) < 0 ||
	    (rc = audit_log_open(cmd->audit_log, run_id,
				 plan_source(planned->plan),
				 &run->audit)) < 0) {
		print_error();
		return rc;
	}
	run->metrics = metrics_new();
	if (!run->metrics) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		return TRUNKCTL_ENOMEM;
	}
	run->run_id = run_id;
	run->progress = isatty(STDERR_FILENO);
	run->callback_urls = cmd->callbacks;
	run->callback_count = cmd->callback_count;
	run->callback_backoff_ms = cmd->callback_backoff_ms;
	run->callback_key = getenv("TRUNKCTL_CALLBACK_SECRET");
	if (run->callback_key && !*run->callback_key)
		run->callback_key = NULL;
	return 0;
}

static int check_callback_key(const struct apply_command *cmd)
{
	const char *key = getenv("TRUNKCTL_CALLBACK_SECRET");

	if (cmd->callback_count == 0 || (key && *key) ||
	    cmd->callback_unsigned)
		return 0;
	fprintf(stderr, "trunkctl: error: apply: --callback needs "
		"TRUNKCTL_CALLBACK_SECRET to sign the deliveries; set it, or "
		"pass --callback-unsigned to send them unsigned\n");
	return -1;
}

static int apply_planned(const struct global_options *global,
			 const struct apply_command *cmd,
			 struct planning *planned)
{
	struct apply_run run = { 0 };
	struct plan_counts counts;
	char run_id[37];
	int rc;

	if (show_plan(planned->plan, cmd) < 0)
		return TRUNKCTL_ERROR;
	if (plan_failed_edges(planned->plan) > 0) {
		fprintf(stderr, "trunkctl: error: apply: the plan failed for "
			"%zu %s; nothing was done\n",
			plan_failed_edges(planned->plan),
			plan_failed_edges(planned->plan) == 1 ? "edge"
							       : "edges");
		return TRUNKCTL_EINVALID;
	}
	plan_count(planned->plan, &counts);
	if (counts.total == 0)
		return 0;
	if (!approved(cmd))
		return TRUNKCTL_ERROR;

	rc = prepare_run(cmd, planned, &run, run_id);
	if (rc == 0)
		rc = run_actions(global, cmd, planned, &run);
	apply_run_release(&run);
	metrics_free(run.metrics);
	audit_log_free(run.audit);
	return rc;
}

int cmd_apply(int argc, char **argv, const struct global_options *global)
{
	struct apply_command cmd = { .audit_log = DEFAULT_AUDIT_LOG };
	struct planning planned = { 0 };
	int rc;

	/* Line by line even into a pipe, so that a CI log that merges
	 * stdout and stderr keeps the order in which lines were written. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A reader of stdout that goes away (apply | head) must not end the
	 * run halfway: writes then fail, and main() reports it at the end. */
	signal(SIGPIPE, SIG_IGN);
	executor_options_init(&cmd.executor);
	planning_options_init(&cmd.planning, argc);
	cmd.callbacks = calloc((size_t)argc + 1, sizeof(*cmd.callbacks));
	if (!cmd.callbacks) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		rc = -1;
		goto done;
	}
	rc = parse(argc, argv, &cmd);
	if (rc == 0)
		rc = check_callback_key(&cmd);
	if (rc != 0)
		goto done;

	if (cmd.plan_file)
		rc = load_saved_plan(global, cmd.plan_file, &planned);
	else
		rc = planning_run(global, &cmd.planning, &planned);
	if (rc == 0)
		rc = apply_planned(global, &cmd, &planned);

done:
	planning_finish(&planned);
	planning_options_release(&cmd.planning);
	free(cmd.callbacks);
	if (rc > 0)
		return EXIT_OK; /* --help */
	return rc == 0 ? EXIT_OK : EXIT_FAILURE_;
}

/*
 * trunkctl drift: compares the live trunks with the manifests and lists
 * what differs, once or on a schedule. Reads only: one token request and
 * GETs per check.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/planning.h"
#include "http/config.h"
#include "model/error.h"
#include "reconcile/drift.h"

/*
 * node_exporter's textfile collector, the usual reader of the metrics
 * file, runs as a user of its own, so the file must be readable by
 * others. It contains edge names and ids and trunk counts, no secret.
 */
#define METRICS_FILE_MODE 0644

/* The shortest --interval, so a typo cannot hammer the API. */
#define MIN_INTERVAL_MS 100

enum {
	OPT_HELP = 1,
	OPT_FORMAT,
	OPT_METRICS_FILE,
	OPT_INTERVAL,
};

static const struct cmd_option drift_options[] = {
	{ "--help", false, OPT_HELP },
	{ "-h", false, OPT_HELP },
	{ "--format", true, OPT_FORMAT },
	{ "--metrics-file", true, OPT_METRICS_FILE },
	{ "--interval", true, OPT_INTERVAL },
	{ "--git-repo", true, OPT_GIT_REPO },
	{ "--ref", true, OPT_REF },
	{ "--path", true, OPT_PATH },
	{ "--target", true, OPT_TARGET },
	{ NULL, false, 0 },
};

static void print_drift_usage(FILE *out)
{
	fputs("usage: trunkctl drift [OPTIONS] PATH...\n"
	      "       trunkctl drift [OPTIONS] --git-repo REPO [--ref REV] "
	      "[--path SUBDIR]\n"
	      "\n"
	      "Compares the live trunks of the manifests' edges with the\n"
	      "manifests and lists each trunk that differs: missing, other\n"
	      "managed fields (each field named, live -> manifest), a status\n"
	      "other than the one its state requires (active: ENABLED), or\n"
	      "still live although absent (or undeclared on an edge with\n"
	      "prune). Live trunks that no manifest declares on an edge\n"
	      "without prune are listed as unmanaged; they are not drift.\n"
	      "Sends one token request and GET requests only; changes "
	      "nothing.\n"
	      "\n"
	      "Manifests:\n"
	      "  PATH...                  manifest files or folders\n"
	      "  --git-repo REPO          read the manifests from a git "
	      "repository\n"
	      "                           (a folder or a file:// URL) "
	      "instead\n"
	      "  --ref REV                the revision to read (default "
	      "HEAD)\n"
	      "  --path SUBDIR            the folder of the tree to read\n"
	      "  --target EDGE            check only this edge (id or name; "
	      "repeatable)\n"
	      "\n"
	      "Output:\n"
	      "  --format FORMAT          text (default), json or markdown\n"
	      "  --metrics-file FILE      write Prometheus text metrics to "
	      "FILE after\n"
	      "                           each check (mode 0644, for "
	      "node_exporter's\n"
	      "                           textfile collector)\n"
	      "  --interval DURATION      check again every DURATION until "
	      "SIGTERM or\n"
	      "                           SIGINT (\"90s\", \"5m\", \"1h\"; "
	      "at least 100ms)\n"
	      "  -h, --help               print this help\n"
	      "\n"
	      "The manifests are read again before each check, so a service\n"
	      "that runs with --interval sees new commits of its checkout.\n"
	      "With --interval, JSON output is one line per check.\n"
	      "\n"
	      "Exit status: 0 in sync, 2 drift found, 1 error. With "
	      "--interval: 0\n"
	      "after a signal, once the running check has finished.\n",
	      out);
}

struct drift_command {
	struct planning_options planning;
	const char *format;
	const char *metrics_file;
	long interval_ms;         /* 0: check once */
};

/* Parses "90s", "5m", "1h", "1.5", "250ms" into milliseconds, at most
 * 100 days. */
static int parse_interval(const char *text, long *ms)
{
	if (http_duration_parse(text, ms) < 0 ||
	    *ms > 100L * 24 * 3600 * 1000)
		return -1;
	return 0;
}

/* Returns 0, 1 after --help, or -1 after a usage error. */
static int parse(int argc, char **argv, struct drift_command *cmd)
{
	bool rest = false;
	const char *value;
	int i = 1, id;

	while ((id = cmd_next_arg("drift", argc, argv, &i, drift_options,
				  &rest, &value)) != CMD_ARG_END) {
		switch (id) {
		case CMD_ARG_ERROR:
			return -1;
		case OPT_HELP:
			print_drift_usage(stdout);
			return 1;
		case OPT_FORMAT:
			cmd->format = value;
			break;
		case OPT_METRICS_FILE:
			cmd->metrics_file = value;
			break;
		case OPT_INTERVAL:
			if (parse_interval(value, &cmd->interval_ms) < 0 ||
			    cmd->interval_ms < MIN_INTERVAL_MS) {
				fprintf(stderr, "trunkctl: error: drift: "
					"--interval takes a duration of at "
					"least 100ms such as 90s, 5m or 1h, "
					"not '%s'\n", value);
				return -1;
			}
			break;
		default:
			if (planning_option(&cmd->planning, "drift", id, value))
				return -1;
		}
	}
	if (cmd_check_format("drift", cmd->format) < 0)
		return -1;
	return planning_options_check(&cmd->planning, "drift");
}

/*
 * Names the edges that manifests declare by id, with one listing of the
 * org's edges, so reports and metric labels show names. Best effort: a
 * failed listing leaves the ids.
 */
static void name_edges(struct http_client *client,
		       struct drift_report *report)
{
	struct edge_ref *edges = NULL;
	size_t count = 0, i, j;
	bool needed = false;

	for (i = 0; i < report->edge_count; i++)
		needed = needed || !report->edges[i].name;
	if (!needed || api_profile_trunks.list_edges(client, NULL, &edges,
						     &count, NULL) < 0)
		return;
	for (i = 0; i < report->edge_count; i++) {
		struct drift_edge *edge = &report->edges[i];

		for (j = 0; !edge->name && j < count; j++)
			if (edges[j].id && edges[j].name &&
			    strcmp(edges[j].id, edge->id) == 0)
				edge->name = strdup(edges[j].name);
	}
	api_edges_release(edges, count);
}

/*
 * Loads the manifests, fetches the live state and compares them. `last`
 * is set for a one-shot run, whose memory the process exit takes back;
 * a check of the service frees its own.
 */
static int check(const struct drift_command *cmd,
		 const struct global_options *global, bool last,
		 struct drift_report *report)
{
	struct loaded_manifests manifests;
	struct http_client *client = NULL;
	struct live_state live = { 0 };
	struct fetch_options fetch = { 0 };
	int rc;

	rc = manifests_load(&cmd->planning.source, &manifests);
	if (rc < 0)
		return rc;
	if ((rc = parallelism_get(global, &fetch.parallelism)) < 0 ||
	    (rc = client_open(global, &client)) < 0)
		goto done;

	fetch.targets = cmd->planning.targets;
	fetch.target_count = cmd->planning.target_count;
	rc = live_state_fetch(client, &api_profile_trunks, &manifests.model,
			      &fetch, &live);
	if (rc == 0)
		rc = drift_compute(live.edges, live.edge_count,
				   &manifests.source, 0, report);
	if (rc == 0)
		name_edges(client, report);
	if (rc < 0)
		print_error();

done:
	http_client_free(client);
	if (!last || !cmd_leave_at_exit(&live, sizeof(live)))
		live_state_release(&live);
	if (!last || !cmd_leave_at_exit(&manifests, sizeof(manifests)))
		loaded_manifests_release(&manifests);
	return rc;
}

static int render(const struct drift_report *report,
		  const struct drift_command *cmd)
{
	char *text = NULL;
	int rc;

	if (strcmp(cmd->format, "json") == 0)
		rc = drift_render_json(report, cmd->interval_ms == 0, &text);
	else if (strcmp(cmd->format, "markdown") == 0)
		rc = drift_render_markdown(report, &text);
	else
		rc = drift_render_text(report, &text);
	if (rc < 0) {
		print_error();
		return rc;
	}
	fputs(text, stdout);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stdout);
	fflush(stdout);
	free(text);
	return 0;
}

static long long clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock time, for time stamps. */
static long long now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/* Monotonic time, for the schedule: a clock change does not move it. */
static long long monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* Writes the metrics of one check; `report` NULL after a failed one. */
static int write_metrics(const char *path, const struct drift_report *report,
			 long long checked_ms, bool success)
{
	char *text = NULL;
	int rc;

	rc = drift_render_prometheus(report, checked_ms, success, &text);
	if (rc == 0)
		rc = drift_write_file(path, text, METRICS_FILE_MODE);
	free(text);
	if (rc < 0)
		print_error();
	return rc;
}

/* The exit status of one check: 0 in sync, 2 drift, 1 a failed edge. */
static int check_status(const struct drift_report *report)
{
	struct drift_counts counts;

	drift_count(report, &counts);
	if (counts.failed_edges > 0)
		return EXIT_FAILURE_;
	return counts.drifted > 0 ? EXIT_CHANGES : EXIT_OK;
}

static int run_once(const struct drift_command *cmd,
		    const struct global_options *global)
{
	struct drift_report report = { 0 };
	int rc, status;

	rc = check(cmd, global, true, &report);
	if (rc < 0) {
		if (cmd->metrics_file)
			write_metrics(cmd->metrics_file, NULL, now_ms(), false);
		return EXIT_FAILURE_;
	}
	status = check_status(&report);
	if (render(&report, cmd) < 0)
		status = EXIT_FAILURE_;
	if (cmd->metrics_file &&
	    write_metrics(cmd->metrics_file, &report, report.checked_ms,
			  status != EXIT_FAILURE_) < 0)
		status = EXIT_FAILURE_;
	drift_report_release(&report);
	return status;
}

/* The service loop's stop request: a signal writes one byte here. */
static int stop_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo)
{
	int saved = errno;
	char byte = 1;

	stop_signal = signo;
	if (write(stop_pipe[1], &byte, 1) < 0) {
		/* The pipe is full: a stop is pending already. */
	}
	errno = saved;
}

/* A second SIGINT or SIGTERM ends the process at once (SA_RESETHAND). */
static int install_stop_handlers(void)
{
	struct sigaction action;

	if (pipe(stop_pipe) < 0) {
		fprintf(stderr, "trunkctl: error: drift: cannot create a "
			"pipe: %s\n", strerror(errno));
		return -1;
	}
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_stop_signal;
	action.sa_flags = SA_RESETHAND;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	return 0;
}

static void log_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Logs one line of the service loop on stderr with a UTC time stamp. */
static void log_line(const char *fmt, ...)
{
	long long ms = now_ms();
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;
	char when[32];
	va_list ap;

	gmtime_r(&seconds, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03dZ trunkctl: ", when, (int)(ms % 1000));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Waits `ms` or until a stop signal; returns true when one came. */
static bool wait_or_stop(long long ms)
{
	long long deadline = monotonic_ms() + ms, left;
	struct pollfd fd = { stop_pipe[0], POLLIN, 0 };

	while (!stop_signal && (left = deadline - monotonic_ms()) > 0) {
		if (poll(&fd, 1, left > 60000 ? 60000 : (int)left) < 0 &&
		    errno != EINTR)
			break;
	}
	return stop_signal != 0;
}

static void log_result(const struct drift_report *report, long long ms)
{
	struct drift_counts c;

	drift_count(report, &c);
	if (c.failed_edges > 0)
		log_line("error: drift check failed for %zu of %zu edges after "
			 "%lld ms; see the report", c.failed_edges,
			 report->edge_count, ms);
	else if (c.drifted > 0)
		log_line("drift check found drift in %lld ms: %zu %s on "
			 "%zu of %zu edges", ms, c.drifted,
			 c.drifted == 1 ? "trunk" : "trunks", c.drifted_edges,
			 report->edge_count);
	else
		log_line("drift check found no drift in %lld ms (%zu edges)",
			 ms, report->edge_count);
}

/* One check of the service loop: report, metrics, log lines. */
static void run_scheduled(const struct drift_command *cmd,
			  const struct global_options *global,
			  unsigned long number)
{
	struct drift_report report = { 0 };
	long long start = monotonic_ms();
	int status;

	log_line("drift check %lu started", number);
	if (check(cmd, global, false, &report) < 0) {
		log_line("error: drift check %lu failed after %lld ms; the "
			 "next one starts on schedule", number,
			 monotonic_ms() - start);
		if (cmd->metrics_file)
			write_metrics(cmd->metrics_file, NULL, now_ms(), false);
		return;
	}
	status = check_status(&report);
	render(&report, cmd);
	log_result(&report, monotonic_ms() - start);
	if (cmd->metrics_file &&
	    write_metrics(cmd->metrics_file, &report, report.checked_ms,
			  status != EXIT_FAILURE_) < 0)
		log_line("error: cannot write the metrics file '%s'",
			 cmd->metrics_file);
	drift_report_release(&report);
}

static int run_service(const struct drift_command *cmd,
		       const struct global_options *global)
{
	unsigned long number = 0;
	long long start;

	if (install_stop_handlers() < 0)
		return EXIT_FAILURE_;
	log_line("drift service started: a check every %ld ms%s%s",
		 cmd->interval_ms, cmd->metrics_file ? ", metrics in " : "",
		 cmd->metrics_file ? cmd->metrics_file : "");
	do {
		start = monotonic_ms();
		run_scheduled(cmd, global, ++number);
	} while (!wait_or_stop(start + cmd->interval_ms - monotonic_ms()));

	log_line("drift service stopped by %s after %lu checks",
		 stop_signal == SIGINT ? "SIGINT" : "SIGTERM", number);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	return EXIT_OK;
}

int cmd_drift(int argc, char **argv, const struct global_options *global)
{
	struct drift_command cmd = { .format = "text" };
	int status, rc;

	planning_options_init(&cmd.planning, argc);
	if (!cmd.planning.source.paths || !cmd.planning.targets) {
		fprintf(stderr, "trunkctl: error: out of memory\n");
		planning_options_release(&cmd.planning);
		return EXIT_FAILURE_;
	}
	rc = parse(argc, argv, &cmd);
	if (rc != 0)
		status = rc > 0 ? EXIT_OK : EXIT_FAILURE_;
	else if (cmd.interval_ms > 0)
		status = run_service(&cmd, global);
	else
		status = run_once(&cmd, global);
	planning_options_release(&cmd.planning);
	return status;
}

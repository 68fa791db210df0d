#ifndef TRUNKCTL_CMD_COMMANDS_H
#define TRUNKCTL_CMD_COMMANDS_H

#include <stddef.h>

/* Exit codes, as Terraform's: 2 means changes (or drift) are present. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,
	EXIT_CHANGES = 2,
};

/*
 * Options accepted before or after the subcommand. main() collects them
 * from anywhere on the command line and passes the rest to the command.
 * Strings point into argv or the environment.
 */
struct global_options {
	int verbosity;                  /* -1 with -q, +1 per -v */
	unsigned trace_areas;           /* --trace http,plan,git,apply */
	const char *region;             /* --region, GENESYSCLOUD_REGION */
	const char *api_url;            /* --api-url */
	const char *login_url;          /* --login-url */
	const char *client_secret_file; /* --client-secret-file */
	const char *cacert;             /* --cacert */
	const char *max_requests_per_minute;
	const char *parallelism;
	const char *request_timeout;    /* seconds, fractions allowed */
	const char *retry_base;
	const char *retry_cap;
	const char *retry_attempts;
	const char *retry_after_max;
	const char *breaker_threshold;
	const char *breaker_cooldown;
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv, const struct global_options *global);
};

int cmd_validate(int argc, char **argv, const struct global_options *global);
int cmd_audit(int argc, char **argv, const struct global_options *global);
int cmd_plan(int argc, char **argv, const struct global_options *global);
int cmd_apply(int argc, char **argv, const struct global_options *global);
int cmd_drift(int argc, char **argv, const struct global_options *global);
int cmd_export(int argc, char **argv, const struct global_options *global);

#endif

/*
 * trunkctl: keeps the SIP trunks of Genesys Cloud edges in the state a
 * repository of YAML manifests describes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cmd/commands.h"
#include "model/log.h"
#include "version.h"

static const struct command commands[] = {
	{ "validate", "check manifests and print the desired state",
	  cmd_validate },
	{ "plan", "show what apply would change (reads only)", cmd_plan },
	{ "apply", "change the live trunks to match the manifests",
	  cmd_apply },
	{ "drift", "list how the live trunks differ from the manifests "
	  "(reads only)", cmd_drift },
	{ "export", "write manifests from the live trunks of edges "
	  "(reads only)", cmd_export },
	{ "audit", "verify an audit log's hash chain", cmd_audit },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

struct global_option {
	const char *name;
	size_t offset; /* of the const char * in struct global_options */
};

#define GLOBAL_OPTION(flag, field) \
	{ flag, offsetof(struct global_options, field) }

static const struct global_option value_options[] = {
	GLOBAL_OPTION("--region", region),
	GLOBAL_OPTION("--api-url", api_url),
	GLOBAL_OPTION("--login-url", login_url),
	GLOBAL_OPTION("--client-secret-file", client_secret_file),
	GLOBAL_OPTION("--cacert", cacert),
	GLOBAL_OPTION("--max-requests-per-minute", max_requests_per_minute),
	GLOBAL_OPTION("--parallelism", parallelism),
	GLOBAL_OPTION("--request-timeout", request_timeout),
	GLOBAL_OPTION("--retry-base", retry_base),
	GLOBAL_OPTION("--retry-cap", retry_cap),
	GLOBAL_OPTION("--retry-attempts", retry_attempts),
	GLOBAL_OPTION("--retry-after-max", retry_after_max),
	GLOBAL_OPTION("--breaker-threshold", breaker_threshold),
	GLOBAL_OPTION("--breaker-cooldown", breaker_cooldown),
};

#define VALUE_OPTION_COUNT (sizeof(value_options) / sizeof(value_options[0]))

static int parse_trace(const char *value, struct global_options *global)
{
	if (value && log_parse_areas(value, &global->trace_areas) == 0)
		return 0;
	fprintf(stderr, "trunkctl: error: --trace takes a comma list of "
		"http, plan, git, apply or all\n");
	return -1;
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: trunkctl [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Keeps the SIP trunks of Genesys Cloud edges in the state a\n"
		"repository of YAML manifests describes.\n"
		"\n"
		"The bundled API profile speaks the trunk API of the trunkctl\n"
		"design (trunk create, update, delete and activate under an\n"
		"edge), which the bundled simulator trunksim implements. The\n"
		"real platform creates trunks from trunk base settings; a\n"
		"profile for that API is not built yet.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n"
		"Global options (before or after the command):\n"
		"  -q, --quiet              no warnings or notes on stderr; "
		"errors and the\n"
		"                           command's output still print\n"
		"  -v, -vv                  log each request; -vv adds headers "
		"(Authorization redacted)\n"
		"  --trace AREAS            timestamped trace of http, plan, "
		"git, apply (comma list, or all)\n"
		"  --region NAME            AWS-style region or domain "
		"(GENESYSCLOUD_REGION)\n"
		"  --api-url URL            API base URL; overrides --region\n"
		"  --login-url URL          OAuth base URL (default: derived "
		"from the API URL)\n"
		"  --client-secret-file F   read the client secret from F\n"
		"  --cacert FILE            trust only the CA certificates in "
		"FILE\n"
		"  --max-requests-per-minute N  client-side rate limit "
		"(default 300, 0 for none)\n"
		"  --parallelism N          edges listed and apply actions "
		"run at once\n"
		"                           (1 to 256, default 10)\n"
		"  --request-timeout S      time limit of one request in "
		"seconds (default 16)\n"
		"  --retry-base S           backoff ceiling of the first "
		"retry, doubled per retry\n"
		"                           (default 0.5)\n"
		"  --retry-cap S            largest backoff (default 30)\n"
		"  --retry-attempts N       retries after the first request "
		"(default 5)\n"
		"  --retry-after-max S      longest Retry-After to wait "
		"(default 180)\n"
		"  --breaker-threshold N    failures in a row (502-504, "
		"transport) that open the\n"
		"                           circuit breaker (default 5)\n"
		"  --breaker-cooldown S     pause after the breaker opens "
		"(default 10)\n"
		"                           S: seconds, fractions allowed, "
		"or 250ms, 2s, 5m\n"
		"  --version                print the version\n"
		"  -h, --help               print this help\n"
		"\n"
		"Credentials come from GENESYSCLOUD_OAUTHCLIENT_ID and\n"
		"GENESYSCLOUD_OAUTHCLIENT_SECRET (or --client-secret-file).\n"
		"The retry, breaker and rate figures can also be set in\n"
		"TRUNKCTL_REQUEST_TIMEOUT, TRUNKCTL_RETRY_BASE, TRUNKCTL_RETRY_CAP,\n"
		"TRUNKCTL_RETRY_ATTEMPTS, TRUNKCTL_RETRY_AFTER_MAX,\n"
		"TRUNKCTL_BREAKER_THRESHOLD, TRUNKCTL_BREAKER_COOLDOWN and\n"
		"TRUNKCTL_MAX_REQUESTS_PER_MINUTE; an option wins.\n"
		"Exit codes: 0 success, 1 error, 2 changes or drift present.\n"
		"Run 'trunkctl COMMAND --help' for a command's options.\n");
}

/*
 * Turns a run whose standard output could not be written (a full disk,
 * a closed pipe) into a failure, so that a truncated export or plan does
 * not end with exit 0.
 */
static int check_output(int rc)
{
	int flushed = fflush(stdout);
	int saved_errno = errno;

	if (flushed == 0 && !ferror(stdout))
		return rc;
	if (flushed != 0)
		fprintf(stderr, "trunkctl: error: cannot write to standard "
			"output: %s\n", strerror(saved_errno));
	else
		fprintf(stderr, "trunkctl: error: cannot write to standard "
			"output; part of the output is missing\n");
	return EXIT_FAILURE_;
}

/*
 * Moves the global options out of argv, wherever they stand before a
 * "--", and compacts the rest. Returns the new argc, or -1 after printing
 * an error.
 */
static int collect_global_options(int argc, char **argv,
				  struct global_options *global)
{
	int in = 1, out = 1;
	size_t i;

	while (in < argc) {
		char *arg = argv[in];
		const char *value = NULL;
		size_t name_len;

		if (strcmp(arg, "--") == 0) {
			while (in < argc)
				argv[out++] = argv[in++];
			break;
		}
		if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
			global->verbosity = -1;
			in++;
			continue;
		}
		if (strcmp(arg, "-v") == 0 || strcmp(arg, "-vv") == 0 ||
		    strcmp(arg, "-vvv") == 0) {
			global->verbosity += (int)strlen(arg) - 1;
			in++;
			continue;
		}

		name_len = strcspn(arg, "=");
		if (strncmp(arg, "--trace", name_len) == 0 && name_len == 7) {
			value = arg[name_len] ? arg + name_len + 1
					      : argv[in + 1];
			if (parse_trace(value, global) < 0)
				return -1;
			in += arg[name_len] ? 1 : 2;
			continue;
		}
		for (i = 0; i < VALUE_OPTION_COUNT; i++) {
			const struct global_option *opt = &value_options[i];

			if (strlen(opt->name) != name_len ||
			    strncmp(arg, opt->name, name_len) != 0)
				continue;
			if (arg[name_len] == '=') {
				value = arg + name_len + 1;
				in++;
			} else if (in + 1 < argc) {
				value = argv[in + 1];
				in += 2;
			} else {
				fprintf(stderr, "trunkctl: error: option '%s' "
					"requires a value\n", opt->name);
				return -1;
			}
			*(const char **)((char *)global + opt->offset) = value;
			break;
		}
		if (value)
			continue;
		argv[out++] = argv[in++];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct global_options global = { 0 };
	const char *name;
	size_t i;
	int rc;

	global.region = getenv("GENESYSCLOUD_REGION");
	argc = collect_global_options(argc, argv, &global);
	if (argc < 0)
		return EXIT_FAILURE_;
	log_configure(global.verbosity, global.trace_areas);

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_FAILURE_;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
	    strcmp(name, "help") == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("trunkctl %s\n", TRUNKCTL_VERSION);
		return EXIT_OK;
	}

	for (i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = commands[i].run(argc - 1, argv + 1, &global);
		curl_global_cleanup();
		return check_output(rc);
	}
	fprintf(stderr, "trunkctl: error: unknown command '%s'; run "
		"'trunkctl --help' for the list\n", name);
	return EXIT_FAILURE_;
}

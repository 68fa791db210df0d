/* trunkctl audit verify FILE: checks an audit log's hash chain. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "model/error.h"
#include "reconcile/audit.h"

static void print_audit_usage(FILE *out)
{
	fprintf(out,
		"usage: trunkctl audit verify FILE\n"
		"\n"
		"Checks that no line of the audit log FILE was deleted,\n"
		"reordered, edited or torn, and prints the final hash.\n"
		"Compare that hash with the one 'trunkctl apply' printed to\n"
		"find lines missing at the end.\n"
		"\n"
		"Exit codes: 0 the chain is intact, 1 it is broken or the\n"
		"file cannot be read.\n");
}

static int verify(const char *path)
{
	struct audit_report report;
	int rc = audit_verify(path, &report);

	if (rc == TRUNKCTL_EINVALID && report.bad_line > 0) {
		fprintf(stderr, "%s:%zu: error: %s\n", path, report.bad_line,
			report.problem);
		if (report.bad_line > 1)
			fprintf(stderr, "trunkctl: lines 1 to %zu are intact; "
				"the hash of line %zu is %s\n",
				report.bad_line - 1, report.bad_line - 1,
				report.final_hash);
		return EXIT_FAILURE_;
	}
	if (rc < 0) {
		fprintf(stderr, "trunkctl: error: %s\n", error_message());
		return EXIT_FAILURE_;
	}
	printf("ok: %zu lines, final hash %s\n", report.lines,
	       report.final_hash);
	return EXIT_OK;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cmd_audit(int argc, char **argv, const struct global_options *global)
{
	(void)global;
	if ((argc >= 2 && is_help(argv[1])) ||
	    (argc >= 3 && strcmp(argv[1], "verify") == 0 && is_help(argv[2]))) {
		print_audit_usage(stdout);
		return EXIT_OK;
	}
	if (argc < 2) {
		fprintf(stderr, "trunkctl: error: audit: no subcommand given; "
			"run 'trunkctl audit verify FILE'\n");
		return EXIT_FAILURE_;
	}
	if (strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "trunkctl: error: audit: unknown subcommand "
			"'%s'; the only one is verify (see 'trunkctl audit "
			"--help')\n", argv[1]);
		return EXIT_FAILURE_;
	}
	if (argc != 3) {
		fprintf(stderr, "trunkctl: error: audit verify: expected one "
			"FILE, got %d arguments\n", argc - 2);
		return EXIT_FAILURE_;
	}
	return verify(argv[2]);
}

/* The audit log: appends, the hash chain, and what verify finds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "model/error.h"
#include "reconcile/audit.h"

static char folder[] = "/tmp/trunkctl-audit-XXXXXX";
static char path[512];
static const struct plan_source source = { "manifests/example", NULL, NULL,
					   NULL, false };

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(folder))
		return -1;
	snprintf(path, sizeof(path), "%s/audit.jsonl", folder);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(folder);
	return 0;
}

static int remove_log(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void append_action(struct audit_log *log, const char *trunk,
			  const char *outcome)
{
	struct audit_record record = { 0 };

	record.time_ms = 1796401200000LL;
	record.edge = "edge-1";
	record.trunk = trunk;
	record.trunk_id = "t-1";
	record.action = "update";
	record.outcome = outcome;
	record.http_status = 200;
	record.attempts = 1;
	record.latency_ms = 42;
	record.correlation_id = "c0ffee";
	record.request_body = "{\"name\":\"Carrier-A\"}";
	record.request_len = strlen(record.request_body);
	assert_int_equal(audit_log_append(log, &record), 0);
}

/* Writes a log of five lines: run-start, three actions, run-end. */
static void write_log(char final_hash[65])
{
	struct audit_totals start = { 3, 0, 0, 0 }, end = { 3, 2, 1, 0 };
	struct audit_log *log;

	assert_int_equal(audit_log_open(path, "run-1", &source, &log), 0);
	assert_int_equal(audit_log_run_start(log, &start), 0);
	append_action(log, "Carrier-A", "succeeded");
	append_action(log, "Carrier-B", "succeeded");
	append_action(log, "Carrier-C", "failed");
	assert_int_equal(audit_log_run_end(log, &end), 0);
	if (final_hash)
		audit_log_last_hash(log, final_hash);
	audit_log_free(log);
}

/* The log's lines, each with its newline, in `lines`; returns the count. */
static size_t read_lines(char lines[][2048], size_t max)
{
	FILE *file = fopen(path, "rb");
	size_t n = 0;

	assert_non_null(file);
	while (n < max && fgets(lines[n], 2048, file))
		n++;
	fclose(file);
	return n;
}

static void write_lines(char lines[][2048], size_t count)
{
	FILE *file = fopen(path, "wb");
	size_t i;

	assert_non_null(file);
	for (i = 0; i < count; i++)
		fputs(lines[i], file);
	fclose(file);
}

static void test_audit_chain_verifies(void **state)
{
	struct audit_report report;
	char final_hash[65];
	struct stat st;

	(void)state;
	write_log(final_hash);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(audit_verify(path, &report), 0);
	assert_int_equal(report.lines, 5);
	assert_int_equal(report.bad_line, 0);
	assert_string_equal(report.final_hash, final_hash);
}

static void test_audit_line_fields(void **state)
{
	char lines[8][2048];
	cJSON *first, *json;

	(void)state;
	write_log(NULL);
	assert_int_equal(read_lines(lines, 8), 5);
	first = cJSON_Parse(lines[0]);
	json = cJSON_Parse(lines[1]);
	assert_non_null(first);
	assert_non_null(json);
	assert_string_equal(cJSON_GetObjectItem(json, "time")->valuestring,
			    "2026-12-04T16:20:00.000Z");
	assert_string_equal(cJSON_GetObjectItem(json, "runId")->valuestring,
			    "run-1");
	assert_string_equal(cJSON_GetObjectItem(json, "outcome")->valuestring,
			    "succeeded");
	assert_int_equal(cJSON_GetObjectItem(json, "httpStatus")->valueint,
			 200);
	assert_int_equal(cJSON_GetObjectItem(json, "latencyMs")->valueint, 42);
	assert_string_equal(
		cJSON_GetObjectItem(json, "correlationId")->valuestring,
		"c0ffee");
	assert_string_equal(cJSON_GetObjectItem(json, "prev")->valuestring,
			    cJSON_GetObjectItem(first, "hash")->valuestring);
	/* hash is the last member. */
	assert_string_equal(json->child->prev->string, "hash");
	cJSON_Delete(first);
	cJSON_Delete(json);
}

static void test_audit_first_prev_zero(void **state)
{
	char lines[8][2048];

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	assert_non_null(strstr(lines[0], "\"prev\":\"" AUDIT_HASH_ZERO "\""));
	assert_non_null(strstr(lines[0], "\"action\":\"run-start\""));
	assert_non_null(strstr(lines[0], "\"totals\":{\"actions\":3"));
	/* The request body is hashed, never stored. */
	assert_null(strstr(lines[1], "Carrier-A\\\""));
	assert_non_null(strstr(lines[1], "\"requestSha256\":\""));
}

static void test_audit_reopen_continues(void **state)
{
	struct audit_report report;
	char first[65], second[65];

	(void)state;
	write_log(first);
	write_log(second);
	assert_string_not_equal(first, second);
	assert_int_equal(audit_verify(path, &report), 0);
	assert_int_equal(report.lines, 10);
	assert_string_equal(report.final_hash, second);
}

static void test_audit_deleted_line(void **state)
{
	struct audit_report report;
	char lines[8][2048];

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	memmove(lines[2], lines[3], 2 * sizeof(lines[0]));
	write_lines(lines, 4);
	assert_int_equal(audit_verify(path, &report), TRUNKCTL_EINVALID);
	assert_int_equal(report.bad_line, 3);
	assert_non_null(strstr(report.problem, "deleted"));
	assert_non_null(strstr(error_message(), ":3: "));
}

static void test_audit_reordered_lines(void **state)
{
	struct audit_report report;
	char lines[8][2048], swap[2048];

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	memcpy(swap, lines[1], sizeof(swap));
	memcpy(lines[1], lines[2], sizeof(swap));
	memcpy(lines[2], swap, sizeof(swap));
	write_lines(lines, 5);
	assert_int_equal(audit_verify(path, &report), TRUNKCTL_EINVALID);
	assert_int_equal(report.bad_line, 2);
	assert_non_null(strstr(report.problem, "reordered"));
}

static void test_audit_edited_line(void **state)
{
	struct audit_report report;
	char lines[8][2048], *at;

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	at = strstr(lines[3], "\"failed\"");
	assert_non_null(at);
	memcpy(at, "\"passed\"", 8);
	write_lines(lines, 5);
	assert_int_equal(audit_verify(path, &report), TRUNKCTL_EINVALID);
	assert_int_equal(report.bad_line, 4);
	assert_non_null(strstr(report.problem, "edited"));
}

static void test_audit_torn_line(void **state)
{
	struct audit_report report;
	struct audit_log *log = NULL;
	char lines[8][2048];

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	lines[4][strlen(lines[4]) / 2] = '\0';
	write_lines(lines, 5);
	assert_int_equal(audit_verify(path, &report), TRUNKCTL_EINVALID);
	assert_int_equal(report.bad_line, 5);
	assert_int_equal(report.lines, 4);
	assert_non_null(strstr(report.problem, "torn"));

	assert_int_equal(audit_log_open(path, "run-2", &source, &log),
			 TRUNKCTL_EINVALID);
	assert_null(log);
	assert_non_null(strstr(error_message(), "trunkctl audit verify"));
}

static void test_audit_invalid_json_line(void **state)
{
	struct audit_report report;
	char lines[8][2048];

	(void)state;
	write_log(NULL);
	read_lines(lines, 8);
	strcpy(lines[1], "{\"time\":\n");
	write_lines(lines, 5);
	assert_int_equal(audit_verify(path, &report), TRUNKCTL_EINVALID);
	assert_int_equal(report.bad_line, 2);
	assert_non_null(strstr(report.problem, "not a JSON object"));
}

static void test_audit_empty_log(void **state)
{
	struct audit_report report;
	FILE *file = fopen(path, "wb");

	(void)state;
	assert_non_null(file);
	fclose(file);
	assert_int_equal(audit_verify(path, &report), 0);
	assert_int_equal(report.lines, 0);
	assert_string_equal(report.final_hash, AUDIT_HASH_ZERO);
}

static void *append_many(void *arg)
{
	struct audit_log *log = arg;
	int i;

	for (i = 0; i < 25; i++)
		append_action(log, "Carrier-T", "succeeded");
	return NULL;
}

static void test_audit_threads_keep_chain(void **state)
{
	struct audit_report report;
	struct audit_log *log;
	pthread_t threads[4];
	int i;

	(void)state;
	assert_int_equal(audit_log_open(path, "run-3", &source, &log), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL,
						append_many, log), 0);
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	audit_log_free(log);
	assert_int_equal(audit_verify(path, &report), 0);
	assert_int_equal(report.lines, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_audit_chain_verifies,
					  remove_log),
		cmocka_unit_test_teardown(test_audit_line_fields, remove_log),
		cmocka_unit_test_teardown(test_audit_first_prev_zero,
					  remove_log),
		cmocka_unit_test_teardown(test_audit_reopen_continues,
					  remove_log),
		cmocka_unit_test_teardown(test_audit_deleted_line, remove_log),
		cmocka_unit_test_teardown(test_audit_reordered_lines,
					  remove_log),
		cmocka_unit_test_teardown(test_audit_edited_line, remove_log),
		cmocka_unit_test_teardown(test_audit_torn_line, remove_log),
		cmocka_unit_test_teardown(test_audit_invalid_json_line,
					  remove_log),
		cmocka_unit_test_teardown(test_audit_empty_log, remove_log),
		cmocka_unit_test_teardown(test_audit_threads_keep_chain,
					  remove_log),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* The hash-chained audit log: appending and verifying. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "model/error.h"
#include "reconcile/audit.h"
#include "reconcile/internal.h"

/* Maximum length of the last line read back from a log, far above what
 * an append writes (names are at most 255 bytes). */
#define AUDIT_LINE_MAX (1u << 20)

struct audit_log {
	char *path;
	int fd;
	char *run_id;
	cJSON *source;
	pthread_mutex_t lock;
	char last_hash[65];
};

enum line_state {
	LINE_OK = 0,
	LINE_TORN,      /* not a whole JSON object with prev and hash */
	LINE_EDITED,    /* the stored hash does not match the content */
};

/*
 * Parses one line (without its newline) and recomputes its hash. Stores
 * the stored hash and prev, and a description of any problem.
 */
static enum line_state check_line(const char *text, size_t len,
				  char hash[65], char prev[65],
				  char *problem, size_t problem_size)
{
	cJSON *json = cJSON_ParseWithLengthOpts(text, len, NULL, false);
	cJSON *stored = NULL;
	const cJSON *prev_item;
	enum line_state state = LINE_TORN;
	char *canonical = NULL, computed[65];

	hash[0] = prev[0] = '\0';
	if (!cJSON_IsObject(json)) {
		snprintf(problem, problem_size, "not a JSON object: the line "
			 "is torn or corrupted");
		goto done;
	}
	stored = cJSON_DetachItemFromObjectCaseSensitive(json, "hash");
	prev_item = cJSON_GetObjectItemCaseSensitive(json, "prev");
	if (!cJSON_IsString(stored) || !is_sha256_hex(stored->valuestring) ||
	    !cJSON_IsString(prev_item) ||
	    !is_sha256_hex(prev_item->valuestring)) {
		snprintf(problem, problem_size, "missing or invalid \"hash\" "
			 "or \"prev\": the line is torn or corrupted");
		goto done;
	}
	memcpy(hash, stored->valuestring, 65);
	memcpy(prev, prev_item->valuestring, 65);
	canonical = cJSON_PrintUnformatted(json);
	if (!canonical || sha256_hex(canonical, strlen(canonical),
				     computed) < 0) {
		snprintf(problem, problem_size, "out of memory");
		goto done;
	}
	state = LINE_OK;
	if (strcmp(computed, hash) != 0) {
		snprintf(problem, problem_size, "hash mismatch: the line was "
			 "edited (stored %.12s, computed %.12s)", hash,
			 computed);
		state = LINE_EDITED;
	}

done:
	free(canonical);
	cJSON_Delete(stored);
	cJSON_Delete(json);
	return state;
}

/*
 * Reads the hash of the file's last line, checking that the line is
 * whole and unedited. An empty file gives 64 zeros.
 */
static int read_last_hash(int fd, const char *path, char hash[65])
{
	struct stat st;
	size_t size, chunk, start;
	char *data = NULL, prev[65], problem[256];
	ssize_t got;
	int rc = 0;

	if (fstat(fd, &st) < 0)
		return error_set(TRUNKCTL_EIO, "cannot stat '%s': %s", path,
				 strerror(errno));
	size = (size_t)st.st_size;
	if (size == 0) {
		memcpy(hash, AUDIT_HASH_ZERO, 65);
		return 0;
	}
	chunk = size < AUDIT_LINE_MAX ? size : AUDIT_LINE_MAX;
	data = malloc(chunk);
	if (!data)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	got = pread(fd, data, chunk, (off_t)(size - chunk));
	if (got != (ssize_t)chunk) {
		rc = error_set(TRUNKCTL_EIO, "cannot read '%s': %s", path,
			       got < 0 ? strerror(errno) : "short read");
		goto done;
	}
	if (data[chunk - 1] != '\n') {
		rc = error_set(TRUNKCTL_EINVALID,
			       "audit log '%s' ends with a torn line (no "
			       "newline); run 'trunkctl audit verify %s' and "
			       "repair or move the log before appending",
			       path, path);
		goto done;
	}
	for (start = chunk - 1; start > 0 && data[start - 1] != '\n'; start--)
		;
	if (start == 0 && chunk < size) {
		rc = error_set(TRUNKCTL_EINVALID, "audit log '%s' ends with "
			       "a line longer than %u bytes", path,
			       AUDIT_LINE_MAX);
		goto done;
	}
	if (check_line(data + start, chunk - 1 - start, hash, prev, problem,
		       sizeof(problem)) != LINE_OK)
		rc = error_set(TRUNKCTL_EINVALID,
			       "the last line of audit log '%s' is bad (%s); "
			       "run 'trunkctl audit verify %s' and repair or "
			       "move the log before appending",
			       path, problem, path);

done:
	free(data);
	return rc;
}

void audit_log_free(struct audit_log *log)
{
	if (!log)
		return;
	if (log->fd >= 0)
		close(log->fd);
	pthread_mutex_destroy(&log->lock);
	cJSON_Delete(log->source);
	free(log->run_id);
	free(log->path);
	free(log);
}

int audit_log_open(const char *path, const char *run_id,
		   const struct plan_source *source, struct audit_log **out)
{
	struct audit_log *log = calloc(1, sizeof(*log));
	int rc;

	*out = NULL;
	if (!log)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	log->fd = -1;
	pthread_mutex_init(&log->lock, NULL);
	log->path = strdup(path);
	log->run_id = strdup(run_id ? run_id : "");
	log->source = plan_source_to_json(source);
	if (!log->path || !log->run_id || !log->source) {
		audit_log_free(log);
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	}
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log->fd < 0) {
		rc = error_set(TRUNKCTL_EIO, "cannot open audit log '%s': %s",
			       path, strerror(errno));
		audit_log_free(log);
		return rc;
	}
	rc = read_last_hash(log->fd, path, log->last_hash);
	if (rc < 0) {
		audit_log_free(log);
		return rc;
	}
	*out = log;
	return 0;
}

static bool add_count(cJSON *object, const char *key, double value)
{
	if (value < 0)
		return cJSON_AddNullToObject(object, key) != NULL;
	return cJSON_AddNumberToObject(object, key, value) != NULL;
}

static cJSON *totals_to_json(const struct audit_totals *totals)
{
	cJSON *json = cJSON_CreateObject();

	if (json && cJSON_AddNumberToObject(json, "actions", totals->actions) &&
	    cJSON_AddNumberToObject(json, "succeeded", totals->succeeded) &&
	    cJSON_AddNumberToObject(json, "failed", totals->failed) &&
	    cJSON_AddNumberToObject(json, "skipped", totals->skipped))
		return json;
	cJSON_Delete(json);
	return NULL;
}

/* Builds the line's members up to and excluding prev, in their order. */
static cJSON *record_to_json(const struct audit_log *log,
			     const struct audit_record *r)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *source = cJSON_Duplicate(log->source, true);
	cJSON *totals = NULL;
	char time[32], digest[65];
	const char *request = NULL;
	bool ok;

	format_time_ms(r->time_ms ? r->time_ms : clock_now_ms(), time);
	if (r->request_body &&
	    sha256_hex(r->request_body, r->request_len, digest) == 0)
		request = digest;
	ok = json && source && json_add_text(json, "time", time) &&
	     json_add_text(json, "runId", log->run_id) &&
	     cJSON_AddItemToObject(json, "source", source);
	if (!ok) {
		cJSON_Delete(source);
		goto fail;
	}
	ok = json_add_text(json, "edge", r->edge) &&
	     json_add_text(json, "trunk", r->trunk) &&
	     json_add_text(json, "trunkId", r->trunk_id) &&
	     json_add_text(json, "action", r->action) &&
	     json_add_text(json, "outcome", r->outcome) &&
	     add_count(json, "httpStatus", r->http_status) &&
	     add_count(json, "attempts", r->attempts) &&
	     add_count(json, "latencyMs", (double)r->latency_ms) &&
	     json_add_text(json, "correlationId", r->correlation_id) &&
	     json_add_text(json, "requestSha256", request);
	if (ok && r->totals) {
		totals = totals_to_json(r->totals);
		ok = totals && cJSON_AddItemToObject(json, "totals", totals);
		if (!ok)
			cJSON_Delete(totals);
	}
	if (ok)
		return json;
fail:
	cJSON_Delete(json);
	error_set(TRUNKCTL_ENOMEM, "out of memory writing an audit line");
	return NULL;
}

/* Adds prev and hash and prints the line with its newline. */
static int seal_line(cJSON *json, const char *prev, char hash[65],
		     char **line)
{
	struct textbuf buf = TEXTBUF_INIT;
	char *text;
	int rc;

	*line = NULL;
	if (!json_add_text(json, "prev", prev))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	text = cJSON_PrintUnformatted(json);
	if (!text)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = sha256_hex(text, strlen(text), hash);
	free(text);
	if (rc < 0)
		return rc;
	if (!json_add_text(json, "hash", hash))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	text = cJSON_PrintUnformatted(json);
	if (!text)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	textbuf_puts(&buf, text);
	textbuf_puts(&buf, "\n");
	free(text);
	return textbuf_detach(&buf, line);
}

static int write_line(struct audit_log *log, const char *line)
{
	size_t len = strlen(line);
	ssize_t written;

	/* One write(): with O_APPEND the line lands whole at the end. */
	do
		written = write(log->fd, line, len);
	while (written < 0 && errno == EINTR);
	if (written != (ssize_t)len)
		return error_set(TRUNKCTL_EIO, "cannot append to audit log "
				 "'%s': %s", log->path,
				 written < 0 ? strerror(errno)
					     : "short write");
	if (fsync(log->fd) < 0)
		return error_set(TRUNKCTL_EIO, "cannot fsync audit log "
				 "'%s': %s", log->path, strerror(errno));
	return 0;
}

int audit_log_append(struct audit_log *log,
		     const struct audit_record *record)
{
	cJSON *json = record_to_json(log, record);
	char prev[65], hash[65];
	char *line = NULL;
	int rc;

	if (!json)
		return TRUNKCTL_ENOMEM;
	pthread_mutex_lock(&log->lock);
	if (flock(log->fd, LOCK_EX) < 0) {
		rc = error_set(TRUNKCTL_EIO, "cannot lock audit log '%s': %s",
			       log->path, strerror(errno));
		goto done;
	}
	/* Another process may have appended since the last line we wrote. */
	rc = read_last_hash(log->fd, log->path, prev);
	if (rc == 0)
		rc = seal_line(json, prev, hash, &line);
	if (rc == 0)
		rc = write_line(log, line);
	if (rc == 0)
		memcpy(log->last_hash, hash, sizeof(hash));
	flock(log->fd, LOCK_UN);

done:
	pthread_mutex_unlock(&log->lock);
	free(line);
	cJSON_Delete(json);
	return rc;
}

static int append_run_line(struct audit_log *log, const char *action,
			   const struct audit_totals *totals)
{
	struct audit_record record;

	memset(&record, 0, sizeof(record));
	record.action = action;
	record.http_status = -1;
	record.attempts = -1;
	record.latency_ms = -1;
	record.totals = totals;
	return audit_log_append(log, &record);
}

int audit_log_run_start(struct audit_log *log,
			const struct audit_totals *totals)
{
	return append_run_line(log, "run-start", totals);
}

int audit_log_run_end(struct audit_log *log,
		      const struct audit_totals *totals)
{
	return append_run_line(log, "run-end", totals);
}

void audit_log_last_hash(struct audit_log *log, char hex[65])
{
	pthread_mutex_lock(&log->lock);
	memcpy(hex, log->last_hash, 65);
	pthread_mutex_unlock(&log->lock);
}

/* The stored hash and prev of each line that audit_verify() read. */
struct chain {
	char (*hashes)[65];
	char (*prevs)[65];
	size_t count;
	size_t cap;
};

static int chain_push(struct chain *chain, const char *hash,
		      const char *prev)
{
	void *grown;

	if (chain->count == chain->cap) {
		chain->cap = chain->cap ? chain->cap * 2 : 256;
		grown = realloc(chain->hashes, chain->cap * 65);
		if (!grown)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		chain->hashes = grown;
		grown = realloc(chain->prevs, chain->cap * 65);
		if (!grown)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		chain->prevs = grown;
	}
	memcpy(chain->hashes[chain->count], hash, 65);
	memcpy(chain->prevs[chain->count], prev, 65);
	chain->count++;
	return 0;
}

static int report_bad(struct audit_report *report, size_t line,
		      const char *problem)
{
	report->bad_line = line;
	snprintf(report->problem, sizeof(report->problem), "%s", problem);
	return TRUNKCTL_EINVALID;
}

/*
 * Walks the chain of whole, unedited lines. A prev that matches no
 * line's hash means lines were deleted; one that matches another line's
 * hash means lines were reordered.
 */
static int check_chain(const struct chain *chain, struct audit_report *r)
{
	const char *expected = AUDIT_HASH_ZERO;
	char problem[256];
	size_t i, j;

	for (i = 0; i < chain->count; i++) {
		if (strcmp(chain->prevs[i], expected) == 0) {
			expected = chain->hashes[i];
			memcpy(r->final_hash, expected, 65);
			continue;
		}
		for (j = 0; j < chain->count; j++)
			if (strcmp(chain->hashes[j], chain->prevs[i]) == 0)
				break;
		if (j < chain->count)
			snprintf(problem, sizeof(problem),
				 "prev does not match the line before: lines "
				 "were reordered (prev is the hash of line "
				 "%zu)", j + 1);
		else
			snprintf(problem, sizeof(problem),
				 "prev does not match the line before: a "
				 "line before this one was deleted");
		return report_bad(r, i + 1, problem);
	}
	return 0;
}

int audit_verify(const char *path, struct audit_report *report)
{
	struct chain chain = { NULL, NULL, 0, 0 };
	FILE *file = fopen(path, "rb");
	char *line = NULL, hash[65], prev[65], problem[256];
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(report, 0, sizeof(*report));
	memcpy(report->final_hash, AUDIT_HASH_ZERO, 65);
	if (!file)
		return error_set(errno == ENOENT ? TRUNKCTL_ENOTFOUND
						 : TRUNKCTL_EIO,
				 "cannot open '%s': %s", path, strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, file)) > 0) {
		size_t number = chain.count + 1;

		if (line[len - 1] != '\n') {
			rc = report_bad(report, number, "no newline at the "
					"end: the line is torn (a write was "
					"cut short)");
			break;
		}
		if (check_line(line, (size_t)len - 1, hash, prev, problem,
			       sizeof(problem)) != LINE_OK) {
			rc = report_bad(report, number, problem);
			break;
		}
		rc = chain_push(&chain, hash, prev);
	}
	if (rc == 0 && ferror(file))
		rc = error_set(TRUNKCTL_EIO, "cannot read '%s': %s", path,
			       strerror(errno));
	report->lines = chain.count;
	/* The first problem counts: one in the chain before a torn or
	 * edited line comes first. */
	if (rc == 0 || rc == TRUNKCTL_EINVALID) {
		struct audit_report walked;

		memset(&walked, 0, sizeof(walked));
		memcpy(walked.final_hash, AUDIT_HASH_ZERO, 65);
		if (check_chain(&chain, &walked) < 0) {
			report->bad_line = walked.bad_line;
			memcpy(report->problem, walked.problem,
			       sizeof(report->problem));
			rc = TRUNKCTL_EINVALID;
		}
		memcpy(report->final_hash, walked.final_hash, 65);
	}
	if (rc == TRUNKCTL_EINVALID)
		error_set(rc, "%s:%zu: %s", path, report->bad_line,
			  report->problem);
	fclose(file);
	free(line);
	free(chain.hashes);
	free(chain.prevs);
	return rc;
}

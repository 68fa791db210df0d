#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "tests/support/sim.h"

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000
#define REQUEST_TIMEOUT_S 60L
#define MAX_ARGS 128

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int sim_prepare(struct sim *sim)
{
	if (sim->dir[0])
		return 0;
	snprintf(sim->dir, sizeof(sim->dir), "/tmp/trunksim-test.XXXXXX");
	if (!mkdtemp(sim->dir)) {
		fprintf(stderr, "sim: cannot create a temporary folder: %s\n",
			strerror(errno));
		sim->dir[0] = '\0';
		return -1;
	}
	return 0;
}

int sim_write_file(struct sim *sim, const char *name, const char *text,
		   char *path, size_t size)
{
	FILE *file;
	int rc = -1;

	if (sim_prepare(sim) < 0)
		return -1;
	snprintf(path, size, "%s/%s", sim->dir, name);
	file = fopen(path, "w");
	if (!file)
		goto done;
	if (fputs(text, file) >= 0)
		rc = 0;
	if (fclose(file) != 0)
		rc = -1;
done:
	if (rc < 0)
		fprintf(stderr, "sim: cannot write '%s'\n", path);
	return rc;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	char path[512];

	if (!d)
		return;
	while ((entry = readdir(d))) {
		if (strcmp(entry->d_name, ".") == 0 ||
		    strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The child: stderr and stdout to DIR/stderr.log, then exec trunksim. */
static void exec_child(struct sim *sim, const char *const *args)
{
	const char *argv[MAX_ARGS + 12];
	char log_path[512];
	char port_path[512];
	size_t n = 0;
	int fd;

	snprintf(log_path, sizeof(log_path), "%s/stderr.log", sim->dir);
	snprintf(port_path, sizeof(port_path), "%s/port", sim->dir);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	argv[n++] = TRUNKSIM_PATH;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = port_path;
	argv[n++] = "--client-id";
	argv[n++] = SIM_CLIENT_ID;
	argv[n++] = "--client-secret";
	argv[n++] = SIM_CLIENT_SECRET;
	for (size_t i = 0; args && args[i] && i < MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	execv(TRUNKSIM_PATH, (char *const *)argv);
	fprintf(stderr, "sim: cannot run %s: %s\n", TRUNKSIM_PATH,
		strerror(errno));
	_exit(127);
}

static void print_log(struct sim *sim)
{
	char path[512];
	char line[512];
	FILE *file;

	snprintf(path, sizeof(path), "%s/stderr.log", sim->dir);
	file = fopen(path, "r");
	if (!file)
		return;
	while (fgets(line, sizeof(line), file))
		fprintf(stderr, "sim: trunksim: %s", line);
	fclose(file);
}

/* Reads the port file; returns the port, 0 while absent, -1 if invalid. */
static int read_port(struct sim *sim)
{
	char path[512];
	FILE *file;
	int port = 0;

	snprintf(path, sizeof(path), "%s/port", sim->dir);
	file = fopen(path, "r");
	if (!file)
		return 0;
	if (fscanf(file, "%d", &port) != 1 || port <= 0 || port > 65535)
		port = -1;
	fclose(file);
	return port;
}

static int wait_for_port(struct sim *sim)
{
	int status;

	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
		int port = read_port(sim);

		if (port != 0)
			return port;
		if (waitpid(sim->pid, &status, WNOHANG) == sim->pid) {
			sim->pid = 0;
			fprintf(stderr, "sim: trunksim exited at start "
					"(status %d)\n",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			return -1;
		}
		sleep_ms(10);
	}
	fprintf(stderr, "sim: no port file from trunksim after %d ms\n",
		START_TIMEOUT_MS);
	return -1;
}

int sim_start(struct sim *sim, const char *const *args)
{
	if (sim_prepare(sim) < 0)
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sim->pid = fork();
	if (sim->pid < 0) {
		fprintf(stderr, "sim: fork failed: %s\n", strerror(errno));
		sim->pid = 0;
		return -1;
	}
	if (sim->pid == 0)
		exec_child(sim, args);
	sim->port = wait_for_port(sim);
	if (sim->port < 0) {
		print_log(sim);
		sim_stop(sim);
		return -1;
	}
	snprintf(sim->url, sizeof(sim->url), "http://127.0.0.1:%d",
		 sim->port);
	return 0;
}

static int wait_exit(pid_t pid, int *status)
{
	for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		sleep_ms(10);
	}
	return -1;
}

int sim_stop(struct sim *sim)
{
	int status = 0;
	int rc = -1;

	if (sim->pid > 0) {
		kill(sim->pid, SIGTERM);
		if (wait_exit(sim->pid, &status) < 0) {
			fprintf(stderr, "sim: trunksim did not stop; killing "
					"it\n");
			kill(sim->pid, SIGKILL);
			waitpid(sim->pid, &status, 0);
		}
		if (WIFEXITED(status))
			rc = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			rc = 128 + WTERMSIG(status);
		if (rc != 0)
			print_log(sim);
		sim->pid = 0;
	}
	if (sim->dir[0])
		remove_dir(sim->dir);
	sim->dir[0] = '\0';
	return rc;
}

struct buffer {
	char *data;
	size_t len;
};

static size_t buffer_write(char *ptr, size_t size, size_t nmemb, void *cls)
{
	struct buffer *buf = cls;
	size_t n = size * nmemb;
	char *grown = realloc(buf->data, buf->len + n + 1);

	if (!grown)
		return 0;
	memcpy(grown + buf->len, ptr, n);
	buf->data = grown;
	buf->len += n;
	buf->data[buf->len] = '\0';
	return n;
}

/* Copies the value of header `name` from `line` into `out`. */
static void header_value(const char *line, size_t len, const char *name,
			 char *out, size_t size)
{
	size_t name_len = strlen(name);
	size_t value_len;

	if (len <= name_len || strncasecmp(line, name, name_len) != 0 ||
	    line[name_len] != ':')
		return;
	line += name_len + 1;
	len -= name_len + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	value_len = len;
	while (value_len > 0 && (line[value_len - 1] == '\r' ||
				 line[value_len - 1] == '\n'))
		value_len--;
	if (value_len >= size)
		value_len = size - 1;
	memcpy(out, line, value_len);
	out[value_len] = '\0';
}

static size_t header_write(char *line, size_t size, size_t nmemb, void *cls)
{
	struct sim_response *res = cls;
	size_t len = size * nmemb;

	header_value(line, len, "ININ-Correlation-Id", res->correlation_id,
		     sizeof(res->correlation_id));
	header_value(line, len, "Retry-After", res->retry_after,
		     sizeof(res->retry_after));
	header_value(line, len, "Content-Type", res->content_type,
		     sizeof(res->content_type));
	return len;
}

static struct curl_slist *request_headers(const char *json_body,
					  const char *token)
{
	struct curl_slist *headers = NULL;
	char auth[512];

	if (json_body)
		headers = curl_slist_append(headers,
					    "Content-Type: application/json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			 token);
		headers = curl_slist_append(headers, auth);
	}
	return headers;
}

long sim_call(struct sim *sim, const char *token, const char *method,
	      const char *path, const char *json_body,
	      struct sim_response *res)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = request_headers(json_body, token);
	struct buffer buf = {0};
	char url[2048];

	memset(res, 0, sizeof(*res));
	res->status = -1;
	snprintf(url, sizeof(url), "%s%s", sim->url, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, buffer_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_write);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, res);
	if (json_body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	res->curl_code = (int)curl_easy_perform(curl);
	if (res->curl_code == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	res->body = buf.data ? buf.data : strdup("");
	res->body_len = buf.len;
	return res->status;
}

void sim_response_release(struct sim_response *res)
{
	free(res->body);
	res->body = NULL;
}

static long perform(struct sim *sim, const char *method, const char *path,
		    const char *json_body, const char *token, char **body)
{
	struct sim_response res;
	long status = sim_call(sim, token, method, path, json_body, &res);

	if (body && status >= 0) {
		*body = res.body;
		res.body = NULL;
	} else if (body) {
		*body = NULL;
	}
	sim_response_release(&res);
	return status;
}

long sim_request(struct sim *sim, const char *method, const char *path,
		 const char *json_body, char **body)
{
	return perform(sim, method, path, json_body, NULL, body);
}

long sim_api(struct sim *sim, const char *token, const char *method,
	     const char *path, const char *json_body, char **body)
{
	return perform(sim, method, path, json_body, token, body);
}

static bool route_counted(const cJSON *item, const char *method,
			  const char *route)
{
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(item,
								 "method"));
	const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(item,
								 "route"));

	return m && r && (!method || strcmp(m, method) == 0) &&
	       strcmp(r, route) == 0;
}

long sim_count(struct sim *sim, const char *method, const char *route)
{
	char *body = NULL;
	cJSON *json = NULL;
	const cJSON *item;
	long count = -1;

	if (sim_request(sim, "GET", "/__sim/requests", NULL, &body) != 200)
		goto done;
	json = cJSON_Parse(body);
	if (!json)
		goto done;
	if (!route) {
		item = cJSON_GetObjectItem(json, "total");
		count = (long)cJSON_GetNumberValue(item);
		goto done;
	}
	count = 0;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(json, "routes"))
	{
		if (route_counted(item, method, route))
			count += (long)cJSON_GetNumberValue(
				cJSON_GetObjectItem(item, "count"));
	}
done:
	cJSON_Delete(json);
	free(body);
	return count;
}

int sim_reset_counts(struct sim *sim)
{
	long status = sim_request(sim, "POST", "/__sim/requests/reset", NULL,
				  NULL);

	return status >= 200 && status < 300 ? 0 : -1;
}

int sim_fault(struct sim *sim, const char *json)
{
	char *body = NULL;
	long status = sim_request(sim, "POST", "/__sim/faults", json, &body);

	if (status < 200 || status >= 300)
		fprintf(stderr, "sim: fault %s rejected: %ld %s\n", json,
			status, body ? body : "");
	free(body);
	return status >= 200 && status < 300 ? 0 : -1;
}

int sim_clear_faults(struct sim *sim)
{
	long status = sim_request(sim, "DELETE", "/__sim/faults", NULL, NULL);

	return status >= 200 && status < 300 ? 0 : -1;
}

int sim_token(struct sim *sim, char *token, size_t size)
{
	CURL *curl = curl_easy_init();
	struct buffer buf = {0};
	char url[256];
	cJSON *json = NULL;
	const char *value;
	int rc = -1;

	if (!curl)
		return -1;
	snprintf(url, sizeof(url), "%s/oauth/token", sim->url);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	curl_easy_setopt(curl, CURLOPT_USERNAME, SIM_CLIENT_ID);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, SIM_CLIENT_SECRET);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
			 "grant_type=client_credentials");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, buffer_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	if (curl_easy_perform(curl) != CURLE_OK || !buf.data)
		goto done;
	json = cJSON_Parse(buf.data);
	value = cJSON_GetStringValue(cJSON_GetObjectItem(json,
							 "access_token"));
	if (value && strlen(value) < size) {
		snprintf(token, size, "%s", value);
		rc = 0;
	}
done:
	if (rc < 0)
		fprintf(stderr, "sim: no token from %s: %s\n", url,
			buf.data ? buf.data : "transport error");
	cJSON_Delete(json);
	free(buf.data);
	curl_easy_cleanup(curl);
	return rc;
}

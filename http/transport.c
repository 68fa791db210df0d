/*
 * The libcurl transport. Each request runs on an easy handle taken from a
 * pool and given back after, so a worker never shares a connection with
 * another thread while keep-alive connections are reused call after
 * call. The handles share the DNS cache and TLS sessions through a share
 * handle whose lock callbacks use one mutex per kind of data. They do not
 * share connections, because libcurl does not allow that across threads
 * in use at the same moment.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "model/error.h"
#include "model/log.h"

/* Bodies beyond this are refused: no response of the API comes close. */
#define BODY_MAX (64L << 20)

struct http_transport {
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL **pool;
	size_t pool_count;
	size_t pool_alloc;
	const struct http_config *config;
	char *user_agent;
};

/* The state of one transfer. Its buffers end up in the response. */
struct transfer {
	struct http_response *response;
	size_t body_alloc;
	bool too_large;
};

static void share_lock(CURL *handle, curl_lock_data data,
		       curl_lock_access access, void *user)
{
	struct http_transport *transport = user;

	(void)handle;
	(void)access;
	pthread_mutex_lock(&transport->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *user)
{
	struct http_transport *transport = user;

	(void)handle;
	pthread_mutex_unlock(&transport->share_locks[data]);
}

int http_transport_new(const struct http_config *config,
		       const char *user_agent, struct http_transport **out)
{
	struct http_transport *transport = calloc(1, sizeof(*transport));
	int i;

	*out = NULL;
	if (!transport)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&transport->share_locks[i], NULL);
	pthread_mutex_init(&transport->pool_lock, NULL);
	transport->config = config;
	transport->user_agent = strdup(user_agent);
	transport->share = curl_share_init();
	if (!transport->share || !transport->user_agent) {
		http_transport_free(transport);
		return error_set(TRUNKCTL_ENOMEM, "cannot create a curl share "
				 "handle");
	}
	curl_share_setopt(transport->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(transport->share, CURLSHOPT_UNLOCKFUNC,
			  share_unlock);
	curl_share_setopt(transport->share, CURLSHOPT_USERDATA, transport);
	curl_share_setopt(transport->share, CURLSHOPT_SHARE,
			  CURL_LOCK_DATA_DNS);
	curl_share_setopt(transport->share, CURLSHOPT_SHARE,
			  CURL_LOCK_DATA_SSL_SESSION);
	*out = transport;
	return 0;
}

void http_transport_free(struct http_transport *transport)
{
	size_t i;
	int j;

	if (!transport)
		return;
	/* Easy handles go first: a share handle in use cannot be freed. */
	for (i = 0; i < transport->pool_count; i++)
		curl_easy_cleanup(transport->pool[i]);
	free(transport->pool);
	if (transport->share)
		curl_share_cleanup(transport->share);
	for (j = 0; j < CURL_LOCK_DATA_LAST; j++)
		pthread_mutex_destroy(&transport->share_locks[j]);
	pthread_mutex_destroy(&transport->pool_lock);
	free(transport->user_agent);
	free(transport);
}

static CURL *take_handle(struct http_transport *transport)
{
	CURL *curl = NULL;

	pthread_mutex_lock(&transport->pool_lock);
	if (transport->pool_count)
		curl = transport->pool[--transport->pool_count];
	pthread_mutex_unlock(&transport->pool_lock);
	return curl ? curl : curl_easy_init();
}

static void give_back_handle(struct http_transport *transport, CURL *curl)
{
	pthread_mutex_lock(&transport->pool_lock);
	if (transport->pool_count == transport->pool_alloc) {
		size_t alloc = transport->pool_alloc ?
				       transport->pool_alloc * 2 : 8;
		CURL **grown = realloc(transport->pool,
				       alloc * sizeof(*grown));

		if (!grown) {
			pthread_mutex_unlock(&transport->pool_lock);
			curl_easy_cleanup(curl);
			return;
		}
		transport->pool = grown;
		transport->pool_alloc = alloc;
	}
	transport->pool[transport->pool_count++] = curl;
	pthread_mutex_unlock(&transport->pool_lock);
}

static size_t write_body(char *data, size_t size, size_t count, void *user)
{
	struct transfer *transfer = user;
	struct http_response *response = transfer->response;
	size_t len = size * count;

	if (response->body_len + len + 1 > transfer->body_alloc) {
		size_t alloc = transfer->body_alloc ? transfer->body_alloc
						    : 4096;
		char *grown;

		while (alloc < response->body_len + len + 1)
			alloc *= 2;
		if (alloc > BODY_MAX) {
			transfer->too_large = true;
			return 0;
		}
		grown = realloc(response->body, alloc);
		if (!grown)
			return 0;
		response->body = grown;
		transfer->body_alloc = alloc;
	}
	memcpy(response->body + response->body_len, data, len);
	response->body_len += len;
	response->body[response->body_len] = '\0';
	return len;
}

/* Copies the value of header line `line` if its name is `name`. */
static void copy_header(const char *line, size_t len, const char *name,
			char *out, size_t size)
{
	size_t name_len = strlen(name);

	if (len <= name_len || line[name_len] != ':' ||
	    strncasecmp(line, name, name_len) != 0)
		return;
	line += name_len + 1;
	len -= name_len + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
		       line[len - 1] == ' '))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, line, len);
	out[len] = '\0';
}

static size_t read_header(char *data, size_t size, size_t count, void *user)
{
	struct transfer *transfer = user;
	struct http_response *response = transfer->response;
	size_t len = size * count;

	copy_header(data, len, "ININ-Correlation-Id", response->correlation_id,
		    sizeof(response->correlation_id));
	copy_header(data, len, "Retry-After", response->retry_after,
		    sizeof(response->retry_after));
	return len;
}

/* Logs headers at -vv, one line each, with Authorization redacted. */
static void log_header_block(const char *prefix, const char *data,
			     size_t len)
{
	while (len > 0) {
		size_t line = 0;
		int shown;

		while (line < len && data[line] != '\n')
			line++;
		shown = (int)line;
		while (shown > 0 && (data[shown - 1] == '\r'))
			shown--;
		if (shown > 14 && strncasecmp(data, "Authorization:", 14) == 0)
			log_debug(LOG_AREA_HTTP, "http: %s Authorization: "
				  "[redacted]", prefix);
		else if (shown > 0)
			log_debug(LOG_AREA_HTTP, "http: %s %.*s", prefix,
				  shown, data);
		line += line < len;
		data += line;
		len -= line;
	}
}

static int debug_callback(CURL *curl, curl_infotype type, char *data,
			  size_t size, void *user)
{
	(void)curl;
	(void)user;
	if (type == CURLINFO_HEADER_OUT)
		log_header_block(">", data, size);
	else if (type == CURLINFO_HEADER_IN)
		log_header_block("<", data, size);
	return 0;
}

static bool append_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *next = curl_slist_append(*list, line);

	if (!next)
		return false;
	*list = next;
	return true;
}

static struct curl_slist *build_headers(const struct transport_request *r)
{
	struct curl_slist *list = NULL;
	char line[8192];
	bool ok;

	/* libcurl adds "Expect: 100-continue" to large bodies; skip a trip. */
	ok = append_header(&list, "Accept: application/json") &&
	     append_header(&list, "Expect:");
	if (ok && r->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 r->content_type);
		ok = append_header(&list, line);
	}
	if (ok && r->authorization) {
		snprintf(line, sizeof(line), "Authorization: %s",
			 r->authorization);
		ok = append_header(&list, line);
		explicit_bzero(line, sizeof(line));
	}
	if (!ok) {
		curl_slist_free_all(list);
		return NULL;
	}
	return list;
}

static void set_options(struct http_transport *transport, CURL *curl,
			const struct transport_request *request,
			struct transfer *transfer, char *errors)
{
	const struct http_config *config = transport->config;

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_SHARE, transport->share);
	curl_easy_setopt(curl, CURLOPT_URL, request->url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request->method);
	if (strcmp(request->method, "GET") != 0 &&
	    strcmp(request->method, "DELETE") != 0) {
		const char *body = request->body ? request->body : "";

		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
				 (long)strlen(body));
	}
	if (request->fresh_connection)
		curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (config->cacert) {
		curl_easy_setopt(curl, CURLOPT_CAINFO, config->cacert);
		curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, config->request_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 config->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, transport->user_agent);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errors);
	if (log_enabled(LOG_DEBUG, LOG_AREA_HTTP)) {
		curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, debug_callback);
		curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	}
}

/* Connection failures happen before any byte of the request is sent. */
static bool failed_before_sending(CURLcode code)
{
	return code == CURLE_COULDNT_RESOLVE_HOST ||
	       code == CURLE_COULDNT_RESOLVE_PROXY ||
	       code == CURLE_COULDNT_CONNECT ||
	       code == CURLE_SSL_CONNECT_ERROR ||
	       code == CURLE_PEER_FAILED_VERIFICATION;
}

/* The server's certificate was not trusted; retrying cannot help. */
static bool certificate_rejected(CURLcode code)
{
	return code == CURLE_PEER_FAILED_VERIFICATION ||
	       code == CURLE_SSL_CACERT_BADFILE ||
	       code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

static int describe_failure(CURLcode code, const char *errors,
			    bool too_large, struct transport_failure *failure)
{
	failure->code = code;
	failure->request_sent = !failed_before_sending(code);
	failure->timed_out = code == CURLE_OPERATION_TIMEDOUT;
	failure->permanent = certificate_rejected(code);
	if (too_large)
		snprintf(failure->message, sizeof(failure->message),
			 "the response is larger than %ld MiB", BODY_MAX >> 20);
	else
		snprintf(failure->message, sizeof(failure->message), "%s%s",
			 *errors ? errors : curl_easy_strerror(code),
			 failure->permanent
				 ? "; the server's certificate is not "
				   "trusted: pass --cacert FILE with the "
				   "certificate of the CA that signed it"
				 : "");
	return failure->timed_out ? TRUNKCTL_ETIMEOUT : TRUNKCTL_EIO;
}

int http_transport_perform(struct http_transport *transport,
			   const struct transport_request *request,
			   struct http_response *response,
			   struct transport_failure *failure)
{
	struct transfer transfer = { .response = response };
	char errors[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers;
	CURL *curl;
	CURLcode code;
	long started;
	int rc = 0;

	http_response_release(response);
	memset(failure, 0, sizeof(*failure));
	curl = take_handle(transport);
	headers = build_headers(request);
	if (!curl || !headers) {
		curl_slist_free_all(headers);
		if (curl)
			give_back_handle(transport, curl);
		snprintf(failure->message, sizeof(failure->message),
			 "out of memory");
		failure->code = CURLE_OUT_OF_MEMORY;
		return TRUNKCTL_ENOMEM;
	}

	set_options(transport, curl, request, &transfer, errors);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	started = http_now_ms();
	code = curl_easy_perform(curl);
	response->elapsed_ms = http_now_ms() - started;

	if (code == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE,
				  &response->status);
	else
		rc = describe_failure(code, errors, transfer.too_large,
				      failure);
	if (!response->body)
		response->body = calloc(1, 1);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	give_back_handle(transport, curl);
	if (!rc && !response->body)
		rc = TRUNKCTL_ENOMEM;
	return rc;
}

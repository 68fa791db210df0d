#ifndef TRUNKCTL_HTTP_CLIENT_H
#define TRUNKCTL_HTTP_CLIENT_H

/*
 * The API client: one per run, shared by every worker thread.
 *
 * http_client_send() performs one API call. It waits for the client-side
 * rate limiter, a 429 pause and the circuit breaker, then adds a bearer
 * token, which all workers share and which is refreshed once after a 401.
 * It retries 429, 502, 503, 504 and transport failures with exponential
 * backoff and full jitter, except where a POST that is not marked safe
 * may have been carried out.
 *
 * All functions are thread-safe on one client, except http_client_new()
 * and http_client_free(). The caller must have called curl_global_init()
 * before http_client_new().
 *
 * Errors follow model/error.h. A failure records a message that names
 * the method, the URL (never credentials), the status, the server's
 * message and the correlation id.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "http/config.h"

struct http_client;

/* One API call. Strings are borrowed for the duration of the call. */
struct http_request {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" */
	const char *path;    /* under the API base, with the query */
	const char *route;   /* template for metrics, e.g. ".../{edgeId}" */
	const char *body;    /* JSON, or NULL */
	/*
	 * A POST is retried after a lost response only when this is set,
	 * because the service may have acted on it. GET, PUT and DELETE
	 * are always retried.
	 */
	bool retry_safe;
};

/* The last response of a call. Release with http_response_release(). */
struct http_response {
	long status;             /* 0 when no response came */
	char *body;              /* NUL-terminated, may be empty */
	size_t body_len;
	char correlation_id[128]; /* ININ-Correlation-Id, or "" */
	char retry_after[64];    /* Retry-After as sent, or "" */
	long elapsed_ms;         /* of the last request */
	/*
	 * Set when the connection broke after a request that is not safe
	 * to retry was sent: the service may or may not have acted on it,
	 * and the call returns TRUNKCTL_EIO. Look the entity up before
	 * trying again.
	 */
	bool outcome_unknown;
};

/* Figures of one call, for the audit log and metrics. */
struct api_call_info {
	long status;             /* last HTTP status, 0 if none */
	int attempts;            /* requests sent, token requests excluded */
	int retries;
	int throttled;           /* 429 responses */
	long latency_ms;         /* whole call, waits included */
	char correlation_id[128]; /* of the last response */
	bool outcome_unknown;
};

/*
 * Creates a client for `config`, which it copies. Sends nothing: the
 * token is fetched by the first call.
 */
int http_client_new(const struct http_config *config,
		    struct http_client **out);
void http_client_free(struct http_client *client);

const struct http_config *http_client_config(const struct http_client *client);

/*
 * Performs `request` with retries. Returns 0 for a 2xx response, else a
 * negative code:
 *   TRUNKCTL_EAUTH      401 after a token refresh, rejected credentials,
 *                       or 403
 *   TRUNKCTL_ENOTFOUND  404
 *   TRUNKCTL_ECONFLICT  409, or a 400 about a stale version
 *   TRUNKCTL_EINVALID   other 400s
 *   TRUNKCTL_EHTTP      other statuses, or retries exhausted
 *   TRUNKCTL_ETIMEOUT   the last request timed out
 *   TRUNKCTL_EIO        transport failure (see outcome_unknown)
 * `response` and `info` are filled in either case, and `info` may be
 * NULL. The caller releases `response`.
 */
int http_client_send(struct http_client *client,
		     const struct http_request *request,
		     struct http_response *response,
		     struct api_call_info *info);

/*
 * Like http_client_send(), then parses the body as JSON into *json
 * (NULL for an empty body). A body that is not JSON is TRUNKCTL_EINVALID
 * naming the endpoint and the byte offset.
 */
int http_client_send_json(struct http_client *client,
			  const struct http_request *request, cJSON **json,
			  struct api_call_info *info);

void http_response_release(struct http_response *response);

/*
 * Parses `body` as JSON. On failure returns TRUNKCTL_EINVALID with a
 * message naming `method` and `url` and the byte offset of the error.
 */
int http_json_parse(const char *body, size_t len, const char *method,
		    const char *url, cJSON **json);

#endif

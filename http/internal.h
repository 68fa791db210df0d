#ifndef TRUNKCTL_HTTP_INTERNAL_H
#define TRUNKCTL_HTTP_INTERNAL_H

/*
 * Declarations shared by the files of http/ and by its unit tests; not
 * for the rest of trunkctl, which uses http/client.h and http/profile.h.
 */

#include <pthread.h>
#include <stdbool.h>

#include <curl/curl.h>

#include "http/client.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/retry.h"

/* A pool of easy handles that share DNS and TLS sessions, not connections. */
struct http_transport;

/* The OAuth token cache. */
struct http_tokens;

struct http_client {
	struct http_config config;
	struct http_transport *transport;
	struct http_tokens *tokens;
	struct http_rate_limiter limiter;
	struct http_breaker breaker;
	struct http_metrics *metrics;
	char *user_agent;
};

/* One HTTP exchange, without retries. Strings are borrowed. */
struct transport_request {
	const char *method;
	const char *url;
	const char *body;          /* NULL: none */
	const char *content_type;  /* of the body */
	const char *authorization; /* header value, never logged */
	/*
	 * Use a new connection. libcurl by itself resends a request once
	 * when a reused connection closes before any response, which must
	 * not happen to a request that is not safe to resend.
	 */
	bool fresh_connection;
};

/* The cause of a transport failure, which decides on retries. */
struct transport_failure {
	CURLcode code;
	bool request_sent;  /* false: failed before the request left */
	bool timed_out;
	bool permanent;     /* a retry fails the same way (certificate) */
	char message[CURL_ERROR_SIZE + 128];
};

int http_transport_new(const struct http_config *config,
		       const char *user_agent, struct http_transport **out);
void http_transport_free(struct http_transport *transport);

/*
 * Sends one request on a pooled easy handle. Returns 0 when a response
 * came (whatever its status) and fills `response`; returns TRUNKCTL_EIO
 * or TRUNKCTL_ETIMEOUT and fills `failure` when none came. Records no
 * error message: the caller names the endpoint.
 */
int http_transport_perform(struct http_transport *transport,
			   const struct transport_request *request,
			   struct http_response *response,
			   struct transport_failure *failure);

int http_tokens_new(struct http_tokens **out);
void http_tokens_free(struct http_tokens *tokens);

/*
 * Copies a valid access token into `token` and its generation into
 * *generation, fetching one when none is cached or it expires soon.
 * Concurrent callers share one fetch.
 */
int http_token_get(struct http_client *client, char *token, size_t size,
		   unsigned long *generation);

/*
 * Drops the token of `generation` after a 401. A 401 for an older token
 * does nothing, so many workers rejected at once cause one refresh.
 */
void http_token_invalidate(struct http_client *client,
			   unsigned long generation);

/* Token requests sent so far, for tests. */
long http_token_requests(struct http_client *client);

/* Records one finished call for the endpoint's figures. */
void http_metrics_record(struct http_metrics *metrics, const char *method,
			 const char *route, const struct api_call_info *info,
			 bool success);

int http_metrics_new(struct http_metrics **out);
void http_metrics_free(struct http_metrics *metrics);

#endif

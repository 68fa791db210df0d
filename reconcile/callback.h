#ifndef TRUNKCTL_RECONCILE_CALLBACK_H
#define TRUNKCTL_RECONCILE_CALLBACK_H

/*
 * Callbacks: a JSON notice POSTed to a carrier portal when a trunk's
 * actions have finished, signed with HMAC-SHA256 of the body and sent
 * with its own libcurl handle (not through the API client's rate limiter
 * or circuit breaker).
 *
 * The receiver recomputes HMAC-SHA256(key, raw body) and compares it with
 * the header "X-Trunkctl-Signature: sha256=HEX". The body carries a
 * delivery id (also in "X-Trunkctl-Delivery") and a timestamp so the
 * receiver can reject a replayed delivery.
 */

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"

#define CALLBACK_SIGNATURE_HEADER "X-Trunkctl-Signature"
#define CALLBACK_DELIVERY_HEADER "X-Trunkctl-Delivery"

struct callback_outcome {
	const char *action;     /* "create", "update", ... */
	const char *outcome;    /* "succeeded", "failed", "skipped" */
};

struct callback_event {
	const char *event;          /* NULL for "trunk.reconciled" */
	const char *delivery_id;    /* NULL for a new UUID v4 */
	long long time_ms;          /* 0 for the current time */
	const char *run_id;
	const struct plan_source *source;
	const char *edge_id;
	const char *edge_name;
	const char *trunk_name;
	const char *trunk_id;       /* NULL when a create failed */
	const struct callback_outcome *actions;
	size_t action_count;
};

/* Writes a random (version 4) UUID, 36 characters and a NUL. */
int callback_delivery_id_new(char out[37]);

/*
 * Builds the body for `event` in `*body` (free()) and copies its
 * delivery id into `delivery_id`.
 */
int callback_body_build(const struct callback_event *event, char **body,
			char delivery_id[37]);

/* HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits. */
int callback_sign(const void *key, size_t key_len, const void *data,
		  size_t len, char hex[65]);

/*
 * Accepts https URLs, and http URLs whose host is loopback (127.0.0.0/8,
 * ::1 or localhost) for tests and local receivers, without a user name
 * or password. Anything else is TRUNKCTL_EINVALID with a message.
 */
int callback_check_url(const char *url);

struct callback_send_options {
	int attempts;           /* total tries; 3 by default */
	long backoff_ms;        /* first pause; doubled after each try */
	long timeout_ms;        /* per try */
	const char *cacert;     /* CA bundle, or NULL for the system's */
};

void callback_send_options_init(struct callback_send_options *options);

struct callback_result {
	int http_status;        /* of the last try; 0 without a response */
	int attempts;
	long latency_ms;        /* all tries and pauses */
	char error[256];        /* why the last try failed, or "" */
};

struct callback_request {
	const char *url;
	const char *body;
	const char *delivery_id;    /* sent as X-Trunkctl-Delivery, or NULL */
	const void *key;            /* NULL sends the body unsigned */
	size_t key_len;
};

/*
 * POSTs the request's body to its URL (checked by callback_check_url()),
 * signed unless the key is NULL, and retries transport errors, 429 and
 * 5xx responses. Redirects are not followed, so a 3xx fails. Returns 0 on
 * a 2xx response, else TRUNKCTL_EHTTP or TRUNKCTL_EIO with `result->error`
 * and the thread's error message set. Thread-safe once
 * curl_global_init() has run.
 */
int callback_send(const struct callback_request *request,
		  const struct callback_send_options *options,
		  struct callback_result *result);

#endif

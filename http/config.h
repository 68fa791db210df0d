#ifndef TRUNKCTL_HTTP_CONFIG_H
#define TRUNKCTL_HTTP_CONFIG_H

/*
 * The API client's settings: where the API and the OAuth server are, the
 * credentials, and the figures of the retry policy, circuit breaker and
 * rate limiter.
 *
 * http_config_load() builds them from command-line values (struct
 * http_options, strings as typed) and the environment. A command-line
 * value wins over its environment variable, which wins over the default.
 */

#include <stdbool.h>
#include <stddef.h>

/* Defaults, in milliseconds where a unit is needed. */
#define HTTP_DEFAULT_REQUEST_TIMEOUT_MS 16000
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define HTTP_DEFAULT_RETRY_BASE_MS 500
#define HTTP_DEFAULT_RETRY_CAP_MS 30000
#define HTTP_DEFAULT_RETRY_ATTEMPTS 5
#define HTTP_DEFAULT_RETRY_AFTER_MAX_MS 180000
#define HTTP_DEFAULT_BREAKER_THRESHOLD 5
#define HTTP_DEFAULT_BREAKER_COOLDOWN_MS 10000
#define HTTP_DEFAULT_REQUESTS_PER_MINUTE 300
#define HTTP_DEFAULT_PAGE_SIZE 100
#define HTTP_DEFAULT_MAX_PAGES 10000

/*
 * Command-line values as typed, NULL when absent. Durations are seconds
 * with an optional fraction ("0.5"), or carry a unit ("250ms", "2s").
 * Each has an environment variable, named in the comment.
 */
struct http_options {
	const char *region;             /* GENESYSCLOUD_REGION */
	const char *api_url;
	const char *login_url;
	const char *client_secret_file;
	const char *cacert;
	/* TRUNKCTL_MAX_REQUESTS_PER_MINUTE */
	const char *max_requests_per_minute;
	const char *request_timeout;    /* TRUNKCTL_REQUEST_TIMEOUT */
	const char *retry_base;         /* TRUNKCTL_RETRY_BASE */
	const char *retry_cap;          /* TRUNKCTL_RETRY_CAP */
	const char *retry_attempts;     /* TRUNKCTL_RETRY_ATTEMPTS */
	const char *retry_after_max;    /* TRUNKCTL_RETRY_AFTER_MAX */
	const char *breaker_threshold;  /* TRUNKCTL_BREAKER_THRESHOLD */
	const char *breaker_cooldown;   /* TRUNKCTL_BREAKER_COOLDOWN */
};

/* The resolved settings. Strings are owned; release with _release. */
struct http_config {
	char *api_url;        /* no trailing slash */
	char *login_url;      /* no trailing slash */
	char *client_id;
	char *client_secret;  /* wiped by http_config_release() */
	char *cacert;         /* NULL: the system's CA bundle */
	long request_timeout_ms;
	long connect_timeout_ms;
	long retry_base_ms;
	long retry_cap_ms;
	int retry_attempts;   /* retries after the first request */
	long retry_after_max_ms;
	int breaker_threshold; /* consecutive failures that open it */
	long breaker_cooldown_ms;
	int max_requests_per_minute; /* 0: no client-side limit */
	int page_size;
	int max_pages;        /* a listing longer than this is an error */
};

/* Sets every figure to its default and every string to NULL. */
void http_config_init(struct http_config *config);

/*
 * Fills `config` from `options` and the environment. On failure returns
 * TRUNKCTL_EINVALID (or TRUNKCTL_EIO for an unreadable secret file) with
 * a message naming the option or variable, and leaves nothing to
 * release. Never contacts a server.
 */
int http_config_load(struct http_config *config,
		     const struct http_options *options);

void http_config_release(struct http_config *config);

/*
 * Returns the domain of an AWS-style region name ("eu-west-1" ->
 * "mypurecloud.ie"), or NULL when the name is not in the table.
 */
const char *http_region_domain(const char *region);

/*
 * Checks a base URL: http or https, a host, no user name or password, no
 * query. Plain http is accepted only for a loopback host (127.0.0.0/8,
 * ::1, localhost). Stores a copy without trailing slashes in *out.
 * `what` names the option in messages.
 */
int http_base_url_check(const char *url, const char *what, char **out);

/*
 * Derives the login base from an API base: a leading "api." host label
 * becomes "login."; any other URL is returned unchanged.
 */
int http_login_url_derive(const char *api_url, char **out);

/* Parses a duration ("1.5", "250ms", "2s", "5m", "1h") into
 * milliseconds: a plain decimal number with an optional unit, seconds
 * when none is given. */
int http_duration_parse(const char *text, long *ms);

#endif

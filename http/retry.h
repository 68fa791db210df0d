#ifndef TRUNKCTL_HTTP_RETRY_H
#define TRUNKCTL_HTTP_RETRY_H

/*
 * The retry policy's arithmetic and the circuit breaker. The breaker is
 * shared by all workers of a client; its functions are thread-safe.
 */

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/*
 * Returns the backoff before retry number `retry` (1 for the first
 * retry) with full jitter: `random01` (in [0, 1)) times
 * min(cap, base * 2^(retry - 1)), in milliseconds.
 */
long http_backoff_ms(long base_ms, long cap_ms, int retry, double random01);

/* Returns a uniform random number in [0, 1); thread-safe. */
double http_random01(void);

/*
 * Parses a Retry-After value, delta-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"), into the wait from `now` in
 * milliseconds (0 for a date in the past). Returns 0, or
 * TRUNKCTL_EINVALID when the value is neither form.
 */
int http_retry_after_parse(const char *value, time_t now, long *wait_ms);

/* Milliseconds of CLOCK_MONOTONIC. */
long http_now_ms(void);

/* Sleeps `ms` milliseconds, resuming after signals. */
void http_sleep_ms(long ms);

enum breaker_state {
	BREAKER_CLOSED = 0,
	BREAKER_OPEN,
	BREAKER_HALF_OPEN, /* cool-down over, one probe in flight */
};

enum breaker_outcome {
	BREAKER_SUCCESS,   /* any other status: closes it */
	BREAKER_FAILURE,   /* 502, 503, 504 or a transport failure */
	BREAKER_NEUTRAL,   /* 429, or no request sent */
};

/*
 * A circuit breaker. `threshold` consecutive failures open it, and then no
 * request is sent for `cooldown_ms`. After that one probe is let through.
 * Its success closes the breaker and its failure opens it again.
 */
struct http_breaker {
	pthread_mutex_t lock;
	pthread_cond_t probe_done;
	enum breaker_state state;
	int failures;
	long opened_at_ms;
	int threshold;
	long cooldown_ms;
	long opened_count; /* times it opened, for tests and logs */
};

int http_breaker_init(struct http_breaker *breaker, int threshold,
		      long cooldown_ms);
void http_breaker_release(struct http_breaker *breaker);

/*
 * Waits until a request may be sent. Sets *probe when this caller is the
 * half-open probe. Holds no lock while it sleeps. Every call must be
 * followed by http_breaker_record() with the same `probe`.
 */
void http_breaker_enter(struct http_breaker *breaker, bool *probe);

/* Records a request's outcome; returns true when it opened the breaker. */
bool http_breaker_record(struct http_breaker *breaker,
			 enum breaker_outcome outcome, bool probe);

bool http_breaker_is_open(struct http_breaker *breaker);

#endif

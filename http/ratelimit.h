#ifndef TRUNKCTL_HTTP_RATELIMIT_H
#define TRUNKCTL_HTTP_RATELIMIT_H

/*
 * The client-side rate limiter: a token bucket shared by all workers,
 * and the pause that a 429 imposes on all of them.
 *
 * A limit of N requests a minute allows at most N requests in any window
 * of 60 s. The bucket contains at most `burst` tokens and refills at
 * N - burst a minute, so a full bucket plus a minute of refill is exactly
 * N. The burst is N / 30, between 1 and 10 (10 for the default of 300).
 * For N = 1 the refill stays at 1 a minute, so 2 can pass in a minute.
 *
 * All functions are thread-safe; waits hold no lock while they sleep.
 */

#include <pthread.h>

struct http_rate_limiter {
	pthread_mutex_t lock;
	int per_minute;     /* 0: no limit */
	double burst;
	double tokens;      /* negative: reserved by sleeping callers */
	double per_ms;      /* refill rate */
	long updated_ms;
	long paused_until_ms;
};

int http_rate_limiter_init(struct http_rate_limiter *limiter, int per_minute,
			   long now_ms);
void http_rate_limiter_release(struct http_rate_limiter *limiter);

/*
 * Takes one token at time `now_ms` and returns how long the caller must
 * wait before sending (0 when a token was available). The token is the
 * caller's even if it waits, so callers are served in order.
 */
long http_rate_limiter_reserve(struct http_rate_limiter *limiter,
			       long now_ms);

/* Returns the time left of a 429 pause at `now_ms`, 0 when none. */
long http_rate_limiter_paused_for(struct http_rate_limiter *limiter,
				  long now_ms);

/* Pauses every caller of http_rate_limiter_acquire() until `until_ms`. */
void http_rate_limiter_pause(struct http_rate_limiter *limiter,
			     long until_ms);

/*
 * Waits out any pause, then for a token, then for any pause set while it
 * waited. Returns the milliseconds spent waiting.
 */
long http_rate_limiter_acquire(struct http_rate_limiter *limiter);

#endif

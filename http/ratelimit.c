#include <string.h>

#include "http/ratelimit.h"
#include "http/retry.h"
#include "model/error.h"

int http_rate_limiter_init(struct http_rate_limiter *limiter, int per_minute,
			   long now_ms)
{
	double burst = per_minute / 30;

	memset(limiter, 0, sizeof(*limiter));
	if (pthread_mutex_init(&limiter->lock, NULL))
		return error_set(TRUNKCTL_ERROR, "cannot create a mutex");
	if (burst < 1)
		burst = 1;
	if (burst > 10)
		burst = 10;
	limiter->per_minute = per_minute;
	limiter->burst = burst;
	limiter->tokens = burst;
	limiter->per_ms = per_minute > burst ? (per_minute - burst) / 60000.0
					     : 1 / 60000.0;
	limiter->updated_ms = now_ms;
	return 0;
}

void http_rate_limiter_release(struct http_rate_limiter *limiter)
{
	pthread_mutex_destroy(&limiter->lock);
}

long http_rate_limiter_reserve(struct http_rate_limiter *limiter,
			       long now_ms)
{
	long wait = 0;

	if (limiter->per_minute <= 0)
		return 0;

	pthread_mutex_lock(&limiter->lock);
	if (now_ms > limiter->updated_ms) {
		limiter->tokens += (now_ms - limiter->updated_ms) *
				   limiter->per_ms;
		if (limiter->tokens > limiter->burst)
			limiter->tokens = limiter->burst;
		limiter->updated_ms = now_ms;
	}
	limiter->tokens -= 1;
	if (limiter->tokens < 0)
		wait = (long)(-limiter->tokens / limiter->per_ms) + 1;
	pthread_mutex_unlock(&limiter->lock);
	return wait;
}

long http_rate_limiter_paused_for(struct http_rate_limiter *limiter,
				  long now_ms)
{
	long until;

	pthread_mutex_lock(&limiter->lock);
	until = limiter->paused_until_ms;
	pthread_mutex_unlock(&limiter->lock);
	return until > now_ms ? until - now_ms : 0;
}

void http_rate_limiter_pause(struct http_rate_limiter *limiter,
			     long until_ms)
{
	pthread_mutex_lock(&limiter->lock);
	if (until_ms > limiter->paused_until_ms)
		limiter->paused_until_ms = until_ms;
	pthread_mutex_unlock(&limiter->lock);
}

static long wait_out_pause(struct http_rate_limiter *limiter)
{
	long waited = 0, wait;

	while ((wait = http_rate_limiter_paused_for(limiter,
						    http_now_ms())) > 0) {
		http_sleep_ms(wait);
		waited += wait;
	}
	return waited;
}

long http_rate_limiter_acquire(struct http_rate_limiter *limiter)
{
	long waited = wait_out_pause(limiter);
	long wait = http_rate_limiter_reserve(limiter, http_now_ms());

	if (wait > 0) {
		http_sleep_ms(wait);
		waited += wait;
	}
	return waited + wait_out_pause(limiter);
}

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http/retry.h"
#include "model/error.h"

long http_backoff_ms(long base_ms, long cap_ms, int retry, double random01)
{
	double ceiling = base_ms;
	int i;

	for (i = 1; i < retry && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	return (long)(ceiling * random01);
}

double http_random01(void)
{
	static _Thread_local uint64_t state;

	/* xorshift64*, seeded per thread from the clock and the stack. */
	if (!state) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		state = ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)now.tv_sec ^
			(uint64_t)(uintptr_t)&now;
		state |= 1;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (double)((state * 0x2545F4914F6CDD1DULL) >> 11) /
	       (double)(1ULL << 53);
}

int http_retry_after_parse(const char *value, time_t now, long *wait_ms)
{
	const char *p = value;
	time_t when;
	char *end;
	long seconds;

	while (isspace((unsigned char)*p))
		p++;
	if (isdigit((unsigned char)*p)) {
		errno = 0;
		seconds = strtol(p, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end || errno || seconds > 86400L * 365)
			return TRUNKCTL_EINVALID;
		*wait_ms = seconds * 1000;
		return 0;
	}

	/* curl_getdate() reads the three date forms of RFC 9110. */
	when = curl_getdate(p, NULL);
	if (when == -1)
		return TRUNKCTL_EINVALID;
	*wait_ms = when > now ? (long)(when - now) * 1000 : 0;
	return 0;
}

long http_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void http_sleep_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&left, &left) == -1 && errno == EINTR)
		;
}

int http_breaker_init(struct http_breaker *breaker, int threshold,
		      long cooldown_ms)
{
	memset(breaker, 0, sizeof(*breaker));
	if (pthread_mutex_init(&breaker->lock, NULL))
		return error_set(TRUNKCTL_ERROR, "cannot create a mutex");
	if (pthread_cond_init(&breaker->probe_done, NULL)) {
		pthread_mutex_destroy(&breaker->lock);
		return error_set(TRUNKCTL_ERROR, "cannot create a condition "
				 "variable");
	}
	breaker->threshold = threshold;
	breaker->cooldown_ms = cooldown_ms;
	return 0;
}

void http_breaker_release(struct http_breaker *breaker)
{
	pthread_cond_destroy(&breaker->probe_done);
	pthread_mutex_destroy(&breaker->lock);
}

void http_breaker_enter(struct http_breaker *breaker, bool *probe)
{
	long wait;

	*probe = false;
	pthread_mutex_lock(&breaker->lock);
	for (;;) {
		if (breaker->state == BREAKER_CLOSED)
			break;
		if (breaker->state == BREAKER_HALF_OPEN) {
			pthread_cond_wait(&breaker->probe_done, &breaker->lock);
			continue;
		}
		wait = breaker->opened_at_ms + breaker->cooldown_ms -
		       http_now_ms();
		if (wait <= 0) {
			breaker->state = BREAKER_HALF_OPEN;
			*probe = true;
			break;
		}
		pthread_mutex_unlock(&breaker->lock);
		http_sleep_ms(wait);
		pthread_mutex_lock(&breaker->lock);
	}
	pthread_mutex_unlock(&breaker->lock);
}

static bool record_locked(struct http_breaker *breaker,
			  enum breaker_outcome outcome, bool probe)
{
	if (outcome == BREAKER_SUCCESS) {
		breaker->failures = 0;
		breaker->state = BREAKER_CLOSED;
		return false;
	}
	if (outcome == BREAKER_NEUTRAL) {
		/* The probe learnt nothing: let the next caller probe. */
		if (probe)
			breaker->state = BREAKER_OPEN;
		return false;
	}

	breaker->failures++;
	if (!probe && (breaker->state != BREAKER_CLOSED ||
		       breaker->failures < breaker->threshold))
		return false;
	breaker->state = BREAKER_OPEN;
	breaker->opened_at_ms = http_now_ms();
	breaker->opened_count++;
	return true;
}

bool http_breaker_record(struct http_breaker *breaker,
			 enum breaker_outcome outcome, bool probe)
{
	bool opened;

	pthread_mutex_lock(&breaker->lock);
	opened = record_locked(breaker, outcome, probe);
	if (probe)
		pthread_cond_broadcast(&breaker->probe_done);
	pthread_mutex_unlock(&breaker->lock);
	return opened;
}

bool http_breaker_is_open(struct http_breaker *breaker)
{
	bool open;

	pthread_mutex_lock(&breaker->lock);
	open = breaker->state != BREAKER_CLOSED;
	pthread_mutex_unlock(&breaker->lock);
	return open;
}

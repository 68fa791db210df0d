#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "tests/sim/trunksim.h"

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_mono_ms_exact(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int64_t clock_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Formats wall clock milliseconds as 2026-01-31T12:00:00.000Z. */
void format_iso8601(int64_t real_ms, char out[32])
{
	time_t seconds = (time_t)(real_ms / 1000);
	struct tm tm;
	char date[24];

	gmtime_r(&seconds, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03dZ", date, (int)(real_ms % 1000));
}

static void uuid_format(unsigned char b[16], char out[UUID_SIZE])
{
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, UUID_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

void uuid_random(char out[UUID_SIZE])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1) {
		fprintf(stderr, "trunksim: error: RAND_bytes failed\n");
		abort();
	}
	uuid_format(b, out);
}

/* A UUID from the seeded generator, so generated state is reproducible. */
void uuid_from_random(struct random *random, char out[UUID_SIZE])
{
	unsigned char b[16];
	uint64_t high = random_next(random);
	uint64_t low = random_next(random);

	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(high >> (8 * i));
		b[8 + i] = (unsigned char)(low >> (8 * i));
	}
	uuid_format(b, out);
}

/* 32 random bytes as 64 lower-case hex digits. */
void token_random(char out[TOKEN_SIZE])
{
	unsigned char b[32];

	if (RAND_bytes(b, sizeof(b)) != 1) {
		fprintf(stderr, "trunksim: error: RAND_bytes failed\n");
		abort();
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void random_init(struct random *random, uint64_t seed)
{
	pthread_mutex_init(&random->lock, NULL);
	random->state = seed;
}

void random_release(struct random *random)
{
	pthread_mutex_destroy(&random->lock);
}

/* splitmix64: small, fast and good enough for fault decisions. */
uint64_t random_next(struct random *random)
{
	uint64_t z;

	pthread_mutex_lock(&random->lock);
	random->state += 0x9e3779b97f4a7c15ULL;
	z = random->state;
	pthread_mutex_unlock(&random->lock);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Returns a number in [0, 1). */
double random_unit(struct random *random)
{
	return (double)(random_next(random) >> 11) / 9007199254740992.0;
}

void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
char *url_encode(const char *text)
{
	size_t len = strlen(text);
	char *out = malloc(3 * len + 1);
	char *p = out;

	if (!out)
		return NULL;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (isalnum(*s) || strchr("-._~", *s)) {
			*p++ = (char)*s;
			continue;
		}
		snprintf(p, 4, "%%%02X", *s);
		p += 3;
	}
	*p = '\0';
	return out;
}

char *text_dup(const char *text)
{
	return text ? strdup(text) : NULL;
}

char *text_printf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	out = malloc((size_t)len + 1);
	if (!out)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* Parses a whole decimal number in [min, max]. */
bool parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long value;

	if (!text || !*text)
		return false;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || value < min || value > max)
		return false;
	*out = value;
	return true;
}

/* Parses "a.b.c.d/len" (or a bare address, a /32). */
int cidr_parse(const char *text, struct cidr *out)
{
	char address[32];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	long bits = 32;
	struct in_addr in;

	if (len >= sizeof(address))
		return -1;
	memcpy(address, text, len);
	address[len] = '\0';
	if (inet_pton(AF_INET, address, &in) != 1)
		return -1;
	if (slash && !parse_long(slash + 1, 0, 32, &bits))
		return -1;
	out->mask = bits ? 0xffffffffU << (32 - bits) : 0;
	out->network = ntohl(in.s_addr) & out->mask;
	return 0;
}

/* Whether `host` is an IPv4 address inside one of the ranges. */
bool cidr_contains(const struct cidr *cidrs, size_t count, const char *host)
{
	struct in_addr in;
	uint32_t address;

	if (inet_pton(AF_INET, host, &in) != 1)
		return false;
	address = ntohl(in.s_addr);
	for (size_t i = 0; i < count; i++) {
		if ((address & cidrs[i].mask) == cidrs[i].network)
			return true;
	}
	return false;
}

/*
 * OAuth client credentials: POST /oauth/token with HTTP Basic
 * credentials issues a random bearer token; every API call must carry a
 * token that has not expired. The per-token rate limit counts the API
 * calls of the last 60 seconds (a sliding window).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tests/sim/trunksim.h"

#define RATE_WINDOW_MS 60000

void tokens_init(struct tokens *tokens)
{
	pthread_mutex_init(&tokens->lock, NULL);
	tokens->head = NULL;
}

void tokens_release(struct tokens *tokens)
{
	while (tokens->head) {
		struct token *next = tokens->head->next;

		free(tokens->head->window);
		free(tokens->head);
		tokens->head = next;
	}
	pthread_mutex_destroy(&tokens->lock);
}

void tokens_expire_all(struct tokens *tokens)
{
	int64_t now = clock_mono_ms();

	pthread_mutex_lock(&tokens->lock);
	for (struct token *t = tokens->head; t; t = t->next) {
		if (t->expires_at > now)
			t->expires_at = now;
	}
	pthread_mutex_unlock(&tokens->lock);
}

static const char *header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND,
					   name);
}

/* Whether the Authorization header carries Basic base64(id:secret). */
static bool basic_credentials_valid(struct request *req)
{
	const struct config *cfg = &req->srv->cfg;
	const char *auth = header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char *expected = text_printf("%s:%s", cfg->client_id,
				     cfg->client_secret);
	unsigned char *decoded = NULL;
	size_t len;
	int n;
	bool valid = false;

	if (!expected || !auth || strncasecmp(auth, "Basic ", 6) != 0)
		goto done;
	auth += 6;
	len = strlen(auth);
	if (len == 0 || len % 4 || len > 4096)
		goto done;
	decoded = malloc(len / 4 * 3 + 1);
	n = decoded ? EVP_DecodeBlock(decoded, (const unsigned char *)auth,
				      (int)len)
		    : -1;
	if (n < 0)
		goto done;
	/* EVP_DecodeBlock counts the padding as decoded zero bytes. */
	n -= (auth[len - 1] == '=') + (auth[len - 2] == '=');
	valid = (size_t)n == strlen(expected) &&
		CRYPTO_memcmp(decoded, expected, (size_t)n) == 0;
done:
	free(decoded);
	free(expected);
	return valid;
}

static bool grant_type_valid(const char *body)
{
	const char *p = body;

	while (p && *p) {
		size_t len = strcspn(p, "&");

		if (len == 29 && strncmp(p, "grant_type=client_credentials",
					 29) == 0)
			return true;
		p += len;
		if (*p == '&')
			p++;
	}
	return false;
}

/* POST /oauth/token */
/* Lists every token issued, so that tests can grep output for them. */
cJSON *tokens_to_json(struct tokens *tokens)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(json, "tokens");

	pthread_mutex_lock(&tokens->lock);
	for (struct token *t = tokens->head; t && list; t = t->next)
		cJSON_AddItemToArray(list, cJSON_CreateString(t->value));
	pthread_mutex_unlock(&tokens->lock);
	return json;
}

void auth_token(struct request *req, struct reply *rep)
{
	struct tokens *tokens = &req->srv->tokens;
	struct token *token;
	cJSON *obj;

	if (!basic_credentials_valid(req)) {
		reply_error(req, rep, 401, "bad.credentials",
			    "invalid client credentials");
		return;
	}
	if (!req->body || !grant_type_valid(req->body)) {
		reply_error(req, rep, 400, "bad.request",
			    "expected the form body "
			    "grant_type=client_credentials");
		return;
	}
	token = calloc(1, sizeof(*token));
	if (!token) {
		reply_error(req, rep, 500, "internal.error", "out of memory");
		return;
	}
	token_random(token->value);
	token->expires_at = clock_mono_ms() + req->srv->cfg.token_ttl * 1000;
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "access_token", token->value);
	cJSON_AddStringToObject(obj, "token_type", "bearer");
	cJSON_AddNumberToObject(obj, "expires_in",
				(double)req->srv->cfg.token_ttl);
	pthread_mutex_lock(&tokens->lock);
	token->next = tokens->head;
	tokens->head = token;
	pthread_mutex_unlock(&tokens->lock);
	reply_json(rep, 200, obj);
}

/*
 * Records a call in the token's window. Returns 0, or the seconds until
 * the oldest call in a full window leaves it.
 */
static long rate_take(struct token *token, long limit, int64_t now)
{
	if (!token->window) {
		token->window = calloc((size_t)limit, sizeof(int64_t));
		if (!token->window)
			return 1;
	}
	while (token->window_count > 0 &&
	       token->window[token->window_start] <= now - RATE_WINDOW_MS) {
		token->window_start = (token->window_start + 1) % limit;
		token->window_count--;
	}
	if (token->window_count >= limit) {
		int64_t wait = token->window[token->window_start] +
			       RATE_WINDOW_MS - now;

		return wait <= 0 ? 1 : (long)((wait + 999) / 1000);
	}
	token->window[(token->window_start + token->window_count) % limit] =
		now;
	token->window_count++;
	return 0;
}

/* Finds the token under tokens.lock; returns an error message or NULL. */
static const char *token_check(struct server *srv, const char *value,
			       int64_t now, long *retry_after)
{
	struct token *token = srv->tokens.head;

	while (token && strcmp(token->value, value) != 0)
		token = token->next;
	if (!token)
		return "the access token is not valid";
	if (token->expires_at <= now)
		return "the access token has expired";
	if (srv->cfg.rate_limit > 0)
		*retry_after = rate_take(token, srv->cfg.rate_limit, now);
	return NULL;
}

/*
 * Checks the bearer token and the rate limit of an API call. Sets a 401
 * or 429 response and returns false when the call may not proceed.
 */
bool auth_check(struct request *req, struct reply *rep)
{
	struct server *srv = req->srv;
	const char *auth = header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *problem;
	long retry_after = 0;

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7]) {
		reply_error(req, rep, 401, "bad.credentials",
			    "missing bearer token: send Authorization: "
			    "Bearer TOKEN");
		return false;
	}
	pthread_mutex_lock(&srv->tokens.lock);
	problem = token_check(srv, auth + 7, clock_mono_ms(), &retry_after);
	pthread_mutex_unlock(&srv->tokens.lock);
	if (problem) {
		reply_error(req, rep, 401, "bad.credentials", "%s", problem);
		return false;
	}
	if (retry_after > 0) {
		reply_error(req, rep, 429, "too.many.requests.retry.after",
			    "rate limit of %ld requests a minute exceeded; "
			    "retry after %ld seconds",
			    srv->cfg.rate_limit, retry_after);
		snprintf(rep->retry_after, sizeof(rep->retry_after), "%ld",
			 retry_after);
		return false;
	}
	return true;
}

/*
 * OAuth client-credentials tokens. One token is cached per client and
 * shared by all workers. It is refreshed shortly before it expires, or
 * after a 401; workers that need a token while one is being fetched wait
 * for that fetch instead of sending their own. The token and the client
 * secret are never logged, and the token endpoint's body never is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/errors.h"
#include "http/internal.h"
#include "model/error.h"
#include "model/log.h"

#define TOKEN_MAX 4096
#define TOKEN_ROUTE "/oauth/token"

struct http_tokens {
	pthread_mutex_t lock;
	pthread_cond_t fetched;
	char token[TOKEN_MAX];
	bool valid;
	long refresh_at_ms;
	unsigned long generation; /* counts tokens received */
	bool fetching;
	unsigned long fetches;    /* counts finished fetches */
	int fetch_rc;             /* of the last fetch */
	char fetch_message[1024];
	long requests;
};

int http_tokens_new(struct http_tokens **out)
{
	struct http_tokens *tokens = calloc(1, sizeof(*tokens));

	*out = NULL;
	if (!tokens)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	pthread_mutex_init(&tokens->lock, NULL);
	pthread_cond_init(&tokens->fetched, NULL);
	*out = tokens;
	return 0;
}

void http_tokens_free(struct http_tokens *tokens)
{
	if (!tokens)
		return;
	explicit_bzero(tokens->token, sizeof(tokens->token));
	pthread_cond_destroy(&tokens->fetched);
	pthread_mutex_destroy(&tokens->lock);
	free(tokens);
}

static void base64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*out++ = digits[in[i] >> 2];
		*out++ = digits[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = digits[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = digits[in[i + 2] & 63];
	}
	if (i < len) {
		*out++ = digits[in[i] >> 2];
		if (i + 1 < len) {
			*out++ = digits[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*out++ = digits[(in[i + 1] & 15) << 2];
		} else {
			*out++ = digits[(in[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

/*
 * Builds "Basic base64(id:secret)". The id and secret go in as they are,
 * not form-encoded, as the platform's own SDKs send them.
 */
static char *basic_authorization(const struct http_config *config)
{
	size_t id_len = strlen(config->client_id);
	size_t secret_len = strlen(config->client_secret);
	size_t plain_len = id_len + 1 + secret_len;
	unsigned char *plain = malloc(plain_len);
	char *header = malloc(6 + (plain_len + 2) / 3 * 4 + 1);

	if (!plain || !header) {
		free(plain);
		free(header);
		return NULL;
	}
	memcpy(plain, config->client_id, id_len);
	plain[id_len] = ':';
	memcpy(plain + id_len + 1, config->client_secret, secret_len);
	memcpy(header, "Basic ", 6);
	base64_encode(plain, plain_len, header + 6);
	explicit_bzero(plain, plain_len);
	free(plain);
	return header;
}

static bool retryable_status(long status)
{
	return status == 429 || status == 502 || status == 503 ||
	       status == 504;
}

/* Reads {access_token, token_type, expires_in}; never logs the body. */
static int read_token(const struct http_response *response, const char *url,
		      char *token, long *ttl_ms)
{
	const cJSON *access, *type, *expires;
	cJSON *json = NULL;
	int rc;

	rc = http_json_parse(response->body, response->body_len, "POST", url,
			     &json);
	if (rc)
		return rc;
	access = cJSON_GetObjectItemCaseSensitive(json, "access_token");
	type = cJSON_GetObjectItemCaseSensitive(json, "token_type");
	expires = cJSON_GetObjectItemCaseSensitive(json, "expires_in");

	if (!cJSON_IsString(access) || !*access->valuestring ||
	    strlen(access->valuestring) >= TOKEN_MAX ||
	    !cJSON_IsNumber(expires) || expires->valuedouble <= 0)
		rc = error_set(TRUNKCTL_EINVALID, "POST %s: the token response "
			       "lacks access_token or a positive expires_in",
			       url);
	else if (type && (!cJSON_IsString(type) ||
			  strcasecmp(type->valuestring, "bearer") != 0))
		rc = error_set(TRUNKCTL_EINVALID, "POST %s: token_type is not "
			       "bearer", url);
	else {
		snprintf(token, TOKEN_MAX, "%s", access->valuestring);
		*ttl_ms = expires->valuedouble > 86400.0 * 365
				  ? 86400L * 365 * 1000
				  : (long)(expires->valuedouble * 1000);
	}
	if (cJSON_IsString(access))
		explicit_bzero(access->valuestring,
			       strlen(access->valuestring));
	cJSON_Delete(json);
	return rc;
}

static int report_rejected(const char *url,
			   const struct http_response *response)
{
	struct api_error error;

	api_error_parse(response, &error);
	return error_set(TRUNKCTL_EAUTH, "POST %s: the OAuth server rejected "
			 "the client credentials (status %ld%s%s: %s; "
			 "correlation id %s): check "
			 "GENESYSCLOUD_OAUTHCLIENT_ID and the client secret",
			 url, response->status,
			 *error.code ? ", " : "", error.code,
			 *error.message ? error.message : "no message",
			 *error.correlation_id ? error.correlation_id : "none");
}

/* Sends the token request with the retry policy's backoff. */
static int request_token(struct http_client *client, const char *url,
			 const char *authorization,
			 struct http_response *response, int *attempts)
{
	const struct http_config *config = &client->config;
	struct transport_request request = {
		.method = "POST",
		.url = url,
		.body = "grant_type=client_credentials",
		.content_type = "application/x-www-form-urlencoded",
		.authorization = authorization,
	};
	struct transport_failure failure;
	int rc;

	for (*attempts = 1;; ++*attempts) {
		rc = http_transport_perform(client->transport, &request,
					    response, &failure);
		pthread_mutex_lock(&client->tokens->lock);
		client->tokens->requests++;
		pthread_mutex_unlock(&client->tokens->lock);
		log_verbose(LOG_AREA_HTTP, "http: POST %s -> %ld (%ld ms, "
			    "attempt %d)", TOKEN_ROUTE, response->status,
			    response->elapsed_ms, *attempts);
		if (!rc && !retryable_status(response->status))
			return 0;
		if (*attempts > config->retry_attempts || failure.permanent)
			break;
		http_sleep_ms(http_backoff_ms(config->retry_base_ms,
					      config->retry_cap_ms, *attempts,
					      http_random01()));
	}
	if (rc)
		return error_set(rc, "POST %s: %s (after %d attempts)", url,
				 failure.message, *attempts);
	return api_error_report("POST", url, response, NULL);
}

static int fetch_token(struct http_client *client, char *token, long *ttl_ms)
{
	struct http_response response = { 0 };
	struct api_call_info info = { 0 };
	char url[2048], *authorization;
	long started = http_now_ms();
	int rc;

	snprintf(url, sizeof(url), "%s%s", client->config.login_url,
		 TOKEN_ROUTE);
	authorization = basic_authorization(&client->config);
	if (!authorization)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	rc = request_token(client, url, authorization, &response,
			   &info.attempts);
	explicit_bzero(authorization, strlen(authorization));
	free(authorization);

	if (!rc && (response.status == 400 || response.status == 401 ||
		    response.status == 403))
		rc = report_rejected(url, &response);
	else if (!rc && (response.status < 200 || response.status > 299))
		rc = api_error_report("POST", url, &response, NULL);
	else if (!rc)
		rc = read_token(&response, url, token, ttl_ms);

	info.status = response.status;
	info.retries = info.attempts - 1;
	info.latency_ms = http_now_ms() - started;
	http_metrics_record(client->metrics, "POST", TOKEN_ROUTE, &info, !rc);
	if (response.body)
		explicit_bzero(response.body, response.body_len);
	http_response_release(&response);
	return rc;
}

/* Waits for a fetch in progress; returns its error if it failed. */
static int wait_for_fetch(struct http_tokens *tokens)
{
	unsigned long seen = tokens->fetches;

	while (tokens->fetching)
		pthread_cond_wait(&tokens->fetched, &tokens->lock);
	if (tokens->fetches != seen && !tokens->valid && tokens->fetch_rc)
		return error_set(tokens->fetch_rc, "%s",
				 tokens->fetch_message);
	return 0;
}

static void store_fetch(struct http_tokens *tokens, int rc, const char *token,
			long ttl_ms)
{
	/* Refresh 60 s early, or a tenth of a short lifetime early. */
	long margin = ttl_ms / 10 < 60000 ? ttl_ms / 10 : 60000;

	tokens->fetching = false;
	tokens->fetches++;
	tokens->fetch_rc = rc;
	if (rc) {
		snprintf(tokens->fetch_message, sizeof(tokens->fetch_message),
			 "%s", error_message());
		return;
	}
	snprintf(tokens->token, sizeof(tokens->token), "%s", token);
	tokens->valid = true;
	tokens->generation++;
	tokens->refresh_at_ms = http_now_ms() + ttl_ms - margin;
}

int http_token_get(struct http_client *client, char *token, size_t size,
		   unsigned long *generation)
{
	struct http_tokens *tokens = client->tokens;
	char fetched[TOKEN_MAX];
	long ttl_ms = 0;
	int rc = 0;

	pthread_mutex_lock(&tokens->lock);
	while (!(tokens->valid && http_now_ms() < tokens->refresh_at_ms)) {
		if (!tokens->fetching) {
			tokens->fetching = true;
			pthread_mutex_unlock(&tokens->lock);
			rc = fetch_token(client, fetched, &ttl_ms);
			pthread_mutex_lock(&tokens->lock);
			store_fetch(tokens, rc, fetched, ttl_ms);
			explicit_bzero(fetched, sizeof(fetched));
			pthread_cond_broadcast(&tokens->fetched);
			break;
		}
		rc = wait_for_fetch(tokens);
		if (rc)
			break;
	}
	if (!rc) {
		snprintf(token, size, "%s", tokens->token);
		*generation = tokens->generation;
	}
	pthread_mutex_unlock(&tokens->lock);
	return rc;
}

void http_token_invalidate(struct http_client *client,
			   unsigned long generation)
{
	struct http_tokens *tokens = client->tokens;

	pthread_mutex_lock(&tokens->lock);
	if (tokens->generation == generation)
		tokens->valid = false;
	pthread_mutex_unlock(&tokens->lock);
}

long http_token_requests(struct http_client *client)
{
	long requests;

	pthread_mutex_lock(&client->tokens->lock);
	requests = client->tokens->requests;
	pthread_mutex_unlock(&client->tokens->lock);
	return requests;
}

/*
 * The client's call loop: circuit breaker, rate limiter, token, one
 * request, then the decision to return, refresh the token, or retry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/errors.h"
#include "http/internal.h"
#include "http/json_strict.h"
#include "model/error.h"
#include "model/log.h"
#include "version.h"

#define URL_MAX 4096

/* The decision after one request. */
enum verdict {
	VERDICT_DONE,     /* 2xx */
	VERDICT_REFRESH,  /* 401: refresh the token once and resend */
	VERDICT_RETRY,    /* 429, 502-504, transport: back off and resend */
	VERDICT_FAIL,     /* any other status */
	VERDICT_UNKNOWN,  /* a POST not safe to resend may have been acted on */
};

static int copy_string(char **out, const char *in)
{
	*out = NULL;
	if (in && !(*out = strdup(in)))
		return TRUNKCTL_ENOMEM;
	return 0;
}

static int copy_config(struct http_config *out, const struct http_config *in)
{
	*out = *in;
	if (copy_string(&out->api_url, in->api_url) |
	    copy_string(&out->login_url, in->login_url) |
	    copy_string(&out->client_id, in->client_id) |
	    copy_string(&out->client_secret, in->client_secret) |
	    copy_string(&out->cacert, in->cacert))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	return 0;
}

static int check_urls(const struct http_config *config)
{
	char *url = NULL;
	int rc;

	rc = http_base_url_check(config->api_url, "API URL", &url);
	free(url);
	url = NULL;
	if (!rc)
		rc = http_base_url_check(config->login_url, "login URL", &url);
	free(url);
	return rc;
}

int http_client_new(const struct http_config *config,
		    struct http_client **out)
{
	struct http_client *client = calloc(1, sizeof(*client));
	int rc;

	*out = NULL;
	if (!client)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (!config->api_url || !config->login_url || !config->client_id ||
	    !config->client_secret) {
		free(client);
		return error_set(TRUNKCTL_EINVALID, "the API client needs the "
				 "API URL, the login URL and the credentials");
	}

	/* A hand-made configuration gets the checks of http_config_load. */
	rc = check_urls(config);
	if (!rc)
		rc = copy_config(&client->config, config);
	if (!rc)
		rc = http_transport_new(&client->config,
					"trunkctl/" TRUNKCTL_VERSION,
					&client->transport);
	if (!rc)
		rc = http_tokens_new(&client->tokens);
	if (!rc)
		rc = http_metrics_new(&client->metrics);
	if (!rc)
		rc = http_rate_limiter_init(&client->limiter,
					    config->max_requests_per_minute,
					    http_now_ms());
	if (!rc && (rc = http_breaker_init(&client->breaker,
					   config->breaker_threshold,
					   config->breaker_cooldown_ms)))
		http_rate_limiter_release(&client->limiter);
	if (rc) {
		http_metrics_free(client->metrics);
		http_tokens_free(client->tokens);
		http_transport_free(client->transport);
		http_config_release(&client->config);
		free(client);
		return rc;
	}
	*out = client;
	return 0;
}

void http_client_free(struct http_client *client)
{
	if (!client)
		return;
	http_breaker_release(&client->breaker);
	http_rate_limiter_release(&client->limiter);
	http_metrics_free(client->metrics);
	http_tokens_free(client->tokens);
	http_transport_free(client->transport);
	http_config_release(&client->config);
	free(client);
}

const struct http_config *http_client_config(const struct http_client *client)
{
	return &client->config;
}

void http_response_release(struct http_response *response)
{
	free(response->body);
	memset(response, 0, sizeof(*response));
}

int http_json_parse(const char *body, size_t len, const char *method,
		    const char *url, cJSON **json)
{
	const char *end = NULL;

	*json = NULL;
	if (!body || len == 0)
		return error_set(TRUNKCTL_EINVALID, "%s %s: the response "
				 "has no body; expected JSON", method, url);
	if (strlen(body) != len)
		return error_set(TRUNKCTL_EINVALID, "%s %s: the response "
				 "is not valid JSON (NUL byte at offset %zu)",
				 method, url, strlen(body));
	/* cJSON parses what the strict parser does not take, and its
	 * error offset is the one reported. */
	*json = json_parse_strict(body, len);
	if (!*json)
		*json = cJSON_ParseWithOpts(body, &end, 1);
	if (!*json)
		return error_set(TRUNKCTL_EINVALID, "%s %s: the response "
				 "is not valid JSON (error at byte %zu of %zu)",
				 method, url, end ? (size_t)(end - body) : 0,
				 len);
	return 0;
}

static bool is_unsafe(const struct http_request *request)
{
	return strcmp(request->method, "POST") == 0 && !request->retry_safe;
}

static enum verdict judge(const struct http_request *request, int rc,
			  long status, const struct transport_failure *failure)
{
	if (rc == TRUNKCTL_ENOMEM || (rc && failure->permanent))
		return VERDICT_FAIL;
	if (rc)
		return failure->request_sent && is_unsafe(request)
			       ? VERDICT_UNKNOWN
			       : VERDICT_RETRY;
	if (status >= 200 && status <= 299)
		return VERDICT_DONE;
	if (status == 401)
		return VERDICT_REFRESH;
	/*
	 * NOTE: a POST is resent after a 429 or 503 on the assumption that
	 * these come before the service acts, as trunksim's do. A 503 sent
	 * after a partial write would lead to a second create.
	 */
	if (status == 429 || status == 503)
		return VERDICT_RETRY;
	if (status == 502 || status == 504)
		return is_unsafe(request) ? VERDICT_UNKNOWN : VERDICT_RETRY;
	return VERDICT_FAIL;
}

static enum breaker_outcome breaker_outcome(int rc, long status)
{
	if (rc == TRUNKCTL_ENOMEM || status == 429)
		return BREAKER_NEUTRAL;
	if (rc || status == 502 || status == 503 || status == 504)
		return BREAKER_FAILURE;
	return BREAKER_SUCCESS;
}

static void log_request(const struct http_request *request,
			const struct http_response *response, int rc,
			const struct transport_failure *failure, int attempt)
{
	if (rc)
		log_verbose(LOG_AREA_HTTP, "http: %s %s -> failed: %s (%ld ms, "
			    "attempt %d)", request->method, request->path,
			    failure->message, response->elapsed_ms, attempt);
	else
		log_verbose(LOG_AREA_HTTP, "http: %s %s -> %ld (%ld ms, "
			    "attempt %d)", request->method, request->path,
			    response->status, response->elapsed_ms, attempt);
}

/*
 * Sends the request once: waits for the breaker and the rate limiter,
 * takes a token, and records the outcome with the breaker. Returns the
 * transport's code, or a token error in *token_rc.
 */
static int send_once(struct http_client *client,
		     const struct http_request *request, const char *url,
		     struct http_response *response,
		     struct transport_failure *failure,
		     unsigned long *generation, int *token_rc)
{
	char token[4096], authorization[4200];
	struct transport_request exchange = {
		.method = request->method,
		.url = url,
		.body = request->body,
		.content_type = request->body ? "application/json" : NULL,
		.authorization = authorization,
		.fresh_connection = is_unsafe(request),
	};
	bool probe;
	int rc;

	http_breaker_enter(&client->breaker, &probe);
	http_rate_limiter_acquire(&client->limiter);
	*token_rc = http_token_get(client, token, sizeof(token), generation);
	if (*token_rc) {
		http_breaker_record(&client->breaker, BREAKER_NEUTRAL, probe);
		return 0;
	}
	snprintf(authorization, sizeof(authorization), "Bearer %s", token);
	explicit_bzero(token, sizeof(token));

	rc = http_transport_perform(client->transport, &exchange, response,
				    failure);
	explicit_bzero(authorization, sizeof(authorization));
	if (http_breaker_record(&client->breaker,
				breaker_outcome(rc, response->status), probe))
		log_at(LOG_WARN, LOG_AREA_HTTP, "trunkctl: warning: circuit "
		       "breaker open after %d consecutive failures; no request "
		       "for %ld ms",
		       client->config.breaker_threshold,
		       client->config.breaker_cooldown_ms);
	return rc;
}

/*
 * Works out the wait before the next attempt: the Retry-After of the response
 * when it has one, else the backoff. A Retry-After beyond the limit ends
 * the call. A 429 pauses every worker, not only this one.
 */
static int plan_retry(struct http_client *client,
		      const struct http_request *request, const char *url,
		      const struct http_response *response, int attempt,
		      long *sleep_ms)
{
	const struct http_config *config = &client->config;
	long wait = -1;
	char note[160];

	if (*response->retry_after &&
	    http_retry_after_parse(response->retry_after, time(NULL), &wait))
		wait = -1;
	if (wait > config->retry_after_max_ms) {
		snprintf(note, sizeof(note), "; the server asked to retry "
			 "after %ld s, beyond the limit of %ld s "
			 "(--retry-after-max)", wait / 1000,
			 config->retry_after_max_ms / 1000);
		return api_error_report(request->method, url, response, note);
	}
	if (wait < 0)
		wait = http_backoff_ms(config->retry_base_ms,
				       config->retry_cap_ms, attempt,
				       http_random01());

	*sleep_ms = wait;
	if (response->status == 429) {
		log_verbose(LOG_AREA_HTTP, "http: %s %s -> 429; pausing every "
			    "request for %ld ms", request->method,
			    request->path, wait);
		http_rate_limiter_pause(&client->limiter, http_now_ms() + wait);
		*sleep_ms = 0;
	} else {
		log_verbose(LOG_AREA_HTTP, "http: %s %s: retrying in %ld ms",
			    request->method, request->path, wait);
	}
	return 0;
}

static int give_up(struct http_client *client,
		   const struct http_request *request, const char *url,
		   const struct http_response *response, int rc,
		   const struct transport_failure *failure, int attempts)
{
	char note[160];

	snprintf(note, sizeof(note), "; gave up after %d attempt%s%s",
		 attempts, attempts == 1 ? "" : "s",
		 http_breaker_is_open(&client->breaker)
			 ? " (the circuit breaker is open)" : "");
	if (rc)
		return error_set(rc, "%s %s: %s%s", request->method, url,
				 failure->message, note);
	return api_error_report(request->method, url, response, note);
}

static int report_unknown(const struct http_request *request,
			  const char *url, struct http_response *response,
			  int rc, const struct transport_failure *failure)
{
	response->outcome_unknown = true;
	if (rc)
		return error_set(TRUNKCTL_EIO, "%s %s: %s; the request may "
				 "have been carried out, so it is not resent",
				 request->method, url, failure->message);
	api_error_report(request->method, url, response, "; the request may "
			 "have been carried out, so it is not resent");
	return TRUNKCTL_EIO;
}

static int run_attempts(struct http_client *client,
			const struct http_request *request, const char *url,
			struct http_response *response,
			struct api_call_info *info)
{
	struct transport_failure failure;
	unsigned long generation = 0;
	bool refreshed = false;
	int counted = 0, rc, token_rc;
	long wait = 0;

	for (;;) {
		rc = send_once(client, request, url, response, &failure,
			       &generation, &token_rc);
		if (token_rc)
			return token_rc;
		info->attempts++;
		info->throttled += response->status == 429;
		counted++;
		log_request(request, response, rc, &failure, info->attempts);

		switch (judge(request, rc, response->status, &failure)) {
		case VERDICT_DONE:
			return 0;
		case VERDICT_FAIL:
			return rc ? error_set(rc, "%s %s: %s", request->method,
					      url, failure.message)
				  : api_error_report(request->method, url,
						     response, NULL);
		case VERDICT_UNKNOWN:
			return report_unknown(request, url, response, rc,
					      &failure);
		case VERDICT_REFRESH:
			if (refreshed)
				return api_error_report(
					request->method, url, response,
					"; rejected again with a new token");
			refreshed = true;
			counted--;
			http_token_invalidate(client, generation);
			continue;
		case VERDICT_RETRY:
			break;
		}

		if (counted > client->config.retry_attempts)
			return give_up(client, request, url, response, rc,
				       &failure, info->attempts);
		rc = plan_retry(client, request, url, response, counted, &wait);
		if (rc)
			return rc;
		info->retries++;
		http_sleep_ms(wait);
	}
}

int http_client_send(struct http_client *client,
		     const struct http_request *request,
		     struct http_response *response,
		     struct api_call_info *info_out)
{
	struct api_call_info local, *info = info_out ? info_out : &local;
	long started = http_now_ms();
	char url[URL_MAX];
	int rc;

	memset(response, 0, sizeof(*response));
	memset(info, 0, sizeof(*info));
	if (request->path[0] != '/' ||
	    (size_t)snprintf(url, sizeof(url), "%s%s", client->config.api_url,
			     request->path) >= sizeof(url))
		return error_set(TRUNKCTL_EINVALID, "invalid request path "
				 "'%.200s'", request->path);

	rc = run_attempts(client, request, url, response, info);
	info->status = response->status;
	info->latency_ms = http_now_ms() - started;
	info->outcome_unknown = response->outcome_unknown;
	snprintf(info->correlation_id, sizeof(info->correlation_id), "%s",
		 response->correlation_id);
	http_metrics_record(client->metrics, request->method,
			    request->route ? request->route : request->path,
			    info, rc == 0);
	return rc;
}

int http_client_send_json(struct http_client *client,
			  const struct http_request *request, cJSON **json,
			  struct api_call_info *info)
{
	struct http_response response;
	char url[URL_MAX];
	int rc;

	*json = NULL;
	rc = http_client_send(client, request, &response, info);
	if (!rc && response.body_len) {
		snprintf(url, sizeof(url), "%s%s", client->config.api_url,
			 request->path);
		rc = http_json_parse(response.body, response.body_len,
				     request->method, url, json);
	}
	http_response_release(&response);
	return rc;
}

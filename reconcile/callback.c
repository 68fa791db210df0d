/* Callback bodies, their HMAC signatures, and their delivery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "model/error.h"
#include "reconcile/callback.h"
#include "reconcile/internal.h"

int callback_delivery_id_new(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return error_set(TRUNKCTL_ERROR, "RAND_bytes failed: no "
				 "randomness for a delivery id");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

static cJSON *pair(const char *k1, const char *v1, const char *k2,
		   const char *v2)
{
	cJSON *json = cJSON_CreateObject();

	if (json && json_add_text(json, k1, v1) && json_add_text(json, k2, v2))
		return json;
	cJSON_Delete(json);
	return NULL;
}

static cJSON *outcomes_to_json(const struct callback_event *event)
{
	cJSON *list = cJSON_CreateArray();
	cJSON *item;
	size_t i;

	for (i = 0; list && i < event->action_count; i++) {
		item = pair("action", event->actions[i].action, "outcome",
			    event->actions[i].outcome);
		if (!item || !cJSON_AddItemToArray(list, item)) {
			cJSON_Delete(item);
			cJSON_Delete(list);
			return NULL;
		}
	}
	return list;
}

int callback_body_build(const struct callback_event *event, char **body,
			char delivery_id[37])
{
	static const struct plan_source no_source = { NULL, NULL, NULL, NULL,
						      false };
	cJSON *json = cJSON_CreateObject();
	char time[32];
	bool ok;
	int rc = 0;

	*body = NULL;
	if (event->delivery_id)
		snprintf(delivery_id, 37, "%s", event->delivery_id);
	else
		rc = callback_delivery_id_new(delivery_id);
	if (rc == 0 && !json)
		rc = error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (rc < 0) {
		cJSON_Delete(json);
		return rc;
	}
	format_time_ms(event->time_ms ? event->time_ms : clock_now_ms(), time);
	ok = json_add_text(json, "event",
		      event->event ? event->event : "trunk.reconciled") &&
	     json_add_text(json, "deliveryId", delivery_id) &&
	     json_add_text(json, "timestamp", time) &&
	     json_add_text(json, "runId", event->run_id) &&
	     json_attach(json, "source", plan_source_to_json(
			     event->source ? event->source : &no_source)) &&
	     json_attach(json, "edge", pair("id", event->edge_id, "name",
				       event->edge_name)) &&
	     json_attach(json, "trunk", pair("name", event->trunk_name, "id",
					event->trunk_id)) &&
	     json_attach(json, "actions", outcomes_to_json(event));
	if (ok)
		*body = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	if (!*body)
		return error_set(TRUNKCTL_ENOMEM, "out of memory building a "
				 "callback body");
	return 0;
}

int callback_sign(const void *key, size_t key_len, const void *data,
		  size_t len, char hex[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0, i;

	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, mac, &mac_len) ||
	    mac_len != 32)
		return error_set(TRUNKCTL_ERROR, "HMAC-SHA256 failed");
	for (i = 0; i < mac_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

static bool host_is_loopback(const char *host)
{
	unsigned a, b, c, d;
	char extra;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4)
		return false;
	return a == 127 && b < 256 && c < 256 && d < 256;
}

int callback_check_url(const char *url)
{
	CURLU *handle = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = 0;

	if (!handle)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	if (curl_url_set(handle, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(handle, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = error_set(TRUNKCTL_EINVALID, "invalid callback URL '%s'",
			       url);
		goto done;
	}
	if (curl_url_get(handle, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		/* Not echoed: the URL carries a credential. */
		rc = error_set(TRUNKCTL_EINVALID,
			       "a callback URL must not contain a user name "
			       "or password; deliveries are authenticated by "
			       "the signature (TRUNKCTL_CALLBACK_SECRET)");
		goto done;
	}
	if (strcasecmp(scheme, "https") == 0)
		goto done;
	if (strcasecmp(scheme, "http") != 0 || !host_is_loopback(host))
		rc = error_set(TRUNKCTL_EINVALID,
			       "callback URL '%s' must use https (plain http "
			       "is accepted only for a loopback host)", url);

done:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(handle);
	return rc;
}

void callback_send_options_init(struct callback_send_options *options)
{
	memset(options, 0, sizeof(*options));
	options->attempts = 3;
	options->backoff_ms = 500;
	options->timeout_ms = 10000;
}

static size_t discard_body(char *data, size_t size, size_t count,
			   void *user)
{
	(void)data;
	(void)user;
	return size * count;
}

static struct curl_slist *
callback_headers(const struct callback_request *request)
{
	struct curl_slist *headers = NULL, *next;
	const char *body = request->body;
	char line[160], hex[65];

	next = curl_slist_append(NULL, "Content-Type: application/json");
	if (!next)
		return NULL;
	headers = next;
	if (request->delivery_id) {
		snprintf(line, sizeof(line), CALLBACK_DELIVERY_HEADER ": %.36s",
			 request->delivery_id);
		next = curl_slist_append(headers, line);
		if (!next)
			goto fail;
	}
	if (request->key) {
		if (callback_sign(request->key, request->key_len, body,
				  strlen(body), hex) < 0)
			goto fail;
		snprintf(line, sizeof(line),
			 CALLBACK_SIGNATURE_HEADER ": sha256=%s", hex);
		next = curl_slist_append(headers, line);
		if (!next)
			goto fail;
	}
	/* No "Expect: 100-continue" round trip for small bodies. */
	next = curl_slist_append(headers, "Expect:");
	if (next)
		return headers;
fail:
	curl_slist_free_all(headers);
	return NULL;
}

static CURL *new_handle(const struct callback_request *request,
			const struct callback_send_options *options,
			struct curl_slist *headers, char *error_buffer)
{
	CURL *curl = curl_easy_init();

	if (!curl)
		return NULL;
	curl_easy_setopt(curl, CURLOPT_URL, request->url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "trunkctl-callback");
	if (options->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, options->cacert);
	return curl;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0)
		;
}

/* One try: 0 on 2xx, 1 when another try may succeed, <0 when not. */
static int try_once(CURL *curl, struct callback_result *result,
		    const char *error_buffer)
{
	CURLcode code;
	long status = 0;

	result->attempts++;
	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		snprintf(result->error, sizeof(result->error), "%s",
			 error_buffer[0] ? error_buffer
					 : curl_easy_strerror(code));
		return 1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	result->http_status = (int)status;
	if (status >= 200 && status < 300) {
		result->error[0] = '\0';
		return 0;
	}
	snprintf(result->error, sizeof(result->error), "HTTP status %ld%s",
		 status, status >= 300 && status < 400
				 ? " (redirects are not followed)"
				 : "");
	return status == 429 || status >= 500 ? 1 : TRUNKCTL_EHTTP;
}

int callback_send(const struct callback_request *request,
		  const struct callback_send_options *options,
		  struct callback_result *result)
{
	struct callback_send_options defaults;
	char error_buffer[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	long long start = clock_now_ms();
	long backoff;
	CURL *curl = NULL;
	int rc;

	memset(result, 0, sizeof(*result));
	if (!options) {
		callback_send_options_init(&defaults);
		options = &defaults;
	}
	rc = callback_check_url(request->url);
	if (rc < 0)
		return rc;
	headers = callback_headers(request);
	curl = headers ? new_handle(request, options, headers, error_buffer)
		       : NULL;
	if (!curl) {
		rc = error_set(TRUNKCTL_ENOMEM, "cannot set up a callback "
			       "request");
		goto done;
	}
	backoff = options->backoff_ms;
	for (;;) {
		error_buffer[0] = '\0';
		rc = try_once(curl, result, error_buffer);
		if (rc <= 0 || result->attempts >= options->attempts)
			break;
		pause_ms(backoff);
		backoff *= 2;
	}
	if (rc != 0)
		rc = error_set(result->http_status ? TRUNKCTL_EHTTP
						   : TRUNKCTL_EIO,
			       "callback to '%s' failed after %d attempts: %s",
			       request->url, result->attempts, result->error);

done:
	result->latency_ms = (long)(clock_now_ms() - start);
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	return rc;
}

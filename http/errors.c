#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/errors.h"
#include "model/error.h"

static void copy_string(char *out, size_t size, const cJSON *item)
{
	if (cJSON_IsString(item) && item->valuestring)
		snprintf(out, size, "%s", item->valuestring);
}

/* Copies `len` bytes of `text` with control bytes replaced by spaces. */
static void copy_printable(char *out, size_t size, const char *text,
			   size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		out[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
	out[len] = '\0';
}

static void append_detail(char *out, size_t size, const char *text)
{
	size_t used = strlen(out);

	if (!text || !*text || used + 3 >= size || strstr(out, text))
		return;
	snprintf(out + used, size - used, "%s%s", used ? "; " : "", text);
}

/* Collects the messages of details[] or errors[] entries. */
static void collect_details(const cJSON *list, char *out, size_t size)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, list) {
		const cJSON *message;

		if (cJSON_IsString(entry)) {
			append_detail(out, size, entry->valuestring);
			continue;
		}
		message = cJSON_GetObjectItemCaseSensitive(entry, "message");
		if (!cJSON_IsString(message))
			message = cJSON_GetObjectItemCaseSensitive(
				entry, "errorMessage");
		if (cJSON_IsString(message))
			append_detail(out, size, message->valuestring);
	}
}

void api_error_parse(const struct http_response *response,
		     struct api_error *error)
{
	const char *end = NULL;
	cJSON *body = NULL;

	memset(error, 0, sizeof(*error));
	error->status = response->status;
	snprintf(error->correlation_id, sizeof(error->correlation_id), "%s",
		 response->correlation_id);
	if (response->body && response->body_len)
		body = cJSON_ParseWithOpts(response->body, &end, 1);

	if (!cJSON_IsObject(body)) {
		if (response->body)
			copy_printable(error->message, sizeof(error->message),
				       response->body, response->body_len);
		cJSON_Delete(body);
		return;
	}
	copy_string(error->code, sizeof(error->code),
		    cJSON_GetObjectItemCaseSensitive(body, "code"));
	copy_string(error->message, sizeof(error->message),
		    cJSON_GetObjectItemCaseSensitive(body, "message"));
	/* The OAuth server uses the RFC 6749 error form instead. */
	if (!*error->code)
		copy_string(error->code, sizeof(error->code),
			    cJSON_GetObjectItemCaseSensitive(body, "error"));
	if (!*error->message)
		copy_string(error->message, sizeof(error->message),
			    cJSON_GetObjectItemCaseSensitive(
				    body, "error_description"));
	copy_string(error->context_id, sizeof(error->context_id),
		    cJSON_GetObjectItemCaseSensitive(body, "contextId"));
	collect_details(cJSON_GetObjectItemCaseSensitive(body, "details"),
			error->details, sizeof(error->details));
	collect_details(cJSON_GetObjectItemCaseSensitive(body, "errors"),
			error->details, sizeof(error->details));
	cJSON_Delete(body);
}

static bool contains_ignoring_case(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (; *text; text++)
		if (strncasecmp(text, word, len) == 0)
			return true;
	return false;
}

bool api_error_is_version_conflict(const struct api_error *error)
{
	if (error->status == 409)
		return true;
	return error->status == 400 &&
	       (contains_ignoring_case(error->message, "version") ||
		contains_ignoring_case(error->code, "version"));
}

int api_error_code(const struct api_error *error)
{
	switch (error->status) {
	case 401:
	case 403:
		return TRUNKCTL_EAUTH;
	case 404:
		return TRUNKCTL_ENOTFOUND;
	case 409:
		return TRUNKCTL_ECONFLICT;
	case 400:
		return api_error_is_version_conflict(error) ? TRUNKCTL_ECONFLICT
							    : TRUNKCTL_EINVALID;
	default:
		return TRUNKCTL_EHTTP;
	}
}

int api_error_report(const char *method, const char *url,
		     const struct http_response *response, const char *note)
{
	struct api_error error;
	char ids[300] = "";

	api_error_parse(response, &error);
	/* The platform often sends the same value as both ids: print it
	 * once. */
	if (*error.context_id &&
	    strcmp(error.context_id, error.correlation_id) == 0)
		error.context_id[0] = '\0';
	if (*error.correlation_id || *error.context_id)
		snprintf(ids, sizeof(ids), "; correlation id %s%s%s",
			 *error.correlation_id ? error.correlation_id : "none",
			 *error.context_id ? ", context id " : "",
			 error.context_id);

	return error_set(api_error_code(&error),
			 "%s %s: status %ld%s%s%s: %s%s%s%s%s%s", method, url,
			 error.status, *error.code ? " (" : "", error.code,
			 *error.code ? ")" : "",
			 *error.message ? error.message : "no message",
			 *error.details ? " (" : "", error.details,
			 *error.details ? ")" : "", ids, note ? note : "");
}

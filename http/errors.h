#ifndef TRUNKCTL_HTTP_ERRORS_H
#define TRUNKCTL_HTTP_ERRORS_H

/*
 * The platform's error body, {message, code, status, contextId,
 * details[], errors[]}, and its mapping to trunkctl's error codes.
 */

#include <stdbool.h>

#include "http/client.h"

struct api_error {
	long status;
	char code[96];            /* e.g. "not.found", or "" */
	char message[512];        /* the server's message, or "" */
	char details[512];        /* messages of details[] and errors[] */
	char context_id[128];
	char correlation_id[128];
};

/*
 * Fills `error` from a response. A body that is not JSON, or JSON of
 * another shape, leaves `code` empty and puts the start of the body,
 * made printable, in `message`.
 */
void api_error_parse(const struct http_response *response,
		     struct api_error *error);

/*
 * True for a version conflict: a 409, or a 400 whose message or code
 * mentions the version (the platform sends both).
 */
bool api_error_is_version_conflict(const struct api_error *error);

/*
 * Returns the trunkctl code for an error status: 401 and 403
 * TRUNKCTL_EAUTH, 404 TRUNKCTL_ENOTFOUND, 409 and version conflicts
 * TRUNKCTL_ECONFLICT, other 400s TRUNKCTL_EINVALID, else TRUNKCTL_EHTTP.
 */
int api_error_code(const struct api_error *error);

/*
 * Records the message for a failed response, "METHOD URL: status N
 * (code): message (details); correlation id C, context id X", with
 * `note` appended when not NULL, and returns api_error_code().
 */
int api_error_report(const char *method, const char *url,
		     const struct http_response *response, const char *note);

#endif

/*
 * Building responses: JSON bodies, the contract's error body, request
 * arguments and the listing envelope.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "tests/sim/trunksim.h"

const char *request_arg(struct request *req, const char *key)
{
	return MHD_lookup_connection_value(req->connection,
					   MHD_GET_ARGUMENT_KIND, key);
}

/* Prints and frees `json` as the answer's body. */
void reply_json(struct reply *rep, unsigned int status, cJSON *json)
{
	free(rep->body);
	rep->status = status;
	rep->body = json ? cJSON_PrintUnformatted(json) : NULL;
	cJSON_Delete(json);
}

static cJSON *error_body(struct request *req, unsigned int status,
			 const char *code, const char *message)
{
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddStringToObject(obj, "message", message);
	cJSON_AddStringToObject(obj, "code", code);
	cJSON_AddNumberToObject(obj, "status", status);
	cJSON_AddStringToObject(obj, "contextId", req->correlation_id);
	cJSON_AddArrayToObject(obj, "details");
	cJSON_AddArrayToObject(obj, "errors");
	return obj;
}

void reply_error(struct request *req, struct reply *rep, unsigned int status,
		 const char *code, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	reply_json(rep, status, error_body(req, status, code, message));
}

/* An error from payload validation; `details` names the field. */
void reply_field_error(struct request *req, struct reply *rep,
		       const struct field_error *err)
{
	cJSON *obj = error_body(req, (unsigned int)err->status, err->code,
				err->message);
	cJSON *detail;

	if (err->field) {
		detail = cJSON_CreateObject();
		cJSON_AddStringToObject(detail, "fieldName", err->field);
		cJSON_AddStringToObject(detail, "errorCode", err->code);
		cJSON_AddStringToObject(detail, "message", err->message);
		cJSON_AddItemToArray(cJSON_GetObjectItem(obj, "details"),
				     detail);
	}
	reply_json(rep, (unsigned int)err->status, obj);
}

/* Parses the request body; on failure sets a 400 response, returns NULL. */
cJSON *request_json(struct request *req, struct reply *rep)
{
	const char *end = NULL;
	cJSON *json;

	if (!req->body || req->body_len == 0) {
		reply_error(req, rep, 400, "bad.request",
			    "the request body is empty; expected JSON");
		return NULL;
	}
	if (strlen(req->body) != req->body_len) {
		reply_error(req, rep, 400, "bad.request",
			    "the request body contains a NUL byte");
		return NULL;
	}
	json = cJSON_ParseWithOpts(req->body, &end, 1);
	if (!json)
		reply_error(req, rep, 400, "bad.request",
			    "malformed JSON near byte %ld",
			    end ? (long)(end - req->body) : 0L);
	return json;
}

/* Reads pageSize and pageNumber, setting a 400 response when invalid. */
bool page_args(struct request *req, struct reply *rep, long *page_size,
	       long *page_number)
{
	const char *size = request_arg(req, "pageSize");
	const char *number = request_arg(req, "pageNumber");

	*page_size = PAGE_SIZE_DEFAULT;
	*page_number = 1;
	if (size && !parse_long(size, 1, PAGE_SIZE_MAX, page_size)) {
		reply_error(req, rep, 400, "bad.request",
			    "invalid pageSize '%s': expected 1 to %d", size,
			    PAGE_SIZE_MAX);
		return false;
	}
	if (number && !parse_long(number, 1, 1000000000L, page_number)) {
		reply_error(req, rep, 400, "bad.request",
			    "invalid pageNumber '%s': expected 1 or more",
			    number);
		return false;
	}
	if (req->srv->cfg.max_page_size > 0 &&
	    *page_size > req->srv->cfg.max_page_size)
		*page_size = req->srv->cfg.max_page_size;
	return true;
}

static void add_uri(struct request *req, cJSON *obj, const char *key,
		    long page_size, long page_number, const char *extra)
{
	char *uri = text_printf("%s?pageSize=%ld&pageNumber=%ld%s", req->url,
				page_size, page_number, extra);

	cJSON_AddStringToObject(obj, key, uri);
	free(uri);
}

/*
 * The listing envelope with an empty "entities" array for the caller to
 * fill. The endless fault adds a nextUri and raises pageCount on every
 * page.
 */
cJSON *listing_new(struct request *req, long total, long page_size,
		   long page_number, const char *extra)
{
	cJSON *obj = cJSON_CreateObject();
	long page_count = (total + page_size - 1) / page_size;
	long last = page_count > 0 ? page_count : 1;

	if (req->endless && page_count <= page_number)
		page_count = page_number + 1;
	cJSON_AddArrayToObject(obj, "entities");
	cJSON_AddNumberToObject(obj, "pageSize", page_size);
	cJSON_AddNumberToObject(obj, "pageNumber", page_number);
	cJSON_AddNumberToObject(obj, "total", total);
	cJSON_AddNumberToObject(obj, "pageCount", page_count);
	add_uri(req, obj, "selfUri", page_size, page_number, extra);
	add_uri(req, obj, "firstUri", page_size, 1, extra);
	if (req->endless)
		last = page_count;
	add_uri(req, obj, "lastUri", page_size, last, extra);
	if (page_number < page_count)
		add_uri(req, obj, "nextUri", page_size, page_number + 1, extra);
	if (page_number > 1)
		add_uri(req, obj, "previousUri", page_size, page_number - 1,
			extra);
	return obj;
}

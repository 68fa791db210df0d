/*
 * Decoding and validation of the trunk payload, as the service does it:
 * a missing required field is 400 bad.request, a value of the wrong type
 * or out of range is 400 invalid.value naming the field. Fields the
 * payload does not manage (id, version, status, selfUri...) are ignored,
 * so a client may send back what it read.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/sim/trunksim.h"

#define NAME_MAX_BYTES 255
#define DEFAULT_MAX_CALLS 100

static const char *const codec_names[CODEC_COUNT] = {"PCMU", "PCMA", "G729",
						     "G722"};
static const char *const status_names[] = {"PENDING", "ENABLED", "DISABLED",
					   "FAILED"};

const char *codec_name(enum codec codec)
{
	return codec_names[codec];
}

const char *status_name(enum trunk_status status)
{
	return status_names[status];
}

int status_parse(const char *text, enum trunk_status *out)
{
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, status_names[i]) == 0) {
			*out = (enum trunk_status)i;
			return 0;
		}
	}
	return -1;
}

/* The defaults of a seeded trunk; a payload must give the rest. */
void trunk_fields_init(struct trunk_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->codecs[0] = CODEC_PCMU;
	f->codecs[1] = CODEC_PCMA;
	f->codec_count = 2;
	f->max_calls = DEFAULT_MAX_CALLS;
	f->keepalive_interval = 30;
	f->invite_timeout = 15;
	f->rtp_timeout = 30;
}

static void endpoints_free(char **endpoints, size_t count)
{
	if (!endpoints)
		return;
	for (size_t i = 0; i < count; i++)
		free(endpoints[i]);
	free(endpoints);
}

void trunk_fields_release(struct trunk_fields *f)
{
	free(f->name);
	free(f->description);
	endpoints_free(f->endpoints, f->endpoint_count);
	memset(f, 0, sizeof(*f));
}

int trunk_fields_copy(struct trunk_fields *dst, const struct trunk_fields *src)
{
	*dst = *src;
	dst->name = text_dup(src->name);
	dst->description = text_dup(src->description);
	dst->endpoints = calloc(src->endpoint_count + 1, sizeof(char *));
	for (size_t i = 0; dst->endpoints && i < src->endpoint_count; i++)
		dst->endpoints[i] = text_dup(src->endpoints[i]);
	if (!dst->name || !dst->description || !dst->endpoints)
		return -1;
	return 0;
}

static int fail(struct field_error *err, const char *code, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct field_error *err, const char *code, const char *field,
		const char *fmt, ...)
{
	va_list ap;

	err->status = 400;
	err->code = code;
	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Returns 1 when `key` is present, 0 when absent or null. */
static int present(const cJSON *json, const char *key, bool required,
		   struct field_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);

	if (item && !cJSON_IsNull(item))
		return 1;
	if (required)
		return fail(err, "bad.request", key,
			    "missing required field '%s'", key);
	return 0;
}

static int decode_int(const cJSON *json, const char *key, int min, int max,
		      int *out, struct field_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
	double value;

	if (!cJSON_IsNumber(item))
		return fail(err, "invalid.value", key,
			    "field '%s' must be a number", key);
	value = item->valuedouble;
	if (value != floor(value) || value < min || value > max)
		return fail(err, "invalid.value", key,
			    "field '%s' must be an integer from %d to %d",
			    key, min, max);
	*out = (int)value;
	return 0;
}

static int decode_text(const cJSON *json, const char *key, size_t min,
		       size_t max, char **out, struct field_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
	size_t len;

	if (!cJSON_IsString(item))
		return fail(err, "invalid.value", key,
			    "field '%s' must be a string", key);
	len = strlen(item->valuestring);
	if (len < min || len > max)
		return fail(err, "invalid.value", key,
			    "field '%s' must be %zu to %zu bytes long", key,
			    min, max);
	free(*out);
	*out = strdup(item->valuestring);
	return *out ? 0 : fail(err, "bad.request", key, "out of memory");
}

static int decode_codecs(const cJSON *json, struct trunk_fields *f,
			 struct field_error *err)
{
	const cJSON *array = cJSON_GetObjectItemCaseSensitive(json, "codecs");
	const cJSON *item;
	unsigned seen = 0;
	size_t count = 0;

	if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) < 1)
		return fail(err, "invalid.value", "codecs",
			    "field 'codecs' must be a non-empty array");
	cJSON_ArrayForEach(item, array)
	{
		int codec = -1;

		for (int i = 0; cJSON_IsString(item) && i < CODEC_COUNT; i++) {
			if (strcasecmp(item->valuestring, codec_names[i]) == 0)
				codec = i;
		}
		if (codec < 0 || (seen & (1U << codec)) || count >= CODEC_COUNT)
			return fail(err, "invalid.value", "codecs",
				    "codecs must be distinct values of PCMU, "
				    "PCMA, G729, G722");
		seen |= 1U << codec;
		f->codecs[count++] = (unsigned char)codec;
	}
	f->codec_count = count;
	return 0;
}

static bool hostname_valid(const char *host, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = host[i];

		if (c == '.') {
			if (label == 0 || host[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && host[len - 1] != '-';
}

/* Checks a SIP endpoint: IPv4:port, [IPv6]:port or hostname:port. */
bool endpoint_valid(const char *text)
{
	const char *colon = strrchr(text, ':');
	char host[256];
	size_t len;
	long port;
	unsigned char address[16];

	if (!colon || !parse_long(colon + 1, 1, 65535, &port))
		return false;
	len = (size_t)(colon - text);
	if (len == 0 || len >= sizeof(host))
		return false;
	memcpy(host, text, len);
	host[len] = '\0';
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']')
			return false;
		host[len - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, address) == 1;
	}
	if (strspn(host, "0123456789.") == len)
		return inet_pton(AF_INET, host, address) == 1;
	return hostname_valid(host, len);
}

static int decode_endpoints(const cJSON *json, bool allow_empty,
			    struct trunk_fields *f, struct field_error *err)
{
	const cJSON *array = cJSON_GetObjectItemCaseSensitive(json,
							      "sipEndpoints");
	int size = cJSON_GetArraySize(array);
	char **endpoints;
	size_t count = 0;

	if (!cJSON_IsArray(array) || (size < 1 && !allow_empty))
		return fail(err, "invalid.value", "sipEndpoints",
			    "field 'sipEndpoints' must be a non-empty array");
	endpoints = calloc((size_t)size + 1, sizeof(char *));
	if (!endpoints)
		return fail(err, "bad.request", NULL, "out of memory");
	for (const cJSON *item = array->child; item; item = item->next) {
		const char *text = cJSON_GetStringValue(item);
		bool repeated = false;

		for (size_t i = 0; text && i < count; i++)
			repeated |= strcasecmp(endpoints[i], text) == 0;
		if (!text || repeated || !endpoint_valid(text)) {
			endpoints_free(endpoints, count);
			return fail(err, "invalid.value", "sipEndpoints",
				    "invalid SIP endpoint '%s': expected "
				    "distinct host:port values, port 1-65535",
				    text ? text : "(not a string)");
		}
		endpoints[count++] = strdup(text);
	}
	endpoints_free(f->endpoints, f->endpoint_count);
	f->endpoints = endpoints;
	f->endpoint_count = count;
	return 0;
}

static int decode_enum(const cJSON *json, const char *key, const char *yes,
		       const char *no, bool *out, struct field_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
	const char *text = cJSON_GetStringValue(item);

	if (text && strcmp(text, yes) == 0)
		*out = true;
	else if (text && strcmp(text, no) == 0)
		*out = false;
	else
		return fail(err, "invalid.value", key,
			    "field '%s' must be \"%s\" or \"%s\"", key, yes,
			    no);
	return 0;
}

struct int_field {
	const char *key;
	size_t offset;
	int min;
	int max;
};

static const struct int_field int_fields[] = {
	{"maxConcurrentCalls", offsetof(struct trunk_fields, max_calls), 1,
	 1000},
	{"keepAliveInterval",
	 offsetof(struct trunk_fields, keepalive_interval), 1, 3600},
	{"sipInviteTimeout", offsetof(struct trunk_fields, invite_timeout), 1,
	 3600},
	{"rtpTimeout", offsetof(struct trunk_fields, rtp_timeout), 1, 3600},
};

static int decode_ints(const cJSON *json, enum fields_mode mode,
		       struct trunk_fields *f, struct field_error *err)
{
	for (size_t i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]);
	     i++) {
		const struct int_field *spec = &int_fields[i];
		bool required = mode == FIELDS_PAYLOAD && i == 0;
		int *out = (int *)((char *)f + spec->offset);
		int has = present(json, spec->key, required, err);

		if (has < 0)
			return -1;
		if (has && decode_int(json, spec->key, spec->min, spec->max,
				      out, err) < 0)
			return -1;
	}
	return 0;
}

static int decode_strings(const cJSON *json, enum fields_mode mode,
			  struct trunk_fields *f, struct field_error *err)
{
	int has = present(json, "name", mode != FIELDS_MERGE, err);

	if (has < 0)
		return -1;
	if (has && decode_text(json, "name", 1, NAME_MAX_BYTES, &f->name,
			       err) < 0)
		return -1;
	has = present(json, "description", false, err);
	if (has && decode_text(json, "description", 0, 65535,
			       &f->description, err) < 0)
		return -1;
	if (!f->description)
		f->description = strdup("");
	return f->description ? 0 : fail(err, "bad.request", NULL, "no memory");
}

/*
 * Decodes the payload fields of `json` into `f`, which contains the defaults
 * (or, for FIELDS_MERGE, the current values). On failure `err` gives the reason
 * and `f` may be partly changed.
 */
int trunk_fields_decode(const cJSON *json, enum fields_mode mode,
			struct trunk_fields *f, struct field_error *err)
{
	int has;

	if (!cJSON_IsObject(json))
		return fail(err, "bad.request", NULL,
			    "the trunk must be a JSON object");
	if (decode_strings(json, mode, f, err) < 0)
		return -1;
	if (decode_ints(json, mode, f, err) < 0)
		return -1;
	if (present(json, "codecs", false, err) &&
	    decode_codecs(json, f, err) < 0)
		return -1;
	has = present(json, "sipEndpoints", mode == FIELDS_PAYLOAD, err);
	if (has < 0 || (has && decode_endpoints(json, mode != FIELDS_PAYLOAD,
						f, err) < 0))
		return -1;
	if (present(json, "natTraversal", false, err) &&
	    decode_enum(json, "natTraversal", "ENABLED", "DISABLED",
			&f->nat_traversal, err) < 0)
		return -1;
	if (present(json, "keepAliveProtocol", false, err) &&
	    decode_enum(json, "keepAliveProtocol", "OPTIONS", "SIP",
			&f->keepalive_options, err) < 0)
		return -1;
	return 0;
}

/* Adds the payload fields to `obj` in the contract's order. */
void trunk_fields_to_json(const struct trunk_fields *f, cJSON *obj)
{
	cJSON *codecs = cJSON_CreateArray();
	cJSON *endpoints = cJSON_CreateArray();

	for (size_t i = 0; i < f->codec_count; i++) {
		const char *name = codec_names[f->codecs[i]];

		cJSON_AddItemToArray(codecs, cJSON_CreateString(name));
	}
	for (size_t i = 0; i < f->endpoint_count; i++)
		cJSON_AddItemToArray(endpoints,
				     cJSON_CreateString(f->endpoints[i]));
	cJSON_AddStringToObject(obj, "name", f->name);
	cJSON_AddStringToObject(obj, "description", f->description);
	cJSON_AddNumberToObject(obj, "maxConcurrentCalls", f->max_calls);
	cJSON_AddItemToObject(obj, "codecs", codecs);
	cJSON_AddItemToObject(obj, "sipEndpoints", endpoints);
	cJSON_AddStringToObject(obj, "natTraversal",
				f->nat_traversal ? "ENABLED" : "DISABLED");
	cJSON_AddNumberToObject(obj, "keepAliveInterval",
				f->keepalive_interval);
	cJSON_AddStringToObject(obj, "keepAliveProtocol",
				f->keepalive_options ? "OPTIONS" : "SIP");
	cJSON_AddNumberToObject(obj, "sipInviteTimeout", f->invite_timeout);
	cJSON_AddNumberToObject(obj, "rtpTimeout", f->rtp_timeout);
}

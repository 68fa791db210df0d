/*
 * The canonical payload JSON of a trunk, written directly rather than
 * built as a cJSON tree and printed, because plan fingerprints render it
 * for every live trunk and the tree cost about 27,000 instructions a
 * trunk (callgrind). The output is byte for byte what
 * cJSON_PrintUnformatted (cJSON 1.7.15) prints for
 * trunk_spec_to_payload(spec, 0), and unit_trunk_canonical compares them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"
#include "model/trunk.h"

struct text {
	char *data;
	size_t length;
	size_t size;
	bool failed;
};

static void put(struct text *t, const char *bytes, size_t n)
{
	if (t->failed)
		return;
	if (t->length + n + 1 > t->size) {
		size_t size = t->size ? t->size : 512;
		char *data;

		while (t->length + n + 1 > size)
			size *= 2;
		data = realloc(t->data, size);
		if (!data) {
			t->failed = true;
			return;
		}
		t->data = data;
		t->size = size;
	}
	memcpy(t->data + t->length, bytes, n);
	t->length += n;
	t->data[t->length] = '\0';
}

static void put_text(struct text *t, const char *text)
{
	put(t, text, strlen(text));
}

/* Returns the two-character escape of `c`, or NULL when it has none. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	return NULL;
}

/* Writes a JSON string, escaped as cJSON escapes it: the short escapes,
 * \u00XX for other bytes below 0x20, and every other byte (UTF-8
 * included) as it is. NULL is written as "". */
static void put_string(struct text *t, const char *value)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");
	char escape[16];

	put(t, "\"", 1);
	while (*p) {
		const unsigned char *run = p;
		const char *short_form;

		while (*p > 31 && *p != '"' && *p != '\\')
			p++;
		put(t, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		short_form = short_escape(*p);
		if (!short_form) {
			snprintf(escape, sizeof(escape), "\\u%04x", *p);
			short_form = escape;
		}
		put_text(t, short_form);
		p++;
	}
	put(t, "\"", 1);
}

static void put_key(struct text *t, const char *key, bool first)
{
	if (!first)
		put(t, ",", 1);
	put_string(t, key);
	put(t, ":", 1);
}

/* Writes `value` in decimal as "%d" does, without snprintf's cost. */
static void put_int(struct text *t, const char *key, int value)
{
	char number[16];
	char *end = number + sizeof(number), *p = end;
	unsigned int magnitude = value < 0 ? 0u - (unsigned int)value
					   : (unsigned int)value;

	put_key(t, key, false);
	do {
		*--p = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0)
		*--p = '-';
	put(t, p, (size_t)(end - p));
}

static void put_strings(struct text *t, const char *key,
			char *const *items, size_t count)
{
	size_t i;

	put_key(t, key, false);
	put(t, "[", 1);
	for (i = 0; i < count; i++) {
		if (i)
			put(t, ",", 1);
		put_string(t, items[i]);
	}
	put(t, "]", 1);
}

static void put_spec(struct text *t, const struct trunk_spec *spec)
{
	put(t, "{", 1);
	put_key(t, "name", true);
	put_string(t, spec->name);
	put_key(t, "description", false);
	put_string(t, spec->description);
	put_int(t, "maxConcurrentCalls", spec->max_concurrent_calls);
	put_strings(t, "codecs", spec->codecs, spec->codec_count);
	put_strings(t, "sipEndpoints", spec->sip_endpoints,
		    spec->sip_endpoint_count);
	put_key(t, "natTraversal", false);
	put_string(t, spec->nat_traversal ? "ENABLED" : "DISABLED");
	put_int(t, "keepAliveInterval", spec->keepalive_interval);
	put_key(t, "keepAliveProtocol", false);
	put_string(t, keepalive_protocol_name(spec->keepalive_protocol));
	put_int(t, "sipInviteTimeout", spec->sip_invite_timeout);
	put_int(t, "rtpTimeout", spec->rtp_timeout);
	put(t, "}", 1);
}

char *trunk_spec_canonical_json(const struct trunk_spec *spec)
{
	struct text t = { 0 };

	put_spec(&t, spec);
	if (t.failed) {
		free(t.data);
		error_set(TRUNKCTL_ENOMEM, "out of memory");
		return NULL;
	}
	return t.data;
}

int trunk_spec_canonical_append(const struct trunk_spec *spec, char **data,
				size_t *length, size_t *size)
{
	struct text t = { *data, *length, *size, false };

	put_spec(&t, spec);
	*data = t.data;
	*size = t.size;
	if (t.failed)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	*length = t.length;
	return 0;
}

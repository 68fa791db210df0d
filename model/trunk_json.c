/* Decoding of the API's Trunk entity into struct live_trunk. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/trunk.h"
#include "model/trunk_member.h"

static int invalid(const char *field, const char *expected)
{
	return error_set(TRUNKCTL_EINVALID,
			 "invalid trunk: field '%s' is not %s", field,
			 expected);
}

static int get_string(const cJSON *item, const char *field, bool required,
		      char **out)
{
	*out = NULL;
	if (!item || cJSON_IsNull(item))
		return required ? error_set(TRUNKCTL_EINVALID,
					    "invalid trunk: field '%s' is "
					    "missing", field)
				: 0;
	if (!cJSON_IsString(item))
		return invalid(field, "a string");
	*out = strdup(item->valuestring);
	return *out ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static int get_long(const cJSON *item, const char *field, long min,
		    long max, long *out)
{
	double value;

	if (!item || cJSON_IsNull(item))
		return 0; /* keep the default already in *out */
	if (!cJSON_IsNumber(item))
		return invalid(field, "a number");
	value = item->valuedouble;
	if (value != floor(value) || value < (double)min ||
	    value > (double)max)
		return invalid(field, "an integer in range");
	*out = (long)value;
	return 0;
}

static int get_int(const cJSON *item, const char *field, int *out)
{
	long value = *out;
	int rc = get_long(item, field, -2147483647L, 2147483647L, &value);

	*out = (int)value;
	return rc;
}

static int get_strings(const cJSON *item, const char *field, bool upper,
		       char ***out, size_t *count)
{
	const cJSON *element;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	if (!item || cJSON_IsNull(item))
		return 0;
	if (!cJSON_IsArray(item))
		return invalid(field, "a list");
	*out = calloc((size_t)cJSON_GetArraySize(item) + 1, sizeof(char *));
	if (!*out)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	cJSON_ArrayForEach(element, item) {
		char *p;

		if (!cJSON_IsString(element))
			return invalid(field, "a list of strings");
		(*out)[n] = strdup(element->valuestring);
		if (!(*out)[n])
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		for (p = (*out)[n]; upper && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		*count = ++n;
	}
	return 0;
}

static int get_nat_traversal(const cJSON *item, bool *out)
{
	if (!item || cJSON_IsNull(item))
		return 0;
	if (cJSON_IsBool(item)) {
		*out = cJSON_IsTrue(item);
		return 0;
	}
	if (cJSON_IsString(item) &&
	    strcasecmp(item->valuestring, "ENABLED") == 0) {
		*out = true;
		return 0;
	}
	if (cJSON_IsString(item) &&
	    strcasecmp(item->valuestring, "DISABLED") == 0) {
		*out = false;
		return 0;
	}
	return invalid("natTraversal", "ENABLED or DISABLED");
}

static int get_keepalive_protocol(const cJSON *item,
				  enum keepalive_protocol *out)
{
	if (!item || cJSON_IsNull(item))
		return 0;
	if (cJSON_IsString(item) && strcasecmp(item->valuestring, "SIP") == 0)
		*out = KEEPALIVE_SIP;
	else if (cJSON_IsString(item) &&
		 strcasecmp(item->valuestring, "OPTIONS") == 0)
		*out = KEEPALIVE_OPTIONS;
	else
		return invalid("keepAliveProtocol", "SIP or OPTIONS");
	return 0;
}

#define NAME(text) { text, sizeof(text) - 1 }

const struct trunk_member_name trunk_member_names[TRUNK_MEMBER_COUNT] = {
	NAME("id"), NAME("name"), NAME("description"),
	NAME("maxConcurrentCalls"), NAME("codecs"), NAME("sipEndpoints"),
	NAME("natTraversal"), NAME("keepAliveInterval"),
	NAME("keepAliveProtocol"), NAME("sipInviteTimeout"),
	NAME("rtpTimeout"), NAME("version"), NAME("status"), NAME("state"),
	NAME("edge"),
};

/*
 * Sets members[m] to the first member of `json` named
 * trunk_member_names[m],
 * as cJSON_GetObjectItemCaseSensitive() would find it. One pass over the
 * object replaces a lookup, itself a pass, for each of the 15 members.
 */
static void gather(const cJSON *json, const cJSON *members[TRUNK_MEMBER_COUNT])
{
	const cJSON *item;
	int m;

	memset(members, 0, TRUNK_MEMBER_COUNT * sizeof(*members));
	cJSON_ArrayForEach(item, json) {
		if (!item->string)
			continue;
		for (m = 0; m < TRUNK_MEMBER_COUNT; m++)
			if (!members[m] &&
			    item->string[0] == trunk_member_names[m].text[0] &&
			    strcmp(item->string,
				   trunk_member_names[m].text) == 0) {
				members[m] = item;
				break;
			}
	}
}

static int decode_spec(const cJSON *const *m, struct trunk_spec *spec)
{
	int rc;

	if ((rc = get_string(m[TRUNK_MEMBER_NAME], "name", true,
			     &spec->name)) < 0 ||
	    (rc = get_string(m[TRUNK_MEMBER_DESCRIPTION], "description", false,
			     &spec->description)) < 0 ||
	    (rc = get_int(m[TRUNK_MEMBER_MAX_CALLS], "maxConcurrentCalls",
			  &spec->max_concurrent_calls)) < 0 ||
	    (rc = get_strings(m[TRUNK_MEMBER_CODECS], "codecs", true,
			      &spec->codecs, &spec->codec_count)) < 0 ||
	    (rc = get_strings(m[TRUNK_MEMBER_SIP_ENDPOINTS], "sipEndpoints",
			      false, &spec->sip_endpoints,
			      &spec->sip_endpoint_count)) < 0 ||
	    (rc = get_nat_traversal(m[TRUNK_MEMBER_NAT_TRAVERSAL],
				    &spec->nat_traversal)) < 0 ||
	    (rc = get_int(m[TRUNK_MEMBER_KEEPALIVE_INTERVAL],
			  "keepAliveInterval",
			  &spec->keepalive_interval)) < 0 ||
	    (rc = get_keepalive_protocol(m[TRUNK_MEMBER_KEEPALIVE_PROTOCOL],
					 &spec->keepalive_protocol)) < 0 ||
	    (rc = get_int(m[TRUNK_MEMBER_INVITE_TIMEOUT], "sipInviteTimeout",
			  &spec->sip_invite_timeout)) < 0 ||
	    (rc = get_int(m[TRUNK_MEMBER_RTP_TIMEOUT], "rtpTimeout",
			  &spec->rtp_timeout)) < 0)
		return rc;
	return 0;
}

static int decode_state(const cJSON *const *m, struct live_trunk *out)
{
	const cJSON *status = m[TRUNK_MEMBER_STATUS];
	const cJSON *state = m[TRUNK_MEMBER_STATE];
	const cJSON *edge = m[TRUNK_MEMBER_EDGE];

	out->status = TRUNK_STATUS_UNKNOWN;
	if (status && !cJSON_IsNull(status)) {
		if (!cJSON_IsString(status))
			return invalid("status", "a string");
		/* A status this version does not know stays UNKNOWN. */
		trunk_status_parse(status->valuestring, &out->status);
	}
	if (state && !cJSON_IsNull(state)) {
		if (!cJSON_IsString(state))
			return invalid("state", "a string");
		out->deleted = strcasecmp(state->valuestring, "deleted") == 0;
	}
	if (edge && cJSON_IsObject(edge))
		return get_string(cJSON_GetObjectItemCaseSensitive(edge, "id"),
				  "id", false, &out->edge_id);
	return 0;
}

int live_trunk_from_json(const cJSON *json, struct live_trunk *out)
{
	const cJSON *members[TRUNK_MEMBER_COUNT];
	int rc;

	memset(out, 0, sizeof(*out));
	trunk_spec_init(&out->spec);
	if (!cJSON_IsObject(json))
		return error_set(TRUNKCTL_EINVALID,
				 "invalid trunk: expected a JSON object");

	gather(json, members);
	if ((rc = get_string(members[TRUNK_MEMBER_ID], "id", true,
			     &out->id)) < 0 ||
	    (rc = decode_spec(members, &out->spec)) < 0 ||
	    (rc = get_long(members[TRUNK_MEMBER_VERSION], "version", 0,
			   1L << 53, &out->version)) < 0 ||
	    (rc = decode_state(members, out)) < 0) {
		live_trunk_release(out);
		return rc;
	}
	return 0;
}

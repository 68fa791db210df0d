#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "model/error.h"
#include "model/trunk.h"

void trunk_spec_init(struct trunk_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->keepalive_interval = TRUNK_DEFAULT_KEEPALIVE_INTERVAL;
	spec->keepalive_protocol = KEEPALIVE_SIP;
	spec->sip_invite_timeout = TRUNK_DEFAULT_SIP_INVITE_TIMEOUT;
	spec->rtp_timeout = TRUNK_DEFAULT_RTP_TIMEOUT;
}

static void free_strings(char **list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

void trunk_spec_release(struct trunk_spec *spec)
{
	if (!spec)
		return;
	free(spec->name);
	free(spec->description);
	free_strings(spec->sip_endpoints, spec->sip_endpoint_count);
	free_strings(spec->codecs, spec->codec_count);
	memset(spec, 0, sizeof(*spec));
}

static int copy_string(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : error_set(TRUNKCTL_ENOMEM, "out of memory");
}

static int copy_strings(char ***dst, char *const *src, size_t count)
{
	size_t i;

	*dst = NULL;
	if (count == 0)
		return 0;
	*dst = calloc(count, sizeof(char *));
	if (!*dst)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	for (i = 0; i < count; i++)
		if (copy_string(&(*dst)[i], src[i]) < 0)
			return TRUNKCTL_ENOMEM;
	return 0;
}

int trunk_spec_copy(struct trunk_spec *dst, const struct trunk_spec *src)
{
	*dst = *src;
	dst->name = NULL;
	dst->description = NULL;
	dst->sip_endpoints = NULL;
	dst->codecs = NULL;

	if (copy_string(&dst->name, src->name) < 0 ||
	    copy_string(&dst->description, src->description) < 0 ||
	    copy_strings(&dst->sip_endpoints, src->sip_endpoints,
			 src->sip_endpoint_count) < 0 ||
	    copy_strings(&dst->codecs, src->codecs, src->codec_count) < 0) {
		/* Lists are calloc'd, so a partial copy releases cleanly. */
		trunk_spec_release(dst);
		return TRUNKCTL_ENOMEM;
	}
	return 0;
}

void live_trunk_release(struct live_trunk *trunk)
{
	if (!trunk)
		return;
	trunk_spec_release(&trunk->spec);
	free(trunk->id);
	free(trunk->edge_id);
	memset(trunk, 0, sizeof(*trunk));
}

void desired_trunk_release(struct desired_trunk *trunk)
{
	if (!trunk)
		return;
	trunk_spec_release(&trunk->spec);
	memset(trunk, 0, sizeof(*trunk));
}

void edge_ref_release(struct edge_ref *edge)
{
	if (!edge)
		return;
	free(edge->id);
	free(edge->name);
	memset(edge, 0, sizeof(*edge));
}

void desired_edge_release(struct desired_edge *edge)
{
	size_t i;

	if (!edge)
		return;
	edge_ref_release(&edge->edge);
	for (i = 0; i < edge->trunk_count; i++)
		desired_trunk_release(&edge->trunks[i]);
	free(edge->trunks);
	memset(edge, 0, sizeof(*edge));
}

void desired_model_release(struct desired_model *model)
{
	size_t i;

	if (!model)
		return;
	for (i = 0; i < model->edge_count; i++)
		desired_edge_release(&model->edges[i]);
	free(model->edges);
	free_strings(model->files, model->file_count);
	memset(model, 0, sizeof(*model));
}

static cJSON *string_array(char *const *items, size_t count)
{
	cJSON *array = cJSON_CreateArray();
	size_t i;

	for (i = 0; array && i < count; i++) {
		cJSON *item = cJSON_CreateString(items[i]);

		if (!item || !cJSON_AddItemToArray(array, item)) {
			cJSON_Delete(item);
			cJSON_Delete(array);
			return NULL;
		}
	}
	return array;
}

cJSON *trunk_spec_to_payload(const struct trunk_spec *spec, long version)
{
	cJSON *payload = cJSON_CreateObject();
	cJSON *codecs = string_array(spec->codecs, spec->codec_count);
	cJSON *endpoints = string_array(spec->sip_endpoints,
					spec->sip_endpoint_count);
	bool ok;

	if (!payload || !codecs || !endpoints)
		goto fail;

	/* The key order is part of the canonical form: keep it fixed. */
	ok = cJSON_AddStringToObject(payload, "name",
				     spec->name ? spec->name : "") &&
	     cJSON_AddStringToObject(payload, "description",
				     spec->description ? spec->description
						       : "") &&
	     cJSON_AddNumberToObject(payload, "maxConcurrentCalls",
				     spec->max_concurrent_calls) &&
	     cJSON_AddItemToObject(payload, "codecs", codecs);
	if (!ok)
		goto fail;
	codecs = NULL;
	ok = cJSON_AddItemToObject(payload, "sipEndpoints", endpoints);
	if (!ok)
		goto fail;
	endpoints = NULL;
	ok = cJSON_AddStringToObject(payload, "natTraversal",
				     spec->nat_traversal ? "ENABLED"
							 : "DISABLED") &&
	     cJSON_AddNumberToObject(payload, "keepAliveInterval",
				     spec->keepalive_interval) &&
	     cJSON_AddStringToObject(
		     payload, "keepAliveProtocol",
		     keepalive_protocol_name(spec->keepalive_protocol)) &&
	     cJSON_AddNumberToObject(payload, "sipInviteTimeout",
				     spec->sip_invite_timeout) &&
	     cJSON_AddNumberToObject(payload, "rtpTimeout",
				     spec->rtp_timeout);
	if (ok && version > 0)
		ok = cJSON_AddNumberToObject(payload, "version",
					     (double)version) != NULL;
	if (ok)
		return payload;

fail:
	cJSON_Delete(codecs);
	cJSON_Delete(endpoints);
	cJSON_Delete(payload);
	error_set(TRUNKCTL_ENOMEM, "out of memory rendering a trunk payload");
	return NULL;
}

int trunk_spec_digest(const struct trunk_spec *spec, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char *text = trunk_spec_canonical_json(spec);
	int ok;
	unsigned int i;

	if (!text)
		return TRUNKCTL_ENOMEM;
	ok = EVP_Digest(text, strlen(text), digest, &len, EVP_sha256(), NULL);
	free(text);
	if (!ok || len != 32)
		return error_set(TRUNKCTL_ERROR, "SHA-256 failed");
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

bool trunk_name_equal(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

const char *trunk_status_name(enum trunk_status status)
{
	switch (status) {
	case TRUNK_STATUS_PENDING:
		return "PENDING";
	case TRUNK_STATUS_ENABLED:
		return "ENABLED";
	case TRUNK_STATUS_DISABLED:
		return "DISABLED";
	case TRUNK_STATUS_FAILED:
		return "FAILED";
	case TRUNK_STATUS_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

int trunk_status_parse(const char *text, enum trunk_status *out)
{
	static const enum trunk_status all[] = {
		TRUNK_STATUS_PENDING, TRUNK_STATUS_ENABLED,
		TRUNK_STATUS_DISABLED, TRUNK_STATUS_FAILED,
	};
	size_t i;

	for (i = 0; text && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(text, trunk_status_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return error_set(TRUNKCTL_EINVALID, "unknown trunk status '%s'",
			 text ? text : "(null)");
}

const char *trunk_state_name(enum trunk_state state)
{
	switch (state) {
	case TRUNK_STATE_ACTIVE:
		return "active";
	case TRUNK_STATE_INACTIVE:
		return "inactive";
	case TRUNK_STATE_ABSENT:
		return "absent";
	}
	return "unknown";
}

const char *keepalive_protocol_name(enum keepalive_protocol protocol)
{
	return protocol == KEEPALIVE_OPTIONS ? "OPTIONS" : "SIP";
}

/* Field-by-field comparison of two normalised trunk specs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/trunk.h"

struct change_list {
	struct field_change *items;
	size_t max;
	int count;
	int error;
};

static char *render_int(int value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", value);
	return strdup(buf);
}

/* Renders a string as a JSON string literal, so quotes stay visible. */
static char *render_string(const char *value)
{
	cJSON *item = cJSON_CreateString(value ? value : "");
	char *text = item ? cJSON_PrintUnformatted(item) : NULL;

	cJSON_Delete(item);
	return text;
}

static char *render_list(char *const *items, size_t count)
{
	size_t len = 3, i;
	char *text;

	for (i = 0; i < count; i++)
		len += strlen(items[i]) + 2;
	text = malloc(len);
	if (!text)
		return NULL;
	strcpy(text, "[");
	for (i = 0; i < count; i++) {
		if (i)
			strcat(text, ", ");
		strcat(text, items[i]);
	}
	strcat(text, "]");
	return text;
}

static void add(struct change_list *list, const char *field, char *before,
		char *after)
{
	if (!before || !after) {
		list->error = TRUNKCTL_ENOMEM;
	} else if ((size_t)list->count < list->max) {
		struct field_change *change = &list->items[list->count];

		change->field = field;
		change->before = before;
		change->after = after;
		list->count++;
		return;
	} else {
		list->count++;
	}
	free(before);
	free(after);
}

static bool lists_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcasecmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static void diff_int(struct change_list *list, const char *field, int live,
		     int desired)
{
	if (live != desired)
		add(list, field, render_int(live), render_int(desired));
}

static void diff_word(struct change_list *list, const char *field,
		      const char *live, const char *desired)
{
	if (strcmp(live, desired) != 0)
		add(list, field, strdup(live), strdup(desired));
}

int trunk_spec_diff(const struct trunk_spec *live,
		    const struct trunk_spec *desired,
		    struct field_change *changes, size_t max)
{
	struct change_list list = { changes, max, 0, 0 };
	const char *live_description = live->description ? live->description
							 : "";
	const char *desired_description =
		desired->description ? desired->description : "";

	/* Names are keys, compared ignoring case: a case change is no diff. */
	if (!trunk_name_equal(live->name, desired->name))
		add(&list, "name", render_string(live->name),
		    render_string(desired->name));
	if (strcmp(live_description, desired_description) != 0)
		add(&list, "description", render_string(live_description),
		    render_string(desired_description));
	diff_int(&list, "maxConcurrentCalls", live->max_concurrent_calls,
		 desired->max_concurrent_calls);
	if (!lists_equal(live->codecs, live->codec_count, desired->codecs,
			 desired->codec_count))
		add(&list, "codecs",
		    render_list(live->codecs, live->codec_count),
		    render_list(desired->codecs, desired->codec_count));
	if (!lists_equal(live->sip_endpoints, live->sip_endpoint_count,
			 desired->sip_endpoints, desired->sip_endpoint_count))
		add(&list, "sipEndpoints",
		    render_list(live->sip_endpoints, live->sip_endpoint_count),
		    render_list(desired->sip_endpoints,
				desired->sip_endpoint_count));
	diff_word(&list, "natTraversal",
		  live->nat_traversal ? "ENABLED" : "DISABLED",
		  desired->nat_traversal ? "ENABLED" : "DISABLED");
	diff_int(&list, "keepAliveInterval", live->keepalive_interval,
		 desired->keepalive_interval);
	diff_word(&list, "keepAliveProtocol",
		  keepalive_protocol_name(live->keepalive_protocol),
		  keepalive_protocol_name(desired->keepalive_protocol));
	diff_int(&list, "sipInviteTimeout", live->sip_invite_timeout,
		 desired->sip_invite_timeout);
	diff_int(&list, "rtpTimeout", live->rtp_timeout, desired->rtp_timeout);

	if (list.error) {
		size_t stored = (size_t)list.count < max ? (size_t)list.count
							 : max;

		field_changes_release(changes, stored);
		return error_set(list.error, "out of memory comparing trunks");
	}
	return list.count;
}

void field_changes_release(struct field_change *changes, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(changes[i].before);
		free(changes[i].after);
		changes[i].before = changes[i].after = NULL;
	}
}

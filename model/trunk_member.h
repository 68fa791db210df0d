#ifndef TRUNKCTL_MODEL_TRUNK_MEMBER_H
#define TRUNKCTL_MODEL_TRUNK_MEMBER_H

/*
 * The members of the API's Trunk entity that trunkctl decodes, for the
 * two decoders: live_trunk_from_json() and the trunk page decoder of
 * http/trunk_page.c.
 */

#include <stddef.h>

enum trunk_member {
	TRUNK_MEMBER_ID,
	TRUNK_MEMBER_NAME,
	TRUNK_MEMBER_DESCRIPTION,
	TRUNK_MEMBER_MAX_CALLS,
	TRUNK_MEMBER_CODECS,
	TRUNK_MEMBER_SIP_ENDPOINTS,
	TRUNK_MEMBER_NAT_TRAVERSAL,
	TRUNK_MEMBER_KEEPALIVE_INTERVAL,
	TRUNK_MEMBER_KEEPALIVE_PROTOCOL,
	TRUNK_MEMBER_INVITE_TIMEOUT,
	TRUNK_MEMBER_RTP_TIMEOUT,
	TRUNK_MEMBER_VERSION,
	TRUNK_MEMBER_STATUS,
	TRUNK_MEMBER_STATE,
	TRUNK_MEMBER_EDGE,
	TRUNK_MEMBER_COUNT
};

/* A member's key and its length. */
struct trunk_member_name {
	const char *text;
	size_t length;
};

extern const struct trunk_member_name trunk_member_names[TRUNK_MEMBER_COUNT];

#endif

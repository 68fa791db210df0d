#ifndef TRUNKCTL_TESTS_TRUNK_PAGE_CHECK_H
#define TRUNKCTL_TESTS_TRUNK_PAGE_CHECK_H

/*
 * Checks trunk_page_decode() against the general path for one response
 * body: http_json_parse()'s parsers (the strict one, then cJSON), the
 * pager's reading of the envelope and live_trunk_from_json(). Shared by
 * unit_trunk_page and the JSON fuzz target.
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http/json_strict.h"
#include "http/trunk_page.h"
#include "model/trunk.h"
#include "tests/support/json_compare.h"

static inline bool trunk_page_same_strings(char *const *a, size_t a_count,
					   char *const *b, size_t b_count)
{
	size_t i;

	if (a_count != b_count || !a != !b)
		return false;
	for (i = 0; i < a_count; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* Whether two decoded trunks hold the same values, field by field. */
static inline bool trunk_page_same_trunk(const struct live_trunk *a,
					 const struct live_trunk *b)
{
	const struct trunk_spec *x = &a->spec, *y = &b->spec;

	return json_same_text(a->id, b->id) && a->version == b->version &&
	       a->status == b->status && a->deleted == b->deleted &&
	       json_same_text(a->edge_id, b->edge_id) &&
	       json_same_text(x->name, y->name) &&
	       json_same_text(x->description, y->description) &&
	       trunk_page_same_strings(x->sip_endpoints,
				       x->sip_endpoint_count,
				       y->sip_endpoints,
				       y->sip_endpoint_count) &&
	       trunk_page_same_strings(x->codecs, x->codec_count, y->codecs,
				       y->codec_count) &&
	       x->max_concurrent_calls == y->max_concurrent_calls &&
	       x->nat_traversal == y->nat_traversal &&
	       x->keepalive_interval == y->keepalive_interval &&
	       x->keepalive_protocol == y->keepalive_protocol &&
	       x->sip_invite_timeout == y->sip_invite_timeout &&
	       x->rtp_timeout == y->rtp_timeout;
}

/* The pager's reading of a number member: -1 unless it is a number. */
static inline double trunk_page_number(const cJSON *page, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(page, name);

	return cJSON_IsNumber(item) ? item->valuedouble : -1;
}

/* Compares a decoded page with the general path's reading of `json`. */
static inline const char *trunk_page_compare(const cJSON *json,
					     const struct trunk_page *page)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "entities");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(json, "nextUri");
	const cJSON *entity, *id, *state;
	struct live_trunk reference;
	size_t i = 0;
	bool same;

	if (!cJSON_IsObject(json) || !cJSON_IsArray(list))
		return "decoded a page that is not a listing";
	if (page->total != trunk_page_number(json, "total") ||
	    page->page_number != trunk_page_number(json, "pageNumber") ||
	    page->page_count != trunk_page_number(json, "pageCount") ||
	    page->page_size != trunk_page_number(json, "pageSize"))
		return "a number of the envelope differs";
	if (!json_same_text(page->next_uri,
			    cJSON_IsString(next) && *next->valuestring ?
			    next->valuestring : NULL))
		return "nextUri differs";
	if ((size_t)cJSON_GetArraySize(list) != page->count)
		return "the number of entities differs";
	cJSON_ArrayForEach(entity, list) {
		const struct trunk_page_entry *entry = &page->entries[i++];

		id = cJSON_GetObjectItemCaseSensitive(entity, "id");
		state = cJSON_GetObjectItemCaseSensitive(entity, "state");
		if (!cJSON_IsString(id) || !*id->valuestring)
			return "decoded an entity without an id";
		if (strcmp(id->valuestring, entry->trunk.id) != 0)
			return "an id differs";
		if (entry->listed_deleted !=
		    (cJSON_IsString(state) &&
		     strcmp(state->valuestring, "deleted") == 0))
			return "a deleted entity is listed, or the reverse";
		if (entry->listed_deleted)
			continue; /* the pager does not decode it */
		if (live_trunk_from_json(entity, &reference) != 0)
			return "decoded a trunk that live_trunk_from_json() "
			       "rejects";
		same = trunk_page_same_trunk(&reference, &entry->trunk);
		live_trunk_release(&reference);
		if (!same)
			return "a trunk differs";
	}
	return NULL;
}

/*
 * Decodes `body` both ways. Returns 1 when trunk_page_decode() took it
 * and agrees, 0 when it declined, and -1 with *difference naming the
 * first difference.
 */
static inline int trunk_page_check(const char *body, size_t length,
				   const char **difference)
{
	struct trunk_page page;
	cJSON *json = NULL;
	int rc = trunk_page_decode(body, length, &page);

	*difference = NULL;
	if (rc == 1)
		return 0;
	if (rc != 0) {
		*difference = "trunk_page_decode() failed";
		return -1;
	}
	if (strlen(body) == length &&
	    !(json = json_parse_strict(body, length)))
		json = cJSON_ParseWithOpts(body, NULL, 1);
	*difference = json ? trunk_page_compare(json, &page) :
		      "decoded a body that is not JSON";
	cJSON_Delete(json);
	trunk_page_release(&page);
	return *difference ? -1 : 1;
}

#endif

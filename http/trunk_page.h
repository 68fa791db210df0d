#ifndef TRUNKCTL_HTTP_TRUNK_PAGE_H
#define TRUNKCTL_HTTP_TRUNK_PAGE_H

/*
 * A page of the trunk listing decoded straight from the response body,
 * without a cJSON tree: the live trunks and the members the pager reads.
 *
 * It is a faster path, not a second decoder. trunk_page_decode() takes a
 * page only when the general path (http_json_parse(), the pager's
 * checks, live_trunk_from_json()) would take it too and give the same
 * trunks and figures. It declines anything else, and the caller takes
 * the general path, whose result or error is final. It declines text
 * outside the strict grammar of json_strict.h, a page without an
 * entities array, an entity without a string id, a member of an
 * unexpected type, a value out of range, a key with an escape, and a
 * member that comes twice.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/trunk.h"

struct trunk_page_entry {
	struct live_trunk trunk;
	bool listed_deleted;    /* state is exactly "deleted": not listed */
};

struct trunk_page {
	struct trunk_page_entry *entries; /* in listing order */
	size_t count;
	/* The page's members; -1 when absent or not a number. */
	double total;
	double page_number;
	double page_count;
	double page_size;
	char *next_uri;         /* NULL when absent, empty or not a string */
};

/*
 * Decodes the `length` bytes of `body` into `page`. Returns 0, 1 when
 * it declines the page (and `page` is empty), or TRUNKCTL_ENOMEM.
 * Release a decoded page with trunk_page_release(); an entry whose
 * trunk the caller moved out must be zeroed first.
 */
int trunk_page_decode(const char *body, size_t length,
		      struct trunk_page *page);
void trunk_page_release(struct trunk_page *page);

#endif

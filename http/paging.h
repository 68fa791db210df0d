#ifndef TRUNKCTL_HTTP_PAGING_H
#define TRUNKCTL_HTTP_PAGING_H

/*
 * Reading a whole listing of the platform: {entities, pageSize,
 * pageNumber, total, pageCount, nextUri, ...}.
 *
 * The pager follows nextUri, a path relative to the API base. Without
 * one, while pageNumber is below pageCount, it requests the next
 * pageNumber at the page size the server reported, so it never assumes
 * the page size it requested.
 * Entities in state "deleted" are skipped. When an entity id comes twice,
 * or `total` changes between pages, the listing changed under the reader
 * and is read again from the first page, at most three times. A listing
 * longer than the client's max_pages is an error.
 */

#include <cjson/cJSON.h>

#include "http/client.h"
#include "model/trunk.h"

#define HTTP_LIST_MAX_RESTARTS 3

/*
 * Reads every page of the listing at `path` (which may carry a query;
 * pageSize and pageNumber are added) into *entities, a new cJSON array
 * of the live entities in listing order. `route` names the endpoint in
 * metrics. `info` sums the figures of all pages (latency of the whole
 * listing, the last page's status and correlation id). Returns 0, an
 * error of http_client_send(), or TRUNKCTL_EINVALID for a response that
 * is not a listing or a listing that never ends or keeps changing.
 */
int http_list(struct http_client *client, const char *path,
	      const char *route, cJSON **entities,
	      struct api_call_info *info);

/*
 * One trunk of the trunk listing: decoded when `json` is NULL, else the
 * entity for live_trunk_from_json().
 */
struct http_listed_trunk {
	struct live_trunk trunk;
	cJSON *json;
};

/*
 * Like http_list() for a trunk listing (GET .../edges/{id}/trunks). The
 * pages that trunk_page_decode() takes come decoded, without a cJSON
 * tree. The entities of any other page come as JSON, allocated with
 * cJSON's hooks, and the caller decodes them in listing order. Release
 * them with http_listed_trunks_release(), which accepts NULL.
 */
int http_list_trunks(struct http_client *client, const char *path,
		     const char *route, struct http_listed_trunk **trunks,
		     size_t *count, struct api_call_info *info);
void http_listed_trunks_release(struct http_listed_trunk *trunks,
				size_t count);

#endif

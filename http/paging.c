#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "http/paging.h"
#include "http/trunk_page.h"
#include "model/error.h"
#include "model/log.h"

#define PATH_MAX_LEN 4096

/* A set of entity ids: open addressing, grown at half full. */
struct id_set {
	char **slots;
	size_t alloc;
	size_t count;
};

/* One pass over the listing, from the first page. */
struct pass {
	struct http_client *client;
	const char *path;
	const char *route;
	cJSON *entities;         /* for http_list() */
	struct http_listed_trunk *trunks; /* for http_list_trunks() */
	size_t trunk_count;
	size_t trunk_alloc;
	bool trunk_listing;
	struct id_set seen;
	double total;        /* of the first page, -1 when absent */
	struct api_call_info *info;
	long started_ms;
};

/* The outcome of one page for its pass. */
enum page_end {
	PAGE_NEXT,
	PAGE_LAST,
	PAGE_CHANGED, /* the listing changed: read it again */
};

static uint64_t hash_text(const char *text)
{
	uint64_t hash = 1469598103934665603ULL;

	while (*text)
		hash = (hash ^ (unsigned char)*text++) * 1099511628211ULL;
	return hash;
}

static void id_set_clear(struct id_set *set)
{
	size_t i;

	for (i = 0; i < set->alloc; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

static int id_set_grow(struct id_set *set)
{
	struct id_set bigger = { 0 };
	size_t i, slot;

	bigger.alloc = set->alloc ? set->alloc * 2 : 256;
	bigger.slots = calloc(bigger.alloc, sizeof(*bigger.slots));
	if (!bigger.slots)
		return TRUNKCTL_ENOMEM;
	for (i = 0; i < set->alloc; i++) {
		if (!set->slots[i])
			continue;
		slot = hash_text(set->slots[i]) & (bigger.alloc - 1);
		while (bigger.slots[slot])
			slot = (slot + 1) & (bigger.alloc - 1);
		bigger.slots[slot] = set->slots[i];
	}
	bigger.count = set->count;
	free(set->slots);
	*set = bigger;
	return 0;
}

/* Adds `id`; returns 1 when it was already there, 0, or an error. */
static int id_set_add(struct id_set *set, const char *id)
{
	size_t slot;

	if ((set->count + 1) * 2 > set->alloc && id_set_grow(set))
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	slot = hash_text(id) & (set->alloc - 1);
	for (; set->slots[slot]; slot = (slot + 1) & (set->alloc - 1))
		if (strcmp(set->slots[slot], id) == 0)
			return 1;
	set->slots[slot] = strdup(id);
	if (!set->slots[slot])
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	set->count++;
	return 0;
}

static void add_info(struct api_call_info *sum,
		     const struct api_call_info *page)
{
	sum->status = page->status;
	sum->attempts += page->attempts;
	sum->retries += page->retries;
	sum->throttled += page->throttled;
	sum->outcome_unknown = page->outcome_unknown;
	memcpy(sum->correlation_id, page->correlation_id,
	       sizeof(sum->correlation_id));
}

static double number_field(const cJSON *page, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(page, name);

	return cJSON_IsNumber(item) ? item->valuedouble : -1;
}

void http_listed_trunks_release(struct http_listed_trunk *trunks,
				size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		live_trunk_release(&trunks[i].trunk);
		cJSON_Delete(trunks[i].json);
	}
	free(trunks);
}

/* Makes room for one more trunk in the pass. */
static int grow_trunks(struct pass *pass)
{
	struct http_listed_trunk *bigger;
	size_t alloc;

	if (pass->trunk_count < pass->trunk_alloc)
		return 0;
	alloc = pass->trunk_alloc ? 2 * pass->trunk_alloc : 64;
	bigger = realloc(pass->trunks, alloc * sizeof(*bigger));
	if (!bigger)
		return error_set(TRUNKCTL_ENOMEM, "out of memory");
	pass->trunks = bigger;
	pass->trunk_alloc = alloc;
	return 0;
}

/*
 * Adds an entity's id to those the pass has seen. Returns 0, or 1 after
 * setting PAGE_CHANGED when the id came before, or an error.
 */
static int see_id(struct pass *pass, const char *id, enum page_end *end)
{
	int rc = id_set_add(&pass->seen, id);

	if (rc == 1) {
		log_verbose(LOG_AREA_HTTP, "http: %s lists '%s' twice; the "
			    "listing changed while it was read", pass->path,
			    id);
		*end = PAGE_CHANGED;
	}
	return rc;
}

static bool is_deleted(const cJSON *entity)
{
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(entity, "state");

	return cJSON_IsString(state) &&
	       strcmp(state->valuestring, "deleted") == 0;
}

/* Moves the page's live entities into the pass. */
static int take_entities(struct pass *pass, cJSON *list, const char *url,
			 enum page_end *end)
{
	cJSON *entity, *next;
	const cJSON *id;
	int rc;

	for (entity = list->child; entity; entity = next) {
		next = entity->next;
		id = cJSON_GetObjectItemCaseSensitive(entity, "id");
		if (!cJSON_IsString(id) || !*id->valuestring)
			return error_set(TRUNKCTL_EINVALID, "GET %s: an entity "
					 "of the listing has no id", url);
		if ((rc = see_id(pass, id->valuestring, end)))
			return rc < 0 ? rc : 0;
		if (is_deleted(entity))
			continue;
		entity = cJSON_DetachItemViaPointer(list, entity);
		if (!pass->trunk_listing) {
			cJSON_AddItemToArray(pass->entities, entity);
			continue;
		}
		if ((rc = grow_trunks(pass))) {
			cJSON_Delete(entity);
			return rc;
		}
		memset(&pass->trunks[pass->trunk_count], 0,
		       sizeof(*pass->trunks));
		pass->trunks[pass->trunk_count++].json = entity;
	}
	return 0;
}

/* Moves the live trunks of a decoded page into the pass. */
static int take_decoded(struct pass *pass, struct trunk_page *page,
			enum page_end *end)
{
	struct trunk_page_entry *entry;
	size_t i;
	int rc;

	for (i = 0; i < page->count; i++) {
		entry = &page->entries[i];
		if ((rc = see_id(pass, entry->trunk.id, end)))
			return rc < 0 ? rc : 0;
		if (entry->listed_deleted)
			continue;
		if ((rc = grow_trunks(pass)))
			return rc;
		pass->trunks[pass->trunk_count].trunk = entry->trunk;
		pass->trunks[pass->trunk_count++].json = NULL;
		memset(&entry->trunk, 0, sizeof(entry->trunk));
	}
	return 0;
}

/* The members of a page that decide which page comes next. */
struct page_links {
	double total;            /* -1 when absent, as the others */
	double number;
	double count;
	double size;
	const char *next_uri;    /* NULL when absent or empty */
};

/* Works out the path of the next page into `path`, or sets PAGE_LAST. */
static int next_page_path(const struct pass *pass,
			  const struct page_links *links, const char *url,
			  char *path, enum page_end *end)
{
	const char *base = http_client_config(pass->client)->api_url;

	*end = PAGE_NEXT;
	if (links->next_uri) {
		const char *uri = links->next_uri;

		if (strncmp(uri, base, strlen(base)) == 0)
			uri += strlen(base);
		if (uri[0] != '/' || strlen(uri) >= PATH_MAX_LEN)
			return error_set(TRUNKCTL_EINVALID, "GET %s: nextUri "
					 "'%.200s' is not a path under the API "
					 "URL", url, links->next_uri);
		strcpy(path, uri);
		return 0;
	}
	if (links->number >= 1 && links->count > links->number &&
	    links->size >= 1) {
		snprintf(path, PATH_MAX_LEN,
			 "%s%cpageSize=%.0f&pageNumber=%.0f", pass->path,
			 strchr(pass->path, '?') ? '&' : '?', links->size,
			 links->number + 1);
		return 0;
	}
	*end = PAGE_LAST;
	return 0;
}

/* Whether `total` differs from the first page's; remembers it. */
static bool total_changed(struct pass *pass, double total)
{
	bool changed = pass->total != -2 && total != pass->total;

	pass->total = total;
	return changed;
}

/* A page of the trunk listing that trunk_page_decode() takes, or 1. */
static int read_decoded_page(struct pass *pass,
			     const struct http_response *response,
			     const char *url, char *path, enum page_end *end)
{
	struct trunk_page page;
	struct page_links links;
	int rc = trunk_page_decode(response->body, response->body_len,
				   &page);

	if (rc)
		return rc;
	links = (struct page_links){ page.total, page.page_number,
				     page.page_count, page.page_size,
				     page.next_uri };
	*end = PAGE_NEXT;
	if (total_changed(pass, page.total))
		*end = PAGE_CHANGED;
	else
		rc = take_decoded(pass, &page, end);
	if (!rc && *end == PAGE_NEXT)
		rc = next_page_path(pass, &links, url, path, end);
	trunk_page_release(&page);
	return rc;
}

/* A page parsed as JSON, for any listing. */
static int read_json_page(struct pass *pass,
			  const struct http_response *response,
			  const char *url, char *path, enum page_end *end)
{
	struct page_links links;
	cJSON *page = NULL, *list;
	const cJSON *next;
	int rc = 0;

	if (response->body_len)
		rc = http_json_parse(response->body, response->body_len,
				     "GET", url, &page);
	if (rc)
		return rc;

	list = cJSON_GetObjectItemCaseSensitive(page, "entities");
	next = cJSON_GetObjectItemCaseSensitive(page, "nextUri");
	links = (struct page_links){
		number_field(page, "total"), number_field(page, "pageNumber"),
		number_field(page, "pageCount"), number_field(page, "pageSize"),
		cJSON_IsString(next) && *next->valuestring ?
		next->valuestring : NULL,
	};
	*end = PAGE_NEXT;
	if (!cJSON_IsObject(page) || !cJSON_IsArray(list)) {
		rc = error_set(TRUNKCTL_EINVALID, "GET %s: the response is "
			       "not a listing (no entities array)", url);
		pass->total = links.total;
	} else if (total_changed(pass, links.total)) {
		*end = PAGE_CHANGED;
	} else {
		rc = take_entities(pass, list, url, end);
	}
	if (!rc && *end == PAGE_NEXT)
		rc = next_page_path(pass, &links, url, path, end);
	cJSON_Delete(page);
	return rc;
}

/* Reads one page at `path`; sets *end and the next page's path. */
static int read_page(struct pass *pass, char *path, enum page_end *end)
{
	struct http_request request = {
		.method = "GET", .path = path, .route = pass->route,
	};
	struct http_response response;
	struct api_call_info info;
	char url[PATH_MAX_LEN + 512];
	int rc;

	snprintf(url, sizeof(url), "%s%s",
		 http_client_config(pass->client)->api_url, path);
	rc = http_client_send(pass->client, &request, &response, &info);
	add_info(pass->info, &info);
	if (!rc && pass->trunk_listing)
		rc = read_decoded_page(pass, &response, url, path, end);
	else if (!rc)
		rc = 1;
	if (rc == 1)
		rc = read_json_page(pass, &response, url, path, end);
	http_response_release(&response);
	return rc;
}

/* Reads the listing from its first page; returns 1 when it changed. */
static int read_pass(struct pass *pass)
{
	const struct http_config *config = http_client_config(pass->client);
	enum page_end end = PAGE_NEXT;
	char path[PATH_MAX_LEN];
	int pages, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s%cpageSize=%d&pageNumber=1",
			     pass->path, strchr(pass->path, '?') ? '&' : '?',
			     config->page_size) >= sizeof(path))
		return error_set(TRUNKCTL_EINVALID, "listing path too long: "
				 "'%.200s'", pass->path);
	pass->total = -2;
	for (pages = 0; end == PAGE_NEXT; pages++) {
		if (pages >= config->max_pages)
			return error_set(TRUNKCTL_EINVALID, "GET %s%s: the "
					 "listing did not end after %d pages; "
					 "the server keeps sending nextUri",
					 config->api_url, pass->path, pages);
		rc = read_page(pass, path, &end);
		if (rc)
			return rc;
	}
	return end == PAGE_CHANGED;
}

/* Drops what a pass collected. */
static void pass_clear(struct pass *pass)
{
	cJSON_Delete(pass->entities);
	pass->entities = NULL;
	http_listed_trunks_release(pass->trunks, pass->trunk_count);
	pass->trunks = NULL;
	pass->trunk_count = pass->trunk_alloc = 0;
}

/* Reads the listing again until one pass finds it unchanged. */
static int read_listing(struct pass *pass)
{
	int restarts, rc = 0;

	memset(pass->info, 0, sizeof(*pass->info));
	pass->started_ms = http_now_ms();
	for (restarts = 0; restarts <= HTTP_LIST_MAX_RESTARTS; restarts++) {
		if (!pass->trunk_listing &&
		    !(pass->entities = cJSON_CreateArray()))
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		rc = read_pass(pass);
		id_set_clear(&pass->seen);
		if (rc == 0)
			break;
		pass_clear(pass);
		if (rc < 0)
			break;
		log_verbose(LOG_AREA_HTTP, "http: %s changed while it was "
			    "read; reading it again", pass->path);
	}
	if (rc > 0)
		rc = error_set(TRUNKCTL_EINVALID, "GET %s%s: the listing "
			       "changed while it was read, %d times; try again "
			       "later",
			       http_client_config(pass->client)->api_url,
			       pass->path, HTTP_LIST_MAX_RESTARTS + 1);
	pass->info->latency_ms = http_now_ms() - pass->started_ms;
	return rc;
}

int http_list(struct http_client *client, const char *path,
	      const char *route, cJSON **entities,
	      struct api_call_info *info_out)
{
	struct api_call_info local;
	struct pass pass = {
		.client = client, .path = path, .route = route,
		.info = info_out ? info_out : &local,
	};
	int rc = read_listing(&pass);

	*entities = pass.entities;
	return rc;
}

int http_list_trunks(struct http_client *client, const char *path,
		     const char *route, struct http_listed_trunk **trunks,
		     size_t *count, struct api_call_info *info_out)
{
	struct api_call_info local;
	struct pass pass = {
		.client = client, .path = path, .route = route,
		.info = info_out ? info_out : &local, .trunk_listing = true,
	};
	int rc = read_listing(&pass);

	*trunks = pass.trunks;
	*count = pass.trunk_count;
	return rc;
}

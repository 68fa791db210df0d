#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "http/paging.h"
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
	cJSON *entities;
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
		rc = id_set_add(&pass->seen, id->valuestring);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			log_verbose(LOG_AREA_HTTP, "http: %s lists '%s' twice; "
				    "the listing changed while it was read",
				    pass->path, id->valuestring);
			*end = PAGE_CHANGED;
			return 0;
		}
		if (is_deleted(entity))
			continue;
		cJSON_AddItemToArray(pass->entities,
				     cJSON_DetachItemViaPointer(list, entity));
	}
	return 0;
}

/* Works out the path of the next page into `path`, or sets PAGE_LAST. */
static int next_page_path(const struct pass *pass, const cJSON *page,
			  const char *url, char *path, enum page_end *end)
{
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(page, "nextUri");
	const char *base = http_client_config(pass->client)->api_url;
	double number = number_field(page, "pageNumber");
	double count = number_field(page, "pageCount");
	double size = number_field(page, "pageSize");

	*end = PAGE_NEXT;
	if (cJSON_IsString(next) && *next->valuestring) {
		const char *uri = next->valuestring;

		if (strncmp(uri, base, strlen(base)) == 0)
			uri += strlen(base);
		if (uri[0] != '/' || strlen(uri) >= PATH_MAX_LEN)
			return error_set(TRUNKCTL_EINVALID, "GET %s: nextUri "
					 "'%.200s' is not a path under the API "
					 "URL", url, next->valuestring);
		strcpy(path, uri);
		return 0;
	}
	if (number >= 1 && count > number && size >= 1) {
		snprintf(path, PATH_MAX_LEN,
			 "%s%cpageSize=%.0f&pageNumber=%.0f", pass->path,
			 strchr(pass->path, '?') ? '&' : '?', size,
			 number + 1);
		return 0;
	}
	*end = PAGE_LAST;
	return 0;
}

/* Reads one page at `path`; sets *end and the next page's path. */
static int read_page(struct pass *pass, char *path, enum page_end *end)
{
	struct http_request request = {
		.method = "GET", .path = path, .route = pass->route,
	};
	struct api_call_info info;
	char url[PATH_MAX_LEN + 512];
	cJSON *page = NULL, *list;
	double total;
	int rc;

	snprintf(url, sizeof(url), "%s%s",
		 http_client_config(pass->client)->api_url, path);
	rc = http_client_send_json(pass->client, &request, &page, &info);
	add_info(pass->info, &info);
	if (rc)
		return rc;

	list = cJSON_GetObjectItemCaseSensitive(page, "entities");
	total = number_field(page, "total");
	*end = PAGE_NEXT;
	if (!cJSON_IsObject(page) || !cJSON_IsArray(list))
		rc = error_set(TRUNKCTL_EINVALID, "GET %s: the response is "
			       "not a listing (no entities array)", url);
	else if (pass->total != -2 && total != pass->total)
		*end = PAGE_CHANGED;
	else
		rc = take_entities(pass, list, url, end);
	pass->total = total;
	if (!rc && *end == PAGE_NEXT)
		rc = next_page_path(pass, page, url, path, end);
	cJSON_Delete(page);
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

int http_list(struct http_client *client, const char *path,
	      const char *route, cJSON **entities,
	      struct api_call_info *info_out)
{
	struct api_call_info local, *info = info_out ? info_out : &local;
	struct pass pass = {
		.client = client, .path = path, .route = route, .info = info,
	};
	int restarts, rc = 0;

	memset(info, 0, sizeof(*info));
	pass.started_ms = http_now_ms();
	*entities = NULL;
	for (restarts = 0; restarts <= HTTP_LIST_MAX_RESTARTS; restarts++) {
		pass.entities = cJSON_CreateArray();
		if (!pass.entities)
			return error_set(TRUNKCTL_ENOMEM, "out of memory");
		rc = read_pass(&pass);
		id_set_clear(&pass.seen);
		if (rc == 0)
			break;
		cJSON_Delete(pass.entities);
		pass.entities = NULL;
		if (rc < 0)
			break;
		log_verbose(LOG_AREA_HTTP, "http: %s changed while it was "
			    "read; reading it again", path);
	}
	if (rc > 0)
		rc = error_set(TRUNKCTL_EINVALID, "GET %s%s: the listing "
			       "changed while it was read, %d times; try again "
			       "later", http_client_config(client)->api_url,
			       path, HTTP_LIST_MAX_RESTARTS + 1);
	info->latency_ms = http_now_ms() - pass.started_ms;
	*entities = pass.entities;
	return rc;
}

/*
 * Faults added at run time through POST /__sim/faults, and the state
 * changes behind the client's back (insert_trunk, set_trunk, lag,
 * expire_tokens). Route faults apply, in the order added, to the next
 * `count` responses of a method and route template.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/trunksim.h"

static const char *const kind_names[] = {
	"429",		"503",	 "drop",	       "truncate",
	"invalid_json", "delay", "drop_before_commit", "drop_after_commit",
	"endless",
};

void faults_init(struct faults *faults)
{
	pthread_mutex_init(&faults->lock, NULL);
	faults->head = NULL;
	faults->inserts = NULL;
}

static void fault_list_free(struct faults *faults)
{
	while (faults->head) {
		struct fault *next = faults->head->next;

		free(faults->head->method);
		free(faults->head);
		faults->head = next;
	}
	while (faults->inserts) {
		struct pending_insert *next = faults->inserts->next;

		trunk_free(faults->inserts->trunk);
		free(faults->inserts);
		faults->inserts = next;
	}
}

void faults_clear(struct faults *faults)
{
	pthread_mutex_lock(&faults->lock);
	fault_list_free(faults);
	pthread_mutex_unlock(&faults->lock);
}

void faults_release(struct faults *faults)
{
	fault_list_free(faults);
	pthread_mutex_destroy(&faults->lock);
}

static bool fault_matches(const struct fault *fault, const char *method,
			  enum route route)
{
	if (!fault->method)
		return route != ROUTE_TOKEN && route != ROUTE_NONE;
	return fault->route == route && strcmp(fault->method, method) == 0;
}

/*
 * Takes one response from the first fault matching the request, and
 * returns a copy of it (with `method` NULL). `*found` is false when no
 * fault matches.
 */
struct fault faults_take(struct faults *faults, const char *method,
			 enum route route, bool *found)
{
	struct fault copy = {0};
	struct fault **link;

	*found = false;
	pthread_mutex_lock(&faults->lock);
	for (link = &faults->head; *link; link = &(*link)->next) {
		struct fault *fault = *link;

		if (!fault_matches(fault, method, route))
			continue;
		copy = *fault;
		*found = true;
		if (fault->remaining > 0 && --fault->remaining == 0) {
			*link = fault->next;
			free(fault->method);
			free(fault);
		}
		break;
	}
	pthread_mutex_unlock(&faults->lock);
	copy.method = NULL;
	copy.next = NULL;
	return copy;
}

static void insert_now(struct server *srv, const char *edge_id,
		       struct trunk *trunk)
{
	struct store *store = &srv->store;
	struct edge *edge;

	pthread_mutex_lock(&store->lock);
	edge = store_find_edge(store, edge_id);
	if (edge && edge_insert_trunk(edge, trunk) == 0)
		trunk = NULL;
	pthread_mutex_unlock(&store->lock);
	trunk_free(trunk);
}

/* Counts a served listing of the edge's trunks; inserts trunks due. */
void faults_after_listing(struct server *srv, const char *edge_id)
{
	struct pending_insert *due = NULL;
	struct pending_insert **link;

	pthread_mutex_lock(&srv->faults.lock);
	link = &srv->faults.inserts;
	while (*link) {
		struct pending_insert *insert = *link;

		if (strcmp(insert->edge_id, edge_id) != 0 ||
		    --insert->listings_left > 0) {
			link = &insert->next;
			continue;
		}
		*link = insert->next;
		insert->next = due;
		due = insert;
	}
	pthread_mutex_unlock(&srv->faults.lock);
	while (due) {
		struct pending_insert *next = due->next;

		insert_now(srv, due->edge_id, due->trunk);
		free(due);
		due = next;
	}
}

static bool bad(struct request *req, struct reply *rep, const char *message)
{
	reply_error(req, rep, 400, "bad.request", "%s", message);
	return false;
}

static bool parse_route(const char *text, struct fault *fault)
{
	const char *space = strchr(text, ' ');

	if (strcmp(text, "*") == 0)
		return true;
	if (!space)
		return false;
	for (int i = 0; i < ROUTE_COUNT; i++) {
		if (strcmp(space + 1, route_template((enum route)i)) != 0)
			continue;
		fault->route = (enum route)i;
		fault->method = strndup(text, (size_t)(space - text));
		return fault->method != NULL;
	}
	return false;
}

static bool parse_retry_after(const cJSON *json, struct fault *fault)
{
	const cJSON *retry = cJSON_GetObjectItemCaseSensitive(json,
							      "retryAfter");

	snprintf(fault->retry_after, sizeof(fault->retry_after), "1");
	if (cJSON_IsString(retry) && strlen(retry->valuestring) > 0 &&
	    strlen(retry->valuestring) < sizeof(fault->retry_after))
		snprintf(fault->retry_after, sizeof(fault->retry_after), "%s",
			 retry->valuestring);
	else if (cJSON_IsNumber(retry) && retry->valuedouble >= 0)
		snprintf(fault->retry_after, sizeof(fault->retry_after), "%ld",
			 (long)retry->valuedouble);
	else if (retry)
		return false;
	return true;
}

/* A route fault: {"route", "kind", "count", "retryAfter", "delayMs"}. */
static bool add_route_fault(struct request *req, struct reply *rep,
			    const cJSON *json, int kind)
{
	const char *route = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "route"));
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(json, "count");
	const cJSON *delay = cJSON_GetObjectItemCaseSensitive(json, "delayMs");
	struct fault *fault = calloc(1, sizeof(*fault));
	struct fault **tail;

	if (!fault)
		return bad(req, rep, "out of memory");
	fault->kind = (enum fault_kind)kind;
	fault->remaining = kind == FAULT_ENDLESS ? -1 : 1;
	if (cJSON_IsNumber(count))
		fault->remaining = count->valuedouble > 0
					   ? (long)count->valuedouble
					   : -1;
	fault->delay_ms = cJSON_IsNumber(delay) ? (long)delay->valuedouble : 0;
	if (!route || !parse_route(route, fault) ||
	    (count && !cJSON_IsNumber(count)) || fault->delay_ms < 0 ||
	    !parse_retry_after(json, fault)) {
		free(fault->method);
		free(fault);
		return bad(req, rep,
			   "invalid fault: expected \"route\": \"METHOD "
			   "TEMPLATE\" or \"*\", a numeric \"count\" and "
			   "\"delayMs\", \"retryAfter\" seconds or a date");
	}
	pthread_mutex_lock(&req->srv->faults.lock);
	for (tail = &req->srv->faults.head; *tail; tail = &(*tail)->next)
		;
	*tail = fault;
	pthread_mutex_unlock(&req->srv->faults.lock);
	return true;
}

/* {"kind": "insert_trunk", "edgeId", "afterRequests", "trunk": {...}} */
static bool add_insert(struct request *req, struct reply *rep,
		       const cJSON *json)
{
	const char *edge_id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "edgeId"));
	const cJSON *after =
		cJSON_GetObjectItemCaseSensitive(json, "afterRequests");
	struct field_error err = {0};
	struct pending_insert *insert;
	struct trunk *trunk;

	if (!edge_id || strlen(edge_id) >= ID_MAX ||
	    (after && !cJSON_IsNumber(after)))
		return bad(req, rep, "insert_trunk needs \"edgeId\" and a "
				     "numeric \"afterRequests\"");
	trunk = trunk_from_seed(req->srv,
				cJSON_GetObjectItemCaseSensitive(json, "trunk"),
				&err);
	if (!trunk) {
		reply_field_error(req, rep, &err);
		return false;
	}
	if (!after || after->valuedouble <= 0) {
		insert_now(req->srv, edge_id, trunk);
		return true;
	}
	insert = calloc(1, sizeof(*insert));
	if (!insert) {
		trunk_free(trunk);
		return bad(req, rep, "out of memory");
	}
	snprintf(insert->edge_id, sizeof(insert->edge_id), "%s", edge_id);
	insert->listings_left = (long)after->valuedouble;
	insert->trunk = trunk;
	pthread_mutex_lock(&req->srv->faults.lock);
	insert->next = req->srv->faults.inserts;
	req->srv->faults.inserts = insert;
	pthread_mutex_unlock(&req->srv->faults.lock);
	return true;
}

static bool add_fault(struct request *req, struct reply *rep,
		      const cJSON *json, const char *kind)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]);
	     i++) {
		if (strcmp(kind, kind_names[i]) == 0)
			return add_route_fault(req, rep, json, (int)i);
	}
	if (strcmp(kind, "expire_tokens") == 0) {
		tokens_expire_all(&req->srv->tokens);
		return true;
	}
	if (strcmp(kind, "insert_trunk") == 0)
		return add_insert(req, rep, json);
	if (strcmp(kind, "lag") == 0)
		return admin_lag(req, rep, json);
	if (strcmp(kind, "set_trunk") == 0)
		return admin_set_trunk(req, rep, json);
	reply_error(req, rep, 400, "bad.request", "unknown fault kind '%s'",
		    kind);
	return false;
}

/* POST /__sim/faults adds a fault; DELETE /__sim/faults clears them. */
void admin_faults(struct request *req, struct reply *rep)
{
	cJSON *json;
	const char *kind;

	if (strcmp(req->method, "DELETE") == 0) {
		faults_clear(&req->srv->faults);
		pthread_mutex_lock(&req->srv->store.lock);
		req->srv->store.lag_ms = 0;
		pthread_mutex_unlock(&req->srv->store.lock);
		rep->status = 204;
		return;
	}
	json = request_json(req, rep);
	if (!json)
		return;
	kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json,
								    "kind"));
	if (!kind)
		bad(req, rep, "missing required field 'kind'");
	else if (add_fault(req, rep, json, kind))
		reply_json(rep, 201, cJSON_Duplicate(json, 1));
	cJSON_Delete(json);
}

/*
 * The initial state, from a seed file or generated, and the state dump
 * in the same format:
 *
 *   {"edges": [{"id", "name", "maxTrunks", "trunks": [TRUNK, ...]}]}
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/sim/trunksim.h"

#define SEED_FILE_MAX (256L * 1024 * 1024)

/* Reads a whole file; on failure errno is set, or 0 when it is too large. */
char *file_read(const char *path)
{
	FILE *file;
	struct stat st;
	char *text = NULL;
	long size;

	errno = 0;
	file = fopen(path, "rb");
	if (!file)
		return NULL;
	if (fstat(fileno(file), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(file);
		errno = EISDIR;
		return NULL;
	}
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
	    size > SEED_FILE_MAX || fseek(file, 0, SEEK_SET) != 0)
		goto done;
	text = malloc((size_t)size + 1);
	if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
		free(text);
		text = NULL;
	}
	if (text)
		text[size] = '\0';
done:
	fclose(file);
	return text;
}

static int seed_fail(struct field_error *err, const char *field,
		     const char *message)
{
	err->status = 400;
	err->code = "invalid.value";
	err->field = field;
	snprintf(err->message, sizeof(err->message), "%s", message);
	return -1;
}

/* Reads id, version, status and state, the fields a payload cannot set. */
static int seed_extra(struct server *srv, const cJSON *json,
		      struct trunk *trunk, struct field_error *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
	const cJSON *version =
		cJSON_GetObjectItemCaseSensitive(json, "version");
	const char *status = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "status"));
	const char *state = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(json, "state"));

	if (id && (!cJSON_IsString(id) || !*id->valuestring ||
		   strlen(id->valuestring) >= UUID_SIZE))
		return seed_fail(err, "id", "id must be 1 to 36 characters");
	if (id)
		snprintf(trunk->id, sizeof(trunk->id), "%s", id->valuestring);
	else
		uuid_from_random(&srv->random, trunk->id);
	trunk->version = 1;
	if (version && (!cJSON_IsNumber(version) || version->valuedouble < 1))
		return seed_fail(err, "version", "version must be 1 or more");
	if (version)
		trunk->version = (long)version->valuedouble;
	trunk->status = STATUS_ENABLED;
	if (status && status_parse(status, &trunk->status) < 0)
		return seed_fail(err, "status", "status must be PENDING, "
						"ENABLED, DISABLED or FAILED");
	if (state && strcmp(state, "active") && strcmp(state, "deleted"))
		return seed_fail(err, "state",
				 "state must be active or deleted");
	trunk->deleted = state && strcmp(state, "deleted") == 0;
	return 0;
}

/* Builds a trunk from a seed entry; fields it leaves out take defaults. */
struct trunk *trunk_from_seed(struct server *srv, const cJSON *json,
			      struct field_error *err)
{
	struct trunk *trunk = trunk_new();

	if (!trunk) {
		seed_fail(err, NULL, "out of memory");
		return NULL;
	}
	if (trunk_fields_decode(json, FIELDS_SEED, &trunk->f, err) < 0 ||
	    seed_extra(srv, json, trunk, err) < 0) {
		trunk_free(trunk);
		return NULL;
	}
	trunk->created = clock_real_ms();
	trunk->modified = trunk->created;
	return trunk;
}

static int seed_trunks(struct server *srv, struct edge *edge,
		       const cJSON *trunks, const char *path)
{
	const cJSON *item;
	int index = 0;

	cJSON_ArrayForEach(item, trunks)
	{
		struct field_error err = {0};
		struct trunk *trunk = trunk_from_seed(srv, item, &err);

		index++;
		if (!trunk || edge_insert_trunk(edge, trunk) < 0) {
			fprintf(stderr,
				"trunksim: error: %s: edge '%s', trunk %d: "
				"%s\n",
				path, edge->name, index,
				trunk ? "out of memory" : err.message);
			trunk_free(trunk);
			return -1;
		}
	}
	return 0;
}

static int seed_edge(struct server *srv, const cJSON *json, int index,
		     const char *path)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "name");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(json, "maxTrunks");
	char edge_id[UUID_SIZE];
	char default_name[32];
	struct edge *edge;

	if ((id && (!cJSON_IsString(id) || strlen(id->valuestring) == 0 ||
		    strlen(id->valuestring) >= UUID_SIZE)) ||
	    (name && !cJSON_IsString(name)) ||
	    (max && (!cJSON_IsNumber(max) || max->valuedouble < 0))) {
		fprintf(stderr,
			"trunksim: error: %s: edge %d: id must be a string of "
			"1 to 36 characters, name a string, maxTrunks a "
			"number of 0 or more\n",
			path, index);
		return -1;
	}
	if (id)
		snprintf(edge_id, sizeof(edge_id), "%s", id->valuestring);
	else
		uuid_from_random(&srv->random, edge_id);
	snprintf(default_name, sizeof(default_name), "edge-%04d", index);
	edge = store_add_edge(&srv->store, edge_id,
			      name ? name->valuestring : default_name,
			      max ? max->valueint : srv->cfg.max_trunks);
	if (!edge)
		return -1;
	return seed_trunks(srv, edge,
			   cJSON_GetObjectItemCaseSensitive(json, "trunks"),
			   path);
}

int seed_load(struct server *srv, const char *path)
{
	char *text = file_read(path);
	const char *end = NULL;
	cJSON *json = NULL;
	const cJSON *edges;
	const cJSON *item;
	int index = 0;
	int rc = -1;

	if (!text) {
		fprintf(stderr,
			"trunksim: error: cannot read seed file '%s': %s\n",
			path, errno ? strerror(errno) : "over 256 MiB");
		return -1;
	}
	json = cJSON_ParseWithOpts(text, &end, 1);
	edges = cJSON_GetObjectItemCaseSensitive(json, "edges");
	if (!cJSON_IsArray(edges)) {
		fprintf(stderr,
			"trunksim: error: %s: invalid seed: expected "
			"{\"edges\": [...]} (JSON error near byte %ld)\n",
			path, json ? 0L : (long)(end - text));
		goto done;
	}
	cJSON_ArrayForEach(item, edges)
	{
		if (seed_edge(srv, item, ++index, path) < 0)
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(json);
	free(text);
	return rc;
}

static struct trunk *generated_trunk(struct server *srv, int number)
{
	struct trunk *trunk = trunk_new();
	uint64_t bits = random_next(&srv->random);

	if (!trunk)
		return NULL;
	uuid_from_random(&srv->random, trunk->id);
	trunk->f.name = text_printf("trunk-%04d", number);
	trunk->f.description = text_printf("Generated trunk %d", number);
	trunk->f.endpoints = calloc(2, sizeof(char *));
	if (trunk->f.endpoints)
		trunk->f.endpoints[0] = text_printf(
			"198.51.100.%d:5060", (int)(bits % 254) + 1);
	trunk->f.endpoint_count = trunk->f.endpoints ? 1 : 0;
	if (bits & 0x100)
		trunk->f.codecs[trunk->f.codec_count++] = CODEC_G729;
	trunk->f.max_calls = 10 * (int)((bits >> 16) % 50 + 1);
	trunk->f.nat_traversal = (bits >> 24) & 1;
	trunk->version = 1;
	trunk->status = STATUS_ENABLED;
	trunk->created = clock_real_ms();
	trunk->modified = trunk->created;
	if (!trunk->f.name || !trunk->f.description ||
	    !trunk->f.endpoint_count || !trunk->f.endpoints[0]) {
		trunk_free(trunk);
		return NULL;
	}
	return trunk;
}

/* Generates `edges` edges named edge-0001... with trunk-0001... each. */
int seed_generate(struct server *srv)
{
	const struct config *cfg = &srv->cfg;

	if (cfg->trunks_per_edge > cfg->max_trunks) {
		fprintf(stderr,
			"trunksim: error: --trunks-per-edge %d exceeds "
			"--max-trunks %d\n",
			cfg->trunks_per_edge, cfg->max_trunks);
		return -1;
	}
	for (int e = 1; e <= cfg->edges; e++) {
		char id[UUID_SIZE];
		char name[32];
		struct edge *edge;

		uuid_from_random(&srv->random, id);
		snprintf(name, sizeof(name), "edge-%04d", e);
		edge = store_add_edge(&srv->store, id, name, cfg->max_trunks);
		for (int t = 1; edge && t <= cfg->trunks_per_edge; t++) {
			struct trunk *trunk = generated_trunk(srv, t);

			if (!trunk || edge_insert_trunk(edge, trunk) < 0) {
				trunk_free(trunk);
				return -1;
			}
		}
		if (!edge)
			return -1;
	}
	return 0;
}

/* The whole state in the seed format; call without store.lock held. */
cJSON *store_dump(struct server *srv)
{
	struct store *store = &srv->store;
	cJSON *root = cJSON_CreateObject();
	cJSON *edges = cJSON_AddArrayToObject(root, "edges");
	int64_t now = clock_mono_ms();

	pthread_mutex_lock(&store->lock);
	for (size_t i = 0; i < store->edge_count; i++) {
		struct edge *edge = store->edges[i];
		cJSON *obj = edge_to_json(edge);
		cJSON *trunks = cJSON_AddArrayToObject(obj, "trunks");

		for (size_t j = 0; j < edge->trunk_count; j++)
			cJSON_AddItemToArray(trunks,
					     trunk_to_json(srv, edge,
							   edge->trunks[j],
							   now));
		cJSON_AddItemToArray(edges, obj);
	}
	pthread_mutex_unlock(&store->lock);
	return root;
}

/* Writes the dump to PATH.tmp and renames it to PATH. */
int store_dump_file(struct server *srv, const char *path)
{
	cJSON *json = store_dump(srv);
	char *text = cJSON_Print(json);
	char *tmp = text_printf("%s.tmp", path);
	FILE *file = NULL;
	int rc = -1;

	if (!text || !tmp)
		goto done;
	file = fopen(tmp, "w");
	if (!file)
		goto done;
	if (fputs(text, file) < 0 || fputc('\n', file) == EOF) {
		fclose(file);
		goto done;
	}
	if (fclose(file) == 0 && rename(tmp, path) == 0)
		rc = 0;
done:
	if (rc < 0)
		fprintf(stderr, "trunksim: error: cannot write dump '%s'\n",
			path);
	cJSON_Delete(json);
	free(text);
	free(tmp);
	return rc;
}

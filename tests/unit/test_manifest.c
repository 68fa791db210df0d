/* The manifest loader: files, folders, buffers, and the example. */
#define _XOPEN_SOURCE 700 /* nftw() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/error.h"
#include "model/manifest.h"

#ifndef TRUNKCTL_SOURCE_DIR
#define TRUNKCTL_SOURCE_DIR "."
#endif

#define EXAMPLE TRUNKCTL_SOURCE_DIR "/manifests/example"
#define FIXTURES TRUNKCTL_SOURCE_DIR "/tests/fixtures/manifests"

struct loaded {
	struct manifest_loader *loader;
	struct desired_model model;
	int rc;
};

static void load_paths(struct loaded *out, const char *const *paths,
		       size_t count)
{
	memset(out, 0, sizeof(*out));
	out->loader = manifest_loader_new();
	assert_non_null(out->loader);
	manifest_load_paths(out->loader, paths, count);
	out->rc = manifest_loader_finish(out->loader, &out->model);
}

static void load_path(struct loaded *out, const char *path)
{
	load_paths(out, &path, 1);
}

static void load_text(struct loaded *out, const char *name, const char *text)
{
	memset(out, 0, sizeof(*out));
	out->loader = manifest_loader_new();
	assert_non_null(out->loader);
	manifest_load_buffer(out->loader, name, text, strlen(text));
	out->rc = manifest_loader_finish(out->loader, &out->model);
}

static void release(struct loaded *loaded)
{
	desired_model_release(&loaded->model);
	manifest_loader_free(loaded->loader);
}

static const struct diag_list *diags_of(const struct loaded *loaded)
{
	return manifest_loader_diagnostics(loaded->loader);
}

/* Checks diagnostic `i` completely. A NULL file means a run-wide one. */
static void check_diag(const struct loaded *loaded, size_t i,
		       enum diag_severity severity, const char *file, int line,
		       int column, const char *message)
{
	const struct diag_list *diags = diags_of(loaded);
	const struct diagnostic *d;

	assert_true(i < diags->count);
	d = &diags->items[i];
	if (d->severity != severity || d->line != line ||
	    d->column != column || strcmp(d->message, message) != 0)
		fprintf(stderr, "diagnostic %zu: %s:%d:%d: %s\n", i,
			d->file ? d->file : "(run)", d->line, d->column,
			d->message);
	assert_int_equal(d->severity, severity);
	if (file)
		assert_string_equal(d->file, file);
	else
		assert_null(d->file);
	assert_int_equal(d->line, line);
	assert_int_equal(d->column, column);
	assert_string_equal(d->message, message);
}

static const struct desired_trunk *find_trunk(const struct desired_model *m,
					      const char *name)
{
	size_t i, j;

	for (i = 0; i < m->edge_count; i++)
		for (j = 0; j < m->edges[i].trunk_count; j++)
			if (strcmp(m->edges[i].trunks[j].spec.name, name) == 0)
				return &m->edges[i].trunks[j];
	return NULL;
}

static void assert_canonical(const struct desired_model *model,
			     const char *name, const char *expected)
{
	const struct desired_trunk *trunk = find_trunk(model, name);
	char *json;

	assert_non_null(trunk);
	json = trunk_spec_canonical_json(&trunk->spec);
	assert_non_null(json);
	assert_string_equal(json, expected);
	free(json);
}

static void example_loads_every_edge(void **state)
{
	struct loaded l;
	const struct desired_model *m = &l.model;

	(void)state;
	load_path(&l, EXAMPLE);
	assert_int_equal(l.rc, 0);
	assert_int_equal(diags_of(&l)->count, 0);

	assert_int_equal(m->file_count, 3);
	assert_string_equal(m->files[0], EXAMPLE "/edges/dublin.yaml");
	assert_string_equal(m->files[1], EXAMPLE "/edges/frankfurt.yaml");
	assert_string_equal(m->files[2],
			    EXAMPLE "/shared/anchors-and-east.yaml");

	assert_int_equal(m->edge_count, 4);
	assert_null(m->edges[0].edge.id);
	assert_string_equal(m->edges[0].edge.name, "Dublin Edge 1");
	assert_int_equal(m->edges[0].edge.max_trunks, 50);
	assert_false(m->edges[0].edge.prune);
	assert_int_equal(m->edges[0].trunk_count, 4);
	assert_string_equal(m->edges[1].edge.id,
			    "6f9619ff-8b86-d011-b42d-00cf4fc964ff");
	assert_int_equal(m->edges[1].edge.max_trunks, 20);
	assert_true(m->edges[1].edge.prune);
	assert_int_equal(m->edges[1].trunk_count, 3);
	assert_string_equal(m->edges[2].edge.id,
			    "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
	assert_int_equal(m->edges[2].trunk_count, 2);
	assert_string_equal(m->edges[3].edge.name, "Cork Edge 2");
	assert_int_equal(m->edges[3].trunk_count, 1);
	release(&l);
}

static void example_states_and_locations(void **state)
{
	const struct desired_trunk *trunk;
	struct loaded l;

	(void)state;
	load_path(&l, EXAMPLE);
	assert_int_equal(l.rc, 0);

	trunk = find_trunk(&l.model, "Legacy-PSTN-Gateway");
	assert_non_null(trunk);
	assert_int_equal(trunk->state, TRUNK_STATE_INACTIVE);
	trunk = find_trunk(&l.model, "FRA-Old-Carrier");
	assert_non_null(trunk);
	assert_int_equal(trunk->state, TRUNK_STATE_ABSENT);
	trunk = find_trunk(&l.model, "Carrier-Primary-Trunk");
	assert_non_null(trunk);
	assert_int_equal(trunk->state, TRUNK_STATE_ACTIVE);
	assert_string_equal(trunk->where.file, EXAMPLE "/edges/dublin.yaml");
	assert_int_equal(trunk->where.line, 19);
	assert_int_equal(trunk->where.column, 5);
	assert_int_equal(l.model.edges[1].where.line, 7);
	assert_int_equal(l.model.edges[1].where.column, 7);
	release(&l);
}

static void example_renders_payloads(void **state)
{
	struct loaded l;

	(void)state;
	load_path(&l, EXAMPLE);
	assert_int_equal(l.rc, 0);

	assert_canonical(&l.model, "Carrier-Primary-Trunk",
		"{\"name\":\"Carrier-Primary-Trunk\",\"description\":"
		"\"Primary carrier, Dublin POP\",\"maxConcurrentCalls\":500,"
		"\"codecs\":[\"PCMU\",\"PCMA\",\"G729\"],\"sipEndpoints\":"
		"[\"203.0.113.10:5060\",\"203.0.113.11:5060\"],"
		"\"natTraversal\":\"ENABLED\",\"keepAliveInterval\":30,"
		"\"keepAliveProtocol\":\"OPTIONS\",\"sipInviteTimeout\":15,"
		"\"rtpTimeout\":30}");
	/* keepAlive merges per sub-key: interval 60, protocol of defaults. */
	assert_canonical(&l.model, "Carrier-Backup-Trunk",
		"{\"name\":\"Carrier-Backup-Trunk\",\"description\":"
		"\"Backup carrier over IPv6\",\"maxConcurrentCalls\":200,"
		"\"codecs\":[\"PCMU\",\"PCMA\"],\"sipEndpoints\":"
		"[\"[2001:db8:10::5]:5060\",\"[2001:db8:10::6]:5080\"],"
		"\"natTraversal\":\"DISABLED\",\"keepAliveInterval\":60,"
		"\"keepAliveProtocol\":\"OPTIONS\",\"sipInviteTimeout\":15,"
		"\"rtpTimeout\":30}");
	/* The built-in defaults under the document's defaults. */
	assert_canonical(&l.model, "FRA-Old-Carrier",
		"{\"name\":\"FRA-Old-Carrier\",\"description\":\"\","
		"\"maxConcurrentCalls\":300,\"codecs\":[\"PCMA\",\"PCMU\"],"
		"\"sipEndpoints\":[\"198.51.100.77:5060\"],"
		"\"natTraversal\":\"ENABLED\",\"keepAliveInterval\":30,"
		"\"keepAliveProtocol\":\"SIP\",\"sipInviteTimeout\":15,"
		"\"rtpTimeout\":30}");
	/* A merge key copies the anchored trunk, and its own keys win. */
	assert_canonical(&l.model, "AMS-Carrier-Secondary",
		"{\"name\":\"AMS-Carrier-Secondary\",\"description\":"
		"\"Amsterdam secondary\",\"maxConcurrentCalls\":250,"
		"\"codecs\":[\"PCMU\",\"PCMA\"],\"sipEndpoints\":"
		"[\"203.0.113.71:5060\"],\"natTraversal\":\"DISABLED\","
		"\"keepAliveInterval\":30,\"keepAliveProtocol\":\"SIP\","
		"\"sipInviteTimeout\":20,\"rtpTimeout\":30}");
	assert_canonical(&l.model, "CORK-Carrier-Primary",
		"{\"name\":\"CORK-Carrier-Primary\",\"description\":"
		"\"Cork primary\",\"maxConcurrentCalls\":100,\"codecs\":"
		"[\"PCMU\"],\"sipEndpoints\":[\"sbc.cork.example.net:5060\"],"
		"\"natTraversal\":\"DISABLED\",\"keepAliveInterval\":30,"
		"\"keepAliveProtocol\":\"SIP\",\"sipInviteTimeout\":15,"
		"\"rtpTimeout\":30}");
	release(&l);
}

static void folder_sorted_hidden_skipped(void **state)
{
	const char *dir = FIXTURES "/mixed";
	struct loaded l;

	(void)state;
	load_path(&l, dir);
	assert_int_equal(l.rc, 0);
	assert_int_equal(diags_of(&l)->errors, 0);

	/* Byte-wise order: '-' (0x2d) sorts before '.' (0x2e). */
	assert_int_equal(l.model.file_count, 5);
	assert_string_equal(l.model.files[0], FIXTURES "/mixed/a.yaml");
	assert_string_equal(l.model.files[1],
			    FIXTURES "/mixed/b-folder/b.yml");
	assert_string_equal(l.model.files[2], FIXTURES "/mixed/b.yaml");
	assert_string_equal(l.model.files[3], FIXTURES "/mixed/comments.yml");
	assert_string_equal(l.model.files[4], FIXTURES "/mixed/empty.yaml");
	assert_int_equal(l.model.edge_count, 3);
	assert_string_equal(l.model.edges[1].edge.name, "Mixed Edge B");
	assert_int_equal(l.model.edges[1].trunk_count, 0);
	release(&l);
}

static void skipped_and_empty_are_warnings(void **state)
{
	struct loaded l;

	(void)state;
	load_path(&l, FIXTURES "/mixed/");
	assert_int_equal(l.rc, 0);
	assert_int_equal(diags_of(&l)->count, 3);
	assert_int_equal(diags_of(&l)->warnings, 3);
	check_diag(&l, 0, DIAG_WARNING, FIXTURES "/mixed/b-folder/b.yml", 8,
		   13, "skipping a document of apiVersion 'apps/v1': not a "
		   "trunkctl manifest");
	check_diag(&l, 1, DIAG_WARNING, FIXTURES "/mixed/comments.yml", 0, 0,
		   "no manifest: the file is empty or contains only comments");
	check_diag(&l, 2, DIAG_WARNING, FIXTURES "/mixed/empty.yaml", 0, 0,
		   "no manifest: the file is empty or contains only comments");
	release(&l);
}

static void no_manifest_is_an_error(void **state)
{
	struct loaded l;

	(void)state;
	load_path(&l, FIXTURES "/not-trunkctl");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->errors, 1);
	check_diag(&l, 0, DIAG_WARNING, FIXTURES "/not-trunkctl/ci.yaml", 2,
		   1, "skipping a document without apiVersion: not a "
		   "trunkctl manifest");
	check_diag(&l, 1, DIAG_ERROR, NULL, 0, 0,
		   "no trunkctl manifest found: 1 file read, none with a "
		   "document of apiVersion trunkctl/v1");
	assert_int_equal(l.model.edge_count, 0);
	release(&l);
}

static void empty_file_alone_is_an_error(void **state)
{
	const char *path = FIXTURES "/mixed/empty.yaml";
	struct loaded l;

	(void)state;
	load_path(&l, path);
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, path, 0, 0,
		   "no manifest: the file is empty or contains only comments");
	release(&l);
}

static void missing_path_is_named(void **state)
{
	const char *paths[] = { EXAMPLE, FIXTURES "/no-such-file.yaml" };
	struct loaded l;

	(void)state;
	load_paths(&l, paths, 2);
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, paths[1], 0, 0,
		   "cannot open: No such file or directory");
	release(&l);
}

static void make_temp_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/test_manifest.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void empty_folder_is_an_error(void **state)
{
	char dir[64];
	struct loaded l;

	(void)state;
	make_temp_dir(dir, sizeof(dir));
	load_path(&l, dir);
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	check_diag(&l, 0, DIAG_ERROR, dir, 0, 0,
		   "no *.yaml or *.yml file found");
	release(&l);
	rmdir(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * Upper case sorts before lower case. Links to files are followed, links
 * to folders are not.
 */
static void folder_order_is_bytewise(void **state)
{
	static const char edge[] = "apiVersion: trunkctl/v1\n"
				   "kind: EdgeTrunks\nedge: {name: Edge %zu}\n"
				   "trunks: []\n";
	static const char *const names[] = { "b.yaml", "B.yaml", "a.yml",
					     "a/z.yaml", "a-b.yaml",
					     "sub/.hidden/x.yaml",
					     "sub/linked.txt" };
	static const char *const order[] = { "B.yaml", "a-b.yaml", "a.yml",
					     "a/z.yaml", "b.yaml",
					     "c-link.yaml" };
	char dir[64], path[128], text[160], expected[128];
	struct loaded l;
	size_t i;

	(void)state;
	make_temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/.hidden", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), edge, i);
		write_file(dir, names[i], text);
	}
	write_file(dir, "notes.txt", "not: [yaml\n");
	snprintf(path, sizeof(path), "%s/linked", dir);
	assert_int_equal(symlink("a", path), 0);
	snprintf(path, sizeof(path), "%s/c-link.yaml", dir);
	assert_int_equal(symlink("sub/linked.txt", path), 0);

	load_path(&l, dir);
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.model.file_count, 6);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		snprintf(expected, sizeof(expected), "%s/%s", dir, order[i]);
		assert_string_equal(l.model.files[i], expected);
	}
	release(&l);
	remove_tree(dir);
}

static void duplicate_edge_names_first(void **state)
{
	struct loaded l;

	(void)state;
	load_path(&l, FIXTURES "/duplicate-edge");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, FIXTURES "/duplicate-edge/second.yaml",
		   4, 7, "edge id '1B4E28BA-2FA1-11D2-883F-0016D3CCA427' is "
		   "already declared at " FIXTURES
		   "/duplicate-edge/first.yaml:4");
	release(&l);
}

static void duplicate_edge_by_name(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "two.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {name: Dublin Edge 1}\ntrunks: []\n---\n"
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {name: DUBLIN edge 1}\ntrunks: []\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	check_diag(&l, 0, DIAG_ERROR, "two.yaml", 8, 14,
		   "edge name 'DUBLIN edge 1' is already declared at "
		   "two.yaml:3");
	release(&l);
}

static void multi_document_buffer(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "HEAD~1:edges/all.yaml",
		  "---\napiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: edge-1}\ntrunks: []\n"
		  "---\n# nothing here but a comment\n"
		  "---\napiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: edge-2, maxTrunks: 3, prune: true}\n"
		  "trunks: []\n...\n");
	assert_int_equal(l.rc, 0);
	assert_int_equal(diags_of(&l)->count, 0);
	assert_int_equal(l.model.edge_count, 2);
	assert_string_equal(l.model.edges[1].edge.id, "edge-2");
	assert_int_equal(l.model.edges[1].edge.max_trunks, 3);
	assert_true(l.model.edges[1].edge.prune);
	assert_string_equal(l.model.edges[1].where.file,
			    "HEAD~1:edges/all.yaml");
	assert_int_equal(l.model.edges[1].where.line, 11);
	release(&l);
}

/* Anchors live in defaults or trunks: other top-level keys are errors. */
static void extension_keys_are_unknown(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "merge.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: e}\n"
		  "x-calls: &calls {maxConcurrentCalls: 7, rtpTimeout: 40}\n"
		  "x-more: &more {maxConcurrentCalls: 9, sipInviteTimeout: 5,"
		  " description: merged}\n"
		  "trunks:\n"
		  "  - <<: [*calls, *more]\n"
		  "    name: M\n"
		  "    description: own\n"
		  "    sipEndpoints: ['203.0.113.5:5060']\n"
		  "    codecs: [g729]\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->errors, 2);
	check_diag(&l, 0, DIAG_ERROR, "merge.yaml", 4, 1,
		   "unknown key 'x-calls' in the document; expected one of: "
		   "apiVersion, kind, edge, defaults, trunks");
	check_diag(&l, 1, DIAG_ERROR, "merge.yaml", 5, 1,
		   "unknown key 'x-more' in the document; expected one of: "
		   "apiVersion, kind, edge, defaults, trunks");
	release(&l);
}

static void merge_key_list_precedence(void **state)
{
	const struct desired_trunk *trunk;
	struct loaded l;

	(void)state;
	load_text(&l, "merge.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: e}\n"
		  "defaults: &calls {maxConcurrentCalls: 7, rtpTimeout: 40}\n"
		  "trunks:\n"
		  "  - &first\n"
		  "    name: First\n"
		  "    sipEndpoints: ['203.0.113.5:5060']\n"
		  "    codecs: [g729]\n"
		  "    sipInviteTimeout: 5\n"
		  "    description: first\n"
		  "  - <<: [{description: second, rtpTimeout: 50}, *first,"
		  " *calls]\n"
		  "    name: Second\n");
	assert_int_equal(l.rc, 0);
	trunk = find_trunk(&l.model, "Second");
	assert_non_null(trunk);
	assert_string_equal(trunk->spec.description, "second");
	assert_int_equal(trunk->spec.rtp_timeout, 50);
	assert_int_equal(trunk->spec.sip_invite_timeout, 5);
	assert_int_equal(trunk->spec.max_concurrent_calls, 7);
	assert_string_equal(trunk->spec.codecs[0], "G729");
	release(&l);
}

/* Each trunk owns its strings, whether its own or copied from defaults. */
static void defaults_copied_to_each_trunk(void **state)
{
	const struct desired_trunk *a, *b, *c;
	struct loaded l;

	(void)state;
	load_text(&l, "shared.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: e}\n"
		  "defaults:\n"
		  "  description: shared\n"
		  "  sipEndpoints: ['203.0.113.5:5060', 'sbc.example.net:5061']\n"
		  "  codecs: [pcma, PCMU]\n"
		  "  maxConcurrentCalls: 4\n"
		  "trunks:\n"
		  "  - name: A\n"
		  "  - name: B\n"
		  "  - name: C\n"
		  "    description: own\n"
		  "    sipEndpoints: ['198.51.100.1:5060']\n"
		  "    codecs: [G722]\n");
	assert_int_equal(l.rc, 0);
	a = find_trunk(&l.model, "A");
	b = find_trunk(&l.model, "B");
	c = find_trunk(&l.model, "C");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);

	assert_string_equal(a->spec.description, "shared");
	assert_string_equal(b->spec.description, "shared");
	assert_ptr_not_equal(a->spec.description, b->spec.description);
	assert_int_equal(a->spec.sip_endpoint_count, 2);
	assert_int_equal(b->spec.sip_endpoint_count, 2);
	assert_ptr_not_equal(a->spec.sip_endpoints, b->spec.sip_endpoints);
	assert_string_equal(a->spec.sip_endpoints[1], "sbc.example.net:5061");
	assert_string_equal(b->spec.sip_endpoints[1], "sbc.example.net:5061");
	assert_ptr_not_equal(a->spec.sip_endpoints[1],
			     b->spec.sip_endpoints[1]);
	assert_int_equal(b->spec.codec_count, 2);
	assert_string_equal(b->spec.codecs[0], "PCMA");
	assert_ptr_not_equal(a->spec.codecs, b->spec.codecs);

	assert_string_equal(c->spec.description, "own");
	assert_int_equal(c->spec.sip_endpoint_count, 1);
	assert_string_equal(c->spec.sip_endpoints[0], "198.51.100.1:5060");
	assert_int_equal(c->spec.codec_count, 1);
	assert_string_equal(c->spec.codecs[0], "G722");
	assert_int_equal(c->spec.max_concurrent_calls, 4);
	release(&l);
}

static void duplicate_keys_are_errors(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "dup.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {id: e, id: f}\n"
		  "trunks: []\n"
		  "trunks: []\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 2);
	check_diag(&l, 0, DIAG_ERROR, "dup.yaml", 3, 15,
		   "duplicate key 'id' (first defined at line 3, column 8)");
	check_diag(&l, 1, DIAG_ERROR, "dup.yaml", 5, 1,
		   "duplicate key 'trunks' (first defined at line 4, "
		   "column 1)");
	release(&l);
}

static void alias_bomb_is_stopped(void **state)
{
	static const char bomb[] =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct timespec start, end;
	struct loaded l;
	const struct diagnostic *d;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &start);
	load_text(&l, "bomb.yaml", bomb);
	clock_gettime(CLOCK_MONOTONIC, &end);

	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->errors, 1);
	d = &diags_of(&l)->items[0];
	/* Each list of f expands to over 10^5 nodes: two pass the bound. */
	assert_int_equal(d->line, 6);
	assert_string_equal(d->message,
			    "more than 250000 YAML nodes, counting every use "
			    "of an alias; split the file, or look for an "
			    "alias bomb");
	assert_true(end.tv_sec - start.tv_sec < 5);
	release(&l);
}

static void big_file_rejected_by_size(void **state)
{
	char dir[64], path[96];
	struct loaded l;
	int fd;

	(void)state;
	make_temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	/* Sparse: 64 MiB that take no disk space and are never read. */
	assert_int_equal(ftruncate(fd, 64 * 1024 * 1024), 0);
	close(fd);

	load_path(&l, dir);
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, path, 0, 0,
		   "the file is 67108864 bytes; manifests are limited to "
		   "16 MiB (16777216 bytes)");
	release(&l);
	unlink(path);
	rmdir(dir);
}

static void big_buffer_rejected(void **state)
{
	struct manifest_loader *loader = manifest_loader_new();
	char *data = malloc(MANIFEST_MAX_BYTES + 1);
	const struct diag_list *diags;

	(void)state;
	assert_non_null(loader);
	assert_non_null(data);
	memset(data, '#', MANIFEST_MAX_BYTES + 1);
	assert_int_equal(manifest_load_buffer(loader, "rev:big.yaml", data,
					      MANIFEST_MAX_BYTES + 1),
			 TRUNKCTL_EINVALID);
	free(data);
	diags = manifest_loader_diagnostics(loader);
	assert_int_equal(diags->count, 1);
	assert_string_equal(diags->items[0].file, "rev:big.yaml");
	assert_string_equal(diags->items[0].message,
			    "the file is 16777217 bytes; manifests are "
			    "limited to 16 MiB (16777216 bytes)");
	manifest_loader_free(loader);
}

static void null_buffer_is_empty(void **state)
{
	struct manifest_loader *loader = manifest_loader_new();
	struct desired_model model;
	const struct diag_list *diags;

	(void)state;
	assert_non_null(loader);
	assert_int_equal(manifest_load_buffer(loader, "rev:empty.yaml", NULL,
					      0),
			 0);
	assert_int_equal(manifest_loader_finish(loader, &model),
			 TRUNKCTL_EINVALID);
	diags = manifest_loader_diagnostics(loader);
	assert_int_equal(diags->count, 1);
	assert_string_equal(diags->items[0].file, "rev:empty.yaml");
	assert_string_equal(diags->items[0].message,
			    "no manifest: the file is empty or contains only "
			    "comments");
	manifest_loader_free(loader);
}

static void invalid_utf8_names_line(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "latin1.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge: {name: M\xfcnchen}\ntrunks: []\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, "latin1.yaml", 3, 15,
		   "invalid UTF-8 (byte 0xFC); manifests must be UTF-8 text");
	/* The quoted line shows the bad byte as '?'. */
	assert_string_equal(diags_of(&l)->items[0].source_line,
			    "edge: {name: M?nchen}");
	release(&l);
}

static void syntax_error_is_located(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "broken.yaml",
		  "apiVersion: trunkctl/v1\nkind: EdgeTrunks\n"
		  "edge:\n  id: [e\ntrunks: []\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 1);
	check_diag(&l, 0, DIAG_ERROR, "broken.yaml", 5, 7,
		   "did not find expected ',' or ']' (while parsing a flow "
		   "sequence at line 4, column 7)");
	release(&l);
}

static void unsupported_api_version(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "v2.yaml",
		  "apiVersion: trunkctl/v2\nkind: EdgeTrunks\n"
		  "edge: {id: e}\ntrunks: []\n---\n"
		  "kind: EdgeTrunks\nedge: {id: f}\ntrunks: []\n");
	assert_int_equal(l.rc, TRUNKCTL_EINVALID);
	assert_int_equal(diags_of(&l)->count, 2);
	check_diag(&l, 0, DIAG_ERROR, "v2.yaml", 1, 13,
		   "unsupported apiVersion 'trunkctl/v2'; this trunkctl reads "
		   "trunkctl/v1");
	check_diag(&l, 1, DIAG_ERROR, "v2.yaml", 6, 1,
		   "missing 'apiVersion: trunkctl/v1'");
	release(&l);
}

static void finish_runs_once(void **state)
{
	struct desired_model model;
	struct loaded l;

	(void)state;
	load_path(&l, EXAMPLE);
	assert_int_equal(l.rc, 0);
	assert_int_equal(manifest_loader_finish(l.loader, &model),
			 TRUNKCTL_EINVALID);
	assert_int_equal(model.edge_count, 0);
	release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_loads_every_edge),
		cmocka_unit_test(example_states_and_locations),
		cmocka_unit_test(example_renders_payloads),
		cmocka_unit_test(folder_sorted_hidden_skipped),
		cmocka_unit_test(skipped_and_empty_are_warnings),
		cmocka_unit_test(no_manifest_is_an_error),
		cmocka_unit_test(empty_file_alone_is_an_error),
		cmocka_unit_test(missing_path_is_named),
		cmocka_unit_test(empty_folder_is_an_error),
		cmocka_unit_test(folder_order_is_bytewise),
		cmocka_unit_test(duplicate_edge_names_first),
		cmocka_unit_test(duplicate_edge_by_name),
		cmocka_unit_test(multi_document_buffer),
		cmocka_unit_test(extension_keys_are_unknown),
		cmocka_unit_test(merge_key_list_precedence),
		cmocka_unit_test(defaults_copied_to_each_trunk),
		cmocka_unit_test(duplicate_keys_are_errors),
		cmocka_unit_test(alias_bomb_is_stopped),
		cmocka_unit_test(big_file_rejected_by_size),
		cmocka_unit_test(big_buffer_rejected),
		cmocka_unit_test(null_buffer_is_empty),
		cmocka_unit_test(invalid_utf8_names_line),
		cmocka_unit_test(syntax_error_is_located),
		cmocka_unit_test(unsupported_api_version),
		cmocka_unit_test(finish_runs_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Export: YAML scalars, file names, and manifests that load back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/error.h"
#include "model/export.h"
#include "model/manifest.h"

struct scalar_case {
	const char *text;
	bool flow;
	const char *expected;
};

static const struct scalar_case scalar_cases[] = {
	{ "Carrier-Primary", false, "Carrier-Primary" },
	{ "Primary carrier, Dublin POP", false,
	  "Primary carrier, Dublin POP" },
	{ "Primary carrier, Dublin POP", true,
	  "\"Primary carrier, Dublin POP\"" },
	{ "Carrier's trunk (old)", false, "Carrier's trunk (old)" },
	{ "PCMU", true, "PCMU" },
	{ "", false, "\"\"" },
	{ "yes", false, "\"yes\"" },
	{ "No", false, "\"No\"" },
	{ "ON", false, "\"ON\"" },
	{ "off", false, "\"off\"" },
	{ "true", false, "\"true\"" },
	{ "null", false, "\"null\"" },
	{ "y", false, "\"y\"" },
	{ "~", false, "\"~\"" },
	{ "a: #b", false, "\"a: #b\"" },
	{ "a:b", false, "\"a:b\"" },
	{ "x #y", false, "\"x #y\"" },
	{ " lead", false, "\" lead\"" },
	{ "trail ", false, "\"trail \"" },
	{ "123", false, "\"123\"" },
	{ "1.5", false, "\"1.5\"" },
	{ ".inf", false, "\".inf\"" },
	{ "-x", false, "\"-x\"" },
	{ "*x", false, "\"*x\"" },
	{ "&x", false, "\"&x\"" },
	{ "!x", false, "\"!x\"" },
	{ "|x", false, "\"|x\"" },
	{ ">x", false, "\">x\"" },
	{ "%x", false, "\"%x\"" },
	{ "@x", false, "\"@x\"" },
	{ "`x", false, "\"`x\"" },
	{ "say \"hi\"", false, "\"say \\\"hi\\\"\"" },
	{ "back\\slash", false, "\"back\\\\slash\"" },
	{ "a\nb\tc", false, "\"a\\nb\\tc\"" },
	{ "bell\a", false, "\"bell\\u0007\"" },
	{ "del\x7f", false, "\"del\\u007F\"" },
	{ "c1\xc2\x85", false, "\"c1\\u0085\"" },
	{ "ls\xe2\x80\xa8", false, "\"ls\\u2028\"" },
	{ "bom\xef\xbb\xbf", false, "\"bom\\uFEFF\"" },
	{ "Z\xc3\xbcrich", false, "\"Z\xc3\xbcrich\"" },
	{ "bad\xff", false, "\"bad\\uFFFD\"" },
};

static void export_scalars(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(scalar_cases) / sizeof(scalar_cases[0]); i++) {
		const struct scalar_case *c = &scalar_cases[i];
		char *got = export_yaml_scalar(c->text, c->flow, NULL);

		assert_non_null(got);
		if (strcmp(got, c->expected) != 0)
			fail_msg("case %zu '%s': got %s, expected %s", i,
				 c->text, got, c->expected);
		free(got);
	}
}

static void export_replaced_flag(void **state)
{
	bool replaced = false;
	char *got;

	(void)state;
	got = export_yaml_scalar("fine", false, &replaced);
	assert_false(replaced);
	free(got);
	got = export_yaml_scalar("bad\xc3", false, &replaced);
	assert_true(replaced);
	free(got);
}

static void export_file_names(void **state)
{
	static const char *const cases[][3] = {
		{ "Dublin Edge 1", "id", "dublin-edge-1.yaml" },
		{ "Edge/Two: *Special*", "id", "edge-two-special.yaml" },
		{ "  --x--  ", "id", "x.yaml" },
		{ "../../etc/passwd", "id", "etc-passwd.yaml" },
		{ "Z\xc3\xbcrich", "id", "z-rich.yaml" },
		{ "", "3F25-AB", "3f25-ab.yaml" },
		{ NULL, "***", "edge.yaml" },
		{ "v1.2_x", "id", "v1.2_x.yaml" },
	};
	char long_name[200];
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = export_file_name(cases[i][0], cases[i][1]);
		assert_non_null(got);
		assert_string_equal(got, cases[i][2]);
		free(got);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	got = export_file_name(long_name, "id");
	assert_int_equal(strlen(got), 64 + strlen(".yaml"));
	free(got);
}

/* A live trunk with every field set; `status` decides the state. */
static void make_trunk(struct live_trunk *t, const char *name,
		       const char *description, enum trunk_status status)
{
	static char *endpoints[] = { "203.0.113.1:5060", "[2001:db8::1]:5061" };
	static char *codecs[] = { "G722", "PCMU" };

	memset(t, 0, sizeof(*t));
	trunk_spec_init(&t->spec);
	t->spec.name = (char *)name;
	t->spec.description = (char *)description;
	t->spec.sip_endpoints = endpoints;
	t->spec.sip_endpoint_count = 2;
	t->spec.codecs = codecs;
	t->spec.codec_count = 2;
	t->spec.max_concurrent_calls = 42;
	t->id = "t-1";
	t->status = status;
}

static void load(const char *text, struct desired_model *model)
{
	struct manifest_loader *loader = manifest_loader_new();
	int rc;

	assert_non_null(loader);
	rc = manifest_load_buffer(loader, "export.yaml", text, strlen(text));
	if (rc == 0)
		rc = manifest_loader_finish(loader, model);
	if (rc != 0) {
		diag_list_print(manifest_loader_diagnostics(loader), stderr);
		fail_msg("the export does not load:\n%s", text);
	}
	manifest_loader_free(loader);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f ||
		    ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] < 0xa0))
			return true;
	return false;
}

/* Every scalar case round-trips as a description and as a name. */
static void export_round_trip(void **state)
{
	struct edge_ref edge = { "edge-1", "Edge: \"one\"", 20, false };
	struct live_trunk trunks[2];
	struct desired_model model = { 0 };
	struct field_change changes[16];
	char name[64];
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(scalar_cases) / sizeof(scalar_cases[0]); i++) {
		const char *s = scalar_cases[i].text;

		if (strstr(s, "\xff") || strlen(s) == 0)
			continue;
		/* Manifests reject control characters in names. */
		make_trunk(&trunks[0], has_control(s) ? "Name" : s, s,
			   TRUNK_STATUS_DISABLED);
		snprintf(name, sizeof(name), "Other-%zu", i);
		make_trunk(&trunks[1], name, s, TRUNK_STATUS_FAILED);
		trunks[1].spec.nat_traversal = true;
		trunks[1].spec.keepalive_interval = 7;
		trunks[1].spec.keepalive_protocol = KEEPALIVE_OPTIONS;
		trunks[1].spec.sip_invite_timeout = 3;
		trunks[1].spec.rtp_timeout = 90;
		assert_int_equal(export_render_manifest(&edge, trunks, 2, &text),
				 0);
		load(text, &model);
		assert_int_equal(model.edge_count, 1);
		assert_string_equal(model.edges[0].edge.id, "edge-1");
		assert_string_equal(model.edges[0].edge.name, "Edge: \"one\"");
		assert_int_equal(model.edges[0].edge.max_trunks, 20);
		assert_int_equal(model.edges[0].trunk_count, 2);
		assert_string_equal(model.edges[0].trunks[0].spec.name,
				    trunks[0].spec.name);
		assert_int_equal(trunk_spec_diff(&trunks[0].spec,
						 &model.edges[0].trunks[0].spec,
						 changes, 16), 0);
		assert_int_equal(trunk_spec_diff(&trunks[1].spec,
						 &model.edges[0].trunks[1].spec,
						 changes, 16), 0);
		assert_int_equal(model.edges[0].trunks[0].state,
				 TRUNK_STATE_INACTIVE);
		assert_int_equal(model.edges[0].trunks[1].state,
				 TRUNK_STATE_ACTIVE);
		desired_model_release(&model);
		free(text);
	}
}

static void export_defaults_left_out(void **state)
{
	struct edge_ref edge = { "e", NULL, 50, false };
	struct live_trunk trunk;
	static const enum trunk_status active[] = {
		TRUNK_STATUS_ENABLED, TRUNK_STATUS_PENDING, TRUNK_STATUS_FAILED,
	};
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		make_trunk(&trunk, "T", "", active[i]);
		assert_int_equal(export_render_manifest(&edge, &trunk, 1, &text),
				 0);
		assert_null(strstr(text, "description"));
		assert_null(strstr(text, "natTraversal"));
		assert_null(strstr(text, "keepAlive"));
		assert_null(strstr(text, "sipInviteTimeout"));
		assert_null(strstr(text, "rtpTimeout"));
		assert_null(strstr(text, "state"));
		assert_null(strstr(text, "maxTrunks"));
		assert_null(strstr(text, "  name:"));
		assert_non_null(strstr(text, "    maxConcurrentCalls: 42\n"));
		assert_non_null(strstr(text, "    codecs: [G722, PCMU]\n"));
		free(text);
	}
	assert_int_equal(export_render_manifest(&edge, NULL, 0, &text), 0);
	assert_non_null(strstr(text, "trunks: []\n"));
	free(text);

	/* Deleted trunks do not exist for the reconciler. */
	make_trunk(&trunk, "T", "", TRUNK_STATUS_ENABLED);
	trunk.deleted = true;
	assert_int_equal(export_render_manifest(&edge, &trunk, 1, &text), 0);
	assert_non_null(strstr(text, "trunks: []\n"));
	assert_null(strstr(text, "name: T"));
	free(text);
}

static void export_write_no_overwrite(void **state)
{
	char dir[] = "/tmp/trunkctl-export-test-XXXXXX";
	char path[128], buf[32] = { 0 };
	struct stat st;
	FILE *in;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/edge.yaml", dir);
	assert_int_equal(export_write_file(path, "first\n", false), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(export_write_file(path, "second\n", false),
			 TRUNKCTL_ECONFLICT);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_non_null(fgets(buf, sizeof(buf), in));
	fclose(in);
	assert_string_equal(buf, "first\n");
	assert_int_equal(export_write_file(path, "second\n", true), 0);
	in = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), in));
	fclose(in);
	assert_string_equal(buf, "second\n");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);   /* no temporary file is left */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(export_scalars),
		cmocka_unit_test(export_replaced_flag),
		cmocka_unit_test(export_file_names),
		cmocka_unit_test(export_round_trip),
		cmocka_unit_test(export_defaults_left_out),
		cmocka_unit_test(export_write_no_overwrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The text, JSON and Markdown renderings, compared with golden files. */
#include "test_plan_fixture.h"

#include <stdio.h>

#include "reconcile/plan_internal.h"
#include "version.h"

#define GOLDEN_DIR TRUNKCTL_SOURCE_DIR "/tests/fixtures/plans/"

static struct fixture *fx;

/*
 * Two edges: the first with one trunk of each kind of change and prune
 * on; the second with an unmanaged trunk and nothing to do.
 */
static int setup(void **state)
{
	struct desired_trunk *d;

	(void)state;
	fx = fixture_new(2);
	fx->edges[0].desired.edge.prune = true;
	fixture_desire(fx, 0, "Carrier-Primary", TRUNK_STATE_ACTIVE);
	d = fixture_desire(fx, 0, "Carrier-Backup", TRUNK_STATE_ACTIVE);
	d->spec.max_concurrent_calls = 250;
	free(d->spec.codecs[1]);
	d->spec.codecs[1] = strdup("G729");
	fixture_live(fx, 0, "Carrier-Backup", "t-200", TRUNK_STATUS_ENABLED)
		->version = 4;
	fixture_desire(fx, 0, "Carrier-Lab", TRUNK_STATE_INACTIVE);
	fixture_live(fx, 0, "Carrier-Lab", "t-300", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "Old|Carrier", "t-100", TRUNK_STATUS_DISABLED);
	fixture_desire(fx, 1, "Carrier-Quiet", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 1, "Carrier-Quiet", "t-400", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 1, "Legacy", "t-500", TRUNK_STATUS_ENABLED);
	return fixture_build(fx);
}

static int teardown(void **state)
{
	(void)state;
	fixture_free(fx);
	fx = NULL;
	return 0;
}

static char *read_text(const char *path)
{
	FILE *file = fopen(path, "rb");
	char *text;
	long len;

	if (!file)
		return NULL;
	fseek(file, 0, SEEK_END);
	len = ftell(file);
	fseek(file, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, file), (size_t)len);
	fclose(file);
	return text;
}

/*
 * Compares `actual` with the golden file `name`. With
 * TRUNKCTL_UPDATE_GOLDEN=1 in the environment the file is rewritten.
 */
static void check_golden(const char *name, const char *actual)
{
	char path[512];
	char *expected;
	FILE *file;

	snprintf(path, sizeof(path), "%s%s", GOLDEN_DIR, name);
	if (getenv("TRUNKCTL_UPDATE_GOLDEN")) {
		file = fopen(path, "wb");
		assert_non_null(file);
		fputs(actual, file);
		fclose(file);
	}
	expected = read_text(path);
	if (!expected)
		fail_msg("missing golden file %s", path);
	if (strcmp(expected, actual) != 0) {
		fprintf(stderr, "--- %s\n%s--- actual\n%s", path, expected,
			actual);
		free(expected);
		fail_msg("rendering differs from %s", path);
	}
	free(expected);
}

static void test_render_text(void **state)
{
	struct plan_render_options options = { false };
	char *text;

	(void)state;
	assert_int_equal(plan_render_text(fx->plan, &options, &text), 0);
	check_golden("basic.txt", text);
	free(text);
}

static void test_render_text_color(void **state)
{
	struct plan_render_options options = { true };
	char *text;

	(void)state;
	assert_int_equal(plan_render_text(fx->plan, &options, &text), 0);
	assert_non_null(strstr(text, "\033[32m+ create\033[0m"));
	assert_non_null(strstr(text, "\033[31m- delete\033[0m"));
	free(text);
}

static void test_render_failed_edge(void **state)
{
	struct fixture *dup = fixture_new(1);
	char *text;

	(void)state;
	fixture_live(dup, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(dup, 0, "CARRIER-A", "t2", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(dup), 0);
	assert_int_equal(plan_render_text(dup->plan, NULL, &text), 0);
	assert_non_null(strstr(text, "  error: edge \"Dublin Edge 1\" has "
			       "two live trunks"));
	assert_non_null(strstr(text, "Planning failed for 1 of 1 edges"));
	assert_null(strstr(text, "No changes."));
	free(text);
	assert_int_equal(plan_render_markdown(dup->plan, &text), 0);
	assert_non_null(strstr(text, "**Planning failed for 1 of 1 edges."));
	free(text);
	fixture_free(dup);
}

static void test_render_no_changes(void **state)
{
	struct fixture *quiet = fixture_new(1);
	char *text;

	(void)state;
	fixture_desire(quiet, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fixture_live(quiet, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(quiet), 0);
	assert_int_equal(plan_render_text(quiet->plan, NULL, &text), 0);
	assert_string_equal(text, "No changes. The edges match the "
			    "manifests.\n");
	free(text);
	fixture_free(quiet);
}

/* Replaces the tool version, so the golden file survives a release. */
static void mask_version(char *json)
{
	char *at = strstr(json, "\"" TRUNKCTL_VERSION "\"");

	assert_non_null(at);
	memset(at + 1, 'X', strlen(TRUNKCTL_VERSION));
}

static void test_render_json(void **state)
{
	char *text;
	cJSON *json;

	(void)state;
	assert_int_equal(plan_render_json(fx->plan, &text), 0);
	json = cJSON_Parse(text);
	assert_non_null(json);
	assert_int_equal(cJSON_GetObjectItem(json, "formatVersion")->valueint,
			 1);
	cJSON_Delete(json);
	mask_version(text);
	/* The masked version changes the body, so drop the digest line. */
	*strstr(text, "\t\"planSha256\"") = '\0';
	check_golden("basic.json", text);
	free(text);
}

static void test_render_markdown(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(plan_render_markdown(fx->plan, &text), 0);
	check_golden("basic.md", text);
	free(text);
}

/* Whether `text` is valid UTF-8 (no check for overlong forms). */
static bool utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int follow;

	while (*p) {
		if (*p < 0x80)
			follow = 0;
		else if ((*p & 0xe0) == 0xc0)
			follow = 1;
		else if ((*p & 0xf0) == 0xe0)
			follow = 2;
		else if ((*p & 0xf8) == 0xf0)
			follow = 3;
		else
			return false;
		p++;
		while (follow-- > 0)
			if ((*p++ & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void test_markdown_cut_multibyte(void **state)
{
	struct fixture *big = fixture_new(1);
	char name[128], *text;
	const char *note;
	size_t i;

	(void)state;
	big->edges[0].desired.edge.max_trunks = 1000;
	for (i = 0; i < 400; i++) {
		snprintf(name, sizeof(name),
			 "Trunk-東京-Zürich-Ωμέγα-%zu-多字节名称", i);
		fixture_desire(big, 0, name, TRUNK_STATE_ACTIVE);
	}
	assert_int_equal(fixture_build(big), 0);
	assert_int_equal(plan_render_markdown(big->plan, &text), 0);
	assert_true(strlen(text) < PLAN_MARKDOWN_MAX);
	assert_true(utf8_valid(text));
	note = strstr(text, "\n_The plan was cut here");
	assert_non_null(note);
	assert_non_null(strstr(note, "actions) were left out"));
	/* The row before the note is whole. */
	assert_true(note[-1] == '\n' && note[-2] == '|');
	free(text);
	fixture_free(big);
}

static void test_markdown_small_limit(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(plan_render_markdown_limited(fx->plan, 1200, &text),
			 0);
	assert_true(strlen(text) < 1200);
	assert_non_null(strstr(text, "were left out"));
	free(text);
}

static void test_markdown_escapes_cells(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(plan_render_markdown(fx->plan, &text), 0);
	assert_non_null(strstr(text, "Old\\|Carrier"));
	assert_null(strstr(text, "Old|Carrier"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_text_color),
		cmocka_unit_test(test_render_failed_edge),
		cmocka_unit_test(test_render_no_changes),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_markdown),
		cmocka_unit_test(test_markdown_cut_multibyte),
		cmocka_unit_test(test_markdown_small_limit),
		cmocka_unit_test(test_markdown_escapes_cells),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

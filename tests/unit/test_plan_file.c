/* Plan files and fingerprints. */
#include "test_plan_fixture.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/error.h"

static struct fixture *fx;
static char folder[] = "/tmp/trunkctl-plan-XXXXXX";
static char path[512];

static int setup(void **state)
{
	struct desired_trunk *d;

	(void)state;
	if (!mkdtemp(folder))
		return -1;
	snprintf(path, sizeof(path), "%s/plan.json", folder);
	fx = fixture_new(1);
	fx->options.source.path = NULL;
	fx->options.source.repo = "git@example.org:voice/trunks.git";
	fx->options.source.ref = "main";
	fx->options.source.commit = "0123456789abcdef0123456789abcdef01234567";
	fx->options.source.dirty = true;
	fixture_desire(fx, 0, "Carrier-Primary", TRUNK_STATE_ACTIVE);
	d = fixture_desire(fx, 0, "Carrier-Backup", TRUNK_STATE_ACTIVE);
	d->spec.max_concurrent_calls = 250;
	d->spec.keepalive_protocol = KEEPALIVE_OPTIONS;
	fixture_live(fx, 0, "Carrier-Backup", "t-200", TRUNK_STATUS_ENABLED)
		->version = 4;
	fixture_desire(fx, 0, "Carrier-Gone", TRUNK_STATE_ABSENT);
	fixture_live(fx, 0, "Carrier-Gone", "t-300", TRUNK_STATUS_ENABLED);
	return fixture_build(fx);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(folder);
	fixture_free(fx);
	return 0;
}

static void fresh_inputs(struct plan_edge_input *inputs)
{
	fixture_inputs(fx, inputs);
}

static char *slurp(size_t *len)
{
	FILE *file = fopen(path, "rb");
	char *text;

	assert_non_null(file);
	fseek(file, 0, SEEK_END);
	*len = (size_t)ftell(file);
	fseek(file, 0, SEEK_SET);
	text = calloc(1, *len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, *len, file), *len);
	fclose(file);
	return text;
}

static void spill(const char *text, size_t len)
{
	FILE *file = fopen(path, "wb");

	assert_non_null(file);
	assert_int_equal(fwrite(text, 1, len, file), len);
	fclose(file);
}

static void test_save_load_round_trip(void **state)
{
	struct plan *loaded = NULL;
	char *before, *after;
	struct stat st;

	(void)state;
	assert_int_equal(plan_save(fx->plan, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(plan_load(path, &loaded), 0);
	assert_int_equal(plan_action_count(loaded),
			 plan_action_count(fx->plan));
	assert_string_equal(plan_source(loaded)->commit,
			    fx->options.source.commit);
	assert_true(plan_source(loaded)->dirty);
	assert_int_equal(plan_created_ms(loaded), FIXTURE_TIME_MS);
	assert_int_equal(plan_action_at(loaded, 3)->spec.keepalive_protocol,
			 KEEPALIVE_OPTIONS);
	assert_int_equal(plan_action_at(loaded, 3)->live_version, 4);

	/* A loaded plan renders exactly as the plan it was saved from. */
	assert_int_equal(plan_render_json(fx->plan, &before), 0);
	assert_int_equal(plan_render_json(loaded, &after), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	plan_free(loaded);
}

static void test_load_rejects_edit(void **state)
{
	struct plan *loaded = NULL;
	size_t len;
	char *text, *at;

	(void)state;
	assert_int_equal(plan_save(fx->plan, path), 0);
	text = slurp(&len);
	at = strstr(text, "\"maxConcurrentCalls\":\t250");
	assert_non_null(at);
	at[strlen("\"maxConcurrentCalls\":\t2")] = '9';
	spill(text, len);
	free(text);
	assert_int_equal(plan_load(path, &loaded), TRUNKCTL_EINVALID);
	assert_null(loaded);
	assert_non_null(strstr(error_message(), "modified after it was "
			       "saved"));
}

static void test_load_rejects_truncated(void **state)
{
	struct plan *loaded = NULL;
	size_t len;
	char *text;

	(void)state;
	assert_int_equal(plan_save(fx->plan, path), 0);
	text = slurp(&len);
	spill(text, len / 2);
	free(text);
	assert_int_equal(plan_load(path, &loaded), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "truncated"));
}

static void test_load_rejects_version(void **state)
{
	struct plan *loaded = NULL;
	size_t len;
	char *text, *at;

	(void)state;
	assert_int_equal(plan_save(fx->plan, path), 0);
	text = slurp(&len);
	at = strstr(text, "\"formatVersion\":\t1");
	assert_non_null(at);
	at[strlen("\"formatVersion\":\t")] = '2';
	spill(text, len);
	free(text);
	assert_int_equal(plan_load(path, &loaded), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "formatVersion 2"));
}

static void test_load_missing_file(void **state)
{
	struct plan *loaded = NULL;

	(void)state;
	unlink(path);
	assert_int_equal(plan_load(path, &loaded), TRUNKCTL_ENOTFOUND);
}

static void test_save_rejects_failed_edge(void **state)
{
	struct fixture *dup = fixture_new(1);

	(void)state;
	fixture_live(dup, 0, "A", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(dup, 0, "a", "t2", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(dup), 0);
	assert_int_equal(plan_save(dup->plan, path), TRUNKCTL_EINVALID);
	fixture_free(dup);
}

static void test_fingerprint_tracks_fields(void **state)
{
	struct live_trunk *live = fx->edges[0].live;
	size_t count = fx->edges[0].live_count;
	char base[65], other[65];

	(void)state;
	assert_int_equal(plan_fingerprint(live, count, base), 0);
	assert_string_equal(base, plan_edge_at(fx->plan, 0)->fingerprint);

	live[0].status = TRUNK_STATUS_PENDING;
	assert_int_equal(plan_fingerprint(live, count, other), 0);
	assert_string_equal(base, other);

	live[0].version++;
	assert_int_equal(plan_fingerprint(live, count, other), 0);
	assert_string_not_equal(base, other);
	live[0].version--;

	live[1].spec.rtp_timeout = 31;
	assert_int_equal(plan_fingerprint(live, count, other), 0);
	assert_string_not_equal(base, other);
	live[1].spec.rtp_timeout = TRUNK_DEFAULT_RTP_TIMEOUT;

	/* The order of the listing does not matter. */
	{
		struct live_trunk swapped[2] = { live[1], live[0] };

		assert_int_equal(plan_fingerprint(swapped, 2, other), 0);
		assert_string_equal(base, other);
	}
}

static void test_check_fingerprints(void **state)
{
	struct plan_edge_input inputs[FIXTURE_EDGES];

	(void)state;
	fresh_inputs(inputs);
	assert_int_equal(plan_check_fingerprints(fx->plan, inputs, 1), 0);

	/* An applied update raises the version: the plan is stale. */
	fx->edges[0].live[0].version = 5;
	assert_int_equal(plan_check_fingerprints(fx->plan, inputs, 1),
			 TRUNKCTL_ECONFLICT);
	assert_non_null(strstr(error_message(), "Dublin Edge 1"));
	fx->edges[0].live[0].version = 4;

	/* A trunk created by someone else changes it too. */
	fixture_live(fx, 0, "Intruder", "t-999", TRUNK_STATUS_PENDING);
	fresh_inputs(inputs);
	assert_int_equal(plan_check_fingerprints(fx->plan, inputs, 1),
			 TRUNKCTL_ECONFLICT);
	fx->edges[0].live[2].deleted = true;
	assert_int_equal(plan_check_fingerprints(fx->plan, inputs, 1), 0);

	assert_int_equal(plan_check_fingerprints(fx->plan, inputs, 0),
			 TRUNKCTL_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_load_round_trip),
		cmocka_unit_test(test_load_rejects_edit),
		cmocka_unit_test(test_load_rejects_truncated),
		cmocka_unit_test(test_load_rejects_version),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_save_rejects_failed_edge),
		cmocka_unit_test(test_fingerprint_tracks_fields),
		cmocka_unit_test(test_check_fingerprints),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

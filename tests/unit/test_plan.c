/* The planner: every row of the planning table and every safety rule. */
#include "test_plan_fixture.h"

#include <stdio.h>

#include "model/error.h"

static struct fixture *fx;

static int setup(void **state)
{
	(void)state;
	fx = fixture_new(1);
	return 0;
}

static int setup_two_edges(void **state)
{
	(void)state;
	fx = fixture_new(2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_free(fx);
	fx = NULL;
	return 0;
}

static const struct plan_action *action(size_t i)
{
	const struct plan_action *a = plan_action_at(fx->plan, i);

	assert_non_null(a);
	return a;
}

static void test_missing_active_creates(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "cav");
	assert_null(action(0)->trunk_id);
	assert_true(action(0)->has_spec);
	assert_string_equal(action(0)->spec.name, "Carrier-A");
	assert_int_equal(action(0)->depend_count, 0);
	assert_true(depends_on(fx->plan, 1, 0));
	assert_true(depends_on(fx->plan, 2, 1));
	assert_false(action(1)->conditional);
	assert_false(action(0)->out_of_service);
}

static void test_missing_inactive_creates(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_INACTIVE);
	assert_int_equal(fixture_build(fx), 0);
	/* Created trunks start PENDING: the deactivate makes them DISABLED. */
	assert_string_equal(fixture_kinds(fx->plan), "cd");
	assert_true(depends_on(fx->plan, 1, 0));
	assert_false(action(1)->out_of_service);
}

static void test_missing_absent_nothing(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ABSENT);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "");
}

static void test_changed_active_updates(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE)
		->spec.max_concurrent_calls = 200;
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED)
		->version = 7;
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "uav");
	assert_string_equal(action(0)->trunk_id, "t1");
	assert_int_equal(action(0)->live_version, 7);
	assert_true(action(0)->out_of_service);
	assert_int_equal(action(0)->change_count, 1);
	assert_string_equal(action(0)->changes[0].field, "maxConcurrentCalls");
	assert_string_equal(action(0)->changes[0].before, "100");
	assert_string_equal(action(0)->changes[0].after, "200");
	assert_int_equal(action(0)->spec.max_concurrent_calls, 200);
	assert_true(action(1)->conditional);
	assert_true(depends_on(fx->plan, 2, 1));
}

static void test_changed_disabled_not_oos(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE)
		->spec.rtp_timeout = 60;
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "uav");
	assert_false(action(0)->out_of_service);
}

static void test_changed_inactive_enabled(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_INACTIVE)
		->spec.nat_traversal = true;
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "ud");
	assert_true(depends_on(fx->plan, 1, 0));
	assert_true(action(1)->out_of_service);
}

static void test_changed_inactive_disabled(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_INACTIVE)
		->spec.nat_traversal = true;
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "u");
	assert_false(action(0)->out_of_service);
}

/* Same fields: the action depends on status and wanted state alone. */
static void check_same_fields(enum trunk_state state,
			      enum trunk_status status, const char *kinds)
{
	struct fixture *f = fixture_new(1);

	fixture_desire(f, 0, "Carrier-A", state);
	fixture_live(f, 0, "Carrier-A", "t1", status);
	assert_int_equal(fixture_build(f), 0);
	if (strcmp(fixture_kinds(f->plan), kinds) != 0)
		fail_msg("state %s, status %s: planned \"%s\", expected "
			 "\"%s\"", trunk_state_name(state),
			 trunk_status_name(status), fixture_kinds(f->plan),
			 kinds);
	fixture_free(f);
}

static void test_same_fields_table(void **state)
{
	(void)state;
	check_same_fields(TRUNK_STATE_ACTIVE, TRUNK_STATUS_ENABLED, "");
	check_same_fields(TRUNK_STATE_ACTIVE, TRUNK_STATUS_DISABLED, "av");
	check_same_fields(TRUNK_STATE_ACTIVE, TRUNK_STATUS_FAILED, "av");
	/* PENDING may be a trunk created but never activated. */
	check_same_fields(TRUNK_STATE_ACTIVE, TRUNK_STATUS_PENDING, "av");
	check_same_fields(TRUNK_STATE_INACTIVE, TRUNK_STATUS_ENABLED, "d");
	check_same_fields(TRUNK_STATE_INACTIVE, TRUNK_STATUS_PENDING, "d");
	check_same_fields(TRUNK_STATE_INACTIVE, TRUNK_STATUS_DISABLED, "");
	check_same_fields(TRUNK_STATE_INACTIVE, TRUNK_STATUS_FAILED, "");
	check_same_fields(TRUNK_STATE_ABSENT, TRUNK_STATUS_ENABLED, "dx");
	check_same_fields(TRUNK_STATE_ABSENT, TRUNK_STATUS_DISABLED, "x");
	check_same_fields(TRUNK_STATE_ABSENT, TRUNK_STATUS_PENDING, "x");
}

static void test_absent_enabled_oos(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ABSENT);
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "dx");
	assert_true(action(0)->out_of_service);
	assert_true(action(1)->out_of_service);
	assert_true(depends_on(fx->plan, 1, 0));
	assert_string_equal(action(1)->trunk_id, "t1");
}

static void test_prune_deletes_undeclared(void **state)
{
	(void)state;
	fx->edges[0].desired.edge.prune = true;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "Old", "t2", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "dx");
	assert_string_equal(action(1)->trunk_name, "Old");
	assert_int_equal(plan_edge_at(fx->plan, 0)->unmanaged_count, 0);
}

static void test_unmanaged_without_prune(void **state)
{
	const struct plan_edge *edge;

	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "Legacy", "t2", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "");
	edge = plan_edge_at(fx->plan, 0);
	assert_int_equal(edge->unmanaged_count, 1);
	assert_string_equal(edge->unmanaged[0].name, "Legacy");
	assert_string_equal(edge->unmanaged[0].id, "t2");
	assert_int_equal(edge->unmanaged[0].status, TRUNK_STATUS_DISABLED);
}

static void test_empty_manifest_never_prunes(void **state)
{
	const struct plan_edge *edge;

	(void)state;
	fx->edges[0].desired.edge.prune = true;
	fixture_live(fx, 0, "Legacy", "t2", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "");
	edge = plan_edge_at(fx->plan, 0);
	assert_int_equal(edge->warning_count, 1);
	assert_non_null(strstr(edge->warnings[0], "declares no trunks"));
	assert_int_equal(edge->unmanaged_count, 1);
}

static void test_normalised_fields_no_change(void **state)
{
	struct live_trunk *live;

	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	live = fixture_live(fx, 0, "CARRIER-a", "t1", TRUNK_STATUS_ENABLED);
	live->spec.codecs[0][0] = 'p';
	live->spec.codecs[0][1] = 'c';
	live->spec.codecs[1][3] = 'a';
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "");
	assert_int_equal(plan_edge_at(fx->plan, 0)->unmanaged_count, 0);
}

static void test_default_description_no_change(void **state)
{
	struct desired_trunk *desired;
	struct live_trunk *live;

	(void)state;
	desired = fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	free(desired->spec.description);
	desired->spec.description = NULL;
	live = fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	live->spec.description[0] = '\0';
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "");
}

static void test_deleted_live_ignored(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Carrier-A", "t0", TRUNK_STATUS_DISABLED)
		->deleted = true;
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "cav");
	assert_int_equal(plan_edge_at(fx->plan, 0)->live_count, 0);
}

static void test_duplicate_live_names(void **state)
{
	const struct plan_edge *edge;

	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Carrier-A", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "carrier-a", "t2", TRUNK_STATUS_ENABLED);
	fixture_desire(fx, 1, "Carrier-B", TRUNK_STATE_INACTIVE);
	assert_int_equal(fixture_build(fx), 0);
	assert_int_equal(plan_failed_edges(fx->plan), 1);
	edge = plan_edge_at(fx->plan, 0);
	assert_non_null(edge->error);
	assert_non_null(strstr(edge->error, "id t1"));
	assert_non_null(strstr(edge->error, "id t2"));
	assert_null(plan_edge_at(fx->plan, 1)->error);
	assert_string_equal(fixture_kinds(fx->plan), "cd");
	assert_int_equal(action(0)->edge, 1);
}

/* The pair named is the first listed trunk that has a namesake, with its
 * next namesake, whatever the order of the names. */
static void test_duplicate_names_first_pair(void **state)
{
	const struct plan_edge *edge;

	(void)state;
	fixture_desire(fx, 0, "beta", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Zed", "t1", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "beta", "t2", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "ZED", "t3", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "Beta", "t4", TRUNK_STATUS_ENABLED);
	fixture_live(fx, 0, "zed", "t5", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	edge = plan_edge_at(fx->plan, 0);
	assert_non_null(edge->error);
	assert_non_null(strstr(edge->error, "\"Zed\" (id t1) and \"ZED\" "
					    "(id t3)"));
}

/* Each of 300 desired trunks finds its live trunk, listed in another
 * order and case: the pruned edge has nothing to create or delete. */
static void test_many_names_pair_up(void **state)
{
	char name[32];
	int i;

	(void)state;
	fx->edges[0].desired.edge.max_trunks = 1000;
	fx->edges[0].desired.edge.prune = true;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "Trunk-%03d", i);
		fixture_desire(fx, 0, name, TRUNK_STATE_ACTIVE);
	}
	for (i = 299; i >= 0; i--) {
		char id[32];

		snprintf(name, sizeof(name), "TRUNK-%03d", i);
		snprintf(id, sizeof(id), "t%d", i);
		fixture_live(fx, 0, name, id, TRUNK_STATUS_ENABLED);
	}
	assert_int_equal(fixture_build(fx), 0);
	assert_null(plan_edge_at(fx->plan, 0)->error);
	/* A name that differs only in case is no change. */
	assert_int_equal(plan_action_count(fx->plan), 0);
	assert_int_equal(plan_edge_at(fx->plan, 0)->live_count, 300);
}

/* Without fingerprints the plan renders as text, not as JSON. */
static void test_no_fingerprints(void **state)
{
	char *text = NULL;

	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_ACTIVE);
	fx->options.fingerprints = false;
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(plan_edge_at(fx->plan, 0)->fingerprint, "");
	assert_int_equal(plan_render_json(fx->plan, &text), TRUNKCTL_ERROR);
	assert_null(text);
	assert_non_null(strstr(error_message(), "without a fingerprint"));
}

static void test_edge_limit_fails_plan(void **state)
{
	char name[32];
	int i;

	(void)state;
	fx->edges[0].desired.edge.max_trunks = 3;
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "Carrier-%d", i);
		fixture_desire(fx, 0, name, TRUNK_STATE_INACTIVE);
	}
	assert_int_equal(fixture_build(fx), TRUNKCTL_EINVALID);
	assert_null(fx->plan);
	assert_non_null(strstr(error_message(), "Dublin Edge 1"));
	assert_non_null(strstr(error_message(), "4 trunks"));
	assert_non_null(strstr(error_message(), "maxTrunks of 3"));
}

static void test_make_before_break(void **state)
{
	(void)state;
	fx->edges[0].desired.edge.prune = true;
	fixture_desire(fx, 0, "New", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Old", "t1", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "cavx");
	assert_true(depends_on(fx->plan, 3, 2));
}

static void test_limit_puts_delete_first(void **state)
{
	(void)state;
	fx->edges[0].desired.edge.prune = true;
	fx->edges[0].desired.edge.max_trunks = 2;
	fixture_desire(fx, 0, "New", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Old-1", "t1", TRUNK_STATUS_DISABLED);
	fixture_live(fx, 0, "Old-2", "t2", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "xcavx");
	assert_string_equal(action(0)->trunk_id, "t1");
	assert_true(depends_on(fx->plan, 1, 0));
	assert_true(depends_on(fx->plan, 4, 3));
	assert_false(depends_on(fx->plan, 4, 0));
}

static void add_absent_live(int from, int to)
{
	char name[32], id[32];
	int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "Carrier-%d", i);
		snprintf(id, sizeof(id), "t%d", i);
		fixture_desire(fx, 0, name, TRUNK_STATE_ABSENT);
		fixture_live(fx, 0, name, id, TRUNK_STATUS_DISABLED);
	}
}

static void test_max_deletes(void **state)
{
	(void)state;
	add_absent_live(0, 6);
	assert_int_equal(fixture_build(fx), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "deletes 6 trunks"));
	assert_non_null(strstr(error_message(), "--max-deletes 6"));
	assert_non_null(strstr(error_message(), "'Carrier-0', 'Carrier-1'"));
	assert_null(strstr(error_message(), "' and "));
	fx->options.max_deletes = 6;
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "xxxxxx");
}

static void test_max_deletes_names_ten(void **state)
{
	(void)state;
	add_absent_live(0, 13);
	assert_int_equal(fixture_build(fx), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'Carrier-9' and 3 more"));
	assert_null(strstr(error_message(), "Carrier-10'"));
}

static void add_changed_enabled(int count)
{
	char name[32], id[32];
	int i;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "Carrier-%d", i);
		snprintf(id, sizeof(id), "t%d", i);
		fixture_desire(fx, 0, name, TRUNK_STATE_ACTIVE)
			->spec.max_concurrent_calls = 300;
		fixture_live(fx, 0, name, id, TRUNK_STATUS_ENABLED);
	}
}

static void test_max_unavailable_one(void **state)
{
	(void)state;
	add_changed_enabled(3);
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(fixture_kinds(fx->plan), "uavuavuav");
	assert_int_equal(action(0)->depend_count, 0);
	assert_true(depends_on(fx->plan, 3, 2));
	assert_true(depends_on(fx->plan, 6, 5));
	assert_false(depends_on(fx->plan, 6, 2));
}

static void test_max_unavailable_two(void **state)
{
	(void)state;
	fx->options.max_unavailable = 2;
	add_changed_enabled(3);
	assert_int_equal(fixture_build(fx), 0);
	assert_int_equal(action(3)->depend_count, 0);
	assert_true(depends_on(fx->plan, 6, 2));
	assert_false(depends_on(fx->plan, 6, 5));
}

static void test_max_unavailable_mixed(void **state)
{
	(void)state;
	fixture_desire(fx, 0, "Off", TRUNK_STATE_INACTIVE);
	fixture_live(fx, 0, "Off", "t1", TRUNK_STATUS_ENABLED);
	fixture_desire(fx, 0, "Gone", TRUNK_STATE_ABSENT);
	fixture_live(fx, 0, "Gone", "t2", TRUNK_STATUS_ENABLED);
	fixture_desire(fx, 0, "Up", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Up", "t3", TRUNK_STATUS_DISABLED);
	assert_int_equal(fixture_build(fx), 0);
	/* Off: deactivate; Up: activate, verify (in service); Gone last. */
	assert_string_equal(fixture_kinds(fx->plan), "davdx");
	assert_int_equal(action(1)->depend_count, 0);
	assert_true(depends_on(fx->plan, 3, 0));
}

static void test_targets(void **state)
{
	const char *targets[] = { "Dublin Edge 2" };

	(void)state;
	fixture_desire(fx, 0, "Carrier-A", TRUNK_STATE_INACTIVE);
	fixture_desire(fx, 1, "Carrier-B", TRUNK_STATE_INACTIVE);
	fx->options.targets = targets;
	fx->options.target_count = 1;
	assert_int_equal(fixture_build(fx), 0);
	assert_int_equal(plan_edge_count(fx->plan), 1);
	assert_string_equal(plan_edge_at(fx->plan, 0)->id, "edge-2");
	assert_string_equal(fixture_kinds(fx->plan), "cd");
	assert_string_equal(action(0)->trunk_name, "Carrier-B");

	targets[0] = "edge-1";
	assert_int_equal(fixture_build(fx), 0);
	assert_string_equal(plan_edge_at(fx->plan, 0)->id, "edge-1");
}

static void test_unknown_target(void **state)
{
	const char *targets[] = { "edge-9" };

	(void)state;
	fx->options.targets = targets;
	fx->options.target_count = 1;
	assert_int_equal(fixture_build(fx), TRUNKCTL_EINVALID);
	assert_non_null(strstr(error_message(), "'edge-9'"));
}

static void test_dependencies_point_back(void **state)
{
	const struct plan_action *a;
	size_t i, j;

	(void)state;
	fx->edges[0].desired.edge.prune = true;
	fx->options.max_deletes = 10;
	add_changed_enabled(4);
	fixture_desire(fx, 0, "New", TRUNK_STATE_ACTIVE);
	fixture_live(fx, 0, "Old", "t9", TRUNK_STATUS_ENABLED);
	assert_int_equal(fixture_build(fx), 0);
	for (i = 0; i < plan_action_count(fx->plan); i++) {
		a = action(i);
		assert_int_equal(a->id, i);
		for (j = 0; j < a->depend_count; j++)
			assert_true(a->depends_on[j] < i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_active_creates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_inactive_creates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_absent_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_active_updates,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_disabled_not_oos,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_inactive_enabled,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_inactive_disabled,
						setup, teardown),
		cmocka_unit_test(test_same_fields_table),
		cmocka_unit_test_setup_teardown(test_absent_enabled_oos,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_deletes_undeclared,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmanaged_without_prune,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_empty_manifest_never_prunes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_normalised_fields_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_default_description_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_live_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_names_first_pair,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_names_pair_up, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_fingerprints, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_live_names,
						setup_two_edges, teardown),
		cmocka_unit_test_setup_teardown(test_edge_limit_fails_plan,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_before_break, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit_puts_delete_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_deletes_names_ten,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_deletes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_unavailable_one,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_unavailable_two,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_unavailable_mixed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets, setup_two_edges,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dependencies_point_back,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

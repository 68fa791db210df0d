/*
 * The executor against an in-memory API profile: skipped dependants,
 * interrupts, lost and unreadable create responses, version conflicts
 * and the order in which the observer receives finished actions.
 */
#include <pthread.h>

#include "model/error.h"
#include "reconcile/executor.h"
#include "test_plan_fixture.h"

#define FAKE_TRUNKS 16

struct fake_trunk {
	char id[32];
	struct trunk_spec spec;
	long version;
	enum trunk_status status;
	bool deleted;
};

/* The service the fake profile plays, with scripted faults. */
struct fake {
	pthread_mutex_t lock;
	struct fake_trunk trunks[FAKE_TRUNKS];
	size_t count;
	int lost_creates;       /* stored, then the response is lost */
	int dropped_creates;    /* not stored, and the response is lost */
	int unreadable_creates; /* stored, 201 with a body that is invalid */
	int conflicts;          /* updates that meet a concurrent change */
	const char *failing;    /* activation of this trunk ends FAILED */
	int creates;
	int updates;
	int listings;
	int activates;
	int deletes;
	int calls;
};

static struct fake fake;

/* The observer's record: "kind:trunk:outcome" per finished action. */
struct record {
	char done[4096];
	size_t trunks_done;
	char notes[1024];
	char messages[2048];
};

static struct fake_trunk *fake_find(const char *id)
{
	size_t i;

	for (i = 0; i < fake.count; i++)
		if (strcmp(fake.trunks[i].id, id) == 0)
			return &fake.trunks[i];
	return NULL;
}

static struct fake_trunk *fake_add(const char *id, const char *name,
				   enum trunk_status status)
{
	struct fake_trunk *t = &fake.trunks[fake.count++];

	assert_true(fake.count <= FAKE_TRUNKS);
	snprintf(t->id, sizeof(t->id), "%s", id);
	spec_fill(&t->spec, name);
	t->version = 1;
	t->status = status;
	return t;
}

static void fake_copy(const struct fake_trunk *t, struct live_trunk *out)
{
	memset(out, 0, sizeof(*out));
	assert_int_equal(trunk_spec_copy(&out->spec, &t->spec), 0);
	assert_non_null(out->id = strdup(t->id));
	out->version = t->version;
	out->status = t->status;
	out->deleted = t->deleted;
}

static int fake_list_trunks(struct http_client *client, const char *edge_id,
			    struct live_trunk **trunks, size_t *count,
			    struct api_call_info *info)
{
	size_t i, n = 0;

	(void)client;
	(void)edge_id;
	pthread_mutex_lock(&fake.lock);
	fake.listings++;
	fake.calls++;
	*trunks = calloc(fake.count + 1, sizeof(**trunks));
	assert_non_null(*trunks);
	for (i = 0; i < fake.count; i++)
		if (!fake.trunks[i].deleted)
			fake_copy(&fake.trunks[i], &(*trunks)[n++]);
	*count = n;
	pthread_mutex_unlock(&fake.lock);
	info->status = 200;
	info->attempts = 1;
	return 0;
}

static int fake_get_trunk(struct http_client *client, const char *edge_id,
			  const char *trunk_id, struct live_trunk *trunk,
			  struct api_call_info *info)
{
	struct fake_trunk *t;

	(void)client;
	(void)edge_id;
	pthread_mutex_lock(&fake.lock);
	fake.calls++;
	t = fake_find(trunk_id);
	assert_non_null(t);
	/* An activation completes between two polls. */
	if (t->status == TRUNK_STATUS_PENDING)
		t->status = fake.failing &&
				    strcmp(t->spec.name, fake.failing) == 0
				    ? TRUNK_STATUS_FAILED
				    : TRUNK_STATUS_ENABLED;
	fake_copy(t, trunk);
	pthread_mutex_unlock(&fake.lock);
	info->status = 200;
	info->attempts = 1;
	return 0;
}

static int fake_create_trunk(struct http_client *client, const char *edge_id,
			     const struct trunk_spec *spec, bool retry_safe,
			     struct live_trunk *trunk,
			     struct api_call_info *info)
{
	struct fake_trunk *t = NULL;
	char id[32];
	size_t i;
	int rc = 0;

	(void)client;
	(void)edge_id;
	(void)retry_safe;
	pthread_mutex_lock(&fake.lock);
	fake.creates++;
	fake.calls++;
	info->attempts = 1;
	for (i = 0; i < fake.count; i++)
		if (!fake.trunks[i].deleted &&
		    trunk_name_equal(fake.trunks[i].spec.name, spec->name))
			break;
	if (i < fake.count) {
		info->status = 409;
		rc = error_set(TRUNKCTL_ECONFLICT, "name exists");
		goto done;
	}
	if (fake.dropped_creates > 0) {
		fake.dropped_creates--;
		info->outcome_unknown = true;
		rc = error_set(TRUNKCTL_EIO, "connection closed");
		goto done;
	}
	snprintf(id, sizeof(id), "new-%zu", fake.count);
	t = fake_add(id, spec->name, TRUNK_STATUS_PENDING);
	trunk_spec_release(&t->spec);
	assert_int_equal(trunk_spec_copy(&t->spec, spec), 0);
	if (fake.lost_creates > 0) {
		fake.lost_creates--;
		info->outcome_unknown = true;
		rc = error_set(TRUNKCTL_EIO, "connection closed");
	} else if (fake.unreadable_creates > 0) {
		fake.unreadable_creates--;
		info->status = 201;
		rc = error_set(TRUNKCTL_EINVALID, "response is not JSON");
	} else {
		info->status = 201;
		fake_copy(t, trunk);
	}

done:
	pthread_mutex_unlock(&fake.lock);
	return rc;
}

static int fake_update_trunk(struct http_client *client, const char *edge_id,
			     const char *trunk_id,
			     const struct trunk_spec *spec, long version,
			     struct live_trunk *trunk,
			     struct api_call_info *info)
{
	struct fake_trunk *t;
	int rc = 0;

	(void)client;
	(void)edge_id;
	pthread_mutex_lock(&fake.lock);
	fake.updates++;
	fake.calls++;
	info->attempts = 1;
	t = fake_find(trunk_id);
	assert_non_null(t);
	if (fake.conflicts > 0) {
		/* Another client updates the trunk first. */
		fake.conflicts--;
		t->version++;
	}
	if (version != t->version) {
		info->status = 409;
		rc = error_set(TRUNKCTL_ECONFLICT, "version %ld does not "
			       "match the current version %ld", version,
			       t->version);
	} else {
		trunk_spec_release(&t->spec);
		assert_int_equal(trunk_spec_copy(&t->spec, spec), 0);
		t->version++;
		if (t->status == TRUNK_STATUS_ENABLED)
			t->status = TRUNK_STATUS_PENDING;
		info->status = 200;
		fake_copy(t, trunk);
	}
	pthread_mutex_unlock(&fake.lock);
	return rc;
}

static int fake_set_status(const char *trunk_id, enum trunk_status status,
			   bool delete, struct api_call_info *info)
{
	struct fake_trunk *t;

	pthread_mutex_lock(&fake.lock);
	fake.calls++;
	t = fake_find(trunk_id);
	assert_non_null(t);
	if (delete)
		t->deleted = true;
	else
		t->status = status;
	pthread_mutex_unlock(&fake.lock);
	info->status = delete ? 204 : 202;
	info->attempts = 1;
	return 0;
}

static int fake_delete_trunk(struct http_client *client, const char *edge_id,
			     const char *trunk_id, struct api_call_info *info)
{
	(void)client;
	(void)edge_id;
	fake.deletes++;
	return fake_set_status(trunk_id, TRUNK_STATUS_UNKNOWN, true, info);
}

static int fake_activate_trunk(struct http_client *client,
			       const char *edge_id, const char *trunk_id,
			       struct api_call_info *info)
{
	(void)client;
	(void)edge_id;
	fake.activates++;
	return fake_set_status(trunk_id, TRUNK_STATUS_PENDING, false, info);
}

static int fake_deactivate_trunk(struct http_client *client,
				 const char *edge_id, const char *trunk_id,
				 struct api_call_info *info)
{
	(void)client;
	(void)edge_id;
	return fake_set_status(trunk_id, TRUNK_STATUS_DISABLED, false, info);
}

static int fake_diagnostics(struct http_client *client, const char *edge_id,
			    const char *trunk_id,
			    struct api_trunk_diagnostics *d,
			    struct api_call_info *info)
{
	struct fake_trunk *t;
	bool enabled;

	(void)client;
	(void)edge_id;
	pthread_mutex_lock(&fake.lock);
	fake.calls++;
	t = fake_find(trunk_id);
	assert_non_null(t);
	enabled = t->status == TRUNK_STATUS_ENABLED;
	pthread_mutex_unlock(&fake.lock);
	memset(d, 0, sizeof(*d));
	d->invite_code = enabled ? 200 : 503;
	d->invite_reason = strdup(enabled ? "OK" : "Service Unavailable");
	d->nat_status = strdup(enabled ? "OK" : "FAILED");
	d->keepalive_status = strdup(enabled ? "UP" : "DOWN");
	info->status = 200;
	info->attempts = 1;
	return 0;
}

static const struct api_profile fake_profile = {
	.name = "fake",
	.description = "in-memory trunks for executor tests",
	.list_trunks = fake_list_trunks,
	.get_trunk = fake_get_trunk,
	.create_trunk = fake_create_trunk,
	.update_trunk = fake_update_trunk,
	.delete_trunk = fake_delete_trunk,
	.activate_trunk = fake_activate_trunk,
	.deactivate_trunk = fake_deactivate_trunk,
	.trunk_diagnostics = fake_diagnostics,
};

static void append(char *buffer, size_t size, const char *text)
{
	size_t len = strlen(buffer);

	snprintf(buffer + len, size - len, "%s%s", len ? " " : "", text);
}

static void on_action(void *data, const struct plan_action *action,
		      const struct action_result *result, size_t done,
		      size_t total)
{
	struct record *rec = data;
	char item[128];

	(void)done;
	(void)total;
	snprintf(item, sizeof(item), "%s:%s:%s",
		 plan_action_kind_name(action->kind), action->trunk_name,
		 action_outcome_name(result->outcome));
	append(rec->done, sizeof(rec->done), item);
	if (result->note)
		append(rec->notes, sizeof(rec->notes), result->note);
	if (result->message)
		append(rec->messages, sizeof(rec->messages), result->message);
}

static void on_trunk(void *data, const struct plan_action *last,
		     const char *trunk_id, bool succeeded)
{
	struct record *rec = data;

	(void)last;
	(void)trunk_id;
	(void)succeeded;
	rec->trunks_done++;
}

static int setup(void **state)
{
	struct fixture *fx = fixture_new(1);

	memset(&fake, 0, sizeof(fake));
	pthread_mutex_init(&fake.lock, NULL);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	for (i = 0; i < fake.count; i++)
		trunk_spec_release(&fake.trunks[i].spec);
	pthread_mutex_destroy(&fake.lock);
	fixture_free(*state);
	return 0;
}

/* A live trunk both in the fixture (for the plan) and in the fake. */
static void live(struct fixture *fx, const char *name, const char *id,
		 enum trunk_status status)
{
	fixture_live(fx, 0, name, id, status);
	fake_add(id, name, status);
}

/* Builds the plan and runs it; fills `rec` and `summary`. */
static void run(struct fixture *fx, volatile sig_atomic_t *interrupted,
		struct record *rec, struct executor_summary *summary)
{
	struct executor_options options;
	struct executor_observer observer = { rec, on_action, on_trunk };

	assert_int_equal(fixture_build(fx), 0);
	executor_options_init(&options);
	options.parallelism = 2;
	options.verify_poll_ms = 1;
	options.verify_poll_max_ms = 2;
	options.lookup_backoff_ms = 1;
	options.verify_timeout_ms = 2000;
	options.interrupted = interrupted;
	memset(rec, 0, sizeof(*rec));
	assert_int_equal(executor_run(fx->plan, NULL, &fake_profile, &options,
				      &observer, summary),
			 0);
}

/* True when `first` comes before `second` in the observer's record. */
static bool before(const struct record *rec, const char *first,
		   const char *second)
{
	const char *a = strstr(rec->done, first);
	const char *b = strstr(rec->done, second);

	return a && b && a < b;
}

static void failed_verify_skips_dependants(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct record rec;

	/* A and B are new; Old goes after both are verified. */
	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fixture_desire(fx, 0, "B", TRUNK_STATE_ACTIVE);
	fixture_desire(fx, 0, "Old", TRUNK_STATE_ABSENT);
	live(fx, "Old", "t-old", TRUNK_STATUS_DISABLED);
	fake.failing = "A";
	run(fx, NULL, &rec, &summary);

	assert_non_null(strstr(rec.done, "verify:A:failed"));
	assert_non_null(strstr(rec.done, "verify:B:succeeded"));
	assert_non_null(strstr(rec.done, "delete:Old:skipped"));
	assert_non_null(strstr(rec.messages, "status FAILED"));
	assert_int_equal(summary.failed, 1);
	assert_int_equal(summary.skipped, 1);
	assert_int_equal(summary.succeeded, 5);
	assert_int_equal(fake.deletes, 0);
	assert_int_equal(rec.trunks_done, 3);
}

static void interrupt_starts_nothing(void **state)
{
	struct fixture *fx = *state;
	volatile sig_atomic_t interrupted = 1;
	struct executor_summary summary;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fixture_desire(fx, 0, "Old", TRUNK_STATE_ABSENT);
	live(fx, "Old", "t-old", TRUNK_STATUS_ENABLED);
	run(fx, &interrupted, &rec, &summary);

	assert_true(summary.interrupted);
	assert_int_equal(summary.not_started, 5);
	assert_int_equal(summary.skipped, 0);
	assert_int_equal(summary.failed, 0);
	assert_int_equal(fake.calls, 0);
	assert_null(strstr(rec.done, "skipped"));
}

static void lost_create_adopted(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fake.lost_creates = 1;
	run(fx, NULL, &rec, &summary);

	assert_int_equal(summary.succeeded, 3);
	assert_int_equal(fake.creates, 1);
	assert_int_equal(fake.listings, 1);
	assert_non_null(strstr(rec.notes, "adopted the existing trunk"));
}

static void unreadable_create_adopted(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fake.unreadable_creates = 1;
	run(fx, NULL, &rec, &summary);

	assert_int_equal(summary.succeeded, 3);
	assert_int_equal(fake.creates, 1);
	assert_int_equal(fake.count, 1);
	assert_non_null(strstr(rec.notes, "adopted the existing trunk"));
}

static void dropped_creates_resent(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fake.dropped_creates = 2;
	run(fx, NULL, &rec, &summary);

	/* Each lost create is followed by every lookup before a resend. */
	assert_int_equal(summary.succeeded, 3);
	assert_int_equal(fake.creates, 3);
	assert_int_equal(fake.listings, 2 * EXECUTOR_DEFAULT_LOOKUP_ATTEMPTS);
	assert_int_equal(fake.count, 1);
}

static void dropped_creates_give_up(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	fake.dropped_creates = 5;
	run(fx, NULL, &rec, &summary);

	assert_int_equal(summary.failed, 1);
	assert_int_equal(summary.skipped, 2);
	assert_int_equal(fake.creates, 3);
	assert_int_equal(fake.count, 0);
	assert_non_null(strstr(rec.messages,
			       "the responses to 3 creates were lost"));
}

static void update_conflict_refetched(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct desired_trunk *t;
	struct record rec;

	t = fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	t->spec.max_concurrent_calls = 300;
	live(fx, "A", "t-a", TRUNK_STATUS_DISABLED);
	fake.conflicts = 1;
	run(fx, NULL, &rec, &summary);

	assert_int_equal(summary.succeeded, 3);
	assert_int_equal(fake.updates, 2);
	assert_int_equal(fake_find("t-a")->spec.max_concurrent_calls, 300);
	assert_int_equal(fake_find("t-a")->version, 3);
}

static void observer_follows_dependencies(void **state)
{
	struct fixture *fx = *state;
	struct executor_summary summary;
	struct desired_trunk *t;
	struct record rec;

	fixture_desire(fx, 0, "A", TRUNK_STATE_ACTIVE);
	t = fixture_desire(fx, 0, "B", TRUNK_STATE_ACTIVE);
	t->spec.max_concurrent_calls = 300;
	live(fx, "B", "t-b", TRUNK_STATUS_ENABLED);
	t = fixture_desire(fx, 0, "C", TRUNK_STATE_INACTIVE);
	live(fx, "C", "t-c", TRUNK_STATUS_ENABLED);
	run(fx, NULL, &rec, &summary);

	assert_int_equal(summary.failed, 0);
	assert_true(before(&rec, "create:A:", "activate:A:"));
	assert_true(before(&rec, "activate:A:", "verify:A:"));
	assert_true(before(&rec, "update:B:", "verify:B:"));
	/* At most one trunk out of service: C waits for B's verify. */
	assert_true(before(&rec, "verify:B:", "deactivate:C:"));
	assert_int_equal(rec.trunks_done, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(failed_verify_skips_dependants,
						setup, teardown),
		cmocka_unit_test_setup_teardown(interrupt_starts_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(lost_create_adopted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unreadable_create_adopted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(dropped_creates_resent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dropped_creates_give_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(update_conflict_refetched,
						setup, teardown),
		cmocka_unit_test_setup_teardown(observer_follows_dependencies,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

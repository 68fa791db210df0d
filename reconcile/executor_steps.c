/* The steps of each kind of action, run by the executor's workers. */
#define _GNU_SOURCE /* vasprintf */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/error.h"
#include "model/log.h"
#include "reconcile/executor_internal.h"

/* Phases of a create. */
enum {
	CREATE_SEND = 0,
	CREATE_LOOKUP,
};

/* Update attempts after version conflicts, the first included. */
#define UPDATE_ATTEMPTS 3

/*
 * Sends of one create whose responses were lost, the first included. Each
 * resend follows a full round of lookups that did not find the trunk.
 */
#define CREATE_SENDS 3

enum step_result step_fail(struct action_run *run, const char *fmt, ...)
{
	va_list ap;

	free(run->message);
	va_start(ap, fmt);
	if (vasprintf(&run->message, fmt, ap) < 0)
		run->message = NULL;
	va_end(ap);
	return STEP_FAILED;
}

static void set_note(struct action_run *run, const char *note)
{
	free(run->note);
	run->note = strdup(note);
}

/* Adds one request's figures to the action's totals. */
static void account(struct action_run *run, const struct api_call_info *info)
{
	struct action_result *r = &run->result;

	r->requests++;
	r->attempts += info->attempts;
	r->retries += info->retries;
	r->throttled += info->throttled;
	if (info->status)
		r->http_status = info->status;
	if (info->correlation_id[0])
		snprintf(r->correlation_id, sizeof(r->correlation_id), "%s",
			 info->correlation_id);
}

static void remember(struct trunk_slot *slot, const struct live_trunk *live)
{
	if (live->id && (!slot->trunk_id ||
			 strcmp(slot->trunk_id, live->id) != 0)) {
		free(slot->trunk_id);
		slot->trunk_id = strdup(live->id);
	}
	slot->version = live->version;
	slot->status = live->status;
}

static void keep_body(struct action_run *run, const struct trunk_spec *spec,
		      long version)
{
	cJSON *payload = trunk_spec_to_payload(spec, version);

	free(run->request_body);
	run->request_body = payload ? cJSON_PrintUnformatted(payload) : NULL;
	cJSON_Delete(payload);
}

static enum step_result wait_for(struct action_run *run, long delay_ms)
{
	run->wake_ms = executor_now_ms() + delay_ms;
	return STEP_WAIT;
}

/* Sends an update at `version`, refetching and retrying on a conflict. */
static enum step_result update_to(struct executor *ex, struct action_run *run,
				  const struct trunk_spec *spec, long version)
{
	struct trunk_slot *slot = run->slot;
	int attempt;

	for (attempt = 1;; attempt++) {
		struct api_call_info info = { 0 };
		struct live_trunk live;
		struct field_change changes[16];
		int rc, n;

		keep_body(run, spec, version);
		rc = ex->profile->update_trunk(ex->client, run->edge_id,
					       slot->trunk_id, spec, version,
					       &live, &info);
		account(run, &info);
		if (rc == 0) {
			remember(slot, &live);
			live_trunk_release(&live);
			return STEP_DONE;
		}
		if (rc != TRUNKCTL_ECONFLICT || attempt == UPDATE_ATTEMPTS)
			return step_fail(run, "%s", error_message());

		/* Someone changed the trunk: refetch and compare again. */
		log_verbose(LOG_AREA_APPLY, "trunk '%s': version %ld is stale; "
			    "refetching", spec->name, version);
		memset(&info, 0, sizeof(info));
		rc = ex->profile->get_trunk(ex->client, run->edge_id,
					    slot->trunk_id, &live, &info);
		account(run, &info);
		if (rc < 0)
			return step_fail(run, "%s", error_message());
		remember(slot, &live);
		version = live.version;
		n = trunk_spec_diff(&live.spec, spec, changes, 16);
		field_changes_release(changes, n > 16 ? 16 : (size_t)(n < 0 ? 0 : n));
		live_trunk_release(&live);
		if (n == 0) {
			set_note(run, "already up to date");
			return STEP_DONE;
		}
	}
}

/* Looks the trunk up by name after a lost response or a "name exists". */
static enum step_result create_lookup(struct executor *ex,
				      struct action_run *run)
{
	const struct plan_action *a = run->action;
	struct api_call_info info = { 0 };
	struct live_trunk *trunks = NULL;
	struct field_change changes[16];
	size_t count = 0, i;
	long version;
	int rc, n;

	rc = ex->profile->list_trunks(ex->client, run->edge_id, &trunks,
				      &count, &info);
	account(run, &info);
	if (rc < 0)
		return step_fail(run, "%s", error_message());
	for (i = 0; i < count; i++)
		if (trunk_name_equal(trunks[i].spec.name, a->trunk_name))
			break;
	if (i == count) {
		api_trunks_release(trunks, count);
		if (++run->attempt < ex->options->lookup_attempts)
			return wait_for(run, ex->options->lookup_backoff_ms
						     << run->attempt);
		if (run->sends >= CREATE_SENDS)
			return step_fail(run, "trunk '%s' was not created: "
					 "the responses to %d creates were lost "
					 "and the trunk is not listed",
					 a->trunk_name, run->sends);
		/* Not there after every lookup: the create never landed. */
		run->phase = CREATE_SEND;
		run->attempt = 0;
		return wait_for(run, 0);
	}

	remember(run->slot, &trunks[i]);
	set_note(run, "adopted the existing trunk");
	log_verbose(LOG_AREA_APPLY, "trunk '%s': adopting %s", a->trunk_name,
		    trunks[i].id);
	n = trunk_spec_diff(&trunks[i].spec, &a->spec, changes, 16);
	field_changes_release(changes, n > 16 ? 16 : (size_t)(n < 0 ? 0 : n));
	version = trunks[i].version;
	api_trunks_release(trunks, count);
	if (n == 0)
		return STEP_DONE;
	return update_to(ex, run, &a->spec, version);
}

static enum step_result step_create(struct executor *ex,
				    struct action_run *run)
{
	const struct plan_action *a = run->action;
	struct api_call_info info = { 0 };
	struct live_trunk live;
	int rc;

	if (run->phase == CREATE_LOOKUP)
		return create_lookup(ex, run);

	keep_body(run, &a->spec, 0);
	run->sends++;
	rc = ex->profile->create_trunk(ex->client, run->edge_id, &a->spec,
				       false, &live, &info);
	account(run, &info);
	if (rc == 0) {
		remember(run->slot, &live);
		live_trunk_release(&live);
		return STEP_DONE;
	}
	if (rc == TRUNKCTL_ECONFLICT) {
		/* The name exists: most likely an earlier run's create. */
		run->phase = CREATE_LOOKUP;
		run->attempt = 0;
		return create_lookup(ex, run);
	}
	if (info.outcome_unknown || (info.status >= 200 && info.status < 300)) {
		/* The response was lost, or was a 2xx whose body could not
		 * be read, so the trunk may exist. It is looked up before
		 * any resend, after a short wait because a listing can lag
		 * behind a create. */
		log_verbose(LOG_AREA_APPLY, "trunk '%s': create response %s; "
			    "looking it up by name", a->trunk_name,
			    info.outcome_unknown ? "lost" : "unreadable");
		run->phase = CREATE_LOOKUP;
		run->attempt = 0;
		return wait_for(run, ex->options->lookup_backoff_ms);
	}
	return step_fail(run, "%s", error_message());
}

static enum step_result step_update(struct executor *ex,
				    struct action_run *run)
{
	const struct plan_action *a = run->action;
	long version = run->slot->version ? run->slot->version
					  : a->live_version;

	return update_to(ex, run, &a->spec, version);
}

static enum step_result step_activate(struct executor *ex,
				      struct action_run *run)
{
	struct trunk_slot *slot = run->slot;
	struct api_call_info info = { 0 };
	int rc;

	/* An update sends an ENABLED trunk back to PENDING, and the
	 * service re-enables it by itself: no activate is needed then. */
	if (run->action->conditional &&
	    (slot->status == TRUNK_STATUS_ENABLED ||
	     (slot->status == TRUNK_STATUS_PENDING &&
	      run->action->live_status == TRUNK_STATUS_ENABLED))) {
		set_note(run, slot->status == TRUNK_STATUS_ENABLED
				      ? "not needed: the trunk is ENABLED"
				      : "not needed: the trunk is re-enabling "
					"after the update");
		return STEP_DONE;
	}
	rc = ex->profile->activate_trunk(ex->client, run->edge_id,
					 slot->trunk_id, &info);
	account(run, &info);
	if (rc < 0)
		return step_fail(run, "%s", error_message());
	slot->status = TRUNK_STATUS_PENDING;
	return STEP_DONE;
}

static enum step_result step_deactivate(struct executor *ex,
					struct action_run *run)
{
	struct api_call_info info = { 0 };
	int rc;

	rc = ex->profile->deactivate_trunk(ex->client, run->edge_id,
					   run->slot->trunk_id, &info);
	account(run, &info);
	if (rc < 0)
		return step_fail(run, "%s", error_message());
	run->slot->status = TRUNK_STATUS_DISABLED;
	return STEP_DONE;
}

static enum step_result step_delete(struct executor *ex,
				    struct action_run *run)
{
	struct api_call_info info = { 0 };
	int rc;

	rc = ex->profile->delete_trunk(ex->client, run->edge_id,
				       run->slot->trunk_id, &info);
	account(run, &info);
	if (rc == TRUNKCTL_ENOTFOUND) {
		set_note(run, "already deleted");
		return STEP_DONE;
	}
	if (rc < 0)
		return step_fail(run, "%s", error_message());
	return STEP_DONE;
}

/* Checks the diagnostics of an ENABLED trunk, or explains a FAILED one. */
static enum step_result check_diagnostics(struct executor *ex,
					  struct action_run *run,
					  const struct live_trunk *live)
{
	const char *name = run->action->trunk_name;
	struct api_trunk_diagnostics d;
	struct api_call_info info = { 0 };
	bool nat_ok, keepalive_ok, invite_ok;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = ex->profile->trunk_diagnostics(ex->client, run->edge_id,
					    run->slot->trunk_id, &d, &info);
	account(run, &info);
	if (rc < 0)
		return step_fail(run, "trunk '%s' is %s; diagnostics failed: "
				 "%s", name, trunk_status_name(live->status),
				 error_message());

	keepalive_ok = d.keepalive_status &&
		       strcasecmp(d.keepalive_status, "UP") == 0;
	nat_ok = !live->spec.nat_traversal ||
		 (d.nat_status && strcasecmp(d.nat_status, "OK") == 0);
	invite_ok = invite_codes_match(&ex->options->invite_codes,
				       d.invite_code);
	if (live->status == TRUNK_STATUS_ENABLED && keepalive_ok && nat_ok &&
	    invite_ok) {
		api_trunk_diagnostics_release(&d);
		return STEP_DONE;
	}
	step_fail(run, "trunk '%s' failed verification: status %s, SIP "
		  "INVITE answered %d %s, NAT traversal %s, keepalive %s",
		  name, trunk_status_name(live->status), d.invite_code,
		  d.invite_reason ? d.invite_reason : "",
		  d.nat_status ? d.nat_status : "unknown",
		  d.keepalive_status ? d.keepalive_status : "unknown");
	api_trunk_diagnostics_release(&d);
	return STEP_FAILED;
}

static enum step_result step_verify(struct executor *ex,
				    struct action_run *run)
{
	const struct executor_options *o = ex->options;
	struct api_call_info info = { 0 };
	struct live_trunk live;
	enum step_result result;
	long long elapsed;
	int rc;

	if (!run->slot->trunk_id)
		return step_fail(run, "trunk '%s' has no id to verify",
				 run->action->trunk_name);
	if (run->phase == 0) {
		/* Activation takes a while: the first poll comes later. */
		run->phase = 1;
		run->poll_ms = o->verify_poll_ms;
		return wait_for(run, run->poll_ms);
	}

	rc = ex->profile->get_trunk(ex->client, run->edge_id,
				    run->slot->trunk_id, &live, &info);
	account(run, &info);
	if (rc < 0)
		return step_fail(run, "%s", error_message());
	remember(run->slot, &live);
	if (live.status == TRUNK_STATUS_ENABLED ||
	    live.status == TRUNK_STATUS_FAILED) {
		result = check_diagnostics(ex, run, &live);
		live_trunk_release(&live);
		return result;
	}

	elapsed = executor_now_ms() - run->started_ms;
	if (elapsed >= o->verify_timeout_ms) {
		result = step_fail(run, "trunk '%s' is still %s after %lld ms; "
				   "verification timed out (--verify-timeout)",
				   run->action->trunk_name,
				   trunk_status_name(live.status), elapsed);
		live_trunk_release(&live);
		return result;
	}
	live_trunk_release(&live);
	run->poll_ms *= 2;
	if (run->poll_ms > o->verify_poll_max_ms)
		run->poll_ms = o->verify_poll_max_ms;
	return wait_for(run, run->poll_ms);
}

enum step_result executor_step(struct executor *ex, struct action_run *run)
{
	const struct plan_action *a = run->action;

	if (a->kind != PLAN_CREATE && !run->slot->trunk_id)
		return step_fail(run, "trunk '%s' has no id", a->trunk_name);
	switch (a->kind) {
	case PLAN_CREATE:
		return step_create(ex, run);
	case PLAN_UPDATE:
		return step_update(ex, run);
	case PLAN_ACTIVATE:
		return step_activate(ex, run);
	case PLAN_DEACTIVATE:
		return step_deactivate(ex, run);
	case PLAN_DELETE:
		return step_delete(ex, run);
	case PLAN_VERIFY:
		return step_verify(ex, run);
	}
	return step_fail(run, "unknown action kind %d", (int)a->kind);
}

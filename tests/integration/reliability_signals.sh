#!/usr/bin/env bash
# SIGTERM and SIGINT during apply: no action starts after the signal,
# the running ones finish, the audit log ends with a run-end line whose
# totals count every planned action, and the exit status is 1.
. "$(dirname "$0")/reliability_common.bash"

fleet="$work/fleet"
gen_fleet "$fleet" 5 40

for signal in TERM INT; do
  audit="$work/$signal.jsonl"
  sim_start --seed "$fleet/seed.json" --latency-ms 5 --latency-jitter-ms 10
  env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
    GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET" \
    TRUNKCTL_MAX_REQUESTS_PER_MINUTE=0 TRUNKCTL_RETRY_BASE=10ms \
    TRUNKCTL_RETRY_CAP=100ms "$TRUNKCTL" --api-url "$SIM_URL" \
    apply --auto-approve --verify-poll-interval 20ms --verify-timeout 5s \
    --audit-log "$audit" "$fleet/manifests" >"$work/out" 2>"$work/err" &
  pid=$!
  sleep 0.4
  kill -"$signal" "$pid"
  wait "$pid"
  status=$?
  expect_no_crash "SIG$signal"
  expect_status 1 "SIG$signal: exit status"
  expect_err "apply was interrupted; [0-9]+ actions? did not start" \
    "SIG$signal: message"
  grep -q '^Apply interrupted: ' "$work/out" ||
    fail "SIG$signal: no 'Apply interrupted' summary"

  audit_ok "$audit" || fail "SIG$signal: audit verify: $(cat "$work/audit.err")"
  last=$(tail -n 1 "$audit")
  [ "$(jq -r .action <<<"$last")" = run-end ] ||
    fail "SIG$signal: the last audit line is not run-end"
  totals=$(jq -c .totals <<<"$last")
  [ "$(jq '.succeeded + .failed + .skipped' <<<"$totals")" -eq \
    "$(jq .actions <<<"$totals")" ] ||
    fail "SIG$signal: run-end totals do not add up: $totals"
  [ "$(jq .skipped <<<"$totals")" -gt 0 ] ||
    fail "SIG$signal: no action was left out: $totals"
  note "SIG$signal: run-end totals $totals"

  # Each create the simulator served has its audit line: no action ran
  # unrecorded, and none started after the audit log was closed.
  creates=$(sim_admin GET /__sim/requests | jq '[.routes[]
      | select(.method == "POST" and (.route | endswith("/trunks")))
      | .count] | add // 0')
  audited=$(jq -s '[.[] | select(.action == "create" and
      (.outcome == "succeeded" or .outcome == "failed"))] | length' "$audit")
  [ "$creates" -eq "$audited" ] ||
    fail "SIG$signal: $creates creates served, $audited in the audit log"
  total=$(sim_admin GET /__sim/requests | jq .total)
  sleep 0.2
  [ "$(sim_admin GET /__sim/requests | jq .total)" -eq "$total" ] ||
    fail "SIG$signal: requests arrived after trunkctl exited"
  expect_no_duplicates "SIG$signal"
  sim_stop
done

# A reader of stdout that exits at once (apply | true) does not end the
# run halfway: every action runs, the audit log ends with a run-end line
# that succeeded, and the lost output makes the exit status 1.
audit="$work/pipe.jsonl"
sim_start --seed "$fleet/seed.json"
env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
  GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET" \
  TRUNKCTL_MAX_REQUESTS_PER_MINUTE=0 "$TRUNKCTL" --api-url "$SIM_URL" \
  apply --auto-approve --verify-poll-interval 20ms --verify-timeout 5s \
  --audit-log "$audit" "$fleet/manifests" 2>"$work/err" | true
status=${PIPESTATUS[0]}
expect_no_crash "apply | true"
expect_status 1 "apply | true: exit status"
expect_err "cannot write to standard output" "apply | true: message"
last=$(tail -n 1 "$audit")
[ "$(jq -r '.action + " " + .outcome' <<<"$last")" = "run-end succeeded" ] ||
  fail "apply | true: the last audit line is $last"
sim_stop
finish

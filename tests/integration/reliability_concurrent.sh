#!/usr/bin/env bash
# Two applies at once on the same manifests and org, sharing one audit
# log: the creates race, the loser of each race gets 409 "name exists"
# and adopts the trunk. Neither crashes, no edge ends with two trunks of
# one name, the shared log verifies, and the org converges.
. "$(dirname "$0")/reliability_common.bash"

fleet="$work/fleet"
gen_fleet "$fleet" 2 30

run_apply() {  # NAME MANIFESTS
  env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
    GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET" \
    TRUNKCTL_MAX_REQUESTS_PER_MINUTE=0 TRUNKCTL_RETRY_BASE=10ms \
    TRUNKCTL_RETRY_CAP=100ms TRUNKCTL_BREAKER_COOLDOWN=200ms \
    "$TRUNKCTL" --api-url "$SIM_URL" apply --auto-approve \
    --verify-poll-interval 20ms --verify-timeout 5s --lookup-backoff 20ms \
    --audit-log "$work/shared.jsonl" "$2" \
    >"$work/$1.out" 2>"$work/$1.err"
}

for manifests in "$EXAMPLE" "$fleet/manifests"; do
  case $manifests in
  "$EXAMPLE") name=example; sim_start --seed "$EXAMPLE_SEED" ;;
  *) name=fleet; sim_start --seed "$fleet/seed.json" --latency-jitter-ms 5 ;;
  esac
  rm -f "$work/shared.jsonl"
  run_apply a "$manifests" &
  pid_a=$!
  run_apply b "$manifests" &
  pid_b=$!
  wait "$pid_a"
  status_a=$?
  wait "$pid_b"
  status_b=$?
  for run in a b; do
    cp "$work/$run.err" "$work/err"
    status=$([ $run = a ] && echo $status_a || echo $status_b)
    expect_no_crash "$name: apply $run"
  done
  expect_no_duplicates "$name: after both applies"
  audit_ok "$work/shared.jsonl" ||
    fail "$name: shared audit log: $(cat "$work/audit.err")"
  adopted=$(cat "$work/a.out" "$work/b.out" | grep -c 'adopted')
  conflicts=$(sim_admin GET '/__sim/requests?log=1' |
    jq '[.log[] | select(.status == 409)] | length')

  converged=$(plan_status "$manifests")
  if [ "$converged" -ne 0 ]; then
    tc_apply --audit-log "$work/shared.jsonl" "$manifests"
    expect_no_crash "$name: third apply"
    converged=$(plan_status "$manifests")
  fi
  [ "$converged" -eq 0 ] || fail "$name: not converged after a third apply"
  expect_no_duplicates "$name: at the end"
  note "$name: exit $status_a and $status_b, $conflicts answers 409," \
    "$adopted trunks adopted, plan exit $converged"
  sim_stop
done
finish

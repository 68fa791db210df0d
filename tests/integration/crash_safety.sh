#!/usr/bin/env bash
# Crash safety: trunkctl apply of 200 new trunks (5 edges of 40) is
# killed with SIGKILL at a seeded random moment, ten times. After each
# kill the audit log verifies (or only its last line is torn), no edge
# has two live trunks of one name, and a second apply converges: trunks
# created but never activated (PENDING) are activated by it.
# Then a torn last line is made by hand, as a power loss would leave it:
# apply rejects the log, and both documented recoveries work.
#
# CRASH_SEED picks the kill moments (default 20261204).
. "$(dirname "$0")/reliability_common.bash"

RANDOM=${CRASH_SEED:-20261204}
fleet="$work/fleet"
gen_fleet "$fleet" 5 40
# Latency stretches the apply to roughly a second, so kills land inside.
SIM_ARGS=(--seed "$fleet/seed.json" --latency-ms 5 --latency-jitter-ms 10)

# Starts apply in the background with its pid in APPLY_PID.
apply_in_background() {
  env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
    GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET" \
    TRUNKCTL_MAX_REQUESTS_PER_MINUTE=0 TRUNKCTL_RETRY_BASE=10ms \
    TRUNKCTL_RETRY_CAP=100ms TRUNKCTL_BREAKER_COOLDOWN=200ms \
    "$TRUNKCTL" --api-url "$SIM_URL" apply --auto-approve \
    --verify-poll-interval 20ms --verify-timeout 2s \
    --lookup-backoff 20ms "$@" "$fleet/manifests" \
    >"$work/out" 2>"$work/err" &
  APPLY_PID=$!
}

# Checks the log after a kill: intact, or only its last line torn.
check_killed_log() {  # LOG WHAT
  local lines
  audit_ok "$1" && return 0
  lines=$(wc -l <"$1")
  if grep -q "^$1:$((lines + 1)): error: no newline at the end" \
    "$work/audit.err"; then
    note "$2: the last line is torn"
    return 0
  fi
  fail "$2: audit verify: $(cat "$work/audit.err")"
}

for round in $(seq 10); do
  delay_ms=$((50 + RANDOM % 751))
  audit="$work/round-$round.jsonl"
  sim_start "${SIM_ARGS[@]}"
  apply_in_background --audit-log "$audit"
  sleep "$(printf '0.%03d' "$delay_ms")"
  kill -KILL "$APPLY_PID" 2>/dev/null
  { wait "$APPLY_PID"; } 2>/dev/null
  killed=$?
  lines=$(wc -l <"$audit" 2>/dev/null || echo 0)

  expect_no_duplicates "round $round after the kill"
  [ -e "$audit" ] && check_killed_log "$audit" "round $round"

  tc_apply --audit-log "$audit" "$fleet/manifests"
  expect_no_crash "round $round: second apply"
  expect_no_duplicates "round $round after the second apply"
  audit_ok "$audit" ||
    fail "round $round: audit verify after the second apply: $(cat "$work/audit.err")"

  expect_status 0 "round $round: second apply"
  converged=$(plan_status "$fleet/manifests")
  if [ "$converged" -ne 0 ]; then
    fail "round $round: not converged after the second apply"
    grep -E '^  [-+~<>?] ' "$work/out" | head -5 >&2
  fi
  note "round $round: killed after $delay_ms ms (status $killed)," \
    "$lines audit lines; second apply exit $status; plan exit $converged"
  sim_stop
done

# A torn last line: apply rejects the log and names the recovery.
audit="$work/torn.jsonl"
sim_start "${SIM_ARGS[@]}"
tc_apply --audit-log "$audit" "$fleet/manifests"
expect_status 0 "torn: first apply"
size=$(wc -c <"$audit")
truncate -s $((size - 40)) "$audit"
audit_ok "$audit" && fail "torn: audit verify passes on a torn log"
grep -q "no newline at the end: the line is torn" "$work/audit.err" ||
  fail "torn: audit verify does not name the torn line"
grep -q "lines 1 to $(wc -l <"$audit") are intact" "$work/audit.err" ||
  fail "torn: audit verify does not give the intact lines"
sim_admin POST /__sim/faults \
  '{"kind": "set_trunk", "edgeId": "fleet-edge-1", "trunkId": "'"$(
    sim_admin GET /__sim/state | jq -r '.edges[0].trunks[0].id')"'",
    "fields": {"status": "DISABLED"}}' >/dev/null
sim_admin POST /__sim/requests/reset >/dev/null
tc_apply --audit-log "$audit" "$fleet/manifests"
expect_status 1 "torn: apply on the torn log"
expect_err "ends with a torn line .*run 'trunkctl audit verify" \
  "torn: apply names the problem"
[ "$(sim_admin GET '/__sim/requests' | jq '[.routes[]
    | select(.method != "GET" and .route != "/oauth/token")
    | .count] | add // 0')" -eq 0 ] ||
  fail "torn: apply sent a change although the log was rejected"

# Recovery 1: move the torn log aside; the next apply starts a new one.
mv "$audit" "$audit.torn"
tc_apply --audit-log "$audit" "$fleet/manifests"
expect_status 0 "torn: apply with a new log"
audit_ok "$audit" || fail "torn: the new log does not verify"

# Recovery 2: cut the torn tail off; the chain then continues.
cp "$audit.torn" "$work/cut.jsonl"
truncate -s $(($(wc -c <"$work/cut.jsonl") - $(tail -n 1 "$work/cut.jsonl" |
  wc -c))) "$work/cut.jsonl"
audit_ok "$work/cut.jsonl" || fail "torn: the cut log does not verify"
sim_admin POST /__sim/faults \
  '{"kind": "set_trunk", "edgeId": "fleet-edge-2", "trunkId": "'"$(
    sim_admin GET /__sim/state | jq -r '.edges[1].trunks[0].id')"'",
    "fields": {"status": "DISABLED"}}' >/dev/null
tc_apply --audit-log "$work/cut.jsonl" "$fleet/manifests"
expect_status 0 "torn: apply on the cut log"
audit_ok "$work/cut.jsonl" || fail "torn: the cut log does not verify after apply"
finish

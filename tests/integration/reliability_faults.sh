#!/usr/bin/env bash
# The fault matrix: trunkctl apply of the example manifests against a
# trunksim seeded with the example org, under one injected fault per
# case. Each case must converge (plan --detailed-exitcode exits 0 after
# one apply, or after a second), keep its audit log's chain intact,
# leave no two live trunks of an edge with one name, and never crash.
# The table it prints is the one in docs/reliability.md.
. "$(dirname "$0")/reliability_common.bash"

table="$work/table"
: >"$table"

# Prints the first error of the last run, shortened for the table: a
# 'trunkctl: error:' line, or else the first failed action on stdout.
first_error() {
  { grep -h 'trunkctl: error:' "$work/err"
    grep -h '^[-+~<>?] .* failed' "$work/out"; } |
    head -n 1 | sed 's/^trunkctl: error: //' | cut -c1-100 | tr '|' '/'
}

# Runs one case: NAME, then sim options up to "--", then fault JSON
# documents to inject before the first apply. BACKGROUND_FAULT, when set,
# is injected BACKGROUND_DELAY seconds after the first apply starts.
run_case() {
  local name=$1 sim_args=() faults=() audit applies=1 converged plan1
  local first_status first_error_text injector= answers started

  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    sim_args+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  faults=("$@")
  audit="$work/$name.audit.jsonl"

  started=$(date +%s%N)
  sim_start --seed "$EXAMPLE_SEED" "${sim_args[@]}"
  for f in "${faults[@]}"; do
    sim_fault "$f"
  done
  if [ -n "${BACKGROUND_FAULT:-}" ]; then
    (sleep "${BACKGROUND_DELAY:-0.1}"; sim_fault "$BACKGROUND_FAULT") &
    injector=$!
  fi
  tc_apply --audit-log "$audit" ${APPLY_ARGS:-} "$EXAMPLE"
  [ -n "$injector" ] && wait "$injector"
  first_status=$status
  first_error_text=$(first_error)
  expect_no_crash "$name: first apply"
  [ "$status" -eq 0 ] || [ -n "$first_error_text" ] ||
    fail "$name: apply exited $status without an error message"

  answers=$(sim_admin GET '/__sim/requests?log=1' | jq -r '[.log[]
      | select(.status >= 300 or .status == 0) | .status] | group_by(.)
      | map("\(.[0])x\(length)") | join(" ")')
  sim_admin DELETE /__sim/faults >/dev/null
  plan1=$(plan_status "$EXAMPLE")
  converged=$plan1
  if [ "$plan1" -eq 2 ]; then
    applies=2
    tc_apply --audit-log "$audit" "$EXAMPLE"
    expect_no_crash "$name: second apply"
    converged=$(plan_status "$EXAMPLE")
  fi
  [ "$converged" -eq 0 ] ||
    fail "$name: plan --detailed-exitcode exits $converged after $applies applies"
  audit_ok "$audit" || fail "$name: audit verify: $(cat "$work/audit.err")"
  expect_no_duplicates "$name"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "${answers:--}" \
    "$first_status" "$((($(date +%s%N) - started) / 1000000))" \
    "$([ "$converged" -eq 0 ] && echo "after $applies" || echo no)" \
    "${first_error_text:--}" >>"$table"
  sim_stop
}

TRUNKS=/api/v2/telephony/providers/edges/{edgeId}/trunks
TRUNK=$TRUNKS/{trunkId}

run_case no-fault
run_case 429-retry-after -- \
  '{"route": "POST '$TRUNKS'", "kind": "429", "count": 2, "retryAfter": "1"}'
run_case 503-burst -- \
  '{"route": "*", "kind": "503", "count": 6, "retryAfter": "0"}'
run_case 503-random-20% --fail-rate 0.2 --random-seed 7
run_case drop-random-10% --drop-rate 0.1 --random-seed 11
run_case truncated-body -- \
  '{"route": "GET '$TRUNKS'", "kind": "truncate", "count": 2}' \
  '{"route": "POST '$TRUNKS'", "kind": "truncate", "count": 1}'
run_case invalid-json -- \
  '{"route": "GET '$TRUNK'", "kind": "invalid_json", "count": 2}' \
  '{"route": "GET '$TRUNKS'", "kind": "invalid_json", "count": 1}'
# The create is stored but its response is not JSON: the trunk is
# looked up by name and adopted, as after a lost response.
run_case create-answer-invalid-json -- \
  '{"route": "POST '$TRUNKS'", "kind": "invalid_json", "count": 1}'
run_case create-answer-lost -- \
  '{"route": "POST '$TRUNKS'", "kind": "drop_after_commit", "count": 2}'

BACKGROUND_FAULT='{"kind": "expire_tokens"}' BACKGROUND_DELAY=0.15 \
  run_case token-expiry -- \
  '{"route": "POST '$TRUNKS'", "kind": "delay", "delayMs": 300, "count": 1}'

TC_ENV="TRUNKCTL_REQUEST_TIMEOUT=200ms" run_case slow-answers -- \
  '{"route": "POST '$TRUNKS'", "kind": "delay", "delayMs": 500, "count": 1}' \
  '{"route": "GET '$TRUNK'", "kind": "delay", "delayMs": 500, "count": 2}'

# A trunk inserted after the first page of a paged listing (2 per page)
# shifts the later pages by one. The pager must notice and read again.
EDGE=3f2504e0-4f89-11d3-9a0c-0305e82c3301
run_case listing-shifts --max-page-size 2 -- \
  '{"kind": "insert_trunk", "edgeId": "'$EDGE'", "afterRequests": 1,
    "trunk": {"name": "AAA-Inserted", "sipEndpoints": ["198.51.100.5:5060"]}}'

# Listings miss new trunks for 400 ms while the create responses are lost:
# the lookup by name finds nothing, the create is sent again and its 409
# is resolved by adopting the trunk.
run_case listing-lags -- \
  '{"kind": "lag", "ms": 400}' \
  '{"route": "POST '$TRUNKS'", "kind": "drop_after_commit", "count": 2}'

echo "| case | failed answers (status x count) | first apply exit | case ms | converged | first error |"
echo "| --- | --- | --- | --- | --- | --- |"
cat "$table"
finish

# Helpers of the reliability, crash and security tests: each test
# sources this file. It starts trunksim on 127.0.0.1 (a free port), runs
# trunkctl against it with millisecond-scale retry and verify settings,
# and checks the simulator's state and the audit log.
#
# Needs TRUNKCTL, TRUNKSIM and SOURCE_DIR, as ctest sets them.
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${TRUNKSIM:?set TRUNKSIM to the trunksim binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the repository root}"

CLIENT_ID=trunkctl-test-client
CLIENT_SECRET=sim-secret-3c1f8d2a
EXAMPLE="$SOURCE_DIR/manifests/example"
EXAMPLE_SEED="$SOURCE_DIR/manifests/sim/example-org.json"

work=$(mktemp -d)
failures=0
sim_pids=()

cleanup() {
  local pid
  for pid in "${sim_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

note() {
  echo "# $*"
}

# Ends the test: exit 1 when any check failed.
finish() {
  if [ "$failures" -gt 0 ]; then
    echo "$failures checks failed" >&2
    exit 1
  fi
  echo "all checks passed"
  exit 0
}

# Starts trunksim with the test credentials and ARGS. Sets SIM_PID,
# SIM_PORT and SIM_URL (SIM_SCHEME=https makes it an https URL).
sim_start() {
  local dir="$work/sim.$RANDOM.$RANDOM" i
  mkdir -p "$dir"
  "$TRUNKSIM" --port 0 --port-file "$dir/port" \
    --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" \
    --activation-delay-ms 50 "$@" 2>"$dir/stderr" &
  SIM_PID=$!
  sim_pids+=("$SIM_PID")
  for i in $(seq 200); do
    [ -s "$dir/port" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.02
  done
  if [ ! -s "$dir/port" ]; then
    fail "trunksim did not start: $(cat "$dir/stderr")"
    finish
  fi
  SIM_PORT=$(cat "$dir/port")
  SIM_URL="${SIM_SCHEME:-http}://127.0.0.1:$SIM_PORT"
  SIM_LOG="$dir/stderr"
}

sim_stop() {
  kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
}

# Sends an admin request: sim_admin METHOD PATH [JSON].
sim_admin() {
  local extra=()
  [ "${SIM_SCHEME:-http}" = https ] && extra=(--cacert "$SIM_CACERT")
  curl -sS --max-time 10 "${extra[@]}" -X "$1" \
    -H 'Content-Type: application/json' ${3:+--data "$3"} \
    "$SIM_URL$2"
}

sim_fault() {
  sim_admin POST /__sim/faults "$1" >/dev/null ||
    fail "cannot add fault $1"
}

# Runs trunkctl ARGS against the simulator with fast retry settings;
# stdout, stderr and the exit status land in $work/out, $work/err and
# $status. TC_ENV adds environment settings ("NAME=value ...").
tc() {
  # shellcheck disable=SC2086
  env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
    GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET" \
    TRUNKCTL_MAX_REQUESTS_PER_MINUTE=0 TRUNKCTL_RETRY_BASE=10ms \
    TRUNKCTL_RETRY_CAP=100ms TRUNKCTL_BREAKER_COOLDOWN=200ms \
    ${TC_ENV:-} "$TRUNKCTL" --api-url "$SIM_URL" "$@" \
    >"$work/out" 2>"$work/err"
  status=$?
}

# apply with the fast verify settings, auto-approved.
tc_apply() {
  tc apply --auto-approve --verify-poll-interval 20ms \
    --verify-timeout "${VERIFY_TIMEOUT:-5s}" --lookup-backoff 20ms "$@"
}

# Fails when the last trunkctl run crashed: a signal or a sanitizer
# report. WHAT names the run.
expect_no_crash() {
  if [ "$status" -ge 128 ]; then
    fail "$1: trunkctl ended by signal $((status - 128))"
  fi
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$work/err"; then
    fail "$1: sanitizer report"
    sed 's/^/  | /' "$work/err" | head -40 >&2
  fi
}

expect_status() {  # CODE WHAT
  [ "$status" -eq "$1" ] || {
    fail "$2: exit $status, expected $1"
    sed 's/^/  err| /' "$work/err" | tail -15 >&2
  }
}

expect_err() {  # PATTERN WHAT (extended regex, on stderr)
  grep -qE -- "$1" "$work/err" || {
    fail "$2: no stderr line matching '$1'"
    sed 's/^/  err| /' "$work/err" | tail -15 >&2
  }
}

# Prints how many names (ignoring case) are shared by two or more
# non-deleted trunks of one edge.
sim_duplicates() {
  sim_admin GET /__sim/state | jq '[.edges[] | [.trunks[]
      | select(.state != "deleted") | .name | ascii_downcase]
      | group_by(.) | map(select(length > 1)) | length] | add // 0'
}

expect_no_duplicates() {  # WHAT
  local n
  n=$(sim_duplicates)
  [ "$n" = 0 ] || fail "$1: $n duplicate trunk names in the simulator"
}

# Checks the audit log FILE's chain with 'trunkctl audit verify'.
audit_ok() {
  "$TRUNKCTL" audit verify "$1" >"$work/audit.out" 2>"$work/audit.err"
}

# Exit status of 'plan --detailed-exitcode' on MANIFESTS (0: converged).
plan_status() {
  tc plan --detailed-exitcode "$@"
  echo "$status"
}

# Writes a fleet of new trunks: EDGES edges of PER_EDGE trunks each, as
# manifests in DIR/manifests and an org without trunks in DIR/seed.json.
gen_fleet() {
  local dir=$1 edges=$2 per_edge=$3 e t id
  mkdir -p "$dir/manifests"
  {
    echo '{"edges": ['
    for e in $(seq "$edges"); do
      printf '{"id": "fleet-edge-%d", "name": "Fleet Edge %d", "maxTrunks": %d}%s\n' \
        "$e" "$e" $((per_edge + 10)) "$([ "$e" -lt "$edges" ] && echo ,)"
    done
    echo ']}'
  } >"$dir/seed.json"
  for e in $(seq "$edges"); do
    id="fleet-edge-$e"
    {
      printf 'apiVersion: trunkctl/v1\nkind: EdgeTrunks\n'
      printf 'edge:\n  id: %s\n  maxTrunks: %d\n' "$id" $((per_edge + 10))
      printf 'defaults:\n  maxConcurrentCalls: 100\n  codecs: [PCMU, PCMA]\n'
      printf 'trunks:\n'
      for t in $(seq "$per_edge"); do
        printf '  - name: Fleet-%d-Trunk-%03d\n' "$e" "$t"
        printf '    sipEndpoints: ["198.51.100.%d:%d"]\n' "$e" $((5000 + t))
      done
    } >"$dir/manifests/edge-$e.yaml"
  done
}

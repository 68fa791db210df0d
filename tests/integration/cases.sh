#!/usr/bin/env bash
# Runs every case folder under tests/integration/cases: starts trunksim on
# 127.0.0.1 with the case's seed, flags and faults, runs trunkctl with the
# case's command, and compares the exit code, stdout and the requests the
# simulator counted with what the case expects. The file formats are in
# tests/integration/cases/README.md.
#
# Needs TRUNKCTL, TRUNKSIM and SOURCE_DIR. CASES=NAME,NAME runs only those
# cases, JOBS=N runs N cases at a time (default 2), and KEEP=1 keeps the
# work folders. BLESS=1 rewrites each case's expected-stdout from its
# output: review the diff before keeping it.
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${TRUNKSIM:?set TRUNKSIM to the trunksim binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the repository root}"

export TRUNKCTL TRUNKSIM SOURCE_DIR
CASES_DIR="$SOURCE_DIR/tests/integration/cases"
HELPERS="$SOURCE_DIR/tests/integration/lib"
SIM_CLIENT_ID=trunkctl-case-client
SIM_CLIENT_SECRET=case-secret-5b7e0c91
# The system's interpreter starts faster than a version manager's shim.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
export SIM_CLIENT_ID SIM_CLIENT_SECRET HELPERS PYTHON

# Settings that keep every run at millisecond scale. Global options go
# before the command; apply's own options after it, where the case's
# arguments can override them.
GLOBAL_ARGS=(--max-requests-per-minute 0 --retry-base 10ms --retry-cap 50ms
       --retry-after-max 5 --breaker-cooldown 100ms --request-timeout 5)
APPLY_ARGS=(--verify-poll-interval 20ms --verify-timeout 5s
      --lookup-backoff 10ms --callback-retry-base 10ms)

root=$(mktemp -d)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$root"' EXIT

# Replaces the placeholders of a command line with this case's values.
expand_placeholders() {
  local line=$1
  line=${line//@MANIFESTS@/$MANIFESTS}
  line=${line//@WORK@/$WORK}
  line=${line//@SOURCE@/$SOURCE_DIR}
  line=${line//@URL@/$URL}
  line=${line//@CASE@/$CASE_DIR}
  line=${line//@CALLBACK@/${CALLBACK_URL:-}}
  line=${line//@LOGIN@/${LOGIN_URL:-}}
  printf '%s' "$line"
}

# Runs trunkctl with the words of LINE after expansion; stdout, stderr and
# the exit code go to $WORK/PREFIX.out, .err and .rc.
run_trunkctl() {  # PREFIX LINE
  local prefix=$1 line args=() rc i
  line=$(expand_placeholders "$2")
  eval "args=($line)"
  for i in "${!args[@]}"; do
    [ "${args[$i]}" = apply ] || continue
    args=("${args[@]:0:$i}" apply --audit-log "$WORK/audit.jsonl"
          "${APPLY_ARGS[@]}" "${args[@]:$((i + 1))}")
    break
  done
  timeout 60 "$TRUNKCTL" --api-url "$URL" "${GLOBAL_ARGS[@]}" \
    "${args[@]}" >"$WORK/$prefix.out" 2>"$WORK/$prefix.err" \
    <"${STDIN_FILE:-/dev/null}" &
  [ "$prefix" = run ] && [ -f "$CASE_DIR/interrupt" ] &&
    interrupt_when $! <"$CASE_DIR/interrupt"
  wait $!
  rc=$?
  # A sanitizer report fails the run even when the exit code is right.
  if grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer' \
    "$WORK/$prefix.err"; then
    echo "sanitizer report in $prefix.err:"
    grep -E -A12 'runtime error:|Sanitizer' "$WORK/$prefix.err" |
      head -n 40
    rc=125
  fi
  echo "$rc" >"$WORK/$prefix.rc"
  return 0
}

# Reads "SIGNAL METHOD ROUTE COUNT" and sends SIGNAL to PID once the
# simulator has counted COUNT requests to the route. `timeout` passes the
# signal on to trunkctl.
interrupt_when() {  # PID
  local signal method route want have i
  read -r signal method route want
  for i in $(seq 1000); do
    have=$(curl -s "$URL/__sim/requests" |
           jq --arg m "$method" --arg r "$route" \
        '[.routes[] | select(.method == $m and .route == $r)
         | .count] | add // 0')
    [ "$have" -ge "$want" ] && break
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.01
  done
  kill "-$signal" "$1"
}

# Replaces what changes from run to run: times, durations, hashes, the
# source's commit, the work folder and the checkout paths.
normalise() {
  sed -E \
      -e "s#$WORK/?#WORK/#g" \
      -e "s#$SOURCE_DIR/?#SOURCE/#g" \
      -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' \
      -e 's/\b[0-9a-f]{64}\b/SHA256/g' \
      -e 's/\b[0-9a-f]{40}\b/COMMIT/g' \
      -e 's/"dirty":([[:space:]]*)(true|false)/"dirty":\1DIRTY/g' \
      -e 's/dirty(: | )(true|false|yes|no)/dirty\1DIRTY/g' \
      -e 's/"toolVersion":([[:space:]]*)"[^"]*"/"toolVersion":\1"VERSION"/' \
      -e 's/[0-9]+ ms\b/N ms/g'
}

start_sim() {
  local args=(--port 0 --port-file "$WORK/sim.port"
        --client-id "$SIM_CLIENT_ID"
        --client-secret "$SIM_CLIENT_SECRET"
        --activation-delay-ms 50) extra=() i
  if [ -f "$CASE_DIR/seed.json" ]; then
    args+=(--seed "$CASE_DIR/seed.json")
  elif [ -f "$CASE_DIR/seed" ]; then
    args+=(--seed "$SOURCE_DIR/$(cat "$CASE_DIR/seed")")
  fi
  if [ -f "$CASE_DIR/sim-args" ]; then
    eval "extra=($(expand_placeholders "$(cat "$CASE_DIR/sim-args")"))"
    args+=("${extra[@]}")
  fi
  "$TRUNKSIM" "${args[@]}" 2>"$WORK/sim.log" &
  SIM_PID=$!
  for i in $(seq 100); do
    [ -s "$WORK/sim.port" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ ! -s "$WORK/sim.port" ]; then
    echo "trunksim did not start: $(cat "$WORK/sim.log")"
    return 1
  fi
  PORT=$(cat "$WORK/sim.port")
  URL="http://127.0.0.1:$PORT"
  export PORT URL SIM_PID
}

stop_sim() {
  [ -n "${SIM_PID:-}" ] || return 0
  curl -s "$URL/__sim/requests?log=1" >"$WORK/requests.json"
  kill "$SIM_PID" 2>/dev/null
  wait "$SIM_PID" 2>/dev/null
  SIM_PID=
}

post_faults() {
  local line status
  [ -f "$CASE_DIR/faults.json" ] || return 0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    line=$(expand_placeholders "$line")
    status=$(curl -s -o "$WORK/fault.out" -w '%{http_code}' \
       -X POST --data-binary "$line" "$URL/__sim/faults")
    case $status in
    2??) ;;
    *) echo "fault rejected ($status): $line: $(cat "$WORK/fault.out")"
       return 1 ;;
    esac
  done <"$CASE_DIR/faults.json"
}

# Checks the lines of FILE, "METHOD ROUTE COUNT", "writes COUNT" and
# "total COUNT", against the simulator's counts; COUNT is N, <=N or >=N.
check_requests() {  # FILE
  local counts method route want have op n problems=0
  counts=$(curl -s "$URL/__sim/requests")
  while read -r method route want; do
    [ -n "$method" ] && [ "${method:0:1}" != "#" ] || continue
    case $method in
    writes)
      want=$route
      have=$(jq '[.routes[] | select(.method != "GET")
            | select(.route != "/oauth/token")
            | .count] | add // 0' <<<"$counts") ;;
    total)
      want=$route
      have=$(jq '.total' <<<"$counts") ;;
    *)
      have=$(jq --arg m "$method" --arg r "$route" \
          '[.routes[] | select(.method == $m and
           .route == $r) | .count] | add // 0' \
          <<<"$counts") ;;
    esac
    case $want in
    '<='*) op=-le n=${want#<=} ;;
    '>='*) op=-ge n=${want#>=} ;;
    *) op=-eq n=$want ;;
    esac
    if ! [ "$have" "$op" "$n" ]; then
      echo "requests: $method ${route:-} is $have, expected $want"
      problems=1
    fi
  done <"$1"
  [ "$problems" = 0 ] || echo "  all counts: $(jq -c '.routes' <<<"$counts")"
  return "$problems"
}

check_exit() {  # PREFIX EXPECTED WHAT
  local have
  have=$(cat "$WORK/$1.rc")
  [ "$have" = "$2" ] && return 0
  echo "$3: exit $have, expected $2"
  sed 's/^/  stdout| /' "$WORK/$1.out" | tail -n 30
  sed 's/^/  stderr| /' "$WORK/$1.err" | tail -n 30
  return 1
}

# Checks that every line of FILE appears in $WORK/PREFIX.STREAM.
check_contains() {  # FILE PREFIX STREAM
  local line problems=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    line=$(expand_placeholders "$line")
    grep -qF -- "$line" "$WORK/$2.$3" && continue
    echo "no line with '$line' in $3"
    problems=1
  done <"$1"
  [ "$problems" = 0 ] || sed "s/^/  $3| /" "$WORK/$2.$3" | tail -n 40
  return "$problems"
}

# Runs the lines of `then`: "EXIT ARGS...", each a further trunkctl run.
run_then() {
  local want line n=0
  while read -r want line; do
    [ -n "$want" ] && [ "${want:0:1}" != "#" ] || continue
    n=$((n + 1))
    run_trunkctl "then$n" "$line"
    check_exit "then$n" "$want" "then '$line'" || return 1
  done <"$CASE_DIR/then"
}

run_case() {
  local name=$1 expected
  CASE_DIR="$CASES_DIR/$name"
  WORK="$root/$name"
  URL= CALLBACK_URL= LOGIN_URL=
  mkdir -p "$WORK"
  export CASE_DIR WORK
  # A copy outside any git work tree, so that the plan's source is the
  # path alone and does not depend on the checkout.
  MANIFESTS="$WORK/manifests"
  if [ -d "$CASE_DIR/manifests" ]; then
    cp -R "$CASE_DIR/manifests" "$MANIFESTS"
  elif [ -f "$CASE_DIR/manifests" ]; then
    cp -R "$SOURCE_DIR/$(cat "$CASE_DIR/manifests")" "$MANIFESTS"
  else
    cp -R "$SOURCE_DIR/manifests/example" "$MANIFESTS"
  fi
  export MANIFESTS
  if [ -f "$CASE_DIR/env" ]; then
    set -a
    # shellcheck disable=SC1091
    . "$CASE_DIR/env"
    set +a
  fi
  export GENESYSCLOUD_OAUTHCLIENT_ID=$SIM_CLIENT_ID
  export GENESYSCLOUD_OAUTHCLIENT_SECRET=$SIM_CLIENT_SECRET

  start_sim || return 1
  post_faults || return 1
  if [ -f "$CASE_DIR/setup" ]; then
    # shellcheck disable=SC1091
    . "$CASE_DIR/setup" || { echo "setup failed"; return 1; }
    # The counts cover the command alone.
    curl -s -X POST "$URL/__sim/requests/reset" >/dev/null
  fi

  run_trunkctl run "$(cat "$CASE_DIR/command")"
  expected=$(cat "$CASE_DIR/expected-exit" 2>/dev/null || echo 0)
  check_exit run "$expected" "command" || return 1
  if [ -f "$CASE_DIR/expected-stdout" ]; then
    normalise <"$WORK/run.out" >"$WORK/run.out.normal"
    [ "${BLESS:-0}" = 1 ] &&
      cp "$WORK/run.out.normal" "$CASE_DIR/expected-stdout"
    if ! diff -u "$CASE_DIR/expected-stdout" "$WORK/run.out.normal" \
      >"$WORK/stdout.diff"; then
      echo "stdout differs from expected-stdout:"
      head -n 60 "$WORK/stdout.diff"
      return 1
    fi
  fi
  if [ -f "$CASE_DIR/stdout-contains" ]; then
    check_contains "$CASE_DIR/stdout-contains" run out || return 1
  fi
  if [ -f "$CASE_DIR/stderr-contains" ]; then
    check_contains "$CASE_DIR/stderr-contains" run err || return 1
  fi
  if [ -f "$CASE_DIR/expected-requests" ]; then
    check_requests "$CASE_DIR/expected-requests" || return 1
  fi
  if [ -f "$CASE_DIR/check" ]; then
    # shellcheck disable=SC1091
    (. "$CASE_DIR/check") || return 1
  fi
  if [ -f "$CASE_DIR/then" ]; then
    curl -s -X POST "$URL/__sim/requests/reset" >/dev/null
    run_then || return 1
  fi
  if [ -f "$CASE_DIR/then-requests" ]; then
    check_requests "$CASE_DIR/then-requests" || return 1
  fi
  return 0
}

# Helpers for `setup` and `check` scripts.

fail() {
  echo "$*"
  return 1
}

# The live (not deleted) trunks named NAME, ignoring case, on every edge.
sim_trunks_named() {  # NAME
  curl -s "$URL/__sim/state" |
    jq --arg n "$1" '[.edges[].trunks[] | select(.state != "deleted")
          | select((.name | ascii_downcase) ==
             ($n | ascii_downcase))] | length'
}

# Fails unless exactly one live trunk is named NAME.
expect_one_trunk() {  # NAME
  local n
  n=$(sim_trunks_named "$1")
  [ "$n" = 1 ] || fail "$n live trunks are named '$1', expected 1"
}

# A bearer token of the simulator, for requests made as another client.
sim_token() {
  curl -s -u "$SIM_CLIENT_ID:$SIM_CLIENT_SECRET" \
    --data grant_type=client_credentials "$URL/oauth/token" |
    jq -r .access_token
}

# Waits for a helper's port file; prints the port.
wait_port() {  # FILE PID
  local i
  for i in $(seq 100); do
    [ -s "$1" ] && { cat "$1"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# Starts lib/callback_receiver.py with ARGS; sets CALLBACK_URL. Its log
# is $WORK/callbacks.jsonl, the bodies it got $WORK/callback-bodies.
start_receiver() {  # ARGS...
  local port
  "$PYTHON" "$HELPERS/callback_receiver.py" --port-file "$WORK/cb.port" \
    --log "$WORK/callbacks.jsonl" --bodies "$WORK/callback-bodies" \
    "$@" 2>"$WORK/receiver.log" &
  port=$(wait_port "$WORK/cb.port" $!) ||
    fail "callback receiver did not start: $(cat "$WORK/receiver.log")"
  CALLBACK_URL="http://127.0.0.1:$port/hook"
  touch "$WORK/callbacks.jsonl" "$WORK/callback-bodies"
}

# Starts lib/token_proxy.py in front of the simulator; sets LOGIN_URL.
# The tokens it passed on are in $WORK/tokens.
start_token_proxy() {
  local port
  "$PYTHON" "$HELPERS/token_proxy.py" --port-file "$WORK/proxy.port" \
    --upstream "$URL" --tokens "$WORK/tokens" \
    2>"$WORK/proxy.log" &
  port=$(wait_port "$WORK/proxy.port" $!) ||
    fail "token proxy did not start: $(cat "$WORK/proxy.log")"
  LOGIN_URL="http://127.0.0.1:$port"
  touch "$WORK/tokens"
}

# The audit log's actions as "action outcome trunk" lines, in order.
audit_actions() {
  jq -r 'select(.trunk != null) | "\(.action) \(.outcome) \(.trunk)"' \
    "$WORK/audit.jsonl"
}

selected() {
  [ -z "${CASES:-}" ] && return 0
  case ",$CASES," in *",$1,"*) return 0 ;; esac
  return 1
}

# Runs one case in a subshell and writes "ok" or "FAIL", the time and
# any explanation to $root/NAME.result.
run_one() {  # NAME
  local name=$1 case_start output rc ms
  case_start=$(date +%s%N)
  output=$( (run_case "$name"; rc=$?; stop_sim
       # Helpers the case started: receivers, proxies, pollers.
       for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
       wait 2>/dev/null
       exit $rc) 2>&1 )
  rc=$?
  ms=$(( ($(date +%s%N) - case_start) / 1000000 ))
  if [ "$rc" = 0 ]; then
    printf 'ok   %-40s %6d ms\n' "$name" "$ms"
  else
    printf 'FAIL %-40s %6d ms\n' "$name" "$ms"
    printf '%s\n' "$output" | sed 's/^/     /'
  fi >"$root/$name.result"
}

# Cases run JOBS at a time (default 2); each has its own simulator and
# work folder, so they share nothing.
jobs_max=${JOBS:-2}
names=()
start=$(date +%s%N)
for dir in "$CASES_DIR"/*/; do
  name=$(basename "$dir")
  selected "$name" || continue
  names+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
    wait -n
  done
  run_one "$name" &
done
wait

failures=0
for name in "${names[@]}"; do
  cat "$root/$name.result"
  grep -q '^FAIL' "$root/$name.result" && failures=$((failures + 1))
done
total_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$((${#names[@]} - failures)) of ${#names[@]} cases passed" \
  "in $total_ms ms"
[ "$failures" = 0 ]

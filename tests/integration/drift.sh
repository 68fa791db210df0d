#!/usr/bin/env bash
# trunkctl drift against trunksim on 127.0.0.1: in sync, a trunk changed
# behind the tool's back, wrong status, missing and pruned trunks, the
# three formats, the Prometheus metrics file, read-only requests, the
# --interval service stopped by SIGTERM, and apply bringing it back.
# Needs TRUNKCTL, TRUNKSIM and SOURCE_DIR.
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${TRUNKSIM:?set TRUNKSIM to the trunksim binary}"

work=$(mktemp -d /tmp/trunkctl-drift-XXXXXX)
SIM_PID=
SERVICE_PID=
BIG_PID=
cleanup() {
  [ -n "$SERVICE_PID" ] && kill -9 "$SERVICE_PID" 2>/dev/null
  [ -n "$BIG_PID" ] && kill "$BIG_PID" 2>/dev/null && wait "$BIG_PID"
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
export GENESYSCLOUD_OAUTHCLIENT_ID=drift-test-client
export GENESYSCLOUD_OAUTHCLIENT_SECRET=drift-secret-91c4
unset GENESYSCLOUD_REGION

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

run() {
  timeout 60 "$TRUNKCTL" --api-url "$URL" --max-requests-per-minute 0 \
    --request-timeout 5 --retry-attempts 0 "$@" >"$work/out" 2>"$work/err"
  status=$?
}

# Fails on a sanitizer report, which a test expecting exit 1 would miss.
expect_status() {  # STATUS WHAT
  grep -qE '(Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' \
    "$work/err" && fail "$2: sanitizer report: $(head -20 "$work/err")"
  [ "$status" -eq "$1" ] || {
    fail "$2: exit $status, expected $1"
    sed 's/^/  out| /' "$work/out" | head -30 >&2
    sed 's/^/  err| /' "$work/err" >&2
  }
}

expect_line() {  # FILE TEXT WHAT
  grep -qF -- "$2" "$work/$1" || {
    fail "$3: no line with '$2' in $1"
    sed 's/^/  | /' "$work/$1" | head -40 >&2
  }
}

admin() {  # METHOD PATH [BODY]
  curl -s -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$URL$2"
}

# Every request since the last reset was the token request or a GET.
expect_read_only() {  # WHAT
  local requests
  requests=$(admin GET /__sim/requests)
  echo "$requests" | jq -e '
    ([.routes[] | select(.method != "GET" and .route != "/oauth/token")]
     | length == 0) and
    ([.routes[] | select(.route == "/oauth/token") | .count] | add == 1)' \
    >/dev/null || fail "$1: not one token request and GETs: $requests"
}

# Checks the syntax of every line of a Prometheus text file.
expect_prometheus() {  # FILE WHAT
  python3 - "$1" <<'PY' || fail "$2: not Prometheus text"
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(%s)(\{%s(,%s)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$'
                    % (name, label, label))
meta = re.compile(r'^# (HELP %s .*|TYPE %s (gauge|counter|untyped))$'
                  % (name, name))
lines = open(sys.argv[1]).read().split('\n')
assert lines[-1] == '', 'no final line feed'
for line in lines[:-1]:
    assert sample.match(line) or meta.match(line), repr(line)
PY
}

cat >"$work/seed.json" <<'EOF'
{"edges": [
 {"id": "edge-a", "name": "Edge \"A\" \\ one", "maxTrunks": 10, "trunks": [
  {"id": "t-1", "name": "Primary", "sipEndpoints": ["203.0.113.1:5060"],
   "codecs": ["PCMU", "PCMA"], "maxConcurrentCalls": 300,
   "status": "ENABLED"},
  {"id": "t-2", "name": "Backup", "sipEndpoints": ["203.0.113.2:5060"],
   "codecs": ["PCMU"], "maxConcurrentCalls": 100, "status": "DISABLED"},
  {"id": "t-3", "name": "Hand-Made", "sipEndpoints": ["203.0.113.3:5060"],
   "status": "ENABLED"}]},
 {"id": "edge-b", "name": "Edge B", "trunks": [
  {"id": "t-4", "name": "Owned", "sipEndpoints": ["198.51.100.4:5060"],
   "maxConcurrentCalls": 50, "status": "ENABLED"}]}]}
EOF
mkdir -p "$work/manifests"
cat >"$work/manifests/edges.yaml" <<'EOF'
apiVersion: trunkctl/v1
kind: EdgeTrunks
edge:
  name: Edge "A" \ one
  maxTrunks: 10
trunks:
  - name: Primary
    sipEndpoints: ["203.0.113.1:5060"]
    codecs: [PCMU, PCMA]
    maxConcurrentCalls: 300
  - name: Backup
    sipEndpoints: ["203.0.113.2:5060"]
    codecs: [PCMU]
    maxConcurrentCalls: 100
    state: inactive
---
apiVersion: trunkctl/v1
kind: EdgeTrunks
edge:
  id: edge-b
  prune: true
trunks:
  - name: Owned
    sipEndpoints: ["198.51.100.4:5060"]
    codecs: [PCMU, PCMA]
    maxConcurrentCalls: 50
EOF

"$TRUNKSIM" --port 0 --port-file "$work/sim.port" --seed "$work/seed.json" \
  --client-id "$GENESYSCLOUD_OAUTHCLIENT_ID" \
  --client-secret "$GENESYSCLOUD_OAUTHCLIENT_SECRET" \
  --activation-delay-ms 50 2>"$work/sim.log" &
SIM_PID=$!
for _ in $(seq 100); do
  [ -s "$work/sim.port" ] && break
  sleep 0.05
done
URL="http://127.0.0.1:$(cat "$work/sim.port")"
metrics="$work/metrics/drift.prom"
mkdir -p "$work/metrics"

# In sync: exit 0; the hand-made trunk is unmanaged, not drift.
admin POST /__sim/requests/reset >/dev/null
run drift "$work/manifests" --metrics-file "$metrics"
expect_status 0 "in sync"
expect_line out "No drift. The live trunks match the manifests." "in sync"
expect_line out "unmanaged: Hand-Made (id t-3, ENABLED), not in the manifest" \
  "unmanaged listed"
expect_read_only "in sync"
expect_prometheus "$metrics" "in sync metrics"
expect_line metrics/drift.prom 'trunkctl_drift_trunks{edge="Edge \"A\" \\ one",edge_id="edge-a"} 0' \
  "escaped edge label"
expect_line metrics/drift.prom "trunkctl_drift_check_success 1" \
  "success metric"
[ "$(stat -c %a "$metrics")" = 644 ] ||
  fail "metrics file mode $(stat -c %a "$metrics"), expected 644"
ls "$work/metrics" | grep -q tmp && fail "a temporary metrics file is left"

# A trunk changed behind the tool's back, as another client would.
admin POST /__sim/faults '{"kind": "set_trunk", "edgeId": "edge-a",
  "trunkId": "t-1", "fields": {"maxConcurrentCalls": 120,
  "codecs": ["PCMA"]}}' >/dev/null
admin POST /__sim/faults '{"kind": "set_trunk", "edgeId": "edge-b",
  "trunkId": "t-4", "fields": {"status": "DISABLED"}}' >/dev/null
admin POST /__sim/requests/reset >/dev/null
run drift "$work/manifests" --metrics-file "$metrics"
expect_status 2 "changed behind the back"
expect_line out "~ Primary (id t-1, ENABLED): 2 fields differ" "drifted trunk"
expect_line out "        maxConcurrentCalls: 120 -> 300" "drifted field"
expect_line out "        codecs: [PCMA] -> [PCMU, PCMA]" "drifted list"
expect_line out "! Owned (id t-4, DISABLED): DISABLED, expected ENABLED (state active)" \
  "status drift"
expect_line out "Drift: 2 trunks on 2 of 2 edges" "drift summary"
expect_read_only "drift"
expect_prometheus "$metrics" "drift metrics"
expect_line metrics/drift.prom 'trunkctl_drift_trunks{edge="Edge B",edge_id="edge-b"} 1' \
  "drift metric"

run drift "$work/manifests" --format json
expect_status 2 "json"
jq -e '.inSync == false and .summary.drifted == 2 and
  .summary.unmanaged == 1 and
  (.edges[0].drifted[0] | .name == "Primary" and .id == "t-1" and
   .problems == ["fields"] and
   ([.changes[].field] == ["maxConcurrentCalls", "codecs"]) and
   .changes[0].live == "120" and .changes[0].desired == "300") and
  (.edges[1].drifted[0].problems == ["status"])' "$work/out" >/dev/null ||
  fail "json: $(head -c 800 "$work/out")"

run drift "$work/manifests" --format markdown
expect_status 2 "markdown"
expect_line out "## trunkctl drift" "markdown title"
expect_line out "| ~ | Primary | t-1 | ENABLED | 2 fields differ<br>maxConcurrentCalls: 120 -\\> 300" \
  "markdown row"

# Missing and extra trunks: Owned deleted, an undeclared trunk on the
# prune edge, Backup enabled although inactive.
admin POST /__sim/faults '{"kind": "set_trunk", "edgeId": "edge-b",
  "trunkId": "t-4", "fields": {"state": "deleted"}}' >/dev/null
admin POST /__sim/faults '{"kind": "insert_trunk", "edgeId": "edge-b",
  "afterRequests": 0, "trunk": {"id": "t-5", "name": "Stray",
  "sipEndpoints": ["198.51.100.5:5060"], "status": "ENABLED"}}' >/dev/null
admin POST /__sim/faults '{"kind": "set_trunk", "edgeId": "edge-a",
  "trunkId": "t-2", "fields": {"status": "ENABLED"}}' >/dev/null
run drift "$work/manifests"
expect_status 2 "missing and extra"
expect_line out "+ Owned: missing: the manifest declares it active" "missing"
expect_line out "- Stray (id t-5, ENABLED): live, but not in the manifest of an edge with prune" \
  "undeclared on a prune edge"
expect_line out "! Backup (id t-2, ENABLED): ENABLED, expected DISABLED (state inactive)" \
  "enabled although inactive"

# --target limits the check to one edge.
run drift "$work/manifests" --target edge-b --format json
jq -e '(.edges | length) == 1 and .edges[0].id == "edge-b"' "$work/out" \
  >/dev/null || fail "--target: $(head -c 400 "$work/out")"

# Apply brings the edges back; drift then exits 0.
run apply "$work/manifests" --auto-approve --audit-log "$work/audit.jsonl" \
  --verify-poll-interval 20ms --verify-timeout 5s
expect_status 0 "apply"
run drift "$work/manifests" --metrics-file "$metrics"
expect_status 0 "after apply"
expect_line out "No drift." "after apply"

# The manifests of a git revision: the report names the commit.
git -C "$work/manifests" -c init.defaultBranch=main init -q
git -C "$work/manifests" add -A
git -C "$work/manifests" -c user.name=Test -c user.email=test@example.net \
  commit -qm manifests
commit=$(git -C "$work/manifests" rev-parse HEAD)
run drift --git-repo "$work/manifests" --ref main --format json
expect_status 0 "git source"
jq -e --arg c "$commit" '.source.commit == $c and .source.ref == "main" and
  .inSync' "$work/out" >/dev/null ||
  fail "git source: $(jq -c .source "$work/out")"

# A failed check: exit 1, and a metrics file that reports the failure.
GENESYSCLOUD_OAUTHCLIENT_SECRET=wrong-secret run drift "$work/manifests" \
  --metrics-file "$metrics"
expect_status 1 "wrong credentials"
expect_line metrics/drift.prom "trunkctl_drift_check_success 0" \
  "failure metric"
expect_prometheus "$metrics" "failure metrics"

# Usage errors.
run drift --interval 5ms "$work/manifests"
expect_status 1 "short interval"
expect_line err "--interval takes a duration of at least 100ms" \
  "short interval message"
run drift --format yaml "$work/manifests"
expect_status 1 "bad format"
run drift
expect_status 1 "no manifests"

# The service: a check every 200ms, stopped by SIGTERM after a check.
admin POST /__sim/requests/reset >/dev/null
"$TRUNKCTL" --api-url "$URL" drift "$work/manifests" --interval 200ms \
  --metrics-file "$metrics" --format json >"$work/service.out" \
  2>"$work/service.err" &
SERVICE_PID=$!
for _ in $(seq 200); do
  [ "$(grep -c 'found no drift' "$work/service.err")" -ge 3 ] && break
  sleep 0.05
done
kill -TERM "$SERVICE_PID"
wait "$SERVICE_PID"
status=$?
SERVICE_PID=
[ "$status" -eq 0 ] || fail "service: exit $status after SIGTERM"
grep -qE 'Sanitizer|runtime error:' "$work/service.err" &&
  fail "service: sanitizer report: $(head -20 "$work/service.err")"
checks=$(grep -c 'found no drift' "$work/service.err")
[ "$checks" -ge 3 ] || fail "service: $checks checks logged"
grep -qE '^[0-9T:.-]+Z trunkctl: drift check 1 started$' "$work/service.err" ||
  fail "service: no start line: $(head -3 "$work/service.err")"
grep -q 'drift service stopped by SIGTERM' "$work/service.err" ||
  fail "service: no stop line: $(tail -3 "$work/service.err")"
[ "$(wc -l <"$work/service.out")" -ge 3 ] &&
  jq -e -s 'all(.inSync)' "$work/service.out" >/dev/null ||
  fail "service: stdout is not one JSON line per check"
expect_prometheus "$metrics" "service metrics"
tokens=$(admin GET /__sim/requests |
  jq '[.routes[] | select(.route == "/oauth/token") | .count] | add')
[ "$tokens" -ge 3 ] || fail "service: $tokens token requests"
admin GET /__sim/requests | jq -e '[.routes[] |
  select(.method != "GET" and .route != "/oauth/token")] | length == 0' \
  >/dev/null || fail "service: sent more than GETs"

# Failed checks do not stop the service; SIGINT does, with exit 0.
GENESYSCLOUD_OAUTHCLIENT_SECRET=wrong-secret "$TRUNKCTL" --api-url "$URL" \
  drift "$work/manifests" --interval 100ms --metrics-file "$metrics" \
  >"$work/failing.out" 2>"$work/failing.err" &
SERVICE_PID=$!
for _ in $(seq 200); do
  [ "$(grep -c 'error: drift check [0-9]* failed' "$work/failing.err")" \
    -ge 2 ] && break
  sleep 0.05
done
kill -INT "$SERVICE_PID"
wait "$SERVICE_PID"
status=$?
SERVICE_PID=
[ "$status" -eq 0 ] || fail "failing service: exit $status after SIGINT"
grep -q 'drift service stopped by SIGINT' "$work/failing.err" ||
  fail "failing service: no stop line: $(tail -3 "$work/failing.err")"
grep -q "trunkctl_drift_check_success 0" "$metrics" ||
  fail "failing service: the metrics do not report the failure"
grep -q "wrong-secret" "$work/failing.err" &&
  fail "failing service: the client secret appears in the log"

grep -rq "$GENESYSCLOUD_OAUTHCLIENT_SECRET" "$work"/*.out "$work"/*.err \
  "$work/out" "$work/err" && fail "the client secret appears in the output"

# Each check of the service frees its memory, so the resident size stays
# flat over checks of 10,000 trunks (a check that kept its model would
# add about 3 MiB). A sanitizer build keeps freed memory in quarantine,
# so the check is skipped there.
service_rss() {  # CHECKS: waits for that many checks, prints VmRSS in KiB
  for _ in $(seq 600); do
    [ "$(grep -c 'drift check found' "$work/big-service.err")" \
      -ge "$1" ] && break
    sleep 0.05
  done
  awk '/^VmRSS:/ {print $2}' "/proc/$SERVICE_PID/status"
}
if ldd "$TRUNKCTL" | grep -q libasan; then
  echo "skip: service memory in a sanitizer build"
else
  "$TRUNKSIM" --port 0 --port-file "$work/big.port" --edges 10 \
    --trunks-per-edge 1000 --max-trunks 1000 \
    --client-id "$GENESYSCLOUD_OAUTHCLIENT_ID" \
    --client-secret "$GENESYSCLOUD_OAUTHCLIENT_SECRET" 2>"$work/big.log" &
  BIG_PID=$!
  for _ in $(seq 100); do
    [ -s "$work/big.port" ] && break
    sleep 0.05
  done
  big_url="http://127.0.0.1:$(cat "$work/big.port")"
  edges=()
  for edge in $(seq -f 'edge-%04g' 1 10); do
    edges+=(--edge "$edge")
  done
  timeout 60 "$TRUNKCTL" --api-url "$big_url" --max-requests-per-minute 0 \
    export "${edges[@]}" --out "$work/big" >/dev/null \
    2>"$work/big-export.err" ||
    fail "service memory: export failed: $(head -3 "$work/big-export.err")"
  "$TRUNKCTL" --api-url "$big_url" --max-requests-per-minute 0 \
    drift "$work/big" --interval 100ms >/dev/null \
    2>"$work/big-service.err" &
  SERVICE_PID=$!
  rss_first=$(service_rss 2)
  rss_last=$(service_rss 8)
  checks=$(grep -c 'drift check found' "$work/big-service.err")
  kill -TERM "$SERVICE_PID"
  wait "$SERVICE_PID"
  SERVICE_PID=
  kill "$BIG_PID" && wait "$BIG_PID"
  BIG_PID=
  [ "$checks" -ge 8 ] ||
    fail "service memory: $checks checks: $(tail -3 "$work/big-service.err")"
  [ $((rss_last - rss_first)) -lt 4096 ] ||
    fail "service memory: grew from $rss_first KiB after check 2 to" \
      "$rss_last KiB after check 8"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "drift: all checks passed"

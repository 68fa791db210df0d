#!/usr/bin/env bash
# trunkctl export against trunksim on 127.0.0.1: a seeded org with
# values other than the defaults, every status, and names and
# descriptions that YAML would misread unquoted. The exported manifests
# must validate and plan with no change to any field.
# Needs TRUNKCTL and TRUNKSIM.
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${TRUNKSIM:?set TRUNKSIM to the trunksim binary}"

work=$(mktemp -d /tmp/trunkctl-export-XXXXXX)
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
export GENESYSCLOUD_OAUTHCLIENT_ID=export-test-client
export GENESYSCLOUD_OAUTHCLIENT_SECRET=export-secret-2b8f
unset GENESYSCLOUD_REGION

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

run() {
  timeout 60 "$TRUNKCTL" --api-url "$URL" --max-requests-per-minute 0 \
    --request-timeout 5 "$@" >"$work/out" 2>"$work/err"
  status=$?
}

# Fails on a sanitizer report, which a test expecting exit 1 would miss.
expect_status() {  # STATUS WHAT
  grep -qE '(Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' \
    "$work/err" && fail "$2: sanitizer report: $(head -20 "$work/err")"
  [ "$status" -eq "$1" ] || {
    fail "$2: exit $status, expected $1"
    sed 's/^/  out| /' "$work/out" | head -40 >&2
    sed 's/^/  err| /' "$work/err" >&2
  }
}

expect_line() {  # FILE TEXT WHAT
  grep -qF -- "$2" "$work/$1" || {
    fail "$3: no line with '$2' in $1"
    sed 's/^/  | /' "$work/$1" | head -60 >&2
  }
}

# Descriptions that YAML reads as something else when written plain.
python3 - "$work/seed.json" <<'PY'
import json, sys
tricky = ["yes", "no", "on", "off", "true", "False", "null", "NULL", "~",
          "Y", "n", "a: #b", "key: value", "x #comment", " leading",
          "trailing ", "123", "1.5", "0x1F", "1e3", "0o17", "1_000",
          "12:30:00", ".inf", ".NaN", "-dash", "- item", "*star", "&anchor",
          "!tag", "|pipe", ">fold", "%percent", "@at", "`tick", "\"quoted\"",
          "'single'", "[list]", "{map}", "?question", ",comma", "#hash",
          "tab\there", "line\nbreak", "back\\slash", "bell\u0007",
          "del\u007f", "c1\u0085next", "sep\u2028line", "bom\ufeff",
          "Zürich ☎ 电话", "2026-12-04", "<<", "=", "!!str x", "---",
          "..."]
trunks = []
statuses = ["ENABLED", "PENDING", "DISABLED", "FAILED"]
for i, text in enumerate(tricky):
    trunks.append({
        "id": "t-%02d" % i,
        "name": "Trunk-%02d" % i,
        "description": text,
        "sipEndpoints": ["198.51.100.%d:5060" % (i + 1)],
        "codecs": ["PCMU"],
        "maxConcurrentCalls": 10 + i,
        "status": statuses[i % 4],
    })
# Names YAML would misread, and every non-default value at once.
trunks += [
    {"id": "n-1", "name": "yes", "sipEndpoints": ["[2001:db8::1]:5061"],
     "codecs": ["G722", "PCMA", "G729"], "maxConcurrentCalls": 1000,
     "natTraversal": "ENABLED", "keepAliveInterval": 3600,
     "keepAliveProtocol": "OPTIONS", "sipInviteTimeout": 1,
     "rtpTimeout": 3600, "status": "ENABLED"},
    {"id": "n-2", "name": "123", "sipEndpoints": ["sbc.example.net:5080",
     "203.0.113.9:5060"], "maxConcurrentCalls": 1,
     "keepAliveInterval": 5, "status": "DISABLED"},
    {"id": "n-3", "name": "a: #b", "description": "",
     "sipEndpoints": ["203.0.113.10:1"], "keepAliveProtocol": "OPTIONS",
     "status": "PENDING"},
    {"id": "n-4", "name": "-x, [y]", "sipEndpoints": ["203.0.113.11:65535"],
     "natTraversal": "ENABLED", "status": "FAILED"},
]
seed = {"edges": [
    {"id": "edge-a", "name": "Dublin Edge 1", "maxTrunks": 100,
     "trunks": trunks},
    {"id": "edge-b", "name": "Edge/Two: *Special*", "trunks": [
        {"id": "b-1", "name": "B-Enabled", "description": "off",
         "sipEndpoints": ["203.0.113.20:5060"], "status": "ENABLED"},
        {"id": "b-2", "name": "B-Disabled", "description": "  ",
         "sipEndpoints": ["203.0.113.21:5060"], "status": "DISABLED"}]},
    {"id": "edge-c", "name": "Empty Edge", "trunks": []},
]}
json.dump(seed, open(sys.argv[1], "w"), indent=1)
PY

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

# Export reads only: one token request and GETs.
curl -s -X POST "$URL/__sim/requests/reset" >/dev/null
run export --edge "dublin edge 1" --edge edge-b --edge edge-c \
  --out "$work/exported"
expect_status 0 "export to a folder"
curl -s "$URL/__sim/requests" | jq -e '
  ([.routes[] | select(.method != "GET" and .route != "/oauth/token")]
   | length == 0) and
  ([.routes[] | select(.route == "/oauth/token") | .count] | add == 1)' \
  >/dev/null || fail "export sent more than a token request and GETs"
for f in dublin-edge-1.yaml edge-two-special.yaml empty-edge.yaml; do
  [ -f "$work/exported/$f" ] || fail "no file $f: $(ls "$work/exported")"
done
[ "$(stat -c %a "$work/exported/dublin-edge-1.yaml")" = 600 ] ||
  fail "file mode $(stat -c %a "$work/exported/dublin-edge-1.yaml")"
a="exported/dublin-edge-1.yaml"
expect_line "$a" "  id: edge-a" "edge id"
expect_line "$a" "  name: Dublin Edge 1" "edge name"
expect_line "$a" "  maxTrunks: 100" "edge maxTrunks"
expect_line "$a" '    description: "yes"' "quoted yes"
expect_line "$a" '    description: "a: #b"' "quoted colon and hash"
expect_line "$a" '    description: " leading"' "leading space"
expect_line "$a" '    description: "line\nbreak"' "escaped line feed"
expect_line "$a" '    description: "bell\u0007"' "escaped control"
expect_line "$a" '    description: "sep\u2028line"' "escaped U+2028"
expect_line "$a" '  - name: "yes"' "quoted name"
expect_line "$a" '  - name: "-x, [y]"' "quoted name with indicators"
expect_line "$a" '    sipEndpoints: ["[2001:db8::1]:5061"]' "IPv6 endpoint"
expect_line "$a" '    codecs: [G722, PCMA, G729]' "codecs"
expect_line "$a" '    keepAlive: {interval: 3600, protocol: OPTIONS}' \
  "keepalive"
expect_line "$a" '    keepAlive: {interval: 5}' "keepalive interval only"
expect_line "$a" '    state: inactive' "DISABLED maps to inactive"
expect_line "$a" '    description: "Zürich ☎ 电话"' "UTF-8 kept unescaped"
grep -q "state: active" "$work/$a" && fail "state active was not left out"
grep -q "rtpTimeout: 30$" "$work/$a" && fail "a default was not left out"
[ "$(grep -c '^  - name:' "$work/$a")" -eq 61 ] ||
  fail "$(grep -c '^  - name:' "$work/$a") trunks exported, expected 61"
expect_line exported/empty-edge.yaml "trunks: []" "empty edge"

# Every description reads back as the same string.
python3 - "$work/seed.json" "$work/$a" <<'PY' || fail "YAML round trip"
import json, sys, yaml
seed = json.load(open(sys.argv[1]))["edges"][0]["trunks"]
doc = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
got = {t["name"]: t for t in doc["trunks"]}
for t in seed:
    e = got[t["name"]]
    assert e.get("description", "") == t.get("description", ""), (t, e)
    assert e["maxConcurrentCalls"] == t.get("maxConcurrentCalls", 100)
PY

# The exported manifests validate and plan with no field change: only
# the FAILED and PENDING trunks get activate and verify (a PENDING trunk
# may never have been activated).
"$TRUNKCTL" validate "$work/exported" >"$work/out" 2>"$work/err"
status=$?
expect_status 0 "validate the export"
expect_line out "3 edges, 63 trunks: valid (3 files)" "validate summary"
run plan "$work/exported" --format json
expect_status 0 "plan the export"
jq -e '.summary.create == 0 and .summary.update == 0 and
  .summary.delete == 0 and .summary.deactivate == 0 and
  .summary.activate == 30 and .summary.verify == 30 and
  ([.actions[] | select(.kind == "activate") | .liveStatus] | unique ==
   ["FAILED", "PENDING"]) and
  ([.actions[] | select(.kind == "verify") | .dependsOn | length] |
   unique == [1]) and
  ([.edges[].unmanaged | length] | add == 0)' "$work/out" >/dev/null ||
  fail "plan of the export: $(jq -c .summary "$work/out")"
run plan "$work/exported/edge-two-special.yaml" "$work/exported/empty-edge.yaml" \
  --detailed-exitcode
expect_status 0 "plan of the ENABLED and DISABLED edge"
expect_line out "No changes. The edges match the manifests." \
  "no changes for the second edge"

# Without --out the manifests go to stdout, separated by ---.
run export --edge edge-b --edge "Empty Edge"
expect_status 0 "export to stdout"
[ "$(grep -c '^---$' "$work/out")" -eq 1 ] || fail "stdout: one --- expected"
python3 -c 'import sys, yaml; d = list(yaml.safe_load_all(open(sys.argv[1])));
assert [x["edge"]["id"] for x in d] == ["edge-b", "edge-c"], d' \
  "$work/out" || fail "stdout: two documents"
cp "$work/out" "$work/stdout.yaml"
"$TRUNKCTL" validate "$work/stdout.yaml" >"$work/out" 2>"$work/err"
status=$?
expect_status 0 "validate stdout export"

# An existing file is kept unless --force.
run export --edge edge-b --out "$work/exported"
expect_status 1 "existing file"
expect_line err "exists; remove it, or pass --force to replace it" \
  "existing file message"
run export --edge edge-b --out "$work/exported" --force
expect_status 0 "existing file with --force"
expect_line err "Wrote 2 trunks of edge" "note of the file written"
run -q export --edge edge-b --out "$work/exported" --force
expect_status 0 "export -q"
[ -s "$work/err" ] && fail "export -q: stderr is '$(cat "$work/err")'"

# --out creates missing parent folders; a file in the way is an error.
run export --edge edge-c --out "$work/deep/a/b/"
expect_status 0 "nested --out"
[ -f "$work/deep/a/b/empty-edge.yaml" ] || fail "nested --out: no file"
[ "$(stat -c %a "$work/deep/a")" = 700 ] || fail "nested --out: folder mode"
run export --edge edge-c --out "$work/deep/a/b/empty-edge.yaml/x"
expect_status 1 "--out through a file"
expect_line err "is not a folder" "--out through a file message"

# Unknown edges and usage errors.
run export --edge no-such-edge
expect_status 1 "unknown edge"
expect_line err "trunkctl: error: edge 'no-such-edge' not found" \
  "unknown edge message"
run export
expect_status 1 "no edge"
expect_line err "no edge given" "no edge message"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "export: all checks passed"

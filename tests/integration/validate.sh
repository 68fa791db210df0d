#!/usr/bin/env bash
# trunkctl validate on real files: exit codes, the summary, located
# errors with the quoted line and caret, warnings, and the JSON model.
# Needs TRUNKCTL (the binary) and SOURCE_DIR (the repository root).
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the repository root}"

fixtures="$SOURCE_DIR/tests/fixtures/manifests"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Runs trunkctl validate ARGS, keeping stdout, stderr and the exit code.
run() {
  "$TRUNKCTL" validate "$@" >"$work/out" 2>"$work/err"
  status=$?
}

expect_status() {
  [ "$status" -eq "$1" ] || fail "$2: exit $status, expected $1"
}

expect_line() {  # FILE PATTERN WHAT
  grep -qF -- "$2" "$work/$1" || {
    fail "$3: no line with '$2' in $1"
    sed 's/^/  | /' "$work/$1" >&2
  }
}

# The example repository is valid and prints no warning.
run "$SOURCE_DIR/manifests/example"
expect_status 0 "example"
expect_line out "4 edges, 10 trunks: valid (3 files)" "example summary"
[ -s "$work/err" ] && fail "example: unexpected stderr: $(cat "$work/err")"

# Five mistakes in one file: five located errors, then the count.
f="$fixtures/five-errors/trunks.yaml"
run "$f"
expect_status 1 "five errors"
[ -s "$work/out" ] && fail "five errors: stdout is not empty"
expect_line err "$f:9:20: error: invalid SIP endpoint '203.0.113.999:5060'" \
  "endpoint error"
expect_line err "$f:10:20: error: unknown codec 'G711'" "codec error"
expect_line err "$f:11:25: error: maxConcurrentCalls must be between 1 and 1000, got 5000" \
  "range error"
expect_line err "$f:12:19: error: natTraversal: expected true or false, got 'yes'" \
  "boolean error"
expect_line err "$f:13:5: error: unknown key 'codec' in trunk; did you mean 'codecs'?" \
  "unknown key error"
[ "$(grep -c ': error: ' "$work/err")" -eq 5 ] ||
  fail "five errors: $(grep -c ': error: ' "$work/err") error lines"
[ "$(tail -n 1 "$work/err")" = "5 errors" ] ||
  fail "five errors: last line is '$(tail -n 1 "$work/err")'"
# The quoted line and the caret under column 25.
expect_line err "   11 |     maxConcurrentCalls: 5000" "quoted line"
expect_line err "      |                         ^" "caret"

# Errors of several paths come in one run.
run "$f" "$fixtures/duplicate-edge" "$work/missing.yaml"
expect_status 1 "several paths"
expect_line err "$work/missing.yaml: error: cannot open: No such file or directory" \
  "missing path"
expect_line err "second.yaml:4:7: error: edge id '1B4E28BA-2FA1-11D2-883F-0016D3CCA427' is already declared at $fixtures/duplicate-edge/first.yaml:4" \
  "duplicate edge"
[ "$(tail -n 1 "$work/err")" = "7 errors" ] ||
  fail "several paths: last line is '$(tail -n 1 "$work/err")'"

# A file given twice, directly and through its folder, is read once.
run "$SOURCE_DIR/manifests/example" \
  "$SOURCE_DIR/manifests/example/edges/dublin.yaml"
expect_status 0 "file given twice"
expect_line out "4 edges, 10 trunks: valid (3 files)" "file given twice summary"
expect_line err "dublin.yaml: warning: skipped: the same file as" \
  "file given twice warning"

# Skipped documents and empty files are warnings when manifests exist.
run "$fixtures/mixed"
expect_status 0 "mixed"
expect_line out "3 edges, 2 trunks: valid (5 files)" "mixed summary"
expect_line err "b.yml:8:13: warning: skipping a document of apiVersion 'apps/v1'" \
  "skipped document"
expect_line err "empty.yaml: warning: no manifest" "empty file"
grep -q "hidden" "$work/err" && fail "mixed: a hidden file was read"

# -q keeps the summary and drops the warnings.
run -q "$fixtures/mixed"
expect_status 0 "quiet"
expect_line out "3 edges, 2 trunks: valid (5 files)" "quiet summary"
[ -s "$work/err" ] && fail "quiet: warnings printed: $(cat "$work/err")"

# Nothing but other YAML: an error, never an empty desired state.
run "$fixtures/not-trunkctl"
expect_status 1 "not trunkctl"
expect_line err "trunkctl: error: no trunkctl manifest found" "no manifest"

# The JSON model: parseable, with payloads and digests.
run --format json "$SOURCE_DIR/manifests/example"
expect_status 0 "json"
python3 - "$work/out" <<'PY' || fail "json: model content"
import json, re, sys
model = json.load(open(sys.argv[1]))
edges = model["edges"]
assert len(edges) == 4, len(edges)
assert edges[0]["name"] == "Dublin Edge 1"
assert edges[0]["id"] is None
assert edges[1]["id"] == "6f9619ff-8b86-d011-b42d-00cf4fc964ff"
assert edges[1]["prune"] is True
assert edges[1]["maxTrunks"] == 20
trunks = [t for e in edges for t in e["trunks"]]
assert len(trunks) == 10
for t in trunks:
    assert re.fullmatch("[0-9a-f]{64}", t["sha256"]), t
    assert t["state"] in ("active", "inactive", "absent")
first = trunks[0]["payload"]
assert first["name"] == "Carrier-Primary-Trunk"
assert first["codecs"] == ["PCMU", "PCMA", "G729"]
assert first["natTraversal"] == "ENABLED"
PY

# Usage errors.
run
expect_status 1 "no path"
expect_line err "validate: no PATH given" "no path message"
run --format yaml "$SOURCE_DIR/manifests/example"
expect_status 1 "bad format"
run --help
expect_status 0 "help"
expect_line out "usage: trunkctl validate" "help text"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "validate: all checks passed"

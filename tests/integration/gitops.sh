#!/usr/bin/env bash
# trunkctl plan and validate on manifests read from real git repositories,
# made with the git command in a temporary folder, against trunksim on
# 127.0.0.1. The cases: every revision of a history, --path, an unknown
# revision, a file:// clone, uncommitted edits and a shallow clone. Then
# the provenance of a plain-path run, and the manifest diff of --base-ref.
# Needs TRUNKCTL, TRUNKSIM and SOURCE_DIR.
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${TRUNKSIM:?set TRUNKSIM to the trunksim binary}"

work=$(mktemp -d /tmp/trunkctl-gitops-XXXXXX)
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
export GENESYSCLOUD_OAUTHCLIENT_ID=gitops-test-client
export GENESYSCLOUD_OAUTHCLIENT_SECRET=gitops-secret-7d1e
unset GENESYSCLOUD_REGION

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

start_sim() {  # SEED
  "$TRUNKSIM" --port 0 --port-file "$work/sim.port" --seed "$1" \
    --client-id "$GENESYSCLOUD_OAUTHCLIENT_ID" \
    --client-secret "$GENESYSCLOUD_OAUTHCLIENT_SECRET" \
    --activation-delay-ms 50 2>"$work/sim.log" &
  SIM_PID=$!
  for _ in $(seq 100); do
    [ -s "$work/sim.port" ] && break
    sleep 0.05
  done
  [ -s "$work/sim.port" ] || { echo "trunksim did not start" >&2; exit 1; }
  URL="http://127.0.0.1:$(cat "$work/sim.port")"
}

# Runs trunkctl ARGS with the simulator's URL; keeps out, err and status.
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
    sed 's/^/  err| /' "$work/err" >&2
  }
}

expect_line() {  # FILE TEXT WHAT
  grep -qF -- "$2" "$work/$1" || {
    fail "$3: no line with '$2' in $1"
    sed 's/^/  | /' "$work/$1" | head -40 >&2
  }
}

expect_no_line() {  # FILE TEXT WHAT
  ! grep -qF -- "$2" "$work/$1" || fail "$3: unexpected '$2' in $1"
}

git_in() {  # REPO ARGS...
  local repo=$1
  shift
  git -C "$repo" -c user.name=Test -c user.email=test@example.net \
    -c init.defaultBranch=main -c advice.detachedHead=false "$@"
}

# Writes the manifest of edge-a with N trunks (Trunk-1 takes CALLS calls).
manifest() {  # FILE N CALLS [MAX_TRUNKS]
  local i
  mkdir -p "$(dirname "$1")"
  {
    printf 'apiVersion: trunkctl/v1\nkind: EdgeTrunks\nedge:\n'
    printf '  id: edge-a\n  maxTrunks: %s\ntrunks:\n' "${4:-10}"
    for i in $(seq "$2"); do
      printf '  - name: Trunk-%s\n' "$i"
      printf '    sipEndpoints: ["203.0.113.%s:5060"]\n' "$i"
      printf '    codecs: [PCMU, PCMA]\n'
      if [ "$i" -eq 1 ]; then
        printf '    maxConcurrentCalls: %s\n' "$3"
      else
        printf '    maxConcurrentCalls: 100\n'
      fi
    done
  } >"$1"
}

cat >"$work/seed.json" <<'EOF'
{"edges": [{"id": "edge-a", "name": "Edge A", "maxTrunks": 10,
  "trunks": [{"name": "Trunk-1", "sipEndpoints": ["203.0.113.1:5060"],
              "codecs": ["PCMU", "PCMA"], "maxConcurrentCalls": 100,
              "status": "ENABLED"}]}]}
EOF
start_sim "$work/seed.json"

# The history: c1 matches the org, c2 adds Trunk-2, c3 changes Trunk-1.
# A broken manifest outside manifests/ and a YAML file of another tool
# live in the same tree.
repo="$work/repo"
mkdir -p "$repo"
git_in "$repo" init -q
manifest "$repo/manifests/edges/a.yaml" 1 100
mkdir -p "$repo/drafts"
printf 'apiVersion: trunkctl/v1\nkind: EdgeTrunks\nedge: {id: x}\n' \
  >"$repo/drafts/broken.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\n' >"$repo/deploy.yaml"
git_in "$repo" add -A && git_in "$repo" commit -qm "one trunk"
c1=$(git_in "$repo" rev-parse HEAD)
manifest "$repo/manifests/edges/a.yaml" 2 100
git_in "$repo" commit -qam "add Trunk-2"
c2=$(git_in "$repo" rev-parse HEAD)
manifest "$repo/manifests/edges/a.yaml" 2 250
git_in "$repo" commit -qam "raise Trunk-1"
c3=$(git_in "$repo" rev-parse HEAD)

# Each revision plans as its own manifests require.
run plan --git-repo "$repo" --ref "$c1" --path manifests --detailed-exitcode
expect_status 0 "plan at c1"
expect_line out "No changes. The edges match the manifests." "plan at c1"
# The JSON rendering with manifestChanges is still a plan file that
# apply accepts: planSha256 covers the added member.
run plan --git-repo "$repo" --ref "$c1" --base-ref "$c1" --path manifests \
  --format json
cp "$work/out" "$work/plan-c1.json"
jq -e '.manifestChanges.edges == []' "$work/plan-c1.json" >/dev/null ||
  fail "plan at c1: no manifestChanges member"
run apply --plan "$work/plan-c1.json" --auto-approve \
  --audit-log "$work/audit.jsonl"
expect_status 0 "apply of a JSON plan with manifestChanges"
jq '.manifestChanges.baseRef = "edited"' "$work/plan-c1.json" >"$work/plan-edited.json"
run apply --plan "$work/plan-edited.json" --auto-approve \
  --audit-log "$work/audit.jsonl"
expect_status 1 "apply of an edited manifestChanges"
expect_line err "planSha256" "edited plan message"
run plan --git-repo "$repo" --ref "$c2" --path manifests --detailed-exitcode
expect_status 2 "plan at c2"
expect_line out "+ create #0 Trunk-2" "plan at c2"
expect_line out "Plan: 1 to create, 0 to update" "plan at c2"
run plan --git-repo "$repo" --ref HEAD --path manifests --format json
expect_status 0 "plan at HEAD"
jq -e --arg c "$c3" '.source.commit == $c and .source.ref == "HEAD" and
  .source.dirty == false and .summary.create == 1 and .summary.update == 1 and
  ([.actions[] | select(.kind == "update") | .changes[0].field] ==
   ["maxConcurrentCalls"])' "$work/out" >/dev/null ||
  fail "plan at HEAD: JSON source or actions: $(head -c 600 "$work/out")"
run plan --git-repo "$repo" --ref HEAD~1 --path manifests/ --format json
jq -e --arg c "$c2" '.source.commit == $c and .source.ref == "HEAD~1"' \
  "$work/out" >/dev/null || fail "plan at HEAD~1: source"

# --path: the whole tree contains a broken draft; the folder does not.
run plan --git-repo "$repo" --ref "$c1"
expect_status 1 "plan of the whole tree"
expect_line err "$c1:drafts/broken.yaml:" "broken draft named by revision"
expect_line err "deploy.yaml:1:" "other YAML skipped with a warning"
run plan --git-repo "$repo" --path missing-folder
expect_status 1 "missing --path"
expect_line err "path 'missing-folder' not found in the tree of 'HEAD'" \
  "missing --path message"

# An unknown revision.
run plan --git-repo "$repo" --ref no-such-branch --path manifests
expect_status 1 "unknown ref"
expect_line err "trunkctl: error: unknown revision 'no-such-branch'" \
  "unknown ref message"

# A file:// URL is cloned into a temporary folder.
run plan --git-repo "file://$repo" --ref main --path manifests --format json
expect_status 0 "file:// clone"
jq -e --arg c "$c3" '.source.commit == $c' "$work/out" >/dev/null ||
  fail "file:// clone: commit"

# Uncommitted edits are ignored: the plan is that of the commit.
manifest "$repo/manifests/edges/a.yaml" 3 999
run plan --git-repo "$repo" --path manifests --format json
jq -e '.summary.create == 1 and .summary.update == 1 and
  ([.actions[].trunk] | index("Trunk-3") == null)' "$work/out" >/dev/null ||
  fail "uncommitted edits were read: $(jq -c .summary "$work/out")"

# A plain path inside the work tree records the path, HEAD and the
# dirty flag.
run plan "$repo/manifests" --format json
expect_status 0 "plain path, dirty"
jq -e --arg c "$c3" --arg p "$repo/manifests" '.source.commit == $c and
  .source.dirty == true and .source.ref == "HEAD" and .source.path == $p and
  .summary.create == 2' "$work/out" >/dev/null ||
  fail "plain path, dirty: source $(jq -c .source "$work/out")"
git_in "$repo" checkout -q -- manifests
run plan "$repo/manifests" --format json
jq -e --arg c "$c3" '.source.commit == $c and .source.dirty == false' \
  "$work/out" >/dev/null ||
  fail "plain path, clean: source $(jq -c .source "$work/out")"
run plan "$repo/manifests" --format markdown
expect_line out "(commit ${c3:0:12})" "plain path: commit in Markdown"
expect_line out "Source: $repo/manifests in " "plain path: path in Markdown"
# The text form shows no provenance, so it does not read the work tree.
run --trace git plan "$repo/manifests" --format json
expect_line err "git: $repo/manifests is in a work tree at commit $c3" \
  "plain path: the JSON plan reads the work tree"
run --trace git plan "$repo/manifests"
expect_status 0 "plain path, text"
grep -q "is in a work tree" "$work/err" &&
  fail "plain path: the text plan read the work tree: $(grep git: "$work/err")"

# A shallow clone plans at HEAD; further back, trunkctl requests more
# history.
git clone -q --depth 1 "file://$repo" "$work/shallow" 2>/dev/null ||
  fail "git clone --depth 1"
run plan --git-repo "$work/shallow" --ref HEAD --path manifests --format json
expect_status 0 "shallow clone at HEAD"
jq -e --arg c "$c3" '.source.commit == $c' "$work/out" >/dev/null ||
  fail "shallow clone: commit"
run plan --git-repo "$work/shallow" --ref HEAD~1 --path manifests
expect_status 1 "shallow clone, HEAD~1"
expect_line err "fetch more history" "shallow clone message"

# validate reads a revision too, and names REV:PATH:LINE:COLUMN.
git_in "$repo" checkout -q -b broken
sed -i 's/maxConcurrentCalls: 250/maxConcurrentCalls: 5000/' \
  "$repo/manifests/edges/a.yaml"
git_in "$repo" commit -qam "too many calls"
"$TRUNKCTL" validate --git-repo "$repo" --ref broken --path manifests \
  >"$work/out" 2>"$work/err"
status=$?
expect_status 1 "validate broken revision"
expect_line err "broken:manifests/edges/a.yaml:10:25: error: maxConcurrentCalls must be between 1 and 1000, got 5000" \
  "validate error location"
"$TRUNKCTL" validate --git-repo "$repo" --ref main --path manifests \
  >"$work/out" 2>"$work/err"
status=$?
expect_status 0 "validate main"
expect_line out "1 edge, 2 trunks: valid (1 file)" "validate main summary"
# A file:// clone has every branch, not only the one checked out.
"$TRUNKCTL" validate --git-repo "file://$repo" --ref main --path manifests \
  >"$work/out" 2>"$work/err"
status=$?
expect_status 0 "validate file:// at a branch not checked out"
expect_line out "1 edge, 2 trunks: valid (1 file)" \
  "validate file:// at a branch not checked out: summary"
"$TRUNKCTL" validate --git-repo "file://$repo" --ref "$c1" \
  --path=manifests --format json >"$work/out" 2>"$work/err"
status=$?
expect_status 0 "validate file:// at c1"
jq -e '.edges[0].trunks | length == 1' "$work/out" >/dev/null ||
  fail "validate file:// at c1: model"
"$TRUNKCTL" validate --git-repo "$repo" --ref nowhere >"$work/out" \
  2>"$work/err"
status=$?
expect_status 1 "validate unknown ref"
expect_line err "unknown revision 'nowhere'" "validate unknown ref message"
"$TRUNKCTL" validate --ref main "$repo/manifests" >"$work/out" 2>"$work/err"
status=$?
expect_status 1 "validate --ref without --git-repo"

# The manifest diff. The feature branch starts at c3, changes Trunk-1,
# removes Trunk-2, adds Trunk-9 and raises maxTrunks. Then main moves on
# with a change of its own (Trunk-5), which must not show, because the
# diff starts at the merge base and not at main's tip.
git_in "$repo" checkout -q main
git_in "$repo" checkout -q -b feature
{
  printf 'apiVersion: trunkctl/v1\nkind: EdgeTrunks\nedge:\n'
  printf '  id: edge-a\n  maxTrunks: 12\ntrunks:\n'
  printf '  - name: Trunk-1\n    sipEndpoints: ["203.0.113.1:5060"]\n'
  printf '    codecs: [PCMU, PCMA]\n    maxConcurrentCalls: 300\n'
  printf '    state: inactive\n'
  printf '  - name: Trunk-9\n    sipEndpoints: ["203.0.113.9:5060"]\n'
  printf '    codecs: [G722]\n    maxConcurrentCalls: 9\n'
} >"$repo/manifests/edges/a.yaml"
git_in "$repo" commit -qam "feature"
git_in "$repo" checkout -q main
manifest "$repo/manifests/edges/a.yaml" 5 250
git_in "$repo" commit -qam "main moves on"
main_tip=$(git_in "$repo" rev-parse main)
git_in "$repo" checkout -q feature

run plan --git-repo "$repo" --ref feature --base-ref main --path manifests \
  --format markdown
expect_status 0 "base-ref markdown"
expect_line out "## Manifest changes" "diff section"
expect_line out "merge base of \`main\` and \`feature\` (commit \`${c3:0:12}\`)" \
  "merge base is c3, not main's tip"
expect_line out "| Trunk-1 | ~ changed | maxConcurrentCalls: 250 -\\> 300<br>state: active -\\> inactive |" \
  "changed trunk with fields"
expect_line out "| Trunk-9 | + added | state: active |" "added trunk"
expect_line out "| Trunk-2 | - removed | the edge has no prune: the live trunk stays, unmanaged |" \
  "removed trunk"
expect_line out "maxTrunks: 10 -\\> 12" "edge field"
expect_line out "1 changed, 0 removed; 1 trunk added, 1 changed, 1 removed." \
  "diff summary"
expect_no_line out "Trunk-5" "main's own change"
awk '/## Manifest changes/ { d = NR } /## trunkctl plan/ { p = NR }
  END { exit !(d && p && d < p) }' "$work/out" ||
  fail "the diff is not above the plan"

run plan --git-repo "$repo" --ref feature --base-ref main --path manifests
expect_status 0 "base-ref text"
expect_line out "Manifest changes from the merge base of main and feature" \
  "text diff header"
expect_line out "  ~ trunk Trunk-1 changed" "text changed trunk"
expect_line out "        maxConcurrentCalls: 250 -> 300" "text changed field"
expect_line out "trunkctl will perform the following actions:" \
  "text plan after the diff"

run plan --git-repo "$repo" --ref feature --base-ref main --path manifests \
  --format json
expect_status 0 "base-ref json"
jq -e --arg m "$c3" --arg t "$main_tip" '
  .manifestChanges.mergeBase == $m and .manifestChanges.baseCommit == $t and
  .manifestChanges.summary.trunksAdded == 1 and
  .manifestChanges.summary.trunksRemoved == 1 and
  .manifestChanges.summary.trunksChanged == 1 and
  (.manifestChanges.edges[0].trunks[] | select(.name == "Trunk-1") |
   [.fields[].field]) == ["maxConcurrentCalls", "state"] and
  (.planSha256 | test("^[0-9a-f]{64}$"))' "$work/out" >/dev/null ||
  fail "base-ref json: $(jq -c .manifestChanges "$work/out" | head -c 800)"

# A base whose manifests folder does not exist yet: every edge is added.
git_in "$repo" checkout -q --orphan empty-base
git_in "$repo" rm -rq --cached . && rm -rf "$repo/manifests"
printf 'readme\n' >"$repo/README"
git_in "$repo" add README && git_in "$repo" commit -qm "empty"
git_in "$repo" checkout -q -f feature
git_in "$repo" merge -q --allow-unrelated-histories -m "join" empty-base
run plan --git-repo "$repo" --ref feature --base-ref empty-base \
  --path manifests
expect_status 0 "base without the folder"
expect_line out "+ edge \"edge-a\" added" "edge added from an empty base"

# A base whose manifests do not load: the plan still runs, and the
# section gives the reason nothing was compared.
git_in "$repo" checkout -q -b fix broken
sed -i 's/maxConcurrentCalls: 5000/maxConcurrentCalls: 500/' \
  "$repo/manifests/edges/a.yaml"
git_in "$repo" commit -qam "fix the limit"
broken=$(git_in "$repo" rev-parse broken)
run plan --git-repo "$repo" --ref fix --base-ref broken --path manifests \
  --format markdown
expect_status 0 "base that does not load"
expect_line out "**Not available:** the manifests at ${broken:0:12} have 1 error" \
  "base that does not load: note"
expect_line out "## trunkctl plan" "base that does not load: plan"
git_in "$repo" checkout -q feature

# --base-ref needs a git source, and an unknown base fails.
run plan --base-ref main "$repo/manifests"
expect_status 1 "base-ref without git"
expect_line err "--base-ref needs --git-repo" "base-ref without git message"
run plan --git-repo "$repo" --base-ref no-such-base --path manifests
expect_status 1 "unknown base"
expect_line err "unknown revision 'no-such-base'" "unknown base message"

# In a shallow clone, a base that moved on has no merge base to find.
git clone -q --depth 1 --no-single-branch "file://$repo" "$work/shallow2" \
  2>/dev/null || fail "git clone --depth 1 --no-single-branch"
# libgit2 1.5.1 leaks inside git_merge_base() here; the slow unwinder
# lets tests/lsan.supp match that frame in sanitizer builds.
LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0" \
  run plan --git-repo "$work/shallow2" --ref origin/feature \
  --base-ref origin/main --path manifests
expect_status 1 "shallow clone, base-ref"
expect_line err "fetch more history" "shallow base-ref message"

# A plan reads only: one token request, then GETs.
curl -s -X POST "$URL/__sim/requests/reset" >/dev/null
run plan --git-repo "$repo" --ref feature --base-ref main --path manifests
curl -s "$URL/__sim/requests" >"$work/requests.json"
jq -e '[.routes[] | select(.method != "GET" and .route != "/oauth/token")]
  | length == 0' "$work/requests.json" >/dev/null ||
  fail "plan sent more than GETs: $(cat "$work/requests.json")"
grep -rq "$GENESYSCLOUD_OAUTHCLIENT_SECRET" "$work/out" "$work/err" &&
  fail "the client secret appears in the output"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "gitops: all checks passed"

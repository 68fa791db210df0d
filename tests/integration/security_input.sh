#!/usr/bin/env bash
# Hostile input at the command line. A saved plan that was edited,
# truncated or emptied is rejected by 'apply --plan' before any change.
# Manifests from git with a symbolic link loop, a huge blob, or a --path
# outside the tree are rejected (or the link is skipped), without a
# crash and without a change request to the API.
. "$(dirname "$0")/reliability_common.bash"

sim_start --seed "$EXAMPLE_SEED"

# Counts the requests that would change something (not GET, not token).
changes_sent() {
  sim_admin GET /__sim/requests | jq '[.routes[]
    | select(.method != "GET" and .route != "/oauth/token") | .count]
    | add // 0'
}

# Saved plans.
tc plan --out "$work/plan.json" "$EXAMPLE"
expect_status 0 "plan --out"
expect_err "Saved the plan to .*plan.json" "note of the saved plan"
tc -q plan --out "$work/plan.json" "$EXAMPLE"
expect_status 0 "plan -q --out"
[ -s "$work/err" ] && fail "plan -q --out: stderr is '$(cat "$work/err")'"
[ "$(stat -c %a "$work/plan.json")" = 600 ] ||
  fail "plan file mode is $(stat -c %a "$work/plan.json"), expected 600"

jq '(.actions[] | select(.payload != null) | .payload.maxConcurrentCalls) |= 1' \
  "$work/plan.json" >"$work/edited.json"
cmp -s "$work/plan.json" "$work/edited.json" &&
  fail "the plan edit changed nothing; the test needs a new edit"
head -c 300 "$work/plan.json" >"$work/truncated.json"
: >"$work/empty.json"
printf '{"formatVersion": 1}' >"$work/header-only.json"

sim_admin POST /__sim/requests/reset >/dev/null
for f in edited truncated empty header-only; do
  tc_apply --plan "$work/$f.json"
  expect_no_crash "apply --plan $f"
  expect_status 1 "apply --plan $f"
  case $f in
  edited) expect_err "plan file '.*' was modified after it was saved" \
    "edited plan" ;;
  truncated|empty) expect_err "is not a JSON object .*truncated" \
    "$f plan" ;;
  header-only) expect_err "plan file '.*'" "header-only plan" ;;
  esac
done
tc_apply --plan "$work/missing.json"
expect_status 1 "apply --plan of a missing file"
expect_err "missing.json" "missing plan names the file"
[ "$(changes_sent)" -eq 0 ] ||
  fail "a rejected plan sent $(changes_sent) changes"

# A plan applied once is stale the second time.
tc_apply --plan "$work/plan.json"
expect_status 0 "apply --plan"
tc_apply --plan "$work/plan.json"
expect_status 1 "apply --plan again"
expect_err "no longer matches|changed since" "stale plan message"

# Manifests from git.
repo="$work/repo"
mkdir -p "$repo"
cp -r "$EXAMPLE/." "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=test -c user.email=test@example.invalid \
  add -A
git -C "$repo" -c user.name=test -c user.email=test@example.invalid \
  commit -q -m manifests

commit_all() {
  git -C "$repo" add -A
  git -C "$repo" -c user.name=test -c user.email=test@example.invalid \
    commit -q -m "$1"
}

# Symbolic links that loop: to itself, and to a parent folder.
ln -s loop "$repo/edges/loop.yaml"
ln -s .. "$repo/edges/up"
ln -s ../edges "$repo/shared/edges-again"
ln -s .. "$repo/shared/parent.yaml"
commit_all "symbolic link loops"
sim_admin POST /__sim/requests/reset >/dev/null
tc plan --git-repo "$repo" --ref HEAD
expect_no_crash "git symlink loop"
expect_status 0 "git symlink loop"
# Links without a manifest name (up, edges-again) are not read at all.
for link in edges/loop.yaml shared/parent.yaml; do
  expect_err "skipping symbolic link '$link'" "git symlink $link"
done

# The same loops in a folder given as PATH.
"$TRUNKCTL" validate "$repo" >"$work/out" 2>"$work/err"
status=$?
expect_no_crash "validate with symlink loops"
expect_status 0 "validate with symlink loops"

# A blob over the 16 MiB manifest limit.
git -C "$repo" rm -q edges/loop.yaml edges/up shared/edges-again \
  shared/parent.yaml
head -c 17000000 /dev/zero | tr '\0' '#' >"$repo/edges/huge.yaml"
commit_all "huge blob"
sim_admin POST /__sim/requests/reset >/dev/null
tc plan --git-repo "$repo"
expect_no_crash "git huge blob"
expect_status 1 "git huge blob"
expect_err "HEAD:edges/huge.yaml.*over the limit" "git huge blob message"
# The edges of files read before the blob may have been listed already
# (plan starts its listings while the manifests load), so only change
# requests are ruled out.
[ "$(changes_sent)" -eq 0 ] || fail "git huge blob: change requests were sent"

# --path outside the tree.
git -C "$repo" rm -q edges/huge.yaml
commit_all "no huge blob"
for path in ../.. edges/../.. /etc ..; do
  tc plan --git-repo "$repo" --path "$path"
  expect_no_crash "--path $path"
  expect_status 1 "--path $path"
  expect_err "path '$path' (leaves the repository|must be relative)" \
    "--path $path message"
  "$TRUNKCTL" validate --git-repo "$repo" --path "$path" \
    >"$work/out" 2>"$work/err"
  status=$?
  expect_status 1 "validate --path $path"
  expect_err "path '$path' (leaves the repository|must be relative)" \
    "validate --path $path message"
done
tc plan --git-repo "$repo" --path edges
expect_status 0 "--path edges"
finish

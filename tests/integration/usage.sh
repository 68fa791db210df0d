#!/usr/bin/env bash
# The help texts list every option that the parser accepts, and a bad
# option value or argument is reported once, with the option and the
# value. No request is sent: the API URL is a closed loopback port.
# Needs TRUNKCTL (the binary) and SOURCE_DIR (the repository root).
set -u

: "${TRUNKCTL:?set TRUNKCTL to the trunkctl binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the repository root}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The options of each option table in cmd/*.c; "global" is the list in
# trunkctl --help.
declare -A options=(
  [global]="--quiet --trace --region --api-url --login-url --client-secret-file
    --cacert --max-requests-per-minute --parallelism --request-timeout
    --retry-base --retry-cap --retry-attempts --retry-after-max
    --breaker-threshold --breaker-cooldown --version --help"
  [validate]="--format --git-repo --ref --path --help"
  [plan]="--format --out --detailed-exitcode --no-color --base-ref
    --git-repo --ref --path --target --max-deletes --max-unavailable --help"
  [apply]="--plan --auto-approve --audit-log --callback --callback-unsigned
    --callbacks-required --callback-retry-base --metrics-file
    --verify-timeout --verify-poll-interval --verify-invite-codes
    --lookup-backoff --no-color --git-repo --ref --path --target
    --max-deletes --max-unavailable --help"
  [drift]="--format --metrics-file --interval --git-repo --ref --path
    --target --help"
  [export]="--edge --out --force --help"
)

for command in "${!options[@]}"; do
  args=("$command" --help)
  [ "$command" = global ] && args=(--help)
  "$TRUNKCTL" "${args[@]}" >"$work/help" 2>&1 ||
    fail "trunkctl ${args[*]}: exit $?"
  for option in ${options[$command]}; do
    grep -qE -- "(^|[ ,\[])$option([ =,]|$)" "$work/help" ||
      fail "trunkctl ${args[*]} does not list $option"
  done
done

# A global option's error names the option once, without a command.
GENESYSCLOUD_OAUTHCLIENT_ID=id GENESYSCLOUD_OAUTHCLIENT_SECRET=secret \
  "$TRUNKCTL" --parallelism 0 plan --api-url http://127.0.0.1:9 \
  "$SOURCE_DIR/manifests/example" >"$work/out" 2>"$work/err"
status=$?
[ "$status" -eq 1 ] || fail "--parallelism 0: exit $status, expected 1"
expected="trunkctl: error: --parallelism takes a whole number from 1 to 256, not '0'"
[ "$(cat "$work/err")" = "$expected" ] ||
  fail "--parallelism 0: stderr is '$(cat "$work/err")'"

# Output that cannot be written (a full disk) fails the run.
"$TRUNKCTL" validate --format json "$SOURCE_DIR/manifests/example" \
  >/dev/full 2>"$work/err"
status=$?
[ "$status" -eq 1 ] || fail "validate >/dev/full: exit $status, expected 1"
grep -qF "trunkctl: error: cannot write to standard output" "$work/err" ||
  fail "validate >/dev/full: stderr is '$(cat "$work/err")'"

# audit: each usage error names the problem, and verify takes --help.
audit_usage=(
  "|audit: no subcommand given"
  "check x|audit: unknown subcommand 'check'"
  "verify|audit verify: expected one FILE, got 0 arguments"
  "verify a b|audit verify: expected one FILE, got 2 arguments"
)
for case in "${audit_usage[@]}"; do
  read -ra args <<<"${case%%|*}"
  "$TRUNKCTL" audit "${args[@]}" >"$work/out" 2>"$work/err"
  status=$?
  [ "$status" -eq 1 ] || fail "audit ${args[*]}: exit $status, expected 1"
  grep -qF -- "trunkctl: error: ${case#*|}" "$work/err" ||
    fail "audit ${args[*]}: stderr is '$(cat "$work/err")'"
done
"$TRUNKCTL" audit verify --help >"$work/out" 2>&1 ||
  fail "audit verify --help: exit $?"
grep -q '^usage: trunkctl audit verify FILE' "$work/out" ||
  fail "audit verify --help: no usage line"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "usage: all checks passed"

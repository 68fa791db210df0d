#!/usr/bin/env bash
# Checks that tests/bench/run.sh rejects bad arguments with exit status 2
# and a one-line message, before it builds or runs anything. ctest sets
# TRUNKCTL, TRUNKSIM and YAML_SCAN, so no build folder is touched.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
failures=0

# Runs run.sh with ARGS and expects status 2 and TEXT on stderr.
expect_usage_error() {  # TEXT ARGS...
	local text=$1 err status
	shift
	err=$(bash "$here/run.sh" "$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -ne 2 ] || ! grep -qF -- "$text" <<<"$err"; then
		echo "FAIL: run.sh $*: status $status, stderr: $err" >&2
		failures=$((failures + 1))
	fi
}

expect_usage_error "--size needs a value" --size
expect_usage_error "--only needs a value" --no-doc --only
expect_usage_error "--size takes tiny or full, not 'huge'" --size huge
expect_usage_error "unknown option '--bogus'" --bogus
expect_usage_error "--only takes scenarios 1 to 5, not '9'" \
	--size tiny --only 9 --no-doc
exit $((failures > 0))

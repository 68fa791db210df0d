#!/usr/bin/env bash
# Runs the trunkctl benchmarks against trunksim on 127.0.0.1 and prints
# their tables; a full run also writes them into docs/benchmarks.md.
#
# Usage: tests/bench/run.sh [--size tiny|full] [--only 1,2,...]
#                           [--build DIR] [--no-doc]
#   --size    tiny: seconds, for ctest; full (default): about 10 minutes
#   --only    run only these scenarios (1 rate, 2 latency, 3 apply,
#             4 CPU and memory, 5 scaling)
#   --build   build folder (default build-bench, configured
#             RelWithDebInfo and built here when TRUNKCTL is not set)
#   --no-doc  do not write docs/benchmarks.md
# Environment: TRUNKCTL, TRUNKSIM and YAML_SCAN name prebuilt programs
# (ctest sets them); BENCH_WORK is the folder for generated manifests and
# seeds (default BUILD/bench-work, reused between runs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=full
only=
build=$root/build-bench
doc=yes

while [ $# -gt 0 ]; do
	case $1 in
	--size|--only|--build)
		if [ $# -lt 2 ]; then
			echo "run.sh: error: $1 needs a value; see --help" >&2
			exit 2
		fi ;;
	esac
	case $1 in
	--size) size=$2; shift 2 ;;
	--size=*) size=${1#*=}; shift ;;
	--only) only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--build) build=$2; shift 2 ;;
	--build=*) build=${1#*=}; shift ;;
	--no-doc) doc=no; shift ;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: error: unknown option '$1'; see --help" >&2
	   exit 2 ;;
	esac
done
case $size in
tiny|full) ;;
*) echo "run.sh: error: --size takes tiny or full, not '$size'" >&2
   exit 2 ;;
esac

if ! command -v python3 >/dev/null; then
	echo "run.sh: error: python3 is not installed" \
		"(Debian package: python3)" >&2
	exit 1
fi

if [ -z "${TRUNKCTL:-}" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		>/dev/null
	cmake --build "$build" -j"$(nproc)" \
		--target trunkctl trunksim yaml_scan >/dev/null
	TRUNKCTL=$build/cmd/trunkctl
	TRUNKSIM=$build/tests/sim/trunksim
	YAML_SCAN=$build/tests/bench/yaml_scan
fi
for program in "$TRUNKCTL" "$TRUNKSIM" "$YAML_SCAN"; do
	if [ ! -x "$program" ]; then
		echo "run.sh: error: '$program' is not an executable;" \
			"build it or set TRUNKCTL, TRUNKSIM and YAML_SCAN" >&2
		exit 1
	fi
done

args=(--size "$size" --trunkctl "$TRUNKCTL" --trunksim "$TRUNKSIM"
      --yaml-scan "$YAML_SCAN" --work "${BENCH_WORK:-$build/bench-work}")
if [ -n "$only" ]; then
	args+=(--only "$only")
fi
# Only a full run of every scenario replaces the figures in the document.
if [ "$doc" = yes ] && [ "$size" = full ] && [ -z "$only" ]; then
	args+=(--doc "$root/docs/benchmarks.md")
fi
exec python3 "$here/bench.py" "${args[@]}"

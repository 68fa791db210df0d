#!/usr/bin/env bash
# Counts the instructions of manifest loading and planning with callgrind
# (valgrind), which repeat exactly from run to run, unlike times on a
# shared machine. Workload: 100 manifest files of 50 trunks (5,000
# trunks), the in-sync org of tests/bench/workload.py, planned against
# trunksim on 127.0.0.1 without latency.
#
# Usage: tests/bench/profile.sh [BUILD]   (default build-bench, built by
#        tests/bench/run.sh). Leaves callgrind.out.* in BUILD/profile for
#        callgrind_annotate.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build-bench}" && pwd)
out=$build/profile
trunkctl=$build/cmd/trunkctl
trunksim=$build/tests/sim/trunksim
yaml_scan=$build/tests/bench/yaml_scan
sim_pid=

if ! command -v valgrind >/dev/null; then
	echo "profile.sh: error: valgrind is not installed" \
		"(Debian package: valgrind)" >&2
	exit 1
fi
stop_sim() {
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
		sim_pid=
	fi
}
trap stop_sim EXIT

mkdir -p "$out"
if [ ! -e "$out/complete" ]; then
	(cd "$here" && python3 -c 'import sys, workload
workload.in_sync(100, 50, sys.argv[1], sys.argv[2])' \
		"$out/seed.json" "$out/manifests")
	touch "$out/complete"
fi

# Prints the instruction count of one command under callgrind.
count() {
	local name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.$name" \
		"$@" >/dev/null 2>"$out/$name.log"
	printf '%-10s %s\n' "$name" \
		"$(grep -o 'refs: *[0-9,]*' "$out/$name.log" | tr -s ' ' |
		   cut -d' ' -f2)"
}

count yaml_scan "$yaml_scan" "$out/manifests"
count validate "$trunkctl" validate "$out/manifests"

rm -f "$out/port"
"$trunksim" --port 0 --port-file "$out/port" --client-id demo \
	--client-secret demo-secret --seed "$out/seed.json" 2>"$out/sim.log" &
sim_pid=$!
for _ in $(seq 1 500); do
	[ -s "$out/port" ] && break
	sleep 0.02
done
GENESYSCLOUD_OAUTHCLIENT_ID=demo GENESYSCLOUD_OAUTHCLIENT_SECRET=demo-secret \
	count plan "$trunkctl" --api-url "http://127.0.0.1:$(cat "$out/port")" \
	--max-requests-per-minute 0 plan "$out/manifests"
echo "callgrind files: $out"

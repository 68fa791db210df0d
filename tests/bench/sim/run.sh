#!/usr/bin/env bash
# Measures trunksim with wrk on 127.0.0.1: listing requests a second (50
# trunks a page) without and with 20 ms injected latency, and resident
# memory with 1,000 edges x 50 trunks.
#
# Usage: tests/bench/sim/run.sh [TRUNKSIM]
#   TRUNKSIM  the binary (default build-release/tests/sim/trunksim);
#             build it with -DCMAKE_BUILD_TYPE=Release for figures.
# Environment: DURATION (wrk seconds, default 10), THREADS (wrk threads,
# default 1), CONNECTIONS (default 32), LATENCY_CONNECTIONS (default 64).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
trunksim=${1:-${TRUNKSIM:-$root/build-release/tests/sim/trunksim}}
duration=${DURATION:-10}
threads=${THREADS:-1}
connections=${CONNECTIONS:-32}
latency_connections=${LATENCY_CONNECTIONS:-64}
work=$(mktemp -d /tmp/trunksim-bench.XXXXXX)
sim_pid=

for tool in wrk curl python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "run.sh: error: $tool is not installed (Debian package: $tool)" >&2
		exit 1
	fi
done
if [ ! -x "$trunksim" ]; then
	echo "run.sh: error: trunksim not found at '$trunksim';" \
		"build the trunksim target or pass its path" >&2
	exit 1
fi

stop_sim() {
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
		sim_pid=
	fi
}
trap 'stop_sim; rm -rf "$work"' EXIT

# Starts trunksim with the given options; sets port and TRUNKSIM_TOKEN.
start_sim() {
	rm -f "$work/port"
	"$trunksim" --port 0 --port-file "$work/port" \
		--client-id bench --client-secret bench-secret "$@" \
		2>"$work/sim.log" &
	sim_pid=$!
	for _ in $(seq 1 500); do
		[ -s "$work/port" ] && break
		sleep 0.02
	done
	port=$(cat "$work/port")
	TRUNKSIM_TOKEN=$(curl -sf -u bench:bench-secret \
		-d grant_type=client_credentials \
		"http://127.0.0.1:$port/oauth/token" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
	export TRUNKSIM_TOKEN
}

first_edge() {
	curl -sf -H "Authorization: Bearer $TRUNKSIM_TOKEN" \
		"http://127.0.0.1:$port/api/v2/telephony/providers/edges?pageSize=1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["entities"][0]["id"])'
}

rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$sim_pid/status"
}

# Runs wrk on one edge's trunk listing; prints wrk's report.
listing_run() {
	local connections=$1 edge url
	edge=$(first_edge)
	url="http://127.0.0.1:$port/api/v2/telephony/providers/edges/$edge/trunks?pageSize=50"
	wrk -t "$threads" -c "$connections" -d "${duration}s" --latency \
		-s "$here/auth.lua" "$url"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "trunksim: $trunksim"
echo

echo "== listing, 50 trunks a page, no injected latency (-c $connections)"
start_sim --edges 10 --trunks-per-edge 50
listing_run "$connections"
stop_sim
echo

echo "== listing, 50 trunks a page, --latency-ms 20 (-c $latency_connections)"
start_sim --edges 10 --trunks-per-edge 50 --latency-ms 20
listing_run "$latency_connections"
stop_sim
echo

echo "== memory, 1,000 edges x 50 trunks"
start_sim --edges 1000 --trunks-per-edge 50
echo "VmRSS after start: $(rss_kib) KiB"
listing_run "$connections" >/dev/null
echo "VmRSS after a ${duration} s listing run: $(rss_kib) KiB"
stop_sim

#!/usr/bin/env bash
# The index's growth against another client's latency on a large keyspace: a server (Shoal from
# a build directory, or redis-server) pinned to CPU 0 takes KEYS_N pipelined SETs of 100-byte
# values over 100M possible keys (redis-benchmark -c 4 -P 16 -r 100000000 on CPU 1: about 11.3M
# distinct keys at the default 12M), while one client on CPU 1 sends PINGs one at a time for
# the whole load (dist/bench/ping-probe.js). A partition rebuilt at once stalled every client for
# its keys × ~100 ns (4 ms at 10M keys); moved incrementally, each insert moves a few buckets.
# Prints the load's rps and wall time and the PING round trips (p50, p99, p99.9, max, counts
# over 2 and 5 ms). Alternate kinds and builds; the machine's speed swings between runs.
#
#   [KEYS_N=12000000] [NODE_FLAGS=--trace-gc GC_LOG=file] bench/growth-stalls.sh <shoal|redis> [build dir, default .]
#   for i in 1 2; do for b in /tmp/base .; do bench/growth-stalls.sh shoal $b; done; done
set -euo pipefail
kind=${1:?usage: bench/growth-stalls.sh <shoal|redis> [build dir]}
build=$(cd "${2:-.}" && pwd)
n=${KEYS_N:-12000000}
port=7931
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
pair_workdir growth-stalls
# NODE_FLAGS (e.g. --trace-gc): flags for a Shoal server's node; its output is kept as $GC_LOG if set.
# shellcheck disable=SC2086
if [ "$kind" = shoal ]; then start_shoal "$build" 0 $port s ${NODE_FLAGS:-} --; else start_kind redis 0 $port s; fi
wait_ping $port
s0=$(date +%s%N)
(taskset -c 1 redis-benchmark -p $port -c 4 -P 16 -t set -d 100 -r 100000000 -n "$n" -q 2>/dev/null \
  | tr '\r' '\n' | grep -v '^$' | tail -1 >"$work/load.out"; touch "$work/stop") &
load=$!
probe=$(taskset -c 1 node "$here/dist/bench/ping-probe.js" $port "$work/stop" 300)
wait $load
s1=$(date +%s%N)
[ -n "${GC_LOG:-}" ] && cp "$work/s.log" "$GC_LOG"
echo "$kind $(basename "$build"): $(redis-cli -p $port dbsize) keys, load $(((s1 - s0) / 1000000)) ms, $(cat "$work/load.out"); $probe"

#!/usr/bin/env bash
# The master's CPU under a replicated SET load, profiled: a Shoal master pinned to CPU 0 with
# redis-benchmark, N Shoal replicas pinned to CPU 1, 1M SETs at -P 16 (-r 1M, 100-byte values);
# prints the master's CPU ticks and the share of its busy time in the propagation path
# (Propagation.leave: records, encoding, the copy into the stream slab) and in the per-turn flush
# (the backlog copy and the socket writes). Shares, not timings: on a machine whose speed swings
# from run to run they compare builds where rps and ticks cannot; alternate the builds.
#
#   bench/repl-master-profile.sh [build dir, default .] [replicas, default 1] [base port, default 7600]
#   for i in 1 2; do for d in /tmp/old .; do bench/repl-master-profile.sh $d 1; done; done
set -euo pipefail
dir=$(cd "${1:-.}" && pwd)
n=${2:-1}
port=${3:-7600}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
pair_workdir repl-prof
mkdir -p "$work/prof"
start_shoal "$dir" 0 "$port" m --cpu-prof --cpu-prof-dir="$work/prof" -- --repl-diskless-sync yes --repl-diskless-sync-delay 0
master=$started
wait_ping "$port"
for i in $(seq 1 "$n"); do start_shoal "$dir" 1 $((port + i)) "r$i" -- --replicaof 127.0.0.1 "$port"; done
wait_online "$port" "$n"
t1=$(cpu_ticks "$master")
rps=$(set_load "$port")
t2=$(cpu_ticks "$master")
# SIGINT: node writes the profile on a clean exit (the server shuts down on it).
kill -INT "$master"
for _ in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
echo "$(basename "$dir"), $n replica(s): $rps SET/s; master CPU $((t2 - t1)) ticks"
node "$here/dist/bench/profile-share.js" "$work"/prof/*.cpuprofile leave@propagate.js flushTurn@master.js --under

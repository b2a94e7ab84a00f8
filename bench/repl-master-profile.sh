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
work=$(mktemp -d /tmp/shoal-repl-prof.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
common=(--bind 127.0.0.1 --save '' --appendonly no)
mkdir -p "$work/m" "$work/prof"
(cd "$dir" && exec taskset -c 0 node --cpu-prof --cpu-prof-dir="$work/prof" bin/shoal.js server --port "$port" "${common[@]}" \
  --dir "$work/m" --repl-diskless-sync yes --repl-diskless-sync-delay 0 >"$work/master.log" 2>&1) &
master=$!
pids+=("$master")
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 1 "$n"); do
  mkdir -p "$work/r$i"
  (cd "$dir" && exec taskset -c 1 node bin/shoal.js server --port $((port + i)) "${common[@]}" --dir "$work/r$i" \
    --replicaof 127.0.0.1 "$port" >"$work/r$i.log" 2>&1) &
  pids+=("$!")
done
online=0
for _ in $(seq 1 100); do
  online=$(redis-cli -p "$port" info replication | grep -c 'state=online' || true)
  [ "$online" = "$n" ] && break
  sleep 0.1
done
[ "$online" = "$n" ] || { echo "only $online of $n replicas online" >&2; exit 1; }
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$master/stat")
rps=$(timeout 300 taskset -c 0 redis-benchmark -p "$port" -t set -P 16 -c 50 -r 1000000 -d 100 -n 1000000 -q | tr '\r' '\n' | grep 'requests per second' | tail -1)
read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$master/stat")
# SIGINT: node writes the profile on a clean exit (the server shuts down on it).
kill -INT "$master"
for _ in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
echo "$(basename "$dir"), $n replica(s): $rps; master CPU $((u2 - u1 + s2 - s1)) ticks"
node "$here/dist/bench/profile-share.js" "$work"/prof/*.cpuprofile leave@propagate.js flushTurn@master.js --under

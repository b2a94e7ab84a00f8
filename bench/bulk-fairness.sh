#!/usr/bin/env bash
# One client's bulk load against another client's latency: a server (Shoal from a build
# directory, or redis-server) pinned to CPU 0; on CPU 1 `redis-cli --pipe` of 1M
# `SET k<9 digits> <100 B>` (138 MB) and, 0.3 s later, `redis-benchmark -c 1 -n 3000 -t ping_mbulk`
# (one client's PING latency during the load). Prints the bulk load's wall time, the server's
# CPU ticks (user + system), the pipe's reply count, and redis-benchmark's CSV line (rps, avg, min, p50, p95,
# p99, max ms). `alone` leaves the PING client out and starts the load 1.5 s after the server's
# last other command: the bulk load's own speed. Alternate kinds and builds; the machine's speed
# swings between runs.
#
#   [NODE_FLAGS=--trace-gc GC_LOG=file] bench/bulk-fairness.sh <shoal|redis> [build dir, default .] [with|alone, default with]
#   for i in 1 2; do for k in redis shoal; do bench/bulk-fairness.sh $k; done; done
set -euo pipefail
kind=${1:?usage: bench/bulk-fairness.sh <shoal|redis> [build dir] [with|alone]}
build=$(cd "${2:-.}" && pwd)
mode=${3:-with}
port=7930
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
pair_workdir bulk-fairness
node -e '
const fs = require("fs");
const v = "x".repeat(100);
const fd = fs.openSync(process.argv[1], "w");
let out = [];
for (let i = 0; i < 1000000; i++) {
  const k = "k" + String(i).padStart(9, "0");
  out.push(`*3\r\n$3\r\nSET\r\n$10\r\n${k}\r\n$100\r\n${v}\r\n`);
  if (out.length === 10000) { fs.writeSync(fd, out.join("")); out = []; }
}
fs.closeSync(fd);' "$work/bulk.resp"
# NODE_FLAGS (e.g. --trace-gc): flags for a Shoal server's node; its output is kept as $GC_LOG if set.
# shellcheck disable=SC2086
if [ "$kind" = shoal ]; then start_shoal "$build" 0 $port s ${NODE_FLAGS:-} --; else start_kind redis 0 $port s; fi
pid=$started
wait_ping $port
[ "$mode" = alone ] && sleep 1.5
t0=$(cpu_ticks $pid)
s0=$(date +%s%N)
taskset -c 1 redis-cli -p $port --pipe <"$work/bulk.resp" >"$work/pipe.out" 2>&1 &
pipe=$!
lat=
if [ "$mode" = with ]; then
  sleep 0.3
  lat=$(taskset -c 1 redis-benchmark -p $port -c 1 -n 3000 -t ping_mbulk --csv 2>/dev/null | tail -1)
fi
wait $pipe
s1=$(date +%s%N)
t1=$(cpu_ticks $pid)
[ -n "${GC_LOG:-}" ] && cp "$work/s.log" "$GC_LOG"
echo "$kind $(basename "$build") $mode: bulk $(((s1 - s0) / 1000000)) ms, CPU $((t1 - t0)) ticks, $(grep -o 'replies: [0-9]*' "$work/pipe.out") $lat"

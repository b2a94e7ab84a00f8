#!/usr/bin/env bash
# A master's CPU per SET, Shoal or redis-server, beside the same for the other: the master pinned
# to CPU 0 with redis-benchmark, N replicas of the same kind on CPU 1, a warm-up of 100K SETs,
# then 200K SETs (-c 50, -r 1M, 100-byte values) at the given pipeline depth; prints the load's
# rps, the master's CPU ticks (utime + stime from /proc) over the 200K and its voluntary context
# switches. Ticks, not rps, compare the two servers' cost per command where redis-benchmark
# shares the master's core. Alternate the kinds; the machine's speed swings between runs.
#
#   bench/master-cpu.sh <shoal|redis> [replicas, default 0] [pipeline, default 1] [base port, default 7830]
#   for i in 1 2; do for k in redis shoal; do for n in 0 2; do bench/master-cpu.sh $k $n 1; done; done; done
set -euo pipefail
kind=${1:?usage: bench/master-cpu.sh <shoal|redis> [replicas] [pipeline] [base port]}
n=${2:-0}
pipeline=${3:-1}
port=${4:-7830}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
case "$kind" in shoal | redis) ;; *) echo "kind must be shoal or redis" >&2; exit 2 ;; esac
pair_workdir master-cpu
start_kind "$kind" 0 "$port" m --repl-diskless-sync yes --repl-diskless-sync-delay 0
master=$started
wait_ping "$port"
for i in $(seq 1 "$n"); do start_kind "$kind" 1 $((port + i)) "r$i" --replicaof 127.0.0.1 "$port"; done
[ "$n" -gt 0 ] && wait_online "$port" "$n"
load() { # <requests>
  timeout 120 taskset -c 0 redis-benchmark -p "$port" -t set -P "$pipeline" -c 50 -r 1000000 -d 100 -n "$1" -q |
    tr '\r' '\n' | grep 'requests per second' | tail -1 | awk '{print $2}'
}
switches() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$master/status"; }
load 100000 >/dev/null
t1=$(cpu_ticks "$master")
s1=$(switches)
rps=$(load 200000)
t2=$(cpu_ticks "$master")
s2=$(switches)
echo "$kind, $n replica(s), -P $pipeline: $rps SET/s; master CPU $((t2 - t1)) ticks per 200K SETs; $((s2 - s1)) voluntary context switches"

#!/usr/bin/env bash
# Replication lag by hand, as a cross-check of the lag scenario of bench/replication.ts: a master
# (Shoal from this checkout, or redis-server) on CPU 0 beside redis-benchmark, its replica of the
# same kind on CPU 1, and bench/lag-probe.ts at SCHED_FIFO 20 (chrt) started 1.5 s before 1M
# pipelined SETs (-P 16, -r 1M, 100-byte values); prints the load's rps and the probe's line with
# the largest lag of each 250 ms window. The master starts its full sync at once
# (repl-diskless-sync-delay 0) and the probe starts once the replica is online and settled: a
# probe started during the sync sees its first writes arrive through the payload (no event) or
# after it (hundreds of milliseconds late).
#
# WARM says which side has run a load before (each followed by FLUSHALL): none (default: a fresh
# pair), pair (the pair itself), master (the master, with a replica thrown away after), replica
# (the replica, under another master it then leaves for this one). The lag follows the master's
# rate against the replica's, not which side is warm (ROADMAP §6, 2026-11-28).
#
#   [SETTLE=seconds] [WARM=none|pair|master|replica] bench/lag-pair.sh <shoal|redis> [base port, default 7800]
#   for i in 1 2 3; do for k in redis shoal; do bench/lag-pair.sh $k; done; done
set -euo pipefail
kind=${1:?usage: bench/lag-pair.sh <shoal|redis> [base port]}
port=${2:-7800}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
pair_workdir lag-pair
case "$kind" in shoal | redis) ;; *) echo "kind must be shoal or redis" >&2; exit 2 ;; esac
warm=${WARM:-none}
case "$warm" in none | pair | master | replica) ;; *) echo "WARM must be none, pair, master or replica" >&2; exit 2 ;; esac
link_up() { # <replica port>
  for _ in $(seq 1 100); do
    redis-cli -p "$1" info replication | grep -q 'master_link_status:up' && return 0
    sleep 0.1
  done
}
start_kind "$kind" 0 "$port" m --repl-diskless-sync-delay 0
wait_ping "$port"
if [ "$warm" = master ]; then
  start_kind "$kind" 1 $((port + 2)) t --replicaof 127.0.0.1 "$port"
  thrown=$started
  wait_online "$port" 1
  link_up $((port + 2))
  set_load "$port" >/dev/null
  redis-cli -p "$port" flushall >/dev/null
  sleep 1
  kill "$thrown"
  sleep 1
fi
if [ "$warm" = replica ]; then
  start_kind "$kind" 0 $((port + 3)) m2 --repl-diskless-sync-delay 0
  wait_ping $((port + 3))
  start_kind "$kind" 1 $((port + 1)) r --replicaof 127.0.0.1 $((port + 3))
  wait_online $((port + 3)) 1
  link_up $((port + 1))
  set_load $((port + 3)) >/dev/null
  redis-cli -p $((port + 3)) flushall >/dev/null
  sleep 1
  redis-cli -p $((port + 1)) replicaof 127.0.0.1 "$port" >/dev/null
  sleep 0.5
else
  start_kind "$kind" 1 $((port + 1)) r --replicaof 127.0.0.1 "$port"
fi
wait_online "$port" 1
link_up $((port + 1))
# Redis's replica delivers the stream of its first second after a sync late (probes sent then
# arrived up to 700 ms behind, without load): the probe starts SETTLE seconds (default 3) after.
sleep "${SETTLE:-3}"
if [ "$warm" = pair ]; then
  set_load "$port" >/dev/null
  redis-cli -p "$port" flushall >/dev/null
  sleep 2
fi
(cd "$here" && LAG_SERIES=1 exec chrt -f 20 node dist/bench/lag-probe.js "$port" $((port + 1)) 8) >"$work/probe.txt" 2>&1 &
probe=$!
pids+=("$probe")
sleep 1.5
rps=$(set_load "$port")
wait "$probe" || true
echo "$kind (warm: $warm): master ${rps} SET/s; $(tr '\n' ' ' <"$work/probe.txt")"

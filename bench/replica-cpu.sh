#!/usr/bin/env bash
# A replica's CPU for one load: a Shoal master (this checkout's build) with redis-benchmark on
# CPU 0, a Shoal replica from <build dir> on CPU 1, 1M SETs at -P 16 (-r 1M, 100-byte values);
# prints the master's rps, the replica's CPU ticks from the load's start until its offset equals
# the master's (and the master's over the same time: 1 tick per 1M SETs is 0.01 µs a SET), and
# how long it trailed after the load. Alternate builds to compare replicas on
# a machine whose speed swings; --notify also subscribes to the replica's keyspace events
# (notify-keyspace-events K$ and a PSUBSCRIBE, as the lag scenario of bench/replication.ts does).
#
#   bench/replica-cpu.sh [build dir, default .] [--notify] [base port, default 7700]
#   for i in 1 2 3; do for d in /tmp/old .; do bench/replica-cpu.sh $d; done; done
set -euo pipefail
dir=$(cd "${1:-.}" && pwd)
notify=0
port=7700
shift || true
for a in "$@"; do
  case "$a" in
    --notify) notify=1 ;;
    *) port=$a ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
pair_workdir replica-cpu
start_shoal "$here" 0 "$port" m --
master=$started
wait_ping "$port"
start_shoal "$dir" 1 $((port + 1)) r -- --replicaof 127.0.0.1 "$port"
replica=$started
wait_online "$port" 1
if [ "$notify" = 1 ]; then
  redis-cli -p $((port + 1)) config set notify-keyspace-events 'K$' >/dev/null
  redis-cli -p $((port + 1)) psubscribe '__keyspace@0__:probe:*' >/dev/null &
  pids+=("$!")
  for _ in $(seq 1 100); do [ "$(redis-cli -p $((port + 1)) pubsub numpat)" = 1 ] && break; sleep 0.1; done
fi
offset() { redis-cli -p "$1" info replication | grep -oE "$2:[0-9]+" | cut -d: -f2; }
t1=$(cpu_ticks "$replica")
m1=$(cpu_ticks "$master")
rps=$(set_load "$port")
s0=$(date +%s%N)
for _ in $(seq 1 1000); do
  [ "$(offset "$port" master_repl_offset)" = "$(offset $((port + 1)) slave_repl_offset)" ] && break
  sleep 0.02
done
s1=$(date +%s%N)
t2=$(cpu_ticks "$replica")
m2=$(cpu_ticks "$master")
echo "replica $(basename "$dir")$([ "$notify" = 1 ] && echo ', notify'): master ${rps} SET/s; replica CPU $((t2 - t1)) ticks (master $((m2 - m1))); caught up $(((s1 - s0) / 1000000)) ms after the load"

#!/usr/bin/env bash
# A replica's CPU for one load: a Shoal master (this checkout's build) with redis-benchmark on
# CPU 0, a Shoal replica from <build dir> on CPU 1, 1M SETs at -P 16 (-r 1M, 100-byte values);
# prints the master's rps, the replica's CPU ticks from the load's start until its offset equals
# the master's, and how long it trailed after the load. Alternate builds to compare replicas on
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
work=$(mktemp -d /tmp/shoal-replica-cpu.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
common=(--bind 127.0.0.1 --save '' --appendonly no)
mkdir -p "$work/m" "$work/r"
(cd "$here" && exec taskset -c 0 node bin/shoal.js server --port "$port" "${common[@]}" --dir "$work/m" >"$work/master.log" 2>&1) &
pids+=("$!")
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
(cd "$dir" && exec taskset -c 1 node bin/shoal.js server --port $((port + 1)) "${common[@]}" --dir "$work/r" \
  --replicaof 127.0.0.1 "$port" >"$work/replica.log" 2>&1) &
replica=$!
pids+=("$replica")
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$port" info replication | grep -c 'state=online' || true)" = 1 ] && break
  sleep 0.1
done
if [ "$notify" = 1 ]; then
  redis-cli -p $((port + 1)) config set notify-keyspace-events 'K$' >/dev/null
  redis-cli -p $((port + 1)) psubscribe '__keyspace@0__:probe:*' >/dev/null &
  pids+=("$!")
fi
sleep 0.5
offset() { redis-cli -p "$1" info replication | grep -oE "$2:[0-9]+" | cut -d: -f2; }
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$replica/stat")
rps=$(timeout 300 taskset -c 0 redis-benchmark -p "$port" -t set -P 16 -c 50 -r 1000000 -d 100 -n 1000000 -q | tr '\r' '\n' | grep 'requests per second' | tail -1 | awk '{print $2}')
t0=$(date +%s%N)
for _ in $(seq 1 1000); do
  [ "$(offset "$port" master_repl_offset)" = "$(offset $((port + 1)) slave_repl_offset)" ] && break
  sleep 0.02
done
t1=$(date +%s%N)
read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$replica/stat")
echo "replica $(basename "$dir")$([ "$notify" = 1 ] && echo ', notify'): master ${rps} SET/s; replica CPU $((u2 - u1 + s2 - s1)) ticks; caught up $(((t1 - t0) / 1000000)) ms after the load"

#!/usr/bin/env bash
# The share of a Shoal process's CPU that V8's garbage collector takes under a replicated SET
# load: a master (this checkout's build) pinned to CPU 0 with redis-benchmark, N replicas pinned
# to CPU 1, 1M SETs at -P 16 (-r 1M, 100-byte values). The profiled process (the master, or the
# first replica) runs from <build dir> with --perf-basic-prof under `perf record -g`; prints the
# master's rps and the share of the profile's samples in marking, sweeping, scavenging and
# evacuation (V8's symbols). A share, not a timing: it compares builds and V8 settings where rps
# swing with the machine; alternate them. Needs perf (linux-perf) and permission to use it.
#
#   bench/gc-share.sh [build dir, default .] [master|replica, default master] [replicas, default 0] [node flags...]
#   for i in 1 2; do for d in /tmp/old .; do bench/gc-share.sh $d master 2; done; done
set -euo pipefail
dir=$(cd "${1:-.}" && pwd)
role=${2:-master}
n=${3:-0}
shift 3 2>/dev/null || shift $#
flags=("$@")
port=${GC_SHARE_PORT:-7760}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/pair-lib.sh"
case "$role" in master) ;; replica) [ "$n" -ge 1 ] || n=1 ;; *) echo "role must be master or replica" >&2; exit 2 ;; esac
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 2; }
pair_workdir gc-share
if [ "$role" = master ]; then
  start_shoal "$dir" 0 "$port" m --perf-basic-prof "${flags[@]}" -- --repl-diskless-sync yes --repl-diskless-sync-delay 0
  target=$started
else
  start_shoal "$here" 0 "$port" m -- --repl-diskless-sync yes --repl-diskless-sync-delay 0
fi
wait_ping "$port"
for i in $(seq 1 "$n"); do
  if [ "$role" = replica ] && [ "$i" = 1 ]; then
    start_shoal "$dir" 1 $((port + i)) "r$i" --perf-basic-prof "${flags[@]}" -- --replicaof 127.0.0.1 "$port"
    target=$started
  else
    start_shoal "$here" 1 $((port + i)) "r$i" -- --replicaof 127.0.0.1 "$port"
  fi
done
[ "$n" -gt 0 ] && wait_online "$port" "$n"
sleep 0.5
perf record -F 2000 -g -p "$target" -o "$work/perf.data" >/dev/null 2>&1 &
recorder=$!
sleep 0.3
rps=$(set_load "$port")
# The replica's share covers its catch-up too: until its offset reaches the master's (20 s at most).
if [ "$role" = replica ]; then
  for _ in $(seq 1 400); do
    a=$(redis-cli -p "$port" info replication | grep -oE 'master_repl_offset:[0-9]+' | cut -d: -f2)
    b=$(redis-cli -p $((port + 1)) info replication | grep -oE 'slave_repl_offset:[0-9]+' | cut -d: -f2)
    [ "$a" = "$b" ] && break
    sleep 0.05
  done
fi
kill -INT "$recorder"
wait "$recorder" || true
share=$(perf report -i "$work/perf.data" --no-children --sort symbol -g none 2>/dev/null | grep -v '^#' | grep '%' |
  awk '{p = $1; sub("%", "", p); t += p; if ($0 ~ /Marking|Sweep|Scaveng|Evacuat|MarkCompact|SizeFromMap|IteratePointers|MemoryChunk|RememberedSet|SlotSet|Heap::/) g += p}
       END {printf "%.1f %% of %.1f %% sampled", g, t}')
echo "$(basename "$dir") $role (${n} replica(s)${flags[*]:+, ${flags[*]}}): master $rps SET/s; GC $share"

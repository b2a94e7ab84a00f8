#!/usr/bin/env bash
# SAVE and startup load of an RDB file, Shoal beside redis-server, alternating: each run starts a
# server pinned to CPU 1 with an empty directory, fills it with DEBUG POPULATE <keys> key <size>
# (`value:<j>` zero-padded: LZF-compressible, as Redis's own), times a SAVE, restarts the server
# on the file and times the load: the log's "DB loaded from disk" and REPLICAOF-free start to
# DBSIZE = keys, with the server's CPU time for each (less disturbed by other work on the
# machine than the wall clock). Alternate builds by passing a build directory (default: this checkout).
#
#   bench/save-load.sh [runs, default 3] [keys, default 1000000] [value size, default 100] [build dir]
set -euo pipefail
runs=${1:-3}
keys=${2:-1000000}
size=${3:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${4:-$here}" && pwd)
port=7790
work=$(mktemp -d /tmp/shoal-save-load.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start() {
  if [ "$1" = shoal ]; then
    (cd "$build" && exec taskset -c 1 node bin/shoal.js server --port $port --bind 127.0.0.1 --save '' --appendonly no \
      --enable-debug-command yes --dir "$work/$1" >>"$work/$1.log" 2>&1) &
  else
    taskset -c 1 redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command yes \
      --dir "$work/$1" >>"$work/$1.log" 2>&1 &
  fi
  pid=$!
}
stop() {
  redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  pid=
}
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# CPU time of the server so far (utime + stime), in ms.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$pid/stat"; }
for run in $(seq 1 "$runs"); do
  for kind in redis shoal; do
    rm -rf "${work:?}/$kind" "$work/$kind.log"
    mkdir -p "$work/$kind"
    start $kind
    for _ in $(seq 1 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p $port debug populate "$keys" key "$size" >/dev/null
    t=$(date +%s%N)
    c=$(cpu)
    redis-cli -p $port save >/dev/null
    save=$(ms "$t")
    savecpu=$(( $(cpu) - c ))
    stop
    t=$(date +%s%N)
    start $kind
    for _ in $(seq 1 3000); do
      [ "$(redis-cli -p $port dbsize 2>/dev/null)" = "$keys" ] && break
      sleep 0.01
    done
    up=$(ms "$t")
    upcpu=$(cpu)
    loaded=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$work/$kind.log" | grep -o '[0-9.]*' | tail -1)
    echo "run $run $kind: SAVE $save ms (CPU $savecpu), file $(stat -c %s "$work/$kind/dump.rdb") B; load ${loaded} s (start to every key ${up} ms, CPU $upcpu)"
    stop
  done
done

#!/usr/bin/env bash
# The I/O floor beside redis-server and Shoal at one pipeline depth: each server in turn on CPU 0
# beside redis-benchmark (PING_MBULK, -c 50, 100K warm-up then 200K measured), its user and
# system CPU ticks over the 200K from /proc. The floor servers are bench/io-floor.ts's variants
# (no parsing, a canned +PONG per read); what Shoal costs above them is its own code, what they
# cost above redis-server is Node's socket path. Needs a build (npm run build).
#
#   bench/io-floor.sh [pipeline, default 1] [port, default 7870]
set -uo pipefail
pipeline=${1:-1}
port=${2:-7870}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
run() { # <name> <command...>
  local name=$1
  shift
  taskset -c 0 "$@" >/dev/null 2>&1 &
  local p=$!
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  local bench=(timeout 120 taskset -c 0 redis-benchmark -p "$port" -t ping_mbulk -P "$pipeline" -c 50 -q)
  "${bench[@]}" -n 100000 >/dev/null 2>&1
  local u1 s1 u2 s2 rps
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$p/stat")
  rps=$("${bench[@]}" -n 200000 2>/dev/null | tr '\r' '\n' | grep 'per second' | tail -1 | awk '{print $2}')
  read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$p/stat")
  echo "$name: $rps rps; user $((u2 - u1)) sys $((s2 - s1)) ticks per 200K"
  kill "$p"
  wait "$p" 2>/dev/null
}
run redis-server redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
run shoal node bin/shoal.js server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
for v in onread direct deferred plain; do run "floor-$v" node dist/bench/io-floor.js "$v" "$port"; done

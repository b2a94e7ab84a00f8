#!/usr/bin/env bash
# CPU a server spends on one redis-benchmark run: its utime and stime in clock ticks (1/100 s),
# read from /proc before and after. On a machine whose speed varies from run to run, compare two
# servers by alternating runs and reading their ticks, not their rps.
#
#   bench/cpu-ticks.sh <server pid> <port> <redis-benchmark args...>
#   bench/cpu-ticks.sh 1234 7000 -c 50 -n 2000000 -P 16 -t set -r 1000000
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 <server pid> <port> <redis-benchmark args...>" >&2
  exit 2
fi
pid=$1
port=$2
shift 2
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
timeout 300 redis-benchmark -h 127.0.0.1 -p "$port" "$@" -q | tr '\r' '\n' | grep -v '^$' | tail -1
read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
echo "utime $((u2 - u1)) stime $((s2 - s1)) total $((u2 - u1 + s2 - s1)) ticks"

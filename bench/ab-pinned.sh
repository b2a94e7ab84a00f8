#!/usr/bin/env bash
# Compares Shoal builds by alternating fresh, pinned servers: for each round and each build
# directory, a new `shoal server` on CPU 0 runs each redis-benchmark configuration in turn (the
# load on CPU 1); prints rps and the server's utime / stime ticks (1/100 s) per configuration.
# A fresh server per round keeps one build's heap or keyspace from carrying into the next.
#
#   bench/ab-pinned.sh <rounds> "<bench args>[;<bench args>...]" <build dir> [<build dir> ...]
#   bench/ab-pinned.sh 4 "-c 50 -P 16 -r 1000000 -n 1000000 -t set;-c 50 -P 16 -r 1000000 -n 2000000 -t get" /tmp/old .
# A build dir is a checkout with dist/ built (git worktree add /tmp/old <rev>; npm ci; npm run build).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 <rounds> \"<bench args>[;<bench args>...]\" <build dir> [<build dir> ...]" >&2
  exit 2
fi
rounds=$1
IFS=';' read -r -a configs <<< "$2"
shift 2
port=${AB_PORT:-7790}
for ((i = 1; i <= rounds; i++)); do
  for dir in "$@"; do
    taskset -c 0 node "$dir/bin/shoal.js" server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    line="round $i $dir"
    for cfg in "${configs[@]}"; do
      read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
      # shellcheck disable=SC2086
      r=$(timeout 300 taskset -c 1 redis-benchmark -h 127.0.0.1 -p "$port" $cfg -q 2>/dev/null | tr '\r' '\n' | grep -o '[A-Z]*: [0-9.]*' | tail -1)
      read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
      line="$line | $r rps utime $((u1 - u0)) stime $((s1 - s0))"
    done
    echo "$line"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    port=$((port + 1))
  done
done

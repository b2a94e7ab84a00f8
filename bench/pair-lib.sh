# Shared by the bench scripts that start pinned pairs (sourced: repl-master-profile, replica-cpu,
# gc-share, lag-pair, master-cpu, bulk-fairness): a work directory removed on exit with every process started
# here, pinned nodes, waits with deadlines, and the replicated SET load they measure.
#
#   work=$(pair_workdir name)            # call once, before anything is started
#   pid=$(...) via start_shoal <build dir> <cpu> <port> <name> [node flags...] -- [server args...]
#   or start_kind <shoal|redis> <cpu> <port> <name> [server args...] (shoal from $here)
#   wait_ping <port>; wait_online <master port> <replicas>; cpu_ticks <pid>; set_load <port>

pids=()
work=
pair_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$work" ] && rm -rf "$work"
}
trap pair_cleanup EXIT

# A fresh work directory under /tmp, named after the script.
pair_workdir() {
  work=$(mktemp -d "/tmp/shoal-$1.XXXXXX")
}

# Starts `node [node flags] bin/shoal.js server` from <build dir> on <cpu>, listening on <port>
# with persistence off and its own directory <work>/<name>, output in <work>/<name>.log; its PID
# is appended to pids and left in $started.
start_shoal() {
  local build=$1 cpu=$2 port=$3 name=$4
  shift 4
  local flags=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mkdir -p "$work/$name"
  (cd "$build" && exec taskset -c "$cpu" node "${flags[@]}" bin/shoal.js server --port "$port" --bind 127.0.0.1 \
    --save '' --appendonly no --dir "$work/$name" "$@" >"$work/$name.log" 2>&1) &
  started=$!
  pids+=("$started")
}

# Starts a node of <kind> (shoal: this checkout's build via start_shoal; redis: redis-server) on
# <cpu>, listening on <port>, persistence off, in <work>/<name>; PID in $started and pids.
start_kind() { # <shoal|redis> <cpu> <port> <name> [server args...]
  local kind=$1 cpu=$2 p=$3 name=$4
  shift 4
  if [ "$kind" = shoal ]; then
    start_shoal "$here" "$cpu" "$p" "$name" -- "$@"
  else
    mkdir -p "$work/$name"
    taskset -c "$cpu" redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/$name" "$@" \
      >"$work/$name.log" 2>&1 &
    started=$!
    pids+=("$started")
  fi
}

wait_ping() {
  for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "nothing answers on :$1" >&2
  exit 1
}

# Until <replicas> replicas of the master on <port> are online (10 s at most).
wait_online() {
  local online=0
  for _ in $(seq 1 100); do
    online=$(redis-cli -p "$1" info replication | grep -c 'state=online' || true)
    [ "$online" = "$2" ] && return 0
    sleep 0.1
  done
  echo "only $online of $2 replicas online" >&2
  exit 1
}

# utime + stime of <pid>, in clock ticks.
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# 1M pipelined SETs of 100-byte values over 1M keys on <port>, redis-benchmark pinned to CPU 0;
# prints its rps.
set_load() {
  timeout 300 taskset -c 0 redis-benchmark -p "$1" -t set -P 16 -c 50 -r 1000000 -d 100 -n 1000000 -q |
    tr '\r' '\n' | grep 'requests per second' | tail -1 | awk '{print $2}'
}

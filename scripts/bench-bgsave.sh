#!/usr/bin/env bash
# p99 latency of a concurrent redis-benchmark with and without a BGSAVE running, side by side for
# coolcache-server and a real redis-server (servers pinned to CPU 0, the benchmark to CPU 1). Each server
# first gets N keys (SET key:<i> <16-byte value>, redis-cli --pipe). Then, per server: a SET/GET benchmark
# alone, and the same benchmark while BGSAVE runs back to back (a new one as soon as the last finished).
#   scripts/bench-bgsave.sh [N] [REQUESTS]      (defaults 1000000 keys, 400000 requests per run)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
requests=${2:-400000}
. scripts/bench-lib.sh
require_tools redis-server redis-cli redis-benchmark taskset python3

build_server
dir=$(mktemp -d)
mkdir -p "$dir/coolcache" "$dir/redis"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

start() { # side port -> pid
  if [ "$1" = coolcache ]; then
    taskset -c 0 dotnet "$server" --port "$2" --save "" --dir "$dir/coolcache" --loglevel warning >>"$dir/coolcache.log" 2>&1 &
  else
    taskset -c 0 redis-server --port "$2" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir/redis" >>"$dir/redis.log" 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do redis-cli -p "$2" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "$pid"
}

write_keys "$n" "$dir/load.resp"

p99() { # port -> "set_p99 get_p99"
  taskset -c 1 redis-benchmark -p "$1" -t set,get -n "$requests" -c 50 -r "$n" -d 16 --csv 2>/dev/null \
    | awk -F'"' '/^"SET"/ { s = $14 } /^"GET"/ { g = $14 } END { print s, g }'
}

declare -A r
for side in coolcache redis; do
  port=$(free_port)
  pid=$(start "$side" "$port")
  taskset -c 1 redis-cli -p "$port" --pipe <"$dir/load.resp" >/dev/null
  r[$side.alone]=$(p99 "$port")
  # BGSAVE back to back while the benchmark runs
  ( while [ ! -f "$dir/stop" ]; do
      redis-cli -p "$port" BGSAVE >/dev/null 2>&1 || true
      while redis-cli -p "$port" INFO persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.05; done
      echo x >>"$dir/$side.saves"
    done ) &
  saver=$!
  r[$side.saving]=$(p99 "$port")
  touch "$dir/stop"; wait "$saver" 2>/dev/null || true; rm -f "$dir/stop"
  r[$side.saves]=$(wc -l <"$dir/$side.saves" 2>/dev/null || echo 0)
  redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
done

printf '%-10s %22s %22s %8s\n' server "p99 ms alone set/get" "p99 ms bgsave set/get" bgsaves
for side in coolcache redis; do
  printf '%-10s %22s %22s %8s\n' "$side" "${r[$side.alone]}" "${r[$side.saving]}" "${r[$side.saves]}"
done

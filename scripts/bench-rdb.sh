#!/usr/bin/env bash
# RDB snapshots side by side: coolcache-server and a real redis-server, both pinned to CPU 0. For each
# server: load N keys (SET key:<i> <16-byte value>, with redis-cli --pipe), time SAVE, then restart the
# server on that file and take the load time from its log ("DB loaded from disk: X seconds"). Also the
# file sizes, and redis-check-rdb's verdict on CoolCache's file.
#   scripts/bench-rdb.sh [N]          (default N = 1000000)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
. scripts/bench-lib.sh
require_tools redis-server redis-cli redis-check-rdb taskset python3

build_server
bench_dir
stop() { redis-cli -p "$1" SHUTDOWN NOSAVE >/dev/null 2>&1 || true; wait "$2" 2>/dev/null || true; }

write_keys "$n" "$dir/load.resp"

now() { date +%s.%N; }
declare -A r
for side in coolcache redis; do
  port=$(free_port)
  pid=$(start_side "$side" "$port" notice)
  taskset -c 1 redis-cli -p "$port" --pipe <"$dir/load.resp" >/dev/null
  t0=$(now); redis-cli -p "$port" SAVE >/dev/null; t1=$(now)
  r[$side.save]=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
  r[$side.size]=$(stat -c %s "$dir/$side/dump.rdb")
  stop "$port" "$pid"
  port=$(free_port)
  pid=$(start_side "$side" "$port" notice)
  r[$side.keys]=$(redis-cli -p "$port" DBSIZE)
  r[$side.load]=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/$side.log" | tail -1 | awk '{print $5}')
  stop "$port" "$pid"
done
check=$(redis-check-rdb "$dir/coolcache/dump.rdb" 2>&1 | grep -c 'RDB looks OK' || true)
printf '%-10s %10s %10s %12s %10s\n' server keys save_s file_bytes load_s
for side in coolcache redis; do
  printf '%-10s %10s %10s %12s %10s\n' "$side" "${r[$side.keys]}" "${r[$side.save]}" "${r[$side.size]}" "${r[$side.load]}"
done
awk -v a="${r[coolcache.save]}" -v b="${r[redis.save]}" -v c="${r[coolcache.load]}" -v d="${r[redis.load]}" \
  'BEGIN { printf "ratios (coolcache / redis): save %.2fx, load %.2fx\n", a / b, c / d }'
echo "redis-check-rdb on CoolCache's file: $([ "$check" = 1 ] && echo OK || echo FAILED)"

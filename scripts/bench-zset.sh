#!/usr/bin/env bash
# One big sorted set, side by side: coolcache-server and a real redis-server, both pinned to CPU 0, the
# client on CPU 1. For each server: load N members with ZADD (redis-cli --pipe, timed), then 100,000
# ZRANGEBYSCORE (LIMIT 0 10) and 100,000 ZRANK calls (redis-benchmark, 50 clients, pipeline 16, timed),
# and the memory the set took (RSS before and after the load).
#   scripts/bench-zset.sh [N]          (default N = 1000000)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
calls=100000
. scripts/bench-lib.sh
require_tools redis-server redis-benchmark redis-cli taskset python3

build_server
cport=$(free_port); rport=$(free_port)
dir=$(mktemp -d)
taskset -c 0 dotnet "$server" --port "$cport" --save "" --loglevel warning >"$dir/cc.log" 2>&1 & cpid=$!
taskset -c 0 redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 & rpid=$!
trap 'kill $cpid $rpid 2>/dev/null; wait $cpid $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for p in $cport $rport; do
  for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

# Members m:000000000000 .. with score = their number, as redis-benchmark's __rand_int__ spells it,
# added in a shuffled order, 100 per ZADD.
python3 - "$n" >"$dir/load.resp" <<'EOF'
import random, sys
n = int(sys.argv[1]); ids = list(range(n)); random.Random(42).shuffle(ids)
out = sys.stdout.buffer
def cmd(args):
    out.write(b"*%d\r\n" % len(args))
    for a in args: out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for i in range(0, n, 100):
    args = [b"ZADD", b"bigzset"]
    for j in ids[i:i + 100]: args += [b"%d" % j, b"m:%012d" % j]
    cmd(args)
EOF

rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
now() { date +%s.%N; }
bench() { # port command... -> seconds the server took for $calls calls (from redis-benchmark's rps)
  taskset -c 1 redis-benchmark -p "$1" -c 50 -n "$calls" -P 16 -r "$n" --csv "${@:2}" 2>/dev/null \
    | tail -1 | tr -d '"' | awk -F, -v calls="$calls" '{ if ($2 > 0) printf "%.3f", calls / $2; else print "-" }'
}
declare -A result
for side in coolcache redis; do
  if [ "$side" = coolcache ]; then port=$cport; pid=$cpid; else port=$rport; pid=$rpid; fi
  before=$(rss "$pid")
  t0=$(now)
  taskset -c 1 redis-cli -p "$port" --pipe <"$dir/load.resp" >"$dir/pipe.$side.log" 2>&1 || echo "$side: redis-cli --pipe reported errors (see its summary: $(tail -1 "$dir/pipe.$side.log"))" >&2
  t1=$(now)
  card=$(redis-cli -p "$port" ZCARD bigzset)
  after=$(rss "$pid")
  result[$side.load]=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
  result[$side.card]=$card
  result[$side.bytes]=$(( (after - before) / (card > 0 ? card : 1) ))
  result[$side.range]=$(bench "$port" ZRANGEBYSCORE bigzset __rand_int__ +inf LIMIT 0 10)
  result[$side.rank]=$(bench "$port" ZRANK bigzset m:__rand_int__)
done

printf "%-32s %12s %12s %8s\n" "sorted set of $n members" coolcache redis ratio
row() { printf "%-32s %12s %12s %8s\n" "$1" "${result[coolcache.$2]}" "${result[redis.$2]}" \
  "$(awk -v a="${result[coolcache.$2]}" -v b="${result[redis.$2]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"; }
row "members after load (ZCARD)" card
row "load: ZADD x $((n / 100)) (s)" load
row "$calls ZRANGEBYSCORE (s)" range
row "$calls ZRANK (s)" rank
row "RSS growth per member (B)" bytes

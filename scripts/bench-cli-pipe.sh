#!/usr/bin/env bash
# Mass insertion: coolcache-cli --pipe against redis-cli --pipe, each into a fresh coolcache-server (pinned to
# CPU 0, the client on CPU 1), N SET commands as RESP from a file, ROUNDS runs each, alternating which goes
# first. Prints each run's rate, the median rate of each tool and the ratio coolcache-cli / redis-cli.
#   scripts/bench-cli-pipe.sh [N] [ROUNDS]      (defaults: 1000000 keys, 3 rounds)
# Needs redis-tools (redis-cli), python3 and taskset. Servers listen on 127.0.0.1 only; every run is bounded
# by a timeout; the script stops the servers it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
rounds=${2:-3}
for tool in redis-cli python3 taskset timeout; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install redis-tools python3 util-linux coreutils)"; exit 1; }
done

dotnet build src/CoolCache.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/CoolCache.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
server=src/CoolCache.Server/bin/Release/net10.0/coolcache-server
cli=src/CoolCache.Cli/bin/Release/net10.0/coolcache-cli
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

python3 - "$n" >"$dir/load.resp" <<'PY'
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
for i in range(n):
    k = b"key:%d" % i; v = b"value-%010d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
PY

run() { # tool -> keys per second
  local tool=$1 port pid t0 t1 keys
  port=$(free_port)
  mkdir -p "$dir/$port"
  taskset -c 0 "$server" --port "$port" --bind 127.0.0.1 --save "" --dir "$dir/$port" --loglevel warning >"$dir/$port/log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  t0=$(date +%s.%N)
  taskset -c 1 timeout 300 "$tool" -p "$port" --pipe <"$dir/load.resp" >"$dir/$port/pipe.out"
  t1=$(date +%s.%N)
  keys=$(redis-cli -p "$port" DBSIZE)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$keys" = "$n" ] || { echo "$tool inserted $keys keys, not $n" >&2; cat "$dir/$port/pipe.out" >&2; exit 1; }
  echo "$t0 $t1 $n" | awk '{printf "%.0f", $3 / ($2 - $1)}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "$n keys, $rounds rounds; coolcache-server on CPU 0, the client on CPU 1"
: >"$dir/redis-cli.rates"; : >"$dir/coolcache-cli.rates"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="redis-cli $cli"; else order="$cli redis-cli"; fi
  for tool in $order; do
    name=$(basename "$tool")
    rate=$(run "$tool")
    echo "$rate" >>"$dir/$name.rates"
    printf "round %d  %-14s %10d keys/s\n" "$round" "$name" "$rate"
  done
done
redis=$(median <"$dir/redis-cli.rates")
cool=$(median <"$dir/coolcache-cli.rates")
printf "median    %-14s %10d keys/s\n" redis-cli "$redis"
printf "median    %-14s %10d keys/s\n" coolcache-cli "$cool"
echo "$cool $redis" | awk '{printf "ratio coolcache-cli / redis-cli: %.2f\n", $1 / $2}'

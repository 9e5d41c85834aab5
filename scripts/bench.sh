#!/usr/bin/env bash
# redis-benchmark against coolcache-server and a real redis-server, side by side: both servers pinned
# to CPU 0, the client to CPU 1, rounds alternating. Prints each side's requests/s and the ratio.
#   scripts/bench.sh [ROUNDS] [REQUESTS]      (defaults: 3 rounds, 200000 requests per test)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
requests=${2:-200000}
for tool in redis-server redis-benchmark taskset; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install redis-server redis-tools util-linux)"; exit 1; }
done

dotnet build src/CoolCache.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
server=src/CoolCache.Server/bin/Release/net10.0/coolcache-server.dll
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
cport=$(free_port); rport=$(free_port)
dir=$(mktemp -d)
taskset -c 0 dotnet "$server" --port "$cport" --save "" --loglevel warning >"$dir/cc.log" 2>&1 & cpid=$!
taskset -c 0 redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 & rpid=$!
trap 'kill $cpid $rpid 2>/dev/null; wait $cpid $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for p in $cport $rport; do
  for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

tests="ping_mbulk,set,get,incr,mset"
run() { # port pipeline -> "test rps" lines
  taskset -c 1 redis-benchmark -p "$1" -c 50 -n "$requests" -P "$2" -r 100000 -d 64 -t "$tests" --csv 2>/dev/null \
    | tail -n +2 | tr -d '"' | awk -F, '{gsub(/[ ()]+/, "_", $1); sub(/_$/, "", $1); print $1, $2}'
}
# One untimed pass per server first: .NET compiles hot paths in tiers during the first seconds.
for port in $cport $rport; do
  taskset -c 1 redis-benchmark -p "$port" -c 50 -n "$requests" -P 16 -r 100000 -d 64 -t "$tests" -q >/dev/null 2>&1 || true
done
declare -A cc rd
for r in $(seq "$rounds"); do
  for P in 1 16; do
    while read -r t rps; do cc["${t}_P${P}"]+="$rps "; done < <(run "$cport" "$P")
    while read -r t rps; do rd["${t}_P${P}"]+="$rps "; done < <(run "$rport" "$P")
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-22s %14s %14s %8s\n' test coolcache redis ratio
for key in $(printf '%s\n' "${!cc[@]}" | sort); do
  c=$(echo "${cc[$key]}" | median); r=$(echo "${rd[$key]:-0}" | median)
  printf '%-22s %14.0f %14.0f %8.2f\n' "$key" "$c" "$r" "$(echo "$c $r" | awk '{print ($2>0)?$1/$2:0}')"
done

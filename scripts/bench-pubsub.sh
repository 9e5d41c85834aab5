#!/usr/bin/env bash
# PUBLISH fan-out, side by side: coolcache-server and a real redis-server, both pinned to CPU 0, the
# client (scripts/PubSubBench: SUBSCRIBERS subscribers on one channel, one publisher pipelining
# PUBLISH WINDOW at a time for SECONDS) on CPU 1, rounds alternating. Prints, per side, the median of
# messages delivered per second (all subscribers together), the server CPU it took (cores) and
# messages per server-core-second, then the ratios coolcache/redis.
#   scripts/bench-pubsub.sh [ROUNDS] [SECONDS] [SUBSCRIBERS] [PAYLOAD] [WINDOW]
#   (defaults: 3 rounds, 5 s, 50 subscribers, 16-byte messages, 32 PUBLISH per round trip)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools). 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-5}
subscribers=${3:-50}
payload=${4:-16}
window=${5:-32}
for tool in redis-server redis-cli taskset python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install redis-server redis-tools util-linux python3)"; exit 1; }
done

dotnet build src/CoolCache.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build scripts/PubSubBench -c Release -nologo -clp:ErrorsOnly >/dev/null
server=src/CoolCache.Server/bin/Release/net10.0/coolcache-server.dll
client=scripts/PubSubBench/bin/Release/net10.0/PubSubBench.dll
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
cport=$(free_port); rport=$(free_port)
dir=$(mktemp -d)
taskset -c 0 dotnet "$server" --port "$cport" --save "" --loglevel warning >"$dir/cc.log" 2>&1 & cpid=$!
taskset -c 0 redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 & rpid=$!
trap 'kill $cpid $rpid 2>/dev/null; wait $cpid $rpid 2>/dev/null; rm -rf "$dir"' EXIT
for p in $cport $rport; do
  for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)
run() { # port pid -> "rate cores" (cores: server CPU over the client's whole run, warm-up second included)
  local before after out t0 t1
  before=$(ticks "$2"); t0=$(date +%s.%N)
  out=$(timeout $((seconds * 3 + 60)) taskset -c 1 dotnet "$client" "$1" "$subscribers" "$seconds" "$payload" "$window")
  after=$(ticks "$2"); t1=$(date +%s.%N)
  echo "$out" | awk -v b="$before" -v a="$after" -v hz="$hz" -v t0="$t0" -v t1="$t1" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s %.3f\n", v["rate"], (a - b) / hz / (t1 - t0) }'
}
# One untimed pass per server first (.NET compiles hot paths in tiers during the first seconds).
for port in $cport $rport; do taskset -c 1 dotnet "$client" "$port" "$subscribers" 5 "$payload" "$window" >/dev/null; done
cc_rate=(); cc_cpu=(); rd_rate=(); rd_cpu=()
for r in $(seq "$rounds"); do
  read -r rate cpu < <(run "$cport" "$cpid"); cc_rate+=("$rate"); cc_cpu+=("$cpu")
  read -r rate cpu < <(run "$rport" "$rpid"); rd_rate+=("$rate"); rd_cpu+=("$cpu")
  echo "round $r: coolcache ${cc_rate[-1]} msg/s (${cc_cpu[-1]} cores), redis ${rd_rate[-1]} msg/s (${rd_cpu[-1]} cores)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${cc_rate[@]}"); cc=$(median "${cc_cpu[@]}"); r=$(median "${rd_rate[@]}"); rc=$(median "${rd_cpu[@]}")
printf '\nPUBLISH to %d subscribers, %d-byte messages, window %d, %s s x %d rounds (medians)\n' "$subscribers" "$payload" "$window" "$seconds" "$rounds"
printf '%-34s %14s %14s %8s\n' "" coolcache redis ratio
printf '%-34s %14.0f %14.0f %8.2f\n' "messages delivered per second" "$c" "$r" "$(awk -v a="$c" -v b="$r" 'BEGIN{print (b>0)?a/b:0}')"
printf '%-34s %14.2f %14.2f\n' "server CPU (cores)" "$cc" "$rc"
printf '%-34s %14.0f %14.0f %8.2f\n' "messages per server-core-second" "$(awk -v a="$c" -v b="$cc" 'BEGIN{print (b>0)?a/b:0}')" \
  "$(awk -v a="$r" -v b="$rc" 'BEGIN{print (b>0)?a/b:0}')" \
  "$(awk -v a="$c" -v b="$cc" -v x="$r" -v y="$rc" 'BEGIN{print (b>0 && x>0 && y>0)?(a/b)/(x/y):0}')"

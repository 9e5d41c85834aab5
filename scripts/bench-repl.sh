#!/usr/bin/env bash
# A full resync under write load, side by side: a primary holding N keys (coolcache-server or a real
# redis-server, pinned to CPU 0) gets a replica of its own kind (CPU 1) while 50 redis-benchmark clients
# (CPU 1) keep writing. Reports the primary's p99 SET latency during the sync, the sync time, and checks
# that the replica ends with exactly the primary's contents (every key and value compared after WAIT).
#   scripts/bench-repl.sh [N] [REQUESTS]      (defaults 1000000 keys, 600000 writes)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
requests=${2:-600000}
. scripts/bench-lib.sh
require_tools redis-server redis-cli redis-benchmark taskset python3

build_server
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

start() { # side cpu port name [args...] -> pid
  local side=$1 cpu=$2 port=$3 name=$4; shift 4
  mkdir -p "$dir/$name"
  if [ "$side" = coolcache ]; then
    taskset -c "$cpu" dotnet "$server" --port "$port" --save "" --dir "$dir/$name" --loglevel notice "$@" >>"$dir/$name.log" 2>&1 &
  else
    taskset -c "$cpu" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir/$name" \
      --repl-diskless-sync-delay 0 "$@" >>"$dir/$name.log" 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "$pid"
}

write_keys "$n" "$dir/load.resp"

# Compare every key and value of two servers (SCAN + pipelined MGET); prints "equal N" or the first difference.
cat >"$dir/compare.py" <<'PY'
import socket, sys
def conn(port):
    s = socket.create_connection(("127.0.0.1", port)); return s, s.makefile("rb")
def send(s, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(out)
def read(f):
    line = f.readline(); t = line[:1]; rest = line[1:-2]
    if t in (b"+", b"-"): return rest
    if t == b":": return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0: return None
        data = f.read(n + 2); return data[:-2]
    if t == b"*":
        n = int(rest); return None if n < 0 else [read(f) for _ in range(n)]
    raise Exception("bad reply %r" % line)
def snapshot(port):
    s, f = conn(port); cursor = b"0"; keys = []
    while True:
        send(s, "SCAN", cursor, "COUNT", 10000); cursor, batch = read(f); keys += batch
        if cursor == b"0": break
    data = {}
    for i in range(0, len(keys), 1000):
        chunk = keys[i:i+1000]; send(s, "MGET", *chunk)
        for k, v in zip(chunk, read(f)): data[k] = v
    return data
a, b = snapshot(int(sys.argv[1])), snapshot(int(sys.argv[2]))
if a == b: print("equal", len(a))
else:
    missing = [k for k in a if a[k] != b.get(k)][:3]; extra = [k for k in b if k not in a][:3]
    print("DIFFERENT primary %d replica %d; differing %r; extra %r" % (len(a), len(b), missing, extra))
PY

declare -A r
for side in coolcache redis; do
  pport=$(free_port)
  start "$side" 0 "$pport" "$side-primary" >/dev/null
  taskset -c 1 redis-cli -p "$pport" --pipe <"$dir/load.resp" >/dev/null
  # the write load: 50 clients, SETs over twice the key space (new keys and overwrites)
  ( taskset -c 1 redis-benchmark -p "$pport" -t set -n "$requests" -c 50 -r $((2 * n)) -d 16 --csv 2>/dev/null \
      | awk -F'"' '/^"SET"/ { print $14 }' >"$dir/$side.p99" ) &
  bench=$!
  sleep 1
  rport=$(free_port)
  t0=$(date +%s.%N)
  start "$side" 1 "$rport" "$side-replica" --replicaof 127.0.0.1 "$pport" >/dev/null
  until redis-cli -p "$rport" INFO replication | grep -q 'master_link_status:up'; do sleep 0.05; done
  until redis-cli -p "$rport" INFO replication | grep -q 'master_sync_in_progress:0'; do sleep 0.05; done
  t1=$(date +%s.%N)
  wait "$bench"
  r[$side.p99]=$(cat "$dir/$side.p99")
  r[$side.sync]=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
  acked=$(redis-cli -p "$pport" WAIT 1 60000)
  r[$side.check]="WAIT=$acked $(python3 "$dir/compare.py" "$pport" "$rport")"
  redis-cli -p "$rport" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  redis-cli -p "$pport" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
done

printf '%-10s %18s %12s  %s\n' primary "p99 SET ms (sync)" "sync s" "replica contents"
for side in coolcache redis; do
  printf '%-10s %18s %12s  %s\n' "$side" "${r[$side.p99]}" "${r[$side.sync]}" "${r[$side.check]}"
done

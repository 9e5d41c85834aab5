#!/usr/bin/env bash
# p99 latency of a concurrent redis-benchmark with and without a BGSAVE running, side by side for
# coolcache-server and a real redis-server (servers pinned to CPU 0, the benchmark to CPU 1). Each server
# first gets N keys (SET key:<i> <16-byte value>, redis-cli --pipe). Then, per server: a SET/GET benchmark
# alone, and the same benchmark while BGSAVE runs back to back (a new one as soon as the last finished).
# In both runs one monitoring client (pinned to CPU 1, one connection) reads INFO persistence every 50 ms;
# in the second it also starts each BGSAVE. So the BGSAVE is the only difference (a redis-cli process
# started every 50 ms instead raises p99 by itself: 1.2 -> 2.5-3.1 ms here with no save at all).
#   scripts/bench-bgsave.sh [N] [REQUESTS]      (defaults 1000000 keys, 400000 requests per run)
# Needs redis-server and redis-tools (apt-get install redis-server redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
requests=${2:-400000}
. scripts/bench-lib.sh
require_tools redis-server redis-cli redis-benchmark taskset python3

build_server
bench_dir

write_keys "$n" "$dir/load.resp"

p99() { # port -> "set_p99 get_p99"
  taskset -c 1 redis-benchmark -p "$1" -t set,get -n "$requests" -c 50 -r "$n" -d 16 --csv 2>/dev/null \
    | awk -F'"' '/^"SET"/ { s = $14 } /^"GET"/ { g = $14 } END { print s, g }'
}

# monitor PORT SAVE STOPFILE OUTFILE: INFO persistence every 50 ms over one connection; with SAVE=1 a
# BGSAVE whenever none runs. Writes the number of saves that finished to OUTFILE.
cat >"$dir/monitor.py" <<'PY'
import os, socket, sys, time
port, save, stop, out = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def cmd(*args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    line = f.readline()
    return f.read(int(line[1:]) + 2) if line[:1] == b"$" else line
saves, running = 0, False
while not os.path.exists(stop):
    now = b"rdb_bgsave_in_progress:1" in cmd(b"INFO", b"persistence")
    if running and not now:
        saves += 1
    running = now
    if save and not running:
        running = cmd(b"BGSAVE").startswith(b"+")
    time.sleep(0.05)
open(out, "w").write(str(saves))
PY

measured() { # port save -> "set_p99 get_p99" with the monitor running (and saving when save=1)
  rm -f "$dir/stop"
  taskset -c 1 python3 "$dir/monitor.py" "$1" "$2" "$dir/stop" "$dir/saves" &
  local monitor=$!
  p99 "$1"
  touch "$dir/stop"; wait "$monitor" 2>/dev/null || true
}

declare -A r
for side in coolcache redis; do
  port=$(free_port)
  pid=$(start_side "$side" "$port" warning)
  taskset -c 1 redis-cli -p "$port" --pipe <"$dir/load.resp" >/dev/null
  p99 "$port" >/dev/null # warm-up: the load's garbage collected, the command path compiled
  r[$side.alone]=$(measured "$port" 0)
  r[$side.saving]=$(measured "$port" 1)
  r[$side.saves]=$(cat "$dir/saves" 2>/dev/null || echo 0)
  redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
done

printf '%-10s %22s %22s %8s\n' server "p99 ms alone set/get" "p99 ms bgsave set/get" bgsaves
for side in coolcache redis; do
  printf '%-10s %22s %22s %8s\n' "$side" "${r[$side.alone]}" "${r[$side.saving]}" "${r[$side.saves]}"
done

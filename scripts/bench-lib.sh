# Shared by the side-by-side benchmark scripts (source it after `cd` to the repository root):
# the tool check, the server build, free ports, and the N-key load file.
#   require_tools TOOL...       exit with a hint unless every TOOL is on PATH
#   build_server                builds coolcache-server (Release) and sets $server to its dll
#   free_port                   prints a free 127.0.0.1 port
#   write_keys N FILE           writes SET key:<i> value-<i as 10 digits> for i < N as RESP to FILE
#   bench_dir                   sets $dir to a new directory (coolcache/ and redis/ in it); on exit the
#                               servers start_side started are killed and the directory removed
#   start_side SIDE PORT LEVEL  starts coolcache-server (log level LEVEL) or redis-server (SIDE=redis) on
#                               PORT without save points, dir $dir/SIDE, pinned to CPU 0; waits for PING;
#                               prints its pid

require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install redis-server redis-tools util-linux python3)"; exit 1; }
  done
}

build_server() {
  dotnet build src/CoolCache.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
  server=src/CoolCache.Server/bin/Release/net10.0/coolcache-server.dll
}

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

write_keys() {
  python3 - "$1" >"$2" <<'PY'
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
for i in range(n):
    k = b"key:%d" % i; v = b"value-%010d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
PY
}

bench_dir() {
  dir=$(mktemp -d)
  mkdir -p "$dir/coolcache" "$dir/redis"
  trap 'for p in $(cat "$dir/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
}

start_side() {
  if [ "$1" = coolcache ]; then
    taskset -c 0 dotnet "$server" --port "$2" --save "" --dir "$dir/coolcache" --loglevel "$3" >>"$dir/coolcache.log" 2>&1 &
  else
    taskset -c 0 redis-server --port "$2" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir/redis" >>"$dir/redis.log" 2>&1 &
  fi
  local pid=$!
  echo "$pid" >>"$dir/pids" # a file: start_side runs in $(...), where an array would not reach the caller
  for _ in $(seq 300); do redis-cli -p "$2" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "$pid"
}

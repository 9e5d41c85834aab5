# Shared by the side-by-side benchmark scripts (source it after `cd` to the repository root):
# the tool check, the server build, free ports, and the N-key load file.
#   require_tools TOOL...       exit with a hint unless every TOOL is on PATH
#   build_server                builds coolcache-server (Release) and sets $server to its dll
#   free_port                   prints a free 127.0.0.1 port
#   write_keys N FILE           writes SET key:<i> value-<i as 10 digits> for i < N as RESP to FILE

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

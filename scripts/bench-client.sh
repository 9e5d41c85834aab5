#!/usr/bin/env bash
# CoolClient vs StackExchange.Redis: pipelined SET/GET throughput against the same CoolCache server
# (127.0.0.1, a free port, no persistence), in alternating rounds. The server is pinned to CPU 0 and the
# clients to CPU 1 when taskset is available; the script stops the server it starts.
#   scripts/bench-client.sh [ROUNDS] [REQUESTS] [WINDOW] [VALUE_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; requests=${2:-200000}; window=${3:-1000}; value=${4:-16}

dotnet build src/CoolCache.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/ClientBench -c Release -nologo -clp:ErrorsOnly >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
dir=$(mktemp -d)
pin0=(); pin1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin0=(taskset -c 0); pin1=(taskset -c 1); fi

"${pin0[@]}" dotnet src/CoolCache.Server/bin/Release/net10.0/coolcache-server.dll \
  --port "$port" --bind 127.0.0.1 --save "" --dir "$dir" --loglevel nothing &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT

for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

timeout 600 "${pin1[@]}" dotnet bench/ClientBench/bin/Release/net10.0/ClientBench.dll "$port" "$rounds" "$requests" "$window" "$value"

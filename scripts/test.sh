#!/usr/bin/env bash
# THE test command: builds the solution (warnings are errors) and runs every Expecto test project.
# Ends with a line "N passed, N failed, N skipped". Exit code 0 only when nothing failed.
# Tests needing redis-server/redis-cli skip themselves when those are missing, unless
# COOLCACHE_REQUIRE_REDIS=1 (set by .ci/run), which makes them fail instead.
set -uo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore >/dev/null
if ! dotnet build CoolCache.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0; skipped=0; status=0

# Formatting is part of the build's contract: Fantomas for F#, dotnet format for C#.
echo "== format"
if dotnet fantomas --check $(git ls-files '*.fs' '*.fsx' 2>/dev/null || find src tests -name '*.fs') >/dev/null \
   && dotnet format src/CoolCache.Server/CoolCache.Server.csproj --verify-no-changes >/dev/null 2>&1 \
   && dotnet format src/CoolCache.Cli/CoolCache.Cli.csproj --verify-no-changes >/dev/null 2>&1 \
   && dotnet format src/CoolCache.Client/CoolCache.Client.csproj --verify-no-changes >/dev/null 2>&1; then
  echo "format: ok"; passed=$((passed + 1))
else
  echo "format: files need formatting (dotnet fantomas <files>; dotnet format)"; failed=$((failed + 1)); status=1
fi
for project in tests/CoolCache.Core.Tests tests/CoolCache.Server.Tests tests/CoolCache.Cli.Tests tests/CoolCache.Client.Tests; do
  name=$(basename "$project")
  log=$(mktemp)
  echo "== $name"
  dotnet run --project "$project" -c Release --no-build -- --summary --fail-on-focused-tests 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | grep -oE '[0-9]+ passed, [0-9]+ ignored, [0-9]+ failed, [0-9]+ errored' | tail -1)
  if [ -z "$line" ]; then
    echo "$name: no Expecto summary (exit $rc)"
    failed=$((failed + 1)); status=1
  else
    read -r p _ i _ f _ e _ <<<"$(echo "$line" | tr -d ',')"
    passed=$((passed + p)); skipped=$((skipped + i)); failed=$((failed + f + e))
    [ "$rc" -ne 0 ] && status=1
    [ $((f + e)) -ne 0 ] && status=1
  fi
  rm -f "$log"
done

printf "\n"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

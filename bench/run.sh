#!/usr/bin/env bash
# The benchmark harness (see BENCHMARKS.md): builds the gateway, the Xbox Live simulator and the
# harness in Release, then runs it. Full run: bench/run.sh (about 6-10 minutes). CI: bench/run.sh --smoke
# (seconds per scenario; fails when a scenario produced no figures or a request failed).
# Options: --engines sqlite,postgresql (default both); --probe grants|pages|pages-json|newest-pages|newest-pages-json|push [--seconds S] [--trace FILE]
# runs one load on the first engine only (see bench/Probe.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for project in Gateway/Gateway.csproj XboxLiveSimulator/XboxLiveSimulator.csproj bench/Bench.csproj; do
  dotnet build "$project" -c Release -v quiet -nologo
done

exec dotnet bench/bin/Release/net10.0/Bench.dll --root "$PWD" "$@"

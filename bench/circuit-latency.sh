#!/usr/bin/env bash
# Circuit → fleet latency against the tools issue's target: from a tool's circuit opening on replica A to both
# replicas routing the agent to its degradation version, under 1 s at p99 with two replicas on a real Redis; also the
# time from the tool's recovery to the fleet being back on the stable (break duration 500 ms).
#
#   bench/circuit-latency.sh
#
# One process (bench/CircuitLatency) starts a real redis-server on a free loopback port (temp dir, killed at exit), two
# backends, a tool that fails or answers as told, and two gateway replicas (GatewayHost.Build, as Program.cs).
#
# Environment (defaults in brackets)
#   TRIALS [40]  measured trials      WARMUP [3]  trials not counted
#   ARTIFACTS [$ROOT/artifacts/bench]  build output (dotnet --artifacts-path)
# Exit status: 0 PASS, 1 a FAIL or an error. Needs the .NET 10 SDK; installs redis-server with apt-get (root).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${ARTIFACTS:-$ROOT/artifacts/bench}
log() { printf '[circuit-latency %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$ROOT/bench/lib/common.sh"

command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
ensure_commands redis-server=redis-server
production_environment
export GATEWAY_LOG_LEVEL=${GATEWAY_LOG_LEVEL:-Error}  # the degrade and restore lines are warnings, one per trial

WORK=$(mktemp -d "${TMPDIR:-/tmp}/circuit-latency.XXXXXX")
cleanup_on_exit
build_projects "$ROOT/bench/CircuitLatency/CircuitLatency.csproj"
log "running (about a minute)"
dotnet "$ARTIFACTS/bin/CircuitLatency/release/CircuitLatency.dll"

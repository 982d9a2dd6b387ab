#!/usr/bin/env bash
# Rollback latency against the issue's targets:
#   on the replica that took the call: under 5 ms from the store commit to routing by the new state
#     (applyMs − commitMs of the rollback response; file store and Redis store; judged on the maximum);
#   on a second replica via Redis: under 250 ms at p99 over 100 rollbacks
#     (a probe loop on replica B's proxy timestamps the first response served by the rollback target; also the
#      gateway's own replicas.allAckedMs).
#
#   bench/rollback-latency.sh
#
# One process (bench/RollbackLatency) starts a real redis-server on a free loopback port (temp dir, killed at exit),
# two Kestrel backends and real gateway replicas (GatewayHost.Build, as Program.cs), then runs WARMUP + ROLLBACKS
# rollbacks per store: deploy v2 through replica A, wait until B serves v2, roll back through A, measure.
#
# Environment (defaults in brackets)
#   ROLLBACKS [100]  measured rollbacks per store      WARMUP [10]  rollbacks not counted
#   REDIS_APPENDFSYNC [everysec]  always | everysec | no | no-aof
#   EXTRA_VERSIONS [0]  extra versions of the agent (how the apply path scales with versions)
#   ARTIFACTS [$ROOT/artifacts/bench]  build output (dotnet --artifacts-path)
# Exit status: 0 all PASS, 1 a FAIL or an error. Needs the .NET 10 SDK; installs redis-server with apt-get (root).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${ARTIFACTS:-$ROOT/artifacts/bench}
log() { printf '[rollback-latency %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$ROOT/bench/lib/common.sh"

command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
ensure_commands redis-server=redis-server

production_environment

BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/rollback-latency-build.XXXXXX")
trap 'rm -f -- "$BUILD_LOG"' EXIT
log "building bench/RollbackLatency (Release) into $ARTIFACTS"
dotnet build "$ROOT/bench/RollbackLatency/RollbackLatency.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q -clp:ErrorsOnly \
  >"$BUILD_LOG" 2>&1 || { cat "$BUILD_LOG" >&2; die "build failed"; }

log "running (about 20 s)"
dotnet "$ARTIFACTS/bin/RollbackLatency/release/RollbackLatency.dll"

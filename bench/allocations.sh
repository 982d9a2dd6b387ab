#!/usr/bin/env bash
# Per-request allocation that signals add, against the issue's target: under 512 bytes, measured with
# BenchmarkDotNet's memory diagnoser on the routing and signal code (bench/Gateway.Benchmarks, no sockets).
#
#   bench/allocations.sh [--job short|medium|default] [--filter PATTERN] [other BenchmarkDotNet options]
#
# Benchmarks (in-process toolchain, default job: short)
#   MiddlewareBenchmarks   the real AgentProxyMiddleware.InvokeAsync with its signal step ("signals on") against the
#                          same middleware with a recorder that records nothing and no usage capture ("signals off"),
#                          one fresh HttpContext per request, YARP's feature and state faked with real
#                          RouteModel/ClusterState objects; forwarder completing sync and async.
#   ComponentBenchmarks    version choice; routing; routing + signal path; signal path alone.
#   SignalPartsBenchmarks  each part of the signal path alone (capture stream, usage parse, Prometheus, figures, ledger).
#   TransformBenchmarks    the request transforms of a gateway version route against the minimal proxy's route, both
#                          built by YARP's transform builder (time and bytes; informative, not judged).
#   ManagedRewriteBenchmarks  a managed agent's request rewrite of a 2 KB chat request (parse, input guardrails, the
#                          version applied), judged against 20 µs. Alone: --filter '*ManagedRewrite*'.
#   JudgeSamplingBenchmarks  judged quality on the data path: the sampling decision every request of an agent with a
#                          judge pays, what a sampled managed or passthrough request adds (its copies and queueing), and
#                          both at sampleRate 0.05 (informative, not judged). Alone: --filter '*JudgeSampling*'.
# Prints BenchmarkDotNet's table, then "on / off / delta" bytes per request and PASS/FAIL per comparison, and the
# transforms' time ratio. With --filter '*Transform*' or '*JudgeSampling*' only those informative benchmarks run (exit 0).
#
# Environment: ARTIFACTS [$ROOT/artifacts/bench] build output (dotnet --artifacts-path).
# Exit status: 0 PASS, 1 FAIL or an error. Needs the .NET 10 SDK. Takes about 2 minutes with the short job.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${ARTIFACTS:-$ROOT/artifacts/bench}
log() { printf '[allocations %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
unset DOTNET_gcServer DOTNET_TieredCompilation DOTNET_TieredPGO 2>/dev/null || true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-allocations.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
log "building bench/Gateway.Benchmarks (Release) into $ARTIFACTS"
dotnet build "$ROOT/bench/Gateway.Benchmarks/Gateway.Benchmarks.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q -clp:ErrorsOnly \
  >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "build failed"; }

ARGS=("$@")
[[ " ${ARGS[*]} " == *" --job "* || " ${ARGS[*]} " == *" -j "* ]] || ARGS=(--job short "${ARGS[@]}")
log "running BenchmarkDotNet (${ARGS[*]}); its log is kept only on failure"
set +e
(cd "$WORK" && dotnet "$ARTIFACTS/bin/Gateway.Benchmarks/release/Gateway.Benchmarks.dll" "${ARGS[@]}" --artifacts "$WORK/out") >"$WORK/run.log" 2>&1
rc=$?
set -e
# The summary table (BenchmarkDotNet's markdown rows) and our verdict section.
grep -E '^\|' "$WORK/run.log" || true
sed -n '/^== allocated bytes per request/,$p' "$WORK/run.log"
if ((rc != 0)) && ! grep -q '^verdict:' "$WORK/run.log"; then
  tail -n 60 "$WORK/run.log" >&2
  die "benchmark run failed (exit $rc)"
fi
exit "$rc"

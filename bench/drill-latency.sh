#!/usr/bin/env bash
# Rollback drill timings: DRILLS drills (POST /admin/agents/{agent}/drill) on a fleet of one and of two gateway
# replicas sharing a real Redis, printing the median and the maximum of each timing the drill reports.
#
#   bench/drill-latency.sh
#
# For each fleet size a fresh redis-server (append-only file, everysec) and fresh replicas (Release build, Redis store)
# start; an agent gets two versions on two stand-in backends (bench/Backend) and a drill.probePath, so every drill
# also calls the target's backend. WARMUP drills run first and are not counted; then DRILLS drills, one after the
# other, through replica A. Every drill must pass with every replica acknowledging; the script fails otherwise.
# Printed per fleet: median and max of rollbackMs (the rollback until every replica acknowledged), verifyMs,
# restoreMs (the restore and its check) and totalMs.
#
# Environment (defaults in brackets)
#   DRILLS [20]  measured drills per fleet     WARMUP [3]  drills not counted
#   KEEP_WORK=1  keep the temp dir (logs) for inspection
# Needs: the .NET 10 SDK. Installs redis-server, curl and python3 with apt-get when missing (run as root). Builds into
# $ROOT/artifacts/bench (Release).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
ARTIFACTS="$ROOT/artifacts/bench"
DRILLS=${DRILLS:-20}
WARMUP=${WARMUP:-3}
TOKEN=bench
AGENT=drill-bench

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; "") ;; *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;; esac
[[ $DRILLS =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ ]] || { echo "DRILLS must be a positive integer, WARMUP a number" >&2; exit 2; }

log() { printf '[drill-latency %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/drill-latency.XXXXXX")
cleanup_on_exit

# start NAME COMMAND... : runs COMMAND in the background, output in $WORK/NAME.log; sets STARTED_PID.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# admin METHOD PATH [BODY] : an operator call on replica A; fails the script on a non-2xx answer.
admin() {
  local body=${3:-}
  curl -fsS -X "$1" "http://127.0.0.1:$ADMIN_A$2" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
    ${body:+-d "$body"} || die "$1 $2 failed"
}

# fleet REPLICAS : runs the drills on that many replicas; the drill answers go to $WORK/drills-REPLICAS.jsonl.
fleet() {
  local replicas=$1 i redis_port
  pick_port redis_port
  mkdir -p "$WORK/redis-$replicas"
  start "redis-$replicas" redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$WORK/redis-$replicas" --save "" \
    --appendonly yes --appendfsync everysec --daemonize no --protected-mode no --loglevel warning
  local ports=()
  for ((i = 1; i <= replicas; i++)); do
    local proxy admin_port
    pick_port proxy
    pick_port admin_port
    ports+=("$admin_port")
    start "gateway-$replicas-$i" dotnet "$ARTIFACTS/bin/Gateway/release/Gateway.dll" \
      --Rollgate:ProxyUrl="http://127.0.0.1:$proxy" --Rollgate:AdminUrl="http://127.0.0.1:$admin_port" \
      --Rollgate:DataDir="$WORK/data-$replicas-$i" --Rollgate:AdminToken="$TOKEN" --Rollgate:Store=redis \
      --Rollgate:Redis="127.0.0.1:$redis_port" --Rollgate:ReplicaId="replica-$i" --Logging:LogLevel:Default=Warning
    wait_ok "gateway-$replicas-$i" "$STARTED_PID" "http://127.0.0.1:$admin_port/readyz" 60
  done
  ADMIN_A=${ports[0]}

  admin PUT "/admin/agents/$AGENT" '{"drill": {"probePath": "/healthz"}}' >/dev/null
  admin POST "/admin/agents/$AGENT/versions" "{\"backend\": {\"destinations\": [\"http://127.0.0.1:$BACKEND_1\"]}}" >/dev/null
  admin POST "/admin/agents/$AGENT/versions" "{\"backend\": {\"destinations\": [\"http://127.0.0.1:$BACKEND_2\"]}}" >/dev/null
  admin POST "/admin/agents/$AGENT/deployments" '{"version": 1, "strategy": "immediate"}' >/dev/null
  admin POST "/admin/agents/$AGENT/deployments" '{"version": 2, "strategy": "immediate"}' >/dev/null

  log "$replicas replica(s): $WARMUP warm-up drills, then $DRILLS measured"
  for ((i = 0; i < WARMUP; i++)); do admin POST "/admin/agents/$AGENT/drill" >/dev/null; done
  : >"$WORK/drills-$replicas.jsonl"
  for ((i = 0; i < DRILLS; i++)); do
    admin POST "/admin/agents/$AGENT/drill" >>"$WORK/drills-$replicas.jsonl"
    echo >>"$WORK/drills-$replicas.jsonl"
  done
  stop_all
}

ensure_commands redis-server=redis-server curl=curl python3=python3
build_projects "$BENCH/Backend/Backend.csproj" "$ROOT/src/Gateway/Gateway.csproj"
production_environment

FAILED=0
for replicas in 1 2; do
  pick_port BACKEND_1
  pick_port BACKEND_2
  start "backend-$replicas-1" dotnet "$ARTIFACTS/bin/Backend/release/Backend.dll" --urls "http://127.0.0.1:$BACKEND_1"
  wait_ok "backend-$replicas-1" "$STARTED_PID" "http://127.0.0.1:$BACKEND_1/healthz" 60
  start "backend-$replicas-2" dotnet "$ARTIFACTS/bin/Backend/release/Backend.dll" --urls "http://127.0.0.1:$BACKEND_2"
  wait_ok "backend-$replicas-2" "$STARTED_PID" "http://127.0.0.1:$BACKEND_2/healthz" 60
  fleet "$replicas"
done

printf '\n== rollback drills (%s per fleet, after %s warm-up; Redis store, probe path on the target backend) ==\n' "$DRILLS" "$WARMUP"
python3 - "$WORK" <<'PY' || FAILED=1
import json, statistics, sys
work = sys.argv[1]
failed = False
print(f"{'replicas':>8}  {'timing':<10} {'median ms':>10} {'max ms':>10}")
for replicas in (1, 2):
    drills = [json.loads(line) for line in open(f"{work}/drills-{replicas}.jsonl") if line.strip()]
    bad = [d for d in drills if d["result"] != "passed" or d["replicas"].get("acked") != replicas or d["replicas"].get("total") != replicas]
    for name in ("rollbackMs", "verifyMs", "restoreMs", "totalMs"):
        values = [d[name] for d in drills]
        print(f"{replicas:>8}  {name:<10} {statistics.median(values):>10.1f} {max(values):>10.1f}")
    if bad:
        failed = True
        print(f"FAIL: {len(bad)} of {len(drills)} drills on {replicas} replica(s) did not pass with every replica: {bad[0]}")
    else:
        print(f"{'':>8}  PASS: {len(drills)} of {len(drills)} passed, {replicas} of {replicas} replicas acknowledged each")
sys.exit(1 if failed else 0)
PY
exit "$FAILED"

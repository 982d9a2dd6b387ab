#!/usr/bin/env bash
# Gateway memory against the size of the fleet: resident memory and live heap with many agents and versions deployed,
# under load.
#
#   bench/memory.sh [SIZE...]        SIZE is AGENTSxVERSIONS (default: 100x20 1000x5)
#
# For each size a fresh gateway (file store, Release build) starts with a seed of AGENTS agents of VERSIONS versions
# each. Every agent is stable on a version of its own; every CANARY_EVERY-th agent is stable on its second-to-last
# version with a 50 % canary on its last (started through the admin API), the others stable on their last. wrk then
# sends LOAD of requests spread over every agent (a different session per request, so canaries split), and /metrics
# is scraped once, as Prometheus would. Printed per size:
#   fleet heap       the live heap once the fleet is deployed, before any load: what the agents and versions cost
#   rss under load   the largest VmRSS (/proc/PID/status) sampled once a second while wrk runs
#   rss after        VmRSS once the load stopped
#   heap after       the live heap after the load (it adds what traffic keeps: request ids, figures, metric series)
#   committed        the memory the GC keeps committed after that collection (the runtime's
#                    dotnet.gc.last_collection.memory.committed_size, on /metrics)
# A live heap is the size of the objects reachable at a full GC (dotnet-gcdump collect forces one and reports it).
# Between two sizes in turn it prints the growth per version (difference divided by the difference in versions), and
# with TOP_TYPES=N the largest types of each live heap (dotnet-gcdump report).
# Exit status: 0 when the gateway stays within RSS_LIMIT_MB under load at 100x20 (when 100x20 is measured), 1 over it
# or on an error.
#
# Environment (defaults in brackets)
#   LOAD [30s]           wrk duration per size           CONNECTIONS [16]   THREADS [1]
#   CANARY_EVERY [5]     every N-th agent has a canary   RSS_LIMIT_MB [200] limit at 100x20
#   TOP_TYPES [0]        print the N largest types of each live heap
#   KEEP_WORK=1          keep the temp dir (logs, seeds, heap dumps) for inspection
#   GATEWAY_ARGS         extra gateway arguments, split on spaces
#   GATEWAY_ENV          extra environment for the gateway, e.g. "DOTNET_gcServer=1" to compare Server GC, split on spaces
#
# Needs: the .NET 10 SDK. Installs wrk and curl with apt-get when they are missing (run as root), and dotnet-gcdump
# (NuGet) into $ROOT/artifacts/bench/tools unless it is on PATH. Builds into $ROOT/artifacts/bench (Release).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
ARTIFACTS="$ROOT/artifacts/bench"

LOAD=${LOAD:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
CANARY_EVERY=${CANARY_EVERY:-5}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-200}
TOP_TYPES=${TOP_TYPES:-0}
TOKEN=bench

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

SIZES=()
while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    [1-9]*x[1-9]*) SIZES+=("$1") ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#SIZES[@]} > 0)) || SIZES=(100x20 1000x5)
for size in "${SIZES[@]}"; do
  [[ $size =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || { echo "a size is AGENTSxVERSIONS, e.g. 100x20 (got '$size')" >&2; exit 2; }
done
[[ $CANARY_EVERY =~ ^[1-9][0-9]*$ ]] || { echo "CANARY_EVERY must be a positive integer" >&2; exit 2; }
[[ $TOP_TYPES =~ ^[0-9]+$ ]] || { echo "TOP_TYPES must be a number" >&2; exit 2; }

log() { printf '[memory %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"

# ---------------------------------------------------------------------------------------------------------------
cleanup_on_exit

# ---------------------------------------------------------------------------------------------------------------
# Tools
ensure_tools() {
  ensure_commands wrk=wrk curl=curl

  GCDUMP=$(command -v dotnet-gcdump 2>/dev/null || true)
  [[ -z $GCDUMP && -x $HOME/.dotnet/tools/dotnet-gcdump ]] && GCDUMP=$HOME/.dotnet/tools/dotnet-gcdump
  [[ -z $GCDUMP && -x $ARTIFACTS/tools/dotnet-gcdump ]] && GCDUMP=$ARTIFACTS/tools/dotnet-gcdump
  if [[ -z $GCDUMP ]]; then
    log "installing dotnet-gcdump into $ARTIFACTS/tools"
    dotnet tool install dotnet-gcdump --tool-path "$ARTIFACTS/tools" >"$WORK/tool.log" 2>&1 \
      || { cat "$WORK/tool.log" >&2; die "could not install dotnet-gcdump"; }
    GCDUMP=$ARTIFACTS/tools/dotnet-gcdump
  fi
}

build() { build_projects "$BENCH/Backend/Backend.csproj" "$ROOT/src/Gateway/Gateway.csproj"; }

# start NAME ENV DLL ARGS... : runs `env ENV dotnet DLL ARGS` in the background, output in $WORK/NAME.log; sets STARTED_PID.
start() {
  local name=$1 environment=$2 dll=$3
  shift 3
  [[ -f $dll ]] || die "$dll not found (build failed?)"
  # shellcheck disable=SC2086 # the environment is split on spaces on purpose
  env $environment dotnet "$dll" "$@" >"$WORK/$name.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# ---------------------------------------------------------------------------------------------------------------
# The fleet
agent_name() { printf 'mem-%05d' "$1"; }
has_canary() { (($1 % CANARY_EVERY == 0)); }

# write_seed AGENTS VERSIONS FILE : every version is distinct (the prompt differs), all on the one backend.
write_seed() {
  local agents=$1 versions=$2 file=$3
  awk -v agents="$agents" -v versions="$versions" -v every="$CANARY_EVERY" -v backend="http://127.0.0.1:$BACKEND_PORT" 'BEGIN {
    printf "{\"agents\":["
    for (a = 1; a <= agents; a++) {
      printf "%s{\"name\":\"mem-%05d\",\"definition\":{},\"versions\":[", (a > 1 ? "," : ""), a
      for (v = 1; v <= versions; v++)
        printf "%s{\"prompt\":{\"system\":\"agent %d version %d\"},\"backend\":{\"destinations\":[\"%s\"]}}", (v > 1 ? "," : ""), a, v, backend
      printf "],\"deploy\":%d}", (a % every == 0 && versions > 1) ? versions - 1 : versions
    }
    printf "]}\n"
  }' >"$file"
}

# start_canaries AGENTS VERSIONS : a 50 % canary on the last version of every CANARY_EVERY-th agent.
start_canaries() {
  local agents=$1 versions=$2 a name started=0
  ((versions > 1)) || return 0
  for ((a = CANARY_EVERY; a <= agents; a += CANARY_EVERY)); do
    name=$(agent_name "$a")
    curl -fsS --max-time 30 -o "$WORK/deployment.json" -X POST "http://127.0.0.1:$ADMIN_PORT/admin/agents/$name/deployments" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"version\":$versions,\"strategy\":\"canary\",\"steps\":[50,100],\"stepDuration\":\"1h\"}" \
      || die "canary deployment of $name failed: $(cat "$WORK/deployment.json" 2>/dev/null)"
    started=$((started + 1))
  done
  log "started $started canaries"
}

# The wrk script: every agent in turn, a different session each time (pre-formatted, so wrk spends no time on it).
write_load_script() {
  cat >"$WORK/fleet.lua" <<'EOF'
local requests, i = {}, 0
function init(args)
  local agents, sessions = tonumber(args[1]), tonumber(args[2])
  for s = 1, sessions do
    for a = 1, agents do
      wrk.headers["X-Session-Id"] = "session-" .. s .. "-" .. a
      requests[#requests + 1] = wrk.format(nil, string.format("/agents/mem-%05d/v1/chat/completions", a))
    end
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
EOF
}

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# metric NAME : the sum of every series of NAME on the gateway's /metrics.
metric() {
  curl -fsS --max-time 10 "http://127.0.0.1:$ADMIN_PORT/metrics" \
    | awk -v name="$1" '$1 == name || index($1, name "{") == 1 { sum += $NF } END { printf "%.0f", sum }'
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

declare -A FLEET RSS_LOAD RSS_AFTER HEAP COMMITTED VERSIONS_OF

# live_heap PID DIR NAME : forces a full GC with dotnet-gcdump, keeps its report in DIR/NAME.txt, prints the heap's bytes.
live_heap() {
  local pid=$1 dir=$2 name=$3 heap
  "$GCDUMP" collect -p "$pid" -o "$dir/$name.gcdump" >"$dir/$name-collect.log" 2>&1 \
    || { cat "$dir/$name-collect.log" >&2; die "dotnet-gcdump collect failed"; }
  "$GCDUMP" report "$dir/$name.gcdump" >"$dir/$name.txt" 2>&1 || { cat "$dir/$name.txt" >&2; die "dotnet-gcdump report failed"; }
  heap=$(awk '$2 == "GC" && $3 == "Heap" && $4 == "bytes" { gsub(/,/, "", $1); print $1; exit }' "$dir/$name.txt")
  [[ -n $heap ]] || { cat "$dir/$name.txt" >&2; die "no heap size in the dotnet-gcdump report"; }
  printf '%s' "$heap"
}

# measure SIZE : one gateway with AGENTSxVERSIONS, loaded, measured, stopped.
measure() {
  local size=$1 agents=${1%x*} versions=${1#*x}
  local dir="$WORK/$size"
  mkdir -p "$dir"
  write_seed "$agents" "$versions" "$dir/seed.json"
  pick_port PROXY_PORT
  pick_port ADMIN_PORT
  log "[$size] starting the gateway (:$PROXY_PORT, admin :$ADMIN_PORT) with $agents agents x $versions versions"
  # shellcheck disable=SC2086 # GATEWAY_ARGS is split on spaces on purpose
  start "gateway-$size" "${GATEWAY_ENV:-}" "$ARTIFACTS/bin/Gateway/release/Gateway.dll" \
    --Rollgate:Store=file --Rollgate:DataDir="$dir/data" --Rollgate:AdminToken="$TOKEN" \
    --Rollgate:ProxyUrl="http://127.0.0.1:$PROXY_PORT" --Rollgate:AdminUrl="http://127.0.0.1:$ADMIN_PORT" \
    --Rollgate:Seed="$dir/seed.json" --Logging:LogLevel:Default=Warning ${GATEWAY_ARGS:-}
  local pid=$STARTED_PID started=$SECONDS
  wait_ok "gateway-$size" "$pid" "http://127.0.0.1:$ADMIN_PORT/readyz" 900
  log "[$size] seeded and ready in $((SECONDS - started)) s"
  start_canaries "$agents" "$versions"
  curl -fsS --max-time 10 -o /dev/null "http://127.0.0.1:$PROXY_PORT/agents/$(agent_name 1)/v1/chat/completions" \
    || die "a request to $(agent_name 1) failed"
  curl -fsS --max-time 10 -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" || die "GET /metrics failed"
  FLEET[$size]=$(live_heap "$pid" "$dir" fleet)

  log "[$size] load: wrk -t$THREADS -c$CONNECTIONS -d$LOAD over $agents agents"
  local sessions=$(((4096 + agents - 1) / agents))
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$LOAD" -s "$WORK/fleet.lua" "http://127.0.0.1:$PROXY_PORT" -- "$agents" "$sessions" >"$dir/wrk.log" 2>&1 &
  local wrk_pid=$! peak=0 rss
  while kill -0 "$wrk_pid" 2>/dev/null; do
    rss=$(rss_kb "$pid")
    echo "$rss" >>"$dir/rss-kb.txt"
    ((rss > peak)) && peak=$rss
    sleep 1
  done
  wait "$wrk_pid" || { cat "$dir/wrk.log" >&2; die "wrk failed"; }
  local rps errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.log")
  errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { for (i = 3; i <= NF; i += 2) { v = $(i + 1); sub(/,/, "", v); n += v } } END { print n + 0 }' "$dir/wrk.log")
  ((errors == 0)) || { cat "$dir/wrk.log" >&2; die "[$size] $errors error responses under load"; }
  # Scraped as Prometheus would: every series the load created is materialised.
  curl -fsS --max-time 10 -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" || die "GET /metrics failed"
  local after
  after=$(rss_kb "$pid")

  # The runtime's metrics then describe the full collection dotnet-gcdump forced.
  local heap committed
  heap=$(live_heap "$pid" "$dir" heap)
  committed=$(metric system_runtime_dotnet_gc_last_collection_memory_committed_size)
  log "[$size] $rps requests/s under load"
  RSS_LOAD[$size]=$((peak * 1024))
  RSS_AFTER[$size]=$((after * 1024))
  HEAP[$size]=$heap
  COMMITTED[$size]=$committed
  VERSIONS_OF[$size]=$((agents * versions))
  if ((TOP_TYPES > 0)); then
    printf '\n== %s: the %s largest types of the live heap, deployed and idle ==\n' "$size" "$TOP_TYPES"
    awk -v n="$TOP_TYPES" 'NR <= n + 5' "$dir/fleet.txt"
    printf '\n== %s: the %s largest types of the live heap after the load ==\n' "$size" "$TOP_TYPES"
    awk -v n="$TOP_TYPES" 'NR <= n + 5' "$dir/heap.txt"
  fi
  stop "$pid"
}

# ---------------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-memory.XXXXXX")
production_environment DOTNET_GCgen0size DOTNET_GCHeapHardLimit DOTNET_GCConserveMemory

ensure_tools
build
write_load_script

pick_port BACKEND_PORT
start backend "" "$ARTIFACTS/bin/Backend/release/Backend.dll" --urls "http://127.0.0.1:$BACKEND_PORT"
BACKEND_PID=$STARTED_PID
wait_ok backend "$BACKEND_PID" "http://127.0.0.1:$BACKEND_PORT/v1/chat/completions" 60

for size in "${SIZES[@]}"; do
  measure "$size"
done

printf '\n== gateway memory (every agent deployed, every %s-th with a 50%% canary; wrk -c%s -d%s) ==\n' "$CANARY_EVERY" "$CONNECTIONS" "$LOAD"
printf '%-10s %9s %13s %16s %13s %13s %13s\n' size versions 'fleet heap' 'rss under load' 'rss after' 'heap after' committed
for size in "${SIZES[@]}"; do
  printf '%-10s %9s %10s MB %13s MB %10s MB %10s MB %10s MB\n' "$size" "${VERSIONS_OF[$size]}" "$(mb "${FLEET[$size]}")" \
    "$(mb "${RSS_LOAD[$size]}")" "$(mb "${RSS_AFTER[$size]}")" "$(mb "${HEAP[$size]}")" "$(mb "${COMMITTED[$size]}")"
done
if ((${#SIZES[@]} > 1)); then
  printf '\n== growth per version ==\n'
  for ((k = 1; k < ${#SIZES[@]}; k++)); do
    from=${SIZES[k - 1]} to=${SIZES[k]}
    awk -v f="$from" -v t="$to" -v dv=$((VERSIONS_OF[$to] - VERSIONS_OF[$from])) -v fh=$((FLEET[$to] - FLEET[$from])) \
      -v r=$((RSS_LOAD[$to] - RSS_LOAD[$from])) -v h=$((HEAP[$to] - HEAP[$from])) 'BEGIN {
        if (dv == 0) { printf "%s -> %s: the same number of versions\n", f, t; exit }
        printf "%s -> %s (%+d versions): fleet heap %+.1f KB, rss under load %+.1f KB, heap after load %+.1f KB per version\n",
          f, t, dv, fh / dv / 1024, r / dv / 1024, h / dv / 1024
      }'
  done
fi

status=0
if [[ -n ${RSS_LOAD[100x20]:-} ]]; then
  limit=$((RSS_LIMIT_MB * 1048576))
  if ((RSS_LOAD[100x20] <= limit)); then
    printf '\n100x20 under load: %s MB RSS, limit %s MB: PASS\n' "$(mb "${RSS_LOAD[100x20]}")" "$RSS_LIMIT_MB"
  else
    printf '\n100x20 under load: %s MB RSS, limit %s MB: FAIL\n' "$(mb "${RSS_LOAD[100x20]}")" "$RSS_LIMIT_MB"
    status=1
  fi
fi
exit "$status"

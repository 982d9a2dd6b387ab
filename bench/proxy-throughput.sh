#!/usr/bin/env bash
# Proxy throughput: the Rollgate gateway against a minimal YARP proxy (the baseline), same backend, same load.
#
#   bench/proxy-throughput.sh [--stable | --canary | --all | --managed | --tools | --judge]     (default: --all, i.e. stable and canary)
#
# Scenarios
#   stable  the agent has one deployed version: every request goes to it.
#   canary  a canary rollout at 50% is active and wrk sends a varying X-Session-Id (a small Lua script),
#           so requests are split between stable and canary by sticky bucket. The baseline gets the same
#           wrk script (it just forwards the header), so both sides see identical load.
#   managed a managed agent ("mode": "openai") against a passthrough agent of the same gateway, both sent the same
#           2 KB chat completion request (a POST, by a small Lua script) and answered by the same backend playing the
#           model: what the gateway's request rewrite, model call and relay cost over forwarding. Here "baseline" is
#           the passthrough agent and "gateway" the managed one. Not part of --all.
#   tools   a tool call, /tools/bench-tool/… on the gateway (through the tool's Polly pipeline: circuit breaker and
#           timeout, counted per tool), against the minimal proxy to the same backend. Then, not paired: the same tool
#           with its circuit open (every call answered 503 tool-unavailable by the gateway itself), in requests/s.
#           Not part of --all.
#   judge   judged quality: the managed agent of --managed without a judge (the baseline) against the same agent with
#           one, same 2 KB chat request, three pairs: "judge-live" (a judge that answers a score, played by the backend
#           under /judge/, at JUDGE_RATE), "judge-dead" (a judge endpoint that refuses connections, every answer
#           sampled) and "judge-hang" (a judge that accepts and never answers, every answer sampled). The judge runs off
#           the request path, so a dead or hanging judge must not move the clients' throughput or latency (verdict
#           against TARGET). A live judge's calls are real work on the same CPUs (one chat call per sample), so that
#           pair is reported without a verdict: its CPU per request shows what judging costs. Not part of --all.
#
# Each scenario warms up each side, then runs rounds of one measurement per side, the order swapped every round
# (baseline-gateway, gateway-baseline, ...: a drift during a round then favours neither side). Every round gives a
# ratio gateway/baseline; the verdict takes the median of these paired ratios (PASS when >= TARGET): the two runs of
# a round share the machine's state, so the pairing cancels slow drifts in what the neighbours use, which on a shared
# machine swing each side by ±10 %. The ratio of the two sides' medians is printed too.
# Exit status: 0 all PASS, 1 a FAIL or an error.
# The warm-up is long on purpose: under load both processes keep JIT-compiling (tiered compilation and PGO) for
# about 30-40 s on this machine, the gateway longer (more code), and steady-state throughput is what is compared.
# It also reports the CPU time each proxy process spent per request (from /proc, microseconds), and the backend's: the
# three processes (wrk, backend, proxy) share the machine's CPUs, so the backend's share bounds what any proxy can
# reach, and a gateway that adds request headers adds backend work too.
#
# Environment (defaults in brackets)
#   SCENARIO [all]  stable | canary | all       DURATION [4s]   one measurement
#   ROUNDS [16]     rounds (pairs)              WARMUP [30s]    wrk warm-up per side (and per scenario)
#   CONNECTIONS [16] THREADS [1]                TARGET [0.90; 0.95 for tools and judge]   minimum gateway/baseline ratio
#   JUDGE_RATE [0.05] sampleRate of the live judge   JUDGES ["live dead hang"] which judge pairs --judge measures
#   KEEP_WORK=1     keep the temp dir (logs, seed, data dir) for inspection
#   GATEWAY_ARGS    extra gateway arguments, split on spaces (e.g. "--Logging:LogLevel:Default=None")
#   BASELINE_ARGS   extra baseline arguments, split on spaces. "--SpecHeaders true" makes the baseline add the headers
#                   the gateway adds (five toward the backend, two toward the client) as constants: a diagnostic that
#                   shows how much of the gap is that header traffic. The verdict is meant for the plain baseline.
#
# Needs: the .NET 10 SDK (and python3 for --managed and --judge). Installs wrk and curl with apt-get when they are missing (run as root).
# Builds into $ROOT/artifacts/bench (Release), apart from development builds.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
ARTIFACTS="$ROOT/artifacts/bench"

SCENARIO=${SCENARIO:-all}
DURATION=${DURATION:-4s}
ROUNDS=${ROUNDS:-16}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
TARGET=${TARGET:-}
AGENT=bench-bot
TOKEN=bench

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
  case $1 in
    --canary) SCENARIO=canary ;;
    --stable) SCENARIO=stable ;;
    --all) SCENARIO=all ;;
    --managed) SCENARIO=managed ;;
    --tools) SCENARIO=tools ;;
    --judge) SCENARIO=judge ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $SCENARIO in
  stable | canary | all | managed | tools | judge) ;;
  *) echo "SCENARIO must be stable, canary, all, managed, tools or judge (got '$SCENARIO')" >&2; exit 2 ;;
esac
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer" >&2; exit 2; }
# The tool path is plain forwarding inside a resilience pipeline, and the judge is off the request path, so both are
# held to a tighter bar than an agent's.
if [[ -z $TARGET ]]; then [[ $SCENARIO == tools || $SCENARIO == judge ]] && TARGET=0.95 || TARGET=0.90; fi
JUDGE_RATE=${JUDGE_RATE:-0.05}
JUDGES=${JUDGES:-live dead hang}

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"

# ---------------------------------------------------------------------------------------------------------------
cleanup_on_exit

build() { build_projects "$BENCH/Backend/Backend.csproj" "$BENCH/MinimalProxy/MinimalProxy.csproj" "$ROOT/src/Gateway/Gateway.csproj"; }

# start NAME DLL ARGS... : runs `dotnet DLL ARGS` in the background, output in $WORK/NAME.log; sets STARTED_PID.
start() {
  local name=$1 dll=$2
  shift 2
  [[ -f $dll ]] || die "$dll not found (build failed?)"
  dotnet "$dll" "$@" >"$WORK/$name.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# ---------------------------------------------------------------------------------------------------------------
# Load
# CPU time (user + system, in clock ticks) used so far by process PID.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_wrk PID URL DURATION [LUA] : load on URL (served by process PID); prints
# "rps p50 p99 errors cpu_us_per_request backend_cpu_us_per_request" (errors: non-2xx/3xx responses + socket errors).
run_wrk() {
  local pid=$1 url=$2 duration=$3 lua=${4:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency)
  [[ -n $lua ]] && args+=(-s "$lua")
  local out cpu0 cpu1 backend0 backend1
  cpu0=$(cpu_ticks "$pid")
  backend0=$(cpu_ticks "$BACKEND_PID")
  out=$(wrk "${args[@]}" "$url") || die "wrk failed against $url"
  cpu1=$(cpu_ticks "$pid")
  backend1=$(cpu_ticks "$BACKEND_PID")
  printf '%s\n' "$out" >>"$WORK/wrk.log"
  awk -v ticks=$((cpu1 - cpu0)) -v backend=$((backend1 - backend0)) -v hz="$CLK_TCK" '
    $2 == "requests" && $3 == "in" { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i += 2) { v = $(i + 1); sub(/,/, "", v); errors += v } }
    END { printf "%s %s %s %d %.1f %.1f\n", (rps == "" ? "0" : rps), (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), errors,
                (n > 0) ? ticks / hz * 1e6 / n : 0, (n > 0) ? backend / hz * 1e6 / n : 0 }
  ' <<<"$out"
}

# median [-p PRECISION] VALUES...
median() {
  local precision=0
  [[ $1 == -p ]] && { precision=$2; shift 2; }
  printf '%s\n' "$@" | sort -g | awk -v p="$precision" '{ v[NR] = $1 } END { printf "%." p "f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# to_ms LATENCY : a wrk latency ("850.00us", "1.23ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.3f", n }'
}

RESULTS=()   # one summary line per scenario
FAILED=0

# measure SCENARIO_NAME LUA [BASE_URL BASE_PID GATEWAY_URL [TARGET]] : warm-up and alternating rounds against both
# sides, then the verdict. The sides are the minimal proxy and the gateway unless given; TARGET "-" reports the ratio
# without a verdict.
measure() {
  local scenario=$1 lua=${2:-}
  local base_url=${3:-"http://127.0.0.1:$BASE_PORT/agents/$AGENT/v1/chat/completions"}
  local base_pid=${4:-$BASE_PID}
  local gw_url=${5:-"http://127.0.0.1:$PROXY_PORT/agents/$AGENT/v1/chat/completions"}
  local target=${6:-$TARGET}
  log "[$scenario] warm-up: $WARMUP per side"
  run_wrk "$base_pid" "$base_url" "$WARMUP" "$lua" >/dev/null
  run_wrk "$GATEWAY_PID" "$gw_url" "$WARMUP" "$lua" >/dev/null

  local base=() gw=() base_cpu=() gw_cpu=() base_p99=() gw_p99=() pairs=() round side order url pid line rps p50 p99 errors cpu backend_cpu bad=0
  printf '\n== scenario: %s  (wrk -t%s -c%s -d%s%s, %s rounds) ==\n' "$scenario" "$THREADS" "$CONNECTIONS" "$DURATION" \
    "${lua:+ -s $(basename "$lua")}" "$ROUNDS"
  printf '%-6s %-9s %12s %10s %10s %8s %14s %14s\n' round side 'requests/s' p50 p99 errors 'cpu us/request' 'backend us/req'
  for round in $(seq 1 "$ROUNDS"); do
    if ((round % 2)); then order="baseline gateway"; else order="gateway baseline"; fi
    for side in $order; do
      if [[ $side == baseline ]]; then url=$base_url pid=$base_pid; else url=$gw_url pid=$GATEWAY_PID; fi
      line=$(run_wrk "$pid" "$url" "$DURATION" "$lua")
      read -r rps p50 p99 errors cpu backend_cpu <<<"$line"
      printf '%-6s %-9s %12.0f %10s %10s %8s %14s %14s\n' "$round" "$side" "$rps" "$p50" "$p99" "$errors" "$cpu" "$backend_cpu"
      if [[ $side == baseline ]]; then base+=("$rps") base_cpu+=("$cpu") base_p99+=("$(to_ms "$p99")")
      else gw+=("$rps") gw_cpu+=("$cpu") gw_p99+=("$(to_ms "$p99")"); fi
      ((errors == 0)) || bad=1
    done
    pairs+=("$(awk -v g="${gw[-1]}" -v b="${base[-1]}" 'BEGIN { printf "%.4f", (b > 0) ? g / b : 0 }')")
  done

  local mb mg ratio of_medians verdict cb cg lb lg
  mb=$(median "${base[@]}")
  mg=$(median "${gw[@]}")
  lb=$(median -p 2 "${base_p99[@]}")
  lg=$(median -p 2 "${gw_p99[@]}")
  cb=$(median -p 1 "${base_cpu[@]}")
  cg=$(median -p 1 "${gw_cpu[@]}")
  ratio=$(median -p 3 "${pairs[@]}")
  of_medians=$(awk -v g="$mg" -v b="$mb" 'BEGIN { printf "%.3f", (b > 0) ? g / b : 0 }')
  if [[ $target == - ]] && ((bad == 0)); then verdict=informative
  elif [[ $target != - ]] && awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r >= t) }' && ((bad == 0)); then verdict=PASS
  else verdict=FAIL; FAILED=1; fi
  ((bad == 0)) || verdict+=" (error responses during measurement: see errors column)"
  printf 'median  baseline %s req/s, gateway %s req/s (ratio of the medians %s)\n' "$mb" "$mg" "$of_medians"
  printf 'median of the %s paired ratios gateway/baseline: %s (target >= %s): %s\n' "${#pairs[@]}" "$ratio" "$target" "$verdict"
  printf 'median  CPU per request: baseline %s us, gateway %s us (gateway costs %sx the baseline)\n' "$cb" "$cg" \
    "$(awk -v g="$cg" -v b="$cb" 'BEGIN { printf "%.2f", (b > 0) ? g / b : 0 }')"
  printf 'median  p99: baseline %s ms, gateway %s ms (%sx)\n' "$lb" "$lg" "$(awk -v g="$lg" -v b="$lb" 'BEGIN { printf "%.2f", (b > 0) ? g / b : 0 }')"
  RESULTS+=("$(printf '%-10s baseline %7s req/s %6s us-cpu/req p99 %6s ms | gateway %7s req/s %6s us-cpu/req p99 %6s ms | paired ratio %s (of medians %s)  %s' \
    "$scenario" "$mb" "$cb" "$lb" "$mg" "$cg" "$lg" "$ratio" "$of_medians" "$verdict")")
}

# Per-version request counts from the gateway's /metrics (shows the canary split really happened).
version_split() {
  curl -fsS --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | awk -v agent="$AGENT" '
    index($0, "rollgate_requests_total{") == 1 && index($0, "agent=\"" agent "\"") {
      match($0, /version="[^"]*"/); v = substr($0, RSTART + 9, RLENGTH - 10)
      match($0, /role="[^"]*"/); r = substr($0, RSTART + 6, RLENGTH - 7)
      n[v " (" r ")"] += $NF
    }
    END { for (k in n) printf "  version %s: %d requests\n", k, n[k] }' | sort
}

start_canary() {
  log "[canary] POST /admin/agents/$AGENT/deployments: version 2, canary at 50%"
  curl -fsS --max-time 10 -o "$WORK/deployment.json" -X POST "http://127.0.0.1:$ADMIN_PORT/admin/agents/$AGENT/deployments" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"version":2,"strategy":"canary","steps":[50,100],"stepDuration":"1h"}' \
    || die "deployment request failed: $(cat "$WORK/deployment.json" 2>/dev/null)"
  # Applied asynchronously: wait until sessions land on both versions.
  local deadline=$((SECONDS + 30)) k version seen=" "
  for ((k = 0; ; k++)); do
    version=$(curl -fsS --max-time 2 -o /dev/null -D - -H "X-Session-Id: probe-$k" \
      "http://127.0.0.1:$PROXY_PORT/agents/$AGENT/v1/chat/completions" | tr -d '\r' |
      awk 'tolower($1) == "x-rollgate-version:" { print $2 }') || true
    [[ -n $version && $seen != *" $version "* ]] && seen+="$version "
    [[ $seen == *" 1 "* && $seen == *" 2 "* ]] && break
    ((SECONDS < deadline)) || die "canary not in effect after 30 s (versions seen:$seen)"
  done
}

# ---------------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-bench.XXXXXX")
production_environment

ensure_commands wrk=wrk curl=curl
build

pick_port BACKEND_PORT
pick_port BASE_PORT
pick_port PROXY_PORT
pick_port ADMIN_PORT

# The judged copies of the managed agent (--judge): the same version, with a judge that answers, refuses or hangs.
judged_agents() {
  [[ $SCENARIO == judge ]] || return 0
  local name endpoint rate
  for entry in "live http://127.0.0.1:$BACKEND_PORT/judge/v1 $JUDGE_RATE" "dead http://127.0.0.1:$DEAD_JUDGE_PORT/v1 1" \
               "hang http://127.0.0.1:$HANGING_JUDGE_PORT/v1 1"; do
    read -r name endpoint rate <<<"$entry"
    printf ',\n{"name":"%s-judge-%s","definition":{"mode":"openai","quality":{"judge":{"endpoint":"%s","model":"bench-judge",
      "pricing":{"inputPerMTok":0.15,"outputPerMTok":0.6}},"sampleRate":%s,"rubric":"A good answer is correct and brief.",
      "maxDailyCostUsd":1000000}},"versions":[%s],"deploy":1}' "$AGENT" "$name" "$endpoint" "$rate" "$MANAGED_VERSION"
  done
}
MANAGED_VERSION='{"prompt":{"system":"You are a terse support agent."},
   "model":{"name":"bench-model","endpoint":"http://127.0.0.1:'$BACKEND_PORT'/v1","temperature":0.2,"maxTokens":300,
            "pricing":{"inputPerMTok":2.5,"outputPerMTok":10}},
   "tools":[{"name":"lookup_order","description":"Finds an order","parameters":{"type":"object","properties":{"id":{"type":"string"}}}}]}'
if [[ $SCENARIO == judge ]]; then
  pick_port DEAD_JUDGE_PORT   # nothing listens there: every judge call is refused
  pick_port HANGING_JUDGE_PORT
  # A judge that accepts connections and never answers: each call waits for Rollgate:Quality:JudgeTimeout.
  python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True: held.append(s.accept()[0])' "$HANGING_JUDGE_PORT" &
  PIDS+=("$!")
fi

cat >"$WORK/seed.json" <<EOF
{"agents":[{"name":"$AGENT","definition":{},"versions":[
  {"prompt":{"system":"bench"},"backend":{"destinations":["http://127.0.0.1:$BACKEND_PORT"]}},
  {"prompt":{"system":"bench v2"},"backend":{"destinations":["http://127.0.0.1:$BACKEND_PORT"]}}
],"deploy":1},
{"name":"$AGENT-managed","definition":{"mode":"openai"},"versions":[
  $MANAGED_VERSION
],"deploy":1}$(judged_agents)]}
EOF

log "starting backend :$BACKEND_PORT, minimal proxy :$BASE_PORT, gateway :$PROXY_PORT (admin :$ADMIN_PORT)"
start backend "$ARTIFACTS/bin/Backend/release/Backend.dll" --urls "http://127.0.0.1:$BACKEND_PORT"
BACKEND_PID=$STARTED_PID
start baseline "$ARTIFACTS/bin/MinimalProxy/release/MinimalProxy.dll" --urls "http://127.0.0.1:$BASE_PORT" \
  --Backend "http://127.0.0.1:$BACKEND_PORT" ${BASELINE_ARGS:-}
BASE_PID=$STARTED_PID
start gateway "$ARTIFACTS/bin/Gateway/release/Gateway.dll" \
  --Rollgate:Store=file --Rollgate:DataDir="$WORK/data" --Rollgate:AdminToken="$TOKEN" \
  --Rollgate:ProxyUrl="http://127.0.0.1:$PROXY_PORT" --Rollgate:AdminUrl="http://127.0.0.1:$ADMIN_PORT" \
  --Rollgate:Seed="$WORK/seed.json" --Logging:LogLevel:Default=Warning ${GATEWAY_ARGS:-}
GATEWAY_PID=$STARTED_PID

wait_ok backend "$BACKEND_PID" "http://127.0.0.1:$BACKEND_PORT/v1/chat/completions"
wait_ok baseline "$BASE_PID" "http://127.0.0.1:$BASE_PORT/agents/$AGENT/v1/chat/completions"
wait_ok gateway "$GATEWAY_PID" "http://127.0.0.1:$ADMIN_PORT/readyz"
wait_ok gateway "$GATEWAY_PID" "http://127.0.0.1:$PROXY_PORT/agents/$AGENT/v1/chat/completions"
# A production gateway is scraped by Prometheus; the first scrape is what starts prometheus-net's listeners on .NET
# meters, so the gateway is measured as it runs in production, not in the cheaper never-scraped state.
curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" || die "GET /metrics failed"
log "all ready; $(nproc 2>/dev/null || echo '?') CPUs shared by wrk, backend and the proxy under test"

if [[ $SCENARIO == stable || $SCENARIO == all ]]; then
  measure stable
fi
# chat_lua : writes $WORK/chat-2k.lua, a 2 KB chat request posted by wrk.
chat_lua() {
  python3 - "$WORK/chat-2k.lua" <<'PY'
import json, sys
messages, size, turn = [], 0, 0
while size < 1850:
    text = f"Turn {turn}: my order 10{turn:04d} has not arrived yet, the tracking page says it left the depot on Monday. Can you check? "
    messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": text})
    size, turn = size + len(text) + 32, turn + 1
body = json.dumps({"model": "gpt-4o", "messages": messages, "user": "user-42"})
with open(sys.argv[1], "w") as lua:
    lua.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
PY
}
if [[ $SCENARIO == managed ]]; then
  # The same 2 KB chat request to the passthrough agent and to the managed one.
  chat_lua
  wait_ok gateway "$GATEWAY_PID" "http://127.0.0.1:$PROXY_PORT/agents/$AGENT-managed/v1/models"
  measure managed "$WORK/chat-2k.lua" "http://127.0.0.1:$PROXY_PORT/agents/$AGENT/v1/chat/completions" "$GATEWAY_PID" \
    "http://127.0.0.1:$PROXY_PORT/agents/$AGENT-managed/v1/chat/completions"
fi
if [[ $SCENARIO == tools ]]; then
  put_tool() {
    curl -fsS --max-time 10 -o /dev/null -X PUT "http://127.0.0.1:$ADMIN_PORT/admin/tools/$1" -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -d "$2" || die "PUT /admin/tools/$1 failed"
  }
  put_tool bench-tool "{\"endpoint\":\"http://127.0.0.1:$BACKEND_PORT\",\"timeout\":\"5s\"}"
  measure tools "" "http://127.0.0.1:$BASE_PORT/agents/$AGENT/v1/chat/completions" "$BASE_PID" \
    "http://127.0.0.1:$PROXY_PORT/tools/bench-tool/v1/chat/completions"
  # A tool that refuses connections: two calls open its circuit for a day, then every call is answered 503 at once.
  pick_port DEAD_PORT
  put_tool bench-dead "{\"endpoint\":\"http://127.0.0.1:$DEAD_PORT\",\"breaker\":{\"minimumThroughput\":2,\"breakDuration\":\"1d\"}}"
  for _ in 1 2 3; do curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PROXY_PORT/tools/bench-dead/x" || true; done
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PROXY_PORT/tools/bench-dead/x") == 503 ]] || die "the dead tool's circuit did not open"
  run_wrk "$GATEWAY_PID" "http://127.0.0.1:$PROXY_PORT/tools/bench-dead/x" "$WARMUP" >/dev/null
  read -r rps p50 p99 errors cpu _ <<<"$(run_wrk "$GATEWAY_PID" "http://127.0.0.1:$PROXY_PORT/tools/bench-dead/x" "$DURATION")"
  printf '\n== open circuit: every call answered 503 tool-unavailable by the gateway ==\n'
  printf '%12.0f requests/s  p50 %s  p99 %s  cpu %s us/request  (non-2xx: %s, all expected)\n' "$rps" "$p50" "$p99" "$cpu" "$errors"
  RESULTS+=("$(printf 'open    circuit (503 at once) %7.0f req/s %6s us-cpu/req' "$rps" "$cpu")")
fi
if [[ $SCENARIO == judge ]]; then
  chat_lua
  managed_url="http://127.0.0.1:$PROXY_PORT/agents/$AGENT-managed/v1/chat/completions"
  for judge in $JUDGES; do
    wait_ok gateway "$GATEWAY_PID" "http://127.0.0.1:$PROXY_PORT/agents/$AGENT-judge-$judge/v1/models"
    # A live judge's calls are work of the gateway's own (a chat call per sample, JUDGE_RATE of all requests), so
    # that pair is reported without a verdict; a dead or hanging judge must cost the clients nothing.
    measure "judge-$judge" "$WORK/chat-2k.lua" "$managed_url" "$GATEWAY_PID" \
      "http://127.0.0.1:$PROXY_PORT/agents/$AGENT-judge-$judge/v1/chat/completions" "$([[ $judge == live ]] && echo - || echo "$TARGET")"
  done
  echo "judge outcomes since start (rollgate_judge_requests_total):"
  curl -fsS --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '
    index($0, "rollgate_judge_requests_total{") == 1 { match($0, /agent="[^"]*"/); a = substr($0, RSTART + 7, RLENGTH - 8)
      match($0, /outcome="[^"]*"/); o = substr($0, RSTART + 9, RLENGTH - 10); n[a " " o] += $NF }
    END { for (k in n) printf "  %s: %d\n", k, n[k] }' | sort
fi
if [[ $SCENARIO == canary || $SCENARIO == all ]]; then
  start_canary
  measure canary "$BENCH/lib/sticky-sessions.lua"
  echo "gateway requests per version since start (all scenarios):"
  version_split
fi

printf '\n== summary ==\n'
printf '%s\n' "${RESULTS[@]}"
exit "$FAILED"

#!/usr/bin/env bash
# Peers: Rollgate against what a platform team could put in front of two agent versions instead, nginx and HAProxy,
# and against the minimal YARP proxy of bench/proxy-throughput.sh. Same backend, same load, same 95/5 sticky split.
#
#   bench/peers.sh
#
# Sides (each listens on its own loopback port, all forward to the one backend of bench/Backend):
#   rollgate  the gateway with agent bench-bot: versions 1 and 2 on the backend, a canary rollout of version 2 at 5 %,
#             sticky by X-Session-Id, two rules guarding it, /metrics scraped. Per request it chooses the version, adds
#             the version and request-id headers, reads usage from the response body and records every signal (latency,
#             errors, tokens per version, the request ledger): what rules and rollouts decide on.
#   minimal   the minimal YARP proxy (bench/MinimalProxy): one route, one destination, no split, nothing recorded.
#   nginx     Debian's nginx: split_clients on $http_x_session_id (5 % canary, the rest stable), two upstreams on the
#             backend with keepalive connections (HTTP/1.1), the agent prefix stripped, X-Forwarded-For/-Proto/-Host set
#             as YARP does, the chosen version returned in a response header. Access log off. Workers: one per CPU.
#   haproxy   Debian's HAProxy: two servers on the backend weighted 95/5, balanced by a consistent hash of X-Session-Id
#             (sticky without a table, as the gateway's bucket), http-reuse always, the prefix stripped, X-Forwarded-*
#             set, the chosen server returned in a response header. No logging. Threads: one per CPU (its default).
# nginx and HAProxy split traffic but measure nothing per version (no per-version latency, errors, tokens, no rules, no
# rollback); they are the bar for the proxying itself. All four proxies may use both CPUs.
#
# Each side is warmed up (the .NET ones JIT-compile for tens of seconds under load), then rounds run one measurement
# per side, the order rotated every round so a drift in what the machine's neighbours use favours no side. Per round
# every side gets ratios against nginx of the same round; the table shows medians over rounds. CPU per request is the
# user+system time of the proxy's own processes (for nginx the master and its workers) from /proc, divided by the
# requests wrk completed. Absolute figures on a shared machine swing; the ratios of one run are what to compare.
#
# Optional A/B sides, how to measure a setting: VARIANTS="name:WORD ...;name2:WORD ..." starts one more gateway per entry,
# measured in the same rounds, with each WORD added: NAME=VALUE to its environment, --Key=Value to its arguments. E.g.
#   VARIANTS="inline:DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1;nogc:DOTNET_gcConcurrent=0" bench/peers.sh
#
# Environment (defaults in brackets)
#   SIDES ["rollgate minimal nginx haproxy"] (plus the VARIANTS' names)
#   DURATION [5s] one measurement   ROUNDS [8]   WARMUP [30s] per side   CONNECTIONS [16]   THREADS [1]
#   GATEWAY_ENV / GATEWAY_ARGS  environment / arguments for every gateway side, a variant's own words added after them
#                               (e.g. GATEWAY_ENV=DOTNET_PerfMapEnabled=1 to profile with perf)
#   KEEP_WORK=1  keep the temp dir (configs, logs, wrk output)
#
# Needs: the .NET 10 SDK. Installs wrk, curl, nginx and haproxy with apt-get when missing (run as root).
# Exit status: 0 when every measurement had no errors, 1 otherwise. The target (rollgate's CPU per request at most
# 1.5x nginx's, p99 below both nginx's and HAProxy's) is reported, not enforced.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
ARTIFACTS="$ROOT/artifacts/bench"

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-8}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
SIDES=${SIDES:-rollgate minimal nginx haproxy}
VARIANTS=${VARIANTS:-}
GATEWAY_ENV=${GATEWAY_ENV:-}
GATEWAY_ARGS=${GATEWAY_ARGS:-}
CANARY_PERCENT=5
AGENT=bench-bot
TOKEN=bench

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer" >&2; exit 2; }
declare -A VARIANT_ENV VARIANT_ARGS
IFS=';' read -r -a entries <<<"$VARIANTS"
for entry in "${entries[@]}"; do
  [[ $entry =~ ^[[:space:]]*([a-z0-9-]+):(.*)$ ]] || { echo "VARIANTS entry '$entry' is not name:WORD ..." >&2; exit 2; }
  name=${BASH_REMATCH[1]}
  case $name in rollgate | minimal | nginx | haproxy) echo "variant name '$name' is taken by a side" >&2; exit 2 ;; esac
  VARIANT_ENV[$name]="" VARIANT_ARGS[$name]=""
  for word in ${BASH_REMATCH[2]}; do
    if [[ $word == --* ]]; then VARIANT_ARGS[$name]+="$word "; else VARIANT_ENV[$name]+="$word "; fi
  done
  SIDES+=" $name"
done
for side in $SIDES; do
  case $side in rollgate | minimal | nginx | haproxy) ;; *) [[ -v VARIANT_ENV[$side] ]] || { echo "unknown side '$side'" >&2; exit 2; } ;; esac
done
[[ " $SIDES " == *" nginx "* ]] || { echo "SIDES must include nginx (the ratios are against it)" >&2; exit 2; }

log() { printf '[peers %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"

# ---------------------------------------------------------------------------------------------------------------
# nginx's master stops its workers.
cleanup_on_exit

# launch NAME ENV ARGS... : runs ARGS in the background with the space-separated NAME=VALUE pairs of ENV added,
# output in $WORK/NAME.log; sets STARTED_PID.
launch() {
  local name=$1 environment=$2
  shift 2
  # shellcheck disable=SC2086 # ENV is a list of NAME=VALUE words
  env $environment "$@" >"$WORK/$name.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# ---------------------------------------------------------------------------------------------------------------
# Sides
start_gateway() {
  local name=$1 environment=$2 extra=$3 proxy_port admin_port
  pick_port proxy_port
  pick_port admin_port
  [[ -f $ARTIFACTS/bin/Gateway/release/Gateway.dll ]] || die "Gateway.dll not found (build failed?)"
  # shellcheck disable=SC2086 # extra arguments split on spaces
  launch "$name" "$environment" dotnet "$ARTIFACTS/bin/Gateway/release/Gateway.dll" \
    --Rollgate:Store=file --Rollgate:DataDir="$WORK/data-$name" --Rollgate:AdminToken="$TOKEN" \
    --Rollgate:ProxyUrl="http://127.0.0.1:$proxy_port" --Rollgate:AdminUrl="http://127.0.0.1:$admin_port" \
    --Rollgate:Seed="$WORK/seed.json" --Logging:LogLevel:Default=Warning $extra
  SIDE_PID[$name]=$STARTED_PID
  SIDE_URL[$name]="http://127.0.0.1:$proxy_port/agents/$AGENT/v1/chat/completions"
  SIDE_ADMIN[$name]="http://127.0.0.1:$admin_port"
}

# The canary at 5 %, sticky by X-Session-Id (the default), applied asynchronously: waits until both versions answer.
start_canary() {
  local name=$1 admin=${SIDE_ADMIN[$1]}
  wait_ok "$name" "${SIDE_PID[$name]}" "$admin/readyz"
  wait_ok "$name" "${SIDE_PID[$name]}" "${SIDE_URL[$name]}"
  curl -fsS --max-time 10 -o "$WORK/deployment-$name.json" -X POST "$admin/admin/agents/$AGENT/deployments" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"version\":2,\"strategy\":\"canary\",\"steps\":[$CANARY_PERCENT,100],\"stepDuration\":\"1h\"}" \
    || die "$name: deployment request failed: $(cat "$WORK/deployment-$name.json" 2>/dev/null)"
  local deadline=$((SECONDS + 30)) k version seen=" "
  for ((k = 0; ; k++)); do
    version=$(curl -fsS --max-time 2 -o /dev/null -D - -H "X-Session-Id: probe-$k" "${SIDE_URL[$name]}" | tr -d '\r' |
      awk 'tolower($1) == "x-rollgate-version:" { print $2 }') || true
    [[ -n $version && $seen != *" $version "* ]] && seen+="$version "
    [[ $seen == *" 1 "* && $seen == *" 2 "* ]] && break
    ((SECONDS < deadline)) || die "$name: canary not in effect after 30 s (versions seen:$seen)"
  done
  # A production gateway is scraped by Prometheus; the first scrape starts prometheus-net's meter listeners, so the
  # gateway is measured as it runs in production.
  curl -fsS --max-time 5 -o /dev/null "$admin/metrics" || die "$name: GET /metrics failed"
}

start_minimal() {
  local listen_port
  pick_port listen_port
  launch minimal "" dotnet "$ARTIFACTS/bin/MinimalProxy/release/MinimalProxy.dll" --urls "http://127.0.0.1:$listen_port" \
    --Backend "http://127.0.0.1:$BACKEND_PORT"
  SIDE_PID[minimal]=$STARTED_PID
  SIDE_URL[minimal]="http://127.0.0.1:$listen_port/agents/$AGENT/v1/chat/completions"
}

start_nginx() {
  local listen_port
  pick_port listen_port
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  # The sticky 95/5 split: a hash of the session header picks the upstream.
  split_clients "\${http_x_session_id}" \$agent_version {
    $CANARY_PERCENT% canary;
    * stable;
  }
  upstream stable { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  upstream canary { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$listen_port;
    keepalive_requests 1000000;
    location /agents/$AGENT/ {
      rewrite ^/agents/$AGENT(/.*)\$ \$1 break;
      proxy_pass http://\$agent_version;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$proxy_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      add_header X-Version \$agent_version;
    }
  }
}
EOF
  launch nginx "" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
  SIDE_PID[nginx]=$STARTED_PID
  SIDE_URL[nginx]="http://127.0.0.1:$listen_port/agents/$AGENT/v1/chat/completions"
}

start_haproxy() {
  local listen_port
  pick_port listen_port
  mkdir -p "$WORK/haproxy"
  cat >"$WORK/haproxy/haproxy.cfg" <<EOF
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend agents
  bind 127.0.0.1:$listen_port
  default_backend $AGENT
backend $AGENT
  # The sticky 95/5 split: a consistent hash of the session header over the weighted servers.
  balance hdr(X-Session-Id)
  hash-type consistent
  http-request replace-path /agents/$AGENT(/.*) \1
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-response set-header X-Version %[srv_name]
  server stable 127.0.0.1:$BACKEND_PORT weight 95
  server canary 127.0.0.1:$BACKEND_PORT weight $CANARY_PERCENT
EOF
  haproxy -c -q -f "$WORK/haproxy/haproxy.cfg" >"$WORK/haproxy/check.log" 2>&1 || { cat "$WORK/haproxy/check.log" >&2; die "bad haproxy config"; }
  launch haproxy "" haproxy -db -f "$WORK/haproxy/haproxy.cfg"
  SIDE_PID[haproxy]=$STARTED_PID
  SIDE_URL[haproxy]="http://127.0.0.1:$listen_port/agents/$AGENT/v1/chat/completions"
}

# check_split SIDE : nginx and HAProxy name the upstream they chose in X-Version; both must show up, about 5 % canary.
check_split() {
  local side=$1 k version canary=0
  for ((k = 0; k < 400; k++)); do
    version=$(curl -fsS --max-time 2 -o /dev/null -D - -H "X-Session-Id: probe-$k" "${SIDE_URL[$side]}" | tr -d '\r' |
      awk 'tolower($1) == "x-version:" { print $2 }') || die "$side: probe request failed"
    [[ $version == canary ]] && canary=$((canary + 1))
  done
  ((canary >= 5 && canary <= 40)) || die "$side: $canary of 400 sessions on the canary, expected about 20"
  log "$side: $canary of 400 sessions on the canary"
}

# ---------------------------------------------------------------------------------------------------------------
# Load
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
# CPU time (user + system, clock ticks) of process PID and its children (nginx's workers).
cpu_ticks() {
  local pid total=0 ticks
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

# run_wrk PID URL DURATION : prints "rps p50_ms p99_ms errors cpu_us_per_request"
run_wrk() {
  local pid=$1 url=$2 duration=$3 out cpu0 cpu1
  cpu0=$(cpu_ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$BENCH/lib/sticky-sessions.lua" "$url") || die "wrk failed against $url"
  cpu1=$(cpu_ticks "$pid")
  printf '%s\n' "$out" >>"$WORK/wrk.log"
  awk -v ticks=$((cpu1 - cpu0)) -v hz="$CLK_TCK" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v + 0
    }
    $2 == "requests" && $3 == "in" { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i += 2) { v = $(i + 1); sub(/,/, "", v); errors += v } }
    END { printf "%s %.2f %.2f %d %.1f\n", (rps == "" ? "0" : rps), p50, p99, errors, (n > 0) ? ticks / hz * 1e6 / n : 0 }
  ' <<<"$out"
}

# median [-p PRECISION] VALUES...
median() {
  local precision=0
  [[ $1 == -p ]] && { precision=$2; shift 2; }
  printf '%s\n' "$@" | sort -g | awk -v p="$precision" '{ v[NR] = $1 } END { printf "%." p "f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }

# ---------------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-peers.XXXXXX")
production_environment
# Debian's nginx and haproxy packages start a system-wide service where an init system runs; this script starts its
# own instances.
ensure_commands wrk=wrk curl=curl nginx=nginx haproxy=haproxy
build_projects "$BENCH/Backend/Backend.csproj" "$BENCH/MinimalProxy/MinimalProxy.csproj" "$ROOT/src/Gateway/Gateway.csproj"

declare -A SIDE_PID SIDE_URL SIDE_ADMIN
pick_port BACKEND_PORT
cat >"$WORK/seed.json" <<EOF
{"agents":[{"name":"$AGENT","definition":{
  "rules":["rollback when error_rate > 50% for 2m","alert when p99_latency > 5s"]},"versions":[
  {"prompt":{"system":"bench"},"backend":{"destinations":["http://127.0.0.1:$BACKEND_PORT"]}},
  {"prompt":{"system":"bench v2"},"backend":{"destinations":["http://127.0.0.1:$BACKEND_PORT"]}}
],"deploy":1}]}
EOF

log "starting the backend :$BACKEND_PORT and the sides: $SIDES"
launch backend "" dotnet "$ARTIFACTS/bin/Backend/release/Backend.dll" --urls "http://127.0.0.1:$BACKEND_PORT"
BACKEND_PID=$STARTED_PID
wait_ok backend "$BACKEND_PID" "http://127.0.0.1:$BACKEND_PORT/v1/chat/completions"
for side in $SIDES; do
  case $side in
    rollgate) start_gateway rollgate "$GATEWAY_ENV" "$GATEWAY_ARGS" ;;
    minimal) start_minimal ;;
    nginx) start_nginx ;;
    haproxy) start_haproxy ;;
    *) start_gateway "$side" "$GATEWAY_ENV ${VARIANT_ENV[$side]}" "$GATEWAY_ARGS ${VARIANT_ARGS[$side]}" ;;
  esac
done
for side in $SIDES; do
  case $side in
    minimal) wait_ok "$side" "${SIDE_PID[$side]}" "${SIDE_URL[$side]}" ;;
    nginx | haproxy) wait_ok "$side" "${SIDE_PID[$side]}" "${SIDE_URL[$side]}" -H "X-Session-Id: probe"; check_split "$side" ;;
    *) start_canary "$side" ;;
  esac
done
log "all ready; $(nproc 2>/dev/null || echo '?') CPUs shared by wrk, the backend and the proxy under test"

for side in $SIDES; do
  log "warm-up $side: $WARMUP"
  run_wrk "${SIDE_PID[$side]}" "${SIDE_URL[$side]}" "$WARMUP" >/dev/null
done

read -r -a ORDER <<<"$SIDES"
declare -A RPS P50 P99 CPU RPS_X CPU_X P99_X
BAD=0
printf '\n== wrk -t%s -c%s -d%s, sticky X-Session-Id over 4096 sessions, %s%% canary, %s rounds ==\n' \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$CANARY_PERCENT" "$ROUNDS"
printf '%-6s %-9s %12s %10s %10s %8s %14s\n' round side 'requests/s' 'p50 ms' 'p99 ms' errors 'cpu us/request'
for round in $(seq 1 "$ROUNDS"); do
  # Rotate the order every round: each side runs first, second, ... equally often.
  count=${#ORDER[@]}
  declare -A LINE=()
  for ((k = 0; k < count; k++)); do
    side=${ORDER[$(((k + round - 1) % count))]}
    LINE[$side]=$(run_wrk "${SIDE_PID[$side]}" "${SIDE_URL[$side]}" "$DURATION")
    read -r rps p50 p99 errors cpu <<<"${LINE[$side]}"
    printf '%-6s %-9s %12.0f %10s %10s %8s %14s\n' "$round" "$side" "$rps" "$p50" "$p99" "$errors" "$cpu"
    ((errors == 0)) || BAD=1
  done
  read -r n_rps _ n_p99 _ n_cpu <<<"${LINE[nginx]}"
  for side in $SIDES; do
    read -r rps p50 p99 errors cpu <<<"${LINE[$side]}"
    RPS[$side]+="$rps " P50[$side]+="$p50 " P99[$side]+="$p99 " CPU[$side]+="$cpu "
    RPS_X[$side]+="$(ratio "$rps" "$n_rps") " CPU_X[$side]+="$(ratio "$cpu" "$n_cpu") " P99_X[$side]+="$(ratio "$p99" "$n_p99") "
  done
  unset LINE
done

printf '\n== medians over %s rounds; "x nginx": median of the per-round ratios to nginx ==\n' "$ROUNDS"
printf '| %-9s | %10s | %8s | %8s | %14s | %12s | %12s | %12s |\n' side 'requests/s' 'p50 ms' 'p99 ms' 'cpu us/request' \
  'rps x nginx' 'cpu x nginx' 'p99 x nginx'
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ----------- ------------ ---------- ---------- ---------------- -------------- -------------- --------------
declare -A MED_P99 MED_CPU_X
for side in $SIDES; do
  # shellcheck disable=SC2086 # word lists
  {
    MED_P99[$side]=$(median -p 2 ${P99[$side]})
    MED_CPU_X[$side]=$(median -p 2 ${CPU_X[$side]})
    printf '| %-9s | %10s | %8s | %8s | %14s | %12s | %12s | %12s |\n' "$side" "$(median ${RPS[$side]})" \
      "$(median -p 2 ${P50[$side]})" "${MED_P99[$side]}" "$(median -p 1 ${CPU[$side]})" "$(median -p 2 ${RPS_X[$side]})" \
      "${MED_CPU_X[$side]}" "$(median -p 2 ${P99_X[$side]})"
  }
done

if [[ " $SIDES " == *" rollgate "* && " $SIDES " == *" haproxy "* ]]; then
  cpu_ok=$(awk -v r="${MED_CPU_X[rollgate]}" 'BEGIN { print (r <= 1.5) ? "met" : "not met" }')
  p99_ok=$(awk -v r="${MED_P99[rollgate]}" -v n="${MED_P99[nginx]}" -v h="${MED_P99[haproxy]}" \
    'BEGIN { print (r < n && r < h) ? "met" : "not met" }')
  printf '\ntarget: rollgate CPU per request <= 1.5x nginx: %s (%sx); p99 below nginx and HAProxy: %s (%s vs %s / %s ms)\n' \
    "$cpu_ok" "${MED_CPU_X[rollgate]}" "$p99_ok" "${MED_P99[rollgate]}" "${MED_P99[nginx]}" "${MED_P99[haproxy]}"
fi
((BAD == 0)) || { echo "error responses during measurement (see the errors column)"; exit 1; }
exit 0

# Shared by the bench scripts (sourced, not run). Needs ROOT and ARTIFACTS set and log/die defined; WORK (the script's
# temp dir) set before building or starting anything.

# Processes a script starts (each added to PIDS) and its temp dir WORK, cleaned up on any exit once
# cleanup_on_exit has run: processes stopped, WORK removed unless KEEP_WORK=1.
PIDS=()
WORK=""

# stop PID : TERM, then KILL if it is still there after 5 s.
stop() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# stop_all : stops every process started so far.
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  PIDS=()
}

cleanup_on_exit() {
  trap _cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [[ -n $WORK && -d $WORK ]]; then
    if [[ ${KEEP_WORK:-0} == 1 ]]; then log "kept $WORK"; else rm -rf -- "$WORK"; fi
  fi
  exit "$rc"
}

# wait_ok NAME PID URL [SECONDS] [CURL ARGS...] : polls URL until it answers 2xx (deadline SECONDS, 60 by default);
# dies with the end of $WORK/NAME.log when process PID exits first or the deadline passes.
wait_ok() {
  local name=$1 pid=$2 url=$3 limit=60
  shift 3
  if [[ ${1:-} =~ ^[0-9]+$ ]]; then limit=$1; shift; fi
  local deadline=$((SECONDS + limit))
  until curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$WORK/$name.log" >&2; die "$name exited before it was ready"; }
    ((SECONDS < deadline)) || { tail -n 30 "$WORK/$name.log" >&2; die "$name not ready at $url after $limit s"; }
    sleep 0.2
  done
}

# build PROJECT... : Release builds into $ARTIFACTS, apart from development builds; the log is $WORK/build.log.
build_projects() {
  local project
  for project in "$@"; do
    log "building $(basename "$project" .csproj) (Release)"
    dotnet build "$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q -clp:ErrorsOnly >"$WORK/build.log" 2>&1 \
      || { cat "$WORK/build.log" >&2; die "build of $project failed"; }
  done
}

# ensure_commands COMMAND=PACKAGE... : installs each Debian PACKAGE (apt-get, as root) whose COMMAND is missing.
# Daemons (nginx, haproxy) live in /usr/sbin, which is added to PATH for them.
ensure_commands() {
  PATH="$PATH:/usr/sbin:/sbin"
  local pair missing=()
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}"); done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]} with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null 2>&1 || die "could not install ${pair#*=}"; done
}

# production_environment [VARIABLE...] : the .NET processes a bench starts run as in production: no SDK telemetry or
# banners, the Production environment, and none of the runtime settings (GC mode, tiering, PGO, ReadyToRun) a
# developer's shell may have set, nor the VARIABLEs given.
production_environment() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
  unset ASPNETCORE_URLS DOTNET_gcServer DOTNET_TieredCompilation DOTNET_TieredPGO DOTNET_ReadyToRun "$@" 2>/dev/null || true
}

# Ports: free loopback ports below the ephemeral range (so outgoing connections never hold them), checked with
# bash's /dev/tcp (no python or ss needed).
USED_PORTS=" "
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# pick_port VAR : stores a free port in VAR (not in a subshell, so USED_PORTS keeps track).
pick_port() {
  local port _
  for _ in $(seq 1 500); do
    port=$((20000 + RANDOM % 12000))
    [[ $USED_PORTS == *" $port "* ]] && continue
    port_in_use "$port" && continue
    USED_PORTS+="$port "
    printf -v "$1" '%s' "$port"
    return 0
  done
  die "no free port found in 20000-31999"
}

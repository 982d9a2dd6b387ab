# Shared by the bench scripts (sourced, not run). Needs ROOT, ARTIFACTS and WORK set, and log/die defined.

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
ensure_commands() {
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

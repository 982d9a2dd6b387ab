#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs redis-server, curl, python3, prometheus and chromium when they
# are missing (the Redis store tests start their own server on a free port; the console tests drive Debian's chromium
# through Playwright, which never downloads a browser of its own), runs every test once, and ends with
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

# redis-server for the Redis store tests; curl and python3 for the README walk-through test; Debian's prometheus
# package (prometheus and promtool) for the alert rule tests and the dashboard test against a real Prometheus;
# chromium for the console.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
[ -x "${ROLLGATE_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
if ((${#missing[@]} > 0)); then
  echo "installing from Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results="artifacts/test-results"
rm -rf "$results"
status=0
dotnet test Gateway.sln -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" "$@" || status=$?

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [ -z "$trx" ]; then
  echo "0 passed, 0 failed"
  echo "no test results were written" >&2
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
passed=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
failed=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
echo "${passed} passed, ${failed} failed"
if [ "$passed" -eq 0 ]; then
  exit 1
fi
exit "$status"

#!/usr/bin/env bash
# Seeded simulation of `with N% confidence` rules: false rollbacks on healthy canaries and requests
# needed to catch a bad one. Prints one table with PASS/FAIL per target; exits non-zero on a FAIL.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/RuleSimulation "$@"

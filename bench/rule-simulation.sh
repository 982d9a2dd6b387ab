#!/usr/bin/env bash
# Seeded simulation of `with N% confidence` rules: false rollbacks on healthy canaries and requests
# needed to catch a bad one, and drift rules (a stable against its own previous 24h: a week of A/A checks, a
# step from quality 0.84 to 0.71). Prints one table with PASS/FAIL per target; exits non-zero on a FAIL.
# `bench/rule-simulation.sh drift` runs only the drift scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/RuleSimulation "$@"

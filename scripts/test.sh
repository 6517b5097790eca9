#!/usr/bin/env bash
# Builds everything and runs every test: unit and integration (ctest), the
# end-to-end tests with the real centrifuge JS client and headless Chromium,
# and a smoke run of the benchmarks. Installs what is missing; safe to rerun.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/deps.sh"
runnel_ensure_packages "${RUNNEL_BUILD_PACKAGES[@]}" "${RUNNEL_TEST_PACKAGES[@]}"
export RUNNEL_BUILD_DIR=${RUNNEL_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" -DRUNNEL_BUILD_TESTS=ON -DRUNNEL_BUILD_BENCH=ON

echo "== ctest: unit and integration"
# A test that fails is run once more before the run counts as failed: a few
# integration tests wait on real processes and can miss a deadline when the
# machine is overloaded. A test that fails twice fails the run.
ctest --test-dir "$RUNNEL_BUILD_DIR" --output-on-failure -j 2 --timeout 300 \
  --repeat until-pass:2

echo "== end-to-end: centrifuge JS client and Chromium"
"$root/tests/e2e/run.sh"

echo "== benchmarks: smoke run"
"$root/bench/run.sh" --smoke

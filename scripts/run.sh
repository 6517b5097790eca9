#!/usr/bin/env bash
# Builds the host and the testdata plugin and runs them with the default
# config: a provisioned testdata data source, the in-memory engine, and the
# panel at the printed address. Safe to run again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/deps.sh"
runnel_ensure_packages "${RUNNEL_BUILD_PACKAGES[@]}"
"$root/scripts/build.sh" -DRUNNEL_BUILD_TESTS=OFF -DRUNNEL_BUILD_BENCH=OFF
build=${RUNNEL_BUILD_DIR:-$root/build}
exec "$build/host/runnel" --homepath "$root" "$@"

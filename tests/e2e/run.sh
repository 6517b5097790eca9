#!/usr/bin/env bash
# Runs the Node tests: the panel page's unit tests (host/web/test) and the
# end-to-end tests here (real host binary, centrifuge JS client, headless
# Chromium). Installs npm packages with `npm ci` only when node_modules is
# missing or older than package-lock.json. Exits non-zero on any failure.
#
# Env: RUNNEL_BUILD_DIR (default <repo>/build; holds host/runnel, host/web,
# plugins/), RUNNEL_TEST_OUT (screenshots; default a temp dir).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export RUNNEL_BUILD_DIR=${RUNNEL_BUILD_DIR:-$root/build}

ensure_node_modules() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "== npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

ensure_node_modules "$here"
echo "== node --test: host/web unit tests and end-to-end tests (build dir $RUNNEL_BUILD_DIR)"
cd "$root"
# One run, one summary. Files run one at a time: each e2e file starts its own
# host and browser, and the machine is small.
exec node --test --test-concurrency=1 host/web/test/*.test.js tests/e2e/*.test.mjs

#!/usr/bin/env bash
# Checks lock discipline with clang's thread-safety analysis: every source of
# the SDK, the host and the testdata plugin is compiled with clang
# -fsyntax-only -Wthread-safety -Werror, with the include paths and flags of
# the real (GCC) build, so ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED on
# absl::Mutex-guarded state are enforced by the compiler. Syntax-only keeps it
# quick: no objects, no second build tree.
#
#   scripts/check-thread-safety.sh [BUILD_DIR]   (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${RUNNEL_BUILD_DIR:-$root/build}}
compile_commands="$build/compile_commands.json"
[ -f "$compile_commands" ] || {
  echo "no $compile_commands: build first (scripts/build.sh)" >&2
  exit 1
}
clang=$(command -v clang++ || true)
[ -n "$clang" ] || { echo "clang++ is missing (Debian package clang)" >&2; exit 1; }

# One shell command per source that can hold lock annotations: it mentions
# Abseil's synchronization itself or includes a project header that does.
# The rest cannot fail the analysis and is skipped.
node - "$compile_commands" "$root" "$clang" > "$build/thread-safety.commands" <<'EOF'
const fs = require('fs');
const path = require('path');
const [file, root, clang] = process.argv.slice(2);
const checked = ['sdk/src/', 'host/src/', 'plugins/'].map((d) => `${root}/${d}`);
const annotated = (text) => /ABSL_|absl\/synchronization/.test(text);
function usesLocks(source) {
  const text = fs.readFileSync(source, 'utf8');
  if (annotated(text)) return true;
  for (const [, header] of text.matchAll(/#include "([^"]+)"/g)) {
    for (const dir of [path.dirname(source), `${root}/host/src`, `${root}/sdk/src`, `${root}/sdk/include`]) {
      const candidate = path.join(dir, header);
      if (fs.existsSync(candidate) && annotated(fs.readFileSync(candidate, 'utf8'))) return true;
    }
  }
  return false;
}
// Read, not require(): require() takes a relative path as the module's own.
for (const entry of JSON.parse(fs.readFileSync(file, 'utf8'))) {
  if (!checked.some((prefix) => entry.file.startsWith(prefix))) continue;
  if (!usesLocks(entry.file)) continue;
  // The command is shell text: keep its quoting, swap the compiler and drop
  // the output.
  const rest = entry.command.replace(/^\S+\s+/, '').replace(/\s-o\s+\S+/, '').replace(/\s-c\s/, ' ');
  console.log(`cd '${entry.directory}' && '${clang}' -fsyntax-only -Wthread-safety -Werror=thread-safety ${rest}`);
}
EOF

count=$(wc -l < "$build/thread-safety.commands")
echo "== clang -Wthread-safety over $count sources that use locks"
# Two at a time: the machine has two cores.
if ! xargs -r -a "$build/thread-safety.commands" -d '\n' -P 2 -n 1 bash -c; then
  echo "thread-safety analysis failed" >&2
  exit 1
fi
echo "thread-safety analysis: clean"

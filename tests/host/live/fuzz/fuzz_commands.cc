// Fuzz target: decoding a client's WebSocket message into Centrifuge
// commands never crashes, fails with a reason, and on success yields at
// least one command and at most one per line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "live/protocol.h"

namespace {

void Check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_commands: %s for input of %zu bytes: %.*s\n", what,
               input.size(), static_cast<int>(input.size()), input.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::vector<runnel::host::Command> commands;
  std::string error;
  if (!runnel::host::DecodeCommands(frame, &commands, &error)) {
    Check(!error.empty(), "failure without a reason", frame);
    return 0;
  }
  Check(!commands.empty(), "success without a command", frame);
  // One command per line at most (blank lines are skipped).
  const size_t lines =
      static_cast<size_t>(std::count(frame.begin(), frame.end(), '\n')) + 1;
  Check(commands.size() <= lines, "more commands than lines", frame);
  return 0;
}

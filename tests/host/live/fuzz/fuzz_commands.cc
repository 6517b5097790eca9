// Fuzz target: decoding a client's WebSocket message into Centrifuge
// commands never crashes, fails with a reason, and on success yields at
// least one command and at most one per line, whose `data` is valid JSON
// cut from the message itself (kept raw, never re-serialised).
//
// An input that starts with the bytes FF 00 is a recipe for a deeply nested
// message, which a fuzzer could never type out by hand: a connect whose
// `data` nests up to 2^20 levels (within an 8 MB message_size_limit). The
// regression inputs in regressions/ are such recipes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "live/protocol.h"

namespace {

void Check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  const size_t shown = std::min<size_t>(input.size(), 200);
  std::fprintf(stderr, "fuzz_commands: %s for input of %zu bytes: %.*s\n", what,
               input.size(), static_cast<int>(shown), input.data());
  std::abort();
}

constexpr size_t kMessageSizeLimit = 8 << 20;
constexpr size_t kMaxDepth = 1 << 20;

// Recipe: FF 00, a kind byte (0 arrays, 1 objects, 2 both in turn, 3 never
// closed), two bytes of depth (x17, at most 2^20), then the innermost value.
std::string NestedFromRecipe(std::string_view recipe) {
  const uint8_t kind = static_cast<uint8_t>(recipe[2]) % 4;
  const size_t units =
      (static_cast<size_t>(static_cast<uint8_t>(recipe[3])) << 8) |
      static_cast<uint8_t>(recipe[4]);
  const size_t depth = std::min(units * 17, kMaxDepth);
  std::string frame = R"({"id":1,"connect":{"data":)";
  for (size_t i = 0; i < depth; ++i) {
    frame.append((kind == 1 || (kind == 2 && i % 2)) ? R"({"a":)" : "[");
  }
  frame.append(recipe.substr(5));
  for (size_t i = depth; kind != 3 && i-- > 0;) {
    frame.push_back((kind == 1 || (kind == 2 && i % 2)) ? '}' : ']');
  }
  frame.append("}}");
  return frame;
}

bool IsRecipe(std::string_view input) {
  return input.size() >= 5 && input[0] == '\xFF' && input[1] == '\0';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string nested = IsRecipe(input) ? NestedFromRecipe(input) : "";
  std::string_view frame = IsRecipe(input) ? nested : input;
  // Longer messages never reach the decoder (the reader closes with 1009).
  if (frame.size() > kMessageSizeLimit) return 0;
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
  for (const runnel::host::Command& command : commands) {
    if (command.data.empty()) continue;
    Check(frame.find(command.data) != std::string_view::npos,
          "data is not the client's own bytes", frame);
    Check(nlohmann::json::accept(command.data), "data is not valid JSON",
          frame);
  }
  return 0;
}

// Fuzz target: channel id parsing never crashes, accepts only ids that obey
// Grafana's rules, and an accepted id prints back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runnel/live_channel.h"

namespace {

void Check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_live_channel: %s for input of %zu bytes: %.*s\n",
               what, input.size(), static_cast<int>(input.size()),
               input.data());
  std::abort();
}

bool Allowed(char c, bool path) {
  return (c >= 'A' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || (path && (c == '/' || c == '='));
}

void CheckChannel(std::string_view id) {
  std::string error;
  std::optional<runnel::LiveChannel> ch = runnel::ParseChannel(id, &error);
  if (!ch) {
    Check(error.rfind("invalid channel ID: ", 0) == 0, "error text", id);
    return;
  }
  Check(!id.empty() && id.size() <= runnel::kMaxChannelLength, "length", id);
  Check(!ch->scope.empty() && !ch->namespace_.empty() && !ch->path.empty(),
        "empty part", id);
  Check(ch->ToString() == id, "round trip", id);
  for (char c : ch->scope) Check(Allowed(c, false), "scope char", id);
  for (char c : ch->namespace_) Check(Allowed(c, false), "namespace char", id);
  for (char c : ch->path) Check(Allowed(c, true), "path char", id);
}

void CheckOrgChannel(std::string_view id) {
  int64_t org = -1;
  std::string error;
  std::optional<runnel::LiveChannel> ch =
      runnel::ParseOrgChannel(id, &org, &error);
  if (!ch) {
    Check(error.rfind("invalid channel ID: ", 0) == 0, "org error text", id);
    return;
  }
  Check(org > 0, "org id", id);
  Check(std::to_string(org) + "/" + ch->ToString() == id, "org round trip", id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckChannel(input);
  CheckOrgChannel(input);
  return 0;
}

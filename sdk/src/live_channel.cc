// Live channel id parsing with Grafana's rules (grafana-plugin-sdk-go
// live/channel.go; docs/plugin-protocol.md#channel-id): SplitN(id, "/", 3),
// three non-empty parts, 1..160 bytes in total; scope and namespace match
// ^[A-z0-9_\-\.]*$, the path ^[A-z0-9_\-/=.]*$. The range A-z also admits [ \ ]
// ^ _ and the backtick, as Grafana's regex does.
#include "runnel/live_channel.h"

#include <cstdint>
#include <string>

namespace runnel {
namespace {

constexpr std::string_view kInvalid = "invalid channel ID: ";

bool InAtoZRange(char c) { return c >= 'A' && c <= 'z'; }  // includes [\]^_`
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsScopeChar(char c) {
  return InAtoZRange(c) || IsDigit(c) || c == '_' || c == '-' || c == '.';
}

bool IsPathChar(char c) { return IsScopeChar(c) || c == '/' || c == '='; }

// 'x' for a printable ASCII character, else its byte value (0x0a).
std::string Describe(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xF];
}

bool Fail(std::string* error, std::string why) {
  if (error != nullptr) *error = std::string(kInvalid) + why;
  return false;
}

// Checks one part's characters; `what` names the part in the error.
bool CheckPart(std::string_view part, const char* what, bool is_path,
               std::string* error) {
  if (part.empty()) return Fail(error, std::string("empty ") + what);
  for (size_t i = 0; i < part.size(); ++i) {
    bool ok = is_path ? IsPathChar(part[i]) : IsScopeChar(part[i]);
    if (!ok) {
      return Fail(error, std::string(what) + " has " + Describe(part[i]) +
                             " at offset " + std::to_string(i) + " (allowed: " +
                             (is_path ? "A-z 0-9 _ - . / =" : "A-z 0-9 _ - .") +
                             ")");
    }
  }
  return true;
}

}  // namespace

std::string LiveChannel::ToString() const {
  std::string id = scope;
  if (!namespace_.empty()) id += "/" + namespace_;
  if (!path.empty()) id += "/" + path;
  return id;
}

std::optional<LiveChannel> ParseChannel(std::string_view id,
                                        std::string* error) {
  if (id.empty()) {
    Fail(error, "empty");
    return std::nullopt;
  }
  if (id.size() > kMaxChannelLength) {
    Fail(error, std::to_string(id.size()) + " characters, more than " +
                    std::to_string(kMaxChannelLength));
    return std::nullopt;
  }
  size_t first = id.find('/');
  size_t second =
      first == std::string_view::npos ? first : id.find('/', first + 1);
  if (second == std::string_view::npos) {
    Fail(error, "want scope/namespace/path, got " +
                    std::to_string(first == std::string_view::npos ? 1 : 2) +
                    " part(s)");
    return std::nullopt;
  }
  std::string_view scope = id.substr(0, first);
  std::string_view ns = id.substr(first + 1, second - first - 1);
  std::string_view path = id.substr(second + 1);
  if (!CheckPart(scope, "scope", false, error) ||
      !CheckPart(ns, "namespace", false, error) ||
      !CheckPart(path, "path", true, error)) {
    return std::nullopt;
  }
  return LiveChannel{std::string(scope), std::string(ns), std::string(path)};
}

std::optional<LiveChannel> ParseOrgChannel(std::string_view id, int64_t* org_id,
                                           std::string* error) {
  size_t slash = id.find('/');
  if (slash == std::string_view::npos) {
    Fail(error, "want <orgId>/scope/namespace/path, found no '/'");
    return std::nullopt;
  }
  std::string_view org = id.substr(0, slash);
  // A positive decimal integer without sign or leading zeros, so that each
  // org has exactly one spelling.
  constexpr int64_t kMaxOrg = INT64_MAX;
  int64_t value = 0;
  bool ok = !org.empty() && org[0] != '0';
  for (char c : org) {
    if (!ok) break;
    if (!IsDigit(c) || value > (kMaxOrg - (c - '0')) / 10) {
      ok = false;
      break;
    }
    value = value * 10 + (c - '0');
  }
  if (!ok) {
    std::string shown(org.substr(0, 20));
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 ||
          static_cast<unsigned char>(c) >= 0x7F || c == '"')
        c = '?';
    }
    Fail(error, "org id \"" + shown + (org.size() > 20 ? "...\"" : "\"") +
                    " is not a positive integer");
    return std::nullopt;
  }
  std::optional<LiveChannel> channel =
      ParseChannel(id.substr(slash + 1), error);
  if (channel && org_id != nullptr) *org_id = value;
  return channel;
}

}  // namespace runnel

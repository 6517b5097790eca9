#include "plugin/handshake_parser.h"

#include <string>
#include <vector>

namespace runnel::host {
namespace {

constexpr int kCoreProtocolVersion = 1;
constexpr int kAppProtocolVersion = 2;
constexpr size_t kMinServerCertLength = 50;

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\v\f";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// Digits only, no sign, fits an int.
bool ParseVersion(std::string_view s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

Status Bad(std::string_view what, std::string_view line) {
  return Status::InvalidArgument(std::string(what) + " in handshake line \"" +
                                 std::string(line) + "\"");
}

}  // namespace

Status ParseHandshakeLine(std::string_view raw_line, HandshakeInfo* info) {
  std::string_view line = Trim(raw_line);
  std::vector<std::string_view> parts = Split(line, '|');
  if (parts.size() < 4) {
    return Status::InvalidArgument(
        "Unrecognized remote plugin message: \"" + std::string(line) +
        "\" (expected CORE|APP|NETWORK|ADDR|PROTOCOL; is this a plugin "
        "binary?)");
  }
  HandshakeInfo parsed;
  if (!ParseVersion(parts[0], &parsed.core_version)) {
    return Bad("core protocol version \"" + std::string(parts[0]) +
                   "\" is not a number",
               line);
  }
  if (parsed.core_version != kCoreProtocolVersion) {
    return Bad("incompatible core protocol version " +
                   std::to_string(parsed.core_version) + " (host speaks " +
                   std::to_string(kCoreProtocolVersion) + ")",
               line);
  }
  if (!ParseVersion(parts[1], &parsed.app_version)) {
    return Bad("plugin protocol version \"" + std::string(parts[1]) +
                   "\" is not a number",
               line);
  }
  if (parsed.app_version != kAppProtocolVersion) {
    return Bad("plugin protocol version " + std::to_string(parsed.app_version) +
                   " not supported (host offers " +
                   std::to_string(kAppProtocolVersion) + ")",
               line);
  }
  parsed.network = std::string(parts[2]);
  if (parsed.network != "unix" && parsed.network != "tcp") {
    return Bad("unknown network type \"" + parsed.network +
                   "\" (expected unix or tcp)",
               line);
  }
  parsed.address = std::string(parts[3]);
  if (parsed.address.empty()) return Bad("empty address", line);
  parsed.protocol = parts.size() >= 5 ? std::string(parts[4]) : "netrpc";
  if (parsed.protocol != "grpc") {
    return Bad("unsupported plugin protocol \"" + parsed.protocol +
                   "\" (only grpc is allowed)",
               line);
  }
  if (parts.size() >= 6 && parts[5].size() > kMinServerCertLength) {
    parsed.server_cert = std::string(parts[5]);
  }
  *info = std::move(parsed);
  return Status::Ok();
}

std::string GrpcTarget(const HandshakeInfo& info) {
  if (info.network == "unix") return "unix:" + info.address;
  return info.address;
}

}  // namespace runnel::host

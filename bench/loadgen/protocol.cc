#include "protocol.h"

#include <charconv>

namespace runnel::loadgen {
namespace {

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Parses the unsigned number after `"id":` if present.
std::optional<uint32_t> FindId(std::string_view line) {
  const size_t at = line.find("\"id\":");
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = line.data() + at + 5;
  const char* end = line.data() + line.size();
  while (begin < end && *begin == ' ') ++begin;
  uint32_t id = 0;
  auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc()) return std::nullopt;
  return id;
}

Line ClassifyV2(std::string_view line) {
  if (line == "{}") return {LineKind::kPing, 0};
  // A push names "push" first in practice; look only near the start so a
  // payload's own keys cannot confuse the decision.
  const std::string_view head = line.substr(0, 48);
  if (Contains(head, "\"push\":")) {
    return {Contains(line.substr(0, 200), "\"pub\":") ? LineKind::kPublication
                                                      : LineKind::kOtherPush,
            0};
  }
  if (const auto id = FindId(head)) {
    return {
        Contains(line, "\"error\":") ? LineKind::kErrorReply : LineKind::kReply,
        *id};
  }
  return {};
}

Line ClassifyV1(std::string_view line) {
  const std::string_view head = line.substr(0, 24);
  if (const auto id = FindId(head); id && *id > 0) {
    return {
        Contains(line, "\"error\":") ? LineKind::kErrorReply : LineKind::kReply,
        *id};
  }
  if (line.starts_with("{\"result\":{")) {
    // Publication pushes have type 0, which the encoder leaves out.
    return {line.starts_with("{\"result\":{\"type\":") ? LineKind::kOtherPush
                                                       : LineKind::kPublication,
            0};
  }
  if (Contains(head, "\"error\":")) return {LineKind::kErrorReply, 0};
  return {};
}

}  // namespace

std::optional<Protocol> ParseProtocol(std::string_view name) {
  if (name == "v2" || name == "runnel") return Protocol::kCentrifugeV2;
  if (name == "v1" || name == "centrifuge") return Protocol::kCentrifugeV1;
  if (name == "plain" || name == "ws") return Protocol::kPlain;
  return std::nullopt;
}

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kCentrifugeV2:
      return "v2";
    case Protocol::kCentrifugeV1:
      return "v1";
    case Protocol::kPlain:
      return "plain";
  }
  return "?";
}

std::string ConnectCommand(Protocol protocol) {
  switch (protocol) {
    case Protocol::kCentrifugeV2:
      return R"({"connect":{"name":"js"},"id":1})";
    case Protocol::kCentrifugeV1:
      return R"({"id":1,"method":0,"params":{}})";
    case Protocol::kPlain:
      return "";
  }
  return "";
}

std::string SubscribeCommand(Protocol protocol, std::string_view channel) {
  // Channel names in benchmarks are plain ASCII without quotes.
  switch (protocol) {
    case Protocol::kCentrifugeV2:
      return std::string(R"({"subscribe":{"channel":")") +
             std::string(channel) + R"("},"id":2})";
    case Protocol::kCentrifugeV1:
      return std::string(R"({"id":2,"method":1,"params":{"channel":")") +
             std::string(channel) + R"("}})";
    case Protocol::kPlain:
      return "";
  }
  return "";
}

Line ClassifyLine(Protocol protocol, std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
    line.remove_suffix(1);
  }
  switch (protocol) {
    case Protocol::kCentrifugeV2:
      return ClassifyV2(line);
    case Protocol::kCentrifugeV1:
      return ClassifyV1(line);
    case Protocol::kPlain:
      return {LineKind::kPublication, 0};
  }
  return {};
}

bool ExtractSendNanos(std::string_view payload, int64_t* nanos) {
  const size_t at = payload.find("\"values\":");
  if (at == std::string_view::npos) return false;
  const char* p = payload.data() + at + 9;
  const char* end = payload.data() + payload.size();
  while (p < end && *p == ' ') ++p;
  if (p == end || *p != '[') return false;
  int depth = 0;
  const char* last_number = nullptr;
  const char* last_number_end = nullptr;
  bool in_string = false;
  for (; p < end; ++p) {
    const char c = *p;
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth == 0) break;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      last_number = p;
      while (p + 1 < end &&
             ((p[1] >= '0' && p[1] <= '9') || p[1] == '.' || p[1] == 'e' ||
              p[1] == 'E' || p[1] == '+' || p[1] == '-')) {
        ++p;
      }
      last_number_end = p + 1;
    }
  }
  if (last_number == nullptr) return false;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(last_number, last_number_end, value);
  if (ec != std::errc()) return false;
  if (ptr != last_number_end) {
    // A float encoding (1.7e18): accept it at double precision.
    double as_double = 0;
    auto [dptr, dec] = std::from_chars(last_number, last_number_end, as_double);
    if (dec != std::errc()) return false;
    value = static_cast<int64_t>(as_double);
  }
  *nanos = value;
  return true;
}

}  // namespace runnel::loadgen

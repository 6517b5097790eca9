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

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
         c == '+' || c == '-';
}

// Parses [begin, end) as an integer, or as a float rounded to one.
bool ParseSendNanos(const char* begin, const char* end, int64_t* nanos) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc()) return false;
  if (ptr != end) {
    // A float encoding (1.7e18): accept it at double precision.
    double as_double = 0;
    auto [dptr, dec] = std::from_chars(begin, end, as_double);
    if (dec != std::errc() || dptr != end) return false;
    value = static_cast<int64_t>(as_double);
  }
  *nanos = value;
  return true;
}

// The fast path: the number just before the payload's last "]]", which
// closes the values array whenever the last field is not a time field
// (nanos and entities, when present, end with that field's null). It reads
// a frame of thousands of rows in constant time.
bool ExtractSendNanosFromTail(std::string_view payload, int64_t* nanos) {
  const size_t close = payload.rfind("]]");
  if (close == std::string_view::npos) return false;
  size_t begin = close;
  while (begin > 0 && IsNumberChar(payload[begin - 1])) --begin;
  if (begin == close || begin == 0) return false;
  if (payload[begin - 1] != ',' && payload[begin - 1] != '[') return false;
  const size_t values = payload.find("\"values\":");
  if (values == std::string_view::npos || values > begin) return false;
  return ParseSendNanos(payload.data() + begin, payload.data() + close, nanos);
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
  if (ExtractSendNanosFromTail(payload, nanos)) return true;
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
      while (p + 1 < end && IsNumberChar(p[1])) ++p;
      last_number_end = p + 1;
    }
  }
  if (last_number == nullptr) return false;
  return ParseSendNanos(last_number, last_number_end, nanos);
}

}  // namespace runnel::loadgen

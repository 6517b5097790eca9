#include "query/time_range.h"

#include <charconv>
#include <limits>

namespace runnel::host {
namespace {

constexpr std::string_view kNow = "now";

std::optional<int64_t> UnitMs(char unit) {
  switch (unit) {
    case 's':
      return 1000;
    case 'm':
      return 60 * 1000;
    case 'h':
      return 60 * 60 * 1000;
    case 'd':
      return 24 * 60 * 60 * 1000;
    case 'w':
      return 7 * 24 * 60 * 60 * 1000;
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> ParseDigits(std::string_view digits) {
  // from_chars takes a sign; a Grafana time never has one.
  if (digits.empty() || digits[0] < '0' || digits[0] > '9') {
    return std::nullopt;
  }
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

// "-5m" / "+1h" after "now".
std::optional<int64_t> ParseOffset(std::string_view offset) {
  if (offset.size() < 3 || (offset[0] != '-' && offset[0] != '+')) {
    return std::nullopt;
  }
  std::optional<int64_t> unit = UnitMs(offset.back());
  std::optional<int64_t> count =
      ParseDigits(offset.substr(1, offset.size() - 2));
  if (!unit || !count) return std::nullopt;
  // Ten thousand years is plenty; more would overflow below.
  if (*count > std::numeric_limits<int64_t>::max() / 4 / *unit) {
    return std::nullopt;
  }
  const int64_t ms = *count * *unit;
  return offset[0] == '-' ? -ms : ms;
}

}  // namespace

std::optional<int64_t> ParseGrafanaTime(std::string_view text, int64_t now_ms,
                                        std::string* why) {
  if (std::optional<int64_t> epoch = ParseDigits(text)) return epoch;
  if (text.substr(0, kNow.size()) == kNow) {
    std::string_view rest = text.substr(kNow.size());
    if (rest.empty()) return now_ms;
    if (std::optional<int64_t> offset = ParseOffset(rest)) {
      return now_ms + *offset;
    }
  }
  *why = "unsupported time \"" + std::string(text) +
         "\": use epoch milliseconds, \"now\" or \"now-<N><s|m|h|d|w>\"";
  return std::nullopt;
}

}  // namespace runnel::host

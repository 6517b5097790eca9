#include "stream_paths.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace runnel::testdata {
namespace {

using std::chrono::milliseconds;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// "bench/<N>hz" with 1 <= N <= kMaxBenchRateHz, optionally followed by
// "-<digits>": many channels of the same rate, one RunStream each.
std::optional<int64_t> ParseBenchRate(std::string_view path) {
  constexpr std::string_view kPrefix = "bench/";
  constexpr std::string_view kSuffix = "hz";
  if (size_t dash = path.rfind('-');
      dash != std::string_view::npos && AllDigits(path.substr(dash + 1))) {
    path = path.substr(0, dash);
  }
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::string_view digits = path.substr(
      kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (!AllDigits(digits) || digits.size() > 7) return std::nullopt;
  int64_t rate = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), rate);
  if (rate < 1 || rate > kMaxBenchRateHz) return std::nullopt;
  return rate;
}

}  // namespace

std::optional<StreamSpec> ParseStreamPath(std::string_view path) {
  if (path == "random-2s-stream") {
    return StreamSpec{StreamKind::kTestdata, milliseconds(2000), 0, 0};
  }
  if (path == "random-flakey-stream") {
    return StreamSpec{StreamKind::kTestdata, milliseconds(100), 0.9, 0};
  }
  if (path == "random-labeled-stream") {
    return StreamSpec{StreamKind::kLabeled, milliseconds(200), 0.2, 0};
  }
  // Regex random-20Hz-stream(-\d+)?, matched whole.
  constexpr std::string_view k20Hz = "random-20Hz-stream";
  if (path.starts_with(k20Hz)) {
    std::string_view rest = path.substr(k20Hz.size());
    if (rest.empty() || (rest.front() == '-' && AllDigits(rest.substr(1)))) {
      return StreamSpec{StreamKind::kTestdata, milliseconds(50), 0, 0};
    }
    return std::nullopt;
  }
  if (std::optional<int64_t> rate = ParseBenchRate(path)) {
    return StreamSpec{StreamKind::kBench, std::chrono::nanoseconds(0), 0,
                      *rate};
  }
  return std::nullopt;
}

}  // namespace runnel::testdata

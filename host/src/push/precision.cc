#include "push/precision.h"

#include <limits>

namespace runnel::host {
namespace {

constexpr int64_t kMaxNanos = std::numeric_limits<int64_t>::max() - 1;
constexpr int64_t kMinNanos = std::numeric_limits<int64_t>::min() + 2;

int64_t NanosPerUnit(Precision precision) {
  switch (precision) {
    case Precision::kNanoseconds:
      return 1;
    case Precision::kMicroseconds:
      return 1'000;
    case Precision::kMilliseconds:
      return 1'000'000;
    case Precision::kSeconds:
      return 1'000'000'000;
  }
  return 1;
}

}  // namespace

std::optional<Precision> PrecisionFromString(std::string_view text) {
  if (text == "ns") return Precision::kNanoseconds;
  if (text == "us") return Precision::kMicroseconds;
  if (text == "ms") return Precision::kMilliseconds;
  if (text == "s") return Precision::kSeconds;
  return std::nullopt;
}

std::optional<int64_t> ToUnixNanos(int64_t value, Precision precision) {
  int64_t nanos = 0;
  if (__builtin_mul_overflow(value, NanosPerUnit(precision), &nanos)) {
    return std::nullopt;
  }
  if (nanos < kMinNanos || nanos > kMaxNanos) return std::nullopt;
  return nanos;
}

}  // namespace runnel::host

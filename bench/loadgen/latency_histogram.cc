#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

namespace runnel::loadgen {

int LatencyHistogram::BucketOf(uint64_t value) {
  if (value < kLinearBuckets) return static_cast<int>(value);
  const int exponent = 63 - std::countl_zero(value);  // >= 6
  if (exponent > kMaxExponent) return kBuckets - 1;
  const int sub = static_cast<int>((value >> (exponent - kSubBucketBits)) &
                                   ((1 << kSubBucketBits) - 1));
  return kLinearBuckets + (exponent - 6) * (1 << kSubBucketBits) + sub;
}

uint64_t LatencyHistogram::BucketMiddle(int bucket) {
  if (bucket < kLinearBuckets) return static_cast<uint64_t>(bucket);
  const int offset = bucket - kLinearBuckets;
  const int exponent = offset / (1 << kSubBucketBits) + 6;
  const uint64_t sub = offset % (1 << kSubBucketBits);
  const uint64_t width = uint64_t{1} << (exponent - kSubBucketBits);
  const uint64_t low = (uint64_t{1} << exponent) + sub * width;
  return low + width / 2;
}

void LatencyHistogram::Record(int64_t nanos) {
  if (nanos < 0) nanos = 0;
  ++counts_[BucketOf(static_cast<uint64_t>(nanos))];
  ++count_;
  max_ = std::max(max_, nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::Percentile(double quantile) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(
      std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<uint64_t>(rank, 1)) {
      return std::min<int64_t>(static_cast<int64_t>(BucketMiddle(i)), max_);
    }
  }
  return max_;
}

std::string LatencyHistogram::Serialize() const {
  std::string text;
  for (int i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    if (!text.empty()) text += ',';
    text += std::to_string(i);
    text += ':';
    text += std::to_string(counts_[i]);
  }
  text += ';';
  text += std::to_string(max_);
  return text;
}

bool LatencyHistogram::Parse(std::string_view text) {
  LatencyHistogram parsed;
  const size_t semicolon = text.find(';');
  if (semicolon == std::string_view::npos) return false;
  std::string_view pairs = text.substr(0, semicolon);
  while (!pairs.empty()) {
    const size_t comma = pairs.find(',');
    std::string_view pair = pairs.substr(0, comma);
    pairs = comma == std::string_view::npos ? std::string_view()
                                            : pairs.substr(comma + 1);
    const size_t colon = pair.find(':');
    if (colon == std::string_view::npos) return false;
    int bucket = 0;
    uint64_t count = 0;
    auto [p1, e1] = std::from_chars(pair.data(), pair.data() + colon, bucket);
    auto [p2, e2] = std::from_chars(pair.data() + colon + 1,
                                    pair.data() + pair.size(), count);
    if (e1 != std::errc() || e2 != std::errc() || bucket < 0 ||
        bucket >= kBuckets) {
      return false;
    }
    parsed.counts_[bucket] += count;
    parsed.count_ += count;
  }
  std::string_view max_text = text.substr(semicolon + 1);
  auto [p3, e3] = std::from_chars(
      max_text.data(), max_text.data() + max_text.size(), parsed.max_);
  if (e3 != std::errc()) return false;
  *this = parsed;
  return true;
}

}  // namespace runnel::loadgen

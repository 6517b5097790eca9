// LatencyHistogram: a log-linear histogram of non-negative nanosecond values
// (about 3% relative precision, 1 ns to ~2,000 s) that merges by adding
// counts, so worker processes can ship theirs to the coordinator as text.
//
// Thread-safety: none; one owner at a time. Memory: a fixed array of counts.
#ifndef RUNNEL_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_
#define RUNNEL_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace runnel::loadgen {

class LatencyHistogram {
 public:
  // Records one value; negative values count as zero.
  void Record(int64_t nanos);
  // Adds every count of `other` to this one.
  void Merge(const LatencyHistogram& other);

  uint64_t Count() const { return count_; }
  int64_t MaxNanos() const { return max_; }
  // The value below which `quantile` (0..1) of the recorded values fall,
  // as the middle of its bucket; 0 when empty.
  int64_t Percentile(double quantile) const;

  // Text form "index:count,index:count" of the non-empty buckets, then
  // ";max". Parse returns false on malformed text and leaves *this as is.
  std::string Serialize() const;
  bool Parse(std::string_view text);

 private:
  static constexpr int kLinearBuckets = 64;  // values 0..63 exactly
  static constexpr int kSubBucketBits = 5;   // 32 sub-buckets per power of 2
  static constexpr int kMaxExponent = 41;    // up to 2^42 ns (~73 min)
  static constexpr int kBuckets =
      kLinearBuckets + (kMaxExponent - 5) * (1 << kSubBucketBits);

  static int BucketOf(uint64_t value);
  static uint64_t BucketMiddle(int bucket);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_LATENCY_HISTOGRAM_H_

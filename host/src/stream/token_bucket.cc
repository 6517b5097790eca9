#include "stream/token_bucket.h"

#include <algorithm>

namespace runnel::host {

TokenBucket::TokenBucket(double rate, double burst, TimePoint now)
    : rate_(rate), burst_(burst), tokens_(burst), updated_(now) {}

double TokenBucket::TokensAt(TimePoint now) const {
  // A clock that went backwards adds nothing.
  std::chrono::duration<double> elapsed = std::max(now, updated_) - updated_;
  return std::min(burst_, tokens_ + elapsed.count() * rate_);
}

bool TokenBucket::TryTake(TimePoint now) {
  tokens_ = TokensAt(now);
  updated_ = std::max(now, updated_);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::Full(TimePoint now) const { return TokensAt(now) >= burst_; }

}  // namespace runnel::host

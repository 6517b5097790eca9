#include "stream/restart_backoff.h"

#include <algorithm>

namespace runnel::host {

std::chrono::milliseconds RestartBackoff::DelayFor(int fast_errors) {
  if (fast_errors <= 0) return std::chrono::milliseconds(0);
  std::chrono::milliseconds delay(100);
  for (int i = 0; i < fast_errors && delay < kMaxDelay; ++i) delay *= 2;
  return std::min(delay, kMaxDelay);
}

std::chrono::milliseconds RestartBackoff::NextDelay(
    std::chrono::milliseconds run_time) {
  if (run_time >= kFastRun) {
    fast_errors_ = 0;
    return std::chrono::milliseconds(0);
  }
  std::chrono::milliseconds delay = DelayFor(fast_errors_);
  ++fast_errors_;
  return delay;
}

}  // namespace runnel::host

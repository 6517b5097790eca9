// Grafana's RunStream restart delay (grafana
// pkg/services/live/runstream/manager.go getDelay): a run shorter than
// 100 ms is a fast error; the delay after it is 100 ms * 2^n capped at 5 s,
// where n counts earlier fast errors in a row, and n = 0 gives 0. A longer
// run resets the count. A plain value; not thread-safe.
#ifndef RUNNEL_HOST_STREAM_RESTART_BACKOFF_H_
#define RUNNEL_HOST_STREAM_RESTART_BACKOFF_H_

#include <chrono>

namespace runnel::host {

class RestartBackoff {
 public:
  static constexpr std::chrono::milliseconds kFastRun{100};
  static constexpr std::chrono::milliseconds kMaxDelay{5000};

  // 0 for n = 0, else min(100 ms * 2^n, 5 s).
  static std::chrono::milliseconds DelayFor(int fast_errors);

  // Records a run that ended with an error; returns the delay to wait
  // before the next run.
  std::chrono::milliseconds NextDelay(std::chrono::milliseconds run_time);
  void Reset() { fast_errors_ = 0; }

 private:
  int fast_errors_ = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_RESTART_BACKOFF_H_

// RunningStreams: how many RunStream calls are live in this plugin process.
// The "streams" resource reports it, and the testdata_streams_running gauge
// of the plugin's metrics, so tests and the host team can see that a
// cancelled stream really ended.
// Thread-safety: lock-free; any thread.
#ifndef RUNNEL_PLUGINS_TESTDATA_RUNNING_STREAMS_H_
#define RUNNEL_PLUGINS_TESTDATA_RUNNING_STREAMS_H_

#include <atomic>
#include <cstdint>

#include "runnel/metrics.h"

namespace runnel::testdata {

class RunningStreams {
 public:
  // Counts one stream for the guard's lifetime.
  class Guard {
   public:
    explicit Guard(RunningStreams* streams) : streams_(streams) {
      streams_->count_.fetch_add(1, std::memory_order_relaxed);
      if (streams_->gauge_ != nullptr) streams_->gauge_->Add(1);
    }
    ~Guard() {
      streams_->count_.fetch_sub(1, std::memory_order_relaxed);
      if (streams_->gauge_ != nullptr) streams_->gauge_->Add(-1);
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    RunningStreams* streams_;
  };

  // Also counts into `gauge` (owned by a MetricsRegistry that outlives
  // this). Call before any stream starts.
  explicit RunningStreams(runnel::Gauge* gauge = nullptr) : gauge_(gauge) {}

  int64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> count_{0};
  runnel::Gauge* const gauge_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_RUNNING_STREAMS_H_

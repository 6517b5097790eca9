#include "bench_stream.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "random_walk.h"
#include "runnel/frame.h"
#include "testdata_frames.h"

namespace runnel::testdata {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

// Finest timer tick; faster rates send several packets per tick.
constexpr nanoseconds kMinTick = std::chrono::milliseconds(1);

class BenchSchedule {
 public:
  BenchSchedule(int64_t rate_hz, std::shared_ptr<StreamRun> run)
      : period_ns_(1e9 / static_cast<double>(rate_hz)),
        max_backlog_(std::max<int64_t>(1, rate_hz / 10)),  // 100 ms
        run_(std::move(run)),
        frame_(BenchFrame()),
        start_(Clock::now()) {}

  nanoseconds tick() const {
    return std::max(kMinTick, nanoseconds(static_cast<int64_t>(period_ns_)));
  }

  // Sends every packet due by now.
  void Tick() {
    const int64_t elapsed_ns = (Clock::now() - start_).count();
    const int64_t due = static_cast<int64_t>(elapsed_ns / period_ns_) + 1;
    if (due - sent_ > max_backlog_) sent_ = due - max_backlog_;
    for (; sent_ < due; ++sent_) {
      const runnel::Status status = SendOne();
      if (status.code() == runnel::StatusCode::kUnavailable) return;
      if (!run_->KeepGoingAfter(status)) return;
    }
  }

 private:
  runnel::Status SendOne() {
    const int64_t now_ns = runnel::Timestamp::Now().unix_nanos;
    frame_.ClearRows();
    auto& fields = frame_.fields();
    fields[0].AppendTime(runnel::Timestamp{now_ns});
    fields[1].AppendFloat64(walk_.Step());
    fields[2].AppendInt64(now_ns);
    return run_->channel().SendFrame(frame_, runnel::FrameInclude::kDataOnly);
  }

  const double period_ns_;
  const int64_t max_backlog_;
  const std::shared_ptr<StreamRun> run_;
  runnel::Frame frame_;
  RandomWalk walk_;
  const Clock::time_point start_;
  int64_t sent_ = 0;  // packets sent (or skipped) so far on the schedule
};

}  // namespace

void StartBenchStream(int64_t rate_hz, std::shared_ptr<StreamRun> run) {
  runnel::StreamChannel& channel = run->channel();
  auto schedule = std::make_shared<BenchSchedule>(rate_hz, std::move(run));
  channel.Every(schedule->tick(), [schedule] { schedule->Tick(); });
}

}  // namespace runnel::testdata

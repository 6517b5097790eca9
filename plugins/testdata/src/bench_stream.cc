#include "bench_stream.h"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "random_walk.h"
#include "testdata_frames.h"

namespace runnel_testdata {
namespace {

int64_t RealtimeNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

runnel::Status RunBenchStream(int64_t rate_hz, runnel::StreamSender& sender) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::nanoseconds;
  const double period_ns = 1e9 / static_cast<double>(rate_hz);
  const int64_t max_backlog = std::max<int64_t>(1, rate_hz / 10);  // 100 ms
  runnel::Frame frame = BenchFrame();
  RandomWalk walk;
  const Clock::time_point start = Clock::now();
  int64_t sent = 0;  // packets sent (or skipped) so far on the schedule
  while (!sender.Cancelled()) {
    const int64_t elapsed_ns = (Clock::now() - start).count();
    const int64_t due = static_cast<int64_t>(elapsed_ns / period_ns) + 1;
    if (due - sent > max_backlog) sent = due - max_backlog;
    for (; sent < due; ++sent) {
      const int64_t now_ns = RealtimeNanos();
      frame.ClearRows();
      auto& fields = frame.fields();
      fields[0].AppendTime(runnel::Timestamp{now_ns});
      fields[1].AppendFloat64(walk.Step());
      fields[2].AppendInt64(now_ns);
      runnel::Status status =
          sender.SendFrame(frame, runnel::FrameInclude::kDataOnly);
      if (!status.ok()) {
        return sender.Cancelled() ? runnel::Status::Ok() : status;
      }
    }
    const Clock::time_point next =
        start + nanoseconds(static_cast<int64_t>(sent * period_ns));
    const Clock::duration wait = next - Clock::now();
    if (wait > Clock::duration::zero() && !sender.SleepFor(wait)) break;
  }
  return runnel::Status::Ok();
}

}  // namespace runnel_testdata

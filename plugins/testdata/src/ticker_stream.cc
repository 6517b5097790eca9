#include "ticker_stream.h"

#include <string>
#include <utility>

#include "random_walk.h"
#include "runnel/frame.h"
#include "testdata_frames.h"

namespace runnel::testdata {
namespace {

// Seconds within the minute, as Go's time.Second() gives it.
int64_t SecondOfMinute(int64_t unix_nanos) {
  return (unix_nanos / 1000000000) % 60;
}

// One tick's frame for the testdata/labeled streams.
void FillTick(StreamKind kind, int64_t now_ns, RandomWalk& walk,
              runnel::Frame& frame) {
  frame.ClearRows();
  auto& f = frame.fields();
  const double value = walk.Step();
  if (kind == StreamKind::kLabeled) {
    const int64_t sec = SecondOfMinute(now_ns);
    f[0].AppendString("s=A,s=p" + std::to_string(sec / 3) + ",x=X");
    f[1].AppendTime(runnel::Timestamp{now_ns});
    f[2].AppendFloat64(value);
    f[0].AppendString("s=B,s=p" + std::to_string(sec / 7) + ",x=X");
    f[1].AppendTime(runnel::Timestamp{now_ns});
    f[2].AppendFloat64(value + 10);
    return;
  }
  f[0].AppendTime(runnel::Timestamp{now_ns});
  f[1].AppendFloat64(value);
  f[2].AppendFloat64(walk.Min());
  f[3].AppendFloat64(walk.Max());
}

// The state of one ticking stream, kept alive by its timer.
class Ticker {
 public:
  Ticker(const StreamSpec& spec, std::shared_ptr<StreamRun> run)
      : spec_(spec), run_(std::move(run)), frame_(FrameFor(spec.kind)) {}

  void Tick() {
    if (walk_.Uniform() < spec_.drop_ratio) return;
    FillTick(spec_.kind, runnel::Timestamp::Now().unix_nanos, walk_, frame_);
    run_->KeepGoingAfter(
        run_->channel().SendFrame(frame_, runnel::FrameInclude::kDataOnly));
  }

 private:
  const StreamSpec spec_;
  const std::shared_ptr<StreamRun> run_;
  runnel::Frame frame_;
  RandomWalk walk_;
};

}  // namespace

void StartTickerStream(const StreamSpec& spec, std::shared_ptr<StreamRun> run) {
  runnel::StreamChannel& channel = run->channel();
  auto ticker = std::make_shared<Ticker>(spec, std::move(run));
  channel.Every(spec.interval, [ticker] { ticker->Tick(); });
}

}  // namespace runnel::testdata

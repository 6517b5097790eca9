#include "streams.h"

#include <time.h>

#include <chrono>
#include <optional>
#include <string>

#include "bench_stream.h"
#include "random_walk.h"
#include "runnel/frame_json.h"
#include "runnel/log.h"
#include "stream_paths.h"
#include "testdata_frames.h"

namespace runnel_testdata {
namespace {

using runnel::FrameInclude;
using runnel::Status;

int64_t RealtimeNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Seconds within the minute, as Go's time.Second() gives it.
int64_t SecondOfMinute(int64_t unix_nanos) {
  return (unix_nanos / 1000000000) % 60;
}

// One tick's frame for the testdata/labeled streams (reference §5).
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

// A ticker loop like Go's time.Ticker: tick k is due at start + k*interval;
// a late tick fires at once, and when several were missed only one of them
// is kept (Go's ticker channel buffers one tick), the rest are dropped.
Status RunTicker(const StreamSpec& spec, runnel::StreamSender& sender) {
  using Clock = std::chrono::steady_clock;
  runnel::Frame frame = FrameFor(spec.kind);
  RandomWalk walk;
  Clock::time_point next = Clock::now() + spec.interval;
  while (true) {
    if (!sender.SleepFor(next - Clock::now())) return Status::Ok();
    const Clock::time_point now = Clock::now();
    next += spec.interval;
    if (next + spec.interval <= now) {
      next += ((now - next) / spec.interval) * spec.interval;
    }
    if (walk.Uniform() < spec.drop_ratio) continue;
    FillTick(spec.kind, RealtimeNanos(), walk, frame);
    Status status = sender.SendFrame(frame, FrameInclude::kDataOnly);
    if (!status.ok()) return sender.Cancelled() ? Status::Ok() : status;
  }
}

}  // namespace

Status Streams::SubscribeStream(const runnel::SubscribeStreamRequest& req,
                                runnel::SubscribeStreamResponse* resp) {
  std::optional<StreamSpec> spec = ParseStreamPath(req.path);
  if (!spec) {
    resp->status = runnel::StreamStatus::kNotFound;
    return Status::Ok();
  }
  resp->status = runnel::StreamStatus::kOk;
  resp->initial_data =
      runnel::FrameToJSON(FrameFor(spec->kind), FrameInclude::kSchemaOnly);
  return Status::Ok();
}

Status Streams::PublishStream(const runnel::PublishStreamRequest& /*req*/,
                              runnel::PublishStreamResponse* resp) {
  resp->status = runnel::StreamStatus::kPermissionDenied;
  return Status::Ok();
}

Status Streams::RunStream(const runnel::RunStreamRequest& req,
                          runnel::StreamSender& sender) {
  std::optional<StreamSpec> spec = ParseStreamPath(req.path);
  if (!spec) {
    return Status::NotFound("testdata plugin does not support path: " +
                            req.path);
  }
  RunningStreams::Guard counted(running_.get());
  runnel::log::Info(
      "stream started",
      {{"path", req.path}, {"running", std::to_string(running_->count())}});
  Status status = spec->kind == StreamKind::kBench
                      ? RunBenchStream(spec->rate_hz, sender)
                      : RunTicker(*spec, sender);
  runnel::log::Info("stream stopped",
                    {{"path", req.path},
                     {"running", std::to_string(running_->count() - 1)},
                     {"error", status.message()}});
  return status;
}

}  // namespace runnel_testdata

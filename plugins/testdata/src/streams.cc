#include "streams.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bench_stream.h"
#include "runnel/frame_json.h"
#include "stream_paths.h"
#include "stream_run.h"
#include "testdata_frames.h"
#include "ticker_stream.h"

namespace runnel::testdata {

using runnel::FrameInclude;
using runnel::Status;

namespace {

// The one path that takes publications.
constexpr std::string_view kEchoPath = "echo";

}  // namespace

Status Streams::SubscribeStream(const runnel::SubscribeStreamRequest& req,
                                runnel::SubscribeStreamResponse* resp) {
  if (req.path == kEchoPath) {
    resp->status = runnel::StreamStatus::kOk;
    return Status::Ok();
  }
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

Status Streams::PublishStream(const runnel::PublishStreamRequest& req,
                              runnel::PublishStreamResponse* resp) {
  if (req.path == kEchoPath) {
    resp->status = runnel::StreamStatus::kOk;
    resp->data = req.data;
    return Status::Ok();
  }
  resp->status = ParseStreamPath(req.path)
                     ? runnel::StreamStatus::kPermissionDenied
                     : runnel::StreamStatus::kNotFound;
  return Status::Ok();
}

Status Streams::StartStream(const runnel::RunStreamRequest& req,
                            std::shared_ptr<runnel::StreamChannel> stream) {
  if (req.path == kEchoPath) {
    // Publications reach the subscribers through the host; the run only
    // keeps the channel open until the host cancels it.
    StreamRun::Start(running_, req.path, std::move(stream));
    return Status::Ok();
  }
  std::optional<StreamSpec> spec = ParseStreamPath(req.path);
  if (!spec) {
    return Status::NotFound("testdata plugin does not support path: " +
                            req.path);
  }
  std::shared_ptr<StreamRun> run =
      StreamRun::Start(running_, req.path, std::move(stream));
  if (spec->kind == StreamKind::kBench) {
    StartBenchStream(spec->rate_hz, std::move(run));
  } else {
    StartTickerStream(*spec, std::move(run));
  }
  return Status::Ok();
}

}  // namespace runnel::testdata

#include "streams.h"

#include <optional>
#include <string>
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

Status Streams::StartStream(const runnel::RunStreamRequest& req,
                            std::shared_ptr<runnel::StreamChannel> stream) {
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

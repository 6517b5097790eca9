// Streams: the testdata plugin's stream handlers (Grafana testdata's
// stream_handler.go). Subscribe answers the schema-only frame of the path's
// stream (NotFound for an unknown path); Publish is PermissionDenied on
// those paths, as Grafana's; RunStream is non-blocking
// (runnel::AsyncRunStreamHandler): it starts a timer that sends one data-only
// frame per tick until the host cancels, and ends at once with "testdata plugin
// does not support path: <path>" on an unknown path. Every stream logs its
// start and stop and is counted in RunningStreams (see stream_run.h).
//
// Beyond Grafana's testdata, the path "echo" takes publications: Subscribe
// OK with no initial data, Publish OK with the published data as the data
// to publish (so every subscriber gets it), RunStream sends nothing and
// runs until cancelled. Publish to an unknown path is NotFound.
// Thread-safety: thread-safe; each stream keeps its own state.
#ifndef RUNNEL_PLUGINS_TESTDATA_STREAMS_H_
#define RUNNEL_PLUGINS_TESTDATA_STREAMS_H_

#include <memory>

#include "runnel/async_stream.h"
#include "runnel/stream.h"
#include "running_streams.h"

namespace runnel::testdata {

class Streams final : public runnel::SubscribeStreamHandler,
                      public runnel::PublishStreamHandler,
                      public runnel::AsyncRunStreamHandler {
 public:
  explicit Streams(std::shared_ptr<RunningStreams> running)
      : running_(std::move(running)) {}

  runnel::Status SubscribeStream(
      const runnel::SubscribeStreamRequest& req,
      runnel::SubscribeStreamResponse* resp) override;
  runnel::Status PublishStream(const runnel::PublishStreamRequest& req,
                               runnel::PublishStreamResponse* resp) override;
  runnel::Status StartStream(
      const runnel::RunStreamRequest& req,
      std::shared_ptr<runnel::StreamChannel> stream) override;

 private:
  std::shared_ptr<RunningStreams> running_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_STREAMS_H_

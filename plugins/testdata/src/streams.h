// Streams: the testdata plugin's stream handlers (reference §5).
// Subscribe answers the schema-only frame of the path's stream (NotFound for
// an unknown path); Publish is always PermissionDenied; RunStream sends
// one data-only frame per tick until the host cancels, and ends with
// "testdata plugin does not support path: <path>" on an unknown path.
// Every RunStream logs its start and stop and is counted in RunningStreams.
// Thread-safety: thread-safe; each RunStream keeps its state on its stack.
#ifndef RUNNEL_PLUGINS_TESTDATA_STREAMS_H_
#define RUNNEL_PLUGINS_TESTDATA_STREAMS_H_

#include <memory>

#include "runnel/stream.h"
#include "running_streams.h"

namespace runnel_testdata {

class Streams final : public runnel::SubscribeStreamHandler,
                      public runnel::PublishStreamHandler,
                      public runnel::RunStreamHandler {
 public:
  explicit Streams(std::shared_ptr<RunningStreams> running)
      : running_(std::move(running)) {}

  runnel::Status SubscribeStream(
      const runnel::SubscribeStreamRequest& req,
      runnel::SubscribeStreamResponse* resp) override;
  runnel::Status PublishStream(const runnel::PublishStreamRequest& req,
                               runnel::PublishStreamResponse* resp) override;
  runnel::Status RunStream(const runnel::RunStreamRequest& req,
                           runnel::StreamSender& sender) override;

 private:
  std::shared_ptr<RunningStreams> running_;
};

}  // namespace runnel_testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_STREAMS_H_

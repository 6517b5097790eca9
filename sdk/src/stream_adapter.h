// StreamAdapter: pluginv2.Stream served from the author's stream handlers.
// Registered only when at least one stream handler exists; a missing
// individual handler answers UNIMPLEMENTED. Subscribe and Publish use the
// sync API; RunStream uses the callback API, with the author's blocking
// RunStreamHandler on a thread per call (run_stream_call.h) or the
// non-blocking AsyncRunStreamHandler on the shared executor
// (async_run_stream_call.h). At most one of the two is given.
// Thread-safety: gRPC calls the methods concurrently; the adapter has no
// mutable state of its own and the handlers must be thread-safe.
#ifndef RUNNEL_SDK_SRC_STREAM_ADAPTER_H_
#define RUNNEL_SDK_SRC_STREAM_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "executor.h"
#include "runnel/async_stream.h"
#include "runnel/stream.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class StreamAdapter final
    : public pluginv2::Stream::WithCallbackMethod_RunStream<
          pluginv2::Stream::Service> {
 public:
  // The RunStream handlers: at most one of the two; `executor` is required
  // with `async_run`.
  struct RunHandlers {
    std::shared_ptr<RunStreamHandler> blocking;
    std::shared_ptr<AsyncRunStreamHandler> async;
    Executor* executor = nullptr;
  };

  // Null handlers are allowed. `lifetime` (and the executor) must outlive
  // the adapter and every call it started.
  StreamAdapter(std::shared_ptr<SubscribeStreamHandler> subscribe,
                std::shared_ptr<PublishStreamHandler> publish, RunHandlers run,
                ServeLifetime* lifetime);

  grpc::Status SubscribeStream(
      grpc::ServerContext* context,
      const pluginv2::SubscribeStreamRequest* request,
      pluginv2::SubscribeStreamResponse* response) override;
  grpc::Status PublishStream(
      grpc::ServerContext* context,
      const pluginv2::PublishStreamRequest* request,
      pluginv2::PublishStreamResponse* response) override;
  grpc::ServerWriteReactor<pluginv2::StreamPacket>* RunStream(
      grpc::CallbackServerContext* context,
      const pluginv2::RunStreamRequest* request) override;

 private:
  std::shared_ptr<SubscribeStreamHandler> subscribe_;
  std::shared_ptr<PublishStreamHandler> publish_;
  RunHandlers run_;
  ServeLifetime* lifetime_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STREAM_ADAPTER_H_

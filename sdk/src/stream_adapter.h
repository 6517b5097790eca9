// StreamAdapter: pluginv2.Stream served from the author's stream handlers.
// Registered only when at least one stream handler exists; a missing
// individual handler answers UNIMPLEMENTED. Subscribe and Publish use the
// sync API; RunStream uses the callback API (see run_stream_call.h).
// Thread-safety: gRPC calls the methods concurrently; the adapter has no
// mutable state of its own and the handlers must be thread-safe.
#ifndef RUNNEL_SDK_SRC_STREAM_ADAPTER_H_
#define RUNNEL_SDK_SRC_STREAM_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/stream.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class StreamAdapter final
    : public pluginv2::Stream::WithCallbackMethod_RunStream<
          pluginv2::Stream::Service> {
 public:
  // Null handlers are allowed. `lifetime` must outlive the adapter.
  StreamAdapter(std::shared_ptr<SubscribeStreamHandler> subscribe,
                std::shared_ptr<PublishStreamHandler> publish,
                std::shared_ptr<RunStreamHandler> run, ServeLifetime* lifetime);

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
  std::shared_ptr<RunStreamHandler> run_;
  ServeLifetime* lifetime_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STREAM_ADAPTER_H_

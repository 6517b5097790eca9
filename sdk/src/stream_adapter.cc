#include "stream_adapter.h"

#include <utility>

#include "async_run_stream_call.h"
#include "convert_from_proto.h"
#include "grpc_status.h"
#include "run_stream_call.h"

namespace runnel::internal {
namespace {

grpc::Status NoHandler(const char* rpc) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      std::string(rpc) + " is not implemented by this plugin");
}

// A RunStream call answered with a status and no packets.
class FinishedRunStream final
    : public grpc::ServerWriteReactor<pluginv2::StreamPacket> {
 public:
  explicit FinishedRunStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

StreamAdapter::StreamAdapter(std::shared_ptr<SubscribeStreamHandler> subscribe,
                             std::shared_ptr<PublishStreamHandler> publish,
                             RunHandlers run, ServeLifetime* lifetime)
    : subscribe_(std::move(subscribe)),
      publish_(std::move(publish)),
      run_(std::move(run)),
      lifetime_(lifetime) {}

grpc::Status StreamAdapter::SubscribeStream(
    grpc::ServerContext* /*context*/,
    const pluginv2::SubscribeStreamRequest* request,
    pluginv2::SubscribeStreamResponse* response) {
  if (!subscribe_) return NoHandler("SubscribeStream");
  const SubscribeStreamRequest req = StreamRequestFromProto(*request);
  SubscribeStreamResponse resp;
  Status status =
      CallHandler([&] { return subscribe_->SubscribeStream(req, &resp); });
  if (!status.ok()) return ToGrpcStatus(status);
  ToProto(resp, response);
  return grpc::Status::OK;
}

grpc::Status StreamAdapter::PublishStream(
    grpc::ServerContext* /*context*/,
    const pluginv2::PublishStreamRequest* request,
    pluginv2::PublishStreamResponse* response) {
  if (!publish_) return NoHandler("PublishStream");
  const PublishStreamRequest req = StreamRequestFromProto(*request);
  PublishStreamResponse resp;
  Status status =
      CallHandler([&] { return publish_->PublishStream(req, &resp); });
  if (!status.ok()) return ToGrpcStatus(status);
  ToProto(resp, response);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<pluginv2::StreamPacket>* StreamAdapter::RunStream(
    grpc::CallbackServerContext* /*context*/,
    const pluginv2::RunStreamRequest* request) {
  if (run_.async) {
    return AsyncRunStreamCall::Start(StreamRequestFromProto(*request),
                                     run_.async, run_.executor, lifetime_);
  }
  if (run_.blocking) {
    return RunStreamCall::Start(StreamRequestFromProto(*request), run_.blocking,
                                lifetime_);
  }
  return new FinishedRunStream(NoHandler("RunStream"));
}

}  // namespace runnel::internal

#include "stream_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"
#include "grpc_stream_sender.h"

namespace runnel::internal {
namespace {

grpc::Status NoHandler(const char* rpc) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      std::string(rpc) + " is not implemented by this plugin");
}

}  // namespace

StreamAdapter::StreamAdapter(std::shared_ptr<SubscribeStreamHandler> subscribe,
                             std::shared_ptr<PublishStreamHandler> publish,
                             std::shared_ptr<RunStreamHandler> run,
                             ServeLifetime* lifetime)
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

grpc::Status StreamAdapter::RunStream(
    grpc::ServerContext* context, const pluginv2::RunStreamRequest* request,
    grpc::ServerWriter<pluginv2::StreamPacket>* writer) {
  if (!run_) return NoHandler("RunStream");
  const RunStreamRequest req = StreamRequestFromProto(*request);
  GrpcStreamSender sender(context, writer, lifetime_);
  Status status = CallHandler([&] { return run_->RunStream(req, sender); });
  return ToGrpcStatus(status);
}

}  // namespace runnel::internal

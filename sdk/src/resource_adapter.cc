#include "resource_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"

namespace runnel::internal {
namespace {

// Each piece as one message on the call's response stream.
class WriterSender final : public CallResourceResponseSender {
 public:
  explicit WriterSender(
      grpc::ServerWriter<pluginv2::CallResourceResponse>* writer)
      : writer_(writer) {}

  bool Send(const CallResourceResponse& piece) override {
    pluginv2::CallResourceResponse out;
    ToProto(piece, &out);
    return writer_->Write(out);
  }

 private:
  grpc::ServerWriter<pluginv2::CallResourceResponse>* writer_;
};

}  // namespace

ResourceAdapter::ResourceAdapter(std::shared_ptr<CallResourceHandler> handler)
    : handler_(std::move(handler)) {}

grpc::Status ResourceAdapter::CallResource(
    grpc::ServerContext* /*context*/,
    const pluginv2::CallResourceRequest* request,
    grpc::ServerWriter<pluginv2::CallResourceResponse>* writer) {
  const CallResourceRequest req = FromProto(*request);
  WriterSender sender(writer);
  Status status =
      CallHandler([&] { return handler_->StreamResource(req, sender); });
  return ToGrpcStatus(status);
}

}  // namespace runnel::internal

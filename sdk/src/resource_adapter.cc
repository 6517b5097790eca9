#include "resource_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"

namespace runnel::internal {

ResourceAdapter::ResourceAdapter(std::shared_ptr<CallResourceHandler> handler)
    : handler_(std::move(handler)) {}

grpc::Status ResourceAdapter::CallResource(
    grpc::ServerContext* /*context*/,
    const pluginv2::CallResourceRequest* request,
    grpc::ServerWriter<pluginv2::CallResourceResponse>* writer) {
  const CallResourceRequest req = FromProto(*request);
  CallResourceResponse resp;
  Status status =
      CallHandler([&] { return handler_->CallResource(req, &resp); });
  if (!status.ok()) return ToGrpcStatus(status);
  pluginv2::CallResourceResponse out;
  ToProto(resp, &out);
  writer->Write(out);
  return grpc::Status::OK;
}

}  // namespace runnel::internal

#include "diagnostics_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"

namespace runnel::internal {

DiagnosticsAdapter::DiagnosticsAdapter(
    std::shared_ptr<CheckHealthHandler> handler)
    : handler_(std::move(handler)) {}

grpc::Status DiagnosticsAdapter::CheckHealth(
    grpc::ServerContext* /*context*/,
    const pluginv2::CheckHealthRequest* request,
    pluginv2::CheckHealthResponse* response) {
  const CheckHealthRequest req = FromProto(*request);
  CheckHealthResult result;
  Status status =
      CallHandler([&] { return handler_->CheckHealth(req, &result); });
  if (!status.ok()) return ToGrpcStatus(status);
  ToProto(result, response);
  return grpc::Status::OK;
}

}  // namespace runnel::internal

#include "diagnostics_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"

namespace runnel::internal {

DiagnosticsAdapter::DiagnosticsAdapter(
    std::shared_ptr<CheckHealthHandler> handler,
    std::shared_ptr<MetricsRegistry> metrics)
    : handler_(std::move(handler)), metrics_(std::move(metrics)) {}

grpc::Status DiagnosticsAdapter::CheckHealth(
    grpc::ServerContext* /*context*/,
    const pluginv2::CheckHealthRequest* request,
    pluginv2::CheckHealthResponse* response) {
  if (!handler_) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "the plugin has no health check");
  }
  const CheckHealthRequest req = FromProto(*request);
  CheckHealthResult result;
  Status status =
      CallHandler([&] { return handler_->CheckHealth(req, &result); });
  if (!status.ok()) return ToGrpcStatus(status);
  ToProto(result, response);
  return grpc::Status::OK;
}

grpc::Status DiagnosticsAdapter::CollectMetrics(
    grpc::ServerContext* /*context*/,
    const pluginv2::CollectMetricsRequest* /*request*/,
    pluginv2::CollectMetricsResponse* response) {
  if (!metrics_) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "the plugin exposes no metrics");
  }
  response->mutable_metrics()->set_prometheus(metrics_->Text());
  return grpc::Status::OK;
}

}  // namespace runnel::internal

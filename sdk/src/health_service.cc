#include "health_service.h"

#include <chrono>

namespace runnel::internal {
namespace {

using grpc::health::v1::HealthCheckResponse;

bool IsKnownService(const std::string& name) {
  return name.empty() || name == "plugin";
}

HealthCheckResponse::ServingStatus CurrentStatus(const ServeLifetime& life) {
  return life.stopping() ? HealthCheckResponse::NOT_SERVING
                         : HealthCheckResponse::SERVING;
}

}  // namespace

grpc::Status HealthService::Check(
    grpc::ServerContext* /*context*/,
    const grpc::health::v1::HealthCheckRequest* request,
    HealthCheckResponse* response) {
  if (!IsKnownService(request->service())) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "unknown service \"" + request->service() + "\"");
  }
  response->set_status(CurrentStatus(*lifetime_));
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(
    grpc::ServerContext* context,
    const grpc::health::v1::HealthCheckRequest* request,
    grpc::ServerWriter<HealthCheckResponse>* writer) {
  HealthCheckResponse response;
  response.set_status(IsKnownService(request->service())
                          ? CurrentStatus(*lifetime_)
                          : HealthCheckResponse::SERVICE_UNKNOWN);
  if (!writer->Write(response)) return grpc::Status::OK;
  while (!context->IsCancelled()) {
    if (lifetime_->WaitFor(std::chrono::milliseconds(100))) {
      response.set_status(HealthCheckResponse::NOT_SERVING);
      writer->Write(response);
      break;
    }
  }
  return grpc::Status::OK;
}

}  // namespace runnel::internal

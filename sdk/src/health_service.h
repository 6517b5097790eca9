// HealthService: grpc.health.v1.Health as go-plugin hosts use it. The
// services "plugin" and "" (the whole server) are SERVING while the plugin
// runs; any other name is NOT_FOUND. Watch sends the status once and holds
// the stream open until the plugin stops or the caller cancels.
// Thread-safety: thread-safe; `lifetime` must outlive the service.
#ifndef RUNNEL_SDK_SRC_HEALTH_SERVICE_H_
#define RUNNEL_SDK_SRC_HEALTH_SERVICE_H_

#include "health.grpc.pb.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  explicit HealthService(ServeLifetime* lifetime) : lifetime_(lifetime) {}

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>*
                         writer) override;

 private:
  ServeLifetime* lifetime_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_HEALTH_SERVICE_H_

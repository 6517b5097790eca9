// ControllerService: go-plugin's plugin.GRPCController. Shutdown asks the
// running Serve() to stop gracefully; the RPC itself returns at once (the
// server cannot wait for itself).
// Thread-safety: thread-safe; `lifetime` must outlive the service.
#ifndef RUNNEL_SDK_SRC_CONTROLLER_SERVICE_H_
#define RUNNEL_SDK_SRC_CONTROLLER_SERVICE_H_

#include "grpc_controller.grpc.pb.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class ControllerService final : public plugin::GRPCController::Service {
 public:
  explicit ControllerService(ServeLifetime* lifetime) : lifetime_(lifetime) {}

  grpc::Status Shutdown(grpc::ServerContext* context,
                        const plugin::Empty* request,
                        plugin::Empty* response) override;

 private:
  ServeLifetime* lifetime_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_CONTROLLER_SERVICE_H_

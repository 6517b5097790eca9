#include "controller_service.h"

namespace runnel::internal {

grpc::Status ControllerService::Shutdown(grpc::ServerContext* /*context*/,
                                         const plugin::Empty* /*request*/,
                                         plugin::Empty* /*response*/) {
  lifetime_->RequestStop("the host called GRPCController.Shutdown");
  return grpc::Status::OK;
}

}  // namespace runnel::internal

#include "stdio_service.h"

#include <chrono>

namespace runnel::internal {

grpc::Status StdioService::StreamStdio(
    grpc::ServerContext* context, const google::protobuf::Empty* /*request*/,
    grpc::ServerWriter<plugin::StdioData>* /*writer*/) {
  while (!context->IsCancelled()) {
    if (lifetime_->WaitFor(std::chrono::milliseconds(100))) break;
  }
  return grpc::Status::OK;
}

}  // namespace runnel::internal

// Status mapping between the SDK and gRPC, and the guard that keeps author
// exceptions from crossing into gRPC's threads.
// Thread-safety: pure functions.
#ifndef RUNNEL_SDK_SRC_GRPC_STATUS_H_
#define RUNNEL_SDK_SRC_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <exception>
#include <utility>

#include "runnel/status.h"

namespace runnel::internal {

// Same message; kNotFound -> NOT_FOUND, kPermissionDenied ->
// PERMISSION_DENIED, and so on.
grpc::Status ToGrpcStatus(const Status& status);

// Calls an author handler, turning an escaping exception into kInternal.
template <typename Fn>
Status CallHandler(Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("plugin handler threw: ") + e.what());
  } catch (...) {
    return Status::Internal("plugin handler threw a non-std exception");
  }
}

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_GRPC_STATUS_H_

// DiagnosticsAdapter: pluginv2.Diagnostics served from the author's
// CheckHealthHandler. CollectMetrics answers UNIMPLEMENTED, which a host
// treats as "no metrics".
// Thread-safety: stateless; the handler must be thread-safe.
#ifndef RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_
#define RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/diagnostics.h"

namespace runnel::internal {

class DiagnosticsAdapter final : public pluginv2::Diagnostics::Service {
 public:
  explicit DiagnosticsAdapter(std::shared_ptr<CheckHealthHandler> handler);

  grpc::Status CheckHealth(grpc::ServerContext* context,
                           const pluginv2::CheckHealthRequest* request,
                           pluginv2::CheckHealthResponse* response) override;

 private:
  std::shared_ptr<CheckHealthHandler> handler_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_

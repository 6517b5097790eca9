// DiagnosticsAdapter: pluginv2.Diagnostics served from the author's
// CheckHealthHandler and MetricsRegistry. Either may be null: its RPC then
// answers UNIMPLEMENTED, which a host treats as "not available".
// Thread-safety: stateless; the handler and registry are thread-safe.
#ifndef RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_
#define RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/diagnostics.h"
#include "runnel/metrics.h"

namespace runnel::internal {

class DiagnosticsAdapter final : public pluginv2::Diagnostics::Service {
 public:
  DiagnosticsAdapter(std::shared_ptr<CheckHealthHandler> handler,
                     std::shared_ptr<MetricsRegistry> metrics);

  grpc::Status CheckHealth(grpc::ServerContext* context,
                           const pluginv2::CheckHealthRequest* request,
                           pluginv2::CheckHealthResponse* response) override;
  grpc::Status CollectMetrics(
      grpc::ServerContext* context,
      const pluginv2::CollectMetricsRequest* request,
      pluginv2::CollectMetricsResponse* response) override;

 private:
  std::shared_ptr<CheckHealthHandler> handler_;
  std::shared_ptr<MetricsRegistry> metrics_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_DIAGNOSTICS_ADAPTER_H_

// PluginMetrics: GET /metrics/plugins/:pluginId calls the plugin's
// Diagnostics.CollectMetrics and answers its Prometheus text, as Grafana's
// pluginMetricsEndpoint does (pkg/api/http_server.go):
//   200 text/plain; version=0.0.4, the plugin's metrics
//   404 an unknown plugin, or one that exposes no metrics (Unimplemented)
//   503 the plugin is not running; 500 the call failed
// Thread-safety: Collect from any thread; `respond` is called exactly once,
// from the caller's thread, a worker or a gRPC thread. Borrows the router and
// the calls, which must outlive it.
#ifndef RUNNEL_HOST_QUERY_PLUGIN_METRICS_H_
#define RUNNEL_HOST_QUERY_PLUGIN_METRICS_H_

#include <memory>
#include <string>

#include "live/channel_handler.h"
#include "live/http_types.h"
#include "query/plugin_calls.h"
#include "stream/channel_router.h"

namespace runnel::host {

class PluginMetrics {
 public:
  PluginMetrics(const ChannelRouter& router, PluginCalls& calls)
      : router_(router), calls_(calls) {}

  void Collect(const std::string& plugin_id, const ClientIdentity& who,
               HttpRespond respond);

 private:
  struct Call;
  void Send(const std::shared_ptr<Call>& call,
            const PluginConnection& connection);

  const ChannelRouter& router_;
  PluginCalls& calls_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_PLUGIN_METRICS_H_

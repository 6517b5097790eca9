// DataSourceHealth: GET /api/datasources/uid/:uid/health calls the data
// source's plugin's CheckHealth and answers as Grafana does (pkg/api/
// datasources.go CheckDatasourceHealthWithUID, checkDatasourceHealth;
// grpcplugin client_v2.go for Unimplemented):
//   200 {"status": "OK", "message": "..", "details"?: {..}}
//   400 the same with "ERROR" or "UNKNOWN"; a plugin without CheckHealth is
//       {"status": "UNKNOWN", "message": "Health check not implemented"}
//   404 {"message": "Data source not found: <uid>"}
//   503 {"message": "Plugin unavailable: .."} (not running), 500 {"message":
//       "Plugin health check failed: .."} (the call failed, or details that
//       are not a JSON object)
// Thread-safety: Check from any thread; `respond` is called exactly once,
// from the caller's thread, a worker or a gRPC thread. Borrows the router and
// the calls, which must outlive it.
#ifndef RUNNEL_HOST_QUERY_HEALTH_CHECK_H_
#define RUNNEL_HOST_QUERY_HEALTH_CHECK_H_

#include <string>

#include "backend.pb.h"
#include "live/channel_handler.h"
#include "live/http_types.h"
#include "query/plugin_calls.h"
#include "stream/channel_router.h"

namespace runnel::host {

// The HTTP answer for a CheckHealth reply (exposed for tests).
HttpResponse HealthResponse(const pluginv2::CheckHealthResponse& reply);

class DataSourceHealth {
 public:
  DataSourceHealth(const ChannelRouter& router, PluginCalls& calls)
      : router_(router), calls_(calls) {}

  void Check(const std::string& uid, const ClientIdentity& who,
             HttpRespond respond);

 private:
  struct Call;
  void Send(const std::shared_ptr<Call>& call,
            const PluginConnection& connection);

  const ChannelRouter& router_;
  PluginCalls& calls_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_HEALTH_CHECK_H_

// The host's small HTTP API bodies:
//   GET /api/health  {"status":"ok"|"degraded","version":..,
//                    "engine":{"name":"memory"|"redis","status":"ok"|
//                    "degraded","message"?:..},"plugins":[{"id":..,
//                    "aliases":[..],"state":"running","pid":123,
//                    "restarts":0,"lastError":".."}]}
//                    "degraded": the hosts cannot reach each other (Redis
//                    down); this one still serves its own clients.
//   GET /metrics     Prometheus text format 0.0.4 (see MetricsText).
//   GET /api/datasources  Grafana's list shape: [{"id":1,"uid":..,"orgId":1,
//                    "name":..,"type":..,"url":..,"isDefault":..,
//                    "jsonData":{..},"readOnly":true}]; never secrets.
// Thread-safety: pure functions of the snapshots they are given.
#ifndef RUNNEL_HOST_APP_STATUS_ENDPOINTS_H_
#define RUNNEL_HOST_APP_STATUS_ENDPOINTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "config/datasource.h"
#include "engine/engine.h"
#include "live/hub.h"
#include "live/server.h"
#include "stream/stream_manager.h"

namespace runnel::host {

// One plugin's state, taken from its Supervisor.
struct PluginSnapshot {
  std::string id;
  std::vector<std::string> aliases;
  std::string state;  // PluginStateName
  int64_t pid = -1;
  int64_t restarts = 0;
  std::string last_error;
};

std::vector<PluginSnapshot> SnapshotPlugins(const PluginRegistry& registry);

std::string HealthJSON(const std::vector<PluginSnapshot>& plugins,
                       const EngineHealth& engine, const std::string& version);

std::string DataSourcesJSON(const std::vector<DataSource>& data_sources);

// runnel_live_connections, runnel_live_subscriptions, runnel_live_channels
// (gauges); runnel_live_connections_total, runnel_live_publications_in_total,
// runnel_live_publications_out_total (messages handed to client writers),
// runnel_live_slow_disconnects_total; runnel_plugin_up{plugin},
// runnel_plugin_restarts_total{plugin}; runnel_streams (running RunStreams),
// runnel_stream_starts_total, runnel_stream_restarts_total,
// runnel_stream_packets_total, runnel_stream_invalid_packets_total;
// runnel_live_publications_refused_total (over max_publication_size);
// runnel_stream_refused_total{reason="rate"|"plugin_limit"|"host_limit"|
// "start_failed"} (subscribes refused instead of starting a RunStream);
// runnel_streams_followed (channels whose RunStream another host runs);
// runnel_engine_degraded{engine} (1: the hosts cannot reach each other).
std::string MetricsText(const LiveStats& live, const HubCounters& hub,
                        const StreamStats& streams,
                        const std::vector<PluginSnapshot>& plugins,
                        const EngineHealth& engine);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_STATUS_ENDPOINTS_H_

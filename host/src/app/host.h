// Host: the whole host process wired together: plugin supervisors, the stream
// manager, the hub and the Live/HTTP server, built from a loaded Config and
// the provisioned data sources.
//
// Start order: discover plugins, check every data source's type resolves to
// one (else an error naming the YAML file and line), make the plugins'
// socket folder (removing those of dead hosts), start the supervisors
// without waiting for them, start the server. The host listens at once: a
// subscribe for a plugin that is still starting waits a bounded time in the
// stream manager, and /api/health shows the plugin as "starting".
// Shutdown order: the server (clients get 3001), cancel plugin starts in
// progress (so nothing waits for them), the streams, the plugins (Shutdown
// RPC, grace, SIGKILL), the socket folder.
//
// Thread-safety: Start and Shutdown from one thread; port() after Start.
// Ownership: owns every component.
#ifndef RUNNEL_HOST_APP_HOST_H_
#define RUNNEL_HOST_APP_HOST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/datasource.h"
#include "engine/engine.h"
#include "live/hub.h"
#include "live/live_config.h"
#include "live/server.h"
#include "plugin/plugin_registry.h"
#include "plugin/plugin_socket_dir.h"
#include "push/managed_streams.h"
#include "query/ds_query.h"
#include "query/health_check.h"
#include "query/plugin_calls.h"
#include "query/plugin_metrics.h"
#include "query/resource_call.h"
#include "runnel/status.h"
#include "stream/channel_router.h"
#include "stream/stream_manager.h"

namespace runnel::host {

inline constexpr char kHostVersion[] = "0.1.0";

// The server's settings from the config.
LiveConfig MakeLiveConfig(const Config& config);
// The stream manager's settings from the config.
StreamManagerOptions MakeStreamManagerOptions(const Config& config);

class Host {
 public:
  Host() = default;
  ~Host();  // Shutdown()
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  Status Start(const Config& config, std::vector<DataSource> data_sources);
  uint16_t port() const;
  // Idempotent.
  void Shutdown();

 private:
  // The plugins' socket folder; without one they use the temp folder.
  void MakeSocketDir();
  // Registers every discovered plugin; the ids (with aliases) for messages.
  std::vector<std::string> AddPlugins(const Config& config);
  // The hub and its engine (memory, or Redis for several hosts); an
  // error for a bad engine setting.
  Status MakeHubAndEngine(const Config& config);
  // The stream manager that feeds the hub from the plugins, and the
  // managed streams.
  void MakeStreams(const Config& config, std::vector<DataSource> data_sources);
  // /api/ds/query, data source health and resources (query_routes.h).
  void MakeQueries(const std::vector<DataSource>& data_sources);
  // GET /api/health, /api/datasources and /metrics, the Live API
  // (live_routes.h) and the query API (query_routes.h).
  void AddRoutes(const Config& config);
  HttpResponse Health() const;
  HttpResponse Metrics() const;

  std::string data_sources_json_;  // GET /api/datasources, fixed at start

  // Declared before the registry: removed only after the plugins are gone.
  std::unique_ptr<PluginSocketDir> socket_dir_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<Hub> hub_;
  // Where publications go beyond this host, the last messages of stream/
  // and broadcast channels, and the plugin channels' leases.
  std::unique_ptr<Engine> engine_;
  // POST /api/live/push: line protocol into stream/ channels.
  std::unique_ptr<ManagedStreams> managed_streams_;
  std::unique_ptr<StreamManager> streams_;
  // What the server asks about every channel; ds/ and plugin/ go on to
  // streams_.
  std::unique_ptr<ScopeRouter> scopes_;
  // The query API: its own router over the same plugins and data sources,
  // the RPC plumbing (shut down before the plugins stop) and the endpoints.
  std::unique_ptr<ChannelRouter> query_router_;
  std::unique_ptr<PluginCalls> plugin_calls_;
  std::unique_ptr<DataSourceQueries> queries_;
  std::unique_ptr<DataSourceHealth> health_checks_;
  std::unique_ptr<ResourceCalls> resources_;
  std::unique_ptr<PluginMetrics> plugin_metrics_;
  std::unique_ptr<Server> server_;
  bool shut_down_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_HOST_H_

#include "app/host.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "app/engine_choice.h"
#include "app/listen_address.h"
#include "app/live_routes.h"
#include "app/query_routes.h"
#include "app/status_endpoints.h"
#include "config/provisioning.h"
#include "plugin/plugin_json.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

// The cores this process may run on: its affinity mask (taskset, a
// container's cpuset), not every core of the machine as
// std::thread::hardware_concurrency() counts them. More event loops than
// usable cores only adds context switches. Go's runtime sizes GOMAXPROCS
// the same way.
int UsableCores() {
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) {
    return std::max(1, CPU_COUNT(&mask));
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

LiveConfig MakeLiveConfig(const Config& config) {
  LiveConfig live;
  live.http_addr =
      config.server.http_addr.empty() ? "0.0.0.0" : config.server.http_addr;
  live.http_port = static_cast<uint16_t>(config.server.http_port);
  live.root_url = config.server.root_url;
  live.enforce_domain = config.server.enforce_domain;
  live.max_header_bytes = static_cast<size_t>(config.server.max_header_bytes);
  live.allowed_origins = config.live.allowed_origins;
  live.max_connections = config.live.max_connections;
  live.message_size_limit = static_cast<size_t>(config.live.message_size_limit);
  live.client_queue_max_size =
      static_cast<size_t>(config.live.client_queue_max_size);
  live.ping_interval = config.live.ping_interval;
  live.pong_timeout = config.live.pong_timeout;
  live.stale_close_delay = config.live.stale_close_delay;
  live.max_messages_in_frame =
      static_cast<size_t>(config.live.max_messages_in_frame);
  live.io_threads = config.live.io_threads > 0
                        ? static_cast<int>(config.live.io_threads)
                        : UsableCores();
  live.static_root = config.server.static_root_path;
  return live;
}

StreamManagerOptions MakeStreamManagerOptions(const Config& config) {
  StreamManagerOptions options;
  options.grace_period = config.stream.grace_period;
  // Check often enough that a short grace period is honoured closely.
  options.check_interval =
      std::clamp(config.stream.grace_period / 5, std::chrono::milliseconds(50),
                 std::chrono::milliseconds(1000));
  options.limits.starts_per_second =
      static_cast<double>(config.stream.max_starts_per_second);
  options.limits.starts_burst =
      static_cast<double>(config.stream.max_starts_burst);
  options.limits.max_per_plugin =
      static_cast<size_t>(config.stream.max_streams_per_plugin);
  options.limits.max_total = static_cast<size_t>(config.stream.max_streams);
  return options;
}

namespace {

// [plugin.<id>] by id, or by an alias id when that is what was used.
std::map<std::string, std::string> PluginSettingsFor(
    const Config& config, const PluginManifest& manifest) {
  auto settings = config.plugin_settings.find(manifest.id);
  for (const std::string& alias : manifest.alias_ids) {
    if (settings != config.plugin_settings.end()) break;
    settings = config.plugin_settings.find(alias);
  }
  if (settings == config.plugin_settings.end()) return {};
  return settings->second;
}

}  // namespace

Host::~Host() { Shutdown(); }

std::vector<std::string> Host::AddPlugins(const Config& config) {
  DiscoveryResult found = DiscoverPlugins({config.paths.plugins});
  for (const std::string& error : found.errors) {
    runnel::log::Warn("plugin skipped", {{"error", error}});
  }
  std::vector<std::string> plugin_ids;
  for (PluginManifest& manifest : found.plugins) {
    SupervisorOptions options;
    options.process.gf_version = kHostVersion;
    if (socket_dir_) options.process.unix_socket_dir = socket_dir_->path();
    options.process.plugin_settings = PluginSettingsFor(config, manifest);
    std::string id = manifest.id;
    std::string dir = manifest.dir;
    std::string described = id;
    for (const std::string& alias : manifest.alias_ids) {
      described += " (alias " + alias + ")";
    }
    Status added = registry_->Add(
        std::make_unique<Supervisor>(std::move(manifest), options));
    if (!added.ok()) {
      runnel::log::Warn("plugin skipped",
                        {{"dir", dir}, {"error", added.message()}});
      continue;
    }
    plugin_ids.push_back(described);
    runnel::log::Info("plugin found", {{"id", id}, {"dir", dir}});
  }
  return plugin_ids;
}

Status Host::Start(const Config& config, std::vector<DataSource> data_sources) {
  MakeSocketDir();
  registry_ = std::make_unique<PluginRegistry>();
  std::vector<std::string> plugin_ids = AddPlugins(config);
  Status types = CheckDataSourceTypes(
      data_sources,
      [this](const std::string& type) {
        return registry_->Find(type) != nullptr;
      },
      plugin_ids);
  if (!types.ok()) return types;
  // Not waited for: the server listens while the plugins start.
  registry_->StartAll();
  data_sources_json_ = DataSourcesJSON(data_sources);
  MakeQueries(data_sources);
  if (Status engine = MakeHubAndEngine(config); !engine.ok()) return engine;
  MakeStreams(config, std::move(data_sources));
  server_ =
      std::make_unique<Server>(MakeLiveConfig(config), *hub_, scopes_.get());
  AddRoutes(config);
  if (std::string warning = OpenAddressWarning(config.server.http_addr);
      !warning.empty()) {
    runnel::log::Warn("no sign-in", {{"warning", warning}});
  }
  return server_->Start();
}

void Host::MakeSocketDir() {
  Status made = PluginSocketDir::Create("", &socket_dir_);
  if (!made.ok()) {
    runnel::log::Warn("plugins put their sockets in the temp folder",
                      {{"error", made.message()}});
    return;
  }
  for (const std::string& stale : socket_dir_->removed_stale()) {
    runnel::log::Info("removed the plugin socket folder of a dead host",
                      {{"path", stale}});
  }
}

Status Host::MakeHubAndEngine(const Config& config) {
  const int64_t max_publication = config.live.max_publication_size > 0
                                      ? config.live.max_publication_size
                                      : config.live.client_queue_max_size;
  hub_ = std::make_unique<Hub>(static_cast<size_t>(max_publication));
  Status made = MakeEngine(config.live, *hub_, &engine_);
  if (!made.ok()) return made;
  hub_->SetLink(engine_->link());
  return Status::Ok();
}

void Host::MakeStreams(const Config& config,
                       std::vector<DataSource> data_sources) {
  Hub* hub = hub_.get();
  Engine* engine = engine_.get();
  StreamManagerOptions options = MakeStreamManagerOptions(config);
  if (config.live.ha_engine == "redis") {
    options.leases.want = [engine](const std::string& channel,
                                   Engine::LeaseFn on_change) {
      engine->WantLease(channel, std::move(on_change));
    };
    options.leases.drop = [engine](const std::string& channel) {
      engine->DropLease(channel);
    };
    options.leases.cluster_subscribers = [engine](const std::string& channel) {
      return engine->ClusterSubscribers(channel);
    };
  }
  streams_ = std::make_unique<StreamManager>(
      registry_.get(), std::move(data_sources),
      [hub](const std::string& channel, std::string_view data) {
        // A refused publication is counted and logged by the hub; the
        // stream goes on.
        (void)hub->Publish(channel, data);
      },
      [hub](const std::string& channel) {
        return hub->NumSubscribers(channel);
      },
      std::move(options));
  ParseLimits parse_limits;
  parse_limits.max_body_bytes =
      static_cast<size_t>(config.live.push_max_body_bytes);
  managed_streams_ = std::make_unique<ManagedStreams>(
      *hub_, engine_->last_messages(), parse_limits, ConvertLimits{});
  scopes_ = std::make_unique<ScopeRouter>(streams_.get(), *hub_,
                                          engine_->last_messages());
}

void Host::MakeQueries(const std::vector<DataSource>& data_sources) {
  query_router_ =
      std::make_unique<ChannelRouter>(registry_.get(), data_sources);
  plugin_calls_ = std::make_unique<PluginCalls>();
  queries_ =
      std::make_unique<DataSourceQueries>(*query_router_, *plugin_calls_);
  health_checks_ =
      std::make_unique<DataSourceHealth>(*query_router_, *plugin_calls_);
  resources_ = std::make_unique<ResourceCalls>(*query_router_, *plugin_calls_,
                                               kResourceMaxQueuedBytes);
  plugin_metrics_ =
      std::make_unique<PluginMetrics>(*query_router_, *plugin_calls_);
}

void Host::AddRoutes(const Config& config) {
  AddLiveRoutes(
      *server_,
      LiveRoutes{hub_.get(), scopes_.get(), engine_.get(),
                 managed_streams_.get(),
                 static_cast<size_t>(config.live.push_max_body_bytes)});
  AddQueryRoutes(*server_,
                 QueryRoutes{queries_.get(), health_checks_.get(),
                             resources_.get(), plugin_metrics_.get()});
  server_->HandleGet("/api/health",
                     [this](const HttpRequest&) { return Health(); });
  server_->HandleGet("/api/datasources", [this](const HttpRequest&) {
    HttpResponse response;
    response.body = data_sources_json_;
    return response;
  });
  server_->HandleGet("/metrics",
                     [this](const HttpRequest&) { return Metrics(); });
}

uint16_t Host::port() const { return server_ ? server_->port() : 0; }

void Host::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_) server_->Shutdown();
  // Before the streams: calls waiting for a plugin that is still starting
  // return now instead of after their whole wait.
  if (registry_) registry_->CancelStarts();
  // Answers what is in flight; after it no callback touches the plugins.
  if (plugin_calls_) plugin_calls_->Shutdown();
  // Drops the streams' leases, so other hosts take them over at once.
  if (streams_) streams_->Shutdown();
  if (engine_) engine_->Shutdown();
  if (registry_) registry_->StopAll();
  socket_dir_.reset();
}

HttpResponse Host::Health() const {
  HttpResponse response;
  response.body =
      HealthJSON(SnapshotPlugins(*registry_), engine_->Health(), kHostVersion);
  return response;
}

HttpResponse Host::Metrics() const {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body =
      MetricsText(server_->Stats(), hub_->Counters(), streams_->Stats(),
                  SnapshotPlugins(*registry_), engine_->Health());
  return response;
}

}  // namespace runnel::host

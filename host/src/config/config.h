// Config: the host's typed settings, loaded like Grafana's: defaults.ini,
// then the --config file over it, then RUNNEL_<SECTION>_<KEY> environment
// variables over both. Every bad value stops start-up with a message naming
// where the value came from (file:line or the environment variable).
//
// Relative paths are resolved against the home path (the folder holding
// conf/). Two may be empty and then default to what the build puts next to
// the host: [paths] plugins = <executable dir>/../plugins and
// [server] static_root_path = <executable dir>/web (the panel page).
//
// Thread-safety: LoadConfig is for start-up (inih has process-wide options);
// a loaded Config is a plain value.
#ifndef RUNNEL_HOST_CONFIG_CONFIG_H_
#define RUNNEL_HOST_CONFIG_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/ini_store.h"
#include "runnel/log.h"
#include "runnel/status.h"

namespace runnel::host {

// Environment variable prefix: RUNNEL_LIVE_MAX_CONNECTIONS.
inline constexpr char kEnvPrefix[] = "RUNNEL";

struct ServerSettings {
  // There is no sign-in yet, so the default is this machine only; "" = all
  // interfaces.
  std::string http_addr = "127.0.0.1";
  int http_port = 3000;  // 0 = pick a free port
  std::string root_url;
  std::string static_root_path;        // absolute; default <executable dir>/web
  bool enforce_domain = false;         // refuse Hosts other than root_url's
  int64_t max_header_bytes = 1 << 20;  // request line + headers (431/414)
};

struct PathSettings {
  std::string plugins;       // absolute folder scanned for plugins
  std::string provisioning;  // absolute; holds datasources/*.yaml
};

struct LiveSettings {
  int64_t max_connections = 100;  // 0 disables Live; -1 unlimited
  std::vector<std::string> allowed_origins;
  int64_t message_size_limit = 65536;
  int64_t client_queue_max_size = 4 * 1024 * 1024;  // at least 64 KiB
  std::chrono::milliseconds ping_interval{25000};   // at least 1 s
  std::chrono::milliseconds pong_timeout{10000};    // 0 = no pong check
  std::chrono::milliseconds stale_close_delay{15000};
  int64_t max_messages_in_frame = 64;  // queued messages joined per frame
  int64_t io_threads = 0;  // event loops; 0 = one per usable core; <= 1024
  // Largest publication (encoded) the hub delivers; 0 = client queue size.
  int64_t max_publication_size = 0;
  // POST /api/live/push bodies and push WebSocket messages, in bytes.
  int64_t push_max_body_bytes = 16 * 1024 * 1024;
  // stream/ and grafana/broadcast channels whose last message is kept.
  int64_t push_max_channels = 10000;
  // Several hosts (Grafana's HA keys): "" keeps everything in this host's
  // memory; "redis" shares it through Redis at ha_engine_address
  // ("host:port" or "sentinel://host:port,.../<master>").
  std::string ha_engine;
  std::string ha_engine_address = "127.0.0.1:6379";
  std::string ha_engine_password;
  std::string ha_prefix;  // keys become "<ha_prefix>.gf_live..."
  // Beyond Grafana: how long a plugin channel's lease outlives its host's
  // last renewal; another host takes the stream over after about this.
  std::chrono::milliseconds ha_lease_ttl{3000};
};

struct StreamSettings {
  // How long a channel's RunStream outlives its last subscriber.
  std::chrono::milliseconds grace_period{5000};
  // Limits on starting RunStreams; 0 = none.
  int64_t max_starts_per_second = 10;  // per connection
  int64_t max_starts_burst = 20;       // per connection
  int64_t max_streams_per_plugin = 10000;
  int64_t max_streams = 20000;  // on this host
};

struct LogSettings {
  runnel::log::Level level = runnel::log::Level::kInfo;
};

struct Config {
  std::string home_path;
  ServerSettings server;
  PathSettings paths;
  LiveSettings live;
  StreamSettings stream;
  LogSettings log;
  // [plugin.<id>] sections: id → key → value (for GF_PLUGIN_<KEY>).
  std::map<std::string, std::map<std::string, std::string>> plugin_settings;
  // Unknown keys in known sections (likely typos), as "file:line: ..." lines.
  std::vector<std::string> warnings;
  IniStore raw;  // every value with its origin
};

struct ConfigSources {
  std::string home_path;      // folder holding conf/; relative paths start here
  std::string defaults_file;  // "" = <home_path>/conf/defaults.ini
  std::string config_file;    // --config; "" = none
  std::string executable_dir;  // folder of the running host binary
  EnvLookup getenv;            // null = ::getenv
};

Status LoadConfig(const ConfigSources& sources, Config* config);

// Types the values of an IniStore (already layered) into *config.
Status ConfigFromIni(const IniStore& ini, const ConfigSources& sources,
                     Config* config);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_CONFIG_H_

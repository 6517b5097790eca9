#include "config/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "config/config_values.h"

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

// The keys each known section understands; anything else is warned about.
const std::map<std::string, std::set<std::string>>& KnownKeys() {
  static const auto* known = new std::map<std::string, std::set<std::string>>{
      {"server",
       {"http_addr", "http_port", "root_url", "static_root_path",
        "enforce_domain", "max_header_bytes"}},
      {"paths", {"plugins", "provisioning"}},
      {"live",
       {"max_connections", "allowed_origins", "message_size_limit",
        "client_queue_max_size", "ping_interval", "pong_timeout",
        "stale_close_delay", "max_messages_in_frame", "io_threads",
        "max_publication_size", "push_max_body_bytes", "push_max_channels",
        "ha_engine", "ha_engine_address", "ha_engine_password", "ha_prefix",
        "ha_lease_ttl"}},
      {"stream",
       {"grace_period", "max_starts_per_second", "max_starts_burst",
        "max_streams_per_plugin", "max_streams"}},
      {"log", {"level"}},
  };
  return *known;
}

// Reads typed values out of an IniStore, turning every failure into a
// message that names the value's origin.
class Reader {
 public:
  explicit Reader(const IniStore& ini) : ini_(ini) {}

  const Status& status() const { return status_; }

  void String(const char* section, const char* key, std::string* out) {
    if (const IniValue* v = ini_.Find(section, key)) {
      *out = std::string(TrimSpace(v->value));
    }
  }

  // Calls check(value, &error) after parsing; false fails with error.
  template <typename Check>
  void Int(const char* section, const char* key, int64_t* out, Check check) {
    const IniValue* v = ini_.Find(section, key);
    if (v == nullptr || !status_.ok()) return;
    std::string error;
    int64_t value = 0;
    if (!ParseInt64(v->value, &value, &error) || !check(value, &error)) {
      Fail(*v, section, key, error);
      return;
    }
    *out = value;
  }

  template <typename Check>
  void Duration(const char* section, const char* key,
                std::chrono::milliseconds* out, Check check) {
    const IniValue* v = ini_.Find(section, key);
    if (v == nullptr || !status_.ok()) return;
    std::string error;
    std::chrono::milliseconds value{0};
    if (!ParseDuration(v->value, &value, &error) || !check(value, &error)) {
      Fail(*v, section, key, error);
      return;
    }
    *out = value;
  }

  // One of `allowed`, else a failure listing them.
  void OneOf(const char* section, const char* key, std::string* out,
             const std::vector<std::string>& allowed) {
    const IniValue* v = ini_.Find(section, key);
    if (v == nullptr || !status_.ok()) return;
    std::string value(TrimSpace(v->value));
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
      *out = value;
      return;
    }
    std::string names;
    for (const std::string& name : allowed) {
      names += (names.empty() ? "\"" : ", \"") + name + "\"";
    }
    Fail(*v, section, key, "'" + value + "' is not one of " + names);
  }

  void Bool(const char* section, const char* key, bool* out) {
    const IniValue* v = ini_.Find(section, key);
    if (v == nullptr || !status_.ok()) return;
    std::string error;
    if (!ParseBool(v->value, out, &error)) Fail(*v, section, key, error);
  }

  void LogLevel(runnel::log::Level* out) {
    const IniValue* v = ini_.Find("log", "level");
    if (v == nullptr || !status_.ok()) return;
    static const std::map<std::string, runnel::log::Level> kLevels = {
        {"trace", runnel::log::Level::kTrace},
        {"debug", runnel::log::Level::kDebug},
        {"info", runnel::log::Level::kInfo},
        {"warn", runnel::log::Level::kWarn},
        {"warning", runnel::log::Level::kWarn},
        {"error", runnel::log::Level::kError},
        {"critical", runnel::log::Level::kError},
    };
    auto it = kLevels.find(std::string(TrimSpace(v->value)));
    if (it == kLevels.end()) {
      Fail(*v, "log", "level",
           "'" + v->value +
               "' is not a level (trace, debug, info, warn, "
               "error)");
      return;
    }
    *out = it->second;
  }

  void Fail(const IniValue& v, const std::string& section,
            const std::string& key, const std::string& why) {
    if (!status_.ok()) return;
    status_ = Status::InvalidArgument(v.origin.ToString() + ": [" + section +
                                      "] " + key + ": " + why);
  }

 private:
  const IniStore& ini_;
  Status status_;
};

auto AtLeast(int64_t minimum, std::string what) {
  return [minimum, what](int64_t value, std::string* error) {
    if (value >= minimum) return true;
    *error = std::to_string(value) + " " + what;
    return false;
  };
}

auto Between(int64_t minimum, int64_t maximum, std::string what) {
  return [minimum, maximum, what](int64_t value, std::string* error) {
    if (value >= minimum && value <= maximum) return true;
    *error = std::to_string(value) + " " + what;
    return false;
  };
}

auto NonNegative() {
  return [](std::chrono::milliseconds, std::string*) { return true; };
}

auto Positive() {
  return [](std::chrono::milliseconds value, std::string* error) {
    if (value.count() > 0) return true;
    *error = "must be longer than 0";
    return false;
  };
}

auto AtLeastDuration(std::chrono::milliseconds minimum, std::string what) {
  return [minimum, what](std::chrono::milliseconds value, std::string* error) {
    if (value >= minimum) return true;
    *error = std::to_string(value.count()) + "ms " + what;
    return false;
  };
}

// A client queue smaller than this cannot hold one full-size message plus
// framing, so every busy client would be cut as slow.
constexpr int64_t kMinClientQueueBytes = 64 * 1024;
// Event loops beyond this are a typo, and each one is a thread.
constexpr int64_t kMaxIoThreads = 1024;

std::string Absolute(const std::string& home, const std::string& path) {
  if (path.empty()) return path;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(home) / p;
  return p.lexically_normal().string();
}

// [server]: the listen address and the panel page's folder.
void ReadServer(Reader& read, const ConfigSources& sources,
                ServerSettings* server) {
  read.String("server", "http_addr", &server->http_addr);
  int64_t port = server->http_port;
  read.Int("server", "http_port", &port, [](int64_t v, std::string* error) {
    if (v >= 0 && v <= 65535) return true;
    *error = std::to_string(v) + " is not a TCP port (0..65535)";
    return false;
  });
  server->http_port = static_cast<int>(port);
  read.String("server", "root_url", &server->root_url);
  read.String("server", "static_root_path", &server->static_root_path);
  read.Bool("server", "enforce_domain", &server->enforce_domain);
  read.Int("server", "max_header_bytes", &server->max_header_bytes,
           AtLeast(1024, "is too small: must be at least 1024 bytes"));
  if (server->static_root_path.empty()) {
    server->static_root_path =
        (fs::path(sources.executable_dir) / "web").lexically_normal().string();
  } else {
    server->static_root_path =
        Absolute(sources.home_path, server->static_root_path);
  }
}

// [paths]: absolute, with the defaults the build lays out.
void ReadPaths(Reader& read, const ConfigSources& sources,
               PathSettings* paths) {
  read.String("paths", "plugins", &paths->plugins);
  if (paths->plugins.empty()) {
    paths->plugins = (fs::path(sources.executable_dir) / ".." / "plugins")
                         .lexically_normal()
                         .string();
  } else {
    paths->plugins = Absolute(sources.home_path, paths->plugins);
  }
  read.String("paths", "provisioning", &paths->provisioning);
  if (paths->provisioning.empty()) paths->provisioning = "conf/provisioning";
  paths->provisioning = Absolute(sources.home_path, paths->provisioning);
}

// Over the client queue size no client could take a publication: every
// subscriber would be closed with 3008.
auto PublicationFitsQueue(int64_t queue) {
  return [queue](int64_t v, std::string* error) {
    if (v >= 0 && v <= queue) return true;
    *error =
        "must be between 0 (client_queue_max_size) and "
        "client_queue_max_size (" +
        std::to_string(queue) + ")";
    return false;
  };
}

// [live] ha_*: the engine several hosts share.
void ReadHighAvailability(Reader& read, LiveSettings* live) {
  read.OneOf("live", "ha_engine", &live->ha_engine, {"", "redis"});
  read.String("live", "ha_engine_address", &live->ha_engine_address);
  if (live->ha_engine_address.empty()) {
    live->ha_engine_address = "127.0.0.1:6379";  // Grafana's default
  }
  read.String("live", "ha_engine_password", &live->ha_engine_password);
  read.String("live", "ha_prefix", &live->ha_prefix);
  read.Duration("live", "ha_lease_ttl", &live->ha_lease_ttl,
                AtLeastDuration(std::chrono::milliseconds(300),
                                "is too short: must be at least 300ms"));
}

// [live]: connections, message and queue sizes, pings, event loops.
void ReadLive(Reader& read, LiveSettings* live) {
  read.Int("live", "max_connections", &live->max_connections,
           AtLeast(-1,
                   "is not allowed: use -1 (unlimited), 0 (Live off) "
                   "or a positive limit"));
  std::string origins;
  read.String("live", "allowed_origins", &origins);
  live->allowed_origins = ParseList(origins);
  read.Int("live", "message_size_limit", &live->message_size_limit,
           AtLeast(1, "is too small: must be at least 1 byte"));
  read.Int("live", "client_queue_max_size", &live->client_queue_max_size,
           AtLeast(kMinClientQueueBytes,
                   "is too small: must be at least 65536 bytes (64 KiB)"));
  read.Duration("live", "ping_interval", &live->ping_interval,
                AtLeastDuration(std::chrono::seconds(1),
                                "is too short: must be at least 1s"));
  read.Duration("live", "pong_timeout", &live->pong_timeout, NonNegative());
  read.Duration("live", "stale_close_delay", &live->stale_close_delay,
                Positive());
  read.Int("live", "max_messages_in_frame", &live->max_messages_in_frame,
           AtLeast(1, "is too small: must be at least 1"));
  read.Int("live", "io_threads", &live->io_threads,
           Between(0, kMaxIoThreads,
                   "is not allowed: use 0 (one per core) or a count up to "
                   "1024"));
  read.Int("live", "max_publication_size", &live->max_publication_size,
           PublicationFitsQueue(live->client_queue_max_size));
  read.Int("live", "push_max_body_bytes", &live->push_max_body_bytes,
           AtLeast(1, "is too small: must be at least 1 byte"));
  read.Int("live", "push_max_channels", &live->push_max_channels,
           AtLeast(1, "is too small: must be at least 1"));
  ReadHighAvailability(read, live);
}

// [stream]: the grace period and the RunStream start limits.
void ReadStream(Reader& read, StreamSettings* stream) {
  read.Duration("stream", "grace_period", &stream->grace_period, NonNegative());
  read.Int("stream", "max_starts_per_second", &stream->max_starts_per_second,
           AtLeast(0, "is not allowed: use 0 (no limit) or a rate"));
  read.Int("stream", "max_starts_burst", &stream->max_starts_burst,
           AtLeast(1, "is too small: must be at least 1"));
  read.Int("stream", "max_streams_per_plugin", &stream->max_streams_per_plugin,
           AtLeast(0, "is not allowed: use 0 (no limit) or a count"));
  read.Int("stream", "max_streams", &stream->max_streams,
           AtLeast(0, "is not allowed: use 0 (no limit) or a count"));
}

// [plugin.<id>] sections, kept as they are for the plugin's environment.
std::map<std::string, std::map<std::string, std::string>> PluginSettings(
    const IniStore& ini) {
  std::map<std::string, std::map<std::string, std::string>> plugins;
  for (const auto& [section, keys] : ini.sections()) {
    if (section.rfind("plugin.", 0) != 0) continue;
    auto& settings = plugins[section.substr(7)];
    for (const auto& [key, value] : keys) settings[key] = value.value;
  }
  return plugins;
}

// A warning for every key of a known section that the host does not read
// (a typo would otherwise silently keep the default). Other Grafana
// sections are not ours to judge.
std::vector<std::string> UnknownKeyWarnings(const IniStore& ini) {
  std::vector<std::string> warnings;
  for (const auto& [section, keys] : ini.sections()) {
    auto known = KnownKeys().find(section);
    if (known == KnownKeys().end()) continue;
    for (const auto& [key, value] : keys) {
      if (known->second.count(key) == 0) {
        warnings.push_back(value.origin.ToString() + ": [" + section + "] " +
                           key + " is not a known key");
      }
    }
  }
  return warnings;
}

}  // namespace

Status ConfigFromIni(const IniStore& ini, const ConfigSources& sources,
                     Config* config) {
  Reader read(ini);
  config->home_path = sources.home_path;
  ReadServer(read, sources, &config->server);
  ReadPaths(read, sources, &config->paths);
  ReadLive(read, &config->live);
  ReadStream(read, &config->stream);
  read.LogLevel(&config->log.level);
  if (!read.status().ok()) return read.status();
  config->plugin_settings = PluginSettings(ini);
  config->warnings = UnknownKeyWarnings(ini);
  config->raw = ini;
  return Status::Ok();
}

Status LoadConfig(const ConfigSources& sources, Config* config) {
  EnvLookup getenv = sources.getenv;
  if (!getenv) getenv = [](const char* name) { return std::getenv(name); };
  std::string defaults = sources.defaults_file;
  if (defaults.empty()) {
    defaults = (fs::path(sources.home_path) / "conf" / "defaults.ini").string();
  }
  IniStore ini;
  Status status = ini.ParseFile(defaults);
  if (!status.ok()) return status;
  if (!sources.config_file.empty()) {
    status = ini.ParseFile(sources.config_file);
    if (!status.ok()) return status;
  }
  ini.ApplyEnvironment(kEnvPrefix, getenv);
  ini.ExpandEnvironment(getenv);
  return ConfigFromIni(ini, sources, config);
}

}  // namespace runnel::host

#include "plugin_process.h"

#include <cstdlib>

namespace runnel::testing {

std::map<std::string, std::string> GrafanaPluginEnv(
    const std::string& socket_dir) {
  std::map<std::string, std::string> env = {
      {"grafana_plugin_type", "datasource"},  {"PLUGIN_PROTOCOL_VERSIONS", "2"},
      {"PLUGIN_MIN_PORT", "10000"},           {"PLUGIN_MAX_PORT", "25000"},
      {"PLUGIN_UNIX_SOCKET_DIR", socket_dir}, {"GF_VERSION", "11.0.0"},
  };
  if (const char* path = std::getenv("PATH")) env["PATH"] = path;
  // Sanitized builds: let the plugin's reports go where the test's go.
  for (const char* name : {"ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  return env;
}

}  // namespace runnel::testing

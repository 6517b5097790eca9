// PluginContext: who is asking and on behalf of which data source or app.
// Built by the SDK from each request; plain values, safe to copy.
#ifndef RUNNEL_PLUGIN_CONTEXT_H_
#define RUNNEL_PLUGIN_CONTEXT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace runnel {

struct User {
  std::string login;
  std::string name;
  std::string email;
  std::string role;
};

struct DataSourceInstanceSettings {
  int64_t id = 0;
  std::string name;
  std::string url;
  std::string user;
  std::string database;
  bool basic_auth_enabled = false;
  std::string basic_auth_user;
  std::string json_data;  // raw JSON bytes as the host sent them
  std::map<std::string, std::string> decrypted_secure_json_data;
  int64_t last_updated_ms = 0;
  std::string uid;
  std::string api_version;
};

struct AppInstanceSettings {
  std::string json_data;
  std::map<std::string, std::string> decrypted_secure_json_data;
  int64_t last_updated_ms = 0;
  std::string api_version;
};

struct PluginContext {
  int64_t org_id = 0;
  std::string plugin_id;
  std::optional<User> user;
  std::optional<AppInstanceSettings> app_instance_settings;
  std::optional<DataSourceInstanceSettings> data_source_instance_settings;
  std::map<std::string, std::string> grafana_config;
  std::string plugin_version;
  std::string user_agent;
  std::string api_version;
};

}  // namespace runnel

#endif  // RUNNEL_PLUGIN_CONTEXT_H_

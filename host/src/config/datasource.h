// DataSource: one provisioned data source, as read from
// provisioning/datasources/*.yaml (Grafana's format). Plain value.
#ifndef RUNNEL_HOST_CONFIG_DATASOURCE_H_
#define RUNNEL_HOST_CONFIG_DATASOURCE_H_

#include <cstdint>
#include <map>
#include <string>

namespace runnel::host {

struct DataSource {
  int64_t id = 0;  // 1-based, in provisioning order
  std::string name;
  std::string type;  // plugin id or alias, e.g. "testdata"
  std::string uid;
  std::string url;
  std::string user;
  std::string database;
  bool basic_auth = false;
  std::string basic_auth_user;
  bool is_default = false;
  std::string json_data = "{}";  // jsonData re-encoded as JSON text
  std::map<std::string, std::string> secure_json_data;
  int64_t updated_ms = 0;   // when it was (re)provisioned; lastUpdatedMS
  std::string source_file;  // the YAML file it came from
  int source_line = 0;      // 1-based line of its list item in that file
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_DATASOURCE_H_

#include "config/provisioning.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "config/yaml_limits.h"

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxUidLength = 40;

std::string Where(const std::string& file, const YAML::Mark& mark) {
  // yaml-cpp lines are 0-based; a null mark has line -1.
  return file + ":" + std::to_string(mark.line >= 0 ? mark.line + 1 : 1);
}

// A plain (unquoted) YAML scalar becomes a bool, null or number when it
// reads as one, as Grafana's YAML decoder does; quoted ones stay strings.
nlohmann::json ScalarToJSON(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null") {
    return nullptr;
  }
  try {
    size_t used = 0;
    long long i = std::stoll(text, &used, 10);
    if (used == text.size()) return i;
    double d = std::stod(text, &used);
    if (used == text.size()) return d;
  } catch (const std::exception&) {
  }
  return text;
}

nlohmann::json YamlToJSON(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) {
        obj[kv.first.as<std::string>()] = YamlToJSON(kv.second);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(YamlToJSON(item));
      return arr;
    }
    case YAML::NodeType::Scalar:
      return ScalarToJSON(node);
    default:
      return nullptr;
  }
}

std::string DeriveUid(const std::string& name) {
  std::string uid;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') {
      uid.push_back(static_cast<char>(std::tolower(u)));
    } else {
      uid.push_back('-');
    }
    if (uid.size() == kMaxUidLength) break;
  }
  return uid;
}

bool ValidUid(const std::string& uid) {
  if (uid.empty() || uid.size() > kMaxUidLength) return false;
  return std::all_of(uid.begin(), uid.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// One key: value of a data source map, with where the key is for errors.
struct YamlEntry {
  std::string key;
  const YAML::Node& value;
  std::string at;  // file:line
};

Status ReadScalar(const YamlEntry& entry, std::string* out) {
  if (entry.value.IsNull()) return Status::Ok();
  if (!entry.value.IsScalar()) {
    return Status::InvalidArgument(entry.at + ": '" + entry.key +
                                   "' must be a single value");
  }
  *out = entry.value.Scalar();
  return Status::Ok();
}

Status ReadBool(const YamlEntry& entry, bool* out) {
  if (entry.value.IsNull()) return Status::Ok();
  bool b = false;
  if (!entry.value.IsScalar() || !YAML::convert<bool>::decode(entry.value, b)) {
    return Status::InvalidArgument(entry.at + ": '" + entry.key +
                                   "' must be true or false");
  }
  *out = b;
  return Status::Ok();
}

// jsonData: any map, kept as JSON for the plugin.
Status ReadJSONData(const YamlEntry& entry, std::string* out) {
  if (!entry.value.IsNull() && !entry.value.IsMap()) {
    return Status::InvalidArgument(entry.at + ": 'jsonData' must be a map");
  }
  if (entry.value.IsMap()) *out = YamlToJSON(entry.value).dump();
  return Status::Ok();
}

// secureJsonData: a map of strings.
Status ReadSecureJSONData(const YamlEntry& entry, const std::string& file,
                          std::map<std::string, std::string>* out) {
  if (!entry.value.IsNull() && !entry.value.IsMap()) {
    return Status::InvalidArgument(entry.at +
                                   ": 'secureJsonData' must be a map");
  }
  if (!entry.value.IsMap()) return Status::Ok();
  for (const auto& secret : entry.value) {
    if (!secret.second.IsScalar() && !secret.second.IsNull()) {
      return Status::InvalidArgument(
          Where(file, secret.first.Mark()) + ": secureJsonData '" +
          secret.first.as<std::string>() + "' must be a string");
    }
    (*out)[secret.first.as<std::string>()] =
        secret.second.IsNull() ? "" : secret.second.Scalar();
  }
  return Status::Ok();
}

// Stores one entry in its DataSource field. Other Grafana fields (orgId,
// access, version, editable, ...) are accepted and have no meaning here.
Status ReadDataSourceEntry(const YamlEntry& entry, const std::string& file,
                           DataSource* ds) {
  const std::string& key = entry.key;
  if (key == "name") return ReadScalar(entry, &ds->name);
  if (key == "type") return ReadScalar(entry, &ds->type);
  if (key == "uid") return ReadScalar(entry, &ds->uid);
  if (key == "url") return ReadScalar(entry, &ds->url);
  if (key == "user") return ReadScalar(entry, &ds->user);
  if (key == "database") return ReadScalar(entry, &ds->database);
  if (key == "basicAuth") return ReadBool(entry, &ds->basic_auth);
  if (key == "basicAuthUser") return ReadScalar(entry, &ds->basic_auth_user);
  if (key == "isDefault") return ReadBool(entry, &ds->is_default);
  if (key == "jsonData") return ReadJSONData(entry, &ds->json_data);
  if (key == "secureJsonData") {
    return ReadSecureJSONData(entry, file, &ds->secure_json_data);
  }
  return Status::Ok();
}

// A name and a type are required; a missing uid is derived from the name.
Status CompleteDataSource(const std::string& where, DataSource* ds) {
  if (ds->name.empty()) {
    return Status::InvalidArgument(where + ": data source has no 'name'");
  }
  if (ds->type.empty()) {
    return Status::InvalidArgument(where + ": data source '" + ds->name +
                                   "' has no 'type'");
  }
  if (ds->uid.empty()) ds->uid = DeriveUid(ds->name);
  if (!ValidUid(ds->uid)) {
    return Status::InvalidArgument(
        where + ": data source '" + ds->name + "' has uid '" + ds->uid +
        "': a uid is 1 to 40 characters of letters, digits, '-' and '_'");
  }
  return Status::Ok();
}

// Reads one data source map into *ds. Returns an error naming the line.
Status ReadDataSource(const YAML::Node& item, const std::string& file,
                      DataSource* ds) {
  std::string where = Where(file, item.Mark());
  if (!item.IsMap()) {
    return Status::InvalidArgument(where + ": each data source must be a map");
  }
  ds->source_file = file;
  ds->source_line = item.Mark().line + 1;
  for (const auto& kv : item) {
    YamlEntry entry{kv.first.as<std::string>(), kv.second,
                    Where(file, kv.first.Mark())};
    Status status = ReadDataSourceEntry(entry, file, ds);
    if (!status.ok()) return status;
  }
  return CompleteDataSource(where, ds);
}

// The top level: a map whose 'apiVersion', when given, is a number.
Status CheckDocument(const YAML::Node& root, const std::string& file) {
  if (!root.IsMap()) {
    return Status::InvalidArgument(
        Where(file, root.Mark()) +
        ": expected a map with 'apiVersion' and 'datasources'");
  }
  if (YAML::Node version = root["apiVersion"]; version && !version.IsNull()) {
    int v = 0;
    if (!version.IsScalar() || !YAML::convert<int>::decode(version, v) ||
        v < 0) {
      return Status::InvalidArgument(Where(file, version.Mark()) +
                                     ": 'apiVersion' must be a number");
    }
  }
  return Status::Ok();
}

// Uids and names are unique, and at most one data source is the default.
Status CheckNoClash(const DataSource& ds, const std::string& where,
                    const std::vector<DataSource>& earlier) {
  for (const DataSource& other : earlier) {
    std::string first =
        other.source_file + ":" + std::to_string(other.source_line);
    if (other.uid == ds.uid) {
      return Status::InvalidArgument(where + ": duplicate data source uid '" +
                                     ds.uid + "' (first at " + first + ")");
    }
    if (other.name == ds.name) {
      return Status::InvalidArgument(where + ": duplicate data source name '" +
                                     ds.name + "' (first at " + first + ")");
    }
    if (other.is_default && ds.is_default) {
      return Status::InvalidArgument(
          where + ": only one data source can be isDefault (first at " + first +
          ")");
    }
  }
  return Status::Ok();
}

Status ParseDocument(const YAML::Node& root, const std::string& file,
                     std::vector<DataSource>* out) {
  if (root.IsNull()) return Status::Ok();  // empty file
  Status document = CheckDocument(root, file);
  if (!document.ok()) return document;
  YAML::Node list = root["datasources"];
  if (!list || list.IsNull()) return Status::Ok();
  if (!list.IsSequence()) {
    return Status::InvalidArgument(Where(file, list.Mark()) +
                                   ": 'datasources' must be a list");
  }
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (const auto& item : list) {
    DataSource ds;
    Status status = ReadDataSource(item, file, &ds);
    if (!status.ok()) return status;
    status = CheckNoClash(ds, Where(file, item.Mark()), *out);
    if (!status.ok()) return status;
    ds.id = static_cast<int64_t>(out->size()) + 1;
    ds.updated_ms = now_ms;
    out->push_back(std::move(ds));
  }
  return Status::Ok();
}

}  // namespace

Status ParseDataSourcesYaml(const std::string& text,
                            const std::string& file_name,
                            std::vector<DataSource>* out) {
  // Before Load: the tree would be small, but turning it into JSON below
  // expands every alias.
  Status limits = CheckYamlLimits(text, file_name);
  if (!limits.ok()) return limits;
  try {
    return ParseDocument(YAML::Load(text), file_name, out);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(file_name, e.mark) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(file_name + ": " + e.what());
  }
}

Status LoadDataSources(const std::string& provisioning_dir,
                       std::vector<DataSource>* out) {
  fs::path dir = fs::path(provisioning_dir) / "datasources";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
      files.push_back(entry.path());
    }
  }
  if (ec) {
    return Status::Internal(dir.string() + ": cannot list: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return Status::NotFound(file.string() + ": cannot open");
    }
    std::ostringstream text;
    text << in.rdbuf();
    Status status = ParseDataSourcesYaml(text.str(), file.string(), out);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status CheckDataSourceTypes(
    const std::vector<DataSource>& sources,
    const std::function<bool(const std::string&)>& resolves,
    const std::vector<std::string>& known_plugin_ids) {
  for (const DataSource& ds : sources) {
    if (resolves(ds.type)) continue;
    std::string have;
    for (const std::string& id : known_plugin_ids) {
      have += (have.empty() ? "" : ", ") + id;
    }
    if (have.empty()) have = "none";
    return Status::NotFound(
        ds.source_file + ":" + std::to_string(ds.source_line) +
        ": data source '" + ds.name + "' has type '" + ds.type +
        "', which is not an installed plugin (have: " + have + ")");
  }
  return Status::Ok();
}

}  // namespace runnel::host

#include "plugin/plugin_json.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace runnel::host {
namespace fs = std::filesystem;
namespace {

bool IsExecutableFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
}

Status Bad(const fs::path& file, std::string_view what) {
  return Status::InvalidArgument(file.string() + ": " + std::string(what));
}

// A string member, or "" if absent; error if present but not a string.
Status GetString(const nlohmann::json& json, const char* key,
                 const fs::path& file, std::string* out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return Bad(file, std::string("\"") + key + "\" must be a string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

}  // namespace

std::string_view GoArch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

namespace {

// plugin.json as a JSON object; NotFound when the file is not there.
Status ReadJSONObject(const fs::path& file, nlohmann::json* json) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return Status::NotFound(file.string() + ": no such file");
  }
  std::ifstream in(file);
  if (!in) return Bad(file, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  try {
    *json = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    return Bad(file, std::string("invalid JSON: ") + e.what());
  }
  if (!json->is_object()) return Bad(file, "must be a JSON object");
  return Status::Ok();
}

// "aliasIDs": a list of strings, when present.
Status ReadAliases(const nlohmann::json& json, const fs::path& file,
                   std::vector<std::string>* out) {
  auto aliases = json.find("aliasIDs");
  if (aliases == json.end()) return Status::Ok();
  if (!aliases->is_array()) return Bad(file, "\"aliasIDs\" must be a list");
  for (const auto& alias : *aliases) {
    if (!alias.is_string()) {
      return Bad(file, "\"aliasIDs\" must hold strings");
    }
    out->push_back(alias.get<std::string>());
  }
  return Status::Ok();
}

// The members the host uses. Unimplemented when the plugin has no backend
// (a frontend-only plugin, which is skipped rather than an error).
Status ReadManifestFields(const nlohmann::json& json, const fs::path& file,
                          PluginManifest* parsed) {
  for (auto [key, out] :
       {std::pair{"id", &parsed->id}, std::pair{"type", &parsed->type},
        std::pair{"name", &parsed->name},
        std::pair{"executable", &parsed->executable}}) {
    Status s = GetString(json, key, file, out);
    if (!s.ok()) return s;
  }
  if (auto info = json.find("info"); info != json.end() && info->is_object()) {
    Status s = GetString(*info, "version", file, &parsed->version);
    if (!s.ok()) return s;
  }
  auto backend = json.find("backend");
  if (backend == json.end() || !backend->is_boolean() ||
      !backend->get<bool>()) {
    return Status::Unimplemented(file.string() +
                                 ": \"backend\" is not true (not a backend "
                                 "plugin)");
  }
  if (parsed->id.empty()) return Bad(file, "missing \"id\"");
  if (parsed->executable.empty()) return Bad(file, "missing \"executable\"");
  return ReadAliases(json, file, &parsed->alias_ids);
}

// The binary as Grafana looks for it: <executable>_linux_<arch>, else the
// plain name.
Status FindExecutable(const fs::path& dir, const fs::path& file,
                      PluginManifest* parsed) {
  const fs::path with_arch =
      dir / (parsed->executable + "_linux_" + std::string(GoArch()));
  const fs::path plain = dir / parsed->executable;
  if (IsExecutableFile(with_arch)) {
    parsed->executable_path = with_arch.string();
  } else if (IsExecutableFile(plain)) {
    parsed->executable_path = plain.string();
  } else {
    return Bad(file, "executable not found: neither " + with_arch.string() +
                         " nor " + plain.string() +
                         " exists as an executable file");
  }
  return Status::Ok();
}

}  // namespace

Status ReadPluginFolder(const std::string& folder, PluginManifest* manifest) {
  std::error_code ec;
  fs::path dir = fs::absolute(folder, ec);
  if (fs::is_directory(dir / "dist", ec)) dir /= "dist";
  const fs::path file = dir / "plugin.json";
  nlohmann::json json;
  Status s = ReadJSONObject(file, &json);
  if (!s.ok()) return s;
  PluginManifest parsed;
  parsed.dir = dir.string();
  s = ReadManifestFields(json, file, &parsed);
  if (!s.ok()) return s;
  s = FindExecutable(dir, file, &parsed);
  if (!s.ok()) return s;
  *manifest = std::move(parsed);
  return Status::Ok();
}

DiscoveryResult DiscoverPlugins(const std::vector<std::string>& paths) {
  DiscoveryResult result;
  auto try_folder = [&result](const fs::path& folder) {
    PluginManifest manifest;
    Status s = ReadPluginFolder(folder.string(), &manifest);
    if (s.ok()) {
      result.plugins.push_back(std::move(manifest));
    } else if (s.code() == StatusCode::kUnimplemented) {
      result.skipped_frontend_only.push_back(folder.string());
    } else if (s.code() != StatusCode::kNotFound) {
      result.errors.push_back(s.message());
    }
    return s.code() != StatusCode::kNotFound;
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      result.errors.push_back(path + ": plugin directory does not exist");
      continue;
    }
    if (try_folder(path)) continue;  // the path is a plugin folder itself
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_directory(ec)) children.push_back(entry.path());
    }
    std::sort(children.begin(), children.end());
    for (const fs::path& child : children) try_folder(child);
  }
  return result;
}

}  // namespace runnel::host

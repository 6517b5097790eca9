// Plugin discovery: finds backend plugins as folders holding a plugin.json
// with "backend": true, and the executable to run for this machine
// (<executable>_linux_<arch>, else <executable>; a dist/ subfolder is used
// instead of the folder when present, as Grafana does).
// Pure functions over the file system; thread-safe.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_JSON_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "runnel/status.h"

namespace runnel::host {

// What the host needs to know about one backend plugin.
struct PluginManifest {
  std::string id;    // "grafana-testdata-datasource"
  std::string type;  // "datasource", "app", ...
  std::string name;
  std::string version;                 // info.version, "" if absent
  std::vector<std::string> alias_ids;  // ["testdata"]
  std::string executable;              // plugin.json "executable"
  std::string dir;                     // folder holding plugin.json
  std::string executable_path;         // absolute path of the binary to run
};

// The Go architecture name of this build: "amd64", "arm64", ...
std::string_view GoArch();

// Reads <folder>/plugin.json (or <folder>/dist/plugin.json if dist/ exists).
// NotFound: no plugin.json in the folder. Unimplemented: "backend" is not
// true (a frontend-only plugin). InvalidArgument: the file is bad
// (unparsable JSON, missing id/executable, no executable
// file found); the message names the file and what is wrong.
Status ReadPluginFolder(const std::string& folder, PluginManifest* manifest);

struct DiscoveryResult {
  std::vector<PluginManifest> plugins;
  std::vector<std::string> errors;  // one per folder that was skipped
  // Folders with a plugin.json whose backend is not true (not errors).
  std::vector<std::string> skipped_frontend_only;
};

// Scans each path: a plugin folder itself, or a folder of plugin folders
// (one level down). Paths that do not exist are reported in errors.
DiscoveryResult DiscoverPlugins(const std::vector<std::string>& paths);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_JSON_H_

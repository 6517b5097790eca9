// Plugin stderr lines to host log entries: hclog JSON ("@level", "@message",
// "@timestamp", other keys as key/values), else a "[LEVEL]" or "panic:"
// prefix, else debug (hashicorp/go-plugin client.go and log_entry.go).
// Pure functions; thread-safe.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_LOG_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_LOG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runnel/log.h"

namespace runnel::host {

struct PluginLogEntry {
  log::Level level = log::Level::kDebug;
  std::string message;
  std::string timestamp;  // the plugin's @timestamp, "" if none
  std::vector<std::pair<std::string, std::string>> kv;  // in line order
};

PluginLogEntry ParsePluginLogLine(std::string_view line);

// Writes the entry to the host log (runnel::log) tagged plugin=<plugin_id>;
// the entry's own key/values are appended to the message as key=value.
void WritePluginLog(std::string_view plugin_id, const PluginLogEntry& entry);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_LOG_H_

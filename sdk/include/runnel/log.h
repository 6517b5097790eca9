// Logging for plugins: hclog-style JSON lines on stderr
// ({"@level":..,"@message":..,"@timestamp":..,<key>:<value>...}), which a
// go-plugin host parses and shows under the plugin's name.
// Thread-safety: every function may be called from any thread; lines are
// written whole.
#ifndef RUNNEL_LOG_H_
#define RUNNEL_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace runnel::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

using KeyValues =
    std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Lines below this level are dropped. Default: kDebug, or GF_PLUGIN_LOG_LEVEL
// (trace, debug, info, warn[ing] or error, any case) read on first use.
void SetLevel(Level level);

void Write(Level level, std::string_view message, KeyValues kv = {});
inline void Debug(std::string_view m, KeyValues kv = {}) {
  Write(Level::kDebug, m, kv);
}
inline void Info(std::string_view m, KeyValues kv = {}) {
  Write(Level::kInfo, m, kv);
}
inline void Warn(std::string_view m, KeyValues kv = {}) {
  Write(Level::kWarn, m, kv);
}
inline void Error(std::string_view m, KeyValues kv = {}) {
  Write(Level::kError, m, kv);
}

// The line Write would emit, without the trailing newline (for tests). Write
// stamps lines in UTC ("2026-11-22T01:02:03.123456Z"). A pair whose key is
// one of the three @ keys is written with a "_" prefix so it cannot replace
// them.
std::string FormatLine(Level level, std::string_view message, KeyValues kv,
                       std::string_view timestamp);

}  // namespace runnel::log

#endif  // RUNNEL_LOG_H_

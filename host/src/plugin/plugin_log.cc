#include "plugin/plugin_log.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace runnel::host {
namespace {

log::Level LevelFromName(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  if (lower == "trace") return log::Level::kTrace;
  if (lower == "debug") return log::Level::kDebug;
  if (lower == "info") return log::Level::kInfo;
  if (lower == "warn" || lower == "warning") return log::Level::kWarn;
  if (lower == "error") return log::Level::kError;
  return log::Level::kDebug;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Deepest nesting of objects and arrays in `json`, strings skipped. A
// plugin's log line comes from outside: dump() below recurses once per
// level, so a deeply nested value would overflow the stack.
size_t NestingDepth(std::string_view json) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Deeper lines are logged as plain text.
constexpr size_t kMaxLogLineDepth = 32;

std::string ValueText(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

PluginLogEntry ParsePluginLogLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  PluginLogEntry entry;
  if (!line.empty() && line.front() == '{' &&
      NestingDepth(line) <= kMaxLogLineDepth) {
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(
        line, nullptr, /*allow_exceptions=*/false);
    if (json.is_object()) {
      for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() == "@message") {
          entry.message = ValueText(it.value());
        } else if (it.key() == "@level") {
          entry.level = LevelFromName(ValueText(it.value()));
        } else if (it.key() == "@timestamp") {
          entry.timestamp = ValueText(it.value());
        } else {
          entry.kv.emplace_back(it.key(), ValueText(it.value()));
        }
      }
      return entry;
    }
  }
  struct Prefix {
    std::string_view text;
    log::Level level;
  };
  static constexpr Prefix kPrefixes[] = {
      {"[TRACE]", log::Level::kTrace}, {"[DEBUG]", log::Level::kDebug},
      {"[INFO]", log::Level::kInfo},   {"[WARN]", log::Level::kWarn},
      {"[ERROR]", log::Level::kError},
  };
  for (const Prefix& prefix : kPrefixes) {
    if (StartsWith(line, prefix.text)) {
      std::string_view rest = line.substr(prefix.text.size());
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      entry.level = prefix.level;
      entry.message = std::string(rest);
      return entry;
    }
  }
  entry.level =
      StartsWith(line, "panic:") ? log::Level::kError : log::Level::kDebug;
  entry.message = std::string(line);
  return entry;
}

void WritePluginLog(std::string_view plugin_id, const PluginLogEntry& entry) {
  std::string message = entry.message;
  for (const auto& [key, value] : entry.kv) {
    message += ' ';
    message += key;
    message += '=';
    message += value;
  }
  log::Write(entry.level, message, {{"plugin", plugin_id}});
}

}  // namespace runnel::host

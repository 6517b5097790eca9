// hclog-style JSON log lines on stderr (see log.h).
#include "runnel/log.h"

#include <absl/base/attributes.h>
#include <absl/base/const_init.h>
#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "json_escape.h"

namespace runnel::log {
namespace {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// GF_PLUGIN_LOG_LEVEL if it names a level, else debug.
Level InitialLevel() {
  const char* env = std::getenv("GF_PLUGIN_LOG_LEVEL");
  if (env == nullptr) return Level::kDebug;
  std::string_view v(env);
  if (EqualsIgnoreCase(v, "trace")) return Level::kTrace;
  if (EqualsIgnoreCase(v, "debug")) return Level::kDebug;
  if (EqualsIgnoreCase(v, "info")) return Level::kInfo;
  if (EqualsIgnoreCase(v, "warn") || EqualsIgnoreCase(v, "warning"))
    return Level::kWarn;
  if (EqualsIgnoreCase(v, "error")) return Level::kError;
  return Level::kDebug;
}

// The minimum level written. A function-local static so it is initialised
// (from the environment) on first use, even from another static initialiser.
std::atomic<int>& MinLevel() {
  static std::atomic<int> level{static_cast<int>(InitialLevel())};
  return level;
}

// Held for each write to file descriptor 2, so that lines from different
// threads never interleave. Constant-initialised, so it is ready for a line
// logged from another static initialiser.
ABSL_CONST_INIT absl::Mutex stderr_mu(absl::kConstInit);

// Now as hclog's "2006-01-02T15:04:05.000000Z07:00", in UTC.
std::string NowTimestamp() {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  auto now = std::chrono::system_clock::now();
  int64_t micros = duration_cast<microseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[80];  // roomy enough for any int year, so no truncation warning
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<int>(fraction));
  return buf;
}

void WriteAll(int fd, const char* data, size_t size)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(stderr_mu) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a logging failure
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

bool IsReservedKey(std::string_view key) {
  return key == "@level" || key == "@message" || key == "@timestamp";
}

}  // namespace

void SetLevel(Level level) {
  MinLevel().store(static_cast<int>(level), std::memory_order_relaxed);
}

std::string FormatLine(Level level, std::string_view message, KeyValues kv,
                       std::string_view timestamp) {
  std::string line;
  line.reserve(64 + message.size() + timestamp.size());
  line.append("{\"@level\":\"");
  line.append(LevelName(level));
  line.append("\",\"@message\":");
  internal::AppendJSONString(message, line);
  line.append(",\"@timestamp\":");
  internal::AppendJSONString(timestamp, line);
  for (const auto& [key, value] : kv) {
    line.push_back(',');
    if (IsReservedKey(key)) {
      // A second "@message" would replace the real one in the host's parse.
      std::string renamed = "_";
      renamed.append(key);
      internal::AppendJSONString(renamed, line);
    } else {
      internal::AppendJSONString(key, line);
    }
    line.push_back(':');
    internal::AppendJSONString(value, line);
  }
  line.push_back('}');
  return line;
}

void Write(Level level, std::string_view message, KeyValues kv) {
  if (static_cast<int>(level) < MinLevel().load(std::memory_order_relaxed)) {
    return;
  }
  std::string line = FormatLine(level, message, kv, NowTimestamp());
  line.push_back('\n');
  absl::MutexLock lock(&stderr_mu);
  WriteAll(STDERR_FILENO, line.data(), line.size());
}

}  // namespace runnel::log

// Small helpers shared by the integration tests: the shared test support
// they use, /metrics and /api/health reads, log lines. Thread-safety: test
// thread only.
#ifndef RUNNEL_TESTS_HOST_INTEGRATION_TEST_SUPPORT_H_
#define RUNNEL_TESTS_HOST_INTEGRATION_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <iomanip>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "support/http_get.h"
#include "support/raw_ws_client.h"
#include "support/wait_until.h"
#include "support/ws_client.h"

namespace runnel::host::testing {

using JSON = nlohmann::json;
using Millis = std::chrono::milliseconds;
using ::runnel::testing::HttpGet;
using ::runnel::testing::HttpResult;
using ::runnel::testing::UpgradeStatus;
using ::runnel::testing::WaitUntil;
using ::runnel::testing::WsClient;

// Opens a Live client to the host on `port` and connects it; fails the
// test (and returns the client anyway) otherwise.
inline std::unique_ptr<WsClient> Connected(uint16_t port) {
  auto client = std::make_unique<WsClient>();
  EXPECT_TRUE(client->Open(port)) << client->error();
  JSON reply = client->Connect();
  EXPECT_TRUE(reply.contains("connect")) << reply.dump();
  return client;
}

inline std::string Metrics(uint16_t port) {
  return HttpGet(port, "/metrics").body;
}

inline JSON Health(uint16_t port) {
  HttpResult response = HttpGet(port, "/api/health");
  if (response.status != 200) return nullptr;
  return JSON::parse(response.body, nullptr, false);
}

// The value of an unlabelled (or exactly labelled, e.g.
// `runnel_plugin_restarts_total{plugin="x"}`) sample in Prometheus text;
// -1 if absent.
inline double MetricValue(const std::string& metrics,
                          const std::string& sample) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(sample + " ", 0) == 0) {
      return std::stod(line.substr(sample.size() + 1));
    }
  }
  return -1;
}

// The pid of the plugin with this id (or -1), from /api/health.
inline int PluginPid(uint16_t port, const std::string& id) {
  JSON health = Health(port);
  if (!health.is_object()) return -1;
  for (const JSON& plugin : health["plugins"]) {
    if (plugin.value("id", "") == id) return plugin.value("pid", -1);
  }
  return -1;
}

// Number of lines of `log` holding every one of `parts`.
inline int CountLogLines(const std::string& log,
                         std::initializer_list<std::string> parts) {
  int count = 0;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string_view line(log.data() + start, end - start);
    bool all = true;
    for (const std::string& part : parts) {
      if (line.find(part) == std::string_view::npos) all = false;
    }
    if (all) ++count;
    start = end + 1;
  }
  return count;
}

// The "@timestamp" of the first log line holding every one of `parts`.
inline std::optional<std::chrono::system_clock::time_point> LogLineTime(
    const std::string& log, std::initializer_list<std::string> parts) {
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    bool all = true;
    for (const std::string& part : parts) {
      if (line.find(part) == std::string::npos) all = false;
    }
    if (!all) continue;
    JSON entry = JSON::parse(line, nullptr, false);
    if (!entry.is_object()) continue;
    std::string stamp = entry.value("@timestamp", "");  // ...T03:11:04.98Z
    std::tm tm = {};
    std::istringstream in(stamp);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) continue;
    double fraction = 0;
    if (in.peek() == '.') in >> fraction;  // reads ".983963"
    auto time = std::chrono::system_clock::from_time_t(timegm(&tm));
    return time +
           std::chrono::microseconds(static_cast<int64_t>(fraction * 1e6));
  }
  return std::nullopt;
}

inline constexpr char kTestdataId[] = "runnel-testdata-datasource";

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_INTEGRATION_TEST_SUPPORT_H_

#include "plugin/plugin_log.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

TEST(PluginLog, ParsesHclogJSON) {
  PluginLogEntry e = ParsePluginLogLine(
      R"({"@level":"warn","@message":"disk low","@timestamp":)"
      R"("2024-01-02T03:04:05.000006Z","free":"5%","n":3})");
  EXPECT_EQ(e.level, log::Level::kWarn);
  EXPECT_EQ(e.message, "disk low");
  EXPECT_EQ(e.timestamp, "2024-01-02T03:04:05.000006Z");
  ASSERT_EQ(e.kv.size(), 2u);
  EXPECT_EQ(e.kv[0], (std::pair<std::string, std::string>("free", "5%")));
  EXPECT_EQ(e.kv[1], (std::pair<std::string, std::string>("n", "3")));
}

TEST(PluginLog, JSONLevels) {
  EXPECT_EQ(ParsePluginLogLine(R"({"@level":"error","@message":"x"})").level,
            log::Level::kError);
  EXPECT_EQ(ParsePluginLogLine(R"({"@level":"trace","@message":"x"})").level,
            log::Level::kTrace);
  EXPECT_EQ(ParsePluginLogLine(R"({"@level":"info","@message":"x"})").level,
            log::Level::kInfo);
  EXPECT_EQ(ParsePluginLogLine(R"({"@level":"debug","@message":"x"})").level,
            log::Level::kDebug);
}

TEST(PluginLog, Prefixes) {
  PluginLogEntry e = ParsePluginLogLine("[ERROR] boom\n");
  EXPECT_EQ(e.level, log::Level::kError);
  EXPECT_EQ(e.message, "boom");
  EXPECT_EQ(ParsePluginLogLine("[WARN] w").level, log::Level::kWarn);
  EXPECT_EQ(ParsePluginLogLine("[INFO] i").level, log::Level::kInfo);
  EXPECT_EQ(ParsePluginLogLine("[DEBUG] d").level, log::Level::kDebug);
  EXPECT_EQ(ParsePluginLogLine("[TRACE] t").level, log::Level::kTrace);
  PluginLogEntry panic = ParsePluginLogLine("panic: runtime error");
  EXPECT_EQ(panic.level, log::Level::kError);
  EXPECT_EQ(panic.message, "panic: runtime error");
}

TEST(PluginLog, AnythingElseIsDebug) {
  PluginLogEntry e = ParsePluginLogLine("just text");
  EXPECT_EQ(e.level, log::Level::kDebug);
  EXPECT_EQ(e.message, "just text");
  // Broken JSON is text too.
  e = ParsePluginLogLine("{\"@level\":");
  EXPECT_EQ(e.level, log::Level::kDebug);
  EXPECT_EQ(e.message, "{\"@level\":");
}

// A plugin's stderr comes from outside: a value nested a million deep must
// not be walked recursively (it overflowed the stack). It is logged as text.
TEST(PluginLog, DeeplyNestedValueIsText) {
  const size_t depth = 1'000'000;
  std::string line = R"({"@level":"warn","@message":"m","v":)";
  line += std::string(depth, '[') + std::string(depth, ']') + "}";
  PluginLogEntry e = ParsePluginLogLine(line);
  EXPECT_EQ(e.level, log::Level::kDebug);
  EXPECT_EQ(e.message.size(), line.size());
  // Shallow nesting, and brackets inside strings, are still JSON.
  e = ParsePluginLogLine(R"({"@level":"warn","@message":"[[[[","v":[[1]]})");
  EXPECT_EQ(e.level, log::Level::kWarn);
  ASSERT_EQ(e.kv.size(), 1u);
  EXPECT_EQ(e.kv[0].second, "[[1]]");
}

}  // namespace
}  // namespace runnel::host

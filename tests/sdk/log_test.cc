// hclog-style JSON log lines: key order, escaping, level filter, whole lines
// on stderr from many threads, GF_PLUGIN_LOG_LEVEL.
#include "runnel/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace runnel::log {
namespace {

using nlohmann::ordered_json;

// Points file descriptor 2 at a temp file for its lifetime.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/runnel_log_XXXXXX";
    int fd = mkstemp(path_.data());
    saved_ = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~StderrCapture() {
    Restore();
    unlink(path_.c_str());
  }
  // Restores stderr and returns what was written meanwhile.
  std::string Finish() {
    Restore();
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Resets the filter after each test.
class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { SetLevel(Level::kDebug); }
};

TEST_F(LogTest, FormatLinePutsHclogKeysFirstThenPairsInOrder) {
  std::string line =
      FormatLine(Level::kInfo, "stream started",
                 {{"path", "random-20Hz-stream"}, {"org", "1"}, {"a", "b"}},
                 "2026-11-22T01:02:03.123456Z");
  EXPECT_EQ(line, R"({"@level":"info","@message":"stream started",)"
                  R"("@timestamp":"2026-11-22T01:02:03.123456Z",)"
                  R"("path":"random-20Hz-stream","org":"1","a":"b"})");
  ordered_json parsed = ordered_json::parse(line);
  std::vector<std::string> keys;
  for (const auto& item : parsed.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"@level", "@message", "@timestamp",
                                            "path", "org", "a"}));
}

TEST_F(LogTest, LevelNames) {
  const std::pair<Level, const char*> levels[] = {{Level::kTrace, "trace"},
                                                  {Level::kDebug, "debug"},
                                                  {Level::kInfo, "info"},
                                                  {Level::kWarn, "warn"},
                                                  {Level::kError, "error"}};
  for (const auto& [level, name] : levels) {
    EXPECT_EQ(ordered_json::parse(FormatLine(level, "m", {}, "t"))["@level"],
              name);
  }
}

TEST_F(LogTest, MessagesAndValuesAreEscapedOntoOneLine) {
  std::string line = FormatLine(Level::kError, "bad \"frame\"\nline two\t\x01",
                                {{"key\n", "va\\lue\r"}}, "t");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  ordered_json parsed = ordered_json::parse(line);
  EXPECT_EQ(parsed["@message"], "bad \"frame\"\nline two\t\x01");
  EXPECT_EQ(parsed["key\n"], "va\\lue\r");
}

TEST_F(LogTest, ReservedKeysInPairsDoNotReplaceTheRealOnes) {
  ordered_json parsed = ordered_json::parse(
      FormatLine(Level::kInfo, "real", {{"@message", "fake"}}, "t"));
  EXPECT_EQ(parsed["@message"], "real");
  EXPECT_EQ(parsed["_@message"], "fake");
}

TEST_F(LogTest, WriteEmitsOneJSONLineWithATimestamp) {
  StderrCapture capture;
  Info("hello", {{"k", "v"}});
  std::vector<std::string> lines = Lines(capture.Finish());
  ASSERT_EQ(lines.size(), 1u);
  ordered_json parsed = ordered_json::parse(lines[0]);
  EXPECT_EQ(parsed.begin().key(), "@level");
  EXPECT_EQ(parsed["@level"], "info");
  EXPECT_EQ(parsed["@message"], "hello");
  EXPECT_EQ(parsed["k"], "v");
  // Go layout 2006-01-02T15:04:05.000000Z07:00, in UTC.
  EXPECT_TRUE(std::regex_match(
      parsed["@timestamp"].get<std::string>(),
      std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)")))
      << parsed["@timestamp"];
}

TEST_F(LogTest, LevelFilterDropsLowerLevels) {
  StderrCapture capture;
  SetLevel(Level::kWarn);
  Write(Level::kTrace, "t");
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  SetLevel(Level::kTrace);
  Write(Level::kTrace, "t2");
  std::vector<std::string> lines = Lines(capture.Finish());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(ordered_json::parse(lines[0])["@message"], "w");
  EXPECT_EQ(ordered_json::parse(lines[1])["@message"], "e");
  EXPECT_EQ(ordered_json::parse(lines[2])["@level"], "trace");
}

TEST_F(LogTest, LinesFromManyThreadsStayWhole) {
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 200;
  const std::string padding(300, 'x');  // long lines interleave if unguarded
  StderrCapture capture;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &padding] {
      for (int i = 0; i < kLinesEach; ++i) {
        Info(padding,
             {{"thread", std::to_string(t)}, {"i", std::to_string(i)}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::string> lines = Lines(capture.Finish());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesEach));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    ordered_json parsed =
        ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    int t = std::stoi(parsed["thread"].get<std::string>());
    EXPECT_EQ(std::stoi(parsed["i"].get<std::string>()), next[t]++);
  }
}

// GF_PLUGIN_LOG_LEVEL is read once, on first use, so this runs in a fresh
// process (the threadsafe death-test style re-executes the binary).
TEST(LogEnvTest, EnvironmentSetsTheInitialLevel) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("GF_PLUGIN_LOG_LEVEL", "WARN", 1);
        StderrCapture capture;
        Info("hidden");
        Warn("shown");
        std::vector<std::string> lines = Lines(capture.Finish());
        bool ok = lines.size() == 1 &&
                  lines[0].find("\"shown\"") != std::string::npos;
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace runnel::log

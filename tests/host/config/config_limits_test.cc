// The config refuses what cannot be meant: a folder or a binary as the
// config file, limits too small to work, durations that overflow, negative
// sizes. Every refusal names the file (and line and key).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_values.h"
#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;
using ::testing::HasSubstr;

class ConfigLimitsTest : public ::testing::Test {
 protected:
  // Loads defaults.ini with `file` over it.
  Status Load(const std::string& file, Config* config) {
    ConfigSources sources;
    sources.home_path = RUNNEL_SOURCE_DIR;
    sources.config_file = file;
    sources.executable_dir = "/opt/runnel/host";
    sources.getenv = [](const char*) -> const char* { return nullptr; };
    return LoadConfig(sources, config);
  }
  // Loads an ini file holding `text`; the error message, or "" if it loaded.
  std::string Refusal(const std::string& text) {
    file_ = dir_.Write("runnel.ini", text);
    Config config;
    Status status = Load(file_, &config);
    return status.ok() ? "" : status.message();
  }

  TempDir dir_;
  std::string file_;
};

TEST_F(ConfigLimitsTest, AFolderAsConfigFileIsRefused) {
  Config config;
  Status status = Load(dir_.path(), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir_.path() + ": is a folder"));
}

TEST_F(ConfigLimitsTest, ABinaryConfigFileIsRefused) {
  std::string binary(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0[server]\nhttp_port=1\n",
      27);
  std::string file = dir_.Write("runnel.bin", binary);
  Config config;
  Status status = Load(file, &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr(file + ": not a text file (a NUL byte at offset 7)"));
}

TEST_F(ConfigLimitsTest, ABadLineIsQuotedPrintably) {
  std::string message = Refusal("[live]\n\x01\x02 junk\n");
  EXPECT_THAT(message, HasSubstr(file_ + ":2:"));
  EXPECT_THAT(message, HasSubstr("got '\\x01\\x02 junk'"));
}

TEST_F(ConfigLimitsTest, ClientQueueBelow64KiBIsRefused) {
  std::string message = Refusal("[live]\nclient_queue_max_size = 65535\n");
  EXPECT_THAT(message, HasSubstr(file_ + ":2: [live] client_queue_max_size"));
  EXPECT_THAT(message, HasSubstr("at least 65536"));
  EXPECT_EQ(Refusal("[live]\nclient_queue_max_size = 65536\n"), "");
}

TEST_F(ConfigLimitsTest, PingIntervalUnderOneSecondIsRefused) {
  std::string message = Refusal("[live]\nping_interval = 999ms\n");
  EXPECT_THAT(message, HasSubstr(file_ + ":2: [live] ping_interval"));
  EXPECT_THAT(message, HasSubstr("at least 1s"));
  EXPECT_EQ(Refusal("[live]\nping_interval = 1s\n"), "");
}

TEST_F(ConfigLimitsTest, OverflowingDurationsAreRefusedNamingTheKey) {
  std::string message = Refusal("[live]\nping_interval = 99999999999999h\n");
  EXPECT_THAT(message, HasSubstr(file_ + ":2: [live] ping_interval"));
  EXPECT_THAT(message, HasSubstr("is too long"));
  // Too many digits for any integer at all.
  message = Refusal("[stream]\ngrace_period = 99999999999999999999999ms\n");
  EXPECT_THAT(message, HasSubstr("[stream] grace_period"));
  EXPECT_THAT(message, HasSubstr("is too long"));
  // Just over the one-year cap.
  EXPECT_THAT(Refusal("[live]\npong_timeout = 8761h\n"),
              HasSubstr("[live] pong_timeout"));
  EXPECT_EQ(Refusal("[live]\npong_timeout = 8760h\n"), "");
}

TEST_F(ConfigLimitsTest, NegativeSizesAreRefused) {
  for (const char* key : {"message_size_limit", "client_queue_max_size",
                          "max_messages_in_frame", "io_threads"}) {
    std::string message = Refusal(std::string("[live]\n") + key + " = -1\n");
    EXPECT_THAT(message, HasSubstr(std::string("[live] ") + key)) << key;
  }
  EXPECT_THAT(Refusal("[live]\nio_threads = 100000\n"),
              HasSubstr("[live] io_threads"));
}

TEST(ParseDurationTest, MaxDurationIsAYearInEveryUnit) {
  std::chrono::milliseconds out{0};
  std::string error;
  EXPECT_TRUE(ParseDuration("8760h", &out, &error)) << error;
  EXPECT_EQ(out, kMaxDuration);
  EXPECT_TRUE(ParseDuration("31536000s", &out, &error)) << error;
  EXPECT_FALSE(ParseDuration("31536001s", &out, &error));
  EXPECT_FALSE(ParseDuration("525601m", &out, &error));
  EXPECT_FALSE(ParseDuration("-5s", &out, &error));
}

}  // namespace
}  // namespace runnel::host

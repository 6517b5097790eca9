#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;
using ::testing::HasSubstr;

// A fake environment for EnvLookup.
class FakeEnv {
 public:
  void Set(const std::string& name, const std::string& value) {
    vars_[name] = value;
  }
  EnvLookup Lookup() {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> vars_;
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigSources Sources(const std::string& config_file = "") {
    ConfigSources sources;
    sources.home_path = RUNNEL_SOURCE_DIR;
    sources.config_file = config_file;
    sources.executable_dir = "/opt/runnel/host";
    sources.getenv = env_.Lookup();
    return sources;
  }

  FakeEnv env_;
  TempDir dir_;
};

TEST_F(ConfigTest, DefaultsMatchGrafana) {
  Config config;
  Status status = LoadConfig(Sources(), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config.server.http_addr, "127.0.0.1");  // no sign-in yet
  EXPECT_EQ(config.server.http_port, 3000);
  EXPECT_EQ(config.live.max_connections, 100);
  EXPECT_TRUE(config.live.allowed_origins.empty());
  EXPECT_EQ(config.live.message_size_limit, 65536);
  EXPECT_EQ(config.live.client_queue_max_size, 4194304);
  EXPECT_EQ(config.live.ping_interval, std::chrono::seconds(25));
  EXPECT_EQ(config.live.pong_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config.live.stale_close_delay, std::chrono::seconds(15));
  EXPECT_EQ(config.live.max_messages_in_frame, 64);
  EXPECT_EQ(config.live.io_threads, 0);
  EXPECT_EQ(config.stream.grace_period, std::chrono::seconds(5));
  EXPECT_EQ(config.log.level, runnel::log::Level::kInfo);
  EXPECT_EQ(config.paths.plugins, "/opt/runnel/plugins");
  EXPECT_EQ(config.server.static_root_path, "/opt/runnel/host/web");
  EXPECT_EQ(config.paths.provisioning,
            (std::filesystem::path(RUNNEL_SOURCE_DIR) / "conf/provisioning")
                .lexically_normal()
                .string());
  EXPECT_TRUE(config.warnings.empty());
}

TEST_F(ConfigTest, ConfigFileOverridesDefaults) {
  std::string file = dir_.Write("custom.ini",
                                "[server]\n"
                                "http_port = 4000\n"
                                "[live]\n"
                                "allowed_origins = https://a.example, "
                                "https://*.b.example\n"
                                "max_connections = -1\n"
                                "max_messages_in_frame = 8\n"
                                "io_threads = 3\n"
                                "[stream]\n"
                                "grace_period = 1500ms\n"
                                "[paths]\n"
                                "plugins = /srv/plugins\n"
                                "provisioning = prov\n"
                                "[plugin.testdata]\n"
                                "Api_Key = secret\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config.server.http_port, 4000);
  EXPECT_EQ(config.live.max_connections, -1);
  EXPECT_EQ(config.live.max_messages_in_frame, 8);
  EXPECT_EQ(config.live.io_threads, 3);
  EXPECT_THAT(
      config.live.allowed_origins,
      ::testing::ElementsAre("https://a.example", "https://*.b.example"));
  EXPECT_EQ(config.stream.grace_period, std::chrono::milliseconds(1500));
  EXPECT_EQ(config.paths.plugins, "/srv/plugins");
  EXPECT_EQ(config.paths.provisioning,
            std::string(RUNNEL_SOURCE_DIR) + "/prov");
  EXPECT_EQ(config.plugin_settings["testdata"]["api_key"], "secret");
  // Untouched keys keep their defaults.
  EXPECT_EQ(config.live.message_size_limit, 65536);
}

TEST_F(ConfigTest, EnvironmentOverridesFileAndDefaults) {
  std::string file = dir_.Write("custom.ini",
                                "[server]\nhttp_port = 4000\n"
                                "[plugin.my-plugin]\nfoo = file\n");
  env_.Set("RUNNEL_SERVER_HTTP_PORT", "5000");
  env_.Set("RUNNEL_LIVE_MAX_CONNECTIONS", "2");
  env_.Set("RUNNEL_PLUGIN_MY_PLUGIN_FOO", "env");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config.server.http_port, 5000);
  EXPECT_EQ(config.live.max_connections, 2);
  EXPECT_EQ(config.plugin_settings["my-plugin"]["foo"], "env");
}

TEST_F(ConfigTest, BadEnvironmentValueNamesTheVariable) {
  env_.Set("RUNNEL_LIVE_MESSAGE_SIZE_LIMIT", "lots");
  Config config;
  Status status = LoadConfig(Sources(), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("environment variable RUNNEL_LIVE_MESSAGE_SIZE_LIMIT"));
  EXPECT_THAT(status.message(), HasSubstr("not a whole number"));
}

TEST_F(ConfigTest, InvalidLineNamesFileAndLine) {
  std::string file = dir_.Write("bad.ini",
                                "[server]\n"
                                "http_port = 4000\n"
                                "this line has no equals sign\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":3:"));
  EXPECT_THAT(status.message(), HasSubstr("this line has no equals sign"));
}

TEST_F(ConfigTest, UnclosedSectionNamesFileAndLine) {
  std::string file = dir_.Write("bad.ini", "; comment\n\n[live\nx = 1\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":3:"));
}

TEST_F(ConfigTest, MaxConnectionsBelowMinusOneIsAnError) {
  std::string file = dir_.Write("bad.ini", "[live]\n\nmax_connections = -2\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":3: [live] max_connections"));
  EXPECT_THAT(status.message(), HasSubstr("-2"));
}

TEST_F(ConfigTest, BadDurationAndPortAreErrors) {
  std::string file = dir_.Write("bad.ini", "[stream]\ngrace_period = soon\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":2: [stream] grace_period"));

  file = dir_.Write("port.ini", "[server]\nhttp_port = 70000\n");
  status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":2: [server] http_port"));
}

TEST_F(ConfigTest, HaEngineIsEmptyOrRedisAndItsKeysAreRead) {
  Config config;
  ASSERT_TRUE(LoadConfig(Sources(), &config).ok());
  EXPECT_EQ(config.live.ha_engine, "");
  EXPECT_EQ(config.live.ha_engine_address, "127.0.0.1:6379");
  EXPECT_EQ(config.live.ha_lease_ttl, std::chrono::milliseconds(3000));

  std::string file = dir_.Write(
      "ha.ini",
      "[live]\nha_engine = redis\nha_engine_address = sentinel://a:1/m\n"
      "ha_engine_password = pw\nha_prefix = eu\nha_lease_ttl = 2s\n");
  ASSERT_TRUE(LoadConfig(Sources(file), &config).ok());
  EXPECT_EQ(config.live.ha_engine, "redis");
  EXPECT_EQ(config.live.ha_engine_address, "sentinel://a:1/m");
  EXPECT_EQ(config.live.ha_engine_password, "pw");
  EXPECT_EQ(config.live.ha_prefix, "eu");
  EXPECT_EQ(config.live.ha_lease_ttl, std::chrono::milliseconds(2000));

  file = dir_.Write("etcd.ini", "[live]\nha_engine = etcd\n");
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file + ":2: [live] ha_engine"));
  EXPECT_THAT(status.message(), HasSubstr("\"redis\""));
}

TEST_F(ConfigTest, MissingConfigFileIsAnError) {
  Config config;
  Status status = LoadConfig(Sources(dir_.path() + "/nope.ini"), &config);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("nope.ini"));
}

TEST_F(ConfigTest, LongLinesAreAccepted) {
  std::string origins;
  for (int i = 0; i < 40; ++i) {
    origins += "https://host" + std::to_string(i) + ".example.com,";
  }
  std::string file =
      dir_.Write("long.ini", "[live]\nallowed_origins = " + origins + "\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(config.live.allowed_origins.size(), 40u);
}

TEST_F(ConfigTest, ExpandsEnvironmentReferences) {
  env_.Set("MY_ORIGIN", "https://from.env");
  std::string file =
      dir_.Write("env.ini", "[live]\nallowed_origins = ${MY_ORIGIN}\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_THAT(config.live.allowed_origins,
              ::testing::ElementsAre("https://from.env"));
}

TEST_F(ConfigTest, UnknownKeyInKnownSectionIsWarned) {
  std::string file = dir_.Write("typo.ini", "[live]\nmax_conections = 5\n");
  Config config;
  Status status = LoadConfig(Sources(file), &config);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_THAT(config.warnings[0], HasSubstr(file + ":2"));
  EXPECT_THAT(config.warnings[0], HasSubstr("max_conections"));
}

TEST(IniStoreTest, EnvNameUpperCasesAndReplacesDotsAndDashes) {
  EXPECT_EQ(IniStore::EnvName("RUNNEL", "plugin.my-app", "api_key"),
            "RUNNEL_PLUGIN_MY_APP_API_KEY");
}

}  // namespace
}  // namespace runnel::host

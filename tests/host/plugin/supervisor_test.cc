#include "plugin/supervisor.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <mutex>
#include <vector>

#include "plugin/plugin_registry.h"
#include "process_util.h"
#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;

using std::chrono::milliseconds;

PluginManifest FakeManifest(const TempDir& tmp) {
  PluginManifest m;
  m.id = "fake-datasource";
  m.alias_ids = {"fake"};
  m.type = "datasource";
  m.executable = "fake_plugin";
  m.dir = tmp.path();
  m.executable_path = FAKE_PLUGIN_PATH;
  return m;
}

struct Recorder {
  std::mutex mu;  // guards everything below
  std::vector<PluginLogEntry> logs;
  std::vector<uint64_t> generations;
  // Records the generation of each connection `sup` makes.
  void TrackGenerations(Supervisor& sup) {
    sup.AddListener([this](const PluginConnection& c) {
      std::lock_guard<std::mutex> lock(mu);
      generations.push_back(c.generation);
    });
  }
  size_t CountLogs(std::string_view text) {
    std::lock_guard<std::mutex> lock(mu);
    size_t n = 0;
    for (const auto& e : logs) n += e.message.find(text) != std::string::npos;
    return n;
  }
  size_t Starts() {
    std::lock_guard<std::mutex> lock(mu);
    return generations.size();
  }
};

SupervisorOptions FastOptions(Recorder* rec) {
  SupervisorOptions o;
  o.restart_delay_initial = milliseconds(100);
  o.restart_delay_max = milliseconds(400);
  o.shutdown_grace = milliseconds(500);
  o.process.handshake_timeout = milliseconds(10000);
  o.process.log_sink = [rec](const PluginLogEntry& e) {
    std::lock_guard<std::mutex> lock(rec->mu);
    rec->logs.push_back(e);
  };
  return o;
}

// Stop() wins over a Start() that comes after it, as when the two race on
// different threads: the plugin is never started.
TEST(Supervisor, StartAfterStopDoesNothing) {
  TempDir tmp;
  Recorder rec;
  Supervisor sup(FakeManifest(tmp), FastOptions(&rec));
  sup.Stop();
  sup.Start();
  EXPECT_EQ(sup.state(), PluginState::kStopped);
  EXPECT_EQ(sup.pid(), -1);
  EXPECT_EQ(sup.WaitUntilRunning(milliseconds(100)).code(),
            StatusCode::kCancelled);
}

TEST(Supervisor, StartsRunsAndStopsWithShutdownRpc) {
  TempDir tmp;
  Recorder rec;
  Supervisor sup(FakeManifest(tmp), FastOptions(&rec));
  rec.TrackGenerations(sup);
  EXPECT_EQ(sup.state(), PluginState::kStopped);
  sup.Start();
  Status s = sup.WaitUntilRunning(milliseconds(10000));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sup.state(), PluginState::kRunning);
  EXPECT_EQ(PluginStateName(sup.state()), "running");
  PluginConnection c = sup.connection();
  EXPECT_EQ(c.generation, 1u);
  ASSERT_NE(c.channel, nullptr);
  pid_t pid = sup.pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(rec.Starts(), 1u);
  // stderr reached the log sink, JSON and [WARN] prefix alike.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return rec.CountLogs("fake plugin starting") == 1 &&
               rec.CountLogs("fake warning") == 1;
      },
      milliseconds(5000)));

  auto started = std::chrono::steady_clock::now();
  sup.Stop();
  // The fake plugin exits on the Shutdown RPC: well within the grace period
  // (no assertion on the exact time, only that it did not need SIGKILL).
  EXPECT_EQ(sup.state(), PluginState::kStopped);
  EXPECT_EQ(sup.connection().channel, nullptr);
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_EQ(rec.CountLogs("server stopped"), 1u) << [&] {
    std::lock_guard<std::mutex> lock(rec.mu);
    std::string all;
    for (const auto& e : rec.logs) all += e.message + "\n";
    return all;
  }();
  (void)started;
}

TEST(Supervisor, RestartsAfterKillWithGrowingCount) {
  TempDir tmp;
  Recorder rec;
  Supervisor sup(FakeManifest(tmp), FastOptions(&rec));
  rec.TrackGenerations(sup);
  sup.Start();
  ASSERT_TRUE(sup.WaitUntilRunning(milliseconds(10000)).ok());
  for (int round = 1; round <= 2; ++round) {
    pid_t pid = sup.pid();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(WaitUntil(
        [&] {
          return sup.restarts() == round &&
                 sup.state() == PluginState::kRunning && sup.pid() != pid;
        },
        milliseconds(10000)))
        << "round " << round << ": state " << PluginStateName(sup.state())
        << ", restarts " << sup.restarts() << ", " << sup.last_error();
    EXPECT_TRUE(ProcessGone(pid));
    EXPECT_EQ(sup.connection().generation, static_cast<uint64_t>(round + 1));
    EXPECT_NE(sup.last_error().find("killed by signal 9"), std::string::npos)
        << sup.last_error();
  }
  EXPECT_EQ(rec.Starts(), 3u);
  std::lock_guard<std::mutex> lock(rec.mu);
  EXPECT_EQ(rec.generations, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(Supervisor, KillsAPluginThatIgnoresShutdown) {
  TempDir tmp;
  Recorder rec;
  SupervisorOptions o = FastOptions(&rec);
  setenv("FAKE_PLUGIN_MODE", "ignore_shutdown", 1);
  Supervisor sup(FakeManifest(tmp), o);
  sup.Start();
  Status s = sup.WaitUntilRunning(milliseconds(10000));
  unsetenv("FAKE_PLUGIN_MODE");
  ASSERT_TRUE(s.ok()) << s.message();
  pid_t pid = sup.pid();
  sup.Stop();  // Shutdown RPC is ignored: SIGKILL after the grace period
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_EQ(sup.state(), PluginState::kStopped);
}

TEST(Supervisor, PassesPluginSectionAsEnvironment) {
  TempDir tmp;
  Recorder rec;
  SupervisorOptions o = FastOptions(&rec);
  o.process.plugin_settings = {{"api_url", "http://x"}, {"path", "/p"}};
  o.process.gf_version = "1.2.3";
  std::string env_file = (tmp.fs_path() / "env").string();
  setenv("FAKE_PLUGIN_ENV_FILE", env_file.c_str(), 1);
  Supervisor sup(FakeManifest(tmp), o);
  sup.Start();
  Status s = sup.WaitUntilRunning(milliseconds(10000));
  unsetenv("FAKE_PLUGIN_ENV_FILE");
  ASSERT_TRUE(s.ok()) << s.message();
  std::string env = ReadAll(env_file);
  EXPECT_NE(env.find("GF_PLUGIN_API_URL=http://x\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("GF_PLUGIN_PATH="), std::string::npos);
  EXPECT_NE(env.find("GF_VERSION=1.2.3\n"), std::string::npos);
  EXPECT_NE(env.find("PLUGIN_MIN_PORT=10000\n"), std::string::npos);
  EXPECT_NE(env.find("PLUGIN_MAX_PORT=25000\n"), std::string::npos);
  sup.Stop();
}

TEST(Supervisor, BadHandshakeIsFailedAndRetried) {
  TempDir tmp;
  Recorder rec;
  PluginManifest m = FakeManifest(tmp);
  m.executable_path =
      WriteScript(tmp.fs_path() / "bad", "echo '1|2|udp|x|grpc|'; sleep 30");
  Supervisor sup(m, FastOptions(&rec));
  sup.Start();
  Status s = sup.WaitUntilRunning(milliseconds(300));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(
      WaitUntil([&] { return sup.restarts() >= 2; }, milliseconds(10000)));
  EXPECT_EQ(sup.state(), PluginState::kFailed);
  EXPECT_NE(sup.last_error().find("unknown network type \"udp\""),
            std::string::npos)
      << sup.last_error();
  sup.Stop();
  EXPECT_EQ(sup.state(), PluginState::kStopped);
}

TEST(PluginRegistry, FindsByIdAndAlias) {
  TempDir tmp;
  PluginRegistry registry;
  ASSERT_TRUE(
      registry.Add(std::make_unique<Supervisor>(FakeManifest(tmp))).ok());
  EXPECT_NE(registry.Find("fake-datasource"), nullptr);
  EXPECT_EQ(registry.Find("fake"), registry.Find("fake-datasource"));
  EXPECT_EQ(registry.Find("other"), nullptr);
  Status dup = registry.Add(std::make_unique<Supervisor>(FakeManifest(tmp)));
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.All().size(), 1u);
}

TEST(Supervisor, RunsTheRealTestdataPlugin) {
  DiscoveryResult found = DiscoverPlugins({TESTDATA_PLUGIN_DIR});
  ASSERT_FALSE(found.plugins.empty())
      << "testdata plugin not built at " << TESTDATA_PLUGIN_DIR;
  Recorder rec;
  Supervisor sup(found.plugins[0], FastOptions(&rec));
  sup.Start();
  Status s = sup.WaitUntilRunning(milliseconds(10000));
  ASSERT_TRUE(s.ok()) << s.message();
  pid_t pid = sup.pid();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_TRUE(WaitUntil(
      [&] {
        return sup.restarts() == 1 && sup.state() == PluginState::kRunning;
      },
      milliseconds(10000)));
  pid_t second = sup.pid();
  sup.Stop();
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_TRUE(ProcessGone(second));
}

}  // namespace
}  // namespace runnel::host

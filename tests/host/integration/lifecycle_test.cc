// Start-up errors name the file and line; SIGTERM closes clients with 3001,
// stops the plugin and exits 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

using ::testing::HasSubstr;

TEST(LifecycleTest, SigtermClosesClientsWith3001StopsPluginsAndExits0) {
  HostProcess host;
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  WsClient client;
  ASSERT_TRUE(client.Open(host.port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  ASSERT_TRUE(client.Subscribe("1/ds/testdata/random-20Hz-stream")
                  .contains("subscribe"));
  ASSERT_TRUE(client.NextPush(Millis(5000)).has_value());
  int plugin_pid = PluginPid(host.port(), kTestdataId);
  ASSERT_GT(plugin_pid, 0);
  std::vector<pid_t> children = ChildPids(host.pid());
  EXPECT_THAT(children, ::testing::Contains(plugin_pid));

  host.SendSignal(SIGTERM);
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3001);
  int status = host.WaitExit(Millis(15000));
  ASSERT_NE(status, -1) << "host did not exit\n" << host.Log();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << host.Log();
  EXPECT_TRUE(
      WaitUntil([&] { return !ProcessAlive(plugin_pid); }, Millis(5000)))
      << "plugin " << plugin_pid << " still alive";
}

TEST(LifecycleTest, KilledHostLeavesNoPlugin) {
  HostProcess host;
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  int plugin_pid = PluginPid(host.port(), kTestdataId);
  ASSERT_GT(plugin_pid, 0);
  int status = host.Signal(SIGKILL, Millis(5000));
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_TRUE(
      WaitUntil([&] { return !ProcessAlive(plugin_pid); }, Millis(5000)))
      << "plugin " << plugin_pid << " outlived its host";
}

TEST(LifecycleTest, EnvironmentOverridesTheConfigFile) {
  // The generated config leaves max_connections at 100; the environment
  // variable turns Live off (0), which refuses every upgrade.
  HostProcess host("[live]\nmax_connections = 100\n");
  setenv("RUNNEL_LIVE_MAX_CONNECTIONS", "0", 1);
  std::string error;
  bool started = host.Start(&error);
  unsetenv("RUNNEL_LIVE_MAX_CONNECTIONS");
  ASSERT_TRUE(started) << error;
  EXPECT_EQ(UpgradeStatus(host.port(), ""), 503);
}

TEST(LifecycleTest, PortInUseStopsStartUpAndLeavesNoPlugin) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(
      ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const int port = taken.local_endpoint().port();
  HostProcess host("[server]\nhttp_port = " + std::to_string(port) + "\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  EXPECT_THAT(host.Log(), HasSubstr("runnel: "));
  EXPECT_THAT(host.Log(), HasSubstr(std::to_string(port)));
  // The plugin it had started was stopped before the exit.
  EXPECT_THAT(host.Log(), HasSubstr("plugin stopped"));
}

TEST(LifecycleTest, BadConfigLineStopsStartUpNamingFileAndLine) {
  HostProcess host("[live]\nthis is not a setting\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  // runnel.ini: the generated lines, then [live] and the bad one.
  EXPECT_THAT(host.Log(), HasSubstr("runnel.ini:"));
  EXPECT_THAT(host.Log(), HasSubstr("this is not a setting"));
}

TEST(LifecycleTest, MaxConnectionsBelowMinusOneStopsStartUp) {
  HostProcess host("[live]\nmax_connections = -3\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  EXPECT_THAT(host.Log(), HasSubstr("[live] max_connections"));
}

TEST(LifecycleTest, ABadRedisAddressStopsStartUp) {
  HostProcess host(
      "[live]\nha_engine = redis\nha_engine_address = sentinel://h:1\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  EXPECT_THAT(host.Log(), HasSubstr("[live] ha_engine_address"));
  EXPECT_THAT(host.Log(), HasSubstr("sentinel://h:1"));
}

TEST(LifecycleTest, UnknownPluginTypeStopsStartUpNamingFileAndLine) {
  HostProcess host;
  host.WriteFile("provisioning/datasources/z-bad.yaml",
                 "apiVersion: 1\n"
                 "datasources:\n"
                 "  - name: Broken\n"
                 "    type: no-such-plugin\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  EXPECT_THAT(host.Log(),
              HasSubstr("z-bad.yaml:3: data source 'Broken' has type "
                        "'no-such-plugin'"));
  EXPECT_THAT(host.Log(), HasSubstr("(alias testdata)"));
}

TEST(LifecycleTest, BadYamlStopsStartUpNamingFileAndLine) {
  HostProcess host;
  host.WriteFile("provisioning/datasources/z-bad.yaml",
                 "apiVersion: 1\n"
                 "datasources:\n"
                 "  - name: Broken\n"
                 "    type: [testdata\n");
  std::string error;
  ASSERT_FALSE(host.Start(&error));
  EXPECT_THAT(host.Log(), HasSubstr("z-bad.yaml:"));
}

}  // namespace
}  // namespace runnel::host::testing

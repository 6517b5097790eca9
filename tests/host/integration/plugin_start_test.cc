// A host whose plugins are still starting: it listens at once, shows them as
// "starting", refuses their subscribes after a bounded wait, and a SIGTERM
// cancels a start in progress (a plugin that never prints its handshake, a
// handshake naming a socket that does not exist, a gRPC dial that is
// refused) instead of waiting it out. Also: plugin sockets live in a
// per-host folder that the next start removes after a SIGKILL, and start-up
// refusals (a folder as --config, an open http_addr warning).
//
// Times are printed as "[ figure ]" lines. The only bounds asserted are
// deadlines to wait for (kExitDeadline: the 2 s shutdown grace plus a
// generous margin), never a measured speed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// How long a SIGTERM may take: the 2 s plugin shutdown grace plus margin.
constexpr Millis kExitDeadline{10000};

constexpr char kSilentId[] = "silent-datasource";
// Starts and never prints a handshake (go-plugin's host would wait its whole
// 1-minute StartTimeout).
constexpr char kSilentScript[] = "echo $$ > started.pid\nexec sleep 300";

// The testdata plugin next to the script plugins, with sockets under
// `tmpdir` (the host's TMPDIR).
HostOptions WithTestdata(const std::string& tmpdir) {
  HostOptions options;
  options.with_testdata = true;
  options.tmpdir = tmpdir;
  return options;
}

int ReadPid(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  in >> pid;
  return pid;
}

void PrintFigure(const std::string& what, Millis took) {
  std::printf("[ figure ] %s: %lld ms\n", what.c_str(),
              static_cast<long long>(took.count()));
}

// Sends SIGTERM and expects a clean exit within kExitDeadline.
void ExpectSigtermExitsWithinGrace(HostProcess& host, const std::string& what) {
  host.SendSignal(SIGTERM);
  Millis took{0};
  int status = host.WaitExit(kExitDeadline, &took);
  PrintFigure("SIGTERM to exit, " + what, took);
  ASSERT_NE(status, -1) << "the host did not exit within "
                        << kExitDeadline.count() << " ms\n"
                        << host.Log();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << host.Log();
}

bool HoldsSocket(const fs::path& folder) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_socket()) return true;
  }
  return false;
}

TEST(PluginStartTest, ListensAtOnceAndShowsAStartingPlugin) {
  HostProcess host{HostOptions()};
  std::string folder = host.AddScriptPlugin(kSilentId, kSilentScript);
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  PrintFigure("spawn to listening, with a plugin that never handshakes",
              host.time_to_listen());
  EXPECT_TRUE(WaitUntil([&] { return ReadPid(folder + "/started.pid") > 0; },
                        Millis(5000)));
  EXPECT_EQ(PluginState(host.port(), kSilentId), "starting") << host.Log();
  // The default address is loopback: no warning about an open port.
  EXPECT_THAT(host.Log(), Not(HasSubstr("no sign-in")));
}

TEST(PluginStartTest, SigtermWhilePluginNeverHandshakesExitsWithinGrace) {
  HostProcess host{HostOptions()};
  std::string folder = host.AddScriptPlugin(kSilentId, kSilentScript);
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  int plugin_pid = 0;
  ASSERT_TRUE(WaitUntil(
      [&] { return (plugin_pid = ReadPid(folder + "/started.pid")) > 0; },
      Millis(5000)))
      << host.Log();
  ASSERT_EQ(PluginState(host.port(), kSilentId), "starting");

  ExpectSigtermExitsWithinGrace(host, "plugin never handshakes");
  EXPECT_TRUE(
      WaitUntil([&] { return !ProcessAlive(plugin_pid); }, Millis(5000)))
      << "plugin " << plugin_pid << " outlived its host";
  EXPECT_THAT(host.Log(), HasSubstr("start cancelled"));
}

TEST(PluginStartTest,
     SigtermWhileHandshakeNamesAMissingSocketExitsWithinGrace) {
  HostProcess host{HostOptions()};
  host.AddScriptPlugin("nosocket-datasource",
                       "echo \"1|2|unix|$PWD/missing.sock|grpc|\"\n"
                       "exec sleep 300");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  // The start fails at once, naming the socket, instead of trying to
  // connect for the whole connect time-out.
  std::string last_error;
  ASSERT_TRUE(WaitUntil(
      [&] {
        PluginState(host.port(), "nosocket-datasource", &last_error);
        return last_error.find("missing.sock") != std::string::npos;
      },
      Millis(5000)))
      << last_error << "\n"
      << host.Log();
  EXPECT_THAT(last_error, HasSubstr("which cannot be used"));

  ExpectSigtermExitsWithinGrace(host, "handshake names a missing socket");
}

TEST(PluginStartTest, SigtermWhileTheGrpcDialIsRefusedExitsWithinGrace) {
  // A bound TCP port nobody listens on: every connect is refused, so gRPC
  // keeps retrying for the whole connect time-out (10 s).
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket bound(ioc);
  bound.open(boost::asio::ip::tcp::v4());
  bound.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  const int port = bound.local_endpoint().port();
  HostProcess host{HostOptions()};
  // The host drains stdout only once it has read the handshake line, so
  // "dialing" appears only after 256 KiB more went through: then the host
  // is past the handshake and dialing.
  std::string folder = host.AddScriptPlugin(
      "refused-datasource", "echo \"1|2|tcp|127.0.0.1:" + std::to_string(port) +
                                "|grpc|\"\n"
                                "head -c 262144 /dev/zero\n"
                                "touch dialing\n"
                                "exec sleep 300");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  ASSERT_TRUE(
      WaitUntil([&] { return fs::exists(folder + "/dialing"); }, Millis(5000)))
      << host.Log();
  EXPECT_EQ(PluginState(host.port(), "refused-datasource"), "starting");

  ExpectSigtermExitsWithinGrace(host, "gRPC dial refused");
  EXPECT_THAT(host.Log(), HasSubstr("start cancelled while connecting"));
}

TEST(PluginStartTest, SubscribeToAStartingPluginFailsAfterTheBound) {
  HostProcess host{HostOptions()};
  std::string folder = host.AddScriptPlugin(kSilentId, kSilentScript);
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  ASSERT_TRUE(WaitUntil([&] { return ReadPid(folder + "/started.pid") > 0; },
                        Millis(5000)));
  WsClient client;
  ASSERT_TRUE(client.Open(host.port()));
  ASSERT_TRUE(client.Connect().contains("connect"));

  const auto asked = std::chrono::steady_clock::now();
  JSON reply =
      client.Subscribe("1/plugin/silent-datasource/stream", Millis(15000));
  const auto took = std::chrono::duration_cast<Millis>(
      std::chrono::steady_clock::now() - asked);
  PrintFigure("subscribe to a starting plugin until its error", took);
  ASSERT_TRUE(reply.is_object()) << "no reply within 15 s\n" << host.Log();
  ASSERT_TRUE(reply.contains("error")) << reply.dump();
  // Grafana's answer to a plugin it cannot reach.
  EXPECT_EQ(reply["error"].value("code", 0), 500) << reply.dump();
  // Refused while the plugin was still starting, not after it failed.
  EXPECT_EQ(PluginState(host.port(), kSilentId), "starting");
}

TEST(PluginStartTest, NextStartRemovesTheSocketFolderOfAKilledHost) {
  ::runnel::testing::TempDir tmp;  // outlives both hosts
  const std::string tmpdir = tmp.path();
  fs::path first_folder;
  {
    HostProcess first(WithTestdata(tmpdir));
    std::string error;
    ASSERT_TRUE(first.Start(&error)) << error;
    ASSERT_TRUE(WaitUntil(
        [&] { return PluginState(first.port(), kTestdataId) == "running"; },
        Millis(15000)))
        << first.Log();
    first_folder = fs::path(tmpdir) / ("runnel-" + std::to_string(first.pid()));
    ASSERT_TRUE(HoldsSocket(first_folder))
        << "no plugin socket in " << first_folder << "\n"
        << first.Log();
    first.SendSignal(SIGKILL);
    ASSERT_NE(first.WaitExit(Millis(5000)), -1);
    // Nobody could clean up: the folder and the socket are still there.
    ASSERT_TRUE(HoldsSocket(first_folder));
  }
  HostProcess second(WithTestdata(tmpdir));
  std::string error;
  ASSERT_TRUE(second.Start(&error)) << error;
  EXPECT_FALSE(fs::exists(first_folder)) << first_folder << " is still there";
  EXPECT_THAT(second.Log(),
              HasSubstr("removed the plugin socket folder of a dead host"));
  const fs::path second_folder =
      fs::path(tmpdir) / ("runnel-" + std::to_string(second.pid()));
  EXPECT_TRUE(fs::is_directory(second_folder));

  ExpectSigtermExitsWithinGrace(second, "testdata plugin running");
  EXPECT_FALSE(fs::exists(second_folder)) << "a clean stop removes its folder";
}

TEST(PluginStartTest, OpenHttpAddrLogsThatAnyoneCanSubscribe) {
  HostOptions options;
  options.extra_ini = "[server]\nhttp_addr = 0.0.0.0\n";
  HostProcess host(options);
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  EXPECT_THAT(host.Log(),
              HasSubstr("anyone who reaches this port can subscribe to and "
                        "publish on every channel"));
}

TEST(PluginStartTest, ConfigFolderStopsStartUpSayingWhy) {
  HostProcess host{HostOptions()};
  HostOptions options;
  options.config_path = host.dir();
  HostProcess with_folder(options);
  std::string error;
  ASSERT_FALSE(with_folder.Start(&error));
  EXPECT_THAT(error, HasSubstr(host.dir() + ": is a folder"));
}

}  // namespace
}  // namespace runnel::host::testing

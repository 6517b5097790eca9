// A Supervisor whose plugin is still starting: Stop() and CancelStarts() cut
// the start short (handshake read, gRPC dial) instead of waiting out its
// time-outs, and a handshake naming a missing socket fails at once.
// The blocking call runs on a thread and the test waits for it with a
// generous deadline (kDeadline), far below the 60 s handshake and connect
// time-outs these tests configure; the time taken is printed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <future>

#include "plugin/supervisor.h"
#include "process_util.h"
#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;

using std::chrono::milliseconds;

constexpr milliseconds kDeadline{10000};
constexpr milliseconds kLongTimeout{60000};

PluginManifest ScriptManifest(const TempDir& tmp, const std::string& body) {
  PluginManifest m;
  m.id = "script-datasource";
  m.type = "datasource";
  m.executable = "plugin";
  m.dir = tmp.path();
  m.executable_path = WriteScript(tmp.fs_path() / "plugin", body);
  return m;
}

// A script plugin that writes its pid to `pid_file` and never answers the
// handshake.
PluginManifest SilentManifest(const TempDir& tmp,
                              const std::filesystem::path& pid_file) {
  return ScriptManifest(tmp,
                        "echo $$ > " + pid_file.string() + "\nexec sleep 300");
}

SupervisorOptions SlowStartOptions() {
  SupervisorOptions o;
  o.process.handshake_timeout = kLongTimeout;
  o.connect_timeout = kLongTimeout;
  o.restart_delay_initial = milliseconds(100);
  o.process.log_sink = [](const PluginLogEntry&) {};
  return o;
}

// Runs `call` on a thread; true if it returned within kDeadline. Prints
// how long it took.
bool ReturnsWithinDeadline(const char* what, std::function<void()> call) {
  const auto start = std::chrono::steady_clock::now();
  auto done = std::async(std::launch::async, std::move(call));
  const bool in_time = done.wait_for(kDeadline) == std::future_status::ready;
  done.wait();
  std::printf(
      "[ figure ] %s: %lld ms\n", what,
      static_cast<long long>(std::chrono::duration_cast<milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count()));
  return in_time;
}

pid_t ReadPid(const std::filesystem::path& file) {
  return std::atoi(ReadAll(file).c_str());
}

TEST(SupervisorStart, StopCancelsAHandshakeInProgress) {
  TempDir tmp;
  const auto pid_file = tmp.fs_path() / "pid";
  Supervisor sup(SilentManifest(tmp, pid_file), SlowStartOptions());
  sup.Start();
  ASSERT_TRUE(WaitUntil([&] { return ReadPid(pid_file) > 0; }, kDeadline));
  EXPECT_EQ(sup.state(), PluginState::kStarting);
  EXPECT_TRUE(ReturnsWithinDeadline("Stop() during the handshake wait",
                                    [&] { sup.Stop(); }));
  EXPECT_EQ(sup.state(), PluginState::kStopped);
  EXPECT_TRUE(ProcessGone(ReadPid(pid_file)));
}

TEST(SupervisorStart, StopCancelsAGrpcDialInProgress) {
  // A bound TCP port without a listener: every connect is refused and gRPC
  // retries until the (60 s) connect time-out.
  int bound = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(bound, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(bound, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  TempDir tmp;
  const auto dialing = tmp.fs_path() / "dialing";
  // stdout is drained only after the handshake was read, so the marker
  // appears once the supervisor is past the handshake, dialing.
  Supervisor sup(
      ScriptManifest(tmp, "echo '1|2|tcp|127.0.0.1:" + std::to_string(port) +
                              "|grpc|'\nhead -c 262144 /dev/zero\ntouch " +
                              dialing.string() + "\nexec sleep 300"),
      SlowStartOptions());
  sup.Start();
  ASSERT_TRUE(
      WaitUntil([&] { return std::filesystem::exists(dialing); }, kDeadline));
  EXPECT_EQ(sup.state(), PluginState::kStarting);
  EXPECT_TRUE(ReturnsWithinDeadline("Stop() during the gRPC dial",
                                    [&] { sup.Stop(); }));
  EXPECT_EQ(sup.state(), PluginState::kStopped);
  close(bound);
}

TEST(SupervisorStart, CancelStartsReleasesWaitersAndKeepsNoProcess) {
  TempDir tmp;
  const auto pid_file = tmp.fs_path() / "pid";
  Supervisor sup(SilentManifest(tmp, pid_file), SlowStartOptions());
  sup.Start();
  ASSERT_TRUE(WaitUntil([&] { return ReadPid(pid_file) > 0; }, kDeadline));
  Status waited;
  auto waiter = std::async(
      std::launch::async, [&] { waited = sup.WaitUntilRunning(kLongTimeout); });
  sup.CancelStarts();
  ASSERT_EQ(waiter.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(waited.code(), StatusCode::kCancelled) << waited.message();
  EXPECT_TRUE(
      WaitUntil([&] { return ProcessGone(ReadPid(pid_file)); }, kDeadline));
  // Nothing is started again, and a later wait returns at once.
  EXPECT_EQ(sup.WaitUntilRunning(kLongTimeout).code(), StatusCode::kCancelled);
  sup.Stop();
  EXPECT_EQ(sup.restarts(), 0);
}

TEST(SupervisorStart, HandshakeNamingAMissingSocketFailsAtOnce) {
  TempDir tmp;
  const std::string socket = (tmp.fs_path() / "missing.sock").string();
  Supervisor sup(ScriptManifest(tmp, "echo '1|2|unix|" + socket +
                                         "|grpc|'\nexec sleep 300"),
                 SlowStartOptions());
  sup.Start();
  EXPECT_TRUE(WaitUntil([&] { return !sup.last_error().empty(); }, kDeadline))
      << "still " << PluginStateName(sup.state());
  EXPECT_NE(sup.last_error().find(socket + ", which cannot be used"),
            std::string::npos)
      << sup.last_error();
  EXPECT_TRUE(ReturnsWithinDeadline("Stop() between failed starts",
                                    [&] { sup.Stop(); }));
}

}  // namespace
}  // namespace runnel::host

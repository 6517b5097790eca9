#include "plugin/plugin_process.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "process_util.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::ChildProcess;
using ::runnel::testing::TempDir;

using std::chrono::milliseconds;

// Collects what a plugin wrote to stderr.
struct LogCollector {
  std::mutex mu;  // guards entries
  std::vector<PluginLogEntry> entries;
  std::function<void(const PluginLogEntry&)> Sink() {
    return [this](const PluginLogEntry& e) {
      std::lock_guard<std::mutex> lock(mu);
      entries.push_back(e);
    };
  }
  bool Has(std::string_view text, log::Level level) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& e : entries) {
      if (e.message.find(text) != std::string::npos && e.level == level) {
        return true;
      }
    }
    return false;
  }
};

PluginProcessOptions Options(const std::string& path, LogCollector* logs) {
  PluginProcessOptions o;
  o.plugin_id = "fake";
  o.executable_path = path;
  o.handshake_timeout = milliseconds(10000);
  o.log_sink = logs->Sink();
  return o;
}

TEST(PluginEnvironment, GrafanaVariablesAndPluginSection) {
  PluginProcessOptions o;
  o.gf_version = "9.9.9";
  o.plugin_settings = {{"api_key", "secret"},
                       {"path", "/x"},
                       {"id", "y"},
                       {"Mixed.Case", "v"},
                       {"from_os", "ini"}};
  std::vector<std::string> env = BuildPluginEnvironment(
      o, {"HOME=/root", "PLUGIN_MIN_PORT=1", "GF_PLUGIN_FROM_OS=os"});
  auto has = [&](const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
  };
  EXPECT_TRUE(has("HOME=/root"));
  EXPECT_TRUE(has("grafana_plugin_type=datasource"));
  EXPECT_TRUE(has("PLUGIN_PROTOCOL_VERSIONS=2"));
  EXPECT_TRUE(has("PLUGIN_MIN_PORT=10000"));
  EXPECT_FALSE(has("PLUGIN_MIN_PORT=1"));
  EXPECT_TRUE(has("PLUGIN_MAX_PORT=25000"));
  EXPECT_TRUE(has("GF_VERSION=9.9.9"));
  EXPECT_TRUE(has("GF_PLUGIN_API_KEY=secret"));
  EXPECT_TRUE(has("GF_PLUGIN_MIXED.CASE=v"));
  EXPECT_TRUE(has("GF_PLUGIN_FROM_OS=os"));
  EXPECT_FALSE(has("GF_PLUGIN_FROM_OS=ini"));
  for (const std::string& e : env) {
    EXPECT_NE(e.rfind("GF_PLUGIN_PATH=", 0), 0u);
    EXPECT_NE(e.rfind("GF_PLUGIN_ID=", 0), 0u);
  }
}

TEST(PluginProcess, HandshakeTimeoutKillsTheProcess) {
  TempDir tmp;
  std::string script = WriteScript(
      tmp.fs_path() / "slow",
      "echo $$ > " + (tmp.fs_path() / "pid").string() + "\nexec sleep 30");
  LogCollector logs;
  PluginProcessOptions o = Options(script, &logs);
  o.handshake_timeout = milliseconds(300);
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(o, &p);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("timed out after 300 ms"), std::string::npos)
      << s.message();
  EXPECT_EQ(p, nullptr);
  pid_t pid = std::atoi(ReadAll(tmp.fs_path() / "pid").c_str());
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(ProcessGone(pid));
}

TEST(PluginProcess, BadHandshakeLineIsReported) {
  TempDir tmp;
  std::string script = WriteScript(tmp.fs_path() / "bad",
                                   "echo 'hello, I am not a plugin'\n"
                                   "sleep 30");
  LogCollector logs;
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(Options(script, &logs), &p);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Unrecognized remote plugin message"),
            std::string::npos)
      << s.message();
  s = PluginProcess::Start(
      Options(
          WriteScript(tmp.fs_path() / "v1", "echo '1|1|tcp|127.0.0.1:1|grpc'"),
          &logs),
      &p);
  EXPECT_NE(s.message().find("plugin protocol version 1 not supported"),
            std::string::npos)
      << s.message();
}

TEST(PluginProcess, ExitBeforeHandshakeSaysHow) {
  TempDir tmp;
  LogCollector logs;
  std::unique_ptr<PluginProcess> p;
  Status s =
      PluginProcess::Start(Options(WriteScript(tmp.fs_path() / "dies",
                                               "echo '[ERROR] no config' >&2\n"
                                               "exit 3"),
                                   &logs),
                           &p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited with code 3"), std::string::npos)
      << s.message();
  EXPECT_TRUE(logs.Has("no config", log::Level::kError));
}

TEST(PluginProcess, MissingExecutable) {
  LogCollector logs;
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(Options("/nonexistent/plugin", &logs), &p);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot run /nonexistent/plugin"),
            std::string::npos)
      << s.message();
}

TEST(PluginProcess, GoodHandshakeStderrForwardingAndKill) {
  TempDir tmp;
  std::string script = WriteScript(
      tmp.fs_path() / "good",
      "echo '{\"@level\":\"warn\",\"@message\":\"json line\",\"k\":\"v\"}' "
      ">&2\n"
      "echo '1|2|unix|/tmp/nowhere.sock|grpc|'\n"
      "echo 'dropped stdout line'\n"
      "echo '[INFO] after handshake' >&2\n"
      "echo 'plain text' >&2\n"
      "exec sleep 30");
  LogCollector logs;
  int exit_calls = 0;
  std::mutex exit_mu;  // guards exit_calls
  PluginProcessOptions o = Options(script, &logs);
  o.on_exit = [&](int) {
    std::lock_guard<std::mutex> lock(exit_mu);
    ++exit_calls;
  };
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(o, &p);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(p->handshake().address, "/tmp/nowhere.sock");
  EXPECT_TRUE(WaitUntil(
      [&] {
        return logs.Has("json line", log::Level::kWarn) &&
               logs.Has("after handshake", log::Level::kInfo) &&
               logs.Has("plain text", log::Level::kDebug);
      },
      milliseconds(5000)));
  {
    std::lock_guard<std::mutex> lock(logs.mu);
    for (const auto& e : logs.entries) {
      if (e.message == "json line") {
        ASSERT_EQ(e.kv.size(), 1u);
        EXPECT_EQ(e.kv[0].first, "k");
      }
    }
  }
  pid_t pid = p->pid();
  EXPECT_FALSE(p->Exited());
  p->Kill();
  EXPECT_TRUE(p->Exited());
  EXPECT_TRUE(WIFSIGNALED(p->wait_status()));
  EXPECT_TRUE(ProcessGone(pid));
  std::lock_guard<std::mutex> lock(exit_mu);
  EXPECT_EQ(exit_calls, 1);
}

TEST(PluginProcess, EnvironmentReachesThePlugin) {
  TempDir tmp;
  std::string env_file = (tmp.fs_path() / "env").string();
  std::string script = WriteScript(tmp.fs_path() / "env_dump",
                                   "env > " + env_file +
                                       "\necho '1|2|unix|/tmp/x|grpc|'\n"
                                       "exec sleep 30");
  LogCollector logs;
  PluginProcessOptions o = Options(script, &logs);
  o.plugin_settings = {{"my_key", "my value"}};
  std::unique_ptr<PluginProcess> p;
  ASSERT_TRUE(PluginProcess::Start(o, &p).ok());
  std::string env = ReadAll(env_file);
  EXPECT_NE(env.find("GF_PLUGIN_MY_KEY=my value\n"), std::string::npos) << env;
  EXPECT_NE(env.find("grafana_plugin_type=datasource\n"), std::string::npos);
  EXPECT_NE(env.find("PLUGIN_PROTOCOL_VERSIONS=2\n"), std::string::npos);
  EXPECT_NE(env.find("GF_VERSION="), std::string::npos);
}

TEST(PluginProcess, NoOrphanWhenTheHostIsKilled) {
  // fake_host starts the fake plugin and prints its pid; we SIGKILL the host.
  ChildProcess::Options spawn;
  spawn.argv = {FAKE_HOST_PATH, FAKE_PLUGIN_PATH};
  spawn.inherit_env = true;
  std::string error;
  std::unique_ptr<ChildProcess> host = ChildProcess::Start(spawn, &error);
  ASSERT_NE(host, nullptr) << error;  // killed and reaped whatever happens
  std::string text = host->ReadStdoutLine(milliseconds(10000)).value_or("");
  pid_t plugin_pid = std::atoi(text.c_str());
  ASSERT_GT(plugin_pid, 0) << "fake host printed \"" << text << "\"";
  EXPECT_FALSE(ProcessGone(plugin_pid));
  host->Signal(SIGKILL);
  EXPECT_TRUE(
      WaitUntil([&] { return ProcessGone(plugin_pid); }, milliseconds(5000)));
  if (!ProcessGone(plugin_pid)) kill(plugin_pid, SIGKILL);
}

TEST(PluginEnvironment, SocketFolderIsPluginUnixSocketDir) {
  PluginProcessOptions o;
  EXPECT_EQ(BuildPluginEnvironment(o, {"PLUGIN_UNIX_SOCKET_DIR=/elsewhere"}),
            BuildPluginEnvironment(o, {"PLUGIN_UNIX_SOCKET_DIR=/elsewhere"}));
  o.unix_socket_dir = "/tmp/runnel-42";
  std::vector<std::string> env =
      BuildPluginEnvironment(o, {"PLUGIN_UNIX_SOCKET_DIR=/elsewhere"});
  EXPECT_EQ(std::count(env.begin(), env.end(),
                       "PLUGIN_UNIX_SOCKET_DIR=/tmp/runnel-42"),
            1);
  EXPECT_EQ(
      std::count(env.begin(), env.end(), "PLUGIN_UNIX_SOCKET_DIR=/elsewhere"),
      0);
}

TEST(PluginProcess, CancelEndsTheHandshakeWaitAndKillsTheProcess) {
  TempDir tmp;
  const auto pid_file = tmp.fs_path() / "pid";
  std::string script =
      WriteScript(tmp.fs_path() / "silent",
                  "echo $$ > " + pid_file.string() + "\nexec sleep 300");
  LogCollector logs;
  PluginProcessOptions o = Options(script, &logs);
  o.handshake_timeout = milliseconds(60000);
  CancelSignal cancel;
  std::thread canceller([&] {
    WaitUntil([&] { return std::atoi(ReadAll(pid_file).c_str()) > 0; },
              milliseconds(10000));
    cancel.Cancel();
  });
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(o, &p, &cancel);
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.message();
  EXPECT_NE(s.message().find("handshake"), std::string::npos) << s.message();
  EXPECT_EQ(p, nullptr);
  pid_t pid = std::atoi(ReadAll(pid_file).c_str());
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(ProcessGone(pid));
}

TEST(PluginProcess, AlreadyCancelledStartDoesNotWait) {
  TempDir tmp;
  LogCollector logs;
  PluginProcessOptions o =
      Options(WriteScript(tmp.fs_path() / "silent", "exec sleep 300"), &logs);
  o.handshake_timeout = milliseconds(60000);
  CancelSignal cancel;
  cancel.Cancel();
  std::unique_ptr<PluginProcess> p;
  EXPECT_EQ(PluginProcess::Start(o, &p, &cancel).code(),
            StatusCode::kCancelled);
}

TEST(PluginProcess, SocketLeftInTheSocketFolderIsRemovedWhenItIsGone) {
  TempDir tmp;
  LogCollector logs;
  PluginProcessOptions o = Options(FAKE_PLUGIN_PATH, &logs);
  o.unix_socket_dir = tmp.path() + "/";  // a trailing '/' too
  std::unique_ptr<PluginProcess> p;
  Status s = PluginProcess::Start(o, &p);
  ASSERT_TRUE(s.ok()) << s.message();
  const std::filesystem::path socket = p->handshake().address;
  EXPECT_EQ(socket.parent_path(), tmp.path()) << socket;
  ASSERT_TRUE(std::filesystem::is_socket(socket)) << socket;
  p->Kill();  // SIGKILL: the plugin cannot remove its socket itself
  EXPECT_TRUE(std::filesystem::is_socket(socket));
  p.reset();
  EXPECT_FALSE(std::filesystem::exists(socket)) << socket;
}

TEST(PluginProcess, SocketOutsideTheSocketFolderIsLeftAlone) {
  TempDir tmp, elsewhere;
  const auto socket = elsewhere.fs_path() / "not-ours";
  std::ofstream(socket) << "x";  // not even a socket
  LogCollector logs;
  PluginProcessOptions o = Options(
      WriteScript(tmp.fs_path() / "p",
                  "echo '1|2|unix|" + socket.string() + "|grpc|'\nsleep 30"),
      &logs);
  o.unix_socket_dir = tmp.path();
  std::unique_ptr<PluginProcess> p;
  ASSERT_TRUE(PluginProcess::Start(o, &p).ok());
  p.reset();
  EXPECT_TRUE(std::filesystem::exists(socket));
}

}  // namespace
}  // namespace runnel::host

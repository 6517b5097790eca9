#include "starting_host.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "live_client.h"

extern char** environ;

namespace runnel::host::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The host's environment: ours, with TMPDIR replaced when asked.
std::vector<std::string> HostEnvironment(const std::string& tmpdir) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!tmpdir.empty() && std::strncmp(*e, "TMPDIR=", 7) == 0) continue;
    env.emplace_back(*e);
  }
  if (!tmpdir.empty()) env.push_back("TMPDIR=" + tmpdir);
  return env;
}

}  // namespace

StartingHost::StartingHost(StartingHostOptions options)
    : options_(std::move(options)) {
  std::string pattern =
      (fs::temp_directory_path() / "runnel-starting-XXXXXX").string();
  dir_ = mkdtemp(pattern.data());
  fs::create_directories(fs::path(dir_) / "plugins");
  fs::create_directories(fs::path(dir_) / "provisioning" / "datasources");
  if (options_.with_testdata) {
    fs::create_directory_symlink(fs::path(RUNNEL_PLUGINS_DIR) / "testdata",
                                 fs::path(dir_) / "plugins" / "testdata");
  }
  WriteText(fs::path(dir_) / "runnel.ini",
            "[server]\n"
            "http_addr = 127.0.0.1\n"
            "http_port = 0\n"
            "root_url = http://127.0.0.1:3000/\n"
            "[paths]\n"
            "plugins = " +
                dir_ +
                "/plugins\n"
                "provisioning = " +
                dir_ +
                "/provisioning\n"
                "[log]\n"
                "level = info\n" +
                options_.extra_ini + "\n");
}

StartingHost::~StartingHost() {
  KillAndReap();
  if (std::getenv("RUNNEL_KEEP_TMP") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string StartingHost::AddScriptPlugin(const std::string& id,
                                          const std::string& body) {
  fs::path folder = fs::path(dir_) / "plugins" / id;
  WriteText(folder / "plugin.json",
            "{\"type\":\"datasource\",\"name\":\"" + id + "\",\"id\":\"" + id +
                "\",\"backend\":true,\"executable\":\"plugin\"}\n");
  WriteText(folder / "plugin", "#!/bin/sh\n" + body + "\n");
  chmod((folder / "plugin").c_str(), 0755);
  return folder.string();
}

bool StartingHost::Start(std::string* error,
                         std::chrono::milliseconds timeout) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = "pipe failed";
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::string log = dir_ + "/host.log";
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string config = options_.config_path.empty() ? dir_ + "/runnel.ini"
                                                    : options_.config_path;
  std::vector<std::string> args = {RUNNEL_HOST_BINARY, "--homepath",
                                   RUNNEL_SOURCE_DIR, "--config", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = HostEnvironment(options_.tmpdir);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const auto spawned = Clock::now();
  int rc = posix_spawn(&pid_, RUNNEL_HOST_BINARY, &actions, nullptr,
                       argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    pid_ = -1;
    *error = std::string("posix_spawn: ") + std::strerror(rc);
    return false;
  }
  stdout_fd_ = out[0];

  static const std::regex kListening(
      R"(Runnel listening on http://[^\s]+:(\d+)/)");
  std::string text;
  const auto deadline = spawned + timeout;
  while (Clock::now() < deadline) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 20) > 0) {
      char buf[512];
      ssize_t n = read(stdout_fd_, buf, sizeof buf);
      if (n > 0) text.append(buf, static_cast<size_t>(n));
      std::smatch match;
      if (std::regex_search(text, match, kListening)) {
        port_ = static_cast<uint16_t>(std::stoi(match[1]));
        time_to_listen_ = std::chrono::duration_cast<std::chrono::milliseconds>(
            Clock::now() - spawned);
        return true;
      }
      if (n == 0) break;  // stdout closed: the host exited
    }
  }
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    *error = "host exited during start-up (status " + std::to_string(status) +
             "):\n" + Log();
    return false;
  }
  *error = "host did not print its address within " +
           std::to_string(timeout.count()) + " ms; stdout: '" + text + "'\n" +
           Log();
  KillAndReap();
  return false;
}

void StartingHost::SendSignal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int StartingHost::WaitExit(std::chrono::milliseconds timeout,
                           std::chrono::milliseconds* took) {
  if (pid_ <= 0) return -1;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  int status = -1;
  while (true) {
    int s = 0;
    if (waitpid(pid_, &s, WNOHANG) == pid_) {
      pid_ = -1;
      status = s;
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (took != nullptr) {
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                  start);
  }
  if (status == -1) KillAndReap();
  return status;
}

void StartingHost::KillAndReap() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

std::string StartingHost::Log() const {
  std::ifstream in(dir_ + "/host.log", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string PluginState(uint16_t port, const std::string& id,
                        std::string* last_error) {
  std::string body;
  if (HttpGet(port, "/api/health", &body) != 200) return "";
  Json health = Json::parse(body, nullptr, false);
  if (!health.is_object() || !health.contains("plugins")) return "";
  for (const Json& plugin : health["plugins"]) {
    if (plugin.value("id", "") != id) continue;
    if (last_error != nullptr) *last_error = plugin.value("lastError", "");
    return plugin.value("state", "");
  }
  return "";
}

}  // namespace runnel::host::testing

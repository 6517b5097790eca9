#include "host_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "live_client.h"

extern char** environ;

namespace runnel::host::testing {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

HostProcess::HostProcess(std::string extra_ini)
    : extra_ini_(std::move(extra_ini)) {
  std::string pattern =
      (fs::temp_directory_path() / "runnel-host-XXXXXX").string();
  dir_ = mkdtemp(pattern.data());
  WriteFile(fs::path(dir_) / "provisioning" / "datasources" / "testdata.yaml",
            "apiVersion: 1\n"
            "datasources:\n"
            "  - name: TestData\n"
            "    type: testdata\n"
            "    uid: testdata\n"
            "    isDefault: true\n");
  WriteFile(fs::path(dir_) / "runnel.ini",
            "[server]\n"
            "http_addr = 127.0.0.1\n"
            "http_port = 0\n"
            "root_url = http://127.0.0.1:3000/\n"
            "[paths]\n"
            "plugins = " RUNNEL_PLUGINS_DIR
            "\n"
            "provisioning = " +
                dir_ +
                "/provisioning\n"
                "[log]\n"
                "level = info\n" +
                extra_ini_ + "\n");
}

HostProcess::~HostProcess() {
  KillAndReap();
  if (std::getenv("RUNNEL_KEEP_TMP") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void HostProcess::WriteFile(const std::string& relative,
                            const std::string& text) const {
  testing::WriteFile(fs::path(dir_) / relative, text);
}

bool HostProcess::Start(std::string* error, std::chrono::milliseconds timeout) {
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
  std::string config = dir_ + "/runnel.ini";
  std::vector<std::string> args = {RUNNEL_HOST_BINARY, "--homepath",
                                   RUNNEL_SOURCE_DIR, "--config", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&pid_, RUNNEL_HOST_BINARY, &actions, nullptr,
                       argv.data(), environ);
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
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) > 0) {
      char buf[512];
      ssize_t n = read(stdout_fd_, buf, sizeof buf);
      if (n > 0) text.append(buf, static_cast<size_t>(n));
      std::smatch match;
      if (std::regex_search(text, match, kListening)) {
        port_ = static_cast<uint16_t>(std::stoi(match[1]));
        return WaitForPlugins(deadline, error);
      }
      if (n == 0) break;  // stdout closed: the host exited
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "host exited during start-up (status " + std::to_string(status) +
               "):\n" + Log();
      return false;
    }
  }
  *error = "host did not print its address in time; stdout: '" + text + "'\n" +
           Log();
  KillAndReap();
  return false;
}

bool HostProcess::WaitForPlugins(std::chrono::steady_clock::time_point deadline,
                                 std::string* error) {
  std::string body;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpGet(port_, "/api/health", &body) == 200) {
      Json health = Json::parse(body, nullptr, false);
      bool all_running = health.is_object() && health.contains("plugins");
      if (all_running) {
        for (const Json& plugin : health["plugins"]) {
          if (plugin.value("state", "") != "running") all_running = false;
        }
      }
      if (all_running) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  *error =
      "the plugins did not reach \"running\" in time: " + body + "\n" + Log();
  return false;
}

int HostProcess::Signal(int signo, std::chrono::milliseconds timeout) {
  SendSignal(signo);
  return WaitExit(timeout);
}

void HostProcess::SendSignal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int HostProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  KillAndReap();
  return -1;
}

void HostProcess::KillAndReap() {
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

std::string HostProcess::Log() const {
  std::ifstream in(dir_ + "/host.log", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<pid_t> ChildPids(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() ||
        name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...; comm may hold spaces: split after ')'.
    size_t close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != "Z") children.push_back(std::stoi(name));
  }
  return children;
}

bool ProcessAlive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close_paren = line.rfind(')');
  return close_paren != std::string::npos &&
         line.substr(close_paren + 2, 1) != "Z";
}

}  // namespace runnel::host::testing

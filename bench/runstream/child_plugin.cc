#include "child_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>

extern char** environ;

namespace runnel::bench {

std::unique_ptr<ChildPlugin> ChildPlugin::Start(
    const std::vector<std::string>& argv,
    const std::map<std::string, std::string>& extra_env, std::string* error) {
  std::unique_ptr<ChildPlugin> child(new ChildPlugin());
  std::string dir_pattern = "/tmp/runnel-bench-XXXXXX";
  if (::mkdtemp(dir_pattern.data()) == nullptr) {
    *error = std::string("mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  child->socket_dir_ = dir_pattern;

  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  env["grafana_plugin_type"] = "datasource";
  env["PLUGIN_PROTOCOL_VERSIONS"] = "2";
  env["PLUGIN_UNIX_SOCKET_DIR"] = child->socket_dir_;
  env["GF_PLUGIN_LOG_LEVEL"] = "warn";
  for (const auto& [k, v] : extra_env) env[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  int rc = ::posix_spawn(&child->pid_, args[0].c_str(), &actions, nullptr,
                         argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  child->stdout_fd_ = out_pipe[0];
  if (rc != 0) {
    child->pid_ = -1;
    *error = "posix_spawn " + args[0] + ": " + std::strerror(rc);
    return nullptr;
  }

  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd pfd{child->stdout_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 20000) <= 0) {
      *error = "no handshake line within 20 s";
      return nullptr;
    }
    char buf[512];
    ssize_t n = ::read(child->stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      *error = "the plugin exited before its handshake";
      return nullptr;
    }
    line.append(buf, static_cast<size_t>(n));
  }
  line.erase(line.find('\n'));
  // CORE|APP|NETWORK|ADDR|PROTOCOL|CERT
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t bar = line.find('|', start);
    parts.push_back(line.substr(start, bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (parts.size() < 5) {
    *error = "bad handshake line: " + line;
    return nullptr;
  }
  child->target_ = parts[2] == "unix" ? "unix:" + parts[3] : parts[3];
  return child;
}

ChildPlugin::~ChildPlugin() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (!socket_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(socket_dir_, ec);
  }
}

}  // namespace runnel::bench

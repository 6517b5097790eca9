#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace runnel::testing {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// "NAME=value" strings: ours (if asked) with `env` set on top.
std::vector<std::string> Environment(
    const std::map<std::string, std::string>& env, bool inherit) {
  std::vector<std::string> out;
  if (inherit) {
    for (char** e = environ; *e != nullptr; ++e) {
      const char* eq = std::strchr(*e, '=');
      std::string name(*e, eq == nullptr ? std::strlen(*e) : eq - *e);
      if (env.count(name) == 0) out.emplace_back(*e);
    }
  }
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Start(const Options& options,
                                                  std::string* error) {
  if (options.argv.empty()) {
    *error = "no executable";
    return nullptr;
  }
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return nullptr;
  }
  std::vector<std::string> env_strings =
      Environment(options.env, options.inherit_env);
  std::vector<char*> envp = Pointers(env_strings);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv = Pointers(args);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(
        &actions, STDERR_FILENO, options.stderr_path.c_str(),
        O_WRONLY | O_CREAT | (options.append_stderr ? O_APPEND : O_TRUNC),
        0644);
  }
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(),
                         envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    *error = "posix_spawn " + args[0] + ": " + std::strerror(rc);
    return nullptr;
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, out_pipe[0], options.stderr_path));
}

std::unique_ptr<ChildProcess> ChildProcess::Start(
    const std::string& executable,
    const std::map<std::string, std::string>& env,
    const std::string& stderr_path, std::string* error) {
  Options options;
  options.argv = {executable};
  options.env = env;
  options.stderr_path = stderr_path;
  return Start(options, error);
}

ChildProcess::~ChildProcess() {
  Kill();
  ::close(stdout_fd_);
}

void ChildProcess::Kill() {
  if (status_.has_value()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
}

std::optional<std::string> ChildProcess::ReadStdoutLine(
    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    size_t newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    stdout_buffer_.append(buf, static_cast<size_t>(n));
  }
}

std::string ChildProcess::ReadRestOfStdout(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string out = std::move(stdout_buffer_);
  stdout_buffer_.clear();
  while (true) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return out;
    char buf[4096];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

std::optional<int> ChildProcess::WaitForStatus(
    std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!status_.has_value()) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      break;
    }
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

std::optional<int> ChildProcess::WaitForExit(
    std::chrono::milliseconds timeout) {
  std::optional<int> status = WaitForStatus(timeout);
  if (!status.has_value()) return std::nullopt;
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
}

bool ChildProcess::running() {
  return !WaitForStatus(std::chrono::milliseconds(0)).has_value();
}

void ChildProcess::Signal(int signo) {
  if (!status_.has_value()) ::kill(pid_, signo);
}

std::string ChildProcess::Stderr() const {
  if (stderr_path_.empty()) return "";
  std::ifstream in(stderr_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace runnel::testing

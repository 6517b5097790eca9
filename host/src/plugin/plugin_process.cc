#include "plugin/plugin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

extern char** environ;

namespace runnel::host {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A first stdout line longer than this is not a handshake.
constexpr size_t kMaxHandshakeBytes = 64 * 1024;

std::string EnvKey(std::string_view entry) {
  return std::string(entry.substr(0, entry.find('=')));
}

std::string ToEnvName(std::string_view key) {
  std::string name = "GF_PLUGIN_";
  for (char c : key) {
    name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::vector<std::string> HostEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  return env;
}

// Splits off the first line of `buffer` once it holds a '\n'.
bool TakeLine(const std::string& buffer, std::string* line, std::string* rest) {
  size_t newline = buffer.find('\n');
  if (newline == std::string::npos) return false;
  *line = buffer.substr(0, newline);
  *rest = buffer.substr(newline + 1);
  return true;
}

Status HandshakeTimedOut(milliseconds timeout, const std::string& so_far) {
  return Status::Unavailable(
      "timed out after " + std::to_string(timeout.count()) +
      " ms waiting for the handshake line on stdout" +
      (so_far.empty() ? "" : " (got \"" + so_far + "\" so far)"));
}

// Handshake: reads fd until the first '\n', EOF, the time-out or
// cancellation (cancel_fd readable; -1 = none).
Status ReadHandshakeLine(int fd, int cancel_fd, milliseconds timeout,
                         std::string* line, std::string* rest) {
  const auto deadline = Clock::now() + timeout;
  std::string buffer;
  char chunk[4096];
  while (!TakeLine(buffer, line, rest)) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return HandshakeTimedOut(timeout, buffer);
    pollfd fds[2] = {{fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    int r = poll(fds, 2, static_cast<int>(left.count()));
    if (r <= 0) continue;  // EINTR or time-out: checked at the top
    if (fds[1].revents != 0) {
      return Status::Cancelled(
          "start cancelled while waiting for the "
          "handshake line (the host is stopping)");
    }
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      if (buffer.empty()) {
        return Status::Unavailable(
            "the plugin closed stdout (exited?) before writing its "
            "handshake line");
      }
      *line = buffer;  // a last line without '\n'
      rest->clear();
      return Status::Ok();
    }
    buffer.append(chunk, static_cast<size_t>(n));
    if (buffer.size() > kMaxHandshakeBytes) {
      return Status::InvalidArgument(
          "no newline in the first 64 KiB of stdout; not a handshake line");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DescribeWaitStatus(int wait_status) {
  if (wait_status < 0) return "still running";
  if (WIFEXITED(wait_status)) {
    return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return "killed by signal " + std::to_string(WTERMSIG(wait_status)) + " (" +
           strsignal(WTERMSIG(wait_status)) + ")";
  }
  return "ended with wait status " + std::to_string(wait_status);
}

std::vector<std::string> BuildPluginEnvironment(
    const PluginProcessOptions& options,
    const std::vector<std::string>& host_env) {
  std::vector<std::string> env;
  std::set<std::string> keys;
  for (const std::string& entry : host_env) {
    if (entry.find('=') == std::string::npos) continue;
    if (keys.insert(EnvKey(entry)).second) env.push_back(entry);
  }
  // go-plugin and Grafana's own variables win over the host's.
  auto set = [&](const std::string& key, const std::string& value) {
    std::string entry = key + "=" + value;
    if (keys.insert(key).second) {
      env.push_back(entry);
      return;
    }
    for (std::string& existing : env) {
      if (EnvKey(existing) == key) existing = entry;
    }
  };
  set("grafana_plugin_type", "datasource");
  set("PLUGIN_PROTOCOL_VERSIONS", "2");
  set("PLUGIN_MIN_PORT", "10000");
  set("PLUGIN_MAX_PORT", "25000");
  if (!options.unix_socket_dir.empty()) {
    set("PLUGIN_UNIX_SOCKET_DIR", options.unix_socket_dir);
  }
  set("GF_VERSION", options.gf_version);
  // [plugin.<id>] keys; an OS variable of the same name wins.
  for (const auto& [key, value] : options.plugin_settings) {
    if (key == "path" || key == "id") continue;
    std::string name = ToEnvName(key);
    if (keys.insert(name).second) env.push_back(name + "=" + value);
  }
  return env;
}

PluginProcess::PluginProcess(PluginProcessOptions options, LaunchedChild child,
                             Pipe wake)
    : options_(std::move(options)),
      pid_(child.pid),
      stdout_fd_(std::move(child.stdout_read)),
      stderr_fd_(std::move(child.stderr_read)),
      wake_(std::move(wake)) {}

Status PluginProcess::Start(PluginProcessOptions options,
                            std::unique_ptr<PluginProcess>* out,
                            const CancelSignal* cancel) {
  if (!options.log_sink) {
    options.log_sink = [id = options.plugin_id](const PluginLogEntry& entry) {
      WritePluginLog(id, entry);
    };
  }
  Pipe wake;
  Status s = Pipe::Open("reader wake-up", &wake);
  if (!s.ok()) return s;
  LaunchSpec spec{options.executable_path,
                  BuildPluginEnvironment(options, HostEnvironment()),
                  options.working_dir};
  LaunchedChild child;
  s = LaunchChild(spec, &child);
  if (!s.ok()) return s;

  std::unique_ptr<PluginProcess> process(
      new PluginProcess(std::move(options), std::move(child), std::move(wake)));
  process->StartWaiterAndStderrReader();
  std::string rest;
  s = process->AwaitHandshake(cancel, &rest);
  if (!s.ok()) return process->FailStart(s);
  process->stdout_drainer_ =
      std::thread([p = process.get(), carry = std::move(rest)] {
        p->ReadLines(p->stdout_fd_.get(), carry, [](std::string_view) {});
      });
  process->ArmOnExit();
  *out = std::move(process);
  return Status::Ok();
}

void PluginProcess::StartWaiterAndStderrReader() {
  waiter_ = std::thread([this] { WaitLoop(); });
  stderr_reader_ = std::thread([this] {
    ReadLines(stderr_fd_.get(), "", [this](std::string_view line) {
      if (!line.empty()) options_.log_sink(ParsePluginLogLine(line));
    });
  });
}

Status PluginProcess::AwaitHandshake(const CancelSignal* cancel,
                                     std::string* rest) {
  std::string line;
  Status s =
      ReadHandshakeLine(stdout_fd_.get(), cancel != nullptr ? cancel->fd() : -1,
                        options_.handshake_timeout, &line, rest);
  if (s.ok()) s = ParseHandshakeLine(line, &handshake_);
  return s;
}

Status PluginProcess::FailStart(const Status& why) {
  Kill();
  std::string message = why.message();
  if (why.code() == StatusCode::kUnavailable &&
      message.find("closed stdout") != std::string::npos) {
    message += "; it " + DescribeWaitStatus(wait_status());
  }
  return Status(why.code(), message);
}

void PluginProcess::ArmOnExit() {
  bool already_reaped;
  {
    absl::MutexLock lock(&mu_);
    already_reaped = reaped_;
    exit_armed_ = !already_reaped;
  }
  if (already_reaped && options_.on_exit) {
    // It died right after its handshake, before on_exit was armed.
    WaitForExit(milliseconds::max());
    options_.on_exit(wait_status());
  }
}

void PluginProcess::WaitLoop() {
  siginfo_t info;
  while (true) {
    std::memset(&info, 0, sizeof info);
    int r = waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
    if (r == 0 || errno != EINTR) break;
  }
  int status = -1;
  bool call_on_exit;
  {
    absl::MutexLock lock(&mu_);
    // The leader is a zombie, so its group id is still ours: take down
    // anything it left behind, then reap.
    kill(-pid_, SIGKILL);
    pid_t r;
    do {
      r = waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    reaped_ = true;
    call_on_exit = exit_armed_;
  }
  // on_exit runs before Exited() turns true, so whoever waits for the exit
  // also sees its effects.
  if (call_on_exit && options_.on_exit) options_.on_exit(status);
  {
    absl::MutexLock lock(&mu_);
    exited_ = true;
    wait_status_ = status;
  }
  // Readers: drain what the process wrote, then stop.
  (void)!write(wake_.write.get(), "x", 1);
}

void PluginProcess::ReadLines(
    int fd, std::string carry,
    const std::function<void(std::string_view)>& on_line) {
  std::string buffer = std::move(carry);
  auto emit_lines = [&] {
    size_t start = 0, newline;
    while ((newline = buffer.find('\n', start)) != std::string::npos) {
      on_line(std::string_view(buffer).substr(start, newline - start));
      start = newline + 1;
    }
    buffer.erase(0, start);
  };
  emit_lines();
  char chunk[8192];
  bool woken = false;
  while (true) {
    if (!woken) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_.read.get(), POLLIN, 0}};
      int r = poll(fds, 2, -1);
      if (r < 0 && errno == EINTR) continue;
      if (fds[1].revents != 0) {
        woken = true;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      }
    }
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && !woken) continue;
    if (n <= 0) break;  // EOF, or woken and drained
    buffer.append(chunk, static_cast<size_t>(n));
    emit_lines();
  }
  if (!buffer.empty()) on_line(buffer);
}

bool PluginProcess::Exited() const {
  absl::MutexLock lock(&mu_);
  return exited_;
}

bool PluginProcess::WaitForExit(milliseconds timeout) const {
  absl::MutexLock lock(&mu_);
  if (timeout == milliseconds::max()) {
    mu_.Await(absl::Condition(&exited_));
    return true;
  }
  return mu_.AwaitWithTimeout(absl::Condition(&exited_),
                              absl::Milliseconds(timeout.count()));
}

int PluginProcess::wait_status() const {
  absl::MutexLock lock(&mu_);
  return wait_status_;
}

void PluginProcess::Kill() {
  {
    absl::MutexLock lock(&mu_);
    if (!reaped_) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
    }
  }
  WaitForExit(milliseconds::max());
}

void PluginProcess::RemoveLeftoverSocket() const {
  // go-plugin's server removes its socket when it closes the listener; a
  // killed plugin cannot. Only a socket directly in the folder the host
  // handed out is removed, never a path elsewhere that a plugin named.
  if (options_.unix_socket_dir.empty() || handshake_.network != "unix") return;
  namespace fs = std::filesystem;
  const fs::path socket = fs::path(handshake_.address).lexically_normal();
  fs::path dir = fs::path(options_.unix_socket_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // a trailing '/'
  if (socket.parent_path() != dir) return;
  struct stat st;
  if (lstat(socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    unlink(socket.c_str());
  }
}

PluginProcess::~PluginProcess() {
  Kill();
  if (waiter_.joinable()) waiter_.join();
  if (stderr_reader_.joinable()) stderr_reader_.join();
  if (stdout_drainer_.joinable()) stdout_drainer_.join();
  RemoveLeftoverSocket();
}

}  // namespace runnel::host

#include "plugin/plugin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

extern char** environ;

namespace runnel::host {
namespace {

using Clock = std::chrono::steady_clock;

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

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Handshake: reads fd until the first '\n', EOF or the deadline.
Status ReadHandshakeLine(int fd, Clock::time_point deadline,
                         std::chrono::milliseconds timeout, std::string* line,
                         std::string* rest) {
  std::string buffer;
  char chunk[4096];
  while (true) {
    size_t newline = buffer.find('\n');
    if (newline != std::string::npos) {
      *line = buffer.substr(0, newline);
      *rest = buffer.substr(newline + 1);
      return Status::Ok();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable(
          "timed out after " + std::to_string(timeout.count()) +
          " ms waiting for the handshake line on stdout" +
          (buffer.empty() ? "" : " (got \"" + buffer + "\" so far)"));
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // time-out is handled at the top
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      if (!buffer.empty()) {  // a last line without '\n'
        *line = buffer;
        rest->clear();
        return Status::Ok();
      }
      return Status::Unavailable(
          "the plugin closed stdout (exited?) before writing its handshake "
          "line");
    }
    buffer.append(chunk, static_cast<size_t>(n));
    if (buffer.size() > 64 * 1024) {
      return Status::InvalidArgument(
          "no newline in the first 64 KiB of stdout; not a handshake line");
    }
  }
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
  set("GF_VERSION", options.gf_version);
  // [plugin.<id>] keys; an OS variable of the same name wins.
  for (const auto& [key, value] : options.plugin_settings) {
    if (key == "path" || key == "id") continue;
    std::string name = ToEnvName(key);
    if (keys.insert(name).second) env.push_back(name + "=" + value);
  }
  return env;
}

Status PluginProcess::Start(PluginProcessOptions options,
                            std::unique_ptr<PluginProcess>* out) {
  if (!options.log_sink) {
    std::string id = options.plugin_id;
    options.log_sink = [id](const PluginLogEntry& entry) {
      WritePluginLog(id, entry);
    };
  }
  std::vector<std::string> host_env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    host_env.emplace_back(*e);
  }
  std::vector<std::string> env = BuildPluginEnvironment(options, host_env);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string path = options.executable_path;
  std::vector<char*> argv = {path.data(), nullptr};
  std::string dir = options.working_dir;

  int out_pipe[2], err_pipe[2], exec_pipe[2], wake_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("pipe: ") + strerror(errno));
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Status::Internal(std::string("pipe: ") + strerror(errno));
  }
  if (pipe2(exec_pipe, O_CLOEXEC) != 0 || pipe2(wake_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      close(fd);
    }
    return Status::Internal(std::string("pipe: ") + strerror(errno));
  }
  int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);

  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    for (int fd :
         {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0],
          exec_pipe[1], wake_pipe[0], wake_pipe[1], dev_null}) {
      if (fd >= 0) close(fd);
    }
    return Status::Internal(std::string("fork: ") + strerror(err));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the host died before prctl
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) {
      signal(sig, SIG_DFL);
    }
    if (dev_null >= 0) dup2(dev_null, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!dir.empty() && chdir(dir.c_str()) != 0) {
      int err = errno;
      (void)!write(exec_pipe[1], &err, sizeof err);
      _exit(127);
    }
    // Everything else (gRPC sockets, other plugins' pipes) stays behind.
    // exec_pipe[1] is close-on-exec and above 2, so keep it until exec.
    for (int fd = 3; fd < exec_pipe[1]; ++fd) close(fd);
    syscall(SYS_close_range, exec_pipe[1] + 1, ~0U, 0);
    execve(path.c_str(), argv.data(), envp.data());
    int err = errno;
    (void)!write(exec_pipe[1], &err, sizeof err);
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so the group exists before we signal it
  for (int fd : {out_pipe[1], err_pipe[1], exec_pipe[1], dev_null}) {
    if (fd >= 0) close(fd);
  }

  std::unique_ptr<PluginProcess> process(new PluginProcess());
  process->options_ = std::move(options);
  process->pid_ = pid;
  process->stdout_fd_ = out_pipe[0];
  process->stderr_fd_ = err_pipe[0];
  process->wake_read_fd_ = wake_pipe[0];
  process->wake_write_fd_ = wake_pipe[1];
  process->waiter_ = std::thread([p = process.get()] { p->WaitLoop(); });
  process->stderr_reader_ = std::thread([p = process.get()] {
    p->ReadLines(p->stderr_fd_, "", [p](std::string_view line) {
      if (!line.empty()) p->options_.log_sink(ParsePluginLogLine(line));
    });
  });

  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n > 0) {
    process->WaitForExit(std::chrono::milliseconds::max());
    return Status::Unavailable("cannot run " +
                               process->options_.executable_path + ": " +
                               strerror(exec_errno));
  }

  const auto timeout = process->options_.handshake_timeout;
  std::string line, rest;
  Status s = ReadHandshakeLine(process->stdout_fd_, Clock::now() + timeout,
                               timeout, &line, &rest);
  if (s.ok()) s = ParseHandshakeLine(line, &process->handshake_);
  if (!s.ok()) {
    process->Kill();
    std::string why = s.message();
    int status = process->wait_status();
    if (why.find("closed stdout") != std::string::npos) {
      why += "; it " + DescribeWaitStatus(status);
    }
    return Status(s.code(), why);
  }
  process->stdout_drainer_ =
      std::thread([p = process.get(), carry = std::move(rest)] {
        p->ReadLines(p->stdout_fd_, carry, [](std::string_view) {});
      });

  bool already_reaped;
  {
    std::lock_guard<std::mutex> lock(process->mu_);
    already_reaped = process->reaped_;
    process->exit_armed_ = !already_reaped;
  }
  if (already_reaped && process->options_.on_exit) {
    // It died right after its handshake, before on_exit was armed.
    process->WaitForExit(std::chrono::milliseconds::max());
    process->options_.on_exit(process->wait_status());
  }
  *out = std::move(process);
  return Status::Ok();
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
    std::lock_guard<std::mutex> lock(mu_);
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
    std::lock_guard<std::mutex> lock(mu_);
    exited_ = true;
    wait_status_ = status;
  }
  exited_cv_.notify_all();
  // Readers: drain what the process wrote, then stop.
  (void)!write(wake_write_fd_, "x", 1);
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
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
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
  std::lock_guard<std::mutex> lock(mu_);
  return exited_;
}

bool PluginProcess::WaitForExit(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout == std::chrono::milliseconds::max()) {
    exited_cv_.wait(lock, [this] { return exited_; });
    return true;
  }
  return exited_cv_.wait_for(lock, timeout, [this] { return exited_; });
}

int PluginProcess::wait_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wait_status_;
}

void PluginProcess::Kill() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!reaped_) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
    }
  }
  WaitForExit(std::chrono::milliseconds::max());
}

PluginProcess::~PluginProcess() {
  Kill();
  if (waiter_.joinable()) waiter_.join();
  if (stderr_reader_.joinable()) stderr_reader_.join();
  if (stdout_drainer_.joinable()) stdout_drainer_.join();
  CloseFd(&stdout_fd_);
  CloseFd(&stderr_fd_);
  CloseFd(&wake_read_fd_);
  CloseFd(&wake_write_fd_);
}

}  // namespace runnel::host

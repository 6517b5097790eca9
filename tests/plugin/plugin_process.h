// PluginProcess: starts a plugin executable the way a go-plugin host does
// (explicit env, stdout on a pipe for the handshake line, stderr captured
// to a file) and always kills and reaps it when destroyed, even when a test
// fails half-way. TempDir: a fresh directory removed with its contents.
// Thread-safety: none; one test thread owns each object.
#ifndef RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_
#define RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace runnel_test {

class TempDir {
 public:
  TempDir();  // mkdtemp under $TMPDIR or /tmp; aborts the test on failure
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The env Grafana gives a plugin (docs/plugin-protocol.md#host-env), with the
// socket dir set.
std::map<std::string, std::string> GrafanaPluginEnv(
    const std::string& socket_dir);

class PluginProcess {
 public:
  // Starts `executable` with exactly `env`; stderr goes to `stderr_path`.
  // Returns nullptr (and sets *error) when the spawn fails.
  static std::unique_ptr<PluginProcess> Start(
      const std::string& executable,
      const std::map<std::string, std::string>& env,
      const std::string& stderr_path, std::string* error);
  ~PluginProcess();  // SIGKILL if still running, then reap

  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The first stdout line without its newline; nullopt on timeout or EOF.
  std::optional<std::string> ReadStdoutLine(std::chrono::milliseconds timeout);
  // Everything left on stdout until EOF or the timeout.
  std::string ReadRestOfStdout(std::chrono::milliseconds timeout);
  // Exit code (or 128+signal when killed by a signal) once the process has
  // exited; nullopt if it still runs after the timeout.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  void Signal(int signo);
  // What the process wrote to stderr so far.
  std::string Stderr() const;

 private:
  PluginProcess(pid_t pid, int stdout_fd, std::string stderr_path)
      : pid_(pid),
        stdout_fd_(stdout_fd),
        stderr_path_(std::move(stderr_path)) {}

  pid_t pid_;
  int stdout_fd_;
  std::string stderr_path_;
  std::string stdout_buffer_;  // bytes read past the last returned line
  std::optional<int> exit_code_;
};

}  // namespace runnel_test

#endif  // RUNNEL_TESTS_PLUGIN_PLUGIN_PROCESS_H_

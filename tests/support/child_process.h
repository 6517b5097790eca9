// ChildProcess: an executable the test starts (a plugin, the host), with
// its stdout on a pipe the test reads line by line and its stderr in a
// file. The destructor SIGKILLs it if it still runs and reaps it, so a test
// that fails half-way leaves nothing behind.
// Thread-safety: none; one test thread owns each object.
#ifndef RUNNEL_TESTS_SUPPORT_CHILD_PROCESS_H_
#define RUNNEL_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace runnel::testing {

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0]: the executable's path
    // The environment: exactly `env`, or with inherit_env ours with `env`
    // set on top of it.
    std::map<std::string, std::string> env;
    bool inherit_env = false;
    std::string stderr_path;     // "" = the test's own stderr
    bool append_stderr = false;  // else the file is truncated
  };

  // Spawns the process; nullptr (and *error) when that fails.
  static std::unique_ptr<ChildProcess> Start(const Options& options,
                                             std::string* error);
  // Starts `executable` with no arguments and exactly `env`; stderr goes to
  // `stderr_path` (truncated).
  static std::unique_ptr<ChildProcess> Start(
      const std::string& executable,
      const std::map<std::string, std::string>& env,
      const std::string& stderr_path, std::string* error);
  ~ChildProcess();  // SIGKILL if still running, then reap

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The next stdout line without its newline; nullopt on timeout or EOF.
  std::optional<std::string> ReadStdoutLine(std::chrono::milliseconds timeout);
  // Everything left on stdout until EOF or the timeout.
  std::string ReadRestOfStdout(std::chrono::milliseconds timeout);
  // The raw waitpid status once the process has exited; nullopt if it
  // still runs after the timeout.
  std::optional<int> WaitForStatus(std::chrono::milliseconds timeout);
  // Exit code (or 128+signal when killed by a signal) once the process has
  // exited; nullopt if it still runs after the timeout.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // Whether it has not been seen to exit yet (does not wait).
  bool running();
  void Signal(int signo);
  // SIGKILL (if still running) and reap.
  void Kill();
  // What the process wrote to stderr so far ("" if it goes to ours).
  std::string Stderr() const;

 private:
  ChildProcess(pid_t pid, int stdout_fd, std::string stderr_path)
      : pid_(pid),
        stdout_fd_(stdout_fd),
        stderr_path_(std::move(stderr_path)) {}

  pid_t pid_;
  int stdout_fd_;
  std::string stderr_path_;
  std::string stdout_buffer_;  // bytes read past the last returned line
  std::optional<int> status_;  // waitpid status once reaped
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_CHILD_PROCESS_H_

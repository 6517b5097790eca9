// HostProcess: the built host (build/host/runnel) as a child process, for
// integration tests. It runs in its own temp dir with a config written from
// the given ini text (http_port 0; the port is read from the "Runnel
// listening on http://...:<port>/" line), a provisioning folder with the
// testdata data source, and the built plugins folder. stderr (the host's and
// its plugins' log) goes to <dir>/host.log.
// The destructor SIGKILLs and reaps the host if it still runs (its plugins
// die with it: they have PR_SET_PDEATHSIG).
// Thread-safety: one test thread.
#ifndef RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_
#define RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace runnel::host::testing {

class HostProcess {
 public:
  // `extra_ini` is appended to the generated config (sections may repeat:
  // later values win).
  explicit HostProcess(std::string extra_ini = "");
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  // Writes a file under dir() (e.g. "provisioning/datasources/x.yaml").
  void WriteFile(const std::string& relative, const std::string& text) const;

  // Spawns the host and waits for its listening line and then for every
  // plugin to be "running" in /api/health. False (with *error) if it exits
  // or that does not happen within the time-out.
  bool Start(std::string* error,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

  // Sends `signo` and waits for the exit; returns the waitpid status, or -1
  // if the host did not exit in time (it is then killed).
  int Signal(int signo, std::chrono::milliseconds timeout);
  void SendSignal(int signo);
  // Waits for the exit; the waitpid status, or -1 after the time-out (the
  // host is then killed).
  int WaitExit(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }

  // The host's stderr so far.
  std::string Log() const;

 private:
  void KillAndReap();
  bool WaitForPlugins(std::chrono::steady_clock::time_point deadline,
                      std::string* error);

  std::string dir_;
  std::string extra_ini_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
};

// The pids of the direct children of `parent` (from /proc).
std::vector<pid_t> ChildPids(pid_t parent);
bool ProcessAlive(pid_t pid);

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_

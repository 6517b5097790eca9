// StartingHost: the built host (build/host/runnel) as a child process, for
// tests of what happens while its plugins start. Unlike HostProcess it does
// not wait for the plugins: Start() returns as soon as the host prints its
// "Runnel listening on" line. Its plugins folder holds script plugins the
// test adds (AddScriptPlugin), optionally next to the built testdata plugin;
// TMPDIR can be set for the host (where plugin socket folders go).
// stderr (the host's and its plugins' log) goes to <dir>/host.log.
// The destructor SIGKILLs and reaps the host if it still runs (its plugins
// die with it: they have PR_SET_PDEATHSIG).
// Thread-safety: one test thread.
#ifndef RUNNEL_TESTS_HOST_INTEGRATION_STARTING_HOST_H_
#define RUNNEL_TESTS_HOST_INTEGRATION_STARTING_HOST_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace runnel::host::testing {

struct StartingHostOptions {
  bool with_testdata = false;  // link the built testdata plugin in
  std::string extra_ini;       // appended to the generated config
  std::string tmpdir;          // TMPDIR for the host; "" = inherited
  // Replaces the generated --config path (e.g. with a folder).
  std::string config_path;
};

class StartingHost {
 public:
  explicit StartingHost(StartingHostOptions options = {});
  ~StartingHost();
  StartingHost(const StartingHost&) = delete;
  StartingHost& operator=(const StartingHost&) = delete;

  // A plugin folder <dir>/plugins/<id> with a plugin.json and an executable
  // shell script running `body`. Returns the folder.
  std::string AddScriptPlugin(const std::string& id, const std::string& body);

  // Spawns the host and waits up to `timeout` for its listening line. False
  // (with *error and the log) if it exits first or the time passes.
  bool Start(std::string* error,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // From the spawn to the listening line.
  std::chrono::milliseconds time_to_listen() const { return time_to_listen_; }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

  void SendSignal(int signo);
  // Waits for the exit: the waitpid status, or -1 after the time-out (the
  // host is then killed). *took gets how long the wait was (may be null).
  int WaitExit(std::chrono::milliseconds timeout,
               std::chrono::milliseconds* took = nullptr);

  std::string Log() const;

 private:
  void KillAndReap();

  StartingHostOptions options_;
  std::string dir_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  std::chrono::milliseconds time_to_listen_{0};
};

// The plugin's "state" in /api/health ("" if the host or the plugin is not
// there); *last_error gets its "lastError" (may be null).
std::string PluginState(uint16_t port, const std::string& id,
                        std::string* last_error = nullptr);

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_INTEGRATION_STARTING_HOST_H_

// HostProcess: the built host (build/host/runnel) as a child process, for
// integration tests. It runs in its own temp dir with a config written from
// HostOptions (http_port 0; the port is read from the "Runnel listening on
// http://...:<port>/" line), a provisioning folder and a plugins folder that
// holds the built testdata plugin and/or script plugins the test adds
// (AddScriptPlugin). stderr (the host's and its plugins' log) goes to
// <dir>/host.log.
//   HostProcess(extra_ini): the testdata host: the testdata plugin and its
//     provisioned data source; Start() waits until every plugin is
//     "running" in /api/health.
//   HostProcess(HostOptions): what the options say; by default an empty
//     plugins folder, and Start() returns at the listening line, for tests
//     of what happens while plugins start.
// The destructor SIGKILLs and reaps the host if it still runs (its plugins
// die with it: they have PR_SET_PDEATHSIG).
// Thread-safety: one test thread.
#ifndef RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_
#define RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace runnel::host::testing {

struct HostOptions {
  bool with_testdata = false;       // link the built testdata plugin in
  bool provision_testdata = false;  // and provision its data source
  bool wait_for_plugins = false;    // Start() waits for them to run
  std::string extra_ini;  // appended to the generated config (sections may
                          // repeat: later values win)
  std::string tmpdir;     // TMPDIR for the host; "" = inherited
  // Replaces the generated --config path (e.g. with a folder).
  std::string config_path;
};

class HostProcess {
 public:
  explicit HostProcess(std::string extra_ini = "");
  explicit HostProcess(HostOptions options);
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  // Writes a file under dir() (e.g. "provisioning/datasources/x.yaml").
  void WriteFile(const std::string& relative, const std::string& text) const;
  // A plugin folder <dir>/plugins/<id> with a plugin.json and an executable
  // shell script running `body`. Returns the folder.
  std::string AddScriptPlugin(const std::string& id, const std::string& body);

  // Spawns the host and waits for its listening line (and, with
  // wait_for_plugins, for every plugin to be "running" in /api/health).
  // False (with *error and the log) if it exits first or the time-out
  // (30 s with wait_for_plugins, else 5 s) passes.
  bool Start(std::string* error);
  bool Start(std::string* error, std::chrono::milliseconds timeout);
  // From the spawn to the listening line.
  std::chrono::milliseconds time_to_listen() const { return time_to_listen_; }

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  const std::string& dir() const { return dir_.path(); }

  // Sends `signo` and waits for the exit; returns the waitpid status, or -1
  // if the host did not exit in time (it is then killed).
  int Signal(int signo, std::chrono::milliseconds timeout);
  void SendSignal(int signo);
  // Waits for the exit: the waitpid status, or -1 after the time-out (the
  // host is then killed). *took gets how long the wait was (may be null).
  int WaitExit(std::chrono::milliseconds timeout,
               std::chrono::milliseconds* took = nullptr);
  bool running() { return process_ && process_->running(); }

  // The host's stderr so far.
  std::string Log() const;

 private:
  bool WaitForPlugins(std::chrono::steady_clock::time_point deadline,
                      std::string* error);

  HostOptions options_;
  ::runnel::testing::TempDir dir_;
  std::unique_ptr<::runnel::testing::ChildProcess> process_;
  uint16_t port_ = 0;
  std::chrono::milliseconds time_to_listen_{0};
};

// A fixture with one testdata host per suite (gtest runs a suite's tests
// one after another), started with the ini text `Config::kIni`. SetUp fails
// each test if the host did not start or has died since.
template <typename Config>
class HostSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostProcess(Config::kIni);
    if (!host_->Start(&start_error_)) {
      delete host_;
      host_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(host_, nullptr) << start_error_;
    ASSERT_TRUE(host_->running()) << host_->Log();
  }
  uint16_t port() const { return host_->port(); }

  static HostProcess* host_;
  static std::string start_error_;
};

template <typename Config>
HostProcess* HostSuite<Config>::host_ = nullptr;
template <typename Config>
std::string HostSuite<Config>::start_error_;

// The pids of the direct children of `parent` (from /proc).
std::vector<pid_t> ChildPids(pid_t parent);
bool ProcessAlive(pid_t pid);

// The plugin's "state" in /api/health ("" if the host or the plugin is not
// there); *last_error gets its "lastError" (may be null).
std::string PluginState(uint16_t port, const std::string& id,
                        std::string* last_error = nullptr);

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_INTEGRATION_HOST_PROCESS_H_

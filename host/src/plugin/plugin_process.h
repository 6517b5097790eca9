// PluginProcess: one running plugin executable. Starts it with the
// environment a go-plugin host gives (hashicorp/go-plugin client.go, plus
// Grafana's GF_* variables), reads the handshake line from stdout within a
// time-out, drains later stdout, forwards stderr to the host log, and reaps
// the process.
//
// No orphans: the child leads its own process group and has
// PR_SET_PDEATHSIG=SIGKILL, which fires when the *thread* that called Start()
// exits, so call Start() from a thread that lives as long as the plugin
// should (the Supervisor uses its own thread). The destructor kills (SIGKILL
// to the group) and reaps a process that is still running, and removes the
// unix socket it leaves behind in options.unix_socket_dir.
// The process is reaped by waitpid(pid): the host must not reap children
// with waitpid(-1) or ignore SIGCHLD.
//
// Thread-safety: all methods may be called from any thread.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "plugin/cancel_signal.h"
#include "plugin/child_launch.h"
#include "plugin/handshake_parser.h"
#include "plugin/plugin_log.h"
#include "plugin/unique_fd.h"
#include "runnel/status.h"

namespace runnel::host {

struct PluginProcessOptions {
  std::string plugin_id;        // log tag
  std::string executable_path;  // what to run
  std::string working_dir;      // "" = inherit
  // The [plugin.<id>] ini section: each key k becomes GF_PLUGIN_<UPPER(k)>
  // (keys "path" and "id" skipped; an OS env var of that name wins).
  std::map<std::string, std::string> plugin_settings;
  std::string gf_version = "0.1.0";  // GF_VERSION
  // go-plugin's StartTimeout default (client.go): 1 minute.
  std::chrono::milliseconds handshake_timeout{60000};
  // The folder for the plugin's unix socket, passed as
  // PLUGIN_UNIX_SOCKET_DIR: go-plugin's server (server.go,
  // serverListener_unix) creates its socket with os.CreateTemp in that
  // folder, else in $TMPDIR or /tmp. "" = not set.
  std::string unix_socket_dir;
  // Where stderr lines go; default: WritePluginLog(plugin_id, entry).
  std::function<void(const PluginLogEntry&)> log_sink;
  // Called once from an internal thread when the process has exited and been
  // reaped, before Exited() turns true (not called if Start() fails). Must
  // not block.
  std::function<void(int wait_status)> on_exit;
};

// The environment for the child: `host_env` ("K=V" strings, e.g. environ)
// plus the variables a go-plugin host and Grafana set. Later entries do not
// duplicate keys.
std::vector<std::string> BuildPluginEnvironment(
    const PluginProcessOptions& options,
    const std::vector<std::string>& host_env);

// "exited with code 1", "killed by signal 9".
std::string DescribeWaitStatus(int wait_status);

class PluginProcess {
 public:
  // Spawns the executable and waits for its handshake. On failure (spawn
  // error, time-out, early exit, bad line) the process is killed and reaped
  // and the Status says why; *out is left empty. When `cancel` (may be
  // null) fires during the wait, the process is killed at once and the
  // result is Cancelled.
  static Status Start(PluginProcessOptions options,
                      std::unique_ptr<PluginProcess>* out,
                      const CancelSignal* cancel = nullptr);

  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  pid_t pid() const { return pid_; }
  const HandshakeInfo& handshake() const { return handshake_; }

  bool Exited() const;
  // True once the process has exited (and was reaped) within `timeout`;
  // milliseconds::max() waits for ever.
  bool WaitForExit(std::chrono::milliseconds timeout) const;
  // The waitpid status once Exited(); -1 before.
  int wait_status() const;

  // SIGKILL to the plugin's process group, then wait until reaped.
  void Kill();

 private:
  PluginProcess(PluginProcessOptions options, LaunchedChild child, Pipe wake);
  void StartWaiterAndStderrReader();
  // Reads the first stdout line; *rest gets what followed it.
  Status AwaitHandshake(const CancelSignal* cancel, std::string* rest);
  // Kills the process after a failed handshake and says why, with the exit
  // status when the plugin died on its own.
  Status FailStart(const Status& why);
  // From now on the process's exit is reported to on_exit.
  void ArmOnExit();
  void WaitLoop();
  // Reads lines from fd until EOF, or until woken and the pipe is drained.
  void ReadLines(int fd, std::string carry,
                 const std::function<void(std::string_view)>& on_line);
  void RemoveLeftoverSocket() const;

  const PluginProcessOptions options_;
  const pid_t pid_;
  HandshakeInfo handshake_;  // set by Start() before the object is shared
  const UniqueFd stdout_fd_;
  const UniqueFd stderr_fd_;
  // Readable once the process is reaped: the readers drain what is left
  // and stop.
  const Pipe wake_;

  mutable absl::Mutex mu_;
  // waitpid done: pid_ must not be signalled any more.
  bool reaped_ ABSL_GUARDED_BY(mu_) = false;
  bool exited_ ABSL_GUARDED_BY(mu_) = false;  // reaped and on_exit returned
  int wait_status_ ABSL_GUARDED_BY(mu_) = -1;
  bool exit_armed_ ABSL_GUARDED_BY(mu_) = false;  // on_exit may be called

  std::thread waiter_;  // waitid + reap
  std::thread stdout_drainer_;
  std::thread stderr_reader_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_

// PluginProcess: one running plugin executable. Starts it with the
// environment Grafana gives (reference §2), reads the handshake line from
// stdout within a time-out, drains later stdout, forwards stderr to the host
// log, and reaps the process.
//
// No orphans: the child is in its own process group and has
// PR_SET_PDEATHSIG=SIGKILL, which fires when the *thread* that called Start()
// exits, so call Start() from a thread that lives as long as the plugin
// should (the Supervisor uses its own thread). The destructor kills (SIGKILL
// to the group) and reaps a process that is still running.
// The process is reaped by waitpid(pid): the host must not reap children
// with waitpid(-1) or ignore SIGCHLD.
//
// Thread-safety: all methods may be called from any thread.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugin/handshake_parser.h"
#include "plugin/plugin_log.h"
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
  std::chrono::milliseconds handshake_timeout{60000};
  // Where stderr lines go; default: WritePluginLog(plugin_id, entry).
  std::function<void(const PluginLogEntry&)> log_sink;
  // Called once from an internal thread when the process has exited and been
  // reaped, before Exited() turns true (not called if Start() fails). Must
  // not block.
  std::function<void(int wait_status)> on_exit;
};

// The environment for the child: `host_env` ("K=V" strings, e.g. environ)
// plus the variables of reference §2. Later entries do not duplicate keys.
std::vector<std::string> BuildPluginEnvironment(
    const PluginProcessOptions& options,
    const std::vector<std::string>& host_env);

// "exited with code 1", "killed by signal 9".
std::string DescribeWaitStatus(int wait_status);

class PluginProcess {
 public:
  // Spawns the executable and waits for its handshake. On failure (spawn
  // error, time-out, early exit, bad line) the process is killed and reaped
  // and the Status says why; *out is left empty.
  static Status Start(PluginProcessOptions options,
                      std::unique_ptr<PluginProcess>* out);

  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  pid_t pid() const { return pid_; }
  const HandshakeInfo& handshake() const { return handshake_; }

  bool Exited() const;
  // True once the process has exited (and was reaped) within `timeout`.
  bool WaitForExit(std::chrono::milliseconds timeout) const;
  // The waitpid status once Exited(); -1 before.
  int wait_status() const;

  // SIGKILL to the plugin's process group, then wait until reaped.
  void Kill();

 private:
  PluginProcess() = default;
  void WaitLoop();
  // Reads lines from fd until EOF, or until woken and the pipe is drained.
  void ReadLines(int fd, std::string carry,
                 const std::function<void(std::string_view)>& on_line);

  PluginProcessOptions options_;
  pid_t pid_ = -1;
  HandshakeInfo handshake_;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int wake_read_fd_ = -1;   // readable once the process is reaped: readers
  int wake_write_fd_ = -1;  // drain what is left and stop

  mutable std::mutex
      mu_;  // guards reaped_, exited_, wait_status_, exit_armed_,
            // signalling pid_ (never after it is reaped)
  mutable std::condition_variable exited_cv_;
  bool reaped_ = false;  // waitpid done: pid_ must not be signalled any more
  bool exited_ = false;  // reaped and on_exit has returned
  int wait_status_ = -1;
  bool exit_armed_ = false;  // Start succeeded: on_exit may be called

  std::thread waiter_;  // waitid + reap
  std::thread stdout_drainer_;
  std::thread stderr_reader_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_PROCESS_H_

// Supervisor: keeps one backend plugin running. It starts the process, waits
// for the handshake, dials gRPC, and restarts the plugin when it exits, with a
// growing delay while it keeps dying:
//   delay before restart n (n = consecutive deaths) = initial * 2^(n-1),
//   capped at max; the count resets once the plugin has stayed up for
//   stable_after. Defaults: 0.5 s, doubling, 30 s cap, reset after 30 s up.
// Each successful (re)start makes a new generation: a fresh grpc::Channel to
// the new process, and every listener is told, so streams restart at once.
// Stop(): the Shutdown RPC (plugin.GRPCController), 2 s of grace, SIGKILL,
// reap.
//
// Thread-safety: all public methods may be called from any thread. Listeners
// are called from the supervisor's own thread, with no lock held; they must
// not block and must not call AddListener/RemoveListener.
// Ownership: owns its thread and the plugin process; the destructor stops.
#ifndef RUNNEL_HOST_PLUGIN_SUPERVISOR_H_
#define RUNNEL_HOST_PLUGIN_SUPERVISOR_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "plugin/plugin_json.h"
#include "plugin/plugin_process.h"
#include "runnel/status.h"

namespace runnel::host {

enum class PluginState {
  kStarting,    // first start in progress
  kRunning,     // handshake done, gRPC channel connected
  kRestarting,  // exited; waiting for the restart delay or restarting
  kFailed,      // the last start attempt failed; retrying after the delay
  kStopped,     // not started yet, or Stop() was called
};
std::string_view PluginStateName(PluginState state);  // "running", ...

struct SupervisorOptions {
  // [plugin.<id>] ini section, GF_VERSION, handshake time-out, log sink.
  // plugin_id and executable_path are filled from the manifest.
  PluginProcessOptions process;
  std::chrono::milliseconds restart_delay_initial{500};
  std::chrono::milliseconds restart_delay_max{30000};
  std::chrono::milliseconds stable_after{30000};
  std::chrono::milliseconds connect_timeout{
      10000};  // gRPC dial after handshake
  std::chrono::milliseconds shutdown_grace{2000};
};

// The current generation's connection; channel is null unless running.
struct PluginConnection {
  uint64_t generation = 0;  // 0: never started; +1 per successful start
  std::shared_ptr<grpc::Channel> channel;
};

class Supervisor {
 public:
  using Listener = std::function<void(const PluginConnection&)>;

  Supervisor(PluginManifest manifest, SupervisorOptions options = {});
  ~Supervisor();  // Stop()
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts the supervisor thread, which starts the plugin. Returns at once.
  // One-shot: a stopped supervisor is not started again.
  void Start();
  // Blocks until the plugin is running (OK), or the time-out passes
  // (Unavailable, with the last start error), or it was stopped (Cancelled).
  Status WaitUntilRunning(std::chrono::milliseconds timeout) const;
  // Shuts the plugin down and joins the thread. Idempotent.
  void Stop();

  const PluginManifest& manifest() const { return manifest_; }
  const std::string& id() const { return manifest_.id; }
  PluginState state() const;
  int64_t restarts() const;        // starts after the first one
  std::string last_error() const;  // why the last start failed / it exited
  pid_t pid() const;               // -1 when no process is running
  PluginConnection connection() const;

  // Called after every successful (re)start. Returns a handle for removal.
  // RemoveListener waits for a call in progress on another thread, so after
  // it returns the listener is never called again.
  int AddListener(Listener listener);
  void RemoveListener(int handle);

 private:
  void Run();  // the supervisor thread
  // REQUIRES: mu_ not held.
  Status StartOnce(std::unique_ptr<PluginProcess>* process,
                   std::shared_ptr<grpc::Channel>* channel);
  void ShutdownProcess(PluginProcess* process,
                       const std::shared_ptr<grpc::Channel>& channel);
  void SetState(PluginState state);

  const PluginManifest manifest_;
  SupervisorOptions options_;

  mutable std::mutex mu_;               // guards everything below
  mutable std::condition_variable cv_;  // state changes, exit, stop
  bool started_ = false;
  bool stopping_ = false;
  bool process_exited_ = false;  // set by the current process's on_exit
  PluginState state_ = PluginState::kStopped;
  int64_t restarts_ = 0;
  std::string last_error_;
  pid_t pid_ = -1;
  PluginConnection connection_;
  std::map<int, Listener> listeners_;
  bool notifying_ = false;  // listeners are being called (without mu_)
  int next_listener_ = 1;
  std::thread thread_;
  std::mutex stop_mu_;  // serializes Stop() (the join of thread_)
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_SUPERVISOR_H_

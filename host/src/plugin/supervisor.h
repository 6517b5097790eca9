// Supervisor: keeps one backend plugin running. It starts the process, waits
// for the handshake, dials gRPC, and restarts the plugin when it exits, with a
// growing delay while it keeps dying:
//   delay before restart n (n = consecutive deaths) = initial * 2^(n-1),
//   capped at max; the count resets once the plugin has stayed up for
//   stable_after. Defaults: 0.5 s, doubling, 30 s cap, reset after 30 s up.
// Each successful (re)start makes a new generation: a fresh grpc::Channel to
// the new process, and every listener is told, so streams restart at once.
// Stop(): a start in progress is abandoned at once (the process is killed,
// as go-plugin's client.go Kill does for a plugin it has no connection
// to); a running plugin gets the Shutdown RPC (plugin.GRPCController),
// shutdown_grace to exit, then SIGKILL.
//
// Thread-safety: all public methods may be called from any thread. Listeners
// are called from the supervisor's own thread, with no lock held; they must
// not block and must not call AddListener/RemoveListener or Stop().
// Ownership: owns its thread and the plugin process; the destructor stops.
#ifndef RUNNEL_HOST_PLUGIN_SUPERVISOR_H_
#define RUNNEL_HOST_PLUGIN_SUPERVISOR_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "plugin/cancel_signal.h"
#include "plugin/plugin_json.h"
#include "plugin/plugin_process.h"
#include "runnel/status.h"

namespace runnel::host {

enum class PluginState {
  kStarting,    // first start in progress
  kRunning,     // handshake done, gRPC channel connected
  kRestarting,  // exited; waiting for the restart delay or restarting
  kFailed,      // the last start attempt failed; retrying after the delay
  kStopped,     // not started yet, or stopped
};
std::string_view PluginStateName(PluginState state);  // "running", ...

struct SupervisorOptions {
  // [plugin.<id>] ini section, GF_VERSION, handshake time-out, socket
  // folder, log sink. plugin_id and executable_path are filled from the
  // manifest.
  PluginProcessOptions process;
  std::chrono::milliseconds restart_delay_initial{500};
  std::chrono::milliseconds restart_delay_max{30000};
  std::chrono::milliseconds stable_after{30000};
  // gRPC dial after the handshake.
  std::chrono::milliseconds connect_timeout{10000};
  // go-plugin's Kill (client.go): 2 s between the Shutdown RPC and SIGKILL.
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
  // (Unavailable, with the state and the last start error), or starts were
  // cancelled or it was stopped (Cancelled).
  Status WaitUntilRunning(std::chrono::milliseconds timeout) const;
  // No more (re)starts: a start in progress is abandoned at once (its
  // process is killed), WaitUntilRunning() stops waiting, and a plugin that
  // exits is not restarted. A running plugin keeps running until Stop().
  // The first step of a host shutdown, so that nothing waits for a plugin
  // that will not come. Idempotent; does not block.
  void CancelStarts();
  // CancelStarts(), shuts a running plugin down and joins the thread.
  // Idempotent; a second call returns once the first is done. After it, and
  // even if the supervisor was never started, Start() does nothing.
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
  // One start and, when it succeeds, the plugin's whole run until it exits
  // or Stop(). Counts *deaths and says in *how how it ended. Returns the
  // delay before the next start; none when starts are cancelled or stopping.
  std::optional<std::chrono::milliseconds> RunGeneration(int* deaths,
                                                         std::string* how);
  void CountRestart();
  void MarkStopped();  // the supervisor thread is about to end
  // One start: process, handshake, gRPC. Cancelled if CancelStarts() cut
  // it short.
  Status StartOnce(std::unique_ptr<PluginProcess>* process,
                   std::shared_ptr<grpc::Channel>* channel);
  // Records a failed start; returns the delay before the next one.
  std::chrono::milliseconds OnStartFailed(const Status& why, int deaths);
  // Makes the new generation current and tells the listeners.
  void Publish(const PluginProcess& process,
               const std::shared_ptr<grpc::Channel>& channel);
  // Blocks until the process exits (false) or Stop() (true).
  bool WaitForExitOrStop();
  // Records the exit of a running plugin; returns the restart delay.
  std::chrono::milliseconds OnExited(const PluginProcess& process, int deaths);
  // The Shutdown RPC, the grace period, then SIGKILL. Returns how it ended.
  std::string ShutdownProcess(PluginProcess* process,
                              const std::shared_ptr<grpc::Channel>& channel);
  // False when starts were cancelled (now or during the delay).
  bool WaitBeforeRestart(std::chrono::milliseconds delay);
  bool StartsCancelled() const;

  const PluginManifest manifest_;
  SupervisorOptions options_;
  // Fired by CancelStarts(): ends a handshake read or gRPC dial at once.
  CancelSignal start_cancel_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool starts_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the current process's on_exit.
  bool process_exited_ ABSL_GUARDED_BY(mu_) = false;
  PluginState state_ ABSL_GUARDED_BY(mu_) = PluginState::kStopped;
  int64_t restarts_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  pid_t pid_ ABSL_GUARDED_BY(mu_) = -1;
  PluginConnection connection_ ABSL_GUARDED_BY(mu_);
  std::map<int, Listener> listeners_ ABSL_GUARDED_BY(mu_);
  // Listeners are being called (without mu_).
  bool notifying_ ABSL_GUARDED_BY(mu_) = false;
  int next_listener_ ABSL_GUARDED_BY(mu_) = 1;
  std::thread::id thread_id_ ABSL_GUARDED_BY(mu_);

  // Serializes Start() and Stop(). Stop() joins thread_ while holding it, so
  // a second Stop() returns only once the thread has ended. The supervisor
  // thread never takes it (so the join cannot deadlock), which is why a
  // listener must not call Stop().
  absl::Mutex stop_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_SUPERVISOR_H_

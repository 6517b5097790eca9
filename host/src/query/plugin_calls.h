// PluginCalls: what the HTTP endpoints that call a plugin once (QueryData,
// CheckHealth, CallResource) share, so that no I/O thread ever waits on
// gRPC: the RPCs use gRPC's callback API with a deadline; only waiting for a
// plugin that is still starting (or restarting) takes a worker thread, for
// at most unavailable_wait. Every RPC's context is registered, so Shutdown
// can cancel them all and wait until each completion has run.
//
// Use: WhenRunning(plugin, then); in `then`, Begin() a context (null once
// shutting down), start the RPC, and in its completion do the work, then
// End(context) as the very last step (Shutdown returns once every context
// has ended, and the owner may then be destroyed).
//
// Thread-safety: all methods from any thread. Ownership: owns its workers;
// borrows the supervisors, which must outlive it. The destructor calls
// Shutdown().
#ifndef RUNNEL_HOST_QUERY_PLUGIN_CALLS_H_
#define RUNNEL_HOST_QUERY_PLUGIN_CALLS_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>

#include "plugin/supervisor.h"
#include "stream/worker_pool.h"

namespace runnel::host {

// The HTTP status for a failed RPC: 503 when the plugin is unavailable
// (UNAVAILABLE, or CANCELLED: the host is shutting down), 504 past the
// deadline, 501 for a service the plugin does not serve, else 500.
int HttpStatusForRpc(const grpc::Status& rpc);

struct PluginCallOptions {
  // The deadline of each RPC.
  std::chrono::milliseconds rpc_timeout{30000};
  // How long a call waits for a plugin that is not running before it is
  // answered "plugin unavailable".
  std::chrono::milliseconds unavailable_wait{3000};
  // Threads for those waits (a call waiting holds one).
  size_t worker_threads = 2;
};

class PluginCalls {
 public:
  explicit PluginCalls(PluginCallOptions options = {});
  ~PluginCalls();
  PluginCalls(const PluginCalls&) = delete;
  PluginCalls& operator=(const PluginCalls&) = delete;

  // Runs then(connection): at once when the plugin runs, else on a worker
  // once it runs or unavailable_wait has passed. The channel is null when
  // the plugin is not running by then, or when shutting down.
  void WhenRunning(Supervisor* plugin,
                   std::function<void(PluginConnection)> then);

  // A fresh context with the RPC deadline, registered for Shutdown to
  // cancel; null once shutting down. Give every one back to End.
  std::shared_ptr<grpc::ClientContext> Begin();
  void End(const std::shared_ptr<grpc::ClientContext>& context);

  // Cancels the RPCs in flight, runs the waits still queued (they get a
  // null channel), and returns once every context has ended. Idempotent.
  void Shutdown();

  const PluginCallOptions& options() const { return options_; }

 private:
  bool NothingInFlightLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_.empty();
  }

  const PluginCallOptions options_;
  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::shared_ptr<grpc::ClientContext>> in_flight_
      ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WorkerPool> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_PLUGIN_CALLS_H_

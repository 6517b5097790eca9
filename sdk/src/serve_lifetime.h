// ServeLifetime: the one "stop" signal of a Serve() run. The controller's
// Shutdown, SIGTERM/SIGINT and Serve's own exit request a stop; RunStream
// calls register a listener so a sleeping stream wakes at once, and the
// stdio stream and health watches wait on it.
// Thread-safety: every method may be called from any thread. Listeners run
// under mu_ and must not call back into the lifetime.
#ifndef RUNNEL_SDK_SRC_SERVE_LIFETIME_H_
#define RUNNEL_SDK_SRC_SERVE_LIFETIME_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <absl/time/time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace runnel::internal {

class ServeLifetime {
 public:
  // Marks the run as stopping and wakes every waiter. The first reason wins.
  void RequestStop(const std::string& reason) {
    absl::MutexLock lock(&mu_);
    if (stop_requested_) return;
    stop_requested_ = true;
    reason_ = reason;
    stopping_.store(true, std::memory_order_release);
    for (auto& [id, listener] : listeners_) listener();
  }

  // Calls `listener` once when a stop is requested (at once when already
  // stopping). Returns an id for RemoveStopListener. After RemoveStopListener
  // returns, the listener is never called again.
  uint64_t AddStopListener(std::function<void()> listener) {
    absl::MutexLock lock(&mu_);
    if (stop_requested_) listener();
    const uint64_t id = next_listener_id_++;
    listeners_.emplace(id, std::move(listener));
    return id;
  }
  void RemoveStopListener(uint64_t id) {
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  }

  // Cheap check for hot loops.
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Blocks until a stop is requested; returns its reason.
  std::string WaitForStop() {
    absl::MutexLock lock(&mu_, absl::Condition(&stop_requested_));
    return reason_;
  }

  // Waits up to `d`; returns true if stopping (early or already).
  bool WaitFor(std::chrono::nanoseconds d) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&stop_requested_),
                                absl::FromChrono(d));
  }

 private:
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  std::string reason_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);
  uint64_t next_listener_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::atomic<bool> stopping_{false};  // mirrors stop_requested_, lock-free
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_SERVE_LIFETIME_H_

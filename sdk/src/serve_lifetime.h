// ServeLifetime: the one "stop" signal of a Serve() run. The controller's
// Shutdown, SIGTERM/SIGINT and Serve's own exit request a stop; RunStream
// senders, the stdio stream and health watches wait on it so they end
// promptly when the plugin stops.
// Thread-safety: every method may be called from any thread.
#ifndef RUNNEL_SDK_SRC_SERVE_LIFETIME_H_
#define RUNNEL_SDK_SRC_SERVE_LIFETIME_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace runnel::internal {

class ServeLifetime {
 public:
  // Marks the run as stopping and wakes every waiter. The first reason wins.
  void RequestStop(const std::string& reason) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_requested_) return;
      stop_requested_ = true;
      reason_ = reason;
    }
    stopping_.store(true, std::memory_order_release);
    cv_.notify_all();
  }

  // Cheap check for hot loops.
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Blocks until a stop is requested; returns its reason.
  std::string WaitForStop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_requested_; });
    return reason_;
  }

  // Waits up to `d`; returns true if stopping (early or already).
  bool WaitFor(std::chrono::nanoseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [this] { return stop_requested_; });
  }

 private:
  std::mutex mu_;  // guards stop_requested_ and reason_
  std::condition_variable cv_;
  bool stop_requested_ = false;
  std::string reason_;
  std::atomic<bool> stopping_{false};  // mirrors stop_requested_, lock-free
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_SERVE_LIFETIME_H_

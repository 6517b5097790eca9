// SignalWatcher: turns SIGTERM and SIGINT into a ServeLifetime stop request.
// A self-pipe: the async-signal-safe handler writes the signal number into a
// pipe, and a watcher thread reads it and requests the stop. The previous
// handlers are restored when the watcher is destroyed.
// Thread-safety: construct and destroy on one thread; at most one instance
// may exist at a time (signal handlers are process-wide).
#ifndef RUNNEL_SDK_SRC_SIGNAL_WATCHER_H_
#define RUNNEL_SDK_SRC_SIGNAL_WATCHER_H_

#include <csignal>
#include <thread>

#include "runnel/status.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class SignalWatcher {
 public:
  explicit SignalWatcher(ServeLifetime* lifetime) : lifetime_(lifetime) {}
  ~SignalWatcher();

  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Installs the handlers and starts the watcher thread.
  Status Start();

 private:
  void Run();

  ServeLifetime* lifetime_;
  int pipe_read_ = -1;
  int pipe_write_ = -1;
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
  bool installed_ = false;
  std::thread thread_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_SIGNAL_WATCHER_H_

// CancelSignal: a one-shot "give up now" for waits that block on another
// thread, such as a plugin start (handshake read, gRPC connect). Once
// Cancel() is called it stays cancelled.
//   - poll(2)-based waits add fd() to their set: it turns readable on
//     Cancel() and stays readable.
//   - other waits check cancelled() between bounded slices.
// Thread-safety: every method may be called from any thread. Neither
// copyable nor movable: waiters keep a pointer to it.
#ifndef RUNNEL_HOST_PLUGIN_CANCEL_SIGNAL_H_
#define RUNNEL_HOST_PLUGIN_CANCEL_SIGNAL_H_

#include <atomic>

#include "plugin/unique_fd.h"

namespace runnel::host {

class CancelSignal {
 public:
  CancelSignal();
  CancelSignal(const CancelSignal&) = delete;
  CancelSignal& operator=(const CancelSignal&) = delete;

  // Idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Readable once cancelled. -1 when no eventfd could be made (descriptors
  // exhausted); poll(2) ignores a negative fd, so such waits end at their
  // own time-out instead, and cancelled() still tells.
  int fd() const { return event_.get(); }

 private:
  UniqueFd event_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_CANCEL_SIGNAL_H_

// StateRecorder: counts a Redis client's on_state(true/false) calls, which
// run on the io thread, for a test thread to wait on.
// Thread-safety: every method from any thread.
#ifndef RUNNEL_TESTS_HOST_ENGINE_STATE_RECORDER_H_
#define RUNNEL_TESTS_HOST_ENGINE_STATE_RECORDER_H_

#include <absl/synchronization/mutex.h>

#include <functional>

namespace runnel::host {

class StateRecorder {
 public:
  std::function<void(bool)> Callback() {
    return [this](bool up) {
      absl::MutexLock lock(&mutex_);
      (up ? ups_ : downs_)++;
    };
  }
  int ups() const {
    absl::MutexLock lock(&mutex_);
    return ups_;
  }
  int downs() const {
    absl::MutexLock lock(&mutex_);
    return downs_;
  }

 private:
  mutable absl::Mutex mutex_;
  int ups_ ABSL_GUARDED_BY(mutex_) = 0;
  int downs_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_ENGINE_STATE_RECORDER_H_

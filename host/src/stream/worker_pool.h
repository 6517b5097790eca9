// WorkerPool: a fixed number of threads running queued tasks in order, for
// blocking gRPC calls that must not run on the Live server's I/O threads.
// Thread-safety: Submit may be called from any thread. The destructor runs
// the tasks already queued, then joins. Tasks must not throw.
#ifndef RUNNEL_HOST_STREAM_WORKER_POOL_H_
#define RUNNEL_HOST_STREAM_WORKER_POOL_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

namespace runnel::host {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and the task is dropped) once the pool is shutting down.
  bool Submit(std::function<void()> task);

 private:
  void Loop();
  // Blocks until there is a task (true, moved into *task) or the pool is
  // stopping with nothing left to run (false).
  bool NextTask(std::function<void()>* task);

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // written only by the constructor
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_WORKER_POOL_H_

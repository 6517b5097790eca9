// WorkerPool: a fixed number of threads running queued tasks in order, for
// blocking gRPC calls that must not run on the Live server's I/O threads.
// Thread-safety: Submit may be called from any thread. The destructor runs
// the tasks already queued, then joins. Tasks must not throw.
#ifndef RUNNEL_HOST_STREAM_WORKER_POOL_H_
#define RUNNEL_HOST_STREAM_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
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

  std::mutex mu_;  // guards tasks_ and stopping_
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_WORKER_POOL_H_

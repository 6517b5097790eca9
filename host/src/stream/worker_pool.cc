#include "stream/worker_pool.h"

namespace runnel::host {

WorkerPool::WorkerPool(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

bool WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  tasks_.push_back(std::move(task));
  return true;
}

bool WorkerPool::NextTask(std::function<void()>* task) {
  absl::MutexLock lock(&mu_);
  auto runnable = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !tasks_.empty();
  };
  mu_.Await(absl::Condition(&runnable));
  if (tasks_.empty()) return false;  // stopping and drained
  *task = std::move(tasks_.front());
  tasks_.pop_front();
  return true;
}

void WorkerPool::Loop() {
  std::function<void()> task;
  while (NextTask(&task)) {
    task();
    task = nullptr;  // its captures go now, not when the next task comes
  }
}

}  // namespace runnel::host

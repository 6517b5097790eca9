#include "executor.h"

#include <exception>
#include <string>

#include "runnel/log.h"

namespace runnel::internal {
namespace {

void RunLogged(const Executor::Task& task) {
  try {
    task();
  } catch (const std::exception& e) {
    log::Error("executor task threw", {{"error", e.what()}});
  } catch (...) {
    log::Error("executor task threw a non-std exception");
  }
}

}  // namespace

Executor::Executor(int threads) {
  const int n = threads < 1 ? 1 : threads;
  workers_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Executor::~Executor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  for (std::thread& worker : workers_) worker.join();
  // Destroy the timers that never ran outside the lock (captures may call
  // Cancel).
  std::map<TimerId, Timer> timers;
  {
    absl::MutexLock lock(&mu_);
    timers.swap(timers_);
  }
}

void Executor::Post(Task task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
  wake_.Signal();
}

Executor::TimerId Executor::RunAt(Clock::time_point due, Task task) {
  return RunEvery(due, Clock::duration::zero(), std::move(task));
}

Executor::TimerId Executor::RunEvery(Clock::time_point first_due,
                                     Clock::duration interval, Task task) {
  auto shared = std::make_shared<Task>(std::move(task));
  absl::MutexLock lock(&mu_);
  if (stopping_) return 0;
  const TimerId id =
      AddTimerLocked(Timer{first_due, interval, std::move(shared)});
  // Every worker may be sleeping until a later due time.
  wake_.SignalAll();
  return id;
}

Executor::TimerId Executor::AddTimerLocked(Timer timer) {
  const TimerId id = next_timer_id_++;
  due_.emplace(timer.due, id);
  timers_.emplace(id, std::move(timer));
  return id;
}

std::shared_ptr<Executor::Task> Executor::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return nullptr;
  std::shared_ptr<Task> task = std::move(it->second.task);
  timers_.erase(it);
  return task;  // destroyed by the caller, outside mu_
}

bool Executor::TakeRunnableLocked(Clock::time_point now, Task* task) {
  if (!tasks_.empty()) {
    *task = std::move(tasks_.front());
    tasks_.pop_front();
    return true;
  }
  while (!stopping_ && !due_.empty() && due_.top().first <= now) {
    const auto [due, id] = due_.top();
    due_.pop();
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.due != due) continue;  // stale
    Timer& timer = it->second;
    std::shared_ptr<Task> shared = timer.task;
    if (timer.interval == Clock::duration::zero()) {
      timers_.erase(it);
    } else {
      // Next run: the first one of the schedule after now.
      const auto missed = (now - due) / timer.interval;
      timer.due = due + (missed + 1) * timer.interval;
      due_.emplace(timer.due, id);
    }
    *task = [shared] { (*shared)(); };
    return true;
  }
  return false;
}

void Executor::WorkerLoop() {
  mu_.Lock();
  while (true) {
    Task task;
    if (TakeRunnableLocked(Clock::now(), &task)) {
      mu_.Unlock();
      RunLogged(task);
      task = nullptr;  // captures die outside the lock
      mu_.Lock();
      continue;
    }
    if (stopping_) break;  // no posted task left; timers do not run now
    if (due_.empty()) {
      wake_.Wait(&mu_);
    } else {
      wake_.WaitWithTimeout(&mu_,
                            absl::FromChrono(due_.top().first - Clock::now()));
    }
  }
  mu_.Unlock();
}

}  // namespace runnel::internal

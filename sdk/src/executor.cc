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
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  // Destroy what never ran outside the lock (captures may call Cancel).
  std::deque<Task> tasks;
  std::map<TimerId, Timer> timers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks.swap(tasks_);
    timers.swap(timers_);
  }
}

void Executor::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // `task` is destroyed on return, outside mu_
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

Executor::TimerId Executor::RunAt(Clock::time_point due, Task task) {
  return RunEvery(due, Clock::duration::zero(), std::move(task));
}

Executor::TimerId Executor::RunEvery(Clock::time_point first_due,
                                     Clock::duration interval, Task task) {
  auto shared = std::make_shared<Task>(std::move(task));
  TimerId id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return 0;
    id = AddTimerLocked(Timer{first_due, interval, std::move(shared)});
  }
  // Every worker may be sleeping until a later due time.
  wake_.notify_all();
  return id;
}

Executor::TimerId Executor::AddTimerLocked(Timer timer) {
  const TimerId id = next_timer_id_++;
  due_.emplace(timer.due, id);
  timers_.emplace(id, std::move(timer));
  return id;
}

void Executor::Cancel(TimerId id) {
  std::shared_ptr<Task> task;  // destroyed after the lock is released
  std::lock_guard<std::mutex> lock(mu_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  task = std::move(it->second.task);
  timers_.erase(it);
}

bool Executor::TakeRunnableLocked(Clock::time_point now, Task* task) {
  if (!tasks_.empty()) {
    *task = std::move(tasks_.front());
    tasks_.pop_front();
    return true;
  }
  while (!due_.empty() && due_.top().first <= now) {
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
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    Task task;
    if (TakeRunnableLocked(Clock::now(), &task)) {
      lock.unlock();
      RunLogged(task);
      task = nullptr;  // captures die outside the lock
      lock.lock();
      continue;
    }
    if (due_.empty()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, due_.top().first);
    }
  }
}

}  // namespace runnel::internal

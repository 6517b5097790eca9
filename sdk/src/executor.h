// Executor: a fixed pool of threads that runs posted tasks and timers, the
// engine under AsyncRunStreamHandler (one per Serve run, shared by every
// stream). It never starts a thread after construction, however many tasks
// or timers there are.
//
// A task that throws is logged and dropped; the worker carries on.
// Tasks and timer callbacks are destroyed outside the executor's lock, so
// their captures may call back into the executor from a destructor.
//
// Thread-safety: every method may be called from any thread, including from
// a task. Destruction joins the workers (never from a task); tasks and
// timers not yet run are destroyed without running.
#ifndef RUNNEL_SDK_SRC_EXECUTOR_H_
#define RUNNEL_SDK_SRC_EXECUTOR_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace runnel::internal {

class Executor {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;
  using TimerId = uint64_t;  // 0 is never a timer

  // Starts `threads` workers (at least one).
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs `task` on a worker as soon as one is free (FIFO).
  void Post(Task task);
  // Runs `task` once at `due` (at once when `due` has passed).
  TimerId RunAt(Clock::time_point due, Task task);
  // Runs `task` at `first_due` and then every `interval` (> 0) on that
  // schedule. A late run is not repeated for the periods it missed: the
  // next run is the first one of the schedule after now. Keep the task
  // short: two workers may run it at once if it outlasts its interval.
  TimerId RunEvery(Clock::time_point first_due, Clock::duration interval,
                   Task task);
  // After Cancel returns the timer is not started again (a run already
  // started may still be under way). Unknown ids are ignored.
  void Cancel(TimerId id);

  int thread_count() const { return static_cast<int>(workers_.size()); }

 private:
  struct Timer {
    Clock::time_point due;
    Clock::duration interval;  // zero: runs once
    std::shared_ptr<Task> task;
  };
  using DueEntry = std::pair<Clock::time_point, TimerId>;

  void WorkerLoop();
  // REQUIRES: mu_ held. Moves the next runnable task (a posted one, or a
  // timer that is due) into *task; false when there is none yet.
  bool TakeRunnableLocked(Clock::time_point now, Task* task);
  TimerId AddTimerLocked(Timer timer);

  std::mutex mu_;                 // guards everything below
  std::condition_variable wake_;  // a task was posted, a timer added, or stop
  bool stopping_ = false;
  std::deque<Task> tasks_;
  std::map<TimerId, Timer> timers_;
  // Due times of timers_, earliest first; entries of cancelled or re-armed
  // timers stay until popped and are skipped then.
  std::priority_queue<DueEntry, std::vector<DueEntry>, std::greater<>> due_;
  TimerId next_timer_id_ = 1;

  std::vector<std::thread> workers_;  // written only by the constructor
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_EXECUTOR_H_

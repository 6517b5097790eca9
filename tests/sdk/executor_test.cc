// Executor and Strand (sdk/src): the fixed thread pool with timers under
// AsyncRunStreamHandler, and the per-stream serial queue on top of it.
// Waits are for the very event checked, with a deadline; nothing asserts
// how fast anything runs.
#include "executor.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strand.h"

namespace runnel::internal {
namespace {

using std::chrono::milliseconds;
using Clock = Executor::Clock;

constexpr milliseconds kDeadline{10000};

// A count that tests can wait on.
class Counter {
 public:
  // Notifies under the lock: a waiter that returns may destroy the Counter
  // at once, and must not do so while a worker is still inside notify.
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
    cv_.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return n_ >= n; });
  }
  int value() {
    std::lock_guard<std::mutex> lock(mu_);
    return n_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

TEST(ExecutorTest, RunsEveryPostedTaskOnItsFixedThreads) {
  Executor executor(3);
  EXPECT_EQ(executor.thread_count(), 3);
  Counter done;
  std::mutex mu;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 2000; ++i) {
    executor.Post([&] {
      {
        std::lock_guard<std::mutex> lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      done.Add();
    });
  }
  ASSERT_TRUE(done.WaitFor(2000));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_LE(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(ExecutorTest, ZeroThreadsMeansOne) {
  Executor executor(0);
  EXPECT_EQ(executor.thread_count(), 1);
  Counter done;
  executor.Post([&] { done.Add(); });
  EXPECT_TRUE(done.WaitFor(1));
}

TEST(ExecutorTest, RunAtRunsOnceAndAPastDueTimeRunsAtOnce) {
  Executor executor(2);
  Counter done;
  executor.RunAt(Clock::now() - milliseconds(100), [&] { done.Add(); });
  executor.RunAt(Clock::now() + milliseconds(5), [&] { done.Add(); });
  ASSERT_TRUE(done.WaitFor(2));
  // A later timer as a fence: a one-shot that ran again would count here.
  Counter fence;
  executor.RunAt(Clock::now() + milliseconds(30), [&] { fence.Add(); });
  ASSERT_TRUE(fence.WaitFor(1));
  EXPECT_EQ(done.value(), 2);
}

TEST(ExecutorTest, RunEveryRepeatsUntilCancelled) {
  Executor executor(2);
  Counter ticks;
  const Executor::TimerId id =
      executor.RunEvery(Clock::now(), milliseconds(1), [&] { ticks.Add(); });
  ASSERT_NE(id, 0u);
  ASSERT_TRUE(ticks.WaitFor(5));
  executor.Cancel(id);
  // A run may have started before Cancel returned; none starts after.
  // Fence: two tasks that wait for each other hold both workers at once,
  // so a run that was under way on either has finished.
  Counter fence;
  std::latch both_workers(2);
  for (int i = 0; i < 2; ++i) {
    executor.Post([&] {
      both_workers.arrive_and_wait();
      fence.Add();
    });
  }
  ASSERT_TRUE(fence.WaitFor(2));
  const int after_cancel = ticks.value();
  Counter later;
  executor.RunAt(Clock::now() + milliseconds(20), [&] { later.Add(); });
  ASSERT_TRUE(later.WaitFor(1));
  EXPECT_EQ(ticks.value(), after_cancel);
}

TEST(ExecutorTest, CancelReleasesTheTaskAndItsCaptures) {
  Executor executor(1);
  auto state = std::make_shared<int>(7);
  std::weak_ptr<int> weak = state;
  const Executor::TimerId id = executor.RunAt(
      Clock::now() + std::chrono::hours(1), [state] { ++*state; });
  state.reset();
  EXPECT_FALSE(weak.expired());
  executor.Cancel(id);
  EXPECT_TRUE(weak.expired());
  executor.Cancel(id);  // twice, and unknown ids: ignored
  executor.Cancel(12345);
}

TEST(ExecutorTest, ATaskThatThrowsDoesNotStopItsWorker) {
  Executor executor(1);
  executor.Post([] { throw std::runtime_error("task failure"); });
  executor.Post([] { throw 42; });
  Counter done;
  executor.Post([&] { done.Add(); });
  EXPECT_TRUE(done.WaitFor(1));
}

TEST(ExecutorTest, DestructionDropsTimersThatHaveNotRun) {
  std::atomic<bool> ran{false};
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> weak = token;
  {
    Executor executor(1);
    executor.RunAt(Clock::now() + std::chrono::hours(1),
                   [token, &ran] { ran = true; });
    token.reset();
    EXPECT_FALSE(weak.expired());
  }
  EXPECT_TRUE(weak.expired());
  EXPECT_FALSE(ran);
}

TEST(ExecutorTest, DestructionRunsThePostedTasksFirst) {
  std::atomic<int> ran{0};
  {
    Executor executor(1);
    // The worker is busy while the tasks are posted and the destructor
    // starts; a task posted by a task during the stop still runs.
    std::mutex gate;
    std::unique_lock<std::mutex> hold(gate);
    Counter blocked;
    executor.Post([&] {
      blocked.Add();
      std::lock_guard<std::mutex> wait(gate);
      executor.Post([&] { ++ran; });
    });
    ASSERT_TRUE(blocked.WaitFor(1));
    for (int i = 0; i < 10; ++i) executor.Post([&] { ++ran; });
    hold.unlock();
  }
  EXPECT_EQ(ran.load(), 11);
}

TEST(ExecutorTest, TimersOfManyOwnersShareTheFixedThreads) {
  Executor executor(2);
  Counter fired;
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::vector<Executor::TimerId> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.push_back(executor.RunAt(Clock::now() + milliseconds(i % 20), [&] {
      {
        std::lock_guard<std::mutex> lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      fired.Add();
    }));
  }
  ASSERT_TRUE(fired.WaitFor(1000));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_LE(threads.size(), 2u);
  EXPECT_EQ(std::set<Executor::TimerId>(ids.begin(), ids.end()).size(), 1000u);
}

TEST(StrandTest, TasksOfOneStrandRunInOrderAndNeverOverlap) {
  Executor executor(4);
  auto strand = std::make_shared<Strand>(&executor);
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::vector<int> order;  // written only by the strand's tasks
  Counter done;
  for (int i = 0; i < 1000; ++i) {
    strand->Post([&, i] {
      if (inside.fetch_add(1) != 0) overlapped = true;
      order.push_back(i);
      // Stay inside a while so that an overlapping task would see us.
      for (int y = 0; y < 50; ++y) std::this_thread::yield();
      inside.fetch_sub(1);
      done.Add();
    });
  }
  ASSERT_TRUE(done.WaitFor(1000));
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(order[i], i);
}

TEST(StrandTest, DifferentStrandsRunInParallel) {
  Executor executor(2);
  auto a = std::make_shared<Strand>(&executor);
  auto b = std::make_shared<Strand>(&executor);
  // a's task waits for b's: with two workers this ends only if the two
  // strands run at the same time.
  Counter b_ran, a_done;
  std::atomic<bool> a_saw_b{false};
  a->Post([&] {
    a_saw_b = b_ran.WaitFor(1);
    a_done.Add();
  });
  b->Post([&] { b_ran.Add(); });
  ASSERT_TRUE(a_done.WaitFor(1));
  EXPECT_TRUE(a_saw_b);
}

TEST(StrandTest, ATaskThatThrowsDoesNotStallTheStrand) {
  Executor executor(1);
  auto strand = std::make_shared<Strand>(&executor);
  strand->Post([] { throw std::runtime_error("strand task failure"); });
  Counter done;
  strand->Post([&] { done.Add(); });
  EXPECT_TRUE(done.WaitFor(1));
}

TEST(StrandTest, ABusyStrandLeavesRoomForOthers) {
  Executor executor(1);
  auto busy = std::make_shared<Strand>(&executor);
  auto other = std::make_shared<Strand>(&executor);
  // busy has far more than one batch queued; other's task must run before
  // busy's last one (the strand yields its worker every batch).
  std::atomic<int> busy_ran{0};
  std::atomic<int> busy_ran_before_other{-1};
  Counter done;
  // Hold the one worker until everything is queued.
  std::mutex gate;
  std::unique_lock<std::mutex> hold(gate);
  executor.Post([&] { std::lock_guard<std::mutex> wait(gate); });
  for (int i = 0; i < 10 * Strand::kBatch; ++i) {
    busy->Post([&] {
      ++busy_ran;
      done.Add();
    });
  }
  other->Post([&] {
    busy_ran_before_other = busy_ran.load();
    done.Add();
  });
  hold.unlock();
  ASSERT_TRUE(done.WaitFor(10 * Strand::kBatch + 1));
  EXPECT_LT(busy_ran_before_other.load(), 10 * Strand::kBatch);
}

}  // namespace
}  // namespace runnel::internal

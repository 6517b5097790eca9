// Strand: runs the tasks posted to it one at a time, in order, on an
// Executor's threads, so the tasks of one strand never overlap while
// different strands run in parallel. Each stream of an
// AsyncRunStreamHandler has one: its callbacks need no lock of their own.
//
// A strand takes a worker for at most kBatch tasks at a time and then
// queues itself again, so a busy stream cannot starve the others.
//
// Thread-safety: Post may be called from any thread, including from a task
// of the same strand. Held by shared_ptr; a queued drain keeps it alive.
// The executor must outlive the strand's queued work (it does: the
// executor destroys queued work when it is destroyed).
#ifndef RUNNEL_SDK_SRC_STRAND_H_
#define RUNNEL_SDK_SRC_STRAND_H_

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "executor.h"

namespace runnel::internal {

class Strand : public std::enable_shared_from_this<Strand> {
 public:
  static constexpr int kBatch = 16;

  explicit Strand(Executor* executor) : executor_(executor) {}

  void Post(std::function<void()> task);

 private:
  void Drain();

  Executor* executor_;
  std::mutex mu_;  // guards queue_ and scheduled_
  std::deque<std::function<void()>> queue_;
  bool scheduled_ = false;  // a Drain is queued or running
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STRAND_H_
